package refdata

import (
	"errors"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"tremplin/internal/platform/errs"
)

var (
	communeCodePattern = regexp.MustCompile(`^(\d{5}|2[AB]\d{3})$`)
	postalCodePattern  = regexp.MustCompile(`^\d{5}$`)
)

// communeColumns locates the columns of a communes file by their name, as
// spelt by the official files (communes-france, La Poste's base des codes
// postaux, INSEE's COG) and by our embedded file.
type communeColumns struct {
	code, name, department, postal, typ, approximate int
	// coordinate pairs in order of preference: town hall, centre, generic
	latLon [][2]int
	// columns holding "lat,lon" in one field
	gps []int
}

func findCommuneColumns(t *table) (communeColumns, error) {
	c := communeColumns{
		code:        t.col("code_insee", "code_commune_insee", "codgeo", "com", "code_commune", "insee", "code"),
		name:        t.col("nom_standard", "nom", "name", "nom_commune_complet", "nom_de_la_commune", "libelle", "nom_commune", "ncc"),
		department:  t.col("dep_code", "code_departement", "departement", "dep", "department"),
		postal:      t.col("codes_postaux", "postal_codes", "code_postal", "cp"),
		typ:         t.col("typecom"),
		approximate: t.col("approximate"),
	}
	pairs := [][2]string{
		{"latitude_mairie", "longitude_mairie"},
		{"latitude_centre", "longitude_centre"},
		{"latitude", "longitude"},
		{"lat", "lon"},
		{"lat", "lng"},
	}
	for _, p := range pairs {
		if lat, lon := t.col(p[0]), t.col(p[1]); lat >= 0 && lon >= 0 {
			c.latLon = append(c.latLon, [2]int{lat, lon})
		}
	}
	for _, name := range []string{"coordonnees_gps", "geopoint", "geo_point_2d", "coordonnees"} {
		if i := t.col(name); i >= 0 {
			c.gps = append(c.gps, i)
		}
	}
	if c.code < 0 || c.name < 0 {
		return c, errs.New(errs.Invalid, "colonnes introuvables : il faut au moins le code INSEE (code_insee) et le nom (nom_standard)")
	}
	return c, nil
}

// ParseCommunesCSV reads a communes file and returns the communes sorted by
// code. Several lines for one commune (one per postal code, as in La Poste's
// file) are merged. A commune without coordinates gets the centre of its
// département in the file, marked approximate; one whose département has no
// located commune at all is left out.
func ParseCommunesCSV(r io.Reader) ([]Commune, error) {
	t, err := openTable(r)
	if err != nil {
		return nil, err
	}
	cols, err := findCommuneColumns(t)
	if err != nil {
		return nil, err
	}
	byCode := map[string]*parsedCommune{}
	for {
		rec, line, err := t.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if typ := field(rec, cols.typ); typ != "" && typ != "COM" {
			continue // arrondissements and former communes are not communes
		}
		pc, err := parseCommuneLine(rec, cols)
		if err != nil {
			return nil, errs.Newf(errs.Invalid, "ligne %d : %s", line, errs.MessageOf(err))
		}
		mergeCommune(byCode, pc)
	}
	if len(byCode) == 0 {
		return nil, errs.New(errs.Invalid, "le fichier ne contient aucune commune")
	}
	return finishCommunes(byCode), nil
}

// parsedCommune is a commune read from a file, whose coordinates may be missing.
type parsedCommune struct {
	Commune
	located bool
}

func parseCommuneLine(rec []string, cols communeColumns) (parsedCommune, error) {
	code := strings.ToUpper(field(rec, cols.code))
	if len(code) == 4 && isDigits(code) {
		code = "0" + code // spreadsheets drop the leading zero of Ain's communes
	}
	if !communeCodePattern.MatchString(code) {
		return parsedCommune{}, errs.Newf(errs.Invalid, "code INSEE %q invalide", code)
	}
	name := field(rec, cols.name)
	if name == "" {
		return parsedCommune{}, errs.New(errs.Invalid, "nom de commune vide")
	}
	dept := strings.ToUpper(field(rec, cols.department))
	if dept == "" {
		dept = departmentOf(code)
	}
	postal, err := parsePostalCodes(field(rec, cols.postal))
	if err != nil {
		return parsedCommune{}, err
	}
	pc := parsedCommune{Commune: Commune{Code: code, Name: name, Department: dept, PostalCodes: postal}}
	pc.Lat, pc.Lon, pc.located, err = lineCoordinates(rec, cols)
	if err != nil {
		return parsedCommune{}, err
	}
	if v := field(rec, cols.approximate); v != "" {
		if pc.Approximate, err = strconv.ParseBool(v); err != nil {
			return parsedCommune{}, errs.Newf(errs.Invalid, "valeur %q invalide pour approximate", v)
		}
	}
	return pc, nil
}

