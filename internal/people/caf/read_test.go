package caf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"golang.org/x/text/encoding/charmap"

	"tremplin/internal/people/caf/caftest"
)

func readReference(t testing.TB, name string) []byte { return caftest.Read(t, name) }

// readAll reads a flow and collects its households.
func readAll(data []byte, opts Options) (Header, Totals, []Household, error) {
	var hs []Household
	h, tot, err := opts.Read(bytes.NewReader(data), func(h Household) error {
		hs = append(hs, h)
		return nil
	})
	return h, tot, hs, err
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestReadReferenceFlows(t *testing.T) {
	tests := []struct {
		file       string
		opts       Options
		households int
		persons    int
		check      func(t *testing.T, h Header, hs []Household)
	}{
		{
			// RSABEM.xml announces 1 household in TransmissionFlux but holds 2: read by
			// default, refused with StrictTotals (see TestReadReferenceTotalsMismatch).
			file: "RSABEM.xml", households: 2, persons: 3,
			check: func(t *testing.T, h Header, hs []Household) {
				want := Header{Application: "CRI", Version: "6200", Type: "M", Nature: "D",
					CreatedOn: day("2022-03-05"), CreatedAt: "01:18:36.0000", ReferenceDate: day("2022-02-28")}
				if h != want {
					t.Errorf("header = %+v, want %+v", h, want)
				}
				first := hs[0]
				if first.Organism != (Organism{"CAF", "521", "205599000000000"}) || first.Line != 13 {
					t.Errorf("first household = %+v line %d", first.Organism, first.Line)
				}
				if first.RSA.State != "5" || first.RSA.Closure != (Closure{"PCG", day("2021-11-30")}) {
					t.Errorf("first household RSA = %+v", first.RSA)
				}
				if p := first.Persons[1]; p.LastName != "KELLER" || p.NIR != "1770393050005" || !p.RightsAndDutiesKnown || p.RightsAndDuties {
					t.Errorf("second person = %+v", p)
				}
				h2 := hs[1]
				if h2.Organism.Matricule != "208956400000000" {
					t.Errorf("matricule = %q", h2.Organism.Matricule)
				}
				p := h2.Persons[0]
				if p.Title != "MME" || p.LastName != "BULLOCK" || p.BirthName != "BULLOCK" || p.FirstName != "ETA" ||
					!p.BirthDate.Equal(day("1973-07-21")) || p.NIR != "2730799404078" || p.Sex != "2" ||
					p.RSARole != "CJT" || !p.RightsAndDuties || p.FranceTravailID != "1253359X" {
					t.Errorf("BULLOCK = %+v", p)
				}
				if len(p.Benefits) != 2 || p.Benefits[0] != (Benefit{"PFA", "CJT"}) {
					t.Errorf("benefits = %+v", p.Benefits)
				}
				if h2.RSA.State != "4" || len(h2.RSA.PaymentSuspensions) != 1 ||
					h2.RSA.PaymentSuspensions[0] != (Suspension{"06", day("2021-11-01")}) {
					t.Errorf("suspension = %+v", h2.RSA)
				}
				if h2.Partner != (Partner{"CG ", "052"}) || h2.Request != (Request{day("2018-08-06"), "01024041052"}) {
					t.Errorf("partner/request = %+v %+v", h2.Partner, h2.Request)
				}
				a := h2.Addresses[0]
				if a.Rank != "01" || a.Number != "25" || a.StreetType != "RUE" || a.StreetName != "HENRI BARBUSSE" ||
					a.INSEECode != "92044" || a.PostalCode != "92300" || a.City != "LEVALLOIS PERRET" || a.Country != "FRA" {
					t.Errorf("address = %+v", a)
				}
			},
		},
		{
			file: "RSABEM-ouvert.xml", households: 1, persons: 1,
			check: func(t *testing.T, h Header, hs []Household) {
				got := hs[0]
				if got.Organism.Matricule != "208956400000000" || got.RSA.State != "2" ||
					len(got.RSA.PaymentSuspensions) != 0 || got.RSA.Closure.Reason != "" {
					t.Errorf("household = %+v", got)
				}
				if got.RSA.Origin != "DEM" || !got.RSA.OriginDate.Equal(day("2020-11-07")) {
					t.Errorf("origin = %q %v", got.RSA.Origin, got.RSA.OriginDate)
				}
				if p := got.Persons[0]; p.LastName != "BULLOCK" || p.RSARole != "CJT" || !p.RightsAndDuties {
					t.Errorf("person = %+v", p)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			h, tot, hs, err := readAll(readReference(t, tt.file), tt.opts)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if len(hs) != tt.households || tot.Households != tt.households || tot.Persons != tt.persons {
				t.Fatalf("got %d households (totals %+v), want %d households and %d persons", len(hs), tot, tt.households, tt.persons)
			}
			tt.check(t, h, hs)
		})
	}
}

func TestReadReferenceTotalsMismatch(t *testing.T) {
	_, tot, hs, err := readAll(readReference(t, "RSABEM.xml"), Options{StrictTotals: true})
	var se *SchemaError
	if !errors.As(err, &se) || se.Element != "NBTOTDOSRSATRANSM" || se.Line != 456 {
		t.Fatalf("err = %v, want a SchemaError on NBTOTDOSRSATRANSM line 456", err)
	}
	if tot.DeclaredHouseholds != 1 || tot.Households != 2 || len(hs) != 2 {
		t.Errorf("totals = %+v", tot)
	}
}

func TestReadReferenceInvalid(t *testing.T) {
	_, _, hs, err := readAll(readReference(t, "RSABEI_invalid.xml"), Options{})
	var se *SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *SchemaError", err)
	}
	if se.Line != 134 || se.Element != "InfosFoyerRSA" || !strings.Contains(se.Msg, "DonneesAdministratives") {
		t.Errorf("err = %+v, want line 134 (</InfosFoyerRSA>), element InfosFoyerRSA, missing DonneesAdministratives", se)
	}
	if !strings.Contains(se.Error(), "ligne 134") || !strings.Contains(se.Error(), "<InfosFoyerRSA>") {
		t.Errorf("Error() = %q", se.Error())
	}
	if len(hs) != 0 {
		t.Errorf("an invalid household was delivered: %+v", hs)
	}
}

// Handmade flows: written here in UTF-8, encoded to windows-1252 before reading.

// utf8Flow builds a valid flow of n households, in UTF-8.
func utf8Flow(n int) string {
	return caftest.Text(n, "62", func(int) string { return "2800262041123" })
}

func cp1252(t testing.TB, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode to windows-1252: %v", err)
	}
	return b
}

