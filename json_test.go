package crm_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The JSON wire format of the package's records, commands and reports:
// snake_case keys, optional fields left out when empty, enums as their
// names, times in RFC 3339, dates as 2006-01-02, Money as
// {"amount":"10.50","currency":"USD"}, durations in integer nanoseconds
// under keys ending in _ns. testdata/json holds the JSON of every type
// (json_sample_test.go builds the values); after a deliberate change of
// the format, rewrite the files with
//
//	go test -run TestJSONGolden -update .
//
// and review the diff: it is the change clients see.

const goldenDir = "testdata/json"

// encodeJSON is the form of the golden files: indented by two spaces,
// with a final newline.
func encodeJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	return append(b, '\n'), err
}

// TestJSONGolden compares the JSON of every sample with its golden file.
func TestJSONGolden(t *testing.T) {
	samples := jsonSamples(t)
	names := map[string]bool{}
	for _, s := range samples {
		require.False(t, names[s.name], "two samples are named %s", s.name)
		names[s.name] = true
		t.Run(s.name, func(t *testing.T) {
			got, err := encodeJSON(s.value)
			require.NoError(t, err)
			path := filepath.Join(goldenDir, s.name+".json")
			if *updateGolden {
				require.NoError(t, os.MkdirAll(goldenDir, 0o755))
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -run TestJSONGolden -update . to create it")
			assert.Equal(t, string(want), string(got), "the JSON of %s changed; if that is meant, run go test -run TestJSONGolden -update . and review the diff", s.name)
		})
	}
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	require.NoError(t, err)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		assert.True(t, names[name], "%s has no sample: delete it, or add the sample", f)
	}
}

// TestJSONRoundTrip decodes every golden file into a fresh value of its
// type: every key belongs to a field, the value equals the sample it was
// made from, and encoding it again gives the file's bytes.
func TestJSONRoundTrip(t *testing.T) {
	for _, s := range jsonSamples(t) {
		t.Run(s.name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join(goldenDir, s.name+".json"))
			require.NoError(t, err, "run go test -run TestJSONGolden -update . to create it")
			got := reflect.New(reflect.TypeOf(s.value))
			dec := json.NewDecoder(bytes.NewReader(golden))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(got.Interface()))

			if d := jsonDiff(typeName(got.Elem().Type()), reflect.ValueOf(s.value), got.Elem()); d != "" {
				t.Errorf("decoding gives back something else than was encoded: %s", d)
			}
			again, err := encodeJSON(got.Elem().Interface())
			require.NoError(t, err)
			assert.Equal(t, string(golden), string(again))
		})
	}
}

// zeroTime is how encoding/json writes a zero time.Time; no JSON of the
// package may have it.
const zeroTime = `"0001-01-01T00:00:00Z"`

// TestJSONMinimal shows what a record with only some fields set leaves
// out: the keys of the sample's absent list, and with them every zero
// time and date, empty string and zero ID. A zero Money is the zero that
// stays, as null, so that a missing amount is never read as 0.
func TestJSONMinimal(t *testing.T) {
	samples := jsonSamples(t)
	full := map[string]any{} // the filled sample of each type
	for _, s := range samples {
		if len(s.absent) == 0 {
			full[s.name] = s.value
		}
	}
	for _, s := range samples {
		if len(s.absent) == 0 {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			b, err := encodeJSON(s.value)
			require.NoError(t, err)
			assert.NotContains(t, string(b), zeroTime)
			assert.NotContains(t, string(b), `""`, "an empty string, zero ID or zero date")
			keys := topLevelKeys(t, b)
			filled, err := encodeJSON(full[typeName(reflect.TypeOf(s.value))])
			require.NoError(t, err)
			allKeys := topLevelKeys(t, filled)
			for _, k := range s.absent {
				require.Contains(t, allKeys, k, "the absent list names a key the type does not have")
				assert.NotContains(t, keys, k)
			}
			for _, k := range s.null {
				assert.Equal(t, "null", string(keys[k]), "%s is there, as null", k)
			}
		})
	}
}

