package crm_test

import (
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecordMachine(t *testing.T) {
	m := crm.CustomerRecordMachine()
	for _, tc := range []struct {
		from crm.RecordStatus
		move crm.RecordEvent
		to   crm.RecordStatus
		ok   bool
	}{
		{crm.StatusActive, crm.Archive, crm.StatusArchived, true},
		{crm.StatusArchived, crm.Restore, crm.StatusActive, true},
		{crm.StatusActive, crm.Update, crm.StatusActive, true},
		{crm.StatusActive, crm.Reassign, crm.StatusActive, true},
		{crm.StatusArchived, crm.Reassign, crm.StatusArchived, true},
		{crm.StatusArchived, crm.Archive, "", false},
		{crm.StatusActive, crm.Restore, "", false},
		{crm.StatusArchived, crm.Update, "", false},
		{"deleted", crm.Restore, "", false},
		{crm.StatusActive, crm.Pool, crm.StatusPooled, true},
		{crm.StatusPooled, crm.Claim, crm.StatusActive, true},
		{crm.StatusPooled, crm.Reassign, crm.StatusActive, true},
		{crm.StatusArchived, crm.Pool, "", false},
		{crm.StatusActive, crm.Claim, "", false},
		{crm.StatusPooled, crm.Update, "", false},
		{crm.StatusPooled, crm.Pool, "", false},
	} {
		t.Run(string(tc.from)+"/"+string(tc.move), func(t *testing.T) {
			to, err := m.Next(tc.from, tc.move)
			assert.Equal(t, tc.ok, m.Can(tc.from, tc.move))
			if !tc.ok {
				var te *crm.TransitionError
				require.ErrorAs(t, err, &te)
				assert.ErrorIs(t, err, crm.ErrInvalidTransition)
				assert.Equal(t, "customer_record", te.Machine)
				assert.Equal(t, string(tc.from), te.From)
				assert.Equal(t, string(tc.move), te.Event)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.to, to)
		})
	}
	for _, tr := range m.Table() {
		assert.NotEmpty(t, tr.Who, "%s explains who", tr.Event)
		assert.NotEmpty(t, tr.When, "%s explains when", tr.Event)
		assert.NotEmpty(t, tr.Why, "%s explains why", tr.Event)
	}
	assert.Equal(t, []crm.RecordEvent{crm.Archive, crm.Update, crm.Reassign, crm.Pool}, m.Events(crm.StatusActive))
}

func TestNewMachineRejects(t *testing.T) {
	type S string
	type E string
	_, err := crm.NewMachine[S, E]("m", "a",
		crm.Transition[S, E]{From: "a", Event: "go", To: "b"},
		crm.Transition[S, E]{From: "a", Event: "go", To: "c"})
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "unique", ve.Rule)
	_, err = crm.NewMachine[S, E]("m", "a", crm.Transition[S, E]{From: "a", To: "b"})
	assert.ErrorIs(t, err, crm.ErrInvalid)
}

func TestMachineDiagrams(t *testing.T) {
	type S string
	type E string
	m, err := crm.NewMachine[S, E]("door", "closed",
		crm.Transition[S, E]{From: "closed", Event: "open", To: "open", Who: "anyone", Why: "to get in"},
		crm.Transition[S, E]{From: "open", Event: "close", To: "closed"},
		crm.Transition[S, E]{From: "closed", Event: "lock", To: "locked: \"tight\"", When: "at night"},
	)
	require.NoError(t, err)
	assert.Equal(t, `stateDiagram-v2
    state "locked  'tight'" as s2
    [*] --> closed
    %% who: anyone; why: to get in
    closed --> open: open
    open --> closed: close
    %% when: at night
    closed --> s2: lock
`, m.Mermaid())
	assert.Equal(t, `digraph "door" {
    rankdir=LR;
    node [shape=box, style=rounded];
    __start [shape=point];
    __start -> "closed";
    "closed" -> "open" [label="open", tooltip="who: anyone; why: to get in"];
    "open" -> "closed" [label="close"];
    "closed" -> "locked: \"tight\"" [label="lock", tooltip="when: at night"];
}
`, m.DOT())
}

func ExampleMachine_Mermaid() {
	fmt.Print(crm.CustomerRecordMachine().Mermaid())
	// Output:
	// stateDiagram-v2
	//     [*] --> active
	//     %% who: the owner, a manager of the owner's team, or an admin; when: the company stops working with the customer, or the record is a duplicate; why: takes the customer out of working lists while keeping every record and its history
	//     active --> archived: archive
	//     %% who: a manager of the owner's team or an admin; when: the customer comes back or was archived by mistake; why: records are never deleted, so a customer can always return with their history
	//     archived --> active: restore
	//     %% who: the owner, a manager of the owner's team, or an admin; never a deactivated user; when: anything about the customer changes: name, contacts, segment, tags, attributes; why: an archived record is frozen until restored, so its history ends where it left
	//     active --> active: update
	//     %% who: a manager of the team or an admin; when: the owner leaves or the accounts are rebalanced; why: the customer belongs to the company, not to the rep who found them
	//     active --> active: reassign
	//     %% who: a manager of the team or an admin; when: a departed owner's customers are handed over, archived ones included; why: no record is left owned by someone who can no longer act on it
	//     archived --> archived: reassign
	//     %% who: the public pool sweep (CustomerService.ReturnIdle), run by an admin or a manager; when: the owner logged no activity with the customer for the pool rule's days; why: a customer nobody follows up is lost; in the team's pool another rep can take them on
	//     active --> pooled: pool
	//     %% who: a rep or a manager of the customer's team, or an admin; when: someone wants to work the customer; why: first come, first served, and recorded: the pool is worked, not hoarded
	//     pooled --> active: claim
	//     %% who: a manager of the team or an admin; when: a manager gives a pooled customer to a rep; why: the manager decides who works the pool when nobody claims
	//     pooled --> active: reassign
}
