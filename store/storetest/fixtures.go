package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/require"
)

// ids makes distinct UUIDv7-shaped IDs in increasing order.
type ids struct{ n uint64 }

func (g *ids) next() crm.ID {
	g.n++
	var id crm.ID
	binary.BigEndian.PutUint64(id[:8], uint64(epoch.UnixMilli())<<16|0x7000)
	binary.BigEndian.PutUint64(id[8:], 0x8000_0000_0000_0000|g.n)
	return id
}

func ts(minutes int) time.Time { return epoch.Add(time.Duration(minutes) * time.Minute) }

func sampleUser(id crm.ID, role crm.Role, team string) crm.User {
	return crm.User{ID: id, Name: "User " + id.String()[30:], Email: "u" + id.String()[30:] + "@example.com",
		Role: role, Team: team, Active: true, CreatedAt: ts(0), UpdatedAt: ts(0), Version: 1}
}

func sampleCustomer(id, owner crm.ID) crm.Customer {
	return crm.Customer{
		ID: id, Kind: crm.Distributor, Name: "Acme", Segment: "smb", Owner: owner, Team: "north",
		Status: crm.StatusActive, CreatedAt: ts(1), UpdatedAt: ts(1), Version: 1,
	}
}

func update(t *testing.T, s crm.Store, fn func(tx crm.Tx) error) {
	t.Helper()
	require.NoError(t, s.Update(context.Background(), fn))
}

func view(t *testing.T, s crm.Store, fn func(tx crm.ReadTx) error) {
	t.Helper()
	require.NoError(t, s.View(context.Background(), fn))
}

func getCustomer(t *testing.T, s crm.Store, id crm.ID) (crm.Customer, error) {
	t.Helper()
	var c crm.Customer
	err := s.View(context.Background(), func(tx crm.ReadTx) error {
		var err error
		c, err = tx.Customers().Get(context.Background(), id)
		return err
	})
	return c, err
}

func insertUsers(t *testing.T, s crm.Store, users ...crm.User) {
	t.Helper()
	update(t, s, func(tx crm.Tx) error {
		for _, u := range users {
			if err := tx.Users().Insert(context.Background(), u); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertCustomers(t *testing.T, s crm.Store, cs ...crm.Customer) {
	t.Helper()
	update(t, s, func(tx crm.Tx) error {
		for _, c := range cs {
			if err := tx.Customers().Insert(context.Background(), c); err != nil {
				return err
			}
		}
		return nil
	})
}

// event builds an event that continues head, with its data hashed as
// the CRM hashes it (SHA-256) so that crm.VerifyChain accepts it.
func event(head crm.LogHead, id crm.ID, subject crm.ID, data string) crm.Event {
	e := crm.Event{Seq: head.Seq + 1, ID: id, Time: ts(int(head.Seq)).Add(123456 * time.Microsecond),
		Actor: id, Type: crm.CustomerUpdated, Kind: crm.KindCustomer, Subject: subject, Version: head.Seq + 1,
		Data: []byte(data), DataHash: crm.Hash(sha256.Sum256([]byte(data))), PrevHash: head.Hash}
	e.Hash = e.ComputeHash()
	return e
}

func appendEvents(t *testing.T, s crm.Store, g *ids, subject crm.ID, data ...string) []crm.Event {
	t.Helper()
	var out []crm.Event
	update(t, s, func(tx crm.Tx) error {
		out = nil
		head, err := tx.Events().Head(context.Background())
		if err != nil {
			return err
		}
		for _, d := range data {
			e := event(head, g.next(), subject, d)
			out = append(out, e)
			head = crm.LogHead{Seq: e.Seq, Hash: e.Hash}
		}
		return tx.Events().Append(context.Background(), out)
	})
	return out
}
