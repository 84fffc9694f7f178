package geo

import (
	"context"
	"strings"

	"tremplin/internal/platform/db"
	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/refdata"
)

// Offline places addresses at the position of their commune, found by its
// INSEE code or its postal code in the reference data: coarse, but always
// available.
type Offline struct {
	q db.Querier
}

// NewOffline returns a geocoder reading the communes of the reference data.
func NewOffline(q db.Querier) *Offline { return &Offline{q: q} }

// Scores of offline answers: commune code known, commune picked among those
// of a postal code, centre of all the communes of a postal code.
const (
	offlineScoreCommune    = 1.0
	offlineScoreByPostal   = 0.8
	offlineScorePostalArea = 0.5
)

// Geocode places the address at its commune, or returns an errs.NotFound error.
func (o *Offline) Geocode(ctx context.Context, address, postalCode, communeCode string) (Result, error) {
	if code := strings.TrimSpace(communeCode); code != "" {
		c, err := refdata.CommuneByCode(ctx, o.q, code)
		if err == nil {
			return communeResult(c, offlineScoreCommune), nil
		}
		if !errs.Is(err, errs.NotFound) {
			return Result{}, err
		}
	}
	if pc := strings.TrimSpace(postalCode); pc != "" {
		communes, err := refdata.CommunesByPostalCode(ctx, o.q, pc)
		if err != nil {
			return Result{}, err
		}
		if len(communes) > 0 {
			return pickByName(communes, address, pc), nil
		}
	}
	return Result{}, notFound()
}

// GeocodeBatch places each address at its commune; queries for the same
// commune are answered once.
func (o *Offline) GeocodeBatch(ctx context.Context, queries []Query) ([]Result, error) {
	results := make([]Result, len(queries))
	seen := map[string]Result{}
	for i, q := range queries {
		key := cacheKey(q)
		if res, ok := seen[key]; ok {
			results[i] = res
			continue
		}
		res, err := o.Geocode(ctx, q.Address, q.PostalCode, q.CommuneCode)
		if err != nil && !errs.Is(err, errs.NotFound) {
			return nil, err
		}
		seen[key], results[i] = res, res
	}
	return results, nil
}

// pickByName chooses, among the communes sharing a postal code, the one whose
// name the address mentions (the longest, so "Saint-Laurent-Blangy" beats
// "Blangy"); when none is mentioned it answers the centre of them all.
func pickByName(communes []refdata.Commune, address, postalCode string) Result {
	if len(communes) == 1 {
		return communeResult(communes[0], offlineScoreByPostal)
	}
	text := " " + refdata.Fold(address) + " "
	best := -1
	for i, c := range communes {
		name := refdata.Fold(c.Name)
		if strings.Contains(text, " "+name+" ") && (best < 0 || len(name) > len(refdata.Fold(communes[best].Name))) {
			best = i
		}
	}
	if best >= 0 {
		return communeResult(communes[best], offlineScoreByPostal)
	}
	return postalAreaResult(communes, postalCode)
}

func communeResult(c refdata.Commune, score float64) Result {
	return Result{
		Point:       Point{Lat: c.Lat, Lon: c.Lon},
		Label:       c.Name,
		Score:       score,
		Precision:   PrecisionMunicipality,
		CommuneCode: c.Code,
		Approximate: true,
	}
}

func postalAreaResult(communes []refdata.Commune, postalCode string) Result {
	var lat, lon float64
	for _, c := range communes {
		lat += c.Lat
		lon += c.Lon
	}
	n := float64(len(communes))
	return Result{
		Point:       Point{Lat: lat / n, Lon: lon / n},
		Label:       "Code postal " + postalCode,
		Score:       offlineScorePostalArea,
		Precision:   PrecisionMunicipality,
		Approximate: true,
	}
}
