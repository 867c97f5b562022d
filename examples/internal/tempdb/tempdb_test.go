package tempdb

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPathRemovesOnlyWhatItMade(t *testing.T) {
	file, remove, err := Path("", "crm.db")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	remove()
	if _, err := os.Stat(filepath.Dir(file)); !os.IsNotExist(err) {
		t.Fatalf("the temporary directory %s is still there (%v)", filepath.Dir(file), err)
	}

	mine := filepath.Join(t.TempDir(), "mine.db")
	if err := os.WriteFile(mine, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, remove, err := Path(mine, "crm.db")
	if err != nil || got != mine {
		t.Fatalf("Path(%q) = %q, %v", mine, got, err)
	}
	remove()
	if _, err := os.Stat(mine); err != nil {
		t.Fatalf("a file the user named was removed: %v", err)
	}
}
