package crm

import (
	"context"
	"fmt"
	"time"
)

// Retention (storage limitation, Article 5(1)(e) GDPR): personal data is
// kept no longer than its purpose needs. A RetentionRule says how long the
// CRM keeps the personal data of one kind of record; ApplyRetention, run
// periodically, erases what has outlived its rule through
// CustomerService.Erase, each erasure its own transaction and its own
// CustomerErased event, whose reason names the rule.
//
// What the sweep leaves alone, and why:
//   - customers erased already: there is nothing left to erase;
//   - restricted customers (Restrict): a person who asked the company to
//     keep their data for a legal claim (Article 18(1)(c)) must not lose it
//     to a schedule; the sweep takes them once the restriction is lifted;
//   - leads with a recent activity or interaction, even when the record
//     itself has not changed: someone is talking to them.
//
// The rules are the company's to choose (its records of processing say
// how long and why); the CRM has none by default.

// RetentionKind names what a retention rule erases.
type RetentionKind string

// The kinds of retention rule.
const (
	// RetainLeads erases the personal data of leads never converted:
	// customers whose lifecycle stage is still before opportunity (no deal
	// was ever opened for them), whose record has not changed and with
	// whom no activity or interaction happened for the rule's months,
	// whatever their record status.
	RetainLeads RetentionKind = "leads"
)

// RetentionRule keeps the personal data of one kind of record for Months
// full months of the CRM's calendar: with Months 18, a lead last changed
// on 10 March 2025 is erased from the start of 10 September 2026 in the
// calendar's time zone.
type RetentionRule struct {
	Kind   RetentionKind `json:"kind,omitempty"`
	Months int           `json:"months"`
}

// maxRetentionMonths bounds a rule to a hundred years: a longer one is a
// typo.
const maxRetentionMonths = 1200

// Check refuses an unknown kind and months out of 1..1200.
func (r RetentionRule) Check() error {
	if r.Kind != RetainLeads {
		return invalid("retention.kind", "one_of", fmt.Sprintf("%q is not %s", r.Kind, RetainLeads))
	}
	if r.Months < 1 || r.Months > maxRetentionMonths {
		return invalid("retention.months", "range", fmt.Sprintf("%d is not 1 to %d months", r.Months, maxRetentionMonths))
	}
	return nil
}

// Cutoff is the instant before which a record's last change leaves it
// due at now: the start, by the calendar, of the day Months before today.
func (r RetentionRule) Cutoff(cal Calendar, now time.Time) time.Time {
	return cal.Start(cal.DateOf(now).AddMonths(-r.Months))
}

// WithRetention sets the retention rules, one per kind (default: none;
// ApplyRetention then refuses to run). A bad or repeated rule makes New
// fail.
func WithRetention(rules ...RetentionRule) Option {
	return func(o *options) { o.retention = append([]RetentionRule(nil), rules...) }
}

// checkRetention checks each rule and that no kind has two.
func checkRetention(rules []RetentionRule) error {
	seen := map[RetentionKind]bool{}
	for _, r := range rules {
		if err := r.Check(); err != nil {
			return err
		}
		if seen[r.Kind] {
			return invalid("retention.kind", "unique", fmt.Sprintf("two rules for %s", r.Kind))
		}
		seen[r.Kind] = true
	}
	return nil
}

// RetentionQuery bounds one call of ApplyRetention: at most Limit records
// (0: 100, at most MaxPageSize) after After, in ID order. Pass the Next of
// a report as After to go on.
type RetentionQuery struct {
	After ID  `json:"after,omitzero"`
	Limit int `json:"limit"`
}

// RetentionReport says what one call of ApplyRetention did: each erasure
// with the rule that made it, and where to go on.
type RetentionReport struct {
	Erased []RetentionErasure `json:"erased,omitempty"`
	// Skipped counts the records due when the sweep read them that were
	// no longer due when it came to erase them: converted, contacted,
	// changed, restricted or erased meanwhile.
	Skipped int `json:"skipped"`
	// Next is the last record this call looked at when more may be due:
	// pass it as RetentionQuery.After. Zero when the sweep is through.
	Next ID `json:"next,omitzero"`
}

