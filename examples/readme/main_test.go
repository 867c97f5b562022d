package main

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsThisCode keeps the README's taste of the API true: the
// README shows exactly this program's lines between the TASTE markers,
// which compile, and the program runs.
func TestREADMEShowsThisCode(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	code := string(src)
	start := strings.Index(code, "// TASTE START\n") + len("// TASTE START\n")
	end := strings.Index(code, "\t// TASTE END")
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(code[start:end], "\n"), "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	snippet := "```go\n" + strings.Join(lines, "\n") + "\n```"
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), snippet) {
		t.Fatalf("README.md does not show the code of examples/readme/main.go; it should contain:\n%s", snippet)
	}
	t.Chdir(t.TempDir())
	main()
}
