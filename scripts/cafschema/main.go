// Command cafschema turns the CAF/MSA "flux RSA bénéficiaires" XML schema
// (vrsb0801.xsd) into the Go validation tables of internal/people/caf.
//
// Usage:
//
//	go run ./scripts/cafschema [-root Racine] [-o schema_gen.go] PATH/TO/vrsb0801.xsd
//
// Without -o the Go source is written to standard output. The output only
// depends on the content of the schema, so running it twice gives the same
// file. Only the subset of XML Schema used by vrsb0801.xsd is understood:
// global and local xsd:element (name or ref, type, minOccurs, maxOccurs
// including "unbounded"), complex types (inline or named) made of one
// xsd:sequence of elements, simple types (inline or named) restricting
// xsd:string, xsd:decimal or xsd:integer with the facets maxLength,
// totalDigits and fractionDigits, and the built-in types xsd:string,
// xsd:decimal, xsd:integer, xsd:date, xsd:time and xsd:boolean. Anything
// else (attributes, choice, all, groups, other facets…) stops the generator
// with an error rather than being silently ignored.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/xml"
	"flag"
	"fmt"
	"go/format"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

const xsdNS = "http://www.w3.org/2001/XMLSchema"

type anyNode struct {
	XMLName xml.Name
}

type xsdSchema struct {
	Elements     []*xsdElement `xml:"http://www.w3.org/2001/XMLSchema element"`
	ComplexTypes []*xsdComplex `xml:"http://www.w3.org/2001/XMLSchema complexType"`
	SimpleTypes  []*xsdSimple  `xml:"http://www.w3.org/2001/XMLSchema simpleType"`
	Annotations  []anyNode     `xml:"http://www.w3.org/2001/XMLSchema annotation"`
	Other        []anyNode     `xml:",any"`
	Attrs        []xml.Attr    `xml:",any,attr"`
}

type xsdElement struct {
	Name        string      `xml:"name,attr"`
	Ref         string      `xml:"ref,attr"`
	Type        string      `xml:"type,attr"`
	MinOccurs   string      `xml:"minOccurs,attr"`
	MaxOccurs   string      `xml:"maxOccurs,attr"`
	Complex     *xsdComplex `xml:"http://www.w3.org/2001/XMLSchema complexType"`
	Simple      *xsdSimple  `xml:"http://www.w3.org/2001/XMLSchema simpleType"`
	Annotations []anyNode   `xml:"http://www.w3.org/2001/XMLSchema annotation"`
	Other       []anyNode   `xml:",any"`
	Attrs       []xml.Attr  `xml:",any,attr"`
}

type xsdComplex struct {
	Name        string       `xml:"name,attr"`
	Sequence    *xsdSequence `xml:"http://www.w3.org/2001/XMLSchema sequence"`
	Annotations []anyNode    `xml:"http://www.w3.org/2001/XMLSchema annotation"`
	Other       []anyNode    `xml:",any"`
	Attrs       []xml.Attr   `xml:",any,attr"`
}

type xsdSequence struct {
	Elements []*xsdElement `xml:"http://www.w3.org/2001/XMLSchema element"`
	Other    []anyNode     `xml:",any"`
	Attrs    []xml.Attr    `xml:",any,attr"`
}

type xsdSimple struct {
	Name        string          `xml:"name,attr"`
	Restriction *xsdRestriction `xml:"http://www.w3.org/2001/XMLSchema restriction"`
	Annotations []anyNode       `xml:"http://www.w3.org/2001/XMLSchema annotation"`
	Other       []anyNode       `xml:",any"`
	Attrs       []xml.Attr      `xml:",any,attr"`
}

type xsdFacet struct {
	Value string `xml:"value,attr"`
}

type xsdRestriction struct {
	Base           string     `xml:"base,attr"`
	MaxLength      *xsdFacet  `xml:"http://www.w3.org/2001/XMLSchema maxLength"`
	TotalDigits    *xsdFacet  `xml:"http://www.w3.org/2001/XMLSchema totalDigits"`
	FractionDigits *xsdFacet  `xml:"http://www.w3.org/2001/XMLSchema fractionDigits"`
	Other          []anyNode  `xml:",any"`
	Attrs          []xml.Attr `xml:",any,attr"`
}

