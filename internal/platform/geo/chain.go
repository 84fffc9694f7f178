package geo

import (
	"context"

	"tremplin/internal/platform/errs"
)

// Chain asks its geocoders in turn until one places the address: typically
// the BAN first, then Offline when the BAN is unreachable, unsure or silent.
type Chain struct {
	geocoders []Geocoder
}

// NewChain returns a geocoder trying each of geocoders in order.
func NewChain(geocoders ...Geocoder) *Chain { return &Chain{geocoders: geocoders} }

// Geocode returns the first answer found; when none is, the last error.
func (c *Chain) Geocode(ctx context.Context, address, postalCode, communeCode string) (Result, error) {
	err := notFound()
	for _, g := range c.geocoders {
		var res Result
		res, err = g.Geocode(ctx, address, postalCode, communeCode)
		if err == nil && res.Found() {
			return res, nil
		}
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
	}
	if err == nil {
		err = notFound()
	}
	return Result{}, err
}

// GeocodeBatch asks each geocoder for the addresses the previous ones did
// not place; a geocoder failing as a whole only passes its share on. It fails
// only when the context ends or the last geocoder fails.
func (c *Chain) GeocodeBatch(ctx context.Context, queries []Query) ([]Result, error) {
	results := make([]Result, len(queries))
	missing := make([]int, len(queries))
	for i := range missing {
		missing[i] = i
	}
	var err error
	for _, g := range c.geocoders {
		if len(missing) == 0 {
			break
		}
		var found []Result
		found, err = g.GeocodeBatch(ctx, subset(queries, missing))
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			continue
		}
		missing = fill(results, missing, found)
	}
	if err != nil && !errs.Is(err, errs.NotFound) {
		return nil, err
	}
	return results, nil
}

func subset(queries []Query, indexes []int) []Query {
	out := make([]Query, len(indexes))
	for i, idx := range indexes {
		out[i] = queries[idx]
	}
	return out
}

// fill copies the found answers into results and returns the indexes still missing.
func fill(results []Result, indexes []int, found []Result) []int {
	var still []int
	for i, idx := range indexes {
		if i < len(found) && found[i].Found() {
			results[idx] = found[i]
		} else {
			still = append(still, idx)
		}
	}
	return still
}
