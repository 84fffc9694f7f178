package jobs

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"tremplin/internal/platform/access"
	"tremplin/internal/platform/audit"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/tabular"
	"tremplin/internal/platform/validate"
)

// maxOfferRows bounds an offers file: a territory's offers of a year fit well below.
var maxOfferRows = 50000

// offerColumnsByName maps the accepted column names (folded) to a field.
var offerColumnsByName = map[string]string{
	"siret": "siret", "siret employeur": "siret", "employeur siret": "siret",
	"reference": "reference", "ref": "reference",
	"intitule": "title", "intitule du poste": "title", "titre": "title",
	"rome": "rome", "code rome": "rome",
	"contrat": "contract", "type contrat": "contract", "type de contrat": "contract",
	"duree mois": "contract_months", "duree": "contract_months",
	"heures semaine": "hours", "heures": "hours", "heures hebdomadaires": "hours",
	"postes": "positions", "nombre postes": "positions", "nombre de postes": "positions",
	"date debut": "start_date", "debut": "start_date",
	"commune": "commune", "code commune": "commune", "insee": "commune", "code insee": "commune",
	"permis": "licence", "vehicule": "vehicle",
	"qualifications": "qualifications", "horaires": "shifts",
	"description":       "description",
	"metier en tension": "in_tension", "tension": "in_tension",
	"marche clause": "clause_market", "clause": "clause_market", "marche": "clause_market",
	"statut": "status",
}

// OfferImportOptions choose how an offers file is imported.
type OfferImportOptions struct {
	DryRun bool
	// KeepValid imports the valid rows and writes the rejected ones to Rejected.
	KeepValid bool
	Rejected  io.Writer
}

// OfferImportReport says what an offers import did or would do.
type OfferImportReport struct {
	Rows     int             `json:"rows"`
	Created  int             `json:"created"`
	Updated  int             `json:"updated"`
	Rejected int             `json:"rejected"`
	Errors   []ImportLineErr `json:"errors"`
	DryRun   bool            `json:"dry_run"`
}

// ImportLineErr is the error of one line of a file.
type ImportLineErr struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// maxReportedErrors bounds the errors a report lists; the rest are counted.
const maxReportedErrors = 1000

// offerRow is one parsed line of an offers file.
type offerRow struct {
	line   int
	raw    []string
	offer  Offer
	update string // id of the offer the row rewrites, "" for a new one
}

// ImportOffers reads a CSV or XLSX file of offers. Every row is checked
// before anything is written; a file with a bad row is refused whole unless
// KeepValid. A row with a reference rewrites the employer's offer of that
// reference, so importing the same file again changes nothing.
func (s *Service) ImportOffers(ctx context.Context, a access.Actor, t *tabular.Table, opt OfferImportOptions) (OfferImportReport, error) {
	rep := OfferImportReport{DryRun: opt.DryRun, Errors: []ImportLineErr{}}
	if a.UserID == "" || (!a.System && !canCreateOffers(a)) {
		return rep, errs.New(errs.Forbidden, "Vous ne pouvez pas publier d'offres.")
	}
	cols, err := offerColumnIndex(t.Header())
	if err != nil {
		return rep, err
	}
	var good []offerRow
	var bad [][]string
	employers := map[string]employerRow{}
	for {
		raw, line, err := t.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *tabular.RowError
		if errors.As(err, &re) {
			rep.addError(line, re.Msg)
			bad = append(bad, append(raw, re.Msg))
			continue
		}
		if err != nil {
			return rep, err
		}
		rep.Rows++
		if rep.Rows > maxOfferRows {
			return rep, errs.Newf(errs.Invalid, "Le fichier dépasse %d offres : découpez-le.", maxOfferRows)
		}
		row, err := s.parseOfferRow(ctx, a, cols, raw, employers)
		if err != nil {
			msg := rowMessage(err)
			rep.addError(line, msg)
			bad = append(bad, append(append([]string(nil), raw...), msg))
			continue
		}
		row.line, row.raw = line, raw
		good = append(good, row)
	}
	good, bad = dropDuplicateReferences(good, bad, &rep)
	rep.Rejected = len(bad)
	if len(rep.Errors) > 0 && !opt.KeepValid {
		return rep, errs.Newf(errs.Invalid, "Le fichier contient %d ligne(s) en erreur : rien n'a été importé.", len(rep.Errors))
	}
	for _, r := range good {
		if r.update != "" {
			rep.Updated++
		} else {
			rep.Created++
		}
	}
	if opt.DryRun {
		return rep, nil
	}
	if opt.KeepValid && opt.Rejected != nil && len(bad) > 0 {
		if err := writeRejected(opt.Rejected, t.Header(), bad); err != nil {
			return rep, err
		}
	}
	now := db.Now()
	err = s.db.InTx(ctx, func(tx *db.Tx) error {
		for _, r := range good {
			o := r.offer
			o.UpdatedAt = now
			if o.Status != StatusOpen {
				o.ClosedAt = &now
			}
			if r.update != "" {
				o.ID = r.update
				if o.Status != StatusOpen {
					if cur, ok, err := getOffer(ctx, tx, o.ID); err == nil && ok && cur.ClosedAt != nil {
						o.ClosedAt = cur.ClosedAt
					}
				} else {
					o.ClosedAt = nil
				}
				if err := updateOffer(ctx, tx, o); err != nil {
					return err
				}
				continue
			}
			o.ID, o.CreatedBy, o.CreatedAt = db.NewID(), a.UserID, now
			if err := insertOffer(ctx, tx, o); err != nil {
				return err
			}
		}
		return audit.LogTx(ctx, tx, a, audit.Event{Action: "offer.import", ObjectType: "offer",
			Detail: fmt.Sprintf("%d créées, %d mises à jour, %d rejetées", rep.Created, rep.Updated, rep.Rejected)})
	})
	if err != nil {
		return rep, err
	}
	// The rows carry the time the import began, however long it ran.
	s.matcher.touchSince(now)
	return rep, nil
}