// typeDef mirrors the typeDef of package caf.
type typeDef struct {
	comment        string
	kind           string
	maxLength      int
	totalDigits    int
	fractionDigits int
	children       []particle
}

type particle struct {
	name     string
	typ      int
	min, max int
}

type generator struct {
	schema   *xsdSchema
	globals  map[string]*xsdElement
	complex  map[string]*xsdComplex
	simple   map[string]*xsdSimple
	types    []*typeDef
	byGlobal map[string]int // global element name -> type index
	bySimple map[string]int // simple type signature -> type index
}

func main() {
	root := flag.String("root", "Racine", "name of the document root element")
	out := flag.String("o", "", "output file (default: standard output)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: cafschema [-root Racine] [-o file.go] vrsb0801.xsd")
		os.Exit(2)
	}
	src, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	code, err := generate(src, filepath.Base(flag.Arg(0)), *root)
	if err != nil {
		fail(err)
	}
	if *out == "" {
		_, err = os.Stdout.Write(code)
	} else {
		err = os.WriteFile(*out, code, 0o644)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cafschema:", err)
	os.Exit(1)
}

func generate(src []byte, srcName, root string) ([]byte, error) {
	var s xsdSchema
	dec := xml.NewDecoder(bytes.NewReader(src))
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("unsupported schema encoding %q", label)
	}
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse schema: %w", err)
	}
	if err := unsupported("xsd:schema", s.Other, nil); err != nil {
		return nil, err
	}
	g := &generator{
		schema:   &s,
		globals:  map[string]*xsdElement{},
		complex:  map[string]*xsdComplex{},
		simple:   map[string]*xsdSimple{},
		byGlobal: map[string]int{},
		bySimple: map[string]int{},
	}
	for _, e := range s.Elements {
		if e.Name == "" {
			return nil, fmt.Errorf("global element without a name")
		}
		if _, dup := g.globals[e.Name]; dup {
			return nil, fmt.Errorf("duplicate global element %q", e.Name)
		}
		g.globals[e.Name] = e
	}
	for _, c := range s.ComplexTypes {
		g.complex[c.Name] = c
	}
	for _, t := range s.SimpleTypes {
		g.simple[t.Name] = t
	}
	if _, ok := g.globals[root]; !ok {
		return nil, fmt.Errorf("root element %q is not a global element of the schema", root)
	}
	if _, err := g.global(root); err != nil {
		return nil, err
	}
	return g.emit(src, srcName, root)
}

func unsupported(where string, other []anyNode, attrs []xml.Attr, allowed ...string) error {
	for _, o := range other {
		if o.XMLName.Space == xsdNS && o.XMLName.Local == "annotation" {
			continue
		}
		return fmt.Errorf("%s: unsupported construct <%s>", where, o.XMLName.Local)
	}
	for _, a := range attrs {
		ok := false
		for _, name := range allowed {
			if a.Name.Space == "" && a.Name.Local == name {
				ok = true
			}
		}
		if !ok && a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
			return fmt.Errorf("%s: unsupported attribute %q", where, a.Name.Local)
		}
	}
	return nil
}

// global returns the type index of a global element, building it on first use.
func (g *generator) global(name string) (int, error) {
	if i, ok := g.byGlobal[name]; ok {
		return i, nil
	}
	e, ok := g.globals[name]
	if !ok {
		return 0, fmt.Errorf("reference to unknown element %q", name)
	}
	if e.Complex != nil || (e.Type != "" && g.complex[localName(e.Type)] != nil) {
		// Reserve the index first so that recursive references terminate.
		i := len(g.types)
		g.byGlobal[name] = i
		g.types = append(g.types, &typeDef{comment: name})
		t, err := g.elementType(e, name)
		if err != nil {
			return 0, err
		}
		g.types[i] = t
		return i, nil
	}
	i, err := g.elementTypeIndex(e, name)
	if err != nil {
		return 0, err
	}
	g.byGlobal[name] = i
	return i, nil
}

