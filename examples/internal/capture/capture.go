// Package capture runs the body of an example program and returns what it
// printed, so that the examples' tests can check the story they tell.
package capture

import (
	"io"
	"os"
	"strings"
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

// Tells runs fn as Stdout does and checks that what it printed holds each
// of lines, the key lines of the example's story; it returns the output.
func Tells(t testing.TB, fn func() error, lines ...string) string {
	t.Helper()
	out := Stdout(t, fn)
	for _, line := range lines {
		if !strings.Contains(out, line) {
			t.Errorf("the example did not print %q; it printed:\n%s", line, out)
		}
	}
	return out
}

// File returns the content of a file the example wrote, failing t when it
// cannot be read or does not start with prefix.
func File(t testing.TB, path, prefix string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), prefix) {
		t.Errorf("%s does not start with %q:\n%s", path, prefix, b)
	}
	return string(b)
}
