package jobs

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"tremplin/internal/platform/errs"
	"tremplin/internal/platform/geo"
	"tremplin/internal/platform/refdata"
)

// campaignINSEE matches an INSEE commune code (Corsica's start 2A or 2B) or a postal code.
var campaignINSEE = regexp.MustCompile(`^[0-9][0-9AB][0-9]{3}$`)

// campaignSpot is where a site or a candidate was placed.
type campaignSpot struct {
	code     string
	lat, lon *float64
}

// campaignCommuneHit is a commune found for what a line says, or why none was.
type campaignCommuneHit struct {
	commune refdata.Commune
	fault   string
}

// campaignPlacer places the lines of one upload or form, asking the
// reference data once per commune written.
type campaignPlacer struct {
	s        *Campaigns
	dept     string
	f        *campaignFaults
	communes map[string]campaignCommuneHit
}

func newCampaignPlacer(s *Campaigns, territory string, f *campaignFaults) *campaignPlacer {
	return &campaignPlacer{s: s, dept: territory, f: f, communes: map[string]campaignCommuneHit{}}
}

// placeAll places each line (skipped ones excepted): at its coordinates;
// else at its address, geocoded; else at its commune's centre. A line that
// cannot be placed is a fault: never (0, 0).
func (p *campaignPlacer) placeAll(ctx context.Context, lines []int, places []campaignPlace, skip []bool) ([]campaignSpot, error) {
	spots := make([]campaignSpot, len(places))
	centres := make([]*refdata.Commune, len(places))
	var queries []geo.Query
	var waiting []int
	for i, pl := range places {
		if skip[i] {
			continue
		}
		if pl.Commune != "" {
			hit, err := p.commune(ctx, pl.Commune)
			if err != nil {
				return nil, err
			}
			if hit.fault != "" {
				p.f.add(lines[i], "commune", hit.fault)
				continue
			}
			centres[i], spots[i].code = &hit.commune, hit.commune.Code
		}
		switch {
		case pl.Lat != nil && pl.Lon != nil:
			spots[i].lat, spots[i].lon = pl.Lat, pl.Lon
		case pl.Address != "":
			queries = append(queries, geo.Query{Address: pl.Address, CommuneCode: spots[i].code})
			waiting = append(waiting, i)
		case centres[i] != nil:
			spots[i].lat, spots[i].lon = campaignCentre(centres[i])
		default:
			p.f.add(lines[i], "commune", "position inconnue : indiquez la commune, l'adresse ou les coordonnées (latitude et longitude).")
		}
	}
	if len(queries) == 0 {
		return spots, nil
	}
	// A geocoder out of order leaves the addresses at their commune's centre, marked approximate.
	results, err := p.s.geocoder.GeocodeBatch(ctx, queries)
	if err != nil {
		results = make([]geo.Result, len(queries))
	}
	for j, i := range waiting {
		r := results[j]
		switch {
		case r.Found() && campaignValidPoint(r.Lat, r.Lon):
			lat, lon := r.Lat, r.Lon
			spots[i].lat, spots[i].lon = &lat, &lon
			spots[i].code = campaignOr(spots[i].code, r.CommuneCode)
		case centres[i] != nil:
			spots[i].lat, spots[i].lon = campaignCentre(centres[i])
		default:
			p.f.add(lines[i], "adresse", "adresse introuvable : ajoutez la commune ou les coordonnées.")
		}
	}
	return spots, nil
}

func campaignCentre(c *refdata.Commune) (*float64, *float64) {
	lat, lon := c.Lat, c.Lon
	return &lat, &lon
}

// campaignValidPoint reports whether a position is within range and not (0, 0).
func campaignValidPoint(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 && !(lat == 0 && lon == 0)
}

// commune finds the commune a line names: an INSEE code, a postal code
// serving one commune, or an exact name (in the campaign's département when
// several communes bear it).
func (p *campaignPlacer) commune(ctx context.Context, text string) (campaignCommuneHit, error) {
	key := strings.ToUpper(strings.TrimSpace(text))
	if hit, ok := p.communes[key]; ok {
		return hit, nil
	}
	hit, err := p.findCommune(ctx, key, text)
	if err != nil {
		return hit, err
	}
	p.communes[key] = hit
	return hit, nil
}

func (p *campaignPlacer) findCommune(ctx context.Context, code, text string) (campaignCommuneHit, error) {
	q := p.s.db
	if campaignINSEE.MatchString(code) {
		c, err := refdata.CommuneByCode(ctx, q, code)
		if err == nil {
			return campaignCommuneHit{commune: c}, nil
		}
		if !errs.Is(err, errs.NotFound) {
			return campaignCommuneHit{}, err
		}
		list, err := refdata.CommunesByPostalCode(ctx, q, code)
		switch {
		case err != nil:
			return campaignCommuneHit{}, err
		case len(list) == 1:
			return campaignCommuneHit{commune: list[0]}, nil
		case len(list) > 1:
			return campaignCommuneHit{fault: fmt.Sprintf("le code postal %s dessert %d communes : indiquez le code INSEE ou le nom de la commune.", code, len(list))}, nil
		}
		return campaignCommuneHit{fault: fmt.Sprintf("commune inconnue : %s (indiquez le code INSEE ou le nom de la commune).", code)}, nil
	}
	found, err := refdata.SearchCommunes(ctx, q, text, 50)
	if err != nil {
		return campaignCommuneHit{}, err
	}
	var exact, here []refdata.Commune
	for _, c := range found {
		if refdata.Fold(c.Name) == refdata.Fold(text) {
			exact = append(exact, c)
			if c.Department == p.dept {
				here = append(here, c)
			}
		}
	}
	switch {
	case len(exact) == 1:
		return campaignCommuneHit{commune: exact[0]}, nil
	case len(here) == 1:
		return campaignCommuneHit{commune: here[0]}, nil
	case len(exact) > 1:
		return campaignCommuneHit{fault: fmt.Sprintf("plusieurs communes s'appellent « %s » : indiquez le code INSEE.", strings.TrimSpace(text))}, nil
	}
	return campaignCommuneHit{fault: fmt.Sprintf("commune inconnue : « %s » (indiquez le code INSEE ou le nom exact de la commune).", strings.TrimSpace(text))}, nil
}
