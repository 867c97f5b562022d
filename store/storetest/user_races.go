package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// userRaceTrials is how many times each race is run: bounded by count,
// so that the suite's time does not depend on the machine.
const userRaceTrials = 6

// runUserRaces races what a user may do against changes to the user:
// on every store, a user's state is ordered with the writes it decides.
// The log's order is the commit order, so it tells what happened first.
func runUserRaces(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()

	t.Run("BootstrapMakesOneAdmin", func(t *testing.T) {
		for trial := range userRaceTrials {
			s := newStore(t)
			c, err := crm.New(s, crm.WithRandom(rand.NewChaCha8([32]byte{byte(trial)})))
			require.NoError(t, err)
			errs := race(16, func(i int) error {
				_, err := c.Users.Bootstrap(ctx, crm.NewUser{Name: fmt.Sprintf("Admin %d", i)})
				return err
			})
			made := 0
			for _, err := range errs {
				if err == nil {
					made++
					continue
				}
				require.ErrorIs(t, err, crm.ErrConflict, "a bootstrap that loses the race is a conflict")
			}
			require.Equal(t, 1, made, "trial %d: one bootstrap wins", trial)
			var users []crm.User
			require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
				users, err = tx.Users().List(ctx, crm.UserFilter{}, crm.PageRequest{Limit: 100})
				return err
			}))
			require.Len(t, users, 1, "trial %d: exactly one admin", trial)
		}
	})

	t.Run("DeactivationWaitsForWritesInFlight", func(t *testing.T) {
		for trial := range userRaceTrials {
			tm := NewTeam(t, newStore(t))
			const writers = 8
			errs := race(writers+1, func(i int) error {
				if i == writers {
					_, err := tm.Users.Deactivate(ctx, tm.Admin.ID, crm.DeactivateUserRequest{User: tm.Ann.ID, Reason: "left"})
					return err
				}
				for j := range 3 {
					_, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprintf("W%d-%d", i, j)})
					if errors.Is(err, crm.ErrForbidden) {
						return nil // deactivated before this write: refused, as it should be
					}
					if err != nil {
						return err
					}
				}
				return nil
			})
			for _, err := range errs {
				require.NoError(t, err)
			}
			events := allEvents(t, tm.CRM)
			deactivated := seqOf(t, events, crm.UserDeactivated, tm.Ann.ID)
			for _, e := range events {
				if e.Actor == tm.Ann.ID {
					assert.Less(t, e.Seq, deactivated, "trial %d: %s by Ann committed after she was deactivated (#%d)", trial, e.Type, deactivated)
				}
			}
		}
	})

	t.Run("NobodyGetsRecordsAfterDeactivation", func(t *testing.T) {
		for trial := range userRaceTrials {
			tm := NewTeam(t, newStore(t))
			for i := range 4 {
				_, err := tm.Customers.Create(ctx, tm.Ann.ID, crm.NewCustomer{Kind: crm.Partner, Name: fmt.Sprintf("A%d", i)})
				require.NoError(t, err)
			}
			errs := race(2, func(i int) error {
				if i == 0 {
					_, err := tm.Users.Deactivate(ctx, tm.Admin.ID, crm.DeactivateUserRequest{User: tm.Ben.ID, Reason: "left"})
					return err
				}
				_, err := tm.Customers.HandOver(ctx, tm.Manager.ID, crm.HandOverRequest{From: tm.Ann.ID, To: tm.Ben.ID, Reason: "cover"})
				if errors.Is(err, crm.ErrInvalid) {
					return nil // Ben was deactivated first: nobody is handed to him
				}
				return err
			})
			for _, err := range errs {
				require.NoError(t, err)
			}
			events := allEvents(t, tm.CRM)
			deactivated := seqOf(t, events, crm.UserDeactivated, tm.Ben.ID)
			for _, e := range events {
				if e.Type == crm.CustomerReassigned {
					assert.Less(t, e.Seq, deactivated, "trial %d: a customer was handed to Ben after he was deactivated", trial)
				}
			}
		}
	})
}

// allEvents reads the whole log.
func allEvents(t *testing.T, c *crm.CRM) []crm.Event {
	t.Helper()
	var out []crm.Event
	for e, err := range c.Events.Feed(context.Background(), 0) {
		require.NoError(t, err)
		out = append(out, e)
	}
	return out
}

// seqOf returns the position of the one event of type typ about subject.
func seqOf(t *testing.T, events []crm.Event, typ crm.EventType, subject crm.ID) int64 {
	t.Helper()
	for _, e := range events {
		if e.Type == typ && e.Subject == subject {
			return e.Seq
		}
	}
	require.Failf(t, "no such event", "%s of %s", typ, subject)
	return 0
}
