package jobs

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/tabular"
)

// campaignMaxFaults bounds the faults an upload reports; the rest are counted.
const campaignMaxFaults = 50

// CampaignRowError is a fault of one line of an uploaded table, or of a
// form (Line 0), on a column named by its key (nom, commune, capacite…),
// which is also the name of the form field.
type CampaignRowError struct {
	Line int
	// Column is the column's key; Header is how the file names it.
	Column  string
	Header  string
	Message string
}

// Error names the line and the column.
func (e CampaignRowError) Error() string {
	switch {
	case e.Line == 0:
		return e.Message
	case e.Column == "":
		return fmt.Sprintf("ligne %d : %s", e.Line, e.Message)
	}
	return fmt.Sprintf("ligne %d, colonne « %s » : %s", e.Line, campaignOr(e.Header, e.Column), e.Message)
}

// CampaignImportError lists the faults of a table refused whole.
type CampaignImportError struct {
	Rows []CampaignRowError
	// More counts the faults beyond those listed.
	More int
}

// Error sums up the faults.
func (e *CampaignImportError) Error() string {
	msgs := make([]string, 0, len(e.Rows))
	for _, r := range e.Rows {
		msgs = append(msgs, r.Error())
	}
	return strings.Join(msgs, " ; ")
}

// campaignFaults collects the faults of a table or a form.
type campaignFaults struct {
	rows []CampaignRowError
	more int
	// headers maps column keys to the names the file gives them.
	headers map[string]string
}

// add records a fault of a line on a column.
func (f *campaignFaults) add(line int, column, msg string) {
	if len(f.rows) == campaignMaxFaults {
		f.more++
		return
	}
	f.rows = append(f.rows, CampaignRowError{Line: line, Column: column, Header: f.headers[column], Message: msg})
}

// none reports whether nothing was wrong.
func (f *campaignFaults) none() bool { return len(f.rows) == 0 }

// err returns the faults as an invalid error: for a form (line 0), field
// errors; for a table, a message naming the count and the first faults.
func (f *campaignFaults) err() error {
	if f.none() {
		return nil
	}
	if f.rows[0].Line == 0 {
		fe := errs.FieldErrors{}
		for _, r := range f.rows {
			fe.Add(campaignOr(r.Column, "fichier"), r.Message)
		}
		return fe.Err()
	}
	n := len(f.rows) + f.more
	msg := fmt.Sprintf("Le fichier contient %d erreur%s : rien n'a été importé. %s", n, campaignPlural(n), f.rows[0].Error())
	return errs.Wrap(errs.Invalid, msg, &CampaignImportError{Rows: f.rows, More: f.more})
}

func campaignPlural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// CampaignImportFaults returns the faults of a refused upload, if err is one.
func CampaignImportFaults(err error) (*CampaignImportError, bool) {
	var e *CampaignImportError
	ok := errors.As(err, &e)
	return e, ok
}

// campaignColumn is a column a table may have, with the names it goes by
// (folded: lower case, no accents, words separated by one space).
type campaignColumn struct {
	key     string
	aliases []string
}

// The columns of the three tables a campaign takes.
var (
	campaignSiteColumns = []campaignColumn{
		{"nom", []string{"nom", "site", "nom du site", "etablissement", "name"}},
		{"commune", []string{"commune", "code commune", "code insee", "insee", "ville"}},
		{"adresse", []string{"adresse", "address"}},
		{"latitude", []string{"latitude", "lat"}},
		{"longitude", []string{"longitude", "lon", "lng", "long"}},
		{"capacite", []string{"capacite", "places", "nombre de places", "postes", "capacity"}},
	}
	campaignCandidateColumns = []campaignColumn{
		{"nom", []string{"nom", "candidat", "nom prenom", "name"}},
		{"personne", []string{"personne", "id personne", "identifiant", "identifiant personne", "dossier"}},
		{"commune", []string{"commune", "code commune", "code insee", "insee", "ville"}},
		{"adresse", []string{"adresse", "address"}},
		{"latitude", []string{"latitude", "lat"}},
		{"longitude", []string{"longitude", "lon", "lng", "long"}},
	}
	campaignExclusionColumns = []campaignColumn{
		{"candidat", []string{"candidat", "candidate", "numero candidat"}},
		{"site", []string{"site", "numero site"}},
	}
)

