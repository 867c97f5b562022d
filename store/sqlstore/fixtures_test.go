package sqlstore_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// newID returns a new UUIDv7: IDs made later sort later.
func newID(t testing.TB) crm.ID {
	t.Helper()
	id, err := uuid.NewV7()
	require.NoError(t, err)
	return crm.ID(id)
}

// at is a time with microseconds, in UTC, as the CRM gives the store.
func at(minute int) time.Time {
	return time.Date(2026, 3, 2, 9, minute, 7, 123456000, time.UTC)
}

func sampleCustomer(id, owner crm.ID) crm.Customer {
	return crm.Customer{ID: id, Kind: crm.Distributor, Name: "Acme", Segment: "smb", Owner: owner, Team: "north",
		Status: crm.StatusActive, CreatedAt: at(1), UpdatedAt: at(1), Version: 1}
}

func sampleUser(id crm.ID) crm.User {
	return crm.User{ID: id, Name: "Ann", Email: "ann@example.com", Role: crm.RoleRep, Team: "north", Active: true,
		CreatedAt: at(0), UpdatedAt: at(0), Version: 1}
}

func insertCustomer(ctx context.Context, s crm.Store, c crm.Customer) error {
	return s.Update(ctx, func(tx crm.Tx) error { return tx.Customers().Insert(ctx, c) })
}

func getCustomer(ctx context.Context, s crm.Store, id crm.ID) (crm.Customer, error) {
	var c crm.Customer
	err := s.View(ctx, func(tx crm.ReadTx) error {
		var err error
		c, err = tx.Customers().Get(ctx, id)
		return err
	})
	return c, err
}

func listCustomers(ctx context.Context, t *testing.T, s crm.Store, f crm.CustomerFilter) []crm.Customer {
	t.Helper()
	var out []crm.Customer
	require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
		var err error
		out, err = tx.Customers().List(ctx, f, crm.PageRequest{})
		return err
	}))
	return out
}

// chain builds events that continue head, one per data.
func chain(t *testing.T, head crm.LogHead, subject crm.ID, data ...string) []crm.Event {
	t.Helper()
	var out []crm.Event
	for i, d := range data {
		e := crm.Event{Seq: head.Seq + 1, ID: newID(t), Time: at(10 + i), Actor: newID(t), Type: crm.CustomerUpdated,
			Kind: crm.KindCustomer, Subject: subject, Version: int64(i + 1), Data: []byte(d),
			DataHash: crm.Hash(sha256.Sum256([]byte(d))), PrevHash: head.Hash}
		e.Hash = e.ComputeHash()
		out = append(out, e)
		head = crm.LogHead{Seq: e.Seq, Hash: e.Hash}
	}
	return out
}

func appendEvents(ctx context.Context, t *testing.T, s crm.Store, subject crm.ID, data ...string) []crm.Event {
	t.Helper()
	var out []crm.Event
	require.NoError(t, s.Update(ctx, func(tx crm.Tx) error {
		head, err := tx.Events().Head(ctx)
		if err != nil {
			return err
		}
		out = chain(t, head, subject, data...)
		return tx.Events().Append(ctx, out)
	}))
	return out
}

func readEvents(ctx context.Context, t *testing.T, s crm.Store) []crm.Event {
	t.Helper()
	var out []crm.Event
	require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
		var err error
		out, err = tx.Events().After(ctx, 0, crm.MaxPageSize)
		return err
	}))
	return out
}
