package storetest

import (
	"fmt"
	"slices"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
)

// propShare is an invoice's share of an allocation entry.
type propShare struct {
	allocation, invoice crm.ID
}

// propUndo is an entry as Reverse undoes it: reversed (share zero), or,
// for an invoice's share of an allocation of many, given back; undo is
// what it posts.
type propUndo struct {
	entry propEntry
	share crm.ID
	undo  map[crm.ID]int64
}

// negate returns the deltas that undo deltas.
func negate(deltas map[crm.ID]int64) map[crm.ID]int64 {
	out := make(map[crm.ID]int64, len(deltas))
	for item, d := range deltas {
		out[item] = -d
	}
	return out
}

// givenBack reports whether an unallocation still live gave back the
// invoice's share of the allocation.
func (m *propModel) givenBack(allocation, invoice crm.ID) bool {
	u, ok := m.given[propShare{allocation, invoice}]
	return ok && !m.reversed[u]
}

// share is the unallocation of the invoice's share of the allocation s:
// back on the invoice, back to the credit.
func (m *propModel) share(s propEntry, invoice crm.ID) propUndo {
	a := -s.deltas[invoice]
	undo := map[crm.ID]int64{invoice: a}
	for item := range s.deltas {
		if m.items[item].account == crm.AccountCredit {
			undo[item] = -a
		}
	}
	return propUndo{entry: s, share: invoice, undo: undo}
}

// givenOf returns the unallocations still live of an allocation, which
// its reversal takes back after it, as reversed.
func (m *propModel) givenOf(e propEntry) []propUndo {
	if e.kind != crm.EntryAllocation {
		return nil
	}
	var out []propUndo
	for _, u := range m.entries {
		if u.kind == crm.EntryUnallocation && u.of == e.id && !m.reversed[u.id] {
			out = append(out, propUndo{entry: u, undo: negate(u.deltas)})
		}
	}
	return out
}

// undo checks what Reverse posted for u, r, and posts it in the model.
func (p *prop) undo(r crm.Entry, u propUndo, msg string) {
	m := &p.m
	if u.share.IsZero() {
		assert.Equal(p.t, u.entry.id, r.Reverses, msg)
		m.reversed[u.entry.id] = true
		m.post(r.ID, crm.EntryReversal, r.Effective, u.undo)
		return
	}
	assert.Equal(p.t, crm.EntryUnallocation, r.Kind, msg)
	assert.Equal(p.t, u.entry.id, r.Document, "an unallocation names its allocation")
	m.given[propShare{u.entry.id, u.share}] = r.ID
	m.post(r.ID, crm.EntryUnallocation, r.Effective, u.undo)
	m.entries[len(m.entries)-1].of = u.entry.id
}

// unallocate gives back an invoice's share of an allocation; refused for
// an allocation reversed, a share given back already, an invoice it does
// not settle, or an allocation across currencies. It takes nothing off
// an item, so no day of the past limits it.
func (p *prop) unallocate() (propCmd, bool) {
	var shares []propShare
	for _, e := range p.m.entries {
		if e.kind != crm.EntryAllocation {
			continue
		}
		for _, paid := range p.m.paid[e.id] {
			shares = append(shares, propShare{e.id, paid.invoice})
		}
	}
	if len(shares) == 0 {
		return propCmd{}, false
	}
	sh := shares[p.pick(len(shares))]
	e := p.m.entries[slices.IndexFunc(p.m.entries, func(e propEntry) bool { return e.id == sh.allocation })]
	key := p.key()
	c := propCmd{key: key}
	r := crm.UnallocateRequest{Allocation: sh.allocation, Invoice: sh.invoice, Reason: "Not this one"}
	u := p.m.share(e, sh.invoice)
	if p.chance(0.1) {
		r.Reason = ""
	}
	currencies := map[crm.Currency]bool{}
	for item := range e.deltas {
		currencies[p.m.items[item].currency] = true
	}
	switch {
	case r.Reason == "":
		c.want = crm.ErrInvalid
	case p.m.reversed[e.id]:
		c.want = crm.ErrReversed
	case p.m.givenBack(e.id, sh.invoice):
		c.want = crm.ErrConflict
	case len(currencies) > 1:
		c.want = crm.ErrInvalid
	}
	day := later(p.today(), e.effective)
	c.name = fmt.Sprintf("unallocation: of invoice %s from allocation %s, key %q", sh.invoice, sh.allocation, key)
	r.IdempotencyKey = key
	c.run = func(b *books) (any, error) { return b.Ledger.Unallocate(bg, b.fin.ID, r) }
	c.day = day
	c.apply = func(v any) {
		got := v.(crm.Entry)
		assert.Equal(p.t, day, got.Effective, p.msg("an unallocation counts from today, or from its allocation's day"))
		p.undo(got, u, p.msg("the share given back"))
	}
	return c, true
}

// later returns the later of two days.
func later(a, b crm.Date) crm.Date {
	if a.Before(b) {
		return b
	}
	return a
}