// campaignRecord is one line of a table, its values by column key.
type campaignRecord struct {
	Line   int
	Values map[string]string
}

func (r campaignRecord) get(key string) string { return r.Values[key] }

// campaignHeader maps the columns of a table's header to their keys.
func campaignHeader(header []string, cols []campaignColumn, f *campaignFaults) map[string]int {
	at := map[string]int{}
	f.headers = map[string]string{}
	for i, h := range header {
		name := refdata.Fold(h)
		for _, c := range cols {
			if !campaignContains(c.aliases, name) {
				continue
			}
			if _, dup := at[c.key]; dup {
				f.add(1, "", fmt.Sprintf("la colonne « %s » apparaît deux fois.", h))
			}
			at[c.key], f.headers[c.key] = i, h
		}
	}
	return at
}

func campaignContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// readCampaignTable reads at most max lines of a table, by column key. The
// header must name the required columns, and both coordinates or neither.
func readCampaignTable(t *tabular.Table, cols []campaignColumn, required []string, max int, f *campaignFaults) ([]campaignRecord, error) {
	at := campaignHeader(t.Header(), cols, f)
	var missing []string
	for _, key := range required {
		if _, ok := at[key]; !ok {
			missing = append(missing, "« "+key+" »")
		}
	}
	if len(missing) > 0 {
		f.add(1, "", "colonne manquante : "+strings.Join(missing, ", ")+". La première ligne nomme les colonnes, séparées par des points-virgules.")
	}
	_, hasLat := at["latitude"]
	if _, hasLon := at["longitude"]; hasLat != hasLon {
		f.add(1, "", "les colonnes « latitude » et « longitude » vont ensemble.")
	}
	if !f.none() {
		return nil, nil
	}
	var out []campaignRecord
	for {
		row, line, err := t.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		var re *tabular.RowError
		if errors.As(err, &re) {
			f.add(re.Line, "", re.Msg)
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(out) == max {
			f.add(line, "", fmt.Sprintf("le fichier dépasse %d lignes.", max))
			return nil, nil
		}
		rec := campaignRecord{Line: line, Values: map[string]string{}}
		for key, i := range at {
			rec.Values[key] = strings.TrimSpace(row[i])
		}
		out = append(out, rec)
	}
}

// campaignPlace is where a site or a candidate is, as given: coordinates,
// an address, a commune (INSEE code, postal code or name).
type campaignPlace struct {
	Commune string
	Address string
	Lat     *float64
	Lon     *float64
}

// campaignSiteEntry is a site read from a line or a form, still to place.
type campaignSiteEntry struct {
	Line     int
	Name     string
	Place    campaignPlace
	Capacity int
}

// campaignCandidateEntry is a candidate read from a line or a form.
type campaignCandidateEntry struct {
	Line     int
	Name     string
	PersonID string
	Place    campaignPlace
	// Skip is set when the line names no one: it is not placed.
	Skip bool
}

// campaignExclusionEntry is an excluded pair, each named by number or name.
type campaignExclusionEntry struct {
	Line      int
	Candidate string
	Site      string
}

// parseCampaignName checks a name or label.
func parseCampaignName(r campaignRecord, key string, f *campaignFaults) string {
	name := r.get(key)
	switch {
	case name == "":
		f.add(r.Line, key, "indiquez le nom.")
	case utf8.RuneCountInString(name) > 200:
		f.add(r.Line, key, "le nom ne doit pas dépasser 200 caractères.")
	}
	return name
}

// parseCampaignPlace reads the position columns of a line: both
// coordinates or none, within their ranges, never (0, 0).
func parseCampaignPlace(r campaignRecord, f *campaignFaults) campaignPlace {
	p := campaignPlace{Commune: r.get("commune"), Address: r.get("adresse")}
	if utf8.RuneCountInString(p.Address) > 300 {
		f.add(r.Line, "adresse", "l'adresse ne doit pas dépasser 300 caractères.")
	}
	lat, lon := r.get("latitude"), r.get("longitude")
	if lat == "" && lon == "" {
		return p
	}
	la, okLat := campaignParseNumber(lat)
	lo, okLon := campaignParseNumber(lon)
	switch {
	case lat == "":
		f.add(r.Line, "latitude", "indiquez la latitude avec la longitude.")
	case lon == "":
		f.add(r.Line, "longitude", "indiquez la longitude avec la latitude.")
	case !okLat || la < -90 || la > 90:
		f.add(r.Line, "latitude", "la latitude est un nombre de degrés entre -90 et 90, par exemple 50,2930.")
	case !okLon || lo < -180 || lo > 180:
		f.add(r.Line, "longitude", "la longitude est un nombre de degrés entre -180 et 180, par exemple 2,7819.")
	case la == 0 && lo == 0:
		f.add(r.Line, "latitude", "les coordonnées (0, 0) ne désignent pas un lieu connu : indiquez les vraies coordonnées ou la commune.")
	default:
		p.Lat, p.Lon = &la, &lo
	}
	return p
}

// parseCampaignCapacity reads a number of places, a whole number from 1 to 10,000.
func parseCampaignCapacity(r campaignRecord, f *campaignFaults) int {
	v, ok := campaignParseNumber(r.get("capacite"))
	if !ok || v != math.Trunc(v) || v < 1 || v > campaignMaxCapacity {
		f.add(r.Line, "capacite", "la capacité est un nombre entier de places, de 1 à 10 000.")
		return 0
	}
	return int(v)
}

// parseCampaignSites turns lines into sites.
func parseCampaignSites(recs []campaignRecord, f *campaignFaults) []campaignSiteEntry {
	out := make([]campaignSiteEntry, 0, len(recs))
	for _, r := range recs {
		out = append(out, campaignSiteEntry{Line: r.Line, Name: parseCampaignName(r, "nom", f),
			Place: parseCampaignPlace(r, f), Capacity: parseCampaignCapacity(r, f)})
	}
	return out
}

// parseCampaignCandidates turns lines into candidates: a registry person
// (personne column) or a name.
func parseCampaignCandidates(recs []campaignRecord, f *campaignFaults) []campaignCandidateEntry {
	out := make([]campaignCandidateEntry, 0, len(recs))
	for _, r := range recs {
		e := campaignCandidateEntry{Line: r.Line, PersonID: strings.ToLower(r.get("personne")), Place: parseCampaignPlace(r, f)}
		switch {
		case e.PersonID != "" && !db.ValidID(e.PersonID):
			f.add(r.Line, "personne", "identifiant de personne invalide : copiez-le depuis l'adresse de son dossier.")
			e.Skip = true
		case e.PersonID == "":
			e.Name = parseCampaignName(r, "nom", f)
		}
		out = append(out, e)
	}
	return out
}

// parseCampaignExclusions turns lines into excluded pairs.
func parseCampaignExclusions(recs []campaignRecord, f *campaignFaults) []campaignExclusionEntry {
	out := make([]campaignExclusionEntry, 0, len(recs))
	for _, r := range recs {
		e := campaignExclusionEntry{Line: r.Line, Candidate: r.get("candidat"), Site: r.get("site")}
		if e.Candidate == "" {
			f.add(r.Line, "candidat", "indiquez le candidat, par son numéro ou son nom.")
		}
		if e.Site == "" {
			f.add(r.Line, "site", "indiquez le site, par son numéro ou son nom.")
		}
		out = append(out, e)
	}
	return out
}

// campaignNumberRef reads "12", "n°12" or "Candidat n°12" as a number.
func campaignNumberRef(s string) (int, bool) {
	s = strings.TrimSpace(refdata.Fold(s))
	s = strings.TrimPrefix(s, "candidat ")
	s = strings.TrimPrefix(s, "site ")
	s = strings.TrimPrefix(s, "n ")
	s = strings.TrimPrefix(s, "no ")
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil && n > 0
}
