package crm

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/crmkit/crm/internal/wide"
)

// LedgerCheckpoint is where a verification of the ledger stopped: the
// last event of the log it read (its place and hash), how many entries it
// had verified, and every account's balance over those entries (the
// running totals, without the zero ones, in the order Balances lists
// them). VerifySince goes on from it. Keep it where whoever can write the
// store cannot, as an event log Checkpoint; the zero LedgerCheckpoint is
// the beginning of the ledger.
type LedgerCheckpoint struct {
	Seq      int64     `json:"seq"`
	Hash     Hash      `json:"hash,omitzero"`
	Entries  int64     `json:"entries"`
	Balances []Balance `json:"balances" privacy:"none"`
}

// IsZero reports whether cp is the beginning of the ledger.
func (cp LedgerCheckpoint) IsZero() bool {
	return cp.Seq == 0 && cp.Entries == 0 && len(cp.Balances) == 0
}

// VerifySince verifies what was posted after a checkpoint it returned
// before, and returns the checkpoint to go on from next time; from the
// zero checkpoint it verifies the whole ledger as Verify does, and
// returns its first checkpoint. It checks that the log still holds the
// event the checkpoint names with its hash, that the events after it are
// chained to it and each ledger.posted event's data is what its hash
// says (a *ChainError otherwise); that every entry those events recorded
// is in the ledger as its event says, balances, is the only one with its
// idempotency key, names documents of its customer and currency, and, a
// reversal, mirrors the entry it reverses, which is no reversal and
// reversed by it alone; for every customer those entries touched, that
// the store's balances are the checkpoint's plus those entries' and that
// none of the items they moved is overdrawn; and that every currency's
// balances add up to zero. Its cost grows with the entries posted since
// (and the customers and items they touched), not with the ledger.
//
// What was changed before the checkpoint, an entry added without its
// event for a customer no entry since touched, and open items that do
// not add up to their balances are the full verification's to find: run
// Verify now and then, as Events.Verify for the log.
func (c *LedgerService) VerifySince(ctx context.Context, actor ID, since LedgerCheckpoint) (LedgerCheckpoint, error) {
	if since.IsZero() {
		return c.verifyAll(ctx, actor)
	}
	if since.Seq < 0 || since.Entries < 0 {
		return LedgerCheckpoint{}, invalid("since", "checkpoint", "a checkpoint that VerifySince returned")
	}
	if err := c.sealAll(ctx); err != nil {
		return LedgerCheckpoint{}, err
	}
	var out LedgerCheckpoint
	err := c.ledgerWide(ctx, actor, func(tx ReadTx) error {
		v := &sinceScan{ledgerScan: newLedgerScan(), tx: tx, touched: map[ID][]ID{}}
		v.totals.items = nil // only balances are carried from one checkpoint to the next
		v.head = LogHead{Seq: since.Seq, Hash: since.Hash}
		for _, b := range since.Balances {
			k := balanceKey{b.Account, b.Customer, b.Amount.Currency()}
			t := v.totals.balances[k]
			x, ok := wideOf(b.Amount)
			if !ok || k.account == "" {
				return invalid("since", "checkpoint", "a checkpoint that VerifySince returned")
			}
			t.sum.AddInt(x)
			v.totals.balances[k] = t
		}
		if err := v.run(ctx); err != nil {
			return err
		}
		out = v.totals.checkpoint(v.head, since.Entries+v.entries)
		return nil
	})
	return out, err
}

// sinceScan verifies the entries of the events after a checkpoint.
type sinceScan struct {
	*ledgerScan
	tx      ReadTx
	touched map[ID][]ID // the customers whose accounts the entries moved, and the items they moved
}

func (v *sinceScan) run(ctx context.Context) error {
	if v.head.Seq > 0 {
		events, err := v.tx.Events().After(ctx, v.head.Seq-1, 1)
		if err != nil {
			return err
		}
		if len(events) == 0 || events[0].Seq != v.head.Seq || events[0].Hash != v.head.Hash {
			return &LedgerError{Problem: fmt.Sprintf("the log no longer holds event #%d as the checkpoint names it", v.head.Seq)}
		}
	}
	for {
		events, err := v.tx.Events().After(ctx, v.head.Seq, MaxPageSize)
		if err != nil {
			return err
		}
		for i := range events {
			e := &events[i]
			if e.PrevHash != v.head.Hash || e.Hash != e.ComputeHash() {
				return &ChainError{Seq: e.Seq, Problem: "the event is not chained to the one before"}
			}
			if e.Type == LedgerPosted && !e.Redacted && dataDigest(e.DataSalt, e.Data) != e.DataHash {
				return &ChainError{Seq: e.Seq, Problem: "the event's data is not what its hash says"}
			}
			v.head = LogHead{Seq: e.Seq, Hash: e.Hash}
			if e.Type == LedgerPosted {
				if err := v.posted1(ctx, e); err != nil {
					return err
				}
			}
		}
		if len(events) < MaxPageSize {
			break
		}
	}
	for customer, items := range v.touched {
		if err := v.customer(ctx, customer, items); err != nil {
			return err
		}
	}
	return v.totals.balanced(nil)
}

