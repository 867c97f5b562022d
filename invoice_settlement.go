package crm

// settlements adds up, from entries effective by a day, how each
// invoice's total stood then: every receivable posting to an invoice moves
// what is open on it, and each one that takes something off is counted by
// what took it: a payment's or a credit note's allocation (told apart by
// the credit's kind; an unallocation gives back to the same kind), a credit note posted to the invoice, a write-off, or
// the reversal of the invoice itself; a reversed allocation or write-off
// gives its amount back to the same kind. Anything else that closes an
// invoice is counted as paid. The credits' kinds come from their own
// entries when they are among entries (a credit counts before anything
// allocated from it), and from kindOf otherwise.
func settlements(entries []Entry, kindOf func(credit ID) (CreditKind, error)) (map[ID]*InvoiceSettlement, error) {
	kinds := map[ID]CreditKind{}
	for _, e := range entries {
		switch e.Kind {
		case EntryPayment:
			kinds[e.Document] = CreditPayment
		case EntryCreditNote:
			kinds[e.Document] = CreditCreditNote
		}
	}
	creditKind := func(id ID) (CreditKind, error) {
		if k, ok := kinds[id]; ok {
			return k, nil
		}
		k, err := kindOf(id)
		kinds[id] = k
		return k, err
	}
	out := map[ID]*InvoiceSettlement{}
	for _, e := range entries {
		kind := e.Kind
		if kind == EntryReversal {
			kind = e.ReversedKind
		}
		for _, p := range e.Postings {
			if p.Account != AccountReceivable {
				continue
			}
			s := out[p.Item]
			if s == nil {
				z := Zero(p.Amount.Currency())
				s = &InvoiceSettlement{Open: z, Paid: z, Credited: z, WrittenOff: z, Cancelled: z}
				out[p.Item] = s
			}
			s.Open, _ = s.Open.Add(p.Amount)
			var by *Money
			switch kind {
			case EntryInvoice:
				if e.Kind != EntryReversal {
					continue // the invoice's own total
				}
				by = &s.Cancelled
			case EntryWriteOff:
				by = &s.WrittenOff
			case EntryCreditNote:
				by = &s.Credited
			case EntryAllocation, EntryUnallocation:
				k, err := creditKind(creditOfAllocation(e))
				if err != nil {
					return nil, err
				}
				by = &s.Paid
				if k == CreditCreditNote {
					by = &s.Credited
				}
			default:
				by = &s.Paid
			}
			*by, _ = by.Sub(p.Amount)
		}
	}
	return out, nil
}
