package crm

import (
	"fmt"
	"time"
)

// Consent to be contacted, kept so that the company can show it had it
// (GDPR Article 7(1): the controller "shall be able to demonstrate" that
// the person consented) and honour its withdrawal at once (Article 7(3):
// withdrawing is as easy as giving).
//
// The rules, and why:
//
//   - Consent is a history, never a flag: each decision of the person is a
//     Consent record, appended and never changed, with when the person
//     made it (At), how it reached the company (Source) and what shows it
//     (Proof). A flag overwritten by the last form cannot demonstrate
//     anything; a history answers "did we have consent when we sent that
//     mail last March" as well as "may we mail them now".
//   - Consent is per purpose (Article 6(1)(a): "for one or more specific
//     purposes"): a purpose is a key the company defines, such as
//     "email_marketing". Keys are lower case so that a withdrawal typed
//     "Email_Marketing" cannot miss the consent it withdraws.
//   - Consent is personal (Article 4(11): the data subject's own
//     indication): a contact person of a business customer consents or
//     withdraws for themself (Contact), and the customer as a whole
//     (Contact zero: the person, for a customer who is one) for itself.
//     Neither stands in for the other: a company cannot consent for its
//     employee, and an employee's consent says nothing of the company's
//     channels. An application that wants both asks both.
//   - The latest decision by At decides (CompareConsent): a re-given
//     consent after a withdrawal is in force again, a withdrawal after a
//     consent ends it. A decision recorded late, with an At before others,
//     takes its place in time, not the place it was typed in. At equal
//     times a withdrawal wins: when in doubt, do not contact.
//   - A consent needs proof; a withdrawal does not. The company bears the
//     burden of showing consent, and nothing may make withdrawing harder
//     than giving: "stop calling me" said to anyone is enough.
//   - A consent may lapse (ValidUntil): the supervisory authorities expect
//     consent to be refreshed, and a company that asks again every two
//     years says so on the record. A lapsed consent is no consent, and is
//     told apart from one withdrawn or never given.

// ConsentChoice is what a person decided: to give consent or to withdraw
// it.
type ConsentChoice string

// The choices.
const (
	ConsentGiven     ConsentChoice = "given"
	ConsentWithdrawn ConsentChoice = "withdrawn"
)

func (c ConsentChoice) valid() bool { return c == ConsentGiven || c == ConsentWithdrawn }

// rank orders the choices of one instant: a withdrawal after a consent.
func (c ConsentChoice) rank() int {
	if c == ConsentWithdrawn {
		return 1
	}
	return 0
}

// Consent is one decision of a person about one purpose: consent given
// or withdrawn, when, how and with what proof. Consent records are
// append-only: a change of mind is a new record.
type Consent struct {
	ID       ID            `json:"id,omitzero"`
	Customer ID            `json:"customer,omitzero"`
	Contact  ID            `json:"contact,omitzero"` // a contact person of the customer deciding for themself; zero for the customer itself
	Purpose  string        `json:"purpose,omitempty" privacy:"none"`
	Choice   ConsentChoice `json:"choice,omitempty"`
	// At is when the person decided: it may be before the record was made
	// (a signed form entered the next day), never after it.
	At time.Time `json:"at,omitzero"`
	// ValidUntil is when a consent lapses unless given again; zero for
	// never. A withdrawal has none.
	ValidUntil time.Time `json:"valid_until,omitzero"`
	// Source is how the decision reached the company: "web_form",
	// "phone", "paper_form", "email".
	Source string `json:"source,omitempty" privacy:"personal"`
	// Proof is what demonstrates it: a form submission's ID, the text the
	// person was shown and ticked, a reference to a call recording.
	Proof      string    `json:"proof,omitempty" privacy:"personal"`
	RecordedAt time.Time `json:"recorded_at,omitzero"`
	RecordedBy ID        `json:"recorded_by,omitzero"`
}