// topLevelKeys returns the keys of a JSON object with their raw values.
func topLevelKeys(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &keys))
	return keys
}

// TestJSONZeroValues encodes the zero value of every sampled type: no zero
// time appears, and it decodes back to the zero value.
func TestJSONZeroValues(t *testing.T) {
	for _, s := range jsonSamples(t) {
		if len(s.absent) > 0 {
			continue // a second sample of a type already covered
		}
		t.Run(s.name, func(t *testing.T) {
			zero := reflect.Zero(reflect.TypeOf(s.value))
			b, err := encodeJSON(zero.Interface())
			require.NoError(t, err)
			assert.NotContains(t, string(b), zeroTime)
			got := reflect.New(zero.Type())
			require.NoError(t, json.Unmarshal(b, got.Interface()))
			if d := jsonDiff(s.name, zero, got.Elem()); d != "" {
				t.Errorf("the zero value does not come back: %s", d)
			}
		})
	}
}

// TestJSONScalars shows how the package's own scalar types travel, on
// their own and as fields of every record.
func TestJSONScalars(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value any
		want  string
	}{
		{"Money", crm.MoneyFromMinor(1050, crm.USD), `{"amount":"10.50","currency":"USD"}`},
		{"Money in yen", crm.MoneyFromMinor(1050, crm.JPY), `{"amount":"1050","currency":"JPY"}`},
		{"zero Money", crm.Money{}, `null`},
		{"Currency", crm.EUR, `"EUR"`},
		{"Date", sampleDate, `"2026-03-14"`},
		{"time, RFC 3339 to the microsecond", sampleTime, `"2026-03-14T09:26:53.123456Z"`},
		{"time in another zone keeps its offset", sampleTime.In(time.FixedZone("CET", 3600)), `"2026-03-14T10:26:53.123456+01:00"`},
		{"ID", sampleID, `"019ceb5f-2a00-7c3e-8d1f-4b6a902e5c17"`},
		{"Hash", sampleHash, strconv.Quote(sampleHash.String())},
		{"decimal, as a string", decimal.RequireFromString("0.19"), `"0.19"`},
		{"duration, in nanoseconds", crm.ServiceStandards{AnswerWithin: 90 * time.Second}, `{"answer_within_ns":90000000000,"resolve_within_ns":0,"min_csat":0}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.value)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(b))
			got := reflect.New(reflect.TypeOf(tc.value))
			require.NoError(t, json.Unmarshal(b, got.Interface()))
			if d := jsonDiff(tc.name, reflect.ValueOf(tc.value), got.Elem()); d != "" {
				t.Error(d)
			}
		})
	}

	var back time.Time
	require.NoError(t, json.Unmarshal([]byte(`"2026-03-14T10:26:53+01:00"`), &back), "any RFC 3339 time decodes")
	assert.True(t, back.Equal(sampleTime.Truncate(time.Second)))
}

// TestJSONEnumsTravelAsNames: the integer enums encode as their names and
// decode only from a name they have; their numbers are not on the wire.
// The string enums are strings already.
func TestJSONEnumsTravelAsNames(t *testing.T) {
	for _, tc := range []struct {
		value   any    // a constant
		want    string // its JSON
		invalid any    // a value with no name, which cannot be encoded
	}{
		{crm.VeryPositive, `"very_positive"`, crm.Sentiment(3)},
		{crm.Negative, `"negative"`, crm.Sentiment(-3)},
		{crm.ScopeTeam, `"team"`, crm.Scope(-1)},
		{crm.RoundHalfUp, `"half_up"`, crm.RoundingMode(99)},
	} {
		t.Run(fmt.Sprintf("%T=%s", tc.value, strings.Trim(tc.want, `"`)), func(t *testing.T) {
			b, err := json.Marshal(tc.value)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(b))

			got := reflect.New(reflect.TypeOf(tc.value))
			require.NoError(t, json.Unmarshal(b, got.Interface()))
			assert.Equal(t, tc.value, got.Elem().Interface())

			err = json.Unmarshal([]byte(`"martian"`), reflect.New(reflect.TypeOf(tc.value)).Interface())
			assert.ErrorIs(t, err, crm.ErrInvalid, "an unknown name")
			var ve *crm.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "one_of", ve.Rule)

			number, err := json.Marshal(reflect.ValueOf(tc.value).Int())
			require.NoError(t, err)
			assert.Error(t, json.Unmarshal(number, reflect.New(reflect.TypeOf(tc.value)).Interface()), "the number %s is not a name", number)

			_, err = json.Marshal(tc.invalid)
			assert.ErrorIs(t, err, crm.ErrInvalid, "%T(%d) has no name to send", tc.invalid, tc.invalid)
		})
	}

	t.Run("string enum", func(t *testing.T) {
		b, err := json.Marshal(crm.Distributor)
		require.NoError(t, err)
		assert.Equal(t, `"distributor"`, string(b))

		// A string enum decodes from any string; the CRM refuses an
		// unknown one when the command reaches it, with the same
		// ErrInvalid.
		var in crm.NewCustomer
		require.NoError(t, json.Unmarshal([]byte(`{"kind":"martian","name":"Northwind"}`), &in))
		co := newCompany(t)
		_, err = co.Customers.Create(ctx, co.Ann.ID, in)
		assert.ErrorIs(t, err, crm.ErrInvalid)
	})

	t.Run("currency code", func(t *testing.T) {
		var c crm.Currency
		require.NoError(t, json.Unmarshal([]byte(`"chf"`), &c), "a code in any case")
		assert.Equal(t, crm.CHF, c)
		err := json.Unmarshal([]byte(`"XYZ"`), &c)
		assert.ErrorIs(t, err, crm.ErrUnknownCurrency)
		assert.ErrorIs(t, err, crm.ErrInvalid)
		assert.Error(t, json.Unmarshal([]byte(strconv.Itoa(int(crm.USD))), &c), "not the packed integer")
	})
}

