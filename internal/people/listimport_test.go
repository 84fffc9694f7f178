package people_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"tremplin/internal/orgs"
	"tremplin/internal/people"
	"tremplin/internal/platform/access"
	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
	"tremplin/internal/platform/secret"
	"tremplin/internal/platform/tabular"
)

// table opens a list as a partner sends it.
func table(t *testing.T, content []byte, name string) *tabular.Table {
	t.Helper()
	tab, err := tabular.Open(bytes.NewReader(content), int64(len(content)), name)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func csvTable(t *testing.T, content string) *tabular.Table {
	t.Helper()
	return table(t, []byte(content), "liste.csv")
}

// listWorld is a Pas-de-Calais with a département, a mission locale and an
// employer, and staff of each acting directly (no accounts needed).
type listWorld struct {
	t                       *testing.T
	ctx                     context.Context
	d                       *db.DB
	box                     *secret.Box
	svc                     *people.Service
	dept, ml, employer, ft  orgs.Organisation
	manager, mlAdmin, orien access.Actor
}

func newListWorld(t *testing.T, d *db.DB) *listWorld {
	t.Helper()
	ctx := context.Background()
	if err := refdata.SeedFor(ctx, d, "62", "59", "80", "75", "92"); err != nil {
		t.Fatal(err)
	}
	box, _ := secret.NewBox(make([]byte, secret.KeySize))
	w := &listWorld{t: t, ctx: ctx, d: d, box: box, svc: people.NewService(d, box)}
	for _, o := range []*orgs.Organisation{
		{Name: "Département du Pas-de-Calais", Kind: orgs.KindDepartement, Territory: "62"},
		{Name: "Mission locale de l'Artois", Kind: orgs.KindMissionLocale, Territory: "62"},
		{Name: "Nettoyage Artois", Kind: orgs.KindEmployer, Territory: "62"},
		{Name: "France Travail Arras", Kind: orgs.KindFranceTravail, Territory: "62"},
	} {
		o.ID, o.CreatedAt = db.NewID(), db.Now()
		if err := orgs.Insert(ctx, d, *o); err != nil {
			t.Fatal(err)
		}
	}
	w.dept, w.ml, w.employer, w.ft = w.orgFor("Département du Pas-de-Calais"), w.orgFor("Mission locale de l'Artois"), w.orgFor("Nettoyage Artois"), w.orgFor("France Travail Arras")
	w.manager = w.actor("u-manager", w.dept, access.RoleManager)
	w.mlAdmin = w.actor("u-mladmin", w.ml, access.RoleOrgAdmin)
	w.orien = w.actor("u-orientation", w.dept, access.RoleOrientation)
	return w
}

func (w *listWorld) orgFor(name string) orgs.Organisation {
	var o orgs.Organisation
	err := w.d.QueryRowContext(w.ctx, `SELECT id, kind, territory FROM organisations WHERE name = $1`, name).Scan(&o.ID, &o.Kind, &o.Territory)
	if err != nil {
		w.t.Fatal(err)
	}
	return o
}

func (w *listWorld) actor(user string, o orgs.Organisation, role access.Role) access.Actor {
	return access.Actor{UserID: user, OrgID: o.ID, OrgKind: string(o.Kind), Territory: o.Territory, Roles: []access.Role{role}}
}

// existing inserts a file held by the département, as the CAF import would.
func (w *listWorld) existing(p people.Person, nir13 string) string {
	w.t.Helper()
	p.ID, p.CreatedAt, p.Territory, p.HoldingOrgID = db.NewID(), db.Now(), "62", w.dept.ID
	sealed, match := "", ""
	if nir13 != "" {
		sealed, match = w.box.Seal(nir13), w.box.Match(nir13)
	}
	if err := people.Insert(w.ctx, w.d, p, sealed, match); err != nil {
		w.t.Fatal(err)
	}
	return p.ID
}

func day(s string) *time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &d
}

