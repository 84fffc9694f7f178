package geo

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/dbtest"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
)

func TestOffline(t *testing.T) {
	dbtest.Engines(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if err := refdata.Seed(ctx, d); err != nil {
			t.Fatal(err)
		}
		arras, err := refdata.CommuneByCode(ctx, d, "62041")
		if err != nil {
			t.Fatal(err)
		}
		shared := communesSharingAPostalCode(t, d)
		off := NewOffline(d)
		tests := []struct {
			name                     string
			address, postal, commune string
			wantCode                 string
			wantPoint                *Point
			wantErr                  errs.Code
		}{
			{name: "by commune code", address: "1 rue Jean Jaurès", commune: "62041", wantCode: "62041",
				wantPoint: &Point{arras.Lat, arras.Lon}},
			{name: "unknown commune code falls back on the postal code", address: "12 place des Héros, Arras", commune: "99999", postal: "62000", wantCode: "62041"},
			{name: "postal code shared: the commune named in the address", address: "3 rue de l'Église " + shared[1].Name,
				postal: shared[0].PostalCodes[0], wantCode: shared[1].Code},
			{name: "postal code shared, no name: centre of the communes", address: "3 rue de l'Église",
				postal: shared[0].PostalCodes[0], wantCode: ""},
			{name: "nothing to go on", address: "3 rue de l'Église", wantErr: errs.NotFound},
			{name: "unknown postal code", postal: "00000", wantErr: errs.NotFound},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := off.Geocode(ctx, tt.address, tt.postal, tt.commune)
				if tt.wantErr != "" {
					if !errs.Is(err, tt.wantErr) {
						t.Fatalf("err = %v, want %s", err, tt.wantErr)
					}
					return
				}
				if err != nil || !got.Found() || !got.Approximate || got.Precision != PrecisionMunicipality || got.CommuneCode != tt.wantCode {
					t.Fatalf("got %+v, %v; want commune %q, approximate, municipality", got, err, tt.wantCode)
				}
				if tt.wantPoint != nil && got.Point != *tt.wantPoint {
					t.Errorf("point = %v, want %v", got.Point, *tt.wantPoint)
				}
			})
		}
		results, err := off.GeocodeBatch(ctx, []Query{{CommuneCode: "62041"}, {Address: "nowhere"}, {CommuneCode: "62041"}})
		if err != nil || !results[0].Found() || results[1].Found() || results[2] != results[0] {
			t.Errorf("batch = %+v, %v", results, err)
		}
	})
}

// communesSharingAPostalCode returns two communes of Pas-de-Calais served by one postal code.
func communesSharingAPostalCode(t *testing.T, d *db.DB) []refdata.Commune {
	t.Helper()
	var postal string
	err := d.QueryRowContext(context.Background(), `SELECT postal_code FROM commune_postal_codes
		WHERE postal_code LIKE '62%' GROUP BY postal_code HAVING count(*) >= 2 ORDER BY postal_code LIMIT 1`).Scan(&postal)
	if err != nil {
		t.Fatal(err)
	}
	communes, err := refdata.CommunesByPostalCode(context.Background(), d, postal)
	if err != nil || len(communes) < 2 {
		t.Fatalf("communes of %s: %v, %v", postal, communes, err)
	}
	return communes
}

// stubGeocoder answers from a map and counts the addresses it is asked.
type stubGeocoder struct {
	answers map[string]Result
	err     error
	asked   []string
}

func (s *stubGeocoder) Geocode(ctx context.Context, address, postalCode, communeCode string) (Result, error) {
	s.asked = append(s.asked, address)
	if s.err != nil {
		return Result{}, s.err
	}
	if r, ok := s.answers[address]; ok {
		return r, nil
	}
	return Result{}, notFound()
}

func (s *stubGeocoder) GeocodeBatch(ctx context.Context, queries []Query) ([]Result, error) {
	out := make([]Result, len(queries))
	for i, q := range queries {
		r, err := s.Geocode(ctx, q.Address, q.PostalCode, q.CommuneCode)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

var (
	precise = Result{Point: Point{50.29, 2.775}, Label: "1 Rue Jean Jaurès 62000 Arras", Score: 0.95, Precision: PrecisionHouseNumber, CommuneCode: "62041"}
	coarse  = Result{Point: Point{50.293, 2.781}, Label: "Arras", Score: 1, Precision: PrecisionMunicipality, CommuneCode: "62041", Approximate: true}
)

func TestChainFallsBack(t *testing.T) {
	tests := []struct {
		name    string
		primary *stubGeocoder
		want    Result
		wantErr errs.Code
	}{
		{"primary answers", &stubGeocoder{answers: map[string]Result{"a": precise}}, precise, ""},
		{"primary finds nothing", &stubGeocoder{}, coarse, ""},
		{"primary fails", &stubGeocoder{err: errors.New("network down")}, coarse, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fallback := &stubGeocoder{answers: map[string]Result{"a": coarse}}
			got, err := NewChain(tt.primary, fallback).Geocode(context.Background(), "a", "", "")
			if err != nil || got != tt.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	none := NewChain(&stubGeocoder{}, &stubGeocoder{})
	if _, err := none.Geocode(context.Background(), "a", "", ""); !errs.Is(err, errs.NotFound) {
		t.Errorf("nobody knows: err = %v, want not found", err)
	}
}

func TestChainFromBANToOffline(t *testing.T) {
	fake, srv := newFakeBAN(t)
	ban := newTestBAN(srv.URL, BANOptions{})
	fallback := &stubGeocoder{answers: map[string]Result{"quelque part au loin": coarse, "1 rue Jean Jaurès": coarse}}
	chain := NewChain(ban, fallback)
	ctx := context.Background()

	// A low score at the BAN falls back.
	if got, err := chain.Geocode(ctx, "quelque part au loin", "", ""); err != nil || got != coarse {
		t.Errorf("low score: %+v, %v; want the fallback's answer", got, err)
	}
	// The BAN down: every address of a batch falls back.
	fake.status = http.StatusServiceUnavailable
	got, err := chain.GeocodeBatch(ctx, []Query{{Address: "1 rue Jean Jaurès"}, {Address: "inconnue"}})
	if err != nil || got[0] != coarse || got[1].Found() {
		t.Errorf("BAN down: %+v, %v", got, err)
	}
}

func TestChainBatchAsksFallbackOnlyForTheMissing(t *testing.T) {
	primary := &stubGeocoder{answers: map[string]Result{"a": precise}}
	fallback := &stubGeocoder{answers: map[string]Result{"a": coarse, "b": coarse}}
	got, err := NewChain(primary, fallback).GeocodeBatch(context.Background(), []Query{{Address: "a"}, {Address: "b"}, {Address: "c"}})
	if err != nil || got[0] != precise || got[1] != coarse || got[2].Found() {
		t.Errorf("got %+v, %v", got, err)
	}
	if len(fallback.asked) != 2 || fallback.asked[0] != "b" || fallback.asked[1] != "c" {
		t.Errorf("fallback asked %v, want [b c]", fallback.asked)
	}
	failing := NewChain(&stubGeocoder{err: errors.New("down")}, &stubGeocoder{err: errors.New("database down")})
	if _, err := failing.GeocodeBatch(context.Background(), []Query{{Address: "a"}}); err == nil {
		t.Error("every geocoder failing: want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewChain(primary, fallback).GeocodeBatch(ctx, []Query{{Address: "a"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}