// jsonExcluded lists the exported struct types that have no sample, with
// the reason. Every other exported struct type is sampled.
var jsonExcluded = func() map[string]string {
	m := map[string]string{
		"CRM":             "the entry point: a handle on the services, not data",
		"Machine":         "a state machine: unexported fields only; its rows, Transition, are sampled",
		"DealFlow":        "a pipeline compiled to move deals: unexported fields only; the Pipeline is sampled",
		"ManualClock":     "a clock for tests: unexported fields only",
		"Calendar":        "the CRM's configuration, set in code with a *time.Location, which has no wire form",
		"Money":           "a scalar with its own MarshalJSON and unexported fields only: see TestJSONScalars, and every record with an amount",
		"Date":            "a scalar with its own MarshalText (2006-01-02), so its year, month and day fields never reach the wire: see TestJSONScalars",
		"ForecastOptions": "options of Pipeline.ForecastWith, set in code with a Calendar, which has no wire form; the service takes a ForecastPeriod",
		"LadderReason":    "a move's reason kept structured, unexported fields only: it encodes as its text (MarshalText), the reason LadderMove holds; its terms are sampled as LadderTerm",
		"BatchError":      "an error that wraps another error, which has no wire form; its batch and index are in its message",
		"CheckRequest":    "what a write asks its store to read first (CheckReader), inside one transaction: never on the wire",
		"Checks":          "what a store read for a write's checks (CheckReader), inside one transaction: never on the wire",
		"FiscalPeriod":    "a scalar with its own MarshalText (FY2027-Q1), so its year and quarter fields never reach the wire: see Quota and AttainmentQuery",
	}
	for _, s := range []string{"User", "Customer", "Experience", "Case", "Ladder", "Deal", "Activity", "Campaign", "Contract", "Ledger", "Receivable", "Event"} {
		m[s+"Service"] = "a service of the CRM: methods on the store, no data of its own"
	}
	return m
}()