func TestTheMappingIsGuessedFromTheColumnNames(t *testing.T) {
	cases := []struct {
		name   string
		header []string
		want   people.Mapping
	}{
		{"the usual names",
			[]string{"Nom", "Prénom", "Date de naissance", "N° sécurité sociale", "Matricule CAF", "Identifiant France Travail", "Code INSEE", "RQTH"},
			people.Mapping{"last_name": "Nom", "first_name": "Prénom", "birth_date": "Date de naissance", "nir": "N° sécurité sociale",
				"caf_matricule": "Matricule CAF", "ft_id": "Identifiant France Travail", "commune_code": "Code INSEE", "rqth": "RQTH"}},
		{"a mission locale's export, with longer names and the publics",
			[]string{"NOM DE NAISSANCE", "Nom d'usage", "Prénom(s)", "Né(e) le", "Adresse mail", "Adresse", "CP", "Ville", "Tél.",
				"Jeune sortant de l'ASE", "DETLD (24 mois et +)", "DELD", "Parent isolé", "Résident QPV", "Sexe"},
			people.Mapping{"birth_name": "NOM DE NAISSANCE", "last_name": "Nom d'usage", "first_name": "Prénom(s)", "birth_date": "Né(e) le",
				"email": "Adresse mail", "address": "Adresse", "postal_code": "CP", "commune": "Ville", "phone": "Tél.",
				"ase": "Jeune sortant de l'ASE", "detld": "DETLD (24 mois et +)", "deld": "DELD", "parent_isole": "Parent isolé",
				"qpv": "Résident QPV", "sex": "Sexe"}},
		{"long names found by their words",
			[]string{"Numéro de sécurité sociale (NIR)", "Date de naissance (JJ/MM/AAAA)", "N° allocataire CAF", "Code postal de résidence",
				"Téléphone portable", "Reconnaissance travailleur handicapé (RQTH)"},
			people.Mapping{"nir": "Numéro de sécurité sociale (NIR)", "birth_date": "Date de naissance (JJ/MM/AAAA)",
				"caf_matricule": "N° allocataire CAF", "postal_code": "Code postal de résidence", "phone": "Téléphone portable",
				"rqth": "Reconnaissance travailleur handicapé (RQTH)"}},
		{"columns of nothing the registry holds stay unmapped", []string{"Commentaire", "Référent", "Date d'entrée", "Base"}, people.Mapping{}},
		{"a column serves one field, the first of two alike wins", []string{"Nom", "NOM", "E-mail", "Courriel"},
			people.Mapping{"last_name": "Nom", "email": "E-mail"}},
	}
	for _, tc := range cases {
		if got := people.GuessMapping(tc.header); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.name, got, tc.want)
		}
	}
}