// lineOf returns the 1-based line of the first occurrence of sub in s.
func lineOf(t *testing.T, s, sub string) int {
	t.Helper()
	i := strings.Index(s, sub)
	if i < 0 {
		t.Fatalf("%q not found in the flow", sub)
	}
	return strings.Count(s[:i], "\n") + 1
}

func TestReadHandmadeValidFlow(t *testing.T) {
	h, tot, hs, err := readAll(cp1252(t, utf8Flow(2)), Options{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if h.Type != "M" || !h.ReferenceDate.Equal(day("2025-02-28")) {
		t.Errorf("header = %+v", h)
	}
	if tot != (Totals{DeclaredHouseholds: 2, Households: 2, Persons: 4}) || len(hs) != 2 {
		t.Fatalf("totals = %+v, %d households", tot, len(hs))
	}
	if hs[0].Organism.Matricule != "620000000000000" || hs[1].Organism.Matricule != "620000000000001" {
		t.Errorf("matricules = %q, %q", hs[0].Organism.Matricule, hs[1].Organism.Matricule)
	}
	mother, child := hs[0].Persons[0], hs[0].Persons[1]
	if mother.LastName != "DUPRÉ" || mother.BirthName != "CŒUR" || mother.FirstName != "HÉLÈNE" {
		t.Errorf("windows-1252 not decoded: %q %q %q", mother.LastName, mother.BirthName, mother.FirstName)
	}
	if mother.RSARole != "DEM" || !mother.RightsAndDuties || !mother.BirthDate.Equal(day("1980-02-29")) {
		t.Errorf("mother = %+v", mother)
	}
	if child.NIR != "" || child.Title != "" || child.RSARole != "ENF" || child.RightsAndDutiesKnown {
		t.Errorf("child = %+v", child)
	}
	a := hs[0].Addresses[0]
	if a.Complement2 != "BÂTIMENT B" || a.StreetName != "DE L'ÉGLISE" || a.INSEECode != "62041" || a.Complement1 != "" {
		t.Errorf("address = %+v", a)
	}
	r := hs[0].RSA
	if !r.HouseholdRightsAndDutiesKnown || !r.HouseholdRightsAndDuties || r.NoFixedAbode {
		t.Errorf("RSA = %+v", r)
	}
}

func TestReadRejectsSchemaViolations(t *testing.T) {
	valid := utf8Flow(1)
	tests := []struct {
		name    string
		old     string // replaced (first occurrence) by new in the valid flow
		new     string
		at      string // the error is on the line of the first occurrence of at in the broken flow
		element string
		msg     string // part of the message
	}{
		{"missing required element before the next one",
			"\t\t\t\t<NOM>DUPRÉ</NOM>\n", "", "<NOMNAI>CŒUR", "NOMNAI", "<NOM> manquant"},
		{"missing required element at the end of its parent",
			"\t\t<DTREF>2025-02-28</DTREF>\n", "", "</IdentificationFlux>", "IdentificationFlux", "élément obligatoire <DTREF> manquant"},
		{"missing required block",
			"<Prestations>\n\t\t\t\t<NATPREST>PFA</NATPREST>\n\t\t\t\t<ROLEPERS>DEM</ROLEPERS>\n\t\t\t\t<TOPCHAPERS>0</TOPCHAPERS>\n\t\t\t</Prestations>\n\t\t\t",
			"", "<DossierPoleEmploi>", "DossierPoleEmploi", "<Prestations> présent 1 fois, au moins 2"},
		{"wrong order",
			"\t\t\t<Ressources>", "\t\t\t<MontantCalculDroitRSAPersonne><TOPPERSDRODEVORSA>1</TOPPERSDRODEVORSA></MontantCalculDroitRSAPersonne>\n\t\t\t<Ressources>",
			"<Ressources>", "Ressources", "élément mal placé dans <Personne> : il doit précéder <MontantCalculDroitRSAPersonne>"},
		{"unknown element",
			"<NOM>DUPRÉ</NOM>", "<NOM>DUPRÉ</NOM><SURNOM>LN</SURNOM>", "<SURNOM>", "SURNOM", "non prévu par le schéma dans <Identification>"},
		{"too many occurrences",
			"\t\t\t<DossierPoleEmploi>", "\t\t\t<Prestations><NATPREST>AL</NATPREST><ROLEPERS>DEM</ROLEPERS><TOPCHAPERS>0</TOPCHAPERS></Prestations>\n\t\t\t<DossierPoleEmploi>",
			"<NATPREST>AL", "Prestations", "trop d'occurrences dans <Personne> (2 au plus)"},
		{"text too long",
			"<NOM>DUPRÉ</NOM>", "<NOM>DUPRÉ-DE-LA-FONTAINE-AUX-LOUPS</NOM>", "<NOM>DUPRÉ-", "NOM", "texte de 30 caractères, 28 au plus"},
		{"accented text within maxLength counts characters, not bytes",
			"<NOMVOIE>DE L'ÉGLISE</NOMVOIE>", "<NOMVOIE>ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ</NOMVOIE>", "<NOMVOIE>", "NOMVOIE", "texte de 33 caractères, 32 au plus"},
		{"impossible date",
			"<DTNAI>1980-02-29</DTNAI>", "<DTNAI>1981-02-29</DTNAI>", "<DTNAI>", "DTNAI", `"1981-02-29" n'est pas une date valide`},
		{"date in French format",
			"<DTDEMRSA>2024-01-15</DTDEMRSA>", "<DTDEMRSA>15/01/2024</DTDEMRSA>", "<DTDEMRSA>", "DTDEMRSA", "AAAA-MM-JJ"},
		{"empty date",
			"<DDRATDOS>2024-01-15</DDRATDOS>", "<DDRATDOS />", "<DDRATDOS />", "DDRATDOS", `"" n'est pas une date valide`},
		{"bad time",
			"<HEUCREAFLUX>01:18:36.0000</HEUCREAFLUX>", "<HEUCREAFLUX>25:18:36</HEUCREAFLUX>", "<HEUCREAFLUX>", "HEUCREAFLUX", "heure valide"},
		{"decimal with a comma",
			"<MTNATRESSMEN>0001675.50</MTNATRESSMEN>", "<MTNATRESSMEN>1675,50</MTNATRESSMEN>", "<MTNATRESSMEN>", "MTNATRESSMEN", "n'est pas un nombre décimal"},
		{"decimal with too many fraction digits",
			"<MTNATRESSMEN>0001675.50</MTNATRESSMEN>", "<MTNATRESSMEN>1675.505</MTNATRESSMEN>", "<MTNATRESSMEN>", "MTNATRESSMEN", "plus de 2 décimales"},
		{"decimal with too many digits",
			"<MTNATRESSMEN>0001675.50</MTNATRESSMEN>", "<MTNATRESSMEN>123456789.50</MTNATRESSMEN>", "<MTNATRESSMEN>", "MTNATRESSMEN", "plus de 9 chiffres"},
		{"integer with a letter",
			"<NBHEUMENTRA>000</NBHEUMENTRA>", "<NBHEUMENTRA>0A0</NBHEUMENTRA>", "<NBHEUMENTRA>", "NBHEUMENTRA", "n'est pas un nombre entier"},
		{"integer with too many digits",
			"<MATRICULE>620000000000000</MATRICULE>", "<MATRICULE>6200000000000001</MATRICULE>", "<MATRICULE>", "MATRICULE", "plus de 15 chiffres"},
		{"bad boolean",
			"<TOPPERSDRODEVORSA>1</TOPPERSDRODEVORSA>", "<TOPPERSDRODEVORSA>O</TOPPERSDRODEVORSA>", "<TOPPERSDRODEVORSA>", "TOPPERSDRODEVORSA", "booléen"},
		{"wrong root",
			"<Racine xmlns", "<Flux xmlns", "<Flux", "Flux", "élément racine inattendu"},
		{"mismatched end tag",
			"<NUMORG>621</NUMORG>", "<NUMORG>621</NUMVOIE>", "<NUMORG>", "NUMORG", "</NUMVOIE> trouvée au lieu de </NUMORG>"},
		{"element inside a text element",
			"<NUMORG>621</NUMORG>", "<NUMORG>6<B>2</B>1</NUMORG>", "<NUMORG>", "B", "<NUMORG> ne contient que du texte"},
		{"text inside a block",
			"\t\t\t<Partenaire>\n", "\t\t\t<Partenaire>\n\t\t\t\tCG 062\n", "CG 062", "Partenaire", "texte \"CG 062\" non prévu"},
		{"attribute not in the schema",
			"<Organisme>", `<Organisme id="1">`, "<Organisme", "Organisme", "attribut \"id\" non prévu"},
		{"namespace not in the schema",
			"<Organisme>", `<Organisme xmlns="urn:x">`, "<Organisme", "Organisme", "espace de noms"},
		{"DOCTYPE",
			"<Racine", "<!DOCTYPE Racine>\n<Racine", "<!DOCTYPE", "", "déclaration <!DOCTYPE Racine> non autorisée"},
		{"undefined entity",
			"<NOMCOM>ARRAS</NOMCOM>", "<NOMCOM>ARRAS&nbsp;</NOMCOM>", "<NOMCOM>ARRAS&", "NOMCOM", "XML mal formé"},
		{"control totals",
			"<NBTOTDOSRSATRANSM>00000001", "<NBTOTDOSRSATRANSM>00000003", "<NBTOTDOSRSATRANSM>", "NBTOTDOSRSATRANSM", "annonce 3 dossier(s) RSA transmis mais en contient 1"},
		{"content after the root",
			"</Racine>\n", "</Racine>\n<Racine>", "<Racine>", "Racine", "contenu après la fin de l'élément racine"},
		{"unsupported encoding",
			`encoding="windows-1252"`, `encoding="EBCDIC"`, "<?xml", "", `encodage "EBCDIC" non pris en charge`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			broken := strings.Replace(valid, tt.old, tt.new, 1)
			if broken == valid {
				t.Fatalf("the mutation %q did not apply", tt.old)
			}
			_, _, hs, err := readAll(cp1252(t, broken), Options{StrictTotals: true})
			assertSchemaError(t, err, lineOf(t, broken, tt.at), tt.element, tt.msg)
			if len(hs) != 0 && tt.name != "control totals" && tt.name != "content after the root" {
				t.Errorf("%d households delivered before an error inside the household", len(hs))
			}
		})
	}
}

func assertSchemaError(t *testing.T, err error, line int, element, msg string) {
	t.Helper()
	var se *SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want *SchemaError", err, err)
	}
	if se.Line != line || se.Element != element || !strings.Contains(se.Msg, msg) {
		t.Errorf("got line %d element %q msg %q\nwant line %d element %q msg containing %q", se.Line, se.Element, se.Msg, line, element, msg)
	}
	if !strings.Contains(se.Error(), fmt.Sprintf("ligne %d", line)) || (element != "" && !strings.Contains(se.Error(), "<"+element+">")) {
		t.Errorf("Error() = %q does not name the line and element", se.Error())
	}
}

