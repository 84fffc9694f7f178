package refdata

import (
	"strings"
	"testing"

	"tremplin/internal/platform/errs"
)

func TestParseCommunesCSVFormats(t *testing.T) {
	tests := []struct {
		name, file string
		want       []Commune
	}{
		{
			name: "La Poste base, one line per postal code, gps pair",
			file: "#Code_commune_INSEE;Nom_commune;Code_postal;Libellé_d_acheminement;Ligne_5;coordonnees_gps\n" +
				"01001;L ABERGEMENT CLEMENCIAT;01400;L ABERGEMENT CLEMENCIAT;;46.153,4.925\n" +
				"2A004;AJACCIO;20000;AJACCIO;;41.93,8.70\n" +
				"2A004;AJACCIO;20090;AJACCIO;;41.93,8.70\n",
			want: []Commune{
				{Code: "01001", Name: "L ABERGEMENT CLEMENCIAT", Department: "01", PostalCodes: []string{"01400"}, Lat: 46.153, Lon: 4.925},
				{Code: "2A004", Name: "AJACCIO", Department: "2A", PostalCodes: []string{"20000", "20090"}, Lat: 41.93, Lon: 8.70},
			},
		},
		{
			name: "COG-like with typecom, overseas département derived from the code",
			file: "typecom,com,libelle,latitude,longitude\nCOM,97411,Saint-Denis,-20.88,55.45\nARM,75101,Paris 1er,48.86,2.34\n",
			want: []Commune{{Code: "97411", Name: "Saint-Denis", Department: "974", Lat: -20.88, Lon: 55.45}},
		},
		{
			name: "embedded format with the approximate flag, leading zero restored",
			file: "code,name,department,postal_codes,lat,lon,approximate\n1002,L'Abergement-de-Varey,01,01640,46.0,5.4,true\n",
			want: []Commune{{Code: "01002", Name: "L'Abergement-de-Varey", Department: "01", PostalCodes: []string{"01640"}, Lat: 46.0, Lon: 5.4, Approximate: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCommunesCSV(strings.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d communes %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if !sameCommune(got[i], tt.want[i]) {
					t.Errorf("commune %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestParseCommunesCSVErrors(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"empty", "", "vide"},
		{"no code column", "nom,lat,lon\nArras,50,2\n", "colonnes introuvables"},
		{"no commune", "code_insee,nom_standard\n", "aucune commune"},
		{"empty name", "code_insee,nom_standard\n62041,\n", "ligne 2 : nom de commune vide"},
		{"latitude out of range", "code_insee,nom_standard,lat,lon\n62041,Arras,95,2\n", "ligne 2 : coordonnées"},
		{"bad approximate", "code,name,lat,lon,approximate\n62041,Arras,50,2,maybe\n", "ligne 2 : valeur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCommunesCSV(strings.NewReader(tt.file))
			if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), tt.want) {
				t.Errorf("err = %v, want invalid containing %q", err, tt.want)
			}
		})
	}
}

func TestParseROMECSV(t *testing.T) {
	file := "code_ogr\tcode_fiche\tlibelle_fiche\n" +
		"1\tk2204\tNettoyage de locaux\n" +
		"2\tK22\tNettoyage et propreté industriels\n" +
		"3\tK\tServices à la personne et à la collectivité\n" +
		"4\tK2204\tDoublon ignoré\n"
	rome, err := ParseROMECSV(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	wantDomains := []ROMEDomain{{"K", "Services à la personne et à la collectivité", ""}, {"K22", "Nettoyage et propreté industriels", "K"}}
	wantFiches := []ROMEFiche{{"K2204", "Nettoyage de locaux", "K22"}}
	if len(rome.Domains) != 2 || rome.Domains[0] != wantDomains[0] || rome.Domains[1] != wantDomains[1] {
		t.Errorf("domains = %+v, want %+v", rome.Domains, wantDomains)
	}
	if len(rome.Fiches) != 1 || rome.Fiches[0] != wantFiches[0] {
		t.Errorf("fiches = %+v, want %+v", rome.Fiches, wantFiches)
	}
	if _, err := ParseROMECSV(strings.NewReader("numero,nom\n1,x\n")); !errs.Is(err, errs.Invalid) {
		t.Errorf("file without ROME columns: err = %v", err)
	}
}

func TestNormalizeNAF(t *testing.T) {
	tests := []struct{ in, want, section string }{
		{"81.21Z", "81.21Z", "N"},
		{"8121z", "81.21Z", "N"},
		{" 81 . 21 Z ", "81.21Z", "N"},
		{"43.99C", "43.99C", "F"},
		{"4399C", "43.99C", "F"},
		{"01", "01", "A"},
		{"011", "01.1", "A"},
		{"01.11", "01.11", "A"},
		{"99.00Z", "99.00Z", "U"},
		{"97.00Z", "97.00Z", "T"},
		{"35.11Z", "35.11Z", "D"},
		{"68.20A", "68.20A", "L"},
		{"a", "A", "A"},
		{"U", "U", "U"},
		{"V", "", ""},
		{"04", "", ""},
		{"8.121Z", "", ""},
		{"81.21ZZ", "", ""},
		{"812Z", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		got, err := NormalizeNAF(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("NormalizeNAF(%q) = %q, want an error", tt.in, got)
			}
			continue
		}
		section, _ := NAFSection(got)
		if err != nil || got != tt.want || section != tt.section {
			t.Errorf("NormalizeNAF(%q) = %q (section %s), %v; want %q (section %s)", tt.in, got, section, err, tt.want, tt.section)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Saint-Étienne", "saint etienne"},
		{"  L'Haÿ-les-Roses ", "l hay les roses"},
		{"ŒUVRE", "oeuvre"},
		{"Béthune", "bethune"},
		{"#Code_commune_INSEE", "code commune insee"},
		{"--", ""},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func sameCommune(a, b Commune) bool {
	return a.Code == b.Code && a.Name == b.Name && a.Department == b.Department &&
		strings.Join(a.PostalCodes, " ") == strings.Join(b.PostalCodes, " ") &&
		near(a.Lat, b.Lat) && near(a.Lon, b.Lon) && a.Approximate == b.Approximate
}
