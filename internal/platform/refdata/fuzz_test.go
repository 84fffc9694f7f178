package refdata

import (
	"bytes"
	"strings"
	"testing"
)

// The parsers read files people upload: whatever the bytes, they must return
// data that satisfies the invariants the tables rely on, or an error.

func FuzzParseCommunesCSV(f *testing.F) {
	f.Add([]byte(communesFrance))
	f.Add([]byte("code,name,department,postal_codes,lat,lon,approximate\n62041,Arras,62,62000,50.29,2.78,false\n"))
	f.Add([]byte("#Code_commune_INSEE;Nom_commune;Code_postal;coordonnees_gps\n2A004;AJACCIO;20000;41.93,8.70\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		communes, err := ParseCommunesCSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range communes {
			if !communeCodePattern.MatchString(c.Code) || c.Name == "" || c.Department == "" {
				t.Fatalf("invalid commune accepted: %+v", c)
			}
			if c.Lat < -90 || c.Lat > 90 || c.Lon < -180 || c.Lon > 180 {
				t.Fatalf("coordinates out of range accepted: %+v", c)
			}
			for _, pc := range c.PostalCodes {
				if !postalCodePattern.MatchString(pc) {
					t.Fatalf("postal code %q accepted", pc)
				}
			}
		}
	})
}

func FuzzParseROMECSV(f *testing.F) {
	f.Add([]byte("code,label\nK,Services\nK22,Nettoyage\nK2204,Nettoyage de locaux\n"))
	f.Add([]byte("\ufeff\"code_rome\";\"code_ogr\";\"libelle_rome\"\n\"K2204\";\"1\";\"Nettoyage\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rome, err := ParseROMECSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, d := range rome.Domains {
			if !romeDomainPattern.MatchString(d.Code) || d.Label == "" || (len(d.Code) == 3) != (d.Parent != "") {
				t.Fatalf("invalid domain accepted: %+v", d)
			}
		}
		for _, f := range rome.Fiches {
			if !romeFichePattern.MatchString(f.Code) || f.Label == "" || !strings.HasPrefix(f.Code, f.Domain) {
				t.Fatalf("invalid fiche accepted: %+v", f)
			}
		}
	})
}

func FuzzParseNAFCSV(f *testing.F) {
	f.Add([]byte("code,label,section\n81.21Z,Nettoyage courant des bâtiments,N\n"))
	f.Add([]byte("Code;Libellé\n4399C;Maçonnerie\nQ;Santé\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		codes, err := ParseNAFCSV(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range codes {
			again, err := NormalizeNAF(c.Code)
			section, ok := NAFSection(c.Code)
			if err != nil || again != c.Code || !ok || section != c.Section || c.Label == "" {
				t.Fatalf("invalid NAF code accepted: %+v", c)
			}
		}
	})
}
