// Package tempdb names the SQLite file an example program runs on.
package tempdb

import (
	"os"
	"path/filepath"
)

// Path returns path or, when it is empty, a file called name in a new
// temporary directory, so that every run of an example starts from an
// empty database unless the user names one.
func Path(path, name string) (string, error) {
	if path != "" {
		return path, nil
	}
	dir, err := os.MkdirTemp("", "crmkit-")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name), nil
}
