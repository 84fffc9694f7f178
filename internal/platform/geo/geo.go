// Package geo places addresses on the map and measures distances between
// them. Addresses are geocoded by the national address base (BAN) through the
// IGN Géoplateforme API, and at commune level from the reference data when
// the API is unreachable or unsure, so Tremplin also works offline.
package geo

import (
	"context"
	"math"

	"tremplin/internal/platform/errs"
)

// Point is a WGS 84 position in decimal degrees.
type Point struct {
	Lat, Lon float64
}

// earthRadiusKm is the mean Earth radius (IUGG), which the haversine formula assumes.
const earthRadiusKm = 6371.0088

// Distance returns the great-circle distance between a and b in kilometres.
func Distance(a, b Point) float64 {
	lat1, lat2 := radians(a.Lat), radians(b.Lat)
	dLat, dLon := lat2-lat1, radians(b.Lon-a.Lon)
	h := math.Pow(math.Sin(dLat/2), 2) + math.Cos(lat1)*math.Cos(lat2)*math.Pow(math.Sin(dLon/2), 2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(h)))
}

func radians(deg float64) float64 { return deg * math.Pi / 180 }

// The precisions a result may have, from the finest; "" means not found.
const (
	PrecisionHouseNumber  = "housenumber"
	PrecisionStreet       = "street"
	PrecisionLocality     = "locality"
	PrecisionMunicipality = "municipality"
)

// Result is where an address lies, with how sure and how precise that is.
type Result struct {
	Point
	// Label is the address as the geocoder understood it.
	Label string
	// Score is the geocoder's confidence, from 0 to 1.
	Score float64
	// Precision is one of the Precision constants, "" when nothing was found.
	Precision string
	// CommuneCode is the INSEE code of the commune found.
	CommuneCode string
	// Approximate is true when the point is the commune's, not the address's.
	Approximate bool
}

// Found reports whether the result places the address somewhere.
func (r Result) Found() bool { return r.Precision != "" }

// Query is one address to geocode; the postal and commune codes narrow the search.
type Query struct {
	Address, PostalCode, CommuneCode string
}

// Geocoder turns addresses into positions.
type Geocoder interface {
	// Geocode places one address, or returns an errs.NotFound error.
	Geocode(ctx context.Context, address, postalCode, communeCode string) (Result, error)
	// GeocodeBatch places many addresses: the results follow the order of
	// the queries, those not found are zero (Found is false), and an error
	// means the whole batch failed.
	GeocodeBatch(ctx context.Context, queries []Query) ([]Result, error)
}

// notFound is the error for an address no geocoder could place.
func notFound() error { return errs.New(errs.NotFound, "Adresse introuvable.") }
