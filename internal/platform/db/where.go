package db

import (
	"fmt"
	"strings"
)

// Where builds a WHERE clause and its arguments with numbered placeholders,
// so list queries add optional filters without counting parameters by hand.
type Where struct {
	conds []string
	// Args are the arguments of the clause, in placeholder order.
	Args []any
}

// Arg appends an argument and returns its placeholder ("$n").
func (w *Where) Arg(v any) string {
	w.Args = append(w.Args, v)
	return fmt.Sprintf("$%d", len(w.Args))
}

// Add appends a condition whose %d verbs (or %[1]d for repeated use) name the placeholder of v.
func (w *Where) Add(cond string, v any) {
	w.Args = append(w.Args, v)
	w.conds = append(w.conds, fmt.Sprintf(cond, len(w.Args)))
}

// Raw appends a condition that carries its own placeholders (made with Arg) or none.
func (w *Where) Raw(cond string) { w.conds = append(w.conds, cond) }

// String returns " WHERE c1 AND c2…", or "" without conditions.
func (w *Where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// Page appends limit and offset and returns the " LIMIT $n OFFSET $m" clause.
func (w *Where) Page(limit, offset int) string {
	l := w.Arg(limit)
	return " LIMIT " + l + " OFFSET " + w.Arg(max(offset, 0))
}
