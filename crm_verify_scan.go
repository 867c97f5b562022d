package crm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Verify checks every invariant of the receivables ledger: each
// entry balances per currency; a reversal mirrors the entry it reverses,
// which is not itself a reversal and is reversed once; idempotency keys
// are unique; every receivable item is an invoice of that customer and
// currency and every credit item a payment or credit note; no invoice is
// overpaid and no credit overdrawn; the store's open items and balances
// equal those recomputed from the entries; the open items of each
// customer add up to their account balances; and every currency's
// balances add up to zero; and every entry is what the ledger.posted event
// that recorded it says, and every such event has its entry.
//
// It reads the log and the entries once each, a page at a time, keeping
// two digests per entry rather than the entries, and asks the store for
// its open items and balances once; VerifySince checks only what was
// posted after a checkpoint.
func (c *LedgerService) Verify(ctx context.Context, actor ID) error {
	_, err := c.verifyAll(ctx, actor)
	return err
}

// verifyAll verifies the whole ledger and returns the checkpoint of what
// it verified.
func (c *LedgerService) verifyAll(ctx context.Context, actor ID) (LedgerCheckpoint, error) {
	if err := c.sealAll(ctx); err != nil { // every ledger.posted event sealed, to be read
		return LedgerCheckpoint{}, err
	}
	var cp LedgerCheckpoint
	err := c.ledgerWide(ctx, actor, func(tx ReadTx) error {
		s := newLedgerScan()
		if err := s.readEvents(ctx, tx); err != nil {
			return err
		}
		invoices, credits, err := documents(ctx, tx)
		if err != nil {
			return err
		}
		find := inMaps(invoices, credits)
		s.presize(len(s.posted), len(invoices)+len(credits))
		page := PageRequest{Limit: MaxPageSize}
		for {
			entries, err := tx.Ledger().Entries(ctx, EntryFilter{}, page)
			if err != nil {
				return err
			}
			for i := range entries {
				if err := s.entry(ctx, tx, &entries[i], find); err != nil {
					return err
				}
			}
			if len(entries) < page.Limit {
				break
			}
			page.After = entries[len(entries)-1].ID
		}
		if cp, err = s.finish(); err != nil {
			return err
		}
		return s.totals.reconcile(ctx, tx.Ledger())
	})
	if err != nil {
		return LedgerCheckpoint{}, err
	}
	return cp, nil
}

// ledgerScan is what Verify keeps while it reads the ledger once: per
// entry, a digest of what its event recorded until the entry is read and,
// once read, a digest of its postings for a reversal to be checked
// against; the idempotency keys; the reversals; and the totals.
type ledgerScan struct {
	posted   map[ID]postedMark // by entry, the events not matched yet
	marks    map[ID]entryMark  // the entries read
	keys     map[string]ID
	reverses []reversalMark // the reversals read, checked at the end
	totals   *ledgerTotals
	head     LogHead // the last event read
	entries  int64
	said     entryEvent // reused to read each event
	buf      []byte     // reused to digest
}

// postedMark is a ledger.posted event: its place and the digest of what
// it recorded.
type postedMark struct {
	seq    int64
	digest [sha256.Size]byte
}

// entryMark is what a reversal is checked against: whether the entry is a
// reversal itself, and the digest of its postings.
type entryMark struct {
	reversal bool
	postings [sha256.Size]byte
}

// reversalMark is a reversal: the entry it reverses and the digest of
// its postings negated, which must be the reversed entry's.
type reversalMark struct {
	id, reverses ID
	negated      [sha256.Size]byte
}

func newLedgerScan() *ledgerScan {
	return &ledgerScan{posted: map[ID]postedMark{}, marks: map[ID]entryMark{}, keys: map[string]ID{}, totals: newLedgerTotals()}
}

// presize makes room for about entries entries and items items, which
// the maps would otherwise grow to a step at a time.
func (s *ledgerScan) presize(entries, items int) {
	s.marks = make(map[ID]entryMark, entries)
	s.totals.items = make(map[itemKey]tallyItem, items)
}

// readEvents reads the log once, keeping the digest of every
// ledger.posted event.
func (s *ledgerScan) readEvents(ctx context.Context, tx ReadTx) error {
	for {
		events, err := tx.Events().After(ctx, s.head.Seq, MaxPageSize)
		if err != nil {
			return err
		}
		for i := range events {
			e := &events[i]
			if e.Type == LedgerPosted {
				s.posted[e.Subject] = postedMark{e.Seq, sha256.Sum256(e.Data)}
			}
			s.head = LogHead{Seq: e.Seq, Hash: e.Hash}
		}
		if len(events) < MaxPageSize {
			return nil
		}
	}
}

// eventDigest is the digest of what a ledger.posted event recorded, or
// zeros when it cannot be read, which no entry's digest is.
func (s *ledgerScan) eventDigest(e *Event) [sha256.Size]byte {
	ps := s.said.Postings[:cap(s.said.Postings)]
	clear(ps) // what an event leaves out is zero, not the last one's
	s.said = entryEvent{Postings: ps[:0]}
	if err := unmarshalInto(e.Data, &s.said); err != nil {
		return [sha256.Size]byte{}
	}
	document, err1 := parseOptionalID(s.said.Document)
	reverses, err2 := parseOptionalID(s.said.Reverses)
	if err1 != nil || err2 != nil {
		return [sha256.Size]byte{}
	}
	s.buf = appendEntryDigest(s.buf[:0], s.said.Kind, s.said.Customer, document, reverses, s.said.Effective, s.said.Postings)
	return sha256.Sum256(s.buf)
}

