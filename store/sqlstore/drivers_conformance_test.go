//go:build !race

package sqlstore_test

import "testing"

// TestNcrucesConformance runs the conformance suite on the store over
// github.com/ncruces/go-sqlite3. It is built without -race only: SQLite
// compiled to Go is a lot of code for the race detector to watch (the
// suite takes 10 s, and 95 s with -race), and the race-checked run of the
// same suite on modernc.org/sqlite covers the store's own code.
func TestNcrucesConformance(t *testing.T) { runConformance(t, ncrucesBackend) }