// CompareConsent orders a subject's consent records for one purpose in
// the order the person decided: by At, a withdrawal after a consent of
// the same instant, then by when they were recorded, then by ID. The
// last record up to a time decides (DecideConsent).
func CompareConsent(a, b Consent) int {
	switch {
	case !a.At.Equal(b.At):
		return a.At.Compare(b.At)
	case a.Choice.rank() != b.Choice.rank():
		return a.Choice.rank() - b.Choice.rank()
	case !a.RecordedAt.Equal(b.RecordedAt):
		return a.RecordedAt.Compare(b.RecordedAt)
	}
	return a.ID.Compare(b.ID)
}

// ConsentStatus is where a person's consent for a purpose stands at a
// time.
type ConsentStatus string

// The statuses. Only ConsentStatusGiven allows contact.
const (
	ConsentStatusNone      ConsentStatus = "none"      // no decision on record: never asked, or asked only later
	ConsentStatusGiven     ConsentStatus = "given"     // consent in force
	ConsentStatusWithdrawn ConsentStatus = "withdrawn" // the latest decision is a withdrawal
	ConsentStatusExpired   ConsentStatus = "expired"   // the latest decision is a consent past its ValidUntil
)

// ContactDecision answers whether a person may be contacted for a purpose
// at a time, with the record that decides it.
type ContactDecision struct {
	Customer ID            `json:"customer,omitzero"`
	Contact  ID            `json:"contact,omitzero"`
	Purpose  string        `json:"purpose,omitempty" privacy:"none"`
	At       time.Time     `json:"at,omitzero"`
	Allowed  bool          `json:"allowed"`
	Status   ConsentStatus `json:"status,omitempty"`
	// Record is the decision that decides, zero when Status is none.
	Record Consent `json:"record,omitzero" privacy:"nested"`
	// Restricted says the processing of the customer's data was
	// restricted (CustomerService.Restrict) by At: then nobody may be
	// contacted, whatever the consent says, for contacting a person is
	// processing their data (GDPR Article 18(2)). Erased says their
	// personal data was erased: there is nobody left to contact.
	Restricted bool `json:"restricted,omitempty"`
	Erased     bool `json:"erased,omitempty"`
}

// DecideConsent says where consent stands at a time, given the latest
// record up to it (latest, found false when there is none): none, given,
// withdrawn, or expired when the consent lapsed by at.
func DecideConsent(latest Consent, found bool, at time.Time) (ConsentStatus, bool) {
	switch {
	case !found:
		return ConsentStatusNone, false
	case latest.Choice == ConsentWithdrawn:
		return ConsentStatusWithdrawn, false
	case !latest.ValidUntil.IsZero() && !at.Before(latest.ValidUntil):
		return ConsentStatusExpired, false
	}
	return ConsentStatusGiven, true
}

// LatestConsent returns the record that decides at a time among a
// subject's records for one purpose: the last by CompareConsent of those
// with At not after at; found is false when there is none. It is what a
// store's ConsentReader.Latest returns, computed in memory.
func LatestConsent(records []Consent, at time.Time) (latest Consent, found bool) {
	for _, c := range records {
		if c.At.After(at) {
			continue
		}
		if !found || CompareConsent(c, latest) > 0 {
			latest, found = c, true
		}
	}
	return latest, found
}

// GiveConsentRequest records that a person gave consent for a purpose.
// Contact names a contact person of the customer deciding for themself;
// zero, the customer itself. At defaults to now and may be earlier,
// never later; ValidUntil, when set, is after At. Source and Proof are
// required: a consent the company cannot demonstrate is no consent.
type GiveConsentRequest struct {
	Customer   ID        `json:"customer,omitzero"`
	Contact    ID        `json:"contact,omitzero"`
	Purpose    string    `json:"purpose,omitempty" privacy:"none"`
	At         time.Time `json:"at,omitzero"`
	ValidUntil time.Time `json:"valid_until,omitzero"`
	Source     string    `json:"source,omitempty" privacy:"personal"`
	Proof      string    `json:"proof,omitempty" privacy:"personal"`
}

