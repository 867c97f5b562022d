// Package sqlitetest gives the tests of the SQL stores a freshly migrated
// SQLite file without migrating it again: the first test that asks for a
// schema migrates a file once, and every test then gets a copy of its
// own. Under -race, migrating a new file costs seconds (SQLite compiled
// to Go is a lot of code for the race detector to watch); copying one
// costs a few milliseconds. A copy is the migrated file byte for byte,
// so a test that writes to it starts from exactly what a migration leaves.
package sqlitetest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Templates holds the migrated files a test binary has made, one per key
// (a key names what the file was made with: driver, options, schema).
// The zero value is ready to use; Remove deletes the files, from TestMain
// after the tests have run.
type Templates struct {
	mu    sync.Mutex
	dir   string
	files map[string]string // key -> path of the template
	errs  map[string]error  // key -> why it could not be made
}

// Copy returns the path of a new file, in t's temporary directory, that
// holds a copy of the template of key, making the template first when
// there is none: migrate must create and migrate a SQLite database at the
// path it is given and close it, leaving no write-ahead log behind. A
// template that could not be made fails every test that asks for it.
func (ts *Templates) Copy(t testing.TB, key string, migrate func(path string) error) string {
	t.Helper()
	src, err := ts.template(key, migrate)
	if err != nil {
		t.Fatalf("sqlitetest: the template %q: %v", key, err)
	}
	dst := filepath.Join(t.TempDir(), "crm.db")
	if err := copyFile(dst, src); err != nil {
		t.Fatalf("sqlitetest: copying the template %q: %v", key, err)
	}
	return dst
}

// template returns the path of the template of key, made under the lock
// (tests asking at once for a key wait for the one making it).
func (ts *Templates) template(key string, migrate func(path string) error) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if p, ok := ts.files[key]; ok {
		return p, nil
	}
	if err, ok := ts.errs[key]; ok {
		return "", err
	}
	p, err := ts.build(migrate)
	if err != nil {
		if ts.errs == nil {
			ts.errs = map[string]error{}
		}
		ts.errs[key] = err
		return "", err
	}
	if ts.files == nil {
		ts.files = map[string]string{}
	}
	ts.files[key] = p
	return p, nil
}

// build makes a template in a directory of its own under ts.dir, and checks
// that all of it is in the one file a copy takes.
func (ts *Templates) build(migrate func(path string) error) (string, error) {
	if ts.dir == "" {
		dir, err := os.MkdirTemp("", "crmkit-sqlite-templates-")
		if err != nil {
			return "", err
		}
		ts.dir = dir
	}
	dir := filepath.Join(ts.dir, strconv.Itoa(len(ts.files)+len(ts.errs)))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", err
	}
	p := filepath.Join(dir, "template.db")
	if err := migrate(p); err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-journal"} {
		if fi, err := os.Stat(p + suffix); err == nil && fi.Size() > 0 {
			return "", fmt.Errorf("%s is left with %d bytes not in the file: close the database before returning", p+suffix, fi.Size())
		}
	}
	return p, nil
}

// Remove deletes every template; later calls to Copy make them again.
func (ts *Templates) Remove() error {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	dir := ts.dir
	ts.dir, ts.files, ts.errs = "", nil, nil
	if dir == "" {
		return nil
	}
	return os.RemoveAll(dir)
}

// copyFile copies the file src to a new file dst.
func copyFile(dst, src string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = in.Close() }()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	_, err = io.Copy(out, in)
	return err
}