// snakeCase is the form of every JSON key.
var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TestJSONTypesAreSampled reads the package's source: every exported
// struct type is sampled or excluded with a reason, and every exported
// field of a sampled type has a json tag with a snake_case name (or "-").
// A new type or field without its wire form fails here.
func TestJSONTypesAreSampled(t *testing.T) {
	sampled := map[string]bool{}
	for _, s := range jsonSamples(t) {
		sampled[typeName(reflect.TypeOf(s.value))] = true
	}
	structs := packageStructs(t)
	for name := range jsonExcluded {
		assert.Contains(t, structs, name, "jsonExcluded names a struct type the package no longer has")
		assert.False(t, sampled[name], "%s is both sampled and excluded", name)
	}
	for name := range sampled {
		assert.Contains(t, structs, name, "a sample of a type the package does not declare")
	}
	for _, name := range slices.Sorted(maps.Keys(structs)) {
		if _, ok := jsonExcluded[name]; ok {
			continue
		}
		if !sampled[name] {
			t.Errorf("%s has no JSON sample: add filled[crm.%s](t) to jsonSamples, or exclude it in jsonExcluded with the reason", name, name)
			continue
		}
		for _, field := range structs[name].Fields.List {
			checkFieldTag(t, name, field, structs)
		}
	}
}

// checkFieldTag checks the json tag of one field of a sampled struct.
func checkFieldTag(t *testing.T, typ string, field *ast.Field, structs map[string]*ast.StructType) {
	t.Helper()
	tag, hasTag := "", false
	if field.Tag != nil {
		raw, err := strconv.Unquote(field.Tag.Value)
		require.NoError(t, err)
		tag, hasTag = reflect.StructTag(raw).Lookup("json")
	}
	names := field.Names
	if len(names) == 0 { // embedded
		if id, ok := field.Type.(*ast.Ident); ok && !hasTag && structs[id.Name] != nil {
			return // its fields join the parent object, and are checked with their own type
		}
		names = []*ast.Ident{ast.NewIdent(embeddedName(field.Type))}
	}
	for _, n := range names {
		if !n.IsExported() {
			continue
		}
		key, _, _ := strings.Cut(tag, ",")
		switch {
		case !hasTag:
			t.Errorf("%s.%s has no json tag", typ, n.Name)
		case key != "-" && !snakeCase.MatchString(key):
			t.Errorf("%s.%s: json key %q is not snake_case", typ, n.Name, key)
		}
	}
}

// embeddedName is the type name of an embedded field: T, *T or pkg.T.
func embeddedName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return embeddedName(e.X)
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.Ident:
		return e.Name
	}
	return ""
}

