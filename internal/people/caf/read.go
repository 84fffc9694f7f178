package caf

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// maxTextBytes bounds the text kept for one simple element, whatever its facets.
const maxTextBytes = 4096

// SchemaError reports the first place where a flow breaks the vrsb0801 schema or is not well-formed.
type SchemaError struct {
	Line    int    // 1-based line in the file
	Element string // local name of the element at fault, empty when none applies
	Msg     string // French explanation for the user
}

// Error returns the French message, naming the line and the element.
func (e *SchemaError) Error() string {
	if e.Element == "" {
		return fmt.Sprintf("flux CAF invalide, ligne %d : %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("flux CAF invalide, ligne %d, élément <%s> : %s", e.Line, e.Element, e.Msg)
}

// Options tunes how a flow is read.
type Options struct {
	// StrictTotals refuses a flow whose NBTOTDOSRSATRANSM differs from the
	// number of households read. It is off by default: the CAF counts there the
	// files of the separate anomaly flow too, so real flows (RSABEM.xml among
	// them) differ; Totals reports both numbers for the import report.
	StrictTotals bool
	// OnHeader, when set, receives the flow's header as soon as it is read,
	// before the first household: an importer dates what it records with it.
	OnHeader func(Header) error
}

// Read streams a flow with the default options; see Options.Read.
func Read(r io.Reader, fn func(Household) error) (Header, Totals, error) {
	return Options{}.Read(r, fn)
}

// Read validates the flow read from r and calls fn once per valid household, in file order.
//
// The file is decoded from the encoding its XML declaration names (windows-1252 for CAF
// flows). Validation is done while streaming, so memory does not grow with the number of
// households; a household is handed to fn only once its whole block is valid, but a later
// error can still make Read fail, so callers must not commit anything before Read returns
// nil. On a schema violation or malformed XML, the error is a *SchemaError; an error from
// r is returned as is, and so is an error returned by fn, which stops the reading.
func (o Options) Read(r io.Reader, fn func(Household) error) (Header, Totals, error) {
	src := &trackedReader{r: r}
	p := &reader{opts: o, fn: fn, src: src}
	p.dec = xml.NewDecoder(bufio.NewReaderSize(src, 64<<10))
	p.dec.Strict = true
	p.dec.CharsetReader = p.charsetReader
	err := p.run()
	return p.header, p.totals, err
}

// trackedReader remembers the error of the underlying reader, to tell I/O errors from XML ones.
type trackedReader struct {
	r   io.Reader
	err error
}

func (t *trackedReader) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

type frame struct {
	name  string
	def   *typeDef
	line  int
	idx   int    // index of the current particle in def.children
	count int    // occurrences of def.children[idx] seen so far
	text  []byte // text content of a simple element, reused between frames
}

type reader struct {
	opts Options
	fn   func(Household) error
	src  *trackedReader
	dec  *xml.Decoder

	stack []frame
	n     int // depth: stack[:n] are the open elements

	rootSeen, rootClosed bool
	badCharset           string

	header     Header
	totals     Totals
	totalsLine int
	h          Household
	prestNat   string
	prestRole  string
}

func (p *reader) charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "windows-1252", "cp1252", "x-cp1252":
		return charmap.Windows1252.NewDecoder().Reader(in), nil
	case "iso-8859-1", "iso8859-1", "latin1", "l1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	case "iso-8859-15", "iso8859-15", "latin9":
		return charmap.ISO8859_15.NewDecoder().Reader(in), nil
	case "us-ascii", "ascii":
		return in, nil
	}
	p.badCharset = label
	return nil, errors.New("unsupported charset")
}

func (p *reader) line() int {
	l, _ := p.dec.InputPos()
	return l
}

func (p *reader) fail(line int, elem, format string, args ...any) error {
	return &SchemaError{Line: line, Element: elem, Msg: fmt.Sprintf(format, args...)}
}

func (p *reader) top() string {
	if p.n == 0 {
		return ""
	}
	return p.stack[p.n-1].name
}

