package crm

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/crmkit/crm/internal/wide"
)

// AccountType is an account of the receivables ledger. Receivable and
// customer credit accounts are kept per customer; the others are the
// company's.
type AccountType string

// The accounts.
const (
	AccountReceivable AccountType = "receivable"      // what a customer owes, per invoice (debit balance)
	AccountCredit     AccountType = "customer_credit" // what a customer paid or was credited and is not yet applied (credit balance)
	AccountRevenue    AccountType = "revenue"
	AccountTax        AccountType = "tax"
	AccountCash       AccountType = "cash"
	AccountWriteOff   AccountType = "write_off"
	AccountFXClearing AccountType = "fx_clearing" // the two legs of a cross-currency allocation
	// AccountFXResult is where exchange differences went before they were
	// told apart as gains and losses: kept so that old entries (and their
	// reversals) still post; new allocations use AccountFXGain and
	// AccountFXLoss.
	AccountFXResult AccountType = "fx_difference"
	// AccountFXGain is realized exchange gain: a payment in another
	// currency worth more, at the allocation's rate, than what it settled
	// (credited, a credit balance).
	AccountFXGain AccountType = "fx_gain"
	// AccountFXLoss is realized exchange loss: a payment in another
	// currency worth less, at the allocation's rate, than what it settled
	// (debited, a debit balance).
	AccountFXLoss AccountType = "fx_loss"
)

// Accounts lists the accounts.
func Accounts() []AccountType {
	return []AccountType{AccountReceivable, AccountCredit, AccountRevenue, AccountTax, AccountCash, AccountWriteOff, AccountFXClearing,
		AccountFXResult, AccountFXGain, AccountFXLoss}
}

// perCustomer reports whether the account is kept per customer.
// PerCustomer reports whether the account is kept per customer and per
// item (an invoice or a credit): the receivable and customer credit.
func (a AccountType) PerCustomer() bool { return a == AccountReceivable || a == AccountCredit }

func (a AccountType) valid() bool { return slices.Contains(Accounts(), a) }

// Posting is one line of an entry: an amount debited (positive) or
// credited (negative) to an account. Postings to a customer's receivable
// name the invoice they belong to (Item) and its due date; postings to a
// customer's credit name the payment or credit note they come from.
type Posting struct {
	Account  AccountType `json:"account"`
	Customer ID          `json:"customer,omitzero"`
	Amount   Money       `json:"amount"`
	Item     ID          `json:"item,omitzero"`
	Due      Date        `json:"due,omitzero"`
}

// EntryKind says what an entry records.
type EntryKind string

// The kinds of entry.
const (
	EntryInvoice    EntryKind = "invoice"     // Dr receivable, Cr revenue and tax
	EntryPayment    EntryKind = "payment"     // Dr cash, Cr customer credit
	EntryAllocation EntryKind = "allocation"  // Dr customer credit, Cr receivable (across currencies: fx_clearing, fx_gain or fx_loss)
	EntryCreditNote EntryKind = "credit_note" // Dr revenue and tax, Cr the invoice's receivable (or, to refund, customer credit)
	EntryWriteOff   EntryKind = "write_off"   // Dr write-off, Cr receivable
	EntryRefund     EntryKind = "refund"      // Dr customer credit, Cr cash
	EntryReversal   EntryKind = "reversal"    // the mirror of another entry
	// EntryUnallocation gives back to a credit one invoice's share of an
	// allocation that settled several (Dr receivable, Cr customer credit),
	// when that invoice is reversed: the allocation's other invoices stay
	// settled as they were.
	EntryUnallocation EntryKind = "unallocation"
)

// Entry is one balanced journal entry. Entries are never edited or
// deleted: a mistake is corrected by a reversal, and an entry is reversed
// at most once.
type Entry struct {
	ID             ID        `json:"id,omitzero"`
	Kind           EntryKind `json:"kind,omitempty"`
	Customer       ID        `json:"customer,omitzero"`  // the customer it concerns
	Document       ID        `json:"document,omitzero"`  // the invoice, payment or credit note it posts, if any
	Effective      Date      `json:"effective,omitzero"` // when it counts, for balances and aging
	RecordedAt     time.Time `json:"recorded_at,omitzero"`
	RecordedBy     ID        `json:"recorded_by,omitzero"`
	Description    string    `json:"description,omitempty" privacy:"personal"`
	Postings       []Posting `json:"postings,omitempty"`
	Reverses       ID        `json:"reverses,omitzero"`       // for a reversal: the entry it reverses
	ReversedKind   EntryKind `json:"reversed_kind,omitempty"` // for a reversal: the kind of the entry it reverses
	IdempotencyKey string    `json:"idempotency_key,omitempty" privacy:"none"`
	RequestHash    Hash      `json:"request_hash,omitzero" privacy:"personal"` // the digest of the command's request when it had an IdempotencyKey; every entry one such command posts has it
}

// Clone returns a deep copy.
func (e Entry) Clone() Entry {
	e.Postings = slices.Clone(e.Postings)
	return e
}

