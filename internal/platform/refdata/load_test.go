package refdata

import (
	"context"
	"strings"
	"testing"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
)

// communesFrance mimics the head of data.gouv's communes-france file: ';'
// separated, a BOM, town hall and centre coordinates.
const communesFrance = "\ufeffcode_insee;nom_standard;dep_code;code_postal;codes_postaux;latitude_mairie;longitude_mairie;latitude_centre;longitude_centre\n" +
	"62041;Arras;62;62000;62000;50,2910;2,7775;50,289;2,765\n" +
	"62001;Ablain-Saint-Nazaire;62;62153;62153;;;50,395;2,708\n" +
	"62119;Béthune;62;62400;62400;50,5303;2,6408;;\n" +
	"62999;Nulle-Part;62;62999;62999;;;;\n"

func TestLoadCommunesCSVReplacesCommunes(t *testing.T) {
	seeded(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		n, err := LoadCommunesCSV(ctx, d, strings.NewReader(communesFrance))
		if err != nil || n != 4 {
			t.Fatalf("load: %d, %v", n, err)
		}
		if got := count(t, d, `SELECT count(*) FROM communes`); got != 4 {
			t.Errorf("communes = %d after replacing, want 4", got)
		}
		tests := []struct {
			code        string
			lat, lon    float64
			approximate bool
		}{
			{"62041", 50.2910, 2.7775, false}, // town hall preferred
			{"62001", 50.395, 2.708, false},   // centre when no town hall
			{"62999", (50.2910 + 50.395 + 50.5303) / 3, (2.7775 + 2.708 + 2.6408) / 3, true},
		}
		for _, tt := range tests {
			c, err := CommuneByCode(ctx, d, tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if !near(c.Lat, tt.lat) || !near(c.Lon, tt.lon) || c.Approximate != tt.approximate {
				t.Errorf("%s = %.4f,%.4f approx %v; want %.4f,%.4f approx %v", tt.code, c.Lat, c.Lon, c.Approximate, tt.lat, tt.lon, tt.approximate)
			}
		}
		if got, _ := CommunesByPostalCode(ctx, d, "62400"); len(got) != 1 || got[0].Name != "Béthune" {
			t.Errorf("postal code index not rebuilt: %v", got)
		}
	})
}