func TestAMappingIsGivenAsFieldEqualsColumn(t *testing.T) {
	m, err := people.ParseMapping("last_name=Nom de famille, first_name=Prénom,,email=")
	if err != nil || fmt.Sprint(m) != fmt.Sprint(people.Mapping{"last_name": "Nom de famille", "first_name": "Prénom", "email": ""}) {
		t.Fatalf("%v %v", m, err)
	}
	guess := people.Mapping{"last_name": "Nom", "email": "Courriel", "phone": "Tél."}
	if got := guess.With(m); fmt.Sprint(got) != fmt.Sprint(people.Mapping{"last_name": "Nom de famille", "first_name": "Prénom", "phone": "Tél."}) {
		t.Errorf("overriding the guess, dropping email: %v", got)
	}
	for _, bad := range []string{"nom=Nom", "last_name"} {
		if _, err := people.ParseMapping(bad); errs.FieldsOf(err)["map"] == "" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestAnIncompleteMappingIsRefusedBeforeAnyRow(t *testing.T) {
	box, _ := secret.NewBox(make([]byte, secret.KeySize))
	svc := people.NewService(nil, box) // refused before the database is used
	manager := access.Actor{UserID: "u", OrgID: "o", OrgKind: "departement", Territory: "62", Roles: []access.Role{access.RoleManager}}
	cases := []struct {
		name    string
		mapping people.Mapping
		want    map[string]string
	}{
		{"required fields unmapped", people.Mapping{"last_name": "Nom"},
			map[string]string{"first_name": "obligatoire", "birth_date": "obligatoire"}},
		{"a column the file does not have", people.Mapping{"last_name": "Nom", "first_name": "Prénom", "birth_date": "Naissance"},
			map[string]string{"birth_date": "« Naissance » n'existe pas"}},
		{"a commune by name needs the postal code", people.Mapping{"last_name": "Nom", "first_name": "Prénom", "birth_date": "Né le", "commune": "Ville"},
			map[string]string{"postal_code": "code postal est nécessaire"}},
		{"an unknown field", people.Mapping{"last_name": "Nom", "first_name": "Prénom", "birth_date": "Né le", "shoe_size": "Ville"},
			map[string]string{"shoe_size": "champ inconnu"}},
	}
	for _, tc := range cases {
		_, err := svc.ImportList(context.Background(), manager, csvTable(t, "Nom;Prénom;Né le;Ville\nMartin;Julie;17/05/1990;Arras\n"), tc.mapping, people.Options{})
		fields := errs.FieldsOf(err)
		if !errs.Is(err, errs.Invalid) || len(fields) != len(tc.want) {
			t.Errorf("%s: %v %v", tc.name, err, fields)
			continue
		}
		for f, part := range tc.want {
			if !strings.Contains(fields[f], part) {
				t.Errorf("%s: %s says %q, want %q", tc.name, f, fields[f], part)
			}
		}
	}
}

// everyMistake is a list whose rows each hold one mistake, then one valid row.
const everyMistake = `Nom;Prénom;Date de naissance;Sexe;NIR;Matricule CAF;Identifiant France Travail;Code postal;Code INSEE;Commune;Téléphone;Email;RQTH
;Julie;17/05/1990;;;;;;;;;;
Martin;J3an;17/05/1990;;;;;;;;;;
Martin;Julie;31/02/1990;;;;;;;;;;
Martin;Julie;17-05-90;;;;;;;;;;
Martin;Julie;17/05/1990;X;;;;;;;;;
Martin;Julie;17/05/1990;;290056204100199;;;;;;;;
Martin;Julie;17/05/1990;;%s;;;;;;;;
Martin;Julie;17/05/1990;;;12-34;;;;;;;
Martin;Julie;17/05/1990;;;;ABC!;;;;;;
Martin;Julie;17/05/1990;;;;;6200A;;;;;
Martin;Julie;17/05/1990;;;;;;62999;;;;
Martin;Julie;17/05/1990;;;;;62000;;Lille;;;
Martin;Julie;17/05/1990;;;;;;;;12345;;
Martin;Julie;17/05/1990;;;;;;;;;pas-un-courriel;
Martin;Julie;17/05/1990;;;;;;;;;;peut-être
Martin;Julie;17/05/2090;;;;;;;;;;
Martin;Julie;17/05/1990;F;;;;62000;62041;;06 12 34 56 78;julie@example.fr;oui
`

func TestEachInvalidValueNamesItsLineAndFieldAndNothingIsWritten(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		// A valid NIR of a man born in March 1985: not Julie's.
		content := fmt.Sprintf(everyMistake, nir(t, "1850362041123"))
		rep, err := w.svc.ImportList(w.ctx, w.manager, csvTable(t, content), nil, people.Options{})
		if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), "16 ligne(s) sur 17") {
			t.Fatalf("err %v", err)
		}
		want := []string{"2 last_name", "3 first_name", "4 birth_date", "5 birth_date", "6 sex", "7 nir", "8 nir", "9 caf_matricule",
			"10 ft_id", "11 postal_code", "12 commune_code", "13 commune", "14 phone", "15 email", "16 rqth", "17 birth_date"}
		var got []string
		for _, e := range rep.Errors {
			got = append(got, fmt.Sprintf("%d %s", e.Line, e.Field))
			if e.Message == "" {
				t.Errorf("line %d: no message", e.Line)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("errors\n got %v\nwant %v\n%+v", got, want, rep.Errors)
		}
		if rep.Rows != 17 || rep.Rejected != 16 || rep.Created != 1 {
			t.Errorf("report %+v", rep)
		}
		if n := count(t, d, "persons"); n != 0 {
			t.Fatalf("an invalid list wrote %d people", n)
		}
		if n := count(t, d, "audit_log"); n != 0 {
			t.Fatalf("an import that wrote nothing left %d audit entries", n)
		}
	})
}

func TestKeepValidWritesTheGoodRowsAndReturnsTheOthers(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		list := "Nom;Prénom;Date de naissance;Téléphone\nMartin;Julie;17/05/1990;+33 6 12 34 56 78\n=1+1;Hugo;31/02/1990;\nNowak;Sami;01/02/2001;\n"
		if _, err := w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, list), nil, people.Options{}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("all or nothing by default: %v", err)
		}
		if n := count(t, d, "persons"); n != 0 {
			t.Fatalf("%d people written", n)
		}
		rep, err := w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, list), nil, people.Options{KeepValid: true})
		if err != nil || rep.Created != 2 || rep.Rejected != 1 || rep.RejectedRows() != 1 {
			t.Fatalf("%v %+v", err, rep)
		}
		if n := count(t, d, "persons"); n != 2 {
			t.Fatalf("%d people written, want the 2 valid rows", n)
		}
		var out bytes.Buffer
		if err := rep.WriteRejected(&out); err != nil {
			t.Fatal(err)
		}
		want := "\uFEFFNom;Prénom;Date de naissance;Téléphone;erreur\r\n" +
			"'=1+1;Hugo;31/02/1990;;ligne 3 : Nom : un nom ne contient pas de chiffres / Date de naissance : cette date n'existe pas\r\n"
		if out.String() != want {
			t.Errorf("rejected rows\n got %q\nwant %q", out.String(), want)
		}
		// The corrected file of rejected rows imports again: its "erreur" column is ignored.
		fixed := strings.NewReplacer("'=1+1", "Petit", "31/02/1990", "28/02/1990").Replace(out.String())
		rep, err = w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, fixed), nil, people.Options{})
		if err != nil || rep.Created != 1 {
			t.Fatalf("the corrected rows: %v %+v", err, rep)
		}
	})
}