// posted1 verifies the entry a ledger.posted event recorded.
func (v *sinceScan) posted1(ctx context.Context, ev *Event) error {
	l := v.tx.Ledger()
	e, err := l.Entry(ctx, ev.Subject)
	if errors.Is(err, ErrNotFound) {
		return &LedgerError{Entry: ev.Subject, Problem: fmt.Sprintf("event #%d recorded an entry the ledger does not hold", ev.Seq)}
	}
	if err != nil {
		return err
	}
	if err := e.Check(); err != nil {
		return &LedgerError{Entry: e.ID, Problem: err.Error()}
	}
	if !v.says(&e, ev) {
		return &LedgerError{Entry: e.ID, Problem: fmt.Sprintf("the entry is not what its event #%d recorded", ev.Seq)}
	}
	if e.IdempotencyKey != "" {
		if other, err := l.EntryByKey(ctx, e.IdempotencyKey); err != nil || other.ID != e.ID {
			return &LedgerError{Entry: e.ID, Problem: fmt.Sprintf("idempotency key %q is not the entry's alone", e.IdempotencyKey)}
		}
	}
	if !e.Reverses.IsZero() {
		if err := v.reversal(ctx, e); err != nil {
			return err
		}
	}
	find := inStore(ctx, v.tx)
	for _, p := range e.Postings {
		if err := checkDocument(find, p); err != nil {
			return atEntry(e.ID, err)
		}
		if p.Account.PerCustomer() {
			v.touched[p.Customer] = append(v.touched[p.Customer], p.Item)
		}
	}
	v.totals.add(&e)
	v.entries++
	return nil
}

// reversal checks a reversal against the entry it reverses.
func (v *sinceScan) reversal(ctx context.Context, e Entry) error {
	broken := func(format string, args ...any) error {
		return &LedgerError{Entry: e.ID, Problem: fmt.Sprintf(format, args...)}
	}
	orig, err := v.tx.Ledger().Entry(ctx, e.Reverses)
	switch {
	case errors.Is(err, ErrNotFound):
		return broken("reverses entry %s, which does not exist", e.Reverses)
	case err != nil:
		return err
	case orig.Kind == EntryReversal:
		return broken("reverses a reversal")
	}
	if r, err := v.tx.Ledger().ReversalOf(ctx, e.Reverses); err != nil || r.ID != e.ID {
		return broken("reverses entry %s, which another entry reverses", e.Reverses)
	}
	s := v.ledgerScan
	s.buf = appendPostingsDigest(s.buf[:0], orig.Postings, false)
	want := sha256.Sum256(s.buf)
	s.buf = appendPostingsDigest(s.buf[:0], e.Postings, true)
	if sha256.Sum256(s.buf) != want {
		return broken("does not mirror the entry it reverses")
	}
	return nil
}

// customer checks a touched customer's balances in the store against the
// totals, and that none of the items the entries moved is overdrawn.
// That the customer's open items add up to their balances, which needs
// all of them, is Verify's to check.
func (v *sinceScan) customer(ctx context.Context, customer ID, items []ID) error {
	stored, err := v.tx.Ledger().BalancesOf(ctx, customer)
	if err != nil {
		return err
	}
	want := map[balanceKey]wide.Int{}
	for k, b := range v.totals.balances {
		if k.customer == customer && k.account.PerCustomer() && !b.sum.IsZero() {
			want[k] = b.sum
		}
	}
	if !v.sameBalances(stored, want) {
		// Entries committed after the log was sealed, their events
		// waiting for their place, are in the store's balances but not
		// in the totals yet.
		if err := v.addPending(ctx, customer, want); err != nil {
			return err
		}
		if !v.sameBalances(stored, want) {
			return &LedgerError{Problem: fmt.Sprintf("the store's balances of customer %s differ from those of the entries", customer)}
		}
	}
	open, err := v.tx.Ledger().OpenItemsOf(ctx, customer, items, Date{})
	if err != nil {
		return err
	}
	for _, it := range open {
		if (it.Account == AccountReceivable && it.Open.IsNegative()) || (it.Account == AccountCredit && it.Open.IsPositive()) {
			return &LedgerError{Problem: fmt.Sprintf("item %s of customer %s is overdrawn: %s", it.Item, it.Customer, it.Open)}
		}
	}
	return nil
}

// sameBalances reports whether the store's balances of a customer are
// want, the non-zero ones.
func (v *sinceScan) sameBalances(stored []Balance, want map[balanceKey]wide.Int) bool {
	n := 0
	for _, b := range stored {
		w, ok := want[balanceKey{b.Account, b.Customer, b.Amount.Currency()}]
		if !ok || !sameAmount(w, b.Amount) {
			return false
		}
		n++
	}
	for _, w := range want {
		if w.IsZero() {
			n++
		}
	}
	return n == len(want)
}

// addPending adds to want the postings of the customer's entries whose
// ledger.posted events await their place in the log.
func (v *sinceScan) addPending(ctx context.Context, customer ID, want map[balanceKey]wide.Int) error {
	page := PageRequest{Limit: MaxPageSize}
	for {
		entries, err := v.tx.Ledger().Entries(ctx, EntryFilter{Customer: customer}, page)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if _, waiting := unsealedPosting(ctx, v.tx, e.ID); !waiting {
				continue
			}
			for _, p := range e.Postings {
				if k := (balanceKey{p.Account, p.Customer, p.Amount.Currency()}); p.Customer == customer && p.Account.PerCustomer() {
					x := want[k]
					x.Add(minorOf(p.Amount))
					want[k] = x
				}
			}
		}
		if len(entries) < page.Limit {
			return nil
		}
		page.After = entries[len(entries)-1].ID
	}
}