// RetentionErasure is one erasure a retention rule made. An erasure that
// found no personal data left (a distributor lead without contacts, say)
// has no Fields and recorded no event.
type RetentionErasure struct {
	Rule    RetentionRule `json:"rule"`
	Cutoff  time.Time     `json:"cutoff,omitzero"` // the record had not changed since before it
	Erasure ErasureReport `json:"erasure"`
}

// ApplyRetention erases, through Erase, the personal data of the records
// that have outlived the CRM's retention rules (WithRetention), up to
// q.Limit of them, each in its own transaction with its own
// CustomerErased event whose reason names the rule; see RetentionRule
// for what it leaves alone. It reads only the records due, by an index,
// so its cost follows them, not the store. Run it periodically, as
// CheckFading, with the Next of each report until it is zero; running it
// again erases nothing twice.
//
// It needs the erase grant on every customer (ScopeAll; an admin by
// default). With no rules it is an ErrInvalid. Just before erasing a
// record the sweep looks again, by the same index, whether it is still
// due, and skips it when it is not; Erase runs in a transaction of its
// own, so a lead converted in the instant between is erased all the
// same: run the sweep when the CRM is quiet. When an erasure fails, the
// report of those made before comes back with the error.
func (c *CustomerService) ApplyRetention(ctx context.Context, actor ID, q RetentionQuery) (RetentionReport, error) {
	if len(c.retention) == 0 {
		return RetentionReport{}, invalid("retention", "rules", "no retention rules: set them with WithRetention")
	}
	if q.Limit < 0 || q.Limit > MaxPageSize {
		return RetentionReport{}, invalid("limit", "range", fmt.Sprintf("0-%d", MaxPageSize))
	}
	page := PageRequest(q).Normalized()
	now := c.now()
	type due struct {
		rule     RetentionRule
		cutoff   time.Time
		customer ID
	}
	var todo []due
	var out RetentionReport
	err := c.read(ctx, actor, func(tx ReadTx, a User) error {
		if err := c.policy.Authorize(a, ActionErase, Target{Kind: KindCustomer}); err != nil {
			return err
		}
		for _, r := range c.retention {
			cutoff := r.Cutoff(c.calendar, now)
			leads, err := tx.Customers().StaleLeads(ctx, cutoff, PageRequest{After: page.After, Limit: page.Limit + 1})
			if err != nil {
				return err
			}
			if len(leads) > page.Limit {
				leads, out.Next = leads[:page.Limit], leads[page.Limit-1].ID
			}
			for _, cu := range leads {
				todo = append(todo, due{rule: r, cutoff: cutoff, customer: cu.ID})
			}
		}
		return nil
	})
	if err != nil {
		return RetentionReport{}, err
	}
	prev := page.After
	for _, d := range todo {
		due, err := c.stillDue(ctx, actor, d.cutoff, prev, d.customer)
		if err != nil {
			return out, err
		}
		prev = d.customer
		if !due {
			out.Skipped++
			continue
		}
		reason := fmt.Sprintf("retention rule %s (%d months): not converted and not changed or contacted since before %s",
			d.rule.Kind, d.rule.Months, c.calendar.DateOf(d.cutoff))
		rep, err := c.Erase(ctx, actor, ErasureRequest{Customer: d.customer, Reason: reason})
		if err != nil {
			return out, err
		}
		out.Erased = append(out.Erased, RetentionErasure{Rule: d.rule, Cutoff: d.cutoff, Erasure: rep})
	}
	return out, nil
}

// stillDue reports whether customer is still the first stale lead after
// prev: the sweep read them in ID order, and no record becomes due
// meanwhile that was not (the cutoff is fixed and changes only make a
// record younger), so any other answer means customer is due no more.
func (c *CustomerService) stillDue(ctx context.Context, actor ID, cutoff time.Time, prev, customer ID) (bool, error) {
	var due bool
	err := c.read(ctx, actor, func(tx ReadTx, _ User) error {
		next, err := tx.Customers().StaleLeads(ctx, cutoff, PageRequest{After: prev, Limit: 1})
		due = len(next) == 1 && next[0].ID == customer
		return err
	})
	return due, err
}