func TestKnownPeopleAreCompletedNeverOverwritten(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		martin := w.existing(people.Person{LastName: "Martin", FirstName: "Julie", BirthDate: day("1990-05-17"), Sex: "2",
			CAFMatricule: "1234567", Email: "julie@ancien.fr"}, "2900562041001")
		nowak := w.existing(people.Person{LastName: "Nowak", FirstName: "Sami", BirthDate: day("2001-02-01")}, "")
		durand := w.existing(people.Person{LastName: "Durand", FirstName: "Léa", BirthDate: day("1985-03-03")}, "2850362041002")
		leroy1 := w.existing(people.Person{LastName: "Leroy", FirstName: "Paul", BirthDate: day("1970-01-01")}, "")
		leroy2 := w.existing(people.Person{LastName: "Leroy", FirstName: "Paul", BirthDate: day("1970-01-01"), CAFMatricule: "7654321"}, "")
		list := "Nom;Prénom;Date de naissance;NIR;Matricule CAF;Identifiant France Travail;Téléphone;Courriel;RQTH;QPV\n" +
			"MARTIN;JULIE;17/05/1990;" + nir(t, "2900562041001") + ";;;0612345678;julie.martin@example.fr;oui;\n" +
			"Nowak;Sami;01/02/2001;" + nir(t, "1010262041003") + ";;;;;;x\n" +
			"Durand;Léa;03/03/1985;" + nir(t, "2850362041099") + ";;;;;;\n" +
			"Petit;Hugo;12/12/2000;;;;;;;\n" +
			"Leroy;Paul;01/01/1970;;7654321;1234567A;;;;\n"
		rep, err := w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, list), nil, people.Options{})
		if err != nil {
			t.Fatalf("%v %+v", err, rep)
		}
		if got := [4]int{rep.Rows, rep.Created, rep.Updated, rep.Unchanged}; got != [4]int{5, 2, 3, 0} {
			t.Errorf("rows, created, updated, unchanged: %v", got)
		}
		// The mission locale may not read the département's files: what they hold is never compared aloud.
		if len(rep.Conflicts) != 0 {
			t.Errorf("conflicts shown on files the importer may not read: %+v", rep.Conflicts)
		}
		manager := w.actor("manager", w.dept, access.RoleManager)
		asDept, err := w.svc.ImportList(w.ctx, manager, csvTable(t, list), nil, people.Options{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(asDept.Conflicts) != fmt.Sprint([]people.ListError{{Line: 2, Field: "email", Message: "le dossier existant indique une autre valeur : elle est conservée"}}) {
			t.Errorf("conflicts for the département, who may read its file: %+v", asDept.Conflicts)
		}
		sys := access.System("test")
		get := func(id string) people.Person {
			p, _, err := w.svc.Get(w.ctx, sys, id)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		m := get(martin)
		if m.Email != "julie@ancien.fr" || m.Phone != "06 12 34 56 78" || m.HoldingOrgID != w.dept.ID || m.LastName != "Martin" ||
			!slices.Equal(m.DeclaredPublics, []people.Public{people.PublicRQTH}) {
			t.Errorf("matched by NIR, completed only: %+v", m)
		}
		if !slices.Contains(people.Publics(m, time.Now()), people.PublicRQTH) {
			t.Errorf("the declared public is one of the person's publics")
		}
		if n := get(nowak); n.NIRMasked != "1 01 02 •• ••• ••• ••" || !slices.Equal(n.DeclaredPublics, []people.Public{people.PublicQPV}) {
			t.Errorf("matched by name and birth date, NIR and public added: %+v", n)
		}
		if p := get(leroy2); p.FTID != "1234567A" {
			t.Errorf("the namesake with the same matricule is the one completed: %q", p.FTID)
		}
		if p := get(leroy1); p.FTID != "" {
			t.Errorf("the other namesake is untouched: %q", p.FTID)
		}
		list2, total, err := w.svc.List(w.ctx, sys, people.Filter{Query: "durand"})
		if err != nil || total != 2 {
			t.Fatalf("a namesake with another NIR is someone else: %d files, %v", total, err)
		}
		for _, p := range list2 {
			if p.ID != durand && (p.HoldingOrgID != w.ml.ID || p.Territory != "62") {
				t.Errorf("a new file is held by the importer's organisation in its territory: %+v", p)
			}
		}
		again, err := w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, list), nil, people.Options{})
		if err != nil || again.Created != 0 || again.Updated != 0 || again.Unchanged != 5 {
			t.Fatalf("importing the list again changes nothing: %v %+v", err, again)
		}
	})
}

