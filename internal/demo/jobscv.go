package demo

import (
	"slices"
	"strings"
	"time"

	"tremplin/internal/platform/db"
)

// cvShare is the share of the followed people with a CV, by the track of
// their orientation ("" for the people followed outside the RSA).
var cvShare = map[string]float64{"professionnel": 0.8, "socio_professionnel": 0.5, "social": 0.1, "": 0.45}

// tracks returns the track each person was oriented to, by person id.
func (g *jobsGen) tracks() map[string]string {
	out := map[string]string{}
	for _, row := range g.rows.tables["orientations"] {
		out[row[1].(string)] = row[2].(string)
	}
	return out
}

// planCVs draws the CVs of followed people: drafted from the diagnostic
// when there is one, then completed with the person; most are online, and
// about two thirds of those are shared with employers.
func (g *jobsGen) planCVs() {
	tracks := g.tracks()
	g.cvOf = make([]int, len(g.persons))
	for i, pp := range g.persons {
		g.cvOf[i] = -1
		ref, since := current(pp.group)
		if ref < 0 || pp.p.Lat == nil {
			continue
		}
		track := tracks[pp.p.ID]
		rsa := g.rows.person[i].householdID != ""
		if !rsa {
			track = ""
		}
		if !g.chance(cvShare[track]) {
			continue
		}
		g.cvOf[i] = len(g.cvs)
		g.cvs = append(g.cvs, g.cv(i, ref, since, track, rsa))
	}
}

// cv draws and records the CV of person i, followed by ref since a day.
func (g *jobsGen) cv(i, ref int, since time.Time, track string, diagnosed bool) cvPlan {
	p := g.persons[i].p
	day := g.minDay(since.AddDate(0, 0, g.between(5, 60)), g.daysAgo(g.between(1, 5)))
	if day.Before(since) {
		day = since
	}
	c := cvPlan{person: i, ref: ref, lat: *p.Lat, lon: *p.Lon, online: g.chance(0.88), ready: day}
	var grid map[string]any
	if diagnosed {
		grid = grids[track]
	}
	c.romes = g.cvROMEs(grid)
	radius := 20
	if km, ok := grid["mobility_km"].(int); ok {
		radius = km
	} else {
		radius = []int{10, 15, 20, 25, 30}[g.r.IntN(5)]
	}
	if g.chance(0.3) {
		radius = g.between(10, 30)
	}
	c.radius = float64(radius)
	licence, _ := grid["driving_licence"].(bool)
	licence = licence || g.chance(map[bool]float64{true: 0.25, false: 0.45}[diagnosed])
	vehicle := licence && g.chance(0.55)
	minMin, minMax := g.hours(grid["hours_wanted"], diagnosed)
	var avail any
	if g.chance(0.4) {
		avail = g.today.AddDate(0, 0, g.between(-30, 60)).Format(time.DateOnly)
	}
	var quals []string
	if q := demoJobs[c.romes[0]].quals; len(q) > 0 && g.chance(0.2) {
		quals = append(quals, g.pick(q))
	}
	created := g.at(day)
	updated := created
	if later := day.AddDate(0, 0, g.between(0, 40)); later.Before(g.today) && g.chance(0.3) {
		updated = g.at(later)
	}
	g.add("cvs", p.ID, demoJobs[c.romes[0]].title, g.summary(track, diagnosed), strings.Join(g.skills(grid, c.romes), "\n"),
		strings.Join(c.romes, ","), radius, strings.Join(g.means(vehicle), ","), avail, minMin, minMax,
		strings.Join(g.excludedShifts(track), ","), licence, vehicle, strings.Join(quals, "\n"), c.online, created, updated, userRef(ref))
	g.experiences(p.ID, c.romes, track, created)
	if c.online {
		c.consent, c.ready = g.consents(p.ID, ref, day)
	}
	return c
}

