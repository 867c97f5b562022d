package sqlstore

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Dialect is the SQL database a Store talks to. The Store never imports a
// driver: the caller opens the *sql.DB with the driver of their choice and
// names its dialect here.
type Dialect int

// The supported dialects.
const (
	// SQLite, through any database/sql driver whose errors have a
	// Code() int method giving the SQLite result code (modernc.org/sqlite
	// does); the message "database is locked" is recognized too.
	SQLite Dialect = iota + 1
	// PostgreSQL, through any database/sql driver whose errors have a
	// SQLState() string method (github.com/jackc/pgx/v5/stdlib does).
	PostgreSQL
)

// String returns "sqlite" or "postgres".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case PostgreSQL:
		return "postgres"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

func (d Dialect) valid() bool { return d == SQLite || d == PostgreSQL }

// rebind turns the '?' placeholders of a query written for SQLite into
// PostgreSQL's $1, $2, ... No string literal in the queries of this
// package holds a '?', so every '?' is a placeholder.
func (d Dialect) rebind(query string) string {
	if d != PostgreSQL || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// bytewise returns an ORDER BY term that sorts the text column col by its
// bytes, as Go compares strings: SQLite's default BINARY collation does,
// PostgreSQL needs the "C" collation whatever the database's default.
func (d Dialect) bytewise(col string) string {
	if d == PostgreSQL {
		return col + ` COLLATE "C"`
	}
	return col
}

// storable reports whether a text column can hold s: PostgreSQL's text
// holds no NUL character and nothing that is not UTF-8, and refuses a
// parameter with either. A lookup by such text finds nothing, without
// asking.
func (d Dialect) storable(s string) bool {
	return d != PostgreSQL || (utf8.ValidString(s) && !strings.ContainsRune(s, 0))
}

// inJSONArray is a condition that col is one of the strings of a JSON
// array passed as one argument, however many there are.
func (d Dialect) inJSONArray(col string) string {
	if d == PostgreSQL {
		return col + " IN (SELECT jsonb_array_elements_text(CAST(? AS jsonb)))"
	}
	return col + " IN (SELECT value FROM json_each(?))"
}