func TestListsOfEveryFormatImport(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		ansi, err := charmap.Windows1252.NewEncoder().String("Nom;Prénom;Né(e) le;Code postal;Ville;Parent isolé\r\n" +
			"Lefèvre;Zoé;02/03/1995;62500;St-Omer;oui\r\nŒuvray;Anaïs;1999-11-30;62110;;non\r\n")
		if err != nil {
			t.Fatal(err)
		}
		sheet := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			`<row r="1">` + inlineCells("Nom", "Prénom", "Date de naissance", "N° sécurité sociale", "Code INSEE", "ASE") + `</row>` +
			`<row r="2">` + inlineCells("Bernard", "Lina") + `<c s="1"><v>38718</v></c><c><v>2.06016204100412E+14</v></c><c><v>62041</v></c><c t="b"><v>1</v></c></row>` +
			`</sheetData></worksheet>`
		rep, err := w.svc.ImportList(w.ctx, w.orien, table(t, []byte(ansi), "export.csv"), nil, people.Options{})
		if err != nil || rep.Created != 2 {
			t.Fatalf("windows-1252 CSV: %v %+v", err, rep)
		}
		rep, err = w.svc.ImportList(w.ctx, w.orien, table(t, xlsxFile(t, sheet), "liste.xlsx"), nil, people.Options{})
		if err != nil || rep.Created != 1 {
			t.Fatalf("XLSX: %v %+v", err, rep)
		}
		var got []string
		rows, err := d.QueryContext(w.ctx, `SELECT last_name, first_name, birth_date, commune_code, declared_publics, nir_match <> '' FROM persons ORDER BY last_name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var last, first, commune, publics string
			var birth time.Time
			var hasNIR bool
			if err := rows.Scan(&last, &first, &birth, &commune, &publics, &hasNIR); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s %s %s %s [%s] %v", last, first, birth.Format(time.DateOnly), commune, publics, hasNIR))
		}
		want := []string{
			"Bernard Lina 2006-01-01 62041 [ase] true",
			"Lefèvre Zoé 1995-03-02 62765 [parent_isole] false",
			"Œuvray Anaïs 1999-11-30 62427 [] false",
		}
		if !slices.Equal(got, want) {
			t.Errorf("imported\n got %q\nwant %q", got, want)
		}
	})
}

// inlineCells writes cells holding inline strings.
func inlineCells(values ...string) string {
	var b strings.Builder
	for _, v := range values {
		b.WriteString(`<c t="inlineStr"><is><t>` + v + `</t></is></c>`)
	}
	return b.String()
}

// xlsxFile builds a workbook with one sheet whose style 1 is a date.
func xlsxFile(t *testing.T, sheet string) []byte {
	t.Helper()
	parts := map[string]string{
		"xl/workbook.xml": `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`,
		"xl/styles.xml":            `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`,
		"xl/worksheets/sheet1.xml": sheet,
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWhoMayImportAList(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		cli := access.System("cli")
		cli.OrgID = w.ml.ID
		cases := []struct {
			name  string
			actor access.Actor
			want  errs.Code
		}{
			{"a département manager", w.manager, ""},
			{"a chargé d'orientation", w.orien, ""},
			{"a mission locale's administrator", w.mlAdmin, ""},
			{"the command line, for an organisation", cli, ""},
			{"a référent", w.actor("u-ref", w.ft, access.RoleReferent), errs.Forbidden},
			{"a France Travail manager (not the département's)", w.actor("u-ftman", w.ft, access.RoleManager), errs.Forbidden},
			{"an employer's administrator", w.actor("u-emp", w.employer, access.RoleOrgAdmin), errs.Forbidden},
			{"the command line without an organisation", access.System("cli"), errs.Invalid},
			{"nobody", access.Actor{}, errs.Forbidden},
		}
		for _, tc := range cases {
			_, err := w.svc.ImportList(w.ctx, tc.actor, csvTable(t, "Nom,Prénom,Date de naissance\nMartin,Julie,17/05/1990\n"), nil, people.Options{DryRun: true})
			if errs.CodeOf(err) != tc.want {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
		cli.OrgID = w.employer.ID
		if _, err := w.svc.ImportList(w.ctx, cli, csvTable(t, "Nom,Prénom,Date de naissance\nMartin,Julie,17/05/1990\n"), nil, people.Options{}); !errs.Is(err, errs.Forbidden) {
			t.Errorf("an employer does not hold files, even from the command line: %v", err)
		}
	})
}

func TestADryRunWritesNothingAndTheImportIsAuditedWithCountsOnly(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		list := "Nom;Prénom;Date de naissance;Email\nMartin;Julie;17/05/1990;julie@example.fr\nNowak;Sami;01/02/2001;\n"
		rep, err := w.svc.ImportList(w.ctx, w.manager, csvTable(t, list), nil, people.Options{DryRun: true})
		if err != nil || !rep.DryRun || rep.Created != 2 || count(t, d, "persons") != 0 || count(t, d, "audit_log") != 0 || count(t, d, "imports") != 0 {
			t.Fatalf("dry run: %v %+v", err, rep)
		}
		if _, err := w.svc.ImportList(w.ctx, w.manager, csvTable(t, list), nil, people.Options{}); err != nil {
			t.Fatal(err)
		}
		rows, err := d.QueryContext(w.ctx, `SELECT action, detail, person_id FROM audit_log ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var actions []string
		for rows.Next() {
			var action, detail, person string
			if err := rows.Scan(&action, &detail, &person); err != nil {
				t.Fatal(err)
			}
			actions = append(actions, action)
			if strings.Contains(detail, "Martin") || strings.Contains(detail, "julie") {
				t.Errorf("%s traces personal data: %q", action, detail)
			}
			if action == "person.import_list" && detail != "lignes 2, créées 2, mises à jour 0, inchangées 0, rejetées 0" {
				t.Errorf("import trace %q", detail)
			}
			if action == "person.create" && person == "" {
				t.Errorf("a created file is traced with its person")
			}
		}
		if !slices.Equal(actions, []string{"person.import_list", "person.create", "person.create"}) {
			t.Errorf("audit trail %v", actions)
		}
	})
}

