package crm

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
)

// unsealedPosting returns the ledger.posted event of an entry that has no
// place in the log yet.
func unsealedPosting(ctx context.Context, tx ReadTx, entry ID) (Event, bool) {
	events, err := tx.Events().Subject(ctx, KindEntry, entry)
	if err != nil {
		return Event{}, false
	}
	for _, e := range events {
		if e.Seq == 0 && e.Type == LedgerPosted {
			return e, true
		}
	}
	return Event{}, false
}

// unmarshalInto reads a ledger.posted event's data.
func unmarshalInto(data []byte, said *entryEvent) error { return json.Unmarshal(data, said) }

// parseOptionalID parses an ID an event wrote as text, empty for none.
func parseOptionalID(s string) (ID, error) {
	if s == "" {
		return ID{}, nil
	}
	return ParseID(s)
}

// appendEntryDigest appends what an entry's event records, in a form in
// which two records are equal exactly when they say the same: amount by
// amount rather than byte by byte, so that events written by earlier
// versions still compare.
func appendEntryDigest(b []byte, kind EntryKind, customer, document, reverses ID, effective Date, postings []Posting) []byte {
	b = appendText(b, string(kind))
	b = append(b, customer[:]...)
	b = append(b, document[:]...)
	b = append(b, reverses[:]...)
	b = appendDate(b, effective)
	b = binary.AppendUvarint(b, uint64(len(postings)))
	for _, p := range postings {
		b = appendPosting(b, p, false)
		b = appendDate(b, p.Due)
	}
	return b
}

// appendPostingsDigest appends what a reversal must mirror of an entry's
// postings (negated for the reversal's own): account, customer, item and
// amount of each, in order.
func appendPostingsDigest(b []byte, postings []Posting, negate bool) []byte {
	b = binary.AppendUvarint(b, uint64(len(postings)))
	for _, p := range postings {
		b = appendPosting(b, p, negate)
	}
	return b
}

func appendPosting(b []byte, p Posting, negate bool) []byte {
	b = appendText(b, string(p.Account))
	b = append(b, p.Customer[:]...)
	b = append(b, p.Item[:]...)
	return appendAmount(b, p.Amount, negate)
}

// appendAmount appends an amount so that equal amounts append the same:
// in minor units when it is a whole number of them, else as its exact
// decimal.
func appendAmount(b []byte, m Money, negate bool) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(m.currency))
	if v, err := m.Minor(); err == nil && v != math.MinInt64 {
		if negate {
			v = -v
		}
		return binary.AppendVarint(append(b, 'm'), v)
	}
	if negate {
		m = m.Neg()
	}
	return appendText(append(b, 'd'), m.amount.String())
}

func appendText(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendDate(b []byte, d Date) []byte {
	b = binary.AppendVarint(b, int64(d.Year))
	b = binary.AppendVarint(b, int64(d.Month))
	return binary.AppendVarint(b, int64(d.Day))
}
