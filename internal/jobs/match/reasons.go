package match

import (
	"math"
	"strconv"
	"strings"
)

// explainAll fills the reasons of ms, whose pairs pair(i) returns. The
// sentences that depend on a pair are written into one string, shared by
// the answer; the others were written when the records came in.
func explainAll(ms []Match, today int32, pair func(i int) (*candEntry, *offerEntry)) {
	var w writer
	w.b.Grow(128 * len(ms))
	w.out = make([]string, 0, 6*len(ms))
	w.ends = make([]int32, 0, 8*len(ms))
	starts := make([]int, len(ms)+1) // index in w.out of each pair's first sentence
	for i := range ms {
		c, o := pair(i)
		starts[i] = len(w.out)
		explainTo(&w, c, o, ms[i].DistanceKm, today)
	}
	starts[len(ms)] = len(w.out)
	all := w.strings()
	for i := range ms {
		ms[i].Reasons = all[starts[i]:starts[i+1]:starts[i+1]]
	}
}

// offerTexts are the sentences about an offer that do not depend on the
// person, written once.
type offerTexts struct {
	sameFiche, noFit, noTarget, qualsHeld, shiftsOK string
}

// textsOf writes the sentences about o.
func textsOf(o *offerEntry) offerTexts {
	var w writer
	var t offerTexts
	t.sameFiche = w.s("Même métier (").rome(o.rome, 5).s(")").done()
	t.noFit = w.s("Métier (").rome(o.rome, 5).s(") sans lien avec ceux que la personne recherche").done()
	t.noTarget = w.s("Métier proposé (").rome(o.rome, 5).s(") : la personne n'a pas indiqué de métier recherché").done()
	if n := int(o.quals.n); n > 0 {
		t.qualsHeld = w.s(plural(n, "Qualification demandée détenue : ", "Qualifications demandées toutes détenues : ")).labels(o.qualSet, labelSet{}, false).done()
	}
	if o.shifts.n > 0 {
		t.shiftsOK = w.s("Horaires acceptés par la personne : ").labels(o.shiftSet, labelSet{}, false).done()
	}
	return t
}

// beyondRadius writes the sentence of an offer beyond c's mobility radius.
func beyondRadius(c *candEntry) string {
	var w writer
	return w.s("Au-delà du rayon de mobilité de la personne (").km(c.radiusKm).s(" km)").done()
}

// explain returns the reasons of one pair.
func explain(c *candEntry, o *offerEntry, d float64, today int32) []string {
	ms := []Match{{DistanceKm: d}}
	explainAll(ms, today, func(int) (*candEntry, *offerEntry) { return c, o })
	return ms[0].Reasons
}

// explainTo writes the reasons of a pair's score in the order of the
// score's parts: travel, ROME fit, requirements, availability.
func explainTo(w *writer, c *candEntry, o *offerEntry, d float64, today int32) {
	travelReasons(w, c, d)
	fitReason(w, c, o)
	requirementReasons(w, c, o)
	availabilityReasons(w, c, o, today)
}

// travelReasons describes the distance and the trip, and a mobility radius exceeded.
func travelReasons(w *writer, c *candEntry, d float64) {
	t, by := c.travel(d)
	w.s("À ").km(d).s(" km, ").duration(t).s(" ").s(meansPhrase(by))
	if c.noMeans {
		w.s(" (moyen de déplacement non renseigné)")
	}
	w.end()
	if c.radiusKm > 0 && d > c.radiusKm {
		w.fixed(c.beyondRadius)
	}
}

// fitReason describes how the offer's fiche relates to the person's target jobs.
func fitReason(w *writer, c *candEntry, o *offerEntry) {
	f, by := fitOf(c.fiches, o.rome)
	switch {
	case f == fitFiche:
		w.fixed(o.texts.sameFiche)
	case f == fitDomaine:
		w.s("Même domaine professionnel (").rome(o.rome, 3).s(") : ").rome(o.rome, 5).s(" proposé, ").rome(by, 5).s(" recherché").end()
	case f == fitGrand:
		w.s("Même grand domaine (").rome(o.rome, 1).s(") : ").rome(o.rome, 5).s(" proposé, ").rome(by, 5).s(" recherché").end()
	case len(c.fiches) == 0:
		w.fixed(o.texts.noTarget)
	default:
		w.fixed(o.texts.noFit)
	}
}

// requirementReasons describes the licence, vehicle, qualifications and shifts asked for.
func requirementReasons(w *writer, c *candEntry, o *offerEntry) {
	if o.licence {
		w.fixed(yesNo(c.licence, "Permis B demandé : la personne l'a", "Permis B demandé : la personne ne l'a pas"))
	}
	if o.vehicle {
		w.fixed(yesNo(c.vehicle, "Véhicule demandé : la personne en a un", "Véhicule demandé : la personne n'en a pas"))
	}
	if n := int(o.quals.n); n > 0 {
		if miss := n - countHeld(o.qualSet, c.qualSet); miss > 0 {
			w.s(plural(miss, "Qualification manquante : ", "Qualifications manquantes : ")).labels(o.qualSet, c.qualSet, false).end()
		} else {
			w.fixed(o.texts.qualsHeld)
		}
	}
	if o.shifts.n > 0 {
		if countHeld(o.shiftSet, c.excludedSet) > 0 {
			w.s("Horaires que la personne exclut : ").labels(o.shiftSet, c.excludedSet, true).end()
		} else {
			w.fixed(o.texts.shiftsOK)
		}
	}
}