// heldBy inserts a file held by an organisation.
func (w *listWorld) heldBy(o orgs.Organisation, p people.Person) string {
	w.t.Helper()
	p.ID, p.CreatedAt, p.Territory, p.HoldingOrgID = db.NewID(), db.Now(), o.Territory, o.ID
	if err := people.Insert(w.ctx, w.d, p, "", ""); err != nil {
		w.t.Fatal(err)
	}
	return p.ID
}

func reportJSON(t *testing.T, rep people.ListReport) string {
	t.Helper()
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAReportThatWritesNothingNeverTellsWhetherSomeoneTheImporterMayNotReadIsKnown(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		// The département's file, which the mission locale may not read…
		w.existing(people.Person{LastName: "Martin", FirstName: "Julie", BirthDate: day("1990-05-17"), Phone: "06 11 11 11 11"}, "2900562041001")
		// …and the mission locale's own file, which it reads.
		w.heldBy(w.ml, people.Person{LastName: "Petit", FirstName: "Hugo", BirthDate: day("2000-12-12"), Phone: "06 22 22 22 22"})
		const head = "Nom;Prénom;Date de naissance;NIR;Téléphone;Courriel\n"
		const own = "Petit;Hugo;12/12/2000;;06 55 55 55 55;hugo@example.fr\n"
		const invalid = "Nowak;Sami;31/02/2001;;;\n"
		pairs := []struct {
			name           string
			known, unknown string
			rows           int
		}{
			{"a person known by name and birth date",
				"Martin;Julie;17/05/1990;;06 33 33 33 33;julie@example.fr\n",
				"Durand;Léa;03/03/1985;;06 33 33 33 33;lea@example.fr\n", 1},
			{"a person known by NIR under another name",
				"Martine;Julia;17/05/1990;" + nir(t, "2900562041001") + ";;\n",
				"Durand;Léa;03/03/1985;" + nir(t, "2850362041002") + ";;\n", 1},
			{"a person twice, the second row with other values",
				"Martin;Julie;17/05/1990;;06 33 33 33 33;\nMartin;Julie;17/05/1990;;06 44 44 44 44;\n",
				"Durand;Léa;03/03/1985;;06 33 33 33 33;\nDurand;Léa;03/03/1985;;06 44 44 44 44;\n", 2},
		}
		modes := []struct {
			name  string
			extra string
			opts  people.Options
			fails bool
		}{
			{"a dry run", "", people.Options{DryRun: true}, false},
			{"a dry run keeping the valid rows", invalid, people.Options{DryRun: true, KeepValid: true}, false},
			{"a list refused for one invalid row", invalid, people.Options{}, true},
		}
		for _, pair := range pairs {
			for _, mode := range modes {
				run := func(rows string) people.ListReport {
					rep, err := w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, head+own+rows+mode.extra), nil, mode.opts)
					if (err != nil) != mode.fails {
						t.Fatalf("%s, %s: %v", pair.name, mode.name, err)
					}
					return rep
				}
				known, unknown := run(pair.known), run(pair.unknown)
				if a, b := reportJSON(t, known), reportJSON(t, unknown); a != b {
					t.Errorf("%s, %s: the report tells a known person from a new one\nknown   %s\nunknown %s", pair.name, mode.name, a, b)
				}
				// The importer's own file is reported as usual, conflict included.
				want := [4]int{0, 1, 0, pair.rows}
				if got := [4]int{known.Created, known.Updated, known.Unchanged, known.CreateOrMatch}; got != want {
					t.Errorf("%s, %s: created, updated, unchanged, to create or match %v, want %v", pair.name, mode.name, got, want)
				}
				if fmt.Sprint(known.Conflicts) != fmt.Sprint([]people.ListError{{Line: 2, Field: "phone", Message: "le dossier existant indique une autre valeur : elle est conservée"}}) {
					t.Errorf("%s, %s: conflicts %+v", pair.name, mode.name, known.Conflicts)
				}
			}
		}
		if n := count(t, d, "persons"); n != 2 {
			t.Fatalf("reports that write nothing wrote %d files", n-2)
		}
		list := head + own + pairs[0].known + pairs[0].unknown
		// Whoever may read every file learns nothing it could not read: the true counts.
		asDept, err := w.svc.ImportList(w.ctx, w.manager, csvTable(t, list), nil, people.Options{DryRun: true})
		if got := [4]int{asDept.Created, asDept.Updated, asDept.Unchanged, asDept.CreateOrMatch}; err != nil || got != [4]int{1, 2, 0, 0} || len(asDept.Conflicts) != 2 {
			t.Errorf("the département's dry run: %v %v %+v", err, got, asDept.Conflicts)
		}
		// The import itself, traced in the audit log, gives the true counts, in aggregate only.
		rep, err := w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, list), nil, people.Options{})
		if got := [4]int{rep.Created, rep.Updated, rep.Unchanged, rep.CreateOrMatch}; err != nil || got != [4]int{1, 2, 0, 0} || len(rep.Conflicts) != 1 {
			t.Errorf("the import: %v %v %+v", err, got, rep.Conflicts)
		}
	})
}