// elementTypeIndex returns the type index of a (local or global) element
// declaration, sharing identical simple types.
func (g *generator) elementTypeIndex(e *xsdElement, path string) (int, error) {
	t, err := g.elementType(e, path)
	if err != nil {
		return 0, err
	}
	if t.kind != "kindComplex" {
		sig := fmt.Sprintf("%s/%d/%d/%d", t.kind, t.maxLength, t.totalDigits, t.fractionDigits)
		if i, ok := g.bySimple[sig]; ok {
			return i, nil
		}
		t.comment = simpleComment(t)
		g.bySimple[sig] = len(g.types)
	}
	g.types = append(g.types, t)
	return len(g.types) - 1, nil
}

func simpleComment(t *typeDef) string {
	s := strings.TrimPrefix(t.kind, "kind")
	if t.maxLength > 0 {
		s += fmt.Sprintf(" maxLength=%d", t.maxLength)
	}
	if t.totalDigits > 0 {
		s += fmt.Sprintf(" totalDigits=%d", t.totalDigits)
	}
	if t.fractionDigits > 0 {
		s += fmt.Sprintf(" fractionDigits=%d", t.fractionDigits)
	}
	return s
}

func (g *generator) elementType(e *xsdElement, path string) (*typeDef, error) {
	if err := unsupported("element "+path, e.Other, e.Attrs, "name", "ref", "type", "minOccurs", "maxOccurs"); err != nil {
		return nil, err
	}
	n := 0
	for _, b := range []bool{e.Complex != nil, e.Simple != nil, e.Type != ""} {
		if b {
			n++
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("element %s: more than one type definition", path)
	}
	switch {
	case e.Complex != nil:
		return g.complexType(e.Complex, path)
	case e.Simple != nil:
		return g.simpleType(e.Simple, path)
	case e.Type != "":
		if c := g.complex[localName(e.Type)]; c != nil && !isXSD(e.Type) {
			return g.complexType(c, path)
		}
		if s := g.simple[localName(e.Type)]; s != nil && !isXSD(e.Type) {
			return g.simpleType(s, path)
		}
		k, err := builtin(e.Type)
		if err != nil {
			return nil, fmt.Errorf("element %s: %w", path, err)
		}
		return &typeDef{kind: k}, nil
	default:
		// No type at all means xsd:anyType, which this subset does not model.
		return nil, fmt.Errorf("element %s has no type", path)
	}
}

func (g *generator) complexType(c *xsdComplex, path string) (*typeDef, error) {
	if err := unsupported("complexType of "+path, c.Other, c.Attrs, "name"); err != nil {
		return nil, err
	}
	t := &typeDef{comment: path, kind: "kindComplex"}
	if c.Sequence == nil {
		return t, nil // empty content
	}
	if err := unsupported("sequence of "+path, c.Sequence.Other, c.Sequence.Attrs); err != nil {
		return nil, err
	}
	for _, child := range c.Sequence.Elements {
		p := particle{min: 1, max: 1}
		var err error
		if p.min, err = occurs(child.MinOccurs, 1); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if p.max, err = occurs(child.MaxOccurs, 1); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if p.max >= 0 && p.max < p.min {
			return nil, fmt.Errorf("%s: maxOccurs below minOccurs", path)
		}
		switch {
		case child.Ref != "" && child.Name == "":
			if child.Type != "" || child.Complex != nil || child.Simple != nil {
				return nil, fmt.Errorf("%s: element ref %q with a type", path, child.Ref)
			}
			p.name = localName(child.Ref)
			p.typ, err = g.global(p.name)
		case child.Name != "" && child.Ref == "":
			p.name = child.Name
			p.typ, err = g.elementTypeIndex(child, path+"/"+child.Name)
		default:
			err = fmt.Errorf("%s: element needs exactly one of name and ref", path)
		}
		if err != nil {
			return nil, err
		}
		for _, q := range t.children {
			if q.name == p.name {
				return nil, fmt.Errorf("%s: child %q declared twice in the sequence", path, p.name)
			}
		}
		t.children = append(t.children, p)
	}
	return t, nil
}

func (g *generator) simpleType(s *xsdSimple, path string) (*typeDef, error) {
	if err := unsupported("simpleType of "+path, s.Other, s.Attrs, "name"); err != nil {
		return nil, err
	}
	r := s.Restriction
	if r == nil {
		return nil, fmt.Errorf("%s: simple type without restriction", path)
	}
	if err := unsupported("restriction of "+path, r.Other, r.Attrs, "base"); err != nil {
		return nil, err
	}
	k, err := builtin(r.Base)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t := &typeDef{kind: k}
	facet := func(f *xsdFacet, name string, allowed ...string) (int, error) {
		if f == nil {
			return 0, nil
		}
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			return 0, fmt.Errorf("%s: facet %s not supported on %s", path, name, r.Base)
		}
		v, err := strconv.Atoi(strings.TrimSpace(f.Value))
		if err != nil || v <= 0 {
			// Zero is refused: the tables use 0 for "no facet".
			return 0, fmt.Errorf("%s: unsupported %s value %q", path, name, f.Value)
		}
		return v, nil
	}
	if t.maxLength, err = facet(r.MaxLength, "maxLength", "kindString"); err != nil {
		return nil, err
	}
	if t.totalDigits, err = facet(r.TotalDigits, "totalDigits", "kindDecimal", "kindInteger"); err != nil {
		return nil, err
	}
	if t.fractionDigits, err = facet(r.FractionDigits, "fractionDigits", "kindDecimal"); err != nil {
		return nil, err
	}
	return t, nil
}

