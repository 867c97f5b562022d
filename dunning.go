package crm

import (
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// DunningLevel is a step of the reminders an overdue invoice goes
// through: a friendly reminder, a firmer notice, a final notice before
// the matter leaves the CRM (a collection agency, a court). An invoice
// reaches the level when it has been overdue AfterDays days and is still
// open.
//
// Fees are what reaching the level charges, at most one amount per
// currency: an invoice is charged the fee in its own currency, and none
// when the level has none in it (a fee is never converted). InterestRate
// is a yearly rate (0.08 for 8% a year) charged, when the level is
// reached, on what is open for the days overdue not charged yet; see
// DunningRules.
type DunningLevel struct {
	Name         string          `json:"name"`
	AfterDays    int             `json:"after_days"`
	Fees         []Money         `json:"fees,omitempty"`
	InterestRate decimal.Decimal `json:"interest_rate,omitzero"`
}

// Fee returns the level's fee in a currency, if it has one.
func (l DunningLevel) Fee(c Currency) (Money, bool) {
	i := slices.IndexFunc(l.Fees, func(m Money) bool { return m.Currency() == c })
	if i < 0 {
		return Money{}, false
	}
	return l.Fees[i], true
}

// DunningRules are the levels of the dunning machine and the pace of the
// dunning run (ReceivableService.Dun). They follow the dunning procedures
// of the common ERPs: SAP's levels by days in arrears with charges and
// interest per level and a dunning interval between notices, ERPNext's
// dunning types with a fee and a yearly rate of interest, Odoo's
// follow-up levels by days after the due date.
//
// A run moves an invoice up one level at a time, never straight to the
// level its days overdue call for: a final notice (which may announce
// legal steps) always follows the earlier ones, so that the customer was
// told, in order, before it comes. MinGapDays is the least time between
// two notices (SAP's dunning interval): the days the customer gets to
// react to one before the next, counted from the last notice or from
// the day a hold was lifted. An invoice found long overdue on its first
// run gets the first level at once, the next MinGapDays later, and so on.
//
// Interest: when a level with an InterestRate is reached, what is open on
// the invoice is charged open x rate x days / 365, rounded half-even to
// the currency's minor unit, for the days overdue not charged before
// (from the due date, or from the day interest was last charged to), so
// that two levels with interest never charge one day twice. The year is
// 365 days, leap years included, as ERPNext counts it; a level whose
// interest rounds to zero charges none.
//
// Fees and interest are charged on an invoice of their own (FeeDueDays
// after it is issued), whose lines name the dunned invoice. That invoice
// is never dunned itself: no fee on a fee, no interest on interest (which
// many laws forbid). Each level's fees are charged once per invoice, even
// when it reaches the level again after a payment was reversed.
type DunningRules struct {
	Levels     []DunningLevel `json:"levels,omitempty"`
	MinGapDays int            `json:"min_gap_days"`
	FeeDueDays int            `json:"fee_due_days"`
}

// DefaultDunningRules returns three levels, each chosen for a reason:
//
//   - reminder, 7 days overdue, free: most late payments are an
//     oversight, and a fee on a first reminder annoys a customer who
//     simply forgot (a cost on the loyalty ladder worth more than the fee).
//   - first_notice, 21 days overdue, 5.00 USD, EUR or GBP: two weeks after
//     a reminder was ignored, the notice costs the company work; the fee
//     is a token of that, small enough not to be disputed.
//   - final_notice, 45 days overdue, 10.00 USD, EUR or GBP and interest at
//     8% a year: the last word before collection. The EU's late payment
//     directive (2011/7/EU) sets statutory interest between businesses at
//     the central bank's reference rate plus 8 points; 8% is that margin
//     alone, a conservative stand-in. Set the rate your law and your
//     contracts allow.
//
// Notices are at least 7 days apart (a week to react to each), and fees
// and interest are due 14 days after they are charged. Customers in other
// currencies are reminded without fees; add theirs to Fees.
func DefaultDunningRules() DunningRules {
	fees := func(minor int64) []Money {
		return []Money{MoneyFromMinor(minor, USD), MoneyFromMinor(minor, EUR), MoneyFromMinor(minor, GBP)}
	}
	return DunningRules{
		Levels: []DunningLevel{
			{Name: "reminder", AfterDays: 7},
			{Name: "first_notice", AfterDays: 21, Fees: fees(500)},
			{Name: "final_notice", AfterDays: 45, Fees: fees(1000), InterestRate: decimal.RequireFromString("0.08")},
		},
		MinGapDays: 7,
		FeeDueDays: 14,
	}
}

// clone returns a deep copy, so that the CRM keeps rules the caller can
// no longer change.
func (r DunningRules) clone() DunningRules {
	r.Levels = slices.Clone(r.Levels)
	for i := range r.Levels {
		r.Levels[i].Fees = slices.Clone(r.Levels[i].Fees)
	}
	return r
}

// The bounds of the dunning rules.
const (
	maxDunningLevels = 9    // SAP's limit: more steps than that is a procedure nobody follows
	maxDunningDays   = 3650 // ten years overdue is a matter for the courts, not for reminders
	maxLevelNameLen  = 40
)

// WithDunningRules replaces DefaultDunningRules. New refuses rules that
// fail DunningRules.Check.
func WithDunningRules(r DunningRules) Option { return func(o *options) { o.dunning = &r } }

// Check reports rules that cannot work, with a *ValidationError naming the
// first problem: 1 to 9 levels with distinct names (lower-case letters,
// digits and underscores, starting with a letter, none of the machine's
// own states), reached at strictly ascending days overdue from 1; fees
// positive, in whole minor units, within 64 bits and at most one per
// currency a level; a yearly interest rate from 0 to 1 (100%); MinGapDays
// from 1 (so that one day's runs move an invoice once) and FeeDueDays
// from 0, both at most 3650.
func (r DunningRules) Check() error {
	if len(r.Levels) == 0 || len(r.Levels) > maxDunningLevels {
		return invalid("levels", "range", fmt.Sprintf("1-%d levels", maxDunningLevels))
	}
	seen := map[string]bool{}
	for i, l := range r.Levels {
		field := fmt.Sprintf("levels[%d]", i)
		if err := checkLevelName(field+".name", l.Name); err != nil {
			return err
		}
		if seen[l.Name] {
			return invalid(field+".name", "unique", fmt.Sprintf("%q names two levels", l.Name))
		}
		seen[l.Name] = true
		switch {
		case l.AfterDays < 1 || l.AfterDays > maxDunningDays:
			return invalid(field+".after_days", "range", fmt.Sprintf("1-%d days overdue", maxDunningDays))
		case i > 0 && l.AfterDays <= r.Levels[i-1].AfterDays:
			return invalid(field+".after_days", "ascending", "each level comes later than the one before")
		case l.InterestRate.Sign() < 0 || l.InterestRate.GreaterThan(decimal.NewFromInt(1)):
			return invalid(field+".interest_rate", "range", "a yearly rate from 0 to 1 (100%)")
		}
		currencies := map[Currency]bool{}
		for j, fee := range l.Fees {
			ff := fmt.Sprintf("%s.fees[%d]", field, j)
			switch {
			case fee.Currency().IsZero() || !fee.IsPositive():
				return invalid(ff, "positive", "")
			case currencies[fee.Currency()]:
				return invalid(ff, "one_per_currency", fmt.Sprintf("two fees in %s", fee.Currency()))
			}
			currencies[fee.Currency()] = true
			if _, err := minorWithin(ff, fee); err != nil {
				return err // a fee in fractions of a cent is a *PrecisionError
			}
		}
	}
	switch {
	case r.MinGapDays < 1 || r.MinGapDays > maxDunningDays:
		return invalid("min_gap_days", "range", fmt.Sprintf("1-%d days", maxDunningDays))
	case r.FeeDueDays < 0 || r.FeeDueDays > maxDunningDays:
		return invalid("fee_due_days", "range", fmt.Sprintf("0-%d days", maxDunningDays))
	}
	return nil
}

// checkLevelName accepts a name that is a state of the dunning machine of
// its own: an identifier, readable in diagrams, that none of the
// machine's fixed states nor a paused state can be mistaken for.
func checkLevelName(field, name string) error {
	if name == "" {
		return invalid(field, "required", "")
	}
	if len(name) > maxLevelNameLen {
		return invalid(field, "max_length", fmt.Sprintf("at most %d characters", maxLevelNameLen))
	}
	for i, c := range name {
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			return invalid(field, "identifier", "lower-case letters, digits and underscores, starting with a letter")
		}
	}
	if name[0] == '_' {
		return invalid(field, "identifier", "lower-case letters, digits and underscores, starting with a letter")
	}
	switch DunningState(name) {
	case DunningNone, DunningSettled, DunningExempt:
		return invalid(field, "reserved", fmt.Sprintf("%q is a state of the dunning machine", name))
	}
	if strings.HasSuffix(name, pausedSuffix) {
		return invalid(field, "reserved", fmt.Sprintf("names ending in %q are the paused states", pausedSuffix))
	}
	return nil
}