// WithdrawConsentRequest records that a person withdrew consent for a
// purpose, or said in advance that they give none. As GiveConsentRequest,
// but Proof is optional: withdrawing is as easy as giving.
type WithdrawConsentRequest struct {
	Customer ID        `json:"customer,omitzero"`
	Contact  ID        `json:"contact,omitzero"`
	Purpose  string    `json:"purpose,omitempty" privacy:"none"`
	At       time.Time `json:"at,omitzero"`
	Source   string    `json:"source,omitempty" privacy:"personal"`
	Proof    string    `json:"proof,omitempty" privacy:"personal"`
}

// MayContactQuery asks whether a person may be contacted for Purpose At a
// time (zero: now): the customer itself, or its contact person Contact.
type MayContactQuery struct {
	Customer ID        `json:"customer,omitzero"`
	Contact  ID        `json:"contact,omitzero"`
	Purpose  string    `json:"purpose,omitempty" privacy:"none"`
	At       time.Time `json:"at,omitzero"`
}

// ConsentFilter selects consent records; zero fields match everything,
// so a zero Contact matches the customer's and every contact's records.
type ConsentFilter struct {
	Customer ID     `json:"customer,omitzero"`
	Contact  ID     `json:"contact,omitzero"`
	Purpose  string `json:"purpose,omitempty" privacy:"none"`
}

// Match reports whether c passes the filter.
func (f ConsentFilter) Match(c Consent) bool {
	return (f.Customer.IsZero() || c.Customer == f.Customer) &&
		(f.Contact.IsZero() || c.Contact == f.Contact) &&
		(f.Purpose == "" || c.Purpose == f.Purpose)
}

// maxPurposeLen bounds a purpose key.
const maxPurposeLen = maxShortTextLen

// checkPurpose checks a purpose key: a lower-case letter, then lower-case
// letters, digits, '_', '.' or '-', at most 64 in all.
func checkPurpose(p string) error {
	if p == "" {
		return invalid("purpose", "required", "")
	}
	ok := len(p) <= maxPurposeLen && p[0] >= 'a' && p[0] <= 'z'
	for _, r := range p {
		ok = ok && (r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'))
	}
	if !ok {
		return invalid("purpose", "format", fmt.Sprintf("%q is not a purpose key: a lower-case letter, then a-z, 0-9, '_', '.' or '-', at most %d", truncate(p, 70), maxPurposeLen))
	}
	return nil
}

// check validates a record about to be stored, made at now by a CRM: its
// purpose, choice and times, and its text cleaned.
func (c Consent) check(now time.Time) (Consent, error) {
	if err := checkPurpose(c.Purpose); err != nil {
		return c, err
	}
	if !c.Choice.valid() {
		return c, invalid("choice", "one_of", fmt.Sprintf("%q is neither given nor withdrawn", c.Choice))
	}
	if c.At.IsZero() {
		c.At = now
	}
	if err := checkYear("at", c.At); err != nil {
		return c, err
	}
	c.At = c.At.UTC().Truncate(time.Microsecond)
	if c.At.After(now) {
		return c, invalid("at", "not_future", "a decision is recorded once it was made")
	}
	if !c.ValidUntil.IsZero() {
		if c.Choice == ConsentWithdrawn {
			return c, invalid("valid_until", "consent_only", "a withdrawal does not lapse")
		}
		if err := checkYear("valid_until", c.ValidUntil); err != nil {
			return c, err
		}
		c.ValidUntil = c.ValidUntil.UTC().Truncate(time.Microsecond)
		if !c.ValidUntil.After(c.At) {
			return c, invalid("valid_until", "after_at", "a consent lapses after it was given")
		}
	}
	var err error
	if c.Source, err = cleanText("source", c.Source, maxNameLen, true); err != nil {
		return c, err
	}
	if c.Proof, err = cleanText("proof", c.Proof, maxLongTextLen, c.Choice == ConsentGiven); err != nil {
		return c, err
	}
	return c, nil
}
