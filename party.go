package crm

import "fmt"

// Party says whether a customer is a natural person or an organization,
// which decides what of the customer record is personal data: a person's
// name is, a company's name is not (the people at a company, its
// contacts, are persons either way).
//
// It is stated, not guessed from the customer's kind: an end customer may
// be a company buying for its own use, and a distributor may be a sole
// trader trading under their own name. When a new customer does not say,
// the CRM takes PartyPerson for an end customer and PartyOrganization for
// the other kinds, and stores that choice, so that a later change of kind
// does not change what an erasure removes; CustomerPatch.Party corrects it.
type Party string

// The parties a customer can be.
const (
	PartyPerson       Party = "person"       // a natural person: their name is personal data
	PartyOrganization Party = "organization" // a company or public body: its name is not
)

func (p Party) valid() bool { return p == PartyPerson || p == PartyOrganization }

// defaultParty is the party a new customer of the kind is when it does
// not say.
func defaultParty(k CustomerKind) Party {
	if k == EndCustomer {
		return PartyPerson
	}
	return PartyOrganization
}

// checkParty validates a customer's party.
func checkParty(p Party) error {
	if !p.valid() {
		return invalid("party", "one_of", fmt.Sprintf("%q is not person or organization", p))
	}
	return nil
}

// isPerson reports whether the customer is a natural person, whose name
// is personal data; a customer stored before Party existed is taken by
// its kind, as a new one is.
func (c Customer) isPerson() bool { return cmpOr(c.Party, defaultParty(c.Kind)) == PartyPerson }
