package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/crmkit/crm"
)

// BenchVerify measures LedgerService.Verify, and LedgerService.VerifySince
// from a checkpoint 1,000 entries back, over ledgers of each of sizes
// entries (invoices, payments, their allocations and now and then a
// reversal, of 1,000 customers), each entry with the ledger.posted event
// that the CRM records with it, loaded through the port in batches. It
// reports the time per entry of the ledger (Full) or per entry verified
// (Since1000).
//
//	go test -run '^$' -bench 'Verify/(1000|10000|100000)/' -benchmem ./store/memory
func BenchVerify(b *testing.B, newStore func(b *testing.B) crm.Store, sizes ...int) {
	ctx := context.Background()
	for _, n := range sizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			tm := NewTeam(b, newStore(b))
			l := newVerifyLoad(b, tm)
			l.load(b, n-1000)
			cp, err := tm.Ledger.VerifySince(ctx, tm.Admin.ID, crm.LedgerCheckpoint{})
			if err != nil {
				b.Fatal(err)
			}
			l.load(b, 1000)
			b.Run("Full", func(b *testing.B) {
				b.ReportAllocs()
				for range b.N {
					if err := tm.Ledger.Verify(ctx, tm.Admin.ID); err != nil {
						b.Fatal(err)
					}
				}
				perEntry(b, l.entries)
			})
			b.Run("Since1000", func(b *testing.B) {
				b.ReportAllocs()
				for range b.N {
					if _, err := tm.Ledger.VerifySince(ctx, tm.Admin.ID, cp); err != nil {
						b.Fatal(err)
					}
				}
				perEntry(b, 1000)
			})
		})
	}
}

// perEntry reports the time and the bytes allocated per entry of the
// ledger.
func perEntry(b *testing.B, entries int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(entries), "ns/entry")
}

// verifyLoad writes a ledger with its events, continuing where it left.
type verifyLoad struct {
	tm        *Team
	g         *ids
	usd       crm.Currency
	customers []crm.ID
	head      crm.LogHead
	entries   int
	step      int
	last      []crm.Entry // per customer, their last allocation, to be reversed
}

func newVerifyLoad(b *testing.B, tm *Team) *verifyLoad {
	b.Helper()
	ctx := context.Background()
	usd, _ := crm.ParseCurrency("USD")
	l := &verifyLoad{tm: tm, g: &ids{n: 1 << 42}, usd: usd, customers: make([]crm.ID, 1000), last: make([]crm.Entry, 1000)}
	err := tm.Store.Update(ctx, func(tx crm.Tx) error {
		for i := range l.customers {
			c := sampleCustomer(l.g.next(), tm.Ann.ID)
			l.customers[i] = c.ID
			if err := tx.Customers().Insert(ctx, c); err != nil {
				return err
			}
		}
		var err error
		l.head, err = tx.Events().Head(ctx)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// postedEvent is the data of a ledger.posted event, as the CRM writes it.
type postedEvent struct {
	Kind      crm.EntryKind `json:"kind"`
	Customer  crm.ID        `json:"customer"`
	Document  string        `json:"document,omitempty"`
	Effective crm.Date      `json:"effective"`
	Postings  []crm.Posting `json:"postings"`
	Reverses  string        `json:"reverses,omitempty"`
}

// load adds about n entries, 10,000 per transaction: per step, an
// invoice, a payment of it and the allocation of the one to the other;
// every tenth allocation is reversed.
func (l *verifyLoad) load(b *testing.B, n int) {
	b.Helper()
	ctx := context.Background()
	for done := 0; done < n; {
		err := l.tm.Store.Update(ctx, func(tx crm.Tx) error {
			var events []crm.Event
			post := func(e crm.Entry) error {
				e.RecordedAt, e.RecordedBy = epoch, l.tm.Admin.ID
				if err := tx.Ledger().Append(ctx, e); err != nil {
					return err
				}
				ev := postedEvent{Kind: e.Kind, Customer: e.Customer, Effective: e.Effective, Postings: e.Postings}
				if !e.Document.IsZero() {
					ev.Document = e.Document.String()
				}
				if !e.Reverses.IsZero() {
					ev.Reverses = e.Reverses.String()
				}
				data, err := json.Marshal(ev)
				if err != nil {
					return err
				}
				events = append(events, crm.Event{Seq: l.head.Seq + 1, ID: l.g.next(), Time: epoch, Actor: l.tm.Admin.ID, Type: crm.LedgerPosted,
					Kind: crm.KindEntry, Subject: e.ID, Version: 1, Data: data, DataHash: crm.Hash(sha256.Sum256(data)), PrevHash: l.head.Hash})
				last := &events[len(events)-1]
				last.Hash = last.ComputeHash()
				l.head = crm.LogHead{Seq: last.Seq, Hash: last.Hash}
				l.entries++
				done++
				return nil
			}
			for stop := min(done+10_000, n); done < stop; {
				if err := l.next(ctx, tx, post); err != nil {
					return err
				}
			}
			return tx.Events().Append(ctx, events)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// next posts one step for the next customer.
func (l *verifyLoad) next(ctx context.Context, tx crm.Tx, post func(crm.Entry) error) error {
	i := l.step % len(l.customers)
	customer := l.customers[i]
	l.step++
	day := crm.DateOf(epoch).AddDays(l.step % 365)
	amount := int64(1000 + l.step%9000)
	inv := crm.Invoice{ID: l.g.next(), Customer: customer, Number: fmt.Sprint("V-", l.step), Currency: l.usd, Issued: day, Due: day.AddDays(30),
		Entry: l.g.next(), CreatedAt: epoch, Version: 1, Net: crm.MoneyFromMinor(amount, l.usd), Tax: crm.Zero(l.usd), Total: crm.MoneyFromMinor(amount, l.usd)}
	pay := crm.Credit{ID: l.g.next(), Customer: customer, Kind: crm.CreditPayment, Amount: crm.MoneyFromMinor(amount, l.usd), Received: day,
		Entry: l.g.next(), CreatedAt: epoch, Version: 1}
	if err := tx.Invoices().Insert(ctx, inv); err != nil {
		return err
	}
	if err := tx.Credits().Insert(ctx, pay); err != nil {
		return err
	}
	alloc := crm.Entry{ID: l.g.next(), Kind: crm.EntryAllocation, Customer: customer, Document: pay.ID, Effective: day,
		Postings: []crm.Posting{credit(pay, amount), receivable(inv, -amount)}}
	for _, e := range []crm.Entry{
		{ID: inv.Entry, Kind: crm.EntryInvoice, Customer: customer, Document: inv.ID, Effective: day, IdempotencyKey: "v" + inv.ID.String(),
			Postings: []crm.Posting{receivable(inv, amount), company(crm.AccountRevenue, -amount, l.usd)}},
		{ID: pay.Entry, Kind: crm.EntryPayment, Customer: customer, Document: pay.ID, Effective: day,
			Postings: []crm.Posting{company(crm.AccountCash, amount, l.usd), credit(pay, -amount)}},
		alloc,
	} {
		if err := post(e); err != nil {
			return err
		}
	}
	if l.step%10 == 0 && !l.last[i].ID.IsZero() {
		if err := post(l.last[i].Reversal(l.g.next(), day, time.Time{}, crm.ID{}, "")); err != nil {
			return err
		}
		l.last[i] = crm.Entry{}
		return nil
	}
	l.last[i] = alloc
	return nil
}
