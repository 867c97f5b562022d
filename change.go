package crm

import (
	"encoding/json"
	"reflect"
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

// add records a change when from and to differ; zero values are left out
// of the JSON so a creation lists only what was set.
func (cs *changes) add(field string, from, to any) {
	if reflect.DeepEqual(from, to) {
		return
	}
	*cs = append(*cs, Change{Field: field, From: nonZero(from), To: nonZero(to)})
}

func nonZero(v any) any {
	if v == nil || reflect.ValueOf(v).IsZero() {
		return nil
	}
	return v
}
