package crm

import "fmt"

// WithConsentEvidence makes a consent given for purpose evidence on the
// customer's loyalty ladder: an experience of the given sentiment,
// Positive or VeryPositive, at the time the person gave it. It is off for
// every purpose by default, and is meant for the purposes whose consent is
// a relationship signal: a customer who asks for the loyalty programme's
// news or offers to be a reference chooses to hear more from the company.
// Consent that a form requires, or that a cookie banner collects, says
// nothing of the kind, which is why the application names the purposes.
// Call it once per purpose; a later call for the same purpose replaces
// the earlier.
//
// What is weighed, and why:
//
//   - A new consent only: one given while the person's consent for the
//     purpose was not in force (none, withdrawn or lapsed at its time). A
//     consent refreshed while still in force, or the same form entered
//     twice, is no new choice and weighs nothing.
//   - Once per record, like every fact (FactEvidence): its evidence names
//     the consent record (Source KindConsent).
//   - A withdrawal is never evidence, neither a complaint nor any other
//     kind: withdrawing is a right the person must be able to use without
//     detriment (GDPR Article 7(3), Recital 42), and a ladder that marked
//     them down for it would be that detriment, and would steer the
//     company's attention by it. The evidence of the consent stays, as
//     evidence does, and fades like any other.
//   - The evidence is the customer's, whoever of them consented: the
//     ladder ranks customers, and a contact person's choice is their
//     company's relationship with us.
func WithConsentEvidence(purpose string, sentiment Sentiment) Option {
	return func(o *options) {
		if o.consent == nil {
			o.consent = map[string]Sentiment{}
		}
		o.consent[purpose] = sentiment
	}
}

// checkConsentEvidence refuses a purpose that is no key and a sentiment
// that is not positive.
func checkConsentEvidence(m map[string]Sentiment) error {
	for p, s := range m {
		if err := checkPurpose(p); err != nil {
			return err
		}
		if s != Positive && s != VeryPositive {
			return invalid("consent_evidence", "positive", fmt.Sprintf("purpose %q: sentiment %d, want positive (1) or very positive (2)", p, s))
		}
	}
	return nil
}