// next returns the level an invoice at level (0 for none) reaches next,
// and whether there is one.
func (r DunningRules) next(level int) (DunningLevel, bool) {
	if level < 0 || level >= len(r.Levels) {
		return DunningLevel{}, false
	}
	return r.Levels[level], true
}

// interest is what open, overdue from the day after from to asOf, earns
// at a yearly rate: open x rate x days / 365, rounded half-even to the
// minor unit (the product is exact; the division is rounded once, with
// its remainder). It returns the days too; zero when there are none. An
// amount beyond 64 bits of minor units is an *OverflowError.
func interest(open Money, rate decimal.Decimal, from, asOf Date) (Money, int, error) {
	days := asOf.DaysSince(from)
	if days <= 0 || rate.Sign() <= 0 || !open.IsPositive() {
		return Zero(open.Currency()), 0, nil
	}
	places := open.Currency().MinorUnits()
	num := open.Amount().Mul(rate).Mul(decimal.NewFromInt(int64(days))).Shift(places)
	year := decimal.NewFromInt(365)
	q, r := num.QuoRem(year, 0) // num = 365q + r, 0 <= r < 365
	if c := r.Mul(decimal.NewFromInt(2)).Cmp(year); c > 0 || c == 0 && q.BigInt().Bit(0) == 1 {
		q = q.Add(decimal.NewFromInt(1))
	}
	m := Money{amount: q.Shift(-places), currency: open.Currency()}
	if _, err := minorWithin("interest", m); err != nil {
		return Money{}, 0, err
	}
	return m, days, nil
}
