package crm

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestEveryTextFieldIsDeclared fails when a record the stores keep gains a
// field that can hold text without saying whether it is personal data: the
// declaration drives erasure, export and retention, so a field missing
// from it would silently survive an erasure. The records are found from
// the store's port itself (every struct a repository method takes or
// returns), so a new kind of record is covered without listing it here.
func TestEveryTextFieldIsDeclared(t *testing.T) {
	for _, typ := range storedRecordTypes() {
		for _, f := range reflect.VisibleFields(typ) {
			if !f.IsExported() || f.Anonymous || !holdsText(f.Type) {
				continue
			}
			tag, ok := f.Tag.Lookup("privacy")
			if !ok {
				t.Errorf("%s.%s can hold text but has no privacy tag (personal, none or nested)", typ.Name(), f.Name)
				continue
			}
			if !slices.Contains([]string{"personal", "none", "nested"}, tag) {
				t.Errorf("%s.%s: privacy tag %q is not personal, none or nested", typ.Name(), f.Name, tag)
			}
			if tag == "nested" && structOf(f.Type) == nil {
				t.Errorf("%s.%s: privacy:\"nested\" on a field that holds no struct", typ.Name(), f.Name)
			}
		}
	}
}

// storedRecordTypes lists the struct types of package crm that a
// repository method of Tx writes (Insert, Update, Append, Save...), and
// the structs they hold.
func storedRecordTypes() []reflect.Type {
	seen := map[reflect.Type]bool{}
	var out []reflect.Type
	var visit func(reflect.Type)
	visit = func(t reflect.Type) {
		s := structOf(t)
		if s == nil || s.PkgPath() != reflect.TypeFor[Customer]().PkgPath() || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
		for _, f := range reflect.VisibleFields(s) {
			if f.IsExported() {
				visit(f.Type)
			}
		}
	}
	tx := reflect.TypeFor[Tx]()
	for i := range tx.NumMethod() {
		repo := tx.Method(i).Type.Out(0)
		for j := range repo.NumMethod() {
			if !isWrite(repo.Method(j).Name) {
				continue
			}
			m := repo.Method(j).Type
			for k := range m.NumIn() {
				visit(m.In(k))
			}
		}
	}
	return out
}

// isWrite reports whether a repository method's name says it stores
// what it is given.
func isWrite(name string) bool {
	for _, verb := range []string{"Insert", "Update", "Append", "Save", "Replace", "Put", "Upsert"} {
		if strings.HasPrefix(name, verb) {
			return true
		}
	}
	return false
}

// structOf returns the struct a type is or holds (through pointers,
// slices, arrays and map values), or nil.
func structOf(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			return t
		default:
			return nil
		}
	}
}

// holdsText reports whether a field of type t can hold free text: a plain
// string, bytes such as raw JSON, or a struct, slice or map that holds
// them. Named string types are enums and codes, and hold no free text;
// so do the library's value types (IDs, times, money).
func holdsText(t reflect.Type) bool {
	switch t {
	case reflect.TypeFor[json.RawMessage](), reflect.TypeFor[[]byte]():
		return true
	}
	switch t.Kind() {
	case reflect.String:
		return t == reflect.TypeFor[string]()
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsText(t.Elem())
	case reflect.Map:
		return holdsText(t.Key()) || holdsText(t.Elem())
	case reflect.Struct:
		if t.PkgPath() != reflect.TypeFor[Customer]().PkgPath() {
			return false
		}
		for _, f := range reflect.VisibleFields(t) {
			if f.IsExported() && holdsText(f.Type) {
				return true
			}
		}
	}
	return false
}