// packageStructs parses the package's non-test files and returns its
// exported struct types by name.
func packageStructs(t *testing.T) map[string]*ast.StructType {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	out := map[string]*ast.StructType{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.TYPE {
				continue
			}
			for _, spec := range gen.Specs {
				ts := spec.(*ast.TypeSpec)
				if st, ok := ts.Type.(*ast.StructType); ok && ts.Name.IsExported() {
					out[ts.Name.Name] = st
				}
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

// TestJSONTagConventions checks the options of every field's tag against
// the conventions of the wire format:
//
//   - omitempty leaves out empty strings, lists, maps and nil pointers but
//     never a struct or an array, such as a time, a Date, an ID or a
//     Hash: those take omitzero, which asks their IsZero. omitempty on one
//     shows only as "0001-01-01T00:00:00Z" or "" on the wire.
//   - Numbers are always there: 0 is a count, not a missing one.
//   - Money has no omit option: its IsZero is true for 0.00 USD, which
//     omitzero would drop, and the zero Money encodes as null anyway.
//   - A time.Duration is a number of nanoseconds, and its key says so
//     with _ns.
func TestJSONTagConventions(t *testing.T) {
	textMarshaler := reflect.TypeFor[encoding.TextMarshaler]()
	for _, s := range jsonSamples(t) {
		typ := reflect.TypeOf(s.value)
		for i := range typ.NumField() {
			f := typ.Field(i)
			if !f.IsExported() {
				continue
			}
			key, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			omit := slices.ContainsFunc(strings.Split(opts, ","), func(o string) bool { return o == "omitempty" || o == "omitzero" })
			ft := f.Type
			switch k := ft.Kind(); {
			case (k == reflect.Struct || k == reflect.Array) && slices.Contains(strings.Split(opts, ","), "omitempty"):
				t.Errorf("%s.%s: omitempty never leaves out a %s; use omitzero", s.name, f.Name, ft)
			case ft == reflect.TypeFor[crm.Money]() && omit:
				t.Errorf("%s.%s: a Money field takes no omit option", s.name, f.Name)
			case (reflect.Int <= k && k <= reflect.Float64) && !ft.Implements(textMarshaler) && omit:
				t.Errorf("%s.%s: a number is always there; drop %s", s.name, f.Name, opts)
			}
			if d := reflect.TypeFor[time.Duration](); (ft == d || ft == reflect.PointerTo(d)) && !strings.HasSuffix(key, "_ns") {
				t.Errorf("%s.%s: a duration's key ends in _ns, not %q", s.name, f.Name, key)
			}
		}
	}
}

// jsonDiff returns "" when got equals want as far as JSON can tell, or
// the first difference. A type with an Equal(T) bool method (time.Time,
// decimal.Decimal, crm.Money) is compared with it: 10.5 and 10.50 are one
// amount, and one instant in two zones is one time. A json.RawMessage is
// compared compacted, since decoding keeps the layout of the text it came
// from (an empty one is left out and comes back nil). Anything else is
// compared field by field and element by element, like reflect.DeepEqual;
// a nil and an empty slice or map differ.
func jsonDiff(path string, want, got reflect.Value) string {
	typ := want.Type()
	if got.Type() != typ {
		return fmt.Sprintf("%s: got a %s, want a %s", path, got.Type(), typ)
	}
	if typ == reflect.TypeFor[json.RawMessage]() {
		if want.Len() == 0 && got.Len() == 0 {
			return "" // left out
		}
		var w, g bytes.Buffer
		if json.Compact(&w, want.Bytes()) != nil || json.Compact(&g, got.Bytes()) != nil || w.String() != g.String() {
			return fmt.Sprintf("%s: got %s, want %s", path, got.Bytes(), want.Bytes())
		}
		return ""
	}
	if eq, ok := typ.MethodByName("Equal"); ok && want.CanInterface() && eq.Type.NumIn() == 2 && eq.Type.In(1) == typ &&
		eq.Type.NumOut() == 1 && eq.Type.Out(0).Kind() == reflect.Bool {
		if eq.Func.Call([]reflect.Value{want, got})[0].Bool() {
			return ""
		}
		return fmt.Sprintf("%s: got %v, want %v", path, got, want)
	}
	switch typ.Kind() {
	case reflect.Struct:
		for i := range typ.NumField() {
			if d := jsonDiff(path+"."+typ.Field(i).Name, want.Field(i), got.Field(i)); d != "" {
				return d
			}
		}
	case reflect.Pointer, reflect.Interface:
		if want.IsNil() || got.IsNil() {
			if want.IsNil() != got.IsNil() {
				return fmt.Sprintf("%s: got %v, want %v", path, got, want)
			}
			return ""
		}
		return jsonDiff(path, want.Elem(), got.Elem())
	case reflect.Slice, reflect.Map:
		if want.IsNil() != got.IsNil() || want.Len() != got.Len() {
			return fmt.Sprintf("%s: got %d elements (nil: %t), want %d (nil: %t)", path, got.Len(), got.IsNil(), want.Len(), want.IsNil())
		}
		if typ.Kind() == reflect.Map {
			for _, k := range want.MapKeys() {
				g := got.MapIndex(k)
				if !g.IsValid() {
					return fmt.Sprintf("%s: no key %v", path, k)
				}
				if d := jsonDiff(fmt.Sprintf("%s[%v]", path, k), want.MapIndex(k), g); d != "" {
					return d
				}
			}
			return ""
		}
		fallthrough
	case reflect.Array:
		for i := range want.Len() {
			if d := jsonDiff(fmt.Sprintf("%s[%d]", path, i), want.Index(i), got.Index(i)); d != "" {
				return d
			}
		}
	default:
		if !want.Equal(got) {
			return fmt.Sprintf("%s: got %v, want %v", path, got, want)
		}
	}
	return ""
}
