package crm

import (
	"encoding/json"
	"reflect"
	"slices"
)

// Change is one field's move from one value to another, as recorded in an
// event: what changed, for the audit trail.
type Change struct {
	Field string `json:"field"`
	From  any    `json:"from,omitempty"`
	To    any    `json:"to,omitempty"`
}

// ChangeSet is the payload of most events: the changes, and the reason
// the actor gave.
type ChangeSet struct {
	Changes []Change `json:"changes,omitempty"`
	Reason  string   `json:"reason,omitempty"`
}

// DecodeChangeSet reads the payload of an event whose data is a ChangeSet.
func DecodeChangeSet(data json.RawMessage) (ChangeSet, error) {
	var cs ChangeSet
	if err := json.Unmarshal(data, &cs); err != nil {
		return ChangeSet{}, invalid("data", "format", err.Error())
	}
	return cs, nil
}

type changes []Change

// add records a change when from and to differ. Empty values (an empty
// string, a nil slice, map or pointer) are left out of the JSON, so a
// creation lists only what was set; false and 0 are values and stay.
func (cs *changes) add(field string, from, to any) {
	if reflect.DeepEqual(from, to) {
		return
	}
	*cs = append(*cs, Change{Field: field, From: present(from), To: present(to)})
}

func present(v any) any {
	if v == nil {
		return nil
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		if rv.Len() == 0 {
			return nil
		}
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
	}
	return v
}

// The typed forms of add compare without reflection and box a value only
// when it changed; what they record is what add records.

// text records a change of a text; an empty text is left out.
func (cs *changes) text(field, from, to string) {
	if from != to {
		*cs = append(*cs, Change{Field: field, From: textValue(from), To: textValue(to)})
	}
}

func textValue(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// flag records a change of a boolean.
func (cs *changes) flag(field string, from, to bool) {
	if from != to {
		*cs = append(*cs, Change{Field: field, From: from, To: to})
	}
}

// id records a change of a reference as its text; the zero ID is left
// out.
func (cs *changes) id(field string, from, to ID) {
	if from != to {
		cs.text(field, idText(from), idText(to))
	}
}

// texts records a change of a list; an empty list is left out. A nil
// list and an empty one differ, as they do to add.
func (cs *changes) texts(field string, from, to []string) {
	if (from == nil) == (to == nil) && slices.Equal(from, to) {
		return
	}
	list := func(v []string) any {
		if len(v) == 0 {
			return nil
		}
		return v
	}
	*cs = append(*cs, Change{Field: field, From: list(from), To: list(to)})
}