func (g *jobsGen) minDay(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// cvROMEs are the jobs a CV looks for: those of the diagnostic, and more
// chosen with the person; one to three.
func (g *jobsGen) cvROMEs(grid map[string]any) []string {
	var out []string
	if jobs, ok := grid["target_jobs"].([]string); ok {
		out = slices.Clone(jobs)
	}
	want := g.between(1, 3)
	if len(out) > 0 {
		want = len(out) + map[bool]int{true: 1}[g.chance(0.6)]
	}
	for try := 0; len(out) < want && try < 20; try++ {
		if rome := g.pick(cvROMEs); !slices.Contains(out, rome) {
			out = append(out, rome)
		}
	}
	return out
}

// hours draws the weekly minutes wanted, as the diagnostic drafts them.
func (g *jobsGen) hours(wanted any, diagnosed bool) (int, int) {
	switch wanted {
	case "temps_plein":
		return 35 * 60, 39 * 60
	case "temps_partiel":
		return 10 * 60, 30 * 60
	}
	if diagnosed {
		return 0, 0
	}
	h := [][2]int{{0, 0}, {20, 35}, {24, 35}, {35, 35}}[g.r.IntN(4)]
	return h[0] * 60, h[1] * 60
}

func (g *jobsGen) means(vehicle bool) []string {
	if vehicle {
		if g.chance(0.2) {
			return []string{"car", "transit"}
		}
		return []string{"car"}
	}
	var out []string
	if g.chance(0.75) {
		out = append(out, "transit")
	}
	if g.chance(0.3) {
		out = append(out, "bike")
	}
	if g.chance(0.3) || len(out) == 0 {
		out = append(out, "foot")
	}
	return out
}

func (g *jobsGen) excludedShifts(track string) []string {
	var out []string
	if g.chance(0.3) {
		out = append(out, g.pick([]string{"nuit", "week-end"}))
	}
	if track == "socio_professionnel" && g.chance(0.4) {
		// Childcare: the diagnostic of this track notes it.
		out = append(out, "matin", "soir")
	}
	return out
}

// skills are the strengths of the diagnostic and a skill of each job.
func (g *jobsGen) skills(grid map[string]any, romes []string) []string {
	var out []string
	if s, ok := grid["strengths"].(string); ok && s != "" {
		out = append(out, s)
	}
	for _, rome := range romes {
		if s := demoJobs[rome].skills; len(s) > 0 && g.chance(0.7) {
			out = append(out, g.pick(s))
		}
	}
	return out
}

func (g *jobsGen) summary(track string, diagnosed bool) string {
	switch {
	case !diagnosed:
		return "Motivation et envie d'apprendre ; recherche une première expérience durable."
	case track == "professionnel":
		return "Recherche un emploi stable à temps plein, disponible rapidement."
	case track == "socio_professionnel":
		return "Souhaite reprendre une activité à temps partiel, près de chez soi."
	}
	return "Reprise d'activité progressive envisagée avec le référent."
}

// experiences draws the past jobs of a CV, the latest first, in the order given.
func (g *jobsGen) experiences(personID string, romes []string, track string, created time.Time) {
	n := g.between(0, 2)
	if track == "professionnel" {
		n = g.between(1, 3)
	}
	end := g.daysAgo(g.between(60, 900))
	for k := range n {
		start := end.AddDate(0, 0, -g.between(60, 700))
		employer := strings.ReplaceAll(g.pick(experienceEmployers), "{nom}", pickRanked(g.r, surnames[originGeneral]))
		rome := romes[g.r.IntN(len(romes))]
		if g.chance(0.3) {
			rome = g.pick(cvROMEs)
		}
		g.add("cv_experiences", db.NewID(), personID, demoJobs[rome].title, employer, start.Format(time.DateOnly), end.Format(time.DateOnly),
			"", created.Add(time.Duration(k)*time.Microsecond))
		end = start.AddDate(0, 0, -g.between(30, 400))
	}
}

// consents draws the consent of a person whose CV is online: given for
// about two thirds, sometimes after an earlier one was revoked; some revoked
// it and gave none since. It returns whether a consent is in force and the
// day from which the person may be sent to employers.
func (g *jobsGen) consents(personID string, ref int, day time.Time) (bool, time.Time) {
	method := func() string { return []string{"oral", "oral", "written"}[g.r.IntN(3)] }
	revoked := func(from time.Time) time.Time {
		given := g.at(from)
		back := g.minDay(from.AddDate(0, 0, g.between(10, 60)), g.yesterday())
		g.add("cv_consents", db.NewID(), personID, method(), given, userRef(ref), g.at(back).Add(time.Minute), userRef(ref))
		return back.AddDate(0, 0, 1)
	}
	if !g.chance(0.67) {
		if g.chance(0.15) && day.Before(g.daysAgo(20)) {
			revoked(day)
		}
		return false, day
	}
	if g.chance(0.06) && day.Before(g.daysAgo(70)) {
		day = revoked(day)
	}
	given := g.minDay(day.AddDate(0, 0, g.between(0, 20)), g.yesterday())
	if given.Before(day) {
		given = day
	}
	g.add("cv_consents", db.NewID(), personID, method(), g.at(given), userRef(ref), nil, "")
	return true, given
}
