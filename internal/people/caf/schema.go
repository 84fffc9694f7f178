package caf

//go:generate go run ../../../scripts/cafschema -o schema_gen.go ../../../../shared/reference/caf/vrsb0801.xsd

// kind is the content model of an element type in the generated tables.
type kind uint8

const (
	kindComplex kind = iota // a sequence of child elements, no text
	kindString              // xsd:string, optionally with maxLength
	kindInteger             // xsd:integer, optionally with totalDigits
	kindDecimal             // xsd:decimal, optionally with totalDigits and fractionDigits
	kindDate                // xsd:date
	kindTime                // xsd:time
	kindBoolean             // xsd:boolean
)

// unbounded is the max of a particle with maxOccurs="unbounded".
const unbounded = -1

// particle is one child of a sequence: its name, type index and occurrences.
type particle struct {
	name     string
	typ      int
	min, max int
}

// typeDef is an element type: either a sequence of children or a simple type with facets.
type typeDef struct {
	kind           kind
	maxLength      int // characters; 0 means no limit
	totalDigits    int // 0 means no limit
	fractionDigits int // 0 means no limit
	children       []particle
}
