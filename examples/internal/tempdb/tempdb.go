// Package tempdb names the SQLite file an example program runs on, and
// removes it afterwards when the example made it.
package tempdb

import (
	"os"
	"path/filepath"
)

// Path returns path or, when it is empty, a file called name in a new
// temporary directory, so that every run of an example starts from an
// empty database unless the user names one. Call remove when done: it
// deletes the temporary directory with the database and its WAL files,
// and leaves a file the user named alone.
func Path(path, name string) (file string, remove func(), err error) {
	if path != "" {
		return path, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "crmkit-")
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(dir, name), func() { _ = os.RemoveAll(dir) }, nil
}
