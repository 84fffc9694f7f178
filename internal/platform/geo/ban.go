package geo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tremplin/internal/platform/errs"
)

// DefaultBANURL is the IGN Géoplateforme, which serves the BAN geocoder.
const DefaultBANURL = "https://data.geopf.fr"

// Defaults of BANOptions.
const (
	DefaultMinScore      = 0.5
	DefaultRatePerSecond = 50 // the Géoplateforme's published limit per address
	DefaultCacheSize     = 20000
	DefaultBatchSize     = 1000
)

// BANOptions configures a BAN client; zero values take the defaults.
type BANOptions struct {
	// BaseURL of the API, DefaultBANURL when empty.
	BaseURL string
	// HTTPClient used for requests; one with a 30 s timeout when nil.
	HTTPClient *http.Client
	// MinScore below which an answer is rejected as not found, so that a
	// Chain falls back; 0 means DefaultMinScore, a negative value accepts all.
	MinScore float64
	// RatePerSecond caps the requests sent, DefaultRatePerSecond when 0.
	RatePerSecond float64
	// CacheSize is the number of answers remembered, DefaultCacheSize when 0,
	// none when negative.
	CacheSize int
	// BatchSize is the number of addresses per CSV request, DefaultBatchSize when 0.
	BatchSize int
	// Now is the clock of the rate limiter, time.Now when nil.
	Now func() time.Time
}

// BAN geocodes addresses with the national address base through the IGN
// Géoplateforme API: /geocodage/search for one address, /geocodage/search/csv
// for many.
type BAN struct {
	base      string
	client    *http.Client
	minScore  float64
	batchSize int
	bucket    *tokenBucket
	cache     *resultCache
}

// NewBAN returns a BAN client.
func NewBAN(o BANOptions) *BAN {
	b := &BAN{
		base:      strings.TrimRight(o.BaseURL, "/"),
		client:    o.HTTPClient,
		minScore:  o.MinScore,
		batchSize: o.BatchSize,
	}
	if b.base == "" {
		b.base = DefaultBANURL
	}
	if b.client == nil {
		b.client = &http.Client{Timeout: 30 * time.Second}
	}
	if b.minScore == 0 {
		b.minScore = DefaultMinScore
	}
	if b.batchSize <= 0 {
		b.batchSize = DefaultBatchSize
	}
	rate := o.RatePerSecond
	if rate <= 0 {
		rate = DefaultRatePerSecond
	}
	// A burst of one spaces requests evenly, so no one-second window ever
	// holds more than the rate.
	b.bucket = newTokenBucket(rate, 1, o.Now)
	size := o.CacheSize
	if size == 0 {
		size = DefaultCacheSize
	}
	b.cache = newResultCache(size)
	return b
}

// Geocode places one address, or returns an errs.NotFound error when the BAN
// knows no match scoring at least the minimum.
func (b *BAN) Geocode(ctx context.Context, address, postalCode, communeCode string) (Result, error) {
	q := Query{Address: address, PostalCode: postalCode, CommuneCode: communeCode}
	if !searchable(q.Address) {
		return Result{}, notFound()
	}
	key := cacheKey(q)
	res, ok := b.cache.get(key)
	if !ok {
		var err error
		if res, err = b.search(ctx, q); err != nil {
			return Result{}, err
		}
		b.cache.put(key, res)
	}
	if !res.Found() {
		return Result{}, notFound()
	}
	return res, nil
}

// searchable reports whether the API accepts the text as a query: it wants
// 3 to 200 characters starting with a letter or a digit.
func searchable(address string) bool {
	a := strings.TrimSpace(address)
	if len(a) < 3 || len(a) > 200 {
		return false
	}
	c := a[0]
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// search asks the API for the best match of q; a zero Result means none.
func (b *BAN) search(ctx context.Context, q Query) (Result, error) {
	params := url.Values{"q": {strings.TrimSpace(q.Address)}, "limit": {"1"}}
	if q.PostalCode != "" {
		params.Set("postcode", strings.TrimSpace(q.PostalCode))
	}
	if q.CommuneCode != "" {
		params.Set("citycode", strings.TrimSpace(q.CommuneCode))
	}
	if err := b.bucket.wait(ctx); err != nil {
		return Result{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/geocodage/search?"+params.Encode(), nil)
	if err != nil {
		return Result{}, err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("BAN search: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusBadRequest {
		return Result{}, nil // the API refuses the text itself: nothing to find
	}
	if err := checkStatus(resp); err != nil {
		return Result{}, fmt.Errorf("BAN search: %w", err)
	}
	return b.parseSearch(io.LimitReader(resp.Body, 1<<20))
}

func checkStatus(resp *http.Response) error {
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	err := fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(snippet)))
	if resp.StatusCode == http.StatusTooManyRequests {
		return errs.Wrap(errs.TooManyRequests, "Le service de géocodage est saturé, réessayez plus tard.", err)
	}
	return err
}

// featureCollection is the part of the API's GeoJSON answer we read.
type featureCollection struct {
	Features []struct {
		Geometry struct {
			Coordinates []float64 `json:"coordinates"` // lon, lat
		} `json:"geometry"`
		Properties struct {
			Label    string  `json:"label"`
			Score    float64 `json:"score"`
			Type     string  `json:"type"`
			CityCode string  `json:"citycode"`
		} `json:"properties"`
	} `json:"features"`
}

func (b *BAN) parseSearch(r io.Reader) (Result, error) {
	var fc featureCollection
	if err := json.NewDecoder(r).Decode(&fc); err != nil {
		return Result{}, fmt.Errorf("BAN search: decode answer: %w", err)
	}
	if len(fc.Features) == 0 || len(fc.Features[0].Geometry.Coordinates) < 2 {
		return Result{}, nil
	}
	f := fc.Features[0]
	return b.accept(Result{
		Point:       Point{Lat: f.Geometry.Coordinates[1], Lon: f.Geometry.Coordinates[0]},
		Label:       f.Properties.Label,
		Score:       f.Properties.Score,
		Precision:   f.Properties.Type,
		CommuneCode: f.Properties.CityCode,
	}), nil
}

// accept returns r if it is a usable answer, else the zero Result: a score
// under the minimum, an unknown type or impossible coordinates mean "not found".
func (b *BAN) accept(r Result) Result {
	if !(r.Score >= b.minScore) || !validPoint(r.Point) { // written so that NaN fails
		return Result{}
	}
	switch r.Precision {
	case PrecisionHouseNumber, PrecisionStreet, PrecisionLocality:
	case PrecisionMunicipality:
		r.Approximate = true
	default:
		return Result{}
	}
	return r
}

func validPoint(p Point) bool {
	return p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180 && !(p.Lat == 0 && p.Lon == 0)
}
