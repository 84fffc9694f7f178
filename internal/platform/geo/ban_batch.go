package geo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// GeocodeBatch places many addresses with the API's CSV endpoint, one
// request per BatchSize addresses not already in the cache.
func (b *BAN) GeocodeBatch(ctx context.Context, queries []Query) ([]Result, error) {
	results := make([]Result, len(queries))
	var todo []int // indexes of the queries to send
	for i, q := range queries {
		if !searchable(q.Address) {
			continue
		}
		if res, ok := b.cache.get(cacheKey(q)); ok {
			results[i] = res
			continue
		}
		todo = append(todo, i)
	}
	for start := 0; start < len(todo); start += b.batchSize {
		part := todo[start:min(start+b.batchSize, len(todo))]
		found, err := b.searchCSV(ctx, queries, part)
		if err != nil {
			return nil, err
		}
		for _, i := range part {
			results[i] = found[i] // zero when the API found nothing
			b.cache.put(cacheKey(queries[i]), found[i])
		}
	}
	return results, nil
}

// searchCSV sends the queries at the given indexes as one CSV file and
// returns the accepted answers by query index.
func (b *BAN) searchCSV(ctx context.Context, queries []Query, indexes []int) (map[int]Result, error) {
	body, contentType, err := batchRequestBody(queries, indexes)
	if err != nil {
		return nil, err
	}
	if err := b.bucket.wait(ctx); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/geocodage/search/csv", body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("BAN batch: %w", err)
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		return nil, fmt.Errorf("BAN batch: %w", err)
	}
	rows, err := parseBatchCSV(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("BAN batch: %w", err)
	}
	out := make(map[int]Result, len(rows))
	for i, r := range rows {
		out[i] = b.accept(r)
	}
	return out, nil
}

// The columns of the CSV file sent; id carries the query index back.
const (
	colID         = "id"
	colAddress    = "adresse"
	colPostalCode = "code_postal"
	colCityCode   = "code_insee"
)

// batchRequestBody builds the multipart form the CSV endpoint expects: the
// file in "data", the address column in "columns", and the columns that
// filter by postal code and commune in "postcode" and "citycode".
func batchRequestBody(queries []Query, indexes []int) (io.Reader, string, error) {
	var file bytes.Buffer
	w := csv.NewWriter(&file)
	w.Write([]string{colID, colAddress, colPostalCode, colCityCode})
	for _, i := range indexes {
		q := queries[i]
		w.Write([]string{strconv.Itoa(i), strings.TrimSpace(q.Address), strings.TrimSpace(q.PostalCode), strings.TrimSpace(q.CommuneCode)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, "", err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("data", "adresses.csv")
	if err != nil {
		return nil, "", err
	}
	part.Write(file.Bytes())
	for _, f := range [][2]string{{"columns", colAddress}, {"postcode", colPostalCode}, {"citycode", colCityCode}} {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			return nil, "", err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return &body, mw.FormDataContentType(), nil
}

// parseBatchCSV reads the CSV the endpoint returns: our columns followed by
// latitude, longitude, result_label, result_score, result_type,
// result_citycode…, and returns the rows that carry a position, by query
// index. Scores are not filtered here.
func parseBatchCSV(r io.Reader) (map[int]Result, error) {
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read CSV answer header: %w", err)
	}
	cols := map[string]int{}
	for i, h := range header {
		if _, dup := cols[h]; !dup {
			cols[h] = i
		}
	}
	for _, name := range []string{colID, "latitude", "longitude", "result_score"} {
		if _, ok := cols[name]; !ok {
			return nil, fmt.Errorf("CSV answer lacks the %s column", name)
		}
	}
	out := map[int]Result{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read CSV answer: %w", err)
		}
		if i, res, ok := batchRow(rec, cols); ok {
			out[i] = res
		}
	}
}

// batchRow reads one answer row; ok is false for a row without a position.
func batchRow(rec []string, cols map[string]int) (int, Result, bool) {
	get := func(name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	id, err := strconv.Atoi(get(colID))
	if err != nil || id < 0 {
		return 0, Result{}, false
	}
	lat, errLat := strconv.ParseFloat(get("latitude"), 64)
	lon, errLon := strconv.ParseFloat(get("longitude"), 64)
	score, errScore := strconv.ParseFloat(get("result_score"), 64)
	if errLat != nil || errLon != nil || errScore != nil {
		return 0, Result{}, false
	}
	return id, Result{
		Point:       Point{Lat: lat, Lon: lon},
		Label:       get("result_label"),
		Score:       score,
		Precision:   get("result_type"),
		CommuneCode: get("result_citycode"),
	}, true
}
