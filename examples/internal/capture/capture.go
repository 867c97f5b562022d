// Package capture runs the body of an example program and returns what it
// printed, so that the examples' tests can check the story they tell.
package capture

import (
	"io"
	"os"
	"testing"
)

// Stdout runs fn with os.Stdout going to a pipe and returns what fn wrote
// there; it fails t when fn fails. Tests that use it must not run in
// parallel: os.Stdout is process-wide.
func Stdout(t testing.TB, fn func() error) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	printed := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		printed <- string(b)
	}()
	orig := os.Stdout
	os.Stdout = w
	runErr := fn()
	os.Stdout = orig
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := <-printed
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if runErr != nil {
		t.Fatalf("the example failed: %v\nit printed:\n%s", runErr, out)
	}
	return out
}
