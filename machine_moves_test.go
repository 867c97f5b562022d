package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// move is a row of a machine's table test: from a state, by an event, to
// a state, or "" when the machine refuses the move.
type move[S, E ~string] struct {
	from S
	move E
	to   S
}

// checkMoves runs each move on m as a subtest (then more, if given, on
// the state a move allowed reaches), and requires every row of m's table
// to explain who makes the move, when and why.
func checkMoves[S, E ~string](t *testing.T, m *crm.Machine[S, E], moves []move[S, E], more func(t *testing.T, to S)) {
	t.Helper()
	for _, tc := range moves {
		t.Run(string(tc.from)+"/"+string(tc.move), func(t *testing.T) {
			to, err := m.Next(tc.from, tc.move)
			if tc.to == "" {
				assert.ErrorIs(t, err, crm.ErrInvalidTransition)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.to, to)
			if more != nil {
				more(t, to)
			}
		})
	}
	for _, tr := range m.Table() {
		assert.NotEmpty(t, tr.Who, "%s from %s explains who", tr.Event, tr.From)
		assert.NotEmpty(t, tr.When, "%s from %s explains when", tr.Event, tr.From)
		assert.NotEmpty(t, tr.Why, "%s from %s explains why", tr.Event, tr.From)
	}
}