func TestAListLongerThanTheLimitIsRefusedBeforeAnythingIsWritten(t *testing.T) {
	defer people.SetListLimits(3, 0, 0)()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		const three = "Nom;Prénom;Date de naissance\nMartin;Julie;17/05/1990\nPetit;Hugo;12/12/2000\nNowak;Sami;31/02/2001\n"
		rep, err := w.svc.ImportList(w.ctx, w.manager, csvTable(t, three), nil, people.Options{DryRun: true, KeepValid: true})
		if err != nil || rep.Rows != 3 || rep.Created != 2 {
			t.Fatalf("a list at the limit: %v %+v", err, rep)
		}
		cases := []struct {
			name string
			list string
			opts people.Options
		}{
			{"one row past the limit", three + "Durand;Léa;03/03/1985\n", people.Options{}},
			{"keeping the valid rows", three + "Durand;Léa;03/03/1985\n", people.Options{KeepValid: true, Rejected: &bytes.Buffer{}}},
			{"in a dry run", three + "Durand;Léa;03/03/1985\n", people.Options{DryRun: true}},
			{"an unreadable row past the limit", three + "\"Durand;Léa\n", people.Options{KeepValid: true}},
			// Were the file read before the limit is checked, its broken end would answer.
			{"a broken file past the limit", three + "Durand;Léa;03/03/1985\n" + strings.Repeat(";", tabular.MaxColumns+1) + "\n", people.Options{}},
		}
		for _, tc := range cases {
			rep, err := w.svc.ImportList(w.ctx, w.manager, csvTable(t, tc.list), nil, tc.opts)
			if !errs.Is(err, errs.Invalid) || errs.MessageOf(err) != "La liste compte plus de 3 lignes, le maximum pour un import : découpez-la en plusieurs fichiers. Rien n'a été enregistré." {
				t.Errorf("%s: %v", tc.name, err)
			}
			if len(rep.Errors) != 0 || rep.Created+rep.Updated+rep.Unchanged+rep.Rejected+rep.CreateOrMatch != 0 {
				t.Errorf("%s: the report of a refused list counts rows: %+v", tc.name, rep)
			}
			for _, table := range []string{"persons", "audit_log", "imports"} {
				if n := count(t, d, table); n != 0 {
					t.Errorf("%s: %d rows written to %s", tc.name, n, table)
				}
			}
		}
	})
}