// decodeError turns an error of the XML decoder into a *SchemaError, unless it comes from the source.
func (p *reader) decodeError(err error) error {
	if p.src.err != nil && errors.Is(err, p.src.err) {
		return err
	}
	if p.badCharset != "" {
		return p.fail(p.line(), "", "encodage %q non pris en charge (windows-1252 attendu)", p.badCharset)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		if !p.rootSeen {
			return p.fail(se.Line, "", "ce n'est pas un fichier XML lisible (%s)", se.Msg)
		}
		if se.Msg == "unexpected EOF" {
			return p.fail(se.Line, p.top(), "fichier tronqué : fin de fichier inattendue")
		}
		return p.fail(se.Line, p.top(), "XML mal formé (%s)", se.Msg)
	}
	return p.fail(p.line(), p.top(), "XML illisible (%v)", err)
}

func (p *reader) push(name string, def *typeDef, line int) {
	if p.n == len(p.stack) {
		p.stack = append(p.stack, frame{})
	}
	f := &p.stack[p.n]
	*f = frame{name: name, def: def, line: line, text: f.text[:0]}
	p.n++
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func (p *reader) run() error {
	for {
		tok, err := p.dec.RawToken()
		if err == io.EOF {
			if p.n > 0 {
				return p.fail(p.line(), p.top(), "fichier tronqué : l'élément <%s> n'est pas refermé", p.top())
			}
			if !p.rootSeen {
				return p.fail(p.line(), "", "fichier vide : l'élément racine <%s> est absent", schemaRoot)
			}
			return nil
		}
		if err != nil {
			return p.decodeError(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := p.start(t); err != nil {
				return err
			}
		case xml.EndElement:
			if err := p.end(t); err != nil {
				return err
			}
		case xml.CharData:
			if err := p.chardata(t); err != nil {
				return err
			}
		case xml.Directive:
			return p.fail(p.line(), p.top(), "déclaration <!%s> non autorisée", clip(string(t)))
		case xml.Comment, xml.ProcInst:
			// allowed anywhere
		}
	}
}

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func (p *reader) start(t xml.StartElement) error {
	line := p.line()
	name := qname(t.Name)
	if p.n == 0 {
		if p.rootClosed {
			return p.fail(line, name, "contenu après la fin de l'élément racine <%s>", schemaRoot)
		}
		if name != schemaRoot {
			return p.fail(line, name, "élément racine inattendu : <%s> attendu (ce fichier n'est pas un flux RSA bénéficiaires)", schemaRoot)
		}
		p.rootSeen = true
		if err := p.attrs(t, line, true); err != nil {
			return err
		}
		p.push(schemaRoot, &schemaTypes[schemaRootType], line)
		return nil
	}
	parent := &p.stack[p.n-1]
	if parent.def.kind != kindComplex {
		return p.fail(line, name, "élément inattendu : <%s> ne contient que du texte", parent.name)
	}
	pt, err := p.advance(parent, name, line)
	if err != nil {
		return err
	}
	if err := p.attrs(t, line, false); err != nil {
		return err
	}
	p.push(pt.name, &schemaTypes[pt.typ], line)
	p.begin(pt.name, line)
	return nil
}

// attrs accepts namespace declarations and, on the root, the xsi schema-location hints.
func (p *reader) attrs(t xml.StartElement, line int, root bool) error {
	for _, a := range t.Attr {
		switch {
		case a.Name.Space == "xmlns":
			continue
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			if a.Value == "" {
				continue
			}
			return p.fail(line, qname(t.Name), "espace de noms %q non prévu par le schéma", clip(a.Value))
		case root && a.Name.Space == "xsi" && (a.Name.Local == "noNamespaceSchemaLocation" || a.Name.Local == "schemaLocation"):
			continue
		}
		return p.fail(line, qname(t.Name), "attribut %q non prévu par le schéma", clip(qname(a.Name)))
	}
	return nil
}

func missing(pt *particle, seen int) string {
	if seen == 0 {
		return fmt.Sprintf("élément obligatoire <%s> manquant", pt.name)
	}
	return fmt.Sprintf("<%s> présent %d fois, au moins %d attendus", pt.name, seen, pt.min)
}

// advance moves parent's sequence to the particle named name, checking order and occurrences.
func (p *reader) advance(parent *frame, name string, line int) (*particle, error) {
	ch := parent.def.children
	for i := parent.idx; i < len(ch); i++ {
		if ch[i].name != name {
			continue
		}
		if i == parent.idx {
			if ch[i].max != unbounded && parent.count >= ch[i].max {
				return nil, p.fail(line, name, "trop d'occurrences dans <%s> (%d au plus)", parent.name, ch[i].max)
			}
			parent.count++
			return &ch[i], nil
		}
		for j := parent.idx; j < i; j++ {
			seen := 0
			if j == parent.idx {
				seen = parent.count
			}
			if seen < ch[j].min {
				return nil, p.fail(line, name, "%s avant <%s> dans <%s>", missing(&ch[j], seen), name, parent.name)
			}
		}
		parent.idx, parent.count = i, 1
		return &ch[i], nil
	}
	for j := 0; j < parent.idx && j < len(ch); j++ {
		if ch[j].name == name {
			return nil, p.fail(line, name, "élément mal placé dans <%s> : il doit précéder <%s>", parent.name, ch[parent.idx].name)
		}
	}
	return nil, p.fail(line, name, "élément non prévu par le schéma dans <%s>", parent.name)
}

// textLine is the line where the non-blank part of t, just read, starts.
func (p *reader) textLine(t []byte) int {
	i := 0
	for i < len(t) && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n') {
		i++
	}
	// A lone CR is turned into LF in t but not counted as a new line by the decoder.
	return max(1, p.line()-bytes.Count(t[i:], []byte{'\n'}))
}

func (p *reader) chardata(t xml.CharData) error {
	if p.n == 0 {
		if isSpace(t) {
			return nil
		}
		if !p.rootSeen {
			return p.fail(p.textLine(t), "", "ce n'est pas un fichier XML : texte %q avant l'élément racine", clip(strings.TrimSpace(string(t))))
		}
		return p.fail(p.textLine(t), "", "texte %q après la fin de l'élément racine", clip(strings.TrimSpace(string(t))))
	}
	f := &p.stack[p.n-1]
	if f.def.kind == kindComplex {
		if isSpace(t) {
			return nil
		}
		return p.fail(p.textLine(t), f.name, "texte %q non prévu : cet élément ne contient que des éléments", clip(strings.TrimSpace(string(t))))
	}
	if len(f.text)+len(t) > maxTextBytes {
		return p.fail(p.line(), f.name, "texte trop long (plus de %d octets)", maxTextBytes)
	}
	f.text = append(f.text, t...)
	return nil
}

func (p *reader) end(t xml.EndElement) error {
	line := p.line()
	name := qname(t.Name)
	if p.n == 0 {
		return p.fail(line, name, "balise de fin sans balise d'ouverture")
	}
	f := &p.stack[p.n-1]
	if name != f.name {
		return p.fail(line, f.name, "balise de fin </%s> trouvée au lieu de </%s>", name, f.name)
	}
	var value []byte
	if f.def.kind == kindComplex {
		ch := f.def.children
		for j := f.idx; j < len(ch); j++ {
			seen := 0
			if j == f.idx {
				seen = f.count
			}
			if seen < ch[j].min {
				return p.fail(line, f.name, "%s", missing(&ch[j], seen))
			}
		}
	} else {
		v, msg := checkValue(f.def, f.text)
		if msg != "" {
			return p.fail(line, f.name, "%s", msg)
		}
		value = v
	}
	p.n--
	if p.n == 0 {
		p.rootClosed = true
		return nil
	}
	return p.finish(f, p.stack[p.n-1].name, value)
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

func digits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}

// checkValue validates the text of a simple element; it returns the value (whitespace
// collapsed for non-string types) or a French message.
func checkValue(def *typeDef, text []byte) ([]byte, string) {
	if def.kind == kindString {
		if def.maxLength > 0 {
			if n := utf8.RuneCount(text); n > def.maxLength {
				return nil, fmt.Sprintf("texte de %d caractères, %d au plus autorisés", n, def.maxLength)
			}
		}
		return text, ""
	}
	v := trimSpace(text)
	q := clip(string(v))
	switch def.kind {
	case kindInteger:
		d := v
		if len(d) > 0 && (d[0] == '+' || d[0] == '-') {
			d = d[1:]
		}
		if !digits(d) {
			return nil, fmt.Sprintf("%q n'est pas un nombre entier", q)
		}
		if def.totalDigits > 0 && significant(d, nil) > def.totalDigits {
			return nil, fmt.Sprintf("%q a plus de %d chiffres", q, def.totalDigits)
		}
	case kindDecimal:
		d := v
		if len(d) > 0 && (d[0] == '+' || d[0] == '-') {
			d = d[1:]
		}
		ip, fp := d, []byte(nil)
		if i := indexByte(d, '.'); i >= 0 {
			ip, fp = d[:i], d[i+1:]
		}
		if (len(ip) == 0 && len(fp) == 0) || (len(ip) > 0 && !digits(ip)) || (len(fp) > 0 && !digits(fp)) || (len(ip) == 0 && len(fp) == 0) {
			return nil, fmt.Sprintf("%q n'est pas un nombre décimal", q)
		}
		for len(fp) > 0 && fp[len(fp)-1] == '0' {
			fp = fp[:len(fp)-1]
		}
		if def.fractionDigits > 0 && len(fp) > def.fractionDigits {
			return nil, fmt.Sprintf("%q a plus de %d décimales", q, def.fractionDigits)
		}
		if def.totalDigits > 0 && significant(ip, fp) > def.totalDigits {
			return nil, fmt.Sprintf("%q a plus de %d chiffres", q, def.totalDigits)
		}
	case kindDate:
		if _, ok := parseDate(v); !ok {
			return nil, fmt.Sprintf("%q n'est pas une date valide (AAAA-MM-JJ attendu)", q)
		}
	case kindTime:
		if !validTime(v) {
			return nil, fmt.Sprintf("%q n'est pas une heure valide (hh:mm:ss attendu)", q)
		}
	case kindBoolean:
		switch string(v) {
		case "0", "1", "true", "false":
		default:
			return nil, fmt.Sprintf("%q n'est pas un booléen (0, 1, true ou false attendu)", q)
		}
	}
	return v, ""
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// significant counts the digits of a number without leading zeros of the integer part
// (fp has its trailing zeros removed already); zero counts as one digit.
func significant(ip, fp []byte) int {
	for len(ip) > 0 && ip[0] == '0' {
		ip = ip[1:]
	}
	n := len(ip) + len(fp)
	if n == 0 {
		return 1
	}
	return n
}

func num(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

// validZone accepts an empty zone, "Z" or ±hh:mm.
func validZone(z []byte) bool {
	switch {
	case len(z) == 0:
		return true
	case len(z) == 1:
		return z[0] == 'Z'
	case len(z) == 6:
		return (z[0] == '+' || z[0] == '-') && digits(z[1:3]) && z[3] == ':' && digits(z[4:6]) &&
			num(z[1:3])*60+num(z[4:6]) <= 14*60 && num(z[4:6]) < 60
	}
	return false
}

// parseDate parses an xsd:date restricted to four-digit years, with an optional zone (ignored).
func parseDate(v []byte) (time.Time, bool) {
	if len(v) < 10 || !digits(v[0:4]) || v[4] != '-' || !digits(v[5:7]) || v[7] != '-' || !digits(v[8:10]) || !validZone(v[10:]) {
		return time.Time{}, false
	}
	y, m, d := num(v[0:4]), num(v[5:7]), num(v[8:10])
	if y == 0 || m < 1 || m > 12 || d < 1 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // e.g. 2023-02-29
	}
	return t, true
}

// validTime checks hh:mm:ss with optional fractional seconds and zone.
func validTime(v []byte) bool {
	if len(v) < 8 || !digits(v[0:2]) || v[2] != ':' || !digits(v[3:5]) || v[5] != ':' || !digits(v[6:8]) {
		return false
	}
	if num(v[0:2]) > 23 || num(v[3:5]) > 59 || num(v[6:8]) > 59 {
		return false
	}
	rest := v[8:]
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return false
		}
		rest = rest[i:]
	}
	return validZone(rest)
}