// availabilityReasons describes the start date and the weekly hours.
func availabilityReasons(w *writer, c *candEntry, o *offerEntry, today int32) {
	if late := lateDays(&c.candTerms, &o.offerTerms, today); late <= 0 {
		w.fixed("Disponible à la date de début")
	} else {
		w.s("Disponible ").int(int(late)).s(plural(int(late), " jour", " jours")).s(" après la date de début").end()
	}
	if o.minutes == 0 {
		return
	}
	switch hoursOutside(&c.candTerms, &o.offerTerms) {
	case -1:
		w.s("Durée de ").hours(int(o.minutes)).s(" h par semaine, en deçà des ").hours(int(c.minMin)).s(" h souhaitées au moins").end()
	case 1:
		w.s("Durée de ").hours(int(o.minutes)).s(" h par semaine, au-delà des ").hours(int(c.minMax)).s(" h souhaitées au plus").end()
	default:
		if c.minMin > 0 || c.minMax > 0 {
			w.s("Durée de ").hours(int(o.minutes)).s(" h par semaine, comme le souhaite la personne").end()
		}
	}
}

// meansPhrase names the means of a trip.
func meansPhrase(m means) string {
	switch m {
	case byCar:
		return "en voiture"
	case byTransit:
		return "en transports en commun"
	case byBike:
		return "à vélo"
	}
	return "à pied"
}

func yesNo(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

func plural(n int, one, many string) string {
	if n > 1 {
		return many
	}
	return one
}

// writer collects sentences: fixed ones as they are, the others written one
// after the other into one string.
type writer struct {
	b    strings.Builder
	out  []string
	ends []int32 // for each written sentence, its index in out and end in b, in pairs
}

// fixed adds a sentence written beforehand.
func (w *writer) fixed(s string) { w.out = append(w.out, s) }

// done returns the only sentence written, for texts written once.
func (w *writer) done() string {
	s := w.b.String()
	w.b = strings.Builder{}
	return s
}

func (w *writer) s(x string) *writer { w.b.WriteString(x); return w }

func (w *writer) int(n int) *writer {
	var tmp [20]byte
	w.b.Write(strconv.AppendInt(tmp[:0], int64(n), 10))
	return w
}

// end closes the sentence being written.
func (w *writer) end() {
	w.ends = append(w.ends, int32(len(w.out)), int32(w.b.Len()))
	w.out = append(w.out, "")
}

// rome writes the first n characters of a fiche's code.
func (w *writer) rome(r rome, n int) *writer {
	var tmp [5]byte
	w.b.Write(r.appendTo(tmp[:0], n))
	return w
}

// km writes kilometres to the tenth with a French decimal comma, "12,4" or "10".
func (w *writer) km(x float64) *writer { return w.hundredths(int(math.Round(x*10)) * 10) }

// hours writes weekly minutes as hours to the hundredth, "35" or "17,5".
func (w *writer) hours(minutes int) *writer {
	return w.hundredths(int(math.Round(float64(minutes) * 100 / 60)))
}

// hundredths writes n hundredths as a French decimal without trailing
// zeros: 1240 as "12,4", 3500 as "35".
func (w *writer) hundredths(n int) *writer {
	w.int(n / 100)
	if f := n % 100; f != 0 {
		w.b.WriteByte(',')
		w.b.WriteByte(byte('0' + f/10))
		if f%10 != 0 {
			w.b.WriteByte(byte('0' + f%10))
		}
	}
	return w
}

// duration writes minutes as "environ 19 min" or "environ 1 h 05".
func (w *writer) duration(minutes float64) *writer {
	m := int(math.Round(minutes))
	switch {
	case m < 1:
		return w.s("moins d'une minute")
	case m < 60:
		return w.s("environ ").int(m).s(" min")
	}
	w.s("environ ").int(m / 60).s(" h ")
	if m%60 < 10 {
		w.s("0")
	}
	return w.int(m % 60)
}

// labels writes, as the caller wrote them and separated by commas, the
// labels of ls that other holds (in) or does not hold (!in).
func (w *writer) labels(ls, other labelSet, in bool) *writer {
	first := true
	for _, l := range ls.list {
		if other.has(l.key) != in {
			continue
		}
		if !first {
			w.s(", ")
		}
		w.s(l.text)
		first = false
	}
	return w
}

// strings returns the sentences, the written ones cut from one string.
func (w *writer) strings() []string {
	all, start := w.b.String(), 0
	for i := 0; i < len(w.ends); i += 2 {
		w.out[w.ends[i]], start = all[start:w.ends[i+1]], int(w.ends[i+1])
	}
	return w.out
}