// maxPostings bounds an entry.
const maxPostings = 1000

// Check verifies an entry: two postings or more, each exact, non-zero,
// within 64 bits of minor units either way (an *OverflowError otherwise,
// so that its reversal fits too) and on a known account (customer
// accounts with a customer, receivable postings with an invoice), and
// debits equal to credits in every currency. It returns a
// *ValidationError naming the first problem.
func (e Entry) Check() error {
	if len(e.Postings) < 2 || len(e.Postings) > maxPostings {
		return invalid("postings", "range", fmt.Sprintf("2-%d postings", maxPostings))
	}
	if !e.Effective.IsValid() {
		return invalid("effective", "calendar", "an entry needs its effective date")
	}
	var buf [4]currencySum // an entry seldom has more currencies: no allocation
	sums := buf[:0]
	for i, p := range e.Postings {
		field := func() string { return fmt.Sprintf("postings[%d]", i) } // only for a problem
		switch {
		case !p.Account.valid():
			return invalid(field()+".account", "one_of", fmt.Sprintf("%q is not an account", p.Account))
		case p.Account.PerCustomer() && p.Customer.IsZero():
			return invalid(field()+".customer", "required", "customer accounts name the customer")
		case !p.Account.PerCustomer() && !p.Customer.IsZero():
			return invalid(field()+".customer", "company_account", "company accounts are not per customer")
		case p.Account == AccountReceivable && p.Item.IsZero():
			return invalid(field()+".item", "required", "receivable postings name their invoice")
		case p.Amount.Currency().IsZero() || p.Amount.IsZero():
			return invalid(field()+".amount", "non_zero", "")
		}
		v, err := p.Amount.Minor()
		if err != nil || v == math.MinInt64 {
			if _, err := minorWithin(field()+".amount", p.Amount); err != nil {
				return err
			}
		}
		sums = addCurrencySum(sums, p.Amount.Currency(), v)
	}
	for _, s := range sums {
		if !s.total.IsZero() {
			return &UnbalancedError{Currency: s.currency, Difference: moneyOf(s.total, s.currency)}
		}
	}
	return nil
}

// currencySum is what an entry's postings in one currency add up to.
type currencySum struct {
	currency Currency
	total    wide.Int
}

// addCurrencySum adds v minor units of cur to sums.
func addCurrencySum(sums []currencySum, cur Currency, v int64) []currencySum {
	for i := range sums {
		if sums[i].currency == cur {
			sums[i].total.Add(v)
			return sums
		}
	}
	return append(sums, currencySum{currency: cur, total: wide.Of(v)})
}

// UnbalancedError says an entry's debits and credits differ in a
// currency. It matches ErrUnbalanced and ErrInvalid with errors.Is.
type UnbalancedError struct {
	Currency   Currency `json:"currency,omitzero"`
	Difference Money    `json:"difference"` // debits minus credits
}

// Error implements error.
func (e *UnbalancedError) Error() string {
	return fmt.Sprintf("crm: entry does not balance in %s: debits exceed credits by %s", e.Currency, e.Difference)
}

// Is matches ErrUnbalanced and ErrInvalid.
func (e *UnbalancedError) Is(target error) bool {
	return target == ErrUnbalanced || target == ErrInvalid
}

// Reversal returns the entry that reverses e: every posting negated,
// effective on the given date.
func (e Entry) Reversal(id ID, effective Date, now time.Time, actor ID, why string) Entry {
	r := Entry{ID: id, Kind: EntryReversal, Customer: e.Customer, Document: e.Document, Effective: effective,
		RecordedAt: now, RecordedBy: actor, Description: why, Reverses: e.ID, ReversedKind: e.Kind}
	for _, p := range e.Postings {
		p.Amount = p.Amount.Neg()
		r.Postings = append(r.Postings, p)
	}
	return r
}

// requestHash digests a command, so that a retry with the same
// idempotency key can be told apart from another command that reuses it.
// A command digested already (a requestDigest) is its digest.
func requestHash(v any) Hash {
	if d, ok := v.(requestDigest); ok {
		return Hash(d)
	}
	b, _ := json.Marshal(v)
	return sha256.Sum256(b)
}

// requestDigest is the requestHash of a command that posts many entries,
// digested once.
type requestDigest Hash

// digestOnce is what a command that posts many entries posts them from:
// with an idempotency key, its request's digest, worked out once for
// them all (a retry finds them by it, see postedWith); without one, the
// request itself, which post does not digest.
func digestOnce(key string, request any) any {
	if key == "" {
		return request
	}
	return requestDigest(requestHash(request))
}

// Balance is the balance of an account (of a customer, for customer
// accounts) in a currency: debits minus credits.
type Balance struct {
	Account  AccountType `json:"account,omitempty"`
	Customer ID          `json:"customer,omitzero"`
	Amount   Money       `json:"amount"`
}

func sortItems(items []OpenItem, cmp func(a, b OpenItem) int) { slices.SortStableFunc(items, cmp) }