func TestRejectedRowsStreamToTheirFileWhileTheReportKeepsAFew(t *testing.T) {
	defer people.SetListLimits(0, 2, 2)()
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		w := newListWorld(t, d)
		list := "Nom;Prénom;Date de naissance;Téléphone;Courriel\n"
		for _, name := range []string{"Aubert", "Blanc", "Colin", "Dupuis", "Evrard"} {
			list += name + ";Sami;31/02/2001;;\n"
		}
		list += "Martin;Julie;17/05/1990;06 33 33 33 33;julie@example.fr\n"
		var out bytes.Buffer
		rep, err := w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, list), nil, people.Options{KeepValid: true, Rejected: &out})
		if err != nil || rep.Created != 1 || rep.Rejected != 5 {
			t.Fatalf("%v %+v", err, rep)
		}
		var listed []string
		for _, e := range rep.Errors {
			listed = append(listed, fmt.Sprintf("%d %s", e.Line, e.Message))
		}
		if want := []string{"2 cette date n'existe pas", "3 cette date n'existe pas", "0 … et 3 autres erreurs non détaillées."}; !slices.Equal(listed, want) {
			t.Errorf("the report lists the first errors and counts the others:\n got %q\nwant %q", listed, want)
		}
		want := "\uFEFFNom;Prénom;Date de naissance;Téléphone;Courriel;erreur\r\n"
		for i, name := range []string{"Aubert", "Blanc", "Colin", "Dupuis", "Evrard"} {
			want += fmt.Sprintf("%s;Sami;31/02/2001;;;ligne %d : Date de naissance : cette date n'existe pas\r\n", name, i+2)
		}
		if out.String() != want {
			t.Errorf("every rejected row goes to the stream\n got %q\nwant %q", out.String(), want)
		}
		if rep.RejectedRows() != 0 || rep.WriteRejected(&bytes.Buffer{}) == nil {
			t.Errorf("rows streamed are not kept in the report too: %d kept", rep.RejectedRows())
		}
		kept, err := w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, list), nil, people.Options{DryRun: true, KeepValid: true})
		if err != nil || kept.RejectedRows() != 2 || kept.WriteRejected(&bytes.Buffer{}) == nil {
			t.Errorf("without a stream, the report keeps the first rows and refuses to write an incomplete file: %v %d", err, kept.RejectedRows())
		}
		var none bytes.Buffer
		if _, err := w.svc.ImportList(w.ctx, w.mlAdmin, csvTable(t, "Nom;Prénom;Date de naissance\nPetit;Hugo;12/12/2000\n"), nil,
			people.Options{KeepValid: true, Rejected: &none}); err != nil || none.Len() != 0 {
			t.Errorf("no rejected row, nothing streamed: %v %q", err, none.String())
		}
		// The conflicts, too, are listed up to the limit and counted beyond.
		w.existing(people.Person{LastName: "Leroy", FirstName: "Paul", BirthDate: day("1970-01-01"), Sex: "1", Phone: "06 11 11 11 11", Email: "paul@example.fr"}, "")
		conflicts, err := w.svc.ImportList(w.ctx, w.manager, csvTable(t, "Nom;Prénom;Date de naissance;Téléphone;Courriel;Sexe\nLeroy;Paul;01/01/1970;06 44 44 44 44;autre@example.fr;2\n"),
			nil, people.Options{DryRun: true})
		var fields []string
		for _, c := range conflicts.Conflicts {
			fields = append(fields, c.Field+" "+c.Message)
		}
		if err != nil || len(fields) != 3 || fields[2] != " … et 1 autres valeurs différentes non détaillées." {
			t.Errorf("conflicts: %v %q", err, fields)
		}
	})
}