func (r *OfferImportReport) addError(line int, msg string) {
	if len(r.Errors) < maxReportedErrors {
		r.Errors = append(r.Errors, ImportLineErr{Line: line, Message: msg})
	}
}

// rowMessage writes a row's error in one French sentence, naming its columns.
func rowMessage(err error) string {
	fields := errs.FieldsOf(err)
	if len(fields) == 0 {
		return errs.MessageOf(err)
	}
	var parts []string
	for _, f := range []string{"siret", "employer_id", "title", "rome", "contract", "contract_months", "hours_per_week", "positions",
		"start_date", "commune_code", "site_id", "shifts", "qualifications", "description", "status", "reference", "licence", "vehicle", "in_tension"} {
		if msg, ok := fields[f]; ok {
			parts = append(parts, columnLabel(f)+" : "+msg)
		}
	}
	if len(parts) == 0 {
		for _, msg := range fields {
			parts = append(parts, msg)
		}
	}
	return strings.Join(parts, " ; ")
}

func columnLabel(field string) string {
	return map[string]string{"siret": "siret", "employer_id": "siret", "title": "intitule", "rome": "rome", "contract": "contrat",
		"contract_months": "duree_mois", "hours_per_week": "heures_semaine", "positions": "postes", "start_date": "date_debut",
		"commune_code": "commune", "site_id": "commune", "shifts": "horaires", "qualifications": "qualifications",
		"description": "description", "status": "statut", "reference": "reference", "licence": "permis", "vehicle": "vehicule",
		"in_tension": "metier_en_tension"}[field]
}

// offerColumnIndex finds each field's column; the mandatory ones must be there.
func offerColumnIndex(header []string) (map[string]int, error) {
	cols := map[string]int{}
	for i, h := range header {
		name := strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ").Replace(refdata.Fold(h))), " ")
		if f, ok := offerColumnsByName[name]; ok {
			if _, dup := cols[f]; dup {
				return nil, errs.Newf(errs.Invalid, "La colonne %q apparaît deux fois.", h)
			}
			cols[f] = i
		}
	}
	var missing []string
	for _, f := range []string{"title", "rome", "contract", "commune"} {
		if _, ok := cols[f]; !ok {
			missing = append(missing, map[string]string{"title": "intitule", "rome": "rome", "contract": "contrat", "commune": "commune"}[f])
		}
	}
	if len(missing) > 0 {
		return nil, errs.Newf(errs.Invalid, "Colonnes obligatoires absentes de l'en-tête : %s.", strings.Join(missing, ", "))
	}
	return cols, nil
}

// parseOfferRow checks one row into an offer ready to write.
func (s *Service) parseOfferRow(ctx context.Context, a access.Actor, cols map[string]int, raw []string, employers map[string]employerRow) (offerRow, error) {
	get := func(f string) string {
		if i, ok := cols[f]; ok && i < len(raw) {
			return strings.TrimSpace(raw[i])
		}
		return ""
	}
	fe := errs.FieldErrors{}
	yes := func(f string) bool {
		v := strings.ToLower(refdata.Fold(get(f)))
		switch v {
		case "", "non", "n", "0", "faux", "false", "no":
			return false
		case "oui", "o", "1", "vrai", "true", "yes", "x":
			return true
		}
		fe.Add(f, "écrivez oui ou non.")
		return false
	}
	num := func(f string) int {
		v := get(f)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return -1
		}
		return n
	}
	in := OfferInput{Reference: get("reference"), Title: get("title"), ROME: get("rome"), Contract: get("contract"),
		ContractMonths: num("contract_months"), Hours: get("hours"), Positions: num("positions"), StartDate: get("start_date"),
		CommuneCode: get("commune"), NeedsLicence: yes("licence"), NeedsVehicle: yes("vehicle"),
		Qualifications: strings.Split(get("qualifications"), "|"), Shifts: splitShifts(get("shifts")), Description: get("description"),
		InTension: yes("in_tension"), ClauseMarket: get("clause_market"), Status: get("status")}
	e, err := s.importEmployer(ctx, a, get("siret"), employers)
	if err != nil {
		for k, v := range errs.FieldsOf(err) {
			fe.Add(k, v)
		}
		if len(errs.FieldsOf(err)) == 0 {
			return offerRow{}, err
		}
	}
	var o Offer
	if e.ID != "" {
		o, err = s.checkedOffer(ctx, e, in)
		for k, v := range errs.FieldsOf(err) {
			fe.Add(k, v)
		}
		if err != nil && len(errs.FieldsOf(err)) == 0 {
			return offerRow{}, err
		}
	}
	if err := fe.Err(); err != nil {
		return offerRow{}, err
	}
	row := offerRow{offer: o}
	if o.Reference != "" {
		id, ok, err := offerByReference(ctx, s.db, o.OrgID, o.Reference)
		if err != nil {
			return offerRow{}, err
		}
		if ok {
			row.update = id
			if err := s.keepUnsaid(ctx, &row.offer, id, get("status") == ""); err != nil {
				return offerRow{}, err
			}
		}
	}
	return row, nil
}