func occurs(s string, def int) (int, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "":
		return def, nil
	case "unbounded":
		return -1, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad occurrence value %q", s)
	}
	return v, nil
}

func isXSD(qname string) bool {
	return strings.HasPrefix(qname, "xsd:") || strings.HasPrefix(qname, "xs:")
}

func localName(qname string) string {
	if i := strings.IndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

func builtin(qname string) (string, error) {
	if !isXSD(qname) {
		return "", fmt.Errorf("unknown type %q", qname)
	}
	switch localName(qname) {
	case "string":
		return "kindString", nil
	case "decimal":
		return "kindDecimal", nil
	case "integer":
		return "kindInteger", nil
	case "date":
		return "kindDate", nil
	case "time":
		return "kindTime", nil
	case "boolean":
		return "kindBoolean", nil
	}
	return "", fmt.Errorf("unsupported built-in type %q", qname)
}

func (g *generator) emit(src []byte, srcName, root string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by scripts/cafschema from %s; DO NOT EDIT.\n", srcName)
	fmt.Fprintf(&b, "//\n// Regenerate with `go generate ./internal/people/caf/`, which runs\n")
	fmt.Fprintf(&b, "// go run ../../../scripts/cafschema -o schema_gen.go ../../../../shared/reference/caf/%s\n", srcName)
	fmt.Fprintf(&b, "// Source SHA-256: %x\n\n", sha256.Sum256(src))
	b.WriteString("package caf\n\n")
	fmt.Fprintf(&b, "// schemaRoot is the name of the document element.\nconst schemaRoot = %q\n\n", root)
	fmt.Fprintf(&b, "// schemaRootType is the index in schemaTypes of the document element's type.\nconst schemaRootType = %d\n\n", g.byGlobal[root])
	fmt.Fprintf(&b, "// schemaSHA256 is the SHA-256 of the schema the tables were generated from.\nconst schemaSHA256 = \"%x\"\n\n", sha256.Sum256(src))
	b.WriteString("// schemaTypes holds one entry per complex type and per distinct simple type.\n")
	b.WriteString("var schemaTypes = [...]typeDef{\n")
	for i, t := range g.types {
		fmt.Fprintf(&b, "\t%d: { // %s\n\t\tkind: %s,\n", i, t.comment, t.kind)
		if t.maxLength > 0 {
			fmt.Fprintf(&b, "\t\tmaxLength: %d,\n", t.maxLength)
		}
		if t.totalDigits > 0 {
			fmt.Fprintf(&b, "\t\ttotalDigits: %d,\n", t.totalDigits)
		}
		if t.fractionDigits > 0 {
			fmt.Fprintf(&b, "\t\tfractionDigits: %d,\n", t.fractionDigits)
		}
		if len(t.children) > 0 {
			b.WriteString("\t\tchildren: []particle{\n")
			for _, p := range t.children {
				max := strconv.Itoa(p.max)
				if p.max < 0 {
					max = "unbounded"
				}
				fmt.Fprintf(&b, "\t\t\t{%q, %d, %d, %s},\n", p.name, p.typ, p.min, max)
			}
			b.WriteString("\t\t},\n")
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n")
	out, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format generated code: %w", err)
	}
	return out, nil
}
