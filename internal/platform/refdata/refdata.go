// Package refdata holds the reference data every capability shares: French
// communes with their postal codes and coordinates, the ROME job taxonomy and
// the NAF activity codes. A snapshot is embedded in the binary and loaded
// into empty tables at start, so Tremplin works offline; the official files
// can replace it later through the Load*CSV functions.
package refdata

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"tremplin/internal/platform/db"
)

//go:embed data/*
var embedded embed.FS

// Attribution credits the sources of the embedded data, as their licences
// require (GeoNames' CC-BY 4.0 in particular): show it where the data is used.
const Attribution = "Communes et codes postaux : INSEE et La Poste (Licence Ouverte) ; " +
	"coordonnées : GeoNames (CC-BY 4.0) ; ROME : France Travail (Licence Ouverte) ; NAF : INSEE (Licence Ouverte)."

// Commune is a French commune (COG code) with where it lies.
type Commune struct {
	Code        string
	Name        string
	Department  string
	PostalCodes []string
	Lat, Lon    float64
	// Approximate is true when the coordinates are borrowed from a
	// neighbouring commune or the département centre, not the commune's own.
	Approximate bool
}

// ROMEDomain is a grand domaine (A–N, no parent) or a domaine professionnel (like F17, parent F).
type ROMEDomain struct {
	Code, Label, Parent string
}

// ROMEFiche is a ROME job sheet, like K2204 Nettoyage de locaux, in its domaine professionnel.
type ROMEFiche struct {
	Code, Label, Domain string
}

// ROME is a parsed ROME file: domains and fiches, each sorted by code.
type ROME struct {
	Domains []ROMEDomain
	Fiches  []ROMEFiche
}

// NAFCode is an activity code of the NAF rév. 2 at any level (section A to sub-class 81.21Z).
type NAFCode struct {
	Code, Label, Section string
}

// Seed loads the embedded reference data into the tables that are empty, in one transaction.
func Seed(ctx context.Context, d *db.DB) error {
	return d.InTx(ctx, func(tx *db.Tx) error { return Load(ctx, tx) })
}

// Load loads the embedded reference data into the tables that are empty; it
// is idempotent and safe to run from several instances at once.
func Load(ctx context.Context, q db.Querier) error {
	if err := loadIfEmpty(ctx, q, "communes", loadEmbeddedCommunes); err != nil {
		return err
	}
	if err := loadIfEmpty(ctx, q, "rome_fiches", loadEmbeddedROME); err != nil {
		return err
	}
	return loadIfEmpty(ctx, q, "naf", loadEmbeddedNAF)
}

func loadIfEmpty(ctx context.Context, q db.Querier, table string, load func(context.Context, db.Querier) error) error {
	var n int
	// The table name is one of ours, never user input.
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		return fmt.Errorf("count %s: %w", table, err)
	}
	if n > 0 {
		return nil
	}
	if err := load(ctx, q); err != nil {
		return fmt.Errorf("load embedded %s: %w", table, err)
	}
	return nil
}

func loadEmbeddedCommunes(ctx context.Context, q db.Querier) error {
	r, err := openEmbedded("data/communes.csv.gz")
	if err != nil {
		return err
	}
	communes, err := ParseCommunesCSV(r)
	if err != nil {
		return err
	}
	return insertCommunes(ctx, q, communes, onConflictIgnore)
}

func loadEmbeddedROME(ctx context.Context, q db.Querier) error {
	r, err := openEmbedded("data/rome.csv")
	if err != nil {
		return err
	}
	rome, err := ParseROMECSV(r)
	if err != nil {
		return err
	}
	if err := insertDomains(ctx, q, rome.Domains, onConflictIgnore); err != nil {
		return err
	}
	return insertFiches(ctx, q, rome.Fiches, onConflictIgnore)
}

func loadEmbeddedNAF(ctx context.Context, q db.Querier) error {
	r, err := openEmbedded("data/naf.csv.gz")
	if err != nil {
		return err
	}
	codes, err := ParseNAFCSV(r)
	if err != nil {
		return err
	}
	return insertNAF(ctx, q, codes, onConflictIgnore)
}

// openEmbedded returns the content of an embedded file, gunzipped when its name ends in .gz.
func openEmbedded(name string) (io.Reader, error) {
	raw, err := fs.ReadFile(embedded, name)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(name, ".gz") {
		return bytes.NewReader(raw), nil
	}
	return gzip.NewReader(bytes.NewReader(raw))
}

// SeedFor loads the embedded reference data as Seed does, but only the
// communes of the given départements: tests that need a territory load a
// fraction of the country's communes.
func SeedFor(ctx context.Context, d *db.DB, departments ...string) error {
	r, err := openEmbedded("data/communes.csv.gz")
	if err != nil {
		return err
	}
	all, err := ParseCommunesCSV(r)
	if err != nil {
		return err
	}
	var some []Commune
	for _, c := range all {
		if slices.Contains(departments, c.Department) {
			some = append(some, c)
		}
	}
	return d.InTx(ctx, func(tx *db.Tx) error {
		if err := insertCommunes(ctx, tx, some, onConflictIgnore); err != nil {
			return err
		}
		if err := loadIfEmpty(ctx, tx, "rome_fiches", loadEmbeddedROME); err != nil {
			return err
		}
		return loadIfEmpty(ctx, tx, "naf", loadEmbeddedNAF)
	})
}