// keepUnsaid keeps, on an offer a row rewrites, what the file does not say:
// its status when the row has none (importing the same file again must not
// reopen a filled offer), and its site when the row names the site's commune.
func (s *Service) keepUnsaid(ctx context.Context, o *Offer, id string, noStatus bool) error {
	cur, ok, err := getOffer(ctx, s.db, id)
	if err != nil || !ok {
		return err
	}
	if noStatus {
		o.Status = cur.Status
	}
	if cur.SiteID != "" && cur.CommuneCode == o.CommuneCode {
		o.SiteID, o.Lat, o.Lon = cur.SiteID, cur.Lat, cur.Lon
	}
	return nil
}

func splitShifts(s string) []string {
	return cleanList(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == '|' || r == ';' }))
}

// importEmployer finds the employer a row names by SIRET; an employer's own
// staff import their own offers and need no SIRET column.
func (s *Service) importEmployer(ctx context.Context, a access.Actor, siret string, cache map[string]employerRow) (employerRow, error) {
	if a.Has(access.RoleEmployer) && siret == "" {
		siret = "#" + a.OrgID
	}
	if e, ok := cache[siret]; ok {
		if e.ID == "" {
			return e, errs.FieldErrors{"siret": "employeur inconnu ou que vous ne gérez pas."}.Err()
		}
		return e, nil
	}
	var e employerRow
	var err error
	switch {
	case strings.HasPrefix(siret, "#"):
		e, _, err = getEmployer(ctx, s.db, strings.TrimPrefix(siret, "#"))
	case siret == "":
		return e, errs.FieldErrors{"siret": "indiquez le SIRET de l'employeur."}.Err()
	default:
		norm, verr := validate.NormalizeSIRET(siret)
		if verr != nil {
			return e, errs.FieldErrors{"siret": verr.Error()}.Err()
		}
		e, err = employerBySIRET(ctx, s.db, norm)
	}
	if err != nil {
		return e, err
	}
	if e.ID != "" && (!e.isEmployer() || !access.CanOffer(a, access.Offer{Territory: e.Territory, EmployerOrgID: e.ID}, access.Write)) {
		e = employerRow{}
	}
	cache[siret] = e
	if e.ID == "" {
		return e, errs.FieldErrors{"siret": "employeur inconnu ou que vous ne gérez pas."}.Err()
	}
	return e, nil
}

func employerBySIRET(ctx context.Context, q db.Querier, siret string) (employerRow, error) {
	var e employerRow
	err := q.QueryRowContext(ctx, `SELECT id, name, kind, territory, siret, naf FROM organisations WHERE siret = $1 AND disabled_at IS NULL`, siret).
		Scan(&e.ID, &e.Name, &e.Kind, &e.Territory, &e.SIRET, &e.NAF)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e, err
	}
	return e, nil
}

// dropDuplicateReferences rejects the rows naming an offer a former row already names.
func dropDuplicateReferences(rows []offerRow, bad [][]string, rep *OfferImportReport) ([]offerRow, [][]string) {
	seen := map[string]int{}
	var keep []offerRow
	for _, r := range rows {
		key := r.offer.OrgID + "\x00" + r.offer.Reference
		if first, dup := seen[key]; dup && r.offer.Reference != "" {
			msg := fmt.Sprintf("reference : la référence %q apparaît déjà ligne %d.", r.offer.Reference, first)
			rep.addError(r.line, msg)
			bad = append(bad, append(append([]string(nil), r.raw...), msg))
			continue
		}
		seen[key] = r.line
		keep = append(keep, r)
	}
	return keep, bad
}

// writeRejected writes the rejected rows with their error in a last column.
func writeRejected(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	if err := cw.Write(tabular.SafeCells(append(append([]string(nil), header...), "erreur"))); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(tabular.SafeCells(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
