package crm

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// Personal data is declared where a field is declared: every field of a
// stored record that can hold text carries a privacy tag,
//
//	privacy:"personal"  the field may hold data about a person: a name, an
//	                    e-mail, a phone number, free text such as a note, a
//	                    subject, an outcome, a payment reference;
//	privacy:"none"      it cannot: codes, keys, labels from the company's
//	                    own vocabulary (a team, a stage, a touchpoint);
//	privacy:"nested"    it holds records whose own fields are tagged.
//
// Erasure, export and retention read this one declaration, so a new
// record kind or field plugs into them without a new code path; a test
// (TestEveryTextFieldIsDeclared) fails when a record the stores keep
// gains a text field without a tag. PersonalData lists the declaration.
//
// Two fields are personal only sometimes, and the erasure decides them
// from the record: a customer's Name is personal when the customer is a
// person (Party), and an event's Data is personal as far as the record it
// is about is.

// PersonalField is one field declared personal: the record type, the
// field's Go name and its name in the wire format.
type PersonalField struct {
	Record string `json:"record"`
	Field  string `json:"field"`
	JSON   string `json:"json"`
}

// PersonalData lists the fields of the records crmkit keeps that are
// declared personal, in the order of the records given, for a privacy
// notice or a record of processing (GDPR Art. 30). With no records it
// lists those of the records an erasure reaches.
func PersonalData(records ...any) []PersonalField {
	if len(records) == 0 {
		records = erasableRecords
	}
	var out []PersonalField
	for _, r := range records {
		t := reflect.TypeOf(r)
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			continue
		}
		for _, f := range reflect.VisibleFields(t) {
			if f.IsExported() && f.Tag.Get("privacy") == "personal" {
				out = append(out, PersonalField{Record: t.Name(), Field: f.Name, JSON: jsonName(f)})
			}
		}
	}
	return out
}

// erasableRecords are the records an erasure of a person reaches.
var erasableRecords = []any{
	Customer{}, Contact{}, Interaction{}, Case{}, Activity{}, Deal{}, Contract{}, Approval{},
	Invoice{}, InvoiceLine{}, Credit{}, Entry{}, Evidence{}, LadderMove{}, Consent{}, User{},
}

// jsonName is a field's name in the wire format.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return f.Name
	}
	return name
}

// erasePersonalFields replaces the personal fields of the record rec
// points to: text with ErasedValue, lists and maps with nothing, nested
// records field by field. It returns the wire names of the fields it
// changed ("lines.description" for a nested one), and the values it
// removed, for the erasure to look for in the record's history.
func erasePersonalFields(rec any) (fields, values []string) {
	v := reflect.ValueOf(rec).Elem()
	walkPersonal(v, "", &fields, &values)
	slices.Sort(fields)
	return slices.Compact(fields), values
}

func walkPersonal(v reflect.Value, prefix string, fields, values *[]string) {
	for _, f := range reflect.VisibleFields(v.Type()) {
		if !f.IsExported() {
			continue
		}
		fv := v.FieldByIndex(f.Index)
		name := prefix + jsonName(f)
		switch f.Tag.Get("privacy") {
		case "personal":
			if collectText(fv, values) {
				fv.Set(erasedValueOf(fv))
				*fields = append(*fields, name)
			}
		case "nested":
			walkNested(fv, name+".", fields, values)
		}
	}
}

func walkNested(v reflect.Value, prefix string, fields, values *[]string) {
	switch v.Kind() {
	case reflect.Struct:
		walkPersonal(v, prefix, fields, values)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkNested(v.Index(i), prefix, fields, values)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			walkNested(v.Elem(), prefix, fields, values)
		}
	}
}

// collectText gathers the text a personal field holds, and reports
// whether it holds any that is not erased yet.
func collectText(v reflect.Value, values *[]string) bool {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); s != "" && s != ErasedValue {
			*values = append(*values, s)
			return true
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			// A digest (a request's): it holds no text to look for,
			// but it would confirm a guess of what it digests.
			return !v.IsZero() && v.Len() > 0
		}
		found := false
		for i := range v.Len() {
			found = collectText(v.Index(i), values) || found
		}
		return found
	case reflect.Map:
		// The values only: a map's keys name custom fields, they are
		// the company's, and an erased key would take with it every
		// change recorded under that field.
		iter := v.MapRange()
		for iter.Next() {
			collectText(iter.Value(), values)
		}
		return v.Len() > 0
	}
	return false
}

// erasedValueOf is what an erased field of v's type holds: ErasedValue
// for text, nothing for a list or a map.
func erasedValueOf(v reflect.Value) reflect.Value {
	if v.Kind() == reflect.String {
		return reflect.ValueOf(ErasedValue).Convert(v.Type())
	}
	return reflect.Zero(v.Type())
}

// personalKeys are the wire names of the personal fields of the records,
// the keys an event about them holds personal data under.
func personalKeys(records ...any) map[string]bool {
	keys := map[string]bool{}
	for _, f := range PersonalData(records...) {
		keys[f.JSON] = true
	}
	return keys
}

// minErasedValueLen is the shortest value an erasure looks for inside
// other text: shorter ones ("Jo", "ok") would match unrelated words.
const minErasedValueLen = 3

// redactPayload rewrites an event's JSON data so that it holds no personal
// data of the erasure: values under a personal key (or a change of a
// personal field, {"field": key, "from": ..., "to": ...}) become
// ErasedValue, and so does any text containing one of the erased values.
// It reports whether anything changed.
func redactPayload(data json.RawMessage, keys map[string]bool, values []string) (json.RawMessage, bool, error) {
	if len(data) == 0 {
		return data, false, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return data, false, nil // not JSON: nothing this erasure can read
	}
	r := redactor{keys: keys, values: values}
	doc = r.walk(doc, false)
	if !r.changed {
		return data, false, nil
	}
	out, err := json.Marshal(doc)
	return out, true, err
}

type redactor struct {
	keys    map[string]bool
	values  []string
	changed bool
}

// walk redacts v; all says every text in it is personal.
func (r *redactor) walk(v any, all bool) any {
	switch x := v.(type) {
	case string:
		if x == ErasedValue || x == "" {
			return x
		}
		if all || r.mentions(x) {
			r.changed = true
			return ErasedValue
		}
		return x
	case []any:
		for i := range x {
			x[i] = r.walk(x[i], all)
		}
		return x
	case map[string]any:
		change := false
		if f, ok := x["field"].(string); ok && r.personalField(f) {
			change = true
		}
		for k, e := range x {
			x[k] = r.walk(e, all || r.keys[k] || (change && (k == "from" || k == "to")))
		}
		return x
	}
	return v
}

// personalField reports whether a change's field name ("subject",
// "contacts.<id>", "lines.description") names a personal field.
func (r *redactor) personalField(f string) bool {
	for part := range strings.SplitSeq(f, ".") {
		if r.keys[part] {
			return true
		}
	}
	return false
}

// mentions reports whether text holds one of the erased values.
func (r *redactor) mentions(text string) bool {
	for _, v := range r.values {
		if len(v) >= minErasedValueLen && strings.Contains(text, v) {
			return true
		}
	}
	return false
}
