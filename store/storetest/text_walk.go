package storetest

import (
	"fmt"
	"reflect"
)

// TextsOf walks a value in memory, unexported fields included, and
// returns every string and byte slice it holds with the path to it: the
// scan of a store that keeps everything in Go values, such as the memory
// store.
func TextsOf(v any) []HeldText {
	w := textWalker{seen: map[uintptr]bool{}}
	w.walk(reflect.ValueOf(v), "")
	return w.out
}

type textWalker struct {
	seen map[uintptr]bool
	out  []HeldText
}

func (w *textWalker) walk(v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); s != "" {
			w.out = append(w.out, HeldText{Where: path, Text: s})
		}
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return
		}
		w.seen[v.Pointer()] = true
		w.walk(v.Elem(), path)
	case reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem(), path)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			w.walk(v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Len() > 0 {
				w.out = append(w.out, HeldText{Where: path, Text: string(v.Bytes())})
			}
			return
		}
		for i := range v.Len() {
			w.walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			key := fmt.Sprint(iter.Key())
			if iter.Key().Kind() == reflect.String {
				key = iter.Key().String()
			}
			w.walk(iter.Key(), path+"{key}")
			w.walk(iter.Value(), path+"["+key+"]")
		}
	}
}