func TestReadRejectsBrokenFiles(t *testing.T) {
	valid := utf8Flow(2)
	cut := strings.Index(valid, "<NOMVOIE>")
	tests := []struct {
		name    string
		data    string
		line    int
		element string
		msg     string
	}{
		{"truncated inside a household", valid[:cut], strings.Count(valid[:cut], "\n") + 1, "AdresseDetailleeFrance", "fichier tronqué"},
		{"truncated inside a tag", valid[:cut+4], strings.Count(valid[:cut], "\n") + 1, "AdresseDetailleeFrance", "fichier tronqué"},
		{"not XML", "\n\nMATRICULE;NOM;PRENOM\n620000000000000;DUPRE;HELENE\n", 3, "", "ce n'est pas un fichier XML : texte \"MATRICULE;NOM;PRENOM"},
		{"not XML nor UTF-8", "MATRICULE;NOM\n620000000000000;DUPRÉ\n", 3, "", "ce n'est pas un fichier XML lisible (invalid UTF-8)"},
		{"empty file", "", 1, "", "fichier vide"},
		{"only a declaration", `<?xml version="1.0" encoding="windows-1252"?>` + "\n", 2, "", "fichier vide"},
		{"root only", "<Racine/>", 1, "Racine", "élément obligatoire <IdentificationFlux> manquant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := readAll(cp1252(t, tt.data), Options{})
			assertSchemaError(t, err, tt.line, tt.element, tt.msg)
		})
	}
}

