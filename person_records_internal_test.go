package crm

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// subjectLog is an EventReader that knows some records' events.
type subjectLog struct {
	EventReader
	events map[recordRef][]Event
}

func (l subjectLog) Subject(_ context.Context, kind Kind, id ID) ([]Event, error) {
	return l.events[recordRef{kind, id}], nil
}

// TestSubjectEventsInLogOrder merges the events of several records into
// log order: sealed ones by Seq, then those not sealed yet (Seq 0) by time
// and ID, each event once however many records name it.
func TestSubjectEventsInLogOrder(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ev := func(id byte, seq int64, minute int) Event {
		return Event{ID: ID{id}, Seq: seq, Time: at.Add(time.Duration(minute) * time.Minute)}
	}
	customer, deal := recordRef{KindCustomer, ID{1}}, recordRef{KindDeal, ID{2}}
	log := subjectLog{events: map[recordRef][]Event{
		customer: {ev(10, 1, 0), ev(13, 4, 3), ev(16, 0, 9)},
		deal:     {ev(11, 2, 1), ev(13, 4, 3), ev(15, 0, 8), ev(14, 0, 8)},
	}}
	got, err := subjectEvents(context.Background(), log, []recordRef{customer, deal, {KindCase, ID{3}}})
	require.NoError(t, err)
	var ids []byte
	for _, e := range got {
		ids = append(ids, e.ID[0])
	}
	assert.Equal(t, []byte{10, 11, 13, 14, 15, 16}, ids)
}