func TestLoadersRefuseMalformedFilesAndWriteNothing(t *testing.T) {
	tests := []struct {
		name, table, file, wantLine string
		load                        func(context.Context, *db.DB, *strings.Reader) (int, error)
	}{
		{"commune code", "communes", "code_insee,nom_standard,code_postal,latitude_centre,longitude_centre\n62041,Arras,62000,50.29,2.78\n620411,Bad,62000,50,2\nABCDE,Worse,62000,50,2\n", "ligne 3",
			func(ctx context.Context, d *db.DB, r *strings.Reader) (int, error) { return LoadCommunesCSV(ctx, d, r) }},
		{"commune latitude", "communes", "code_insee;nom_standard;code_postal;latitude_centre;longitude_centre\n62041;Arras;62000;50,29;2,78\n62119;Béthune;62400;north;2,64\n", "ligne 3",
			func(ctx context.Context, d *db.DB, r *strings.Reader) (int, error) { return LoadCommunesCSV(ctx, d, r) }},
		{"commune postal code", "communes", "code_insee,nom_standard,code_postal\n62041,Arras,62000\n62119,Béthune,6240A\n", "ligne 3",
			func(ctx context.Context, d *db.DB, r *strings.Reader) (int, error) { return LoadCommunesCSV(ctx, d, r) }},
		{"commune short line", "communes", "code_insee,nom_standard,code_postal\n62041,Arras,62000\n62119,Béthune\n", "ligne 3",
			func(ctx context.Context, d *db.DB, r *strings.Reader) (int, error) { return LoadCommunesCSV(ctx, d, r) }},
		{"commune quote", "communes", "code_insee,nom_standard,code_postal\n62041,Arras,62000\n62119,\"Bét\"hune,62400\n", "ligne 3",
			func(ctx context.Context, d *db.DB, r *strings.Reader) (int, error) { return LoadCommunesCSV(ctx, d, r) }},
		{"rome code", "rome_fiches", "code_rome,code_ogr,libelle_rome\nK2204,1,Nettoyage de locaux\nZ1234,2,Inconnu\n", "ligne 3",
			func(ctx context.Context, d *db.DB, r *strings.Reader) (int, error) { return LoadROMECSV(ctx, d, r) }},
		{"rome label", "rome_fiches", "code_rome;libelle_rome\nK2204;Nettoyage de locaux\nK2201;Blanchisserie industrielle\nK2202;\n", "ligne 4",
			func(ctx context.Context, d *db.DB, r *strings.Reader) (int, error) { return LoadROMECSV(ctx, d, r) }},
		{"naf code", "naf", "code,label\n81.21Z,Nettoyage courant des bâtiments\n81.2,Activités de nettoyage\n8X.21Z,Faux\n", "ligne 4",
			func(ctx context.Context, d *db.DB, r *strings.Reader) (int, error) { return LoadNAFCSV(ctx, d, r) }},
		{"naf section", "naf", "code,label,section\n81.21Z,Nettoyage courant des bâtiments,N\n43.99C,Maçonnerie,C\n", "ligne 3",
			func(ctx context.Context, d *db.DB, r *strings.Reader) (int, error) { return LoadNAFCSV(ctx, d, r) }},
	}
	seeded(t, func(t *testing.T, d *db.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := count(t, d, `SELECT count(*) FROM `+tt.table)
				_, err := tt.load(context.Background(), d, strings.NewReader(tt.file))
				if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.MessageOf(err), tt.wantLine) {
					t.Errorf("err = %v, want an invalid error naming %q", err, tt.wantLine)
				}
				if after := count(t, d, `SELECT count(*) FROM `+tt.table); after != before {
					t.Errorf("%s went from %d to %d rows: a refused file must change nothing", tt.table, before, after)
				}
			})
		}
	})
}

func TestLoadROMECSVKeepsDomainsAndReplacesFiches(t *testing.T) {
	seeded(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		file := "\ufeff\"code_rome\";\"code_ogr\";\"libelle_rome\"\n" +
			"\"K2204\";\"10001\";\"Nettoyage de locaux\"\n" +
			"\"F1703\";\"10002\";\"Maçonnerie\"\n" +
			"\"G1602\";\"10003\";\"Personnel de cuisine\"\n"
		if n, err := LoadROMECSV(ctx, d, strings.NewReader(file)); err != nil || n != 3 {
			t.Fatalf("load: %d, %v", n, err)
		}
		fiches, _ := ROMEFiches(ctx, d)
		if len(fiches) != 3 || fiches[0].Code != "F1703" || fiches[0].Domain != "F17" {
			t.Errorf("fiches = %+v", fiches)
		}
		if n := count(t, d, `SELECT count(*) FROM rome_domains WHERE parent IS NULL`); n != 14 {
			t.Errorf("grands domaines = %d after a fiche import, want 14 kept", n)
		}
	})
}

func TestLoadNAFCSV(t *testing.T) {
	seeded(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		file := "Code;Libellé\n81.21Z;Nettoyage courant des bâtiments\n4399C;Travaux de maçonnerie générale et gros œuvre de bâtiment\n"
		if n, err := LoadNAFCSV(ctx, d, strings.NewReader(file)); err != nil || n != 2 {
			t.Fatalf("load: %d, %v", n, err)
		}
		c, err := NAF(ctx, d, "43.99C")
		if err != nil || c.Section != "F" {
			t.Errorf("43.99C = %+v, %v", c, err)
		}
		if n := count(t, d, `SELECT count(*) FROM naf`); n != 2 {
			t.Errorf("naf = %d rows, want 2", n)
		}
	})
}

func near(a, b float64) bool { return a-b < 1e-6 && b-a < 1e-6 }