// entry checks one entry on its own and against its event, and adds it
// up.
func (s *ledgerScan) entry(ctx context.Context, tx ReadTx, e *Entry, find findDocument) error {
	if err := e.Check(); err != nil {
		return &LedgerError{Entry: e.ID, Problem: err.Error()}
	}
	if e.IdempotencyKey != "" {
		if prev, dup := s.keys[e.IdempotencyKey]; dup {
			return &LedgerError{Entry: e.ID, Problem: fmt.Sprintf("idempotency key %q is also on entry %s", e.IdempotencyKey, prev)}
		}
		s.keys[e.IdempotencyKey] = e.ID
	}
	s.buf = appendPostingsDigest(s.buf[:0], e.Postings, false)
	s.marks[e.ID] = entryMark{reversal: e.Kind == EntryReversal, postings: sha256.Sum256(s.buf)}
	if !e.Reverses.IsZero() {
		s.buf = appendPostingsDigest(s.buf[:0], e.Postings, true)
		s.reverses = append(s.reverses, reversalMark{id: e.ID, reverses: e.Reverses, negated: sha256.Sum256(s.buf)})
	}
	for _, p := range e.Postings {
		if err := checkDocument(find, p); err != nil {
			return atEntry(e.ID, err)
		}
	}
	if err := s.matchEvent(ctx, tx, e); err != nil {
		return err
	}
	s.totals.add(e)
	s.entries++
	return nil
}

// matchEvent checks an entry against the ledger.posted event that
// recorded it: the chain vouches for the events, and so, through them,
// for the ledger's rows. Editing both legs of an entry keeps it balanced
// but no longer what its event says; deleting an entry leaves its event
// without it.
func (s *ledgerScan) matchEvent(ctx context.Context, tx ReadTx, e *Entry) error {
	ev, ok := s.posted[e.ID]
	if !ok {
		// On a store that seals the log, a posting committed since the
		// log was sealed has its event still waiting for its place: it is
		// verified, but left out of the checkpoint, to be added up when
		// VerifySince reads its event.
		unsealed, found := unsealedPosting(ctx, tx, e.ID)
		if !found {
			return &LedgerError{Entry: e.ID, Problem: "no ledger.posted event recorded this entry"}
		}
		if !s.says(e, &unsealed) {
			return &LedgerError{Entry: e.ID, Problem: "the entry is not what its unsealed event recorded"}
		}
		s.totals.pending(e)
		return nil
	}
	delete(s.posted, e.ID)
	var plain bool
	if s.buf, plain = appendEntryJSON(s.buf[:0], e); plain && sha256.Sum256(s.buf) == ev.digest {
		return nil
	}
	// Written otherwise (by an earlier version, say): read it again, and
	// compare what it says.
	events, err := tx.Events().After(ctx, ev.seq-1, 1)
	if err != nil {
		return err
	}
	if len(events) == 0 || events[0].Seq != ev.seq || !s.says(e, &events[0]) {
		return &LedgerError{Entry: e.ID, Problem: fmt.Sprintf("the entry is not what its event #%d recorded", ev.seq)}
	}
	return nil
}

// says reports whether ev recorded e: the same bytes as the CRM writes
// now, or, written otherwise, the same amount by amount.
func (s *ledgerScan) says(e *Entry, ev *Event) bool {
	var plain bool
	if s.buf, plain = appendEntryJSON(s.buf[:0], e); plain && bytes.Equal(s.buf, ev.Data) {
		return true
	}
	said := s.eventDigest(ev)
	s.buf = appendEntryDigest(s.buf[:0], e.Kind, e.Customer, e.Document, e.Reverses, e.Effective, e.Postings)
	return said == sha256.Sum256(s.buf)
}

// finish checks what needs every entry read: the reversals, and the
// events left without their entry. It returns the checkpoint of the scan.
func (s *ledgerScan) finish() (LedgerCheckpoint, error) {
	reversed := make(map[ID]ID, len(s.reverses))
	for _, r := range s.reverses {
		orig, ok := s.marks[r.reverses]
		broken := func(format string, args ...any) error {
			return &LedgerError{Entry: r.id, Problem: fmt.Sprintf(format, args...)}
		}
		switch {
		case !ok:
			return LedgerCheckpoint{}, broken("reverses entry %s, which does not exist", r.reverses)
		case orig.reversal:
			return LedgerCheckpoint{}, broken("reverses a reversal")
		case reversed[r.reverses] != ID{}:
			return LedgerCheckpoint{}, broken("reverses entry %s, reversed already by %s", r.reverses, reversed[r.reverses])
		case orig.postings != r.negated:
			return LedgerCheckpoint{}, broken("does not mirror the entry it reverses")
		}
		reversed[r.reverses] = r.id
	}
	for id, ev := range s.posted {
		return LedgerCheckpoint{}, &LedgerError{Entry: id, Problem: fmt.Sprintf("event #%d recorded an entry the ledger does not hold", ev.seq)}
	}
	return s.totals.checkpoint(s.head, s.entries), nil
}

// atEntry names the entry in a *LedgerError that names none.
func atEntry(id ID, err error) error {
	var le *LedgerError
	if errors.As(err, &le) && le.Entry.IsZero() {
		return &LedgerError{Entry: id, Problem: le.Problem}
	}
	return err
}
