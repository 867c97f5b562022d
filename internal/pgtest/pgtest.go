// Package pgtest finds the PostgreSQL server the tests of the SQL stores
// run against.
package pgtest

import (
	"os"
	"testing"
)

// URL returns the URL of the test PostgreSQL server
// (CRMKIT_POSTGRES_URL), or skips the test when there is none; in CI
// (CI=true) a missing server fails the test instead.
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("CRMKIT_POSTGRES_URL")
	if url != "" {
		return url
	}
	const how = "set CRMKIT_POSTGRES_URL=postgres://... or run .ci/run to run the PostgreSQL tests"
	if os.Getenv("CI") == "true" {
		t.Fatal("CRMKIT_POSTGRES_URL is not set in CI: " + how)
	}
	t.Skip("no PostgreSQL: " + how)
	return ""
}