func TestReadStreamsHouseholds(t *testing.T) {
	flow := cp1252(t, utf8Flow(3))
	end := bytes.Index(flow, []byte("</InfosFoyerRSA>")) + len("</InfosFoyerRSA>\n")
	pr, pw := io.Pipe()
	first := make(chan struct{})
	go func() {
		pw.Write(flow[:end])
		select { // the rest is written only once the first household has been delivered
		case <-first:
		case <-time.After(5 * time.Second):
		}
		pw.Write(flow[end:])
		pw.Close()
	}()
	n := 0
	_, _, err := Read(pr, func(h Household) error {
		if n == 0 {
			close(first)
		}
		n++
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("n = %d, err = %v", n, err)
	}
	select {
	case <-first:
	default:
		t.Fatal("first household not delivered")
	}
}

func TestReadPassesThroughOtherErrors(t *testing.T) {
	flow := cp1252(t, utf8Flow(2))
	stop := errors.New("stop")
	calls := 0
	_, _, err := Read(bytes.NewReader(flow), func(Household) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("callback error: err = %v after %d calls, want stop after 1", err, calls)
	}
	broken := errors.New("disk on fire")
	_, _, err = Read(io.MultiReader(bytes.NewReader(flow[:1000]), iotest.ErrReader(broken)), nil)
	if !errors.Is(err, broken) {
		t.Errorf("I/O error: err = %v, want %v", err, broken)
	}
	var se *SchemaError
	if errors.As(err, &se) {
		t.Errorf("I/O error reported as a SchemaError: %v", se)
	}
}

func TestGeneratedTablesAreConsistent(t *testing.T) {
	if schemaTypes[schemaRootType].kind != kindComplex {
		t.Fatal("root is not a complex type")
	}
	for i, td := range schemaTypes {
		for _, p := range td.children {
			if p.typ < 0 || p.typ >= len(schemaTypes) || p.min < 0 || (p.max != unbounded && p.max < p.min) {
				t.Errorf("type %d, child %+v is inconsistent", i, p)
			}
		}
	}
}

// minimalFlow is a small valid flow with only required elements: small seeds keep the
// fuzzer's minimisation of new inputs short.
const minimalFlow = `<?xml version="1.0" encoding="windows-1252"?>
<Racine><IdentificationFlux><APPLIEME>CRI</APPLIEME><NUMVERSIONAPPLIEME>6200</NUMVERSIONAPPLIEME>` +
	`<TYPEFLUX>I</TYPEFLUX><NATFLUX>D</NATFLUX><DTCREAFLUX>2025-03-05</DTCREAFLUX><HEUCREAFLUX>01:18:36</HEUCREAFLUX>` +
	`<DTREF>2025-03-05</DTREF></IdentificationFlux><InfosFoyerRSA><IdentificationRSA><Organisme><FONORG>MSA</FONORG>` +
	`<NUMORG>1</NUMORG><MATRICULE>1</MATRICULE></Organisme><Partenaire><TYPEPARTE>CG</TYPEPARTE><IDEPARTE>62</IDEPARTE>` +
	`</Partenaire><DemandeRSA><DTDEMRSA>2024-01-15</DTDEMRSA><NUMDEMRSA>1</NUMDEMRSA></DemandeRSA></IdentificationRSA>` +
	`<Personne><Identification><NOM>` + "\xc9" + `</NOM><NOMNAI/><PRENOM/><NOMCOMNAI/><DTNAI>1980-02-29</DTNAI><SEXE>1</SEXE>` +
	`</Identification><DossierCAF><TOPRESPDOS>1</TOPRESPDOS><DDRATDOS>2024-01-15</DDRATDOS></DossierCAF>` +
	`<Prestations><NATPREST>RSA</NATPREST><ROLEPERS>DEM</ROLEPERS><TOPCHAPERS>1</TOPCHAPERS></Prestations>` +
	`<Prestations><NATPREST>PFA</NATPREST><ROLEPERS>DEM</ROLEPERS><TOPCHAPERS>0</TOPCHAPERS></Prestations></Personne>` +
	`<DonneesAdministratives><SituationFamille><SITFAM>CEL</SITFAM><DDSITFAM>2010-10-27</DDSITFAM></SituationFamille>` +
	`<Adresse><TroncCommunAdresse><RGADR>01</RGADR><PAYS>FRA</PAYS><TYPEADR>D</TYPEADR><ETATADR>CO</ETATADR>` +
	`</TroncCommunAdresse></Adresse></DonneesAdministratives><PrestationRSA><SituationDossierRSA><EtatDossierRSA>` +
	`<ETATDOSRSA>2</ETATDOSRSA></EtatDossierRSA></SituationDossierRSA><DetailDroitRSA><TroncCommunDroitRSA>` +
	`<TOPSANSDOMFIXE>0</TOPSANSDOMFIXE><ORIDEMRSA>DEM</ORIDEMRSA></TroncCommunDroitRSA></DetailDroitRSA></PrestationRSA>` +
	`</InfosFoyerRSA><TransmissionFlux><NBTOTDOSRSATRANSM>1</NBTOTDOSRSATRANSM><NBTOTDOSRSATRANSMANO>0` +
	`</NBTOTDOSRSATRANSMANO></TransmissionFlux></Racine>`

func TestReadMinimalFlow(t *testing.T) {
	_, tot, hs, err := readAll([]byte(minimalFlow), Options{})
	if err != nil || tot.Households != 1 || hs[0].Persons[0].LastName != "É" {
		t.Fatalf("err = %v, totals = %+v", err, tot)
	}
}

func FuzzRead(f *testing.F) {
	f.Add([]byte(minimalFlow))
	f.Add([]byte("<Racine/>"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		_, tot, err := Read(bytes.NewReader(data), func(h Household) error {
			n++
			if h.Line <= 0 {
				t.Errorf("household without a line: %+v", h)
			}
			return nil
		})
		if err != nil {
			var se *SchemaError
			if !errors.As(err, &se) {
				t.Fatalf("error of type %T, want *SchemaError: %v", err, err)
			}
			if se.Line < 1 || se.Msg == "" {
				t.Fatalf("incomplete SchemaError %+v", se)
			}
			return
		}
		if tot.Households != n || tot.Households != tot.DeclaredHouseholds {
			t.Fatalf("accepted flow with totals %+v and %d callbacks", tot, n)
		}
	})
}

func BenchmarkRead50000Households(b *testing.B) {
	const n = 50000
	flow := cp1252(b, utf8Flow(n))
	b.SetBytes(int64(len(flow)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		got := 0
		_, _, err := Read(bytes.NewReader(flow), func(Household) error { got++; return nil })
		if err != nil || got != n {
			b.Fatalf("got %d households, err %v", got, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "households/s")
}

func TestReadKeepsMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 17 MB flow")
	}
	flow := cp1252(t, utf8Flow(5000)) // households would retain about 10 MB if kept
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var live uint64
	n := 0
	_, _, err := Read(bytes.NewReader(flow), func(Household) error {
		if n++; n%1000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			live = max(live, ms.HeapAlloc)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if live > base+1<<20 {
		t.Errorf("live heap grew by %d KB while reading, want under 1 MB", (live-base)>>10)
	}
}