// departmentOf derives the département from a commune code: three digits overseas (971…), two elsewhere.
func departmentOf(code string) string {
	if strings.HasPrefix(code, "97") || strings.HasPrefix(code, "98") {
		return code[:3]
	}
	return code[:2]
}

// parsePostalCodes splits a list of postal codes separated by spaces, commas, semicolons or pipes.
func parsePostalCodes(s string) ([]string, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(" ,;|/", r) })
	var out []string
	for _, p := range parts {
		if len(p) == 4 && isDigits(p) {
			p = "0" + p
		}
		if !postalCodePattern.MatchString(p) {
			return nil, errs.Newf(errs.Invalid, "code postal %q invalide", p)
		}
		out = append(out, p)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// lineCoordinates returns the first complete pair of coordinates of the line,
// in the order of preference of the columns; ok is false when there is none.
func lineCoordinates(rec []string, cols communeColumns) (lat, lon float64, ok bool, err error) {
	for _, p := range cols.latLon {
		a, b := field(rec, p[0]), field(rec, p[1])
		if a == "" || b == "" {
			continue
		}
		return parseLatLon(a, b)
	}
	for _, i := range cols.gps {
		if v := field(rec, i); v != "" {
			a, b, found := strings.Cut(v, ",")
			if !found {
				return 0, 0, false, errs.Newf(errs.Invalid, "coordonnées %q invalides", v)
			}
			return parseLatLon(a, b)
		}
	}
	return 0, 0, false, nil
}

func parseLatLon(a, b string) (lat, lon float64, ok bool, err error) {
	lat, errLat := parseDecimal(a)
	lon, errLon := parseDecimal(b)
	if errLat != nil || errLon != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return 0, 0, false, errs.Newf(errs.Invalid, "coordonnées %q, %q invalides", a, b)
	}
	return lat, lon, true, nil
}

// parseDecimal reads a number written with a decimal point or a French decimal comma.
func parseDecimal(s string) (float64, error) {
	return strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", "."), 64)
}

// mergeCommune adds a line to the communes read so far, joining the postal
// codes of a commune listed on several lines.
func mergeCommune(byCode map[string]*parsedCommune, pc parsedCommune) {
	prev, ok := byCode[pc.Code]
	if !ok {
		byCode[pc.Code] = &pc
		return
	}
	prev.PostalCodes = slices.Compact(slices.Sorted(slices.Values(append(prev.PostalCodes, pc.PostalCodes...))))
	if !prev.located && pc.located {
		prev.Lat, prev.Lon, prev.located, prev.Approximate = pc.Lat, pc.Lon, true, pc.Approximate
	}
}

// finishCommunes places the communes without coordinates at the centre of
// their département and returns all of them sorted by code.
func finishCommunes(byCode map[string]*parsedCommune) []Commune {
	parsed := slices.SortedFunc(maps.Values(byCode), func(a, b *parsedCommune) int { return strings.Compare(a.Code, b.Code) })
	centres := departmentCentres(parsed)
	out := make([]Commune, 0, len(parsed))
	for _, pc := range parsed {
		if !pc.located {
			centre, ok := centres[pc.Department]
			if !ok {
				continue
			}
			pc.Lat, pc.Lon, pc.Approximate = centre[0], centre[1], true
		}
		out = append(out, pc.Commune)
	}
	return out
}

// departmentCentres averages the precisely located communes of each
// département, in code order so the result does not vary between runs.
func departmentCentres(parsed []*parsedCommune) map[string][2]float64 {
	type sum struct {
		lat, lon float64
		n        int
	}
	sums := map[string]sum{}
	for _, pc := range parsed {
		if pc.located && !pc.Approximate {
			s := sums[pc.Department]
			sums[pc.Department] = sum{s.lat + pc.Lat, s.lon + pc.Lon, s.n + 1}
		}
	}
	centres := make(map[string][2]float64, len(sums))
	for dept, s := range sums {
		centres[dept] = [2]float64{s.lat / float64(s.n), s.lon / float64(s.n)}
	}
	return centres
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
