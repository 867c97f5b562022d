package crm

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// CustomerKind says what the customer is to the company: an end customer,
// a distributor or a partner.
type CustomerKind string

// The kinds of customer.
const (
	EndCustomer CustomerKind = "end_customer" // buys for their own use; often a person
	Distributor CustomerKind = "distributor"  // resells the company's products
	Partner     CustomerKind = "partner"      // works with the company: integrators, agents
)

func (k CustomerKind) valid() bool { return k == EndCustomer || k == Distributor || k == Partner }

// RecordStatus is where a customer record stands in its own lifecycle.
// Records are never deleted: archiving is how a customer leaves the
// working lists.
type RecordStatus string

// The record statuses.
const (
	StatusActive   RecordStatus = "active"
	StatusArchived RecordStatus = "archived"
	StatusPooled   RecordStatus = "pooled" // in its team's public pool, owned by nobody until a rep claims it (WithPublicPool)
)

// RecordEvent is a move of the record machine.
type RecordEvent string

// The record moves. Update and Reassign are self-transitions: they keep
// the status, and the table says from which statuses they are allowed.
const (
	Archive  RecordEvent = "archive"
	Restore  RecordEvent = "restore"
	Update   RecordEvent = "update"
	Reassign RecordEvent = "reassign"
	Pool     RecordEvent = "pool"
	Claim    RecordEvent = "claim"
)

var recordMachine = mustMachine("customer_record", StatusActive,
	Transition[RecordStatus, RecordEvent]{
		From: StatusActive, Event: Archive, To: StatusArchived,
		Who:  "the owner, a manager of the owner's team, or an admin",
		When: "the company stops working with the customer, or the record is a duplicate",
		Why:  "takes the customer out of working lists while keeping every record and its history",
	},
	Transition[RecordStatus, RecordEvent]{
		From: StatusArchived, Event: Restore, To: StatusActive,
		Who:  "a manager of the owner's team or an admin",
		When: "the customer comes back or was archived by mistake",
		Why:  "records are never deleted, so a customer can always return with their history",
	},
	Transition[RecordStatus, RecordEvent]{
		From: StatusActive, Event: Update, To: StatusActive,
		Who:  "the owner, a manager of the owner's team, or an admin; never a deactivated user",
		When: "anything about the customer changes: name, contacts, segment, tags, attributes",
		Why:  "an archived record is frozen until restored, so its history ends where it left",
	},
	Transition[RecordStatus, RecordEvent]{
		From: StatusActive, Event: Reassign, To: StatusActive,
		Who:  "a manager of the team or an admin",
		When: "the owner leaves or the accounts are rebalanced",
		Why:  "the customer belongs to the company, not to the rep who found them",
	},
	Transition[RecordStatus, RecordEvent]{
		From: StatusArchived, Event: Reassign, To: StatusArchived,
		Who:  "a manager of the team or an admin",
		When: "a departed owner's customers are handed over, archived ones included",
		Why:  "no record is left owned by someone who can no longer act on it",
	},
	Transition[RecordStatus, RecordEvent]{
		From: StatusActive, Event: Pool, To: StatusPooled,
		Who:  "the public pool sweep (CustomerService.ReturnIdle), run by an admin or a manager",
		When: "the owner logged no activity with the customer for the pool rule's days",
		Why:  "a customer nobody follows up is lost; in the team's pool another rep can take them on",
	},
	Transition[RecordStatus, RecordEvent]{
		From: StatusPooled, Event: Claim, To: StatusActive,
		Who:  "a rep or a manager of the customer's team, or an admin",
		When: "someone wants to work the customer",
		Why:  "first come, first served, and recorded: the pool is worked, not hoarded",
	},
	Transition[RecordStatus, RecordEvent]{
		From: StatusPooled, Event: Reassign, To: StatusActive,
		Who:  "a manager of the team or an admin",
		When: "a manager gives a pooled customer to a rep",
		Why:  "the manager decides who works the pool when nobody claims",
	},
)

// CustomerRecordMachine returns the state machine of a customer record:
// active and archived, with no way out of the records. It is immutable.
func CustomerRecordMachine() *Machine[RecordStatus, RecordEvent] { return recordMachine }

// Contact is a person at a customer. Contacts hold personal data, which
// EraseCustomerData removes on request.
type Contact struct {
	ID    ID     `json:"id"`
	Name  string `json:"name" privacy:"personal"`
	Title string `json:"title,omitempty" privacy:"personal"`
	Email string `json:"email,omitempty" privacy:"personal"`
	Phone string `json:"phone,omitempty" privacy:"personal"`
}

// Customer is a company's record of a customer. It is never deleted: it is
// archived and restored, its owner is reassigned when a rep leaves, and its
// personal data can be erased on request while the record and its history
// stay.
type Customer struct {
	ID         ID                `json:"id,omitzero"`
	Kind       CustomerKind      `json:"kind,omitempty"`
	Party      Party             `json:"party,omitempty"` // a person or an organization: whether Name is personal data
	Name       string            `json:"name,omitempty" privacy:"personal"`
	Contacts   []Contact         `json:"contacts,omitempty" privacy:"nested"`
	Segment    string            `json:"segment,omitempty" privacy:"none"`
	Tags       []string          `json:"tags,omitempty" privacy:"none"`           // sorted, unique
	Attributes map[string]string `json:"attributes,omitempty" privacy:"personal"` // custom fields; keys are [A-Za-z0-9_.-]
	Owner      ID                `json:"owner,omitzero"`
	Team       string            `json:"team,omitempty" privacy:"none"` // the owner's team when the owner was assigned
	KeyAccount bool              `json:"key_account,omitempty"`
	Lifecycle  LifecycleStage    `json:"lifecycle,omitempty"`
	Campaign   ID                `json:"campaign,omitzero"` // the campaign that brought the customer, if any
	Status     RecordStatus      `json:"status,omitempty"`
	ArchivedAt time.Time         `json:"archived_at,omitzero"` // zero unless archived
	ErasedAt   time.Time         `json:"erased_at,omitzero"`   // zero unless personal data was erased
	// RestrictedAt is when processing of the customer's data was
	// restricted (CustomerService.Restrict); zero unless it is.
	RestrictedAt time.Time `json:"restricted_at,omitzero"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
	Version      int64     `json:"version"`
}

// Clone returns a deep copy, so that a caller and a store never share a
// slice or a map.
func (c Customer) Clone() Customer {
	c.Contacts = slices.Clone(c.Contacts)
	c.Tags = slices.Clone(c.Tags)
	c.Attributes = maps.Clone(c.Attributes)
	return c
}

// HasTag reports whether the customer has the tag.
func (c Customer) HasTag(tag string) bool {
	_, ok := slices.BinarySearch(c.Tags, tag)
	return ok
}

func (c Customer) target() Target {
	return Target{Kind: KindCustomer, ID: c.ID, Owner: c.Owner, Team: c.Team}
}

// NewCustomer is the input for creating a customer. Owner defaults to the
// acting user. Contact IDs are assigned by the CRM.
type NewCustomer struct {
	Kind       CustomerKind      `json:"kind,omitempty"`
	Party      Party             `json:"party,omitempty"` // defaults by kind (see Party)
	Name       string            `json:"name,omitempty"`
	Contacts   []Contact         `json:"contacts,omitempty"`
	Segment    string            `json:"segment,omitempty"`
	Tags       []string          `json:"tags,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Owner      ID                `json:"owner,omitzero"`
	KeyAccount bool              `json:"key_account,omitempty"`
	Lifecycle  LifecycleStage    `json:"lifecycle,omitempty"` // defaults to lead
	Campaign   ID                `json:"campaign,omitzero"`   // the campaign that brought the customer
}

// CustomerPatch changes a customer; nil and empty fields leave things as
// they are. The owner changes only by reassignment, the status only by
// archive and restore.
//
// IfVersion, when not zero, must equal the customer's current version, or
// the update fails with a *ConflictError; when zero, the CRM applies the
// patch to the latest version, retrying if another writer got there first.
type CustomerPatch struct {
	Customer         ID                `json:"customer,omitzero"`
	Kind             *CustomerKind     `json:"kind,omitempty"`
	Party            *Party            `json:"party,omitempty"`
	Name             *string           `json:"name,omitempty"`
	Segment          *string           `json:"segment,omitempty"`
	KeyAccount       *bool             `json:"key_account,omitempty"`
	AddTags          []string          `json:"add_tags,omitempty"`
	RemoveTags       []string          `json:"remove_tags,omitempty"`
	SetAttributes    map[string]string `json:"set_attributes,omitempty"`
	RemoveAttributes []string          `json:"remove_attributes,omitempty"`
	AddContacts      []Contact         `json:"add_contacts,omitempty"`    // their IDs are assigned by the CRM
	UpdateContacts   []Contact         `json:"update_contacts,omitempty"` // matched by ID
	RemoveContacts   []ID              `json:"remove_contacts,omitempty"`
	IfVersion        int64             `json:"if_version"`
}

// ArchiveCustomerRequest archives Customer for Reason.
type ArchiveCustomerRequest struct {
	Customer ID     `json:"customer,omitzero"`
	Reason   string `json:"reason,omitempty"`
}

// RestoreCustomerRequest restores the archived Customer for Reason.
type RestoreCustomerRequest struct {
	Customer ID     `json:"customer,omitzero"`
	Reason   string `json:"reason,omitempty"`
}

// ReassignCustomerRequest gives Customer to the user To, for Reason.
type ReassignCustomerRequest struct {
	Customer ID     `json:"customer,omitzero"`
	To       ID     `json:"to,omitzero"`
	Reason   string `json:"reason,omitempty"`
}

// HandOverRequest gives everything the user From owns to the user To,
// for Reason: how a manager hands over the accounts of a rep who left.
type HandOverRequest struct {
	From   ID     `json:"from,omitzero"`
	To     ID     `json:"to,omitzero"`
	Reason string `json:"reason,omitempty"`
}

// HandOverReport is what a hand-over did, for the manager who ran it:
// how many records of each kind moved from From to To, and how many of
// From's records on those customers stayed with From, and the first
// MaxHandOverItems of each, the ones that stayed with the reason why.
// A customer moves with its open deals, its contracts in progress, its
// open cases assigned to From and From's pending follow-ups on it; what
// is closed, ended, resolved or done stays with who did it, so that the
// history says who won, signed and settled what.
type HandOverReport struct {
	From        ID             `json:"from,omitzero"`
	To          ID             `json:"to,omitzero"`
	Moved       HandOverCounts `json:"moved"`
	Stayed      HandOverCounts `json:"stayed"`
	MovedItems  []HandOverItem `json:"moved_items,omitempty"`  // the first MaxHandOverItems records moved, customers first
	StayedItems []HandOverItem `json:"stayed_items,omitempty"` // the first MaxHandOverItems records that stayed, each with its reason
}

// MaxHandOverItems is how many records a HandOverReport lists of those
// moved, and of those that stayed; its counts hold them all.
const MaxHandOverItems = 200

// HandOverCounts counts a hand-over's records by kind.
type HandOverCounts struct {
	Customers int `json:"customers"`
	Deals     int `json:"deals"`
	Contracts int `json:"contracts"`
	Cases     int `json:"cases"`
	FollowUps int `json:"follow_ups"` // activities whose follow-up is not done yet
}

// HandOverItem is one record a hand-over moved or left where it was.
type HandOverItem struct {
	Kind     Kind       `json:"kind,omitempty"`
	ID       ID         `json:"id,omitzero"`
	Customer ID         `json:"customer,omitzero"`
	Title    string     `json:"title,omitempty"`  // the record's title, name or subject
	Reason   StayReason `json:"reason,omitempty"` // why it stayed; "" for a record that moved
}

// StayReason says why a record of a customer handed over stayed with its
// old owner.
type StayReason string

// The reasons a record stays.
const (
	StayClosedDeal    StayReason = "closed_deal"    // won or lost: the deal stays with the rep who closed it
	StayEndedContract StayReason = "ended_contract" // completed, terminated, expired or superseded
	StayResolvedCase  StayReason = "resolved_case"  // resolved or closed by the one who settled it
)

// SetLifecycleRequest moves Customer's lifecycle stage to Stage by hand;
// going back needs a Reason.
type SetLifecycleRequest struct {
	Customer ID             `json:"customer,omitzero"`
	Stage    LifecycleStage `json:"stage,omitempty"`
	Reason   string         `json:"reason,omitempty"`
}

// CustomerFilter selects customers in listings. Zero fields match
// everything; Status "" matches active and archived records.
type CustomerFilter struct {
	Kind       CustomerKind `json:"kind,omitempty"`
	Owner      ID           `json:"owner,omitzero"`
	Team       string       `json:"team,omitempty"`
	Segment    string       `json:"segment,omitempty"`
	Tag        string       `json:"tag,omitempty"`
	KeyAccount *bool        `json:"key_account,omitempty"`
	Status     RecordStatus `json:"status,omitempty"`
	Stage      LoyaltyStage `json:"stage,omitempty"` // the rung on the loyalty ladder now; a customer with no ladder state is indifferent
	// Restricted says whether customers whose processing is restricted
	// are listed: "" (RestrictedExcluded) leaves them out, as listings
	// used for work and marketing must; the privacy officer lists them
	// with RestrictedIncluded or RestrictedOnly.
	Restricted RestrictedFilter `json:"restricted,omitempty"`
}

// RestrictedFilter says which customers a listing takes by their
// restriction of processing (CustomerService.Restrict).
type RestrictedFilter string

// The restriction filters.
const (
	RestrictedExcluded RestrictedFilter = ""         // only customers not restricted (the default)
	RestrictedIncluded RestrictedFilter = "included" // every customer
	RestrictedOnly     RestrictedFilter = "only"     // only restricted customers
)

// Match reports whether a customer restricted since at (zero: not
// restricted) passes the filter.
func (f RestrictedFilter) Match(at time.Time) bool {
	switch f {
	case RestrictedIncluded:
		return true
	case RestrictedOnly:
		return !at.IsZero()
	}
	return at.IsZero()
}

// Match reports whether c passes the filter; adapters that filter in
// memory use it, SQL adapters translate the same rules to WHERE clauses.
// Match does not look at Stage, which lives in the customer's LadderState:
// adapters check it against that.
func (f CustomerFilter) Match(c Customer) bool {
	return (f.Kind == "" || c.Kind == f.Kind) &&
		(f.Owner.IsZero() || c.Owner == f.Owner) &&
		(f.Team == "" || c.Team == f.Team) &&
		(f.Segment == "" || c.Segment == f.Segment) &&
		(f.Tag == "" || c.HasTag(f.Tag)) &&
		(f.KeyAccount == nil || c.KeyAccount == *f.KeyAccount) &&
		(f.Status == "" || c.Status == f.Status) &&
		f.Restricted.Match(c.RestrictedAt)
}

func (in NewCustomer) build(id ID, owner User, contactIDs func() (ID, error), now time.Time) (Customer, error) {
	c := Customer{
		ID: id, Kind: in.Kind, Party: cmpOr(in.Party, defaultParty(in.Kind)), Name: in.Name, Segment: in.Segment, Tags: in.Tags,
		Attributes: maps.Clone(in.Attributes), Owner: owner.ID, Team: owner.Team,
		KeyAccount: in.KeyAccount, Status: StatusActive, CreatedAt: now, UpdatedAt: now, Version: 1,
		Lifecycle: cmpOr(in.Lifecycle, LifecycleLead), Campaign: in.Campaign,
	}
	for _, ct := range in.Contacts {
		var err error
		if ct.ID, err = contactIDs(); err != nil {
			return Customer{}, err
		}
		c.Contacts = append(c.Contacts, ct)
	}
	return c.normalized()
}

func (p CustomerPatch) apply(c Customer, contactIDs func() (ID, error)) (Customer, error) {
	c = c.Clone()
	if p.Kind != nil {
		c.Kind = *p.Kind
	}
	if p.Party != nil {
		c.Party = *p.Party
	}
	if p.Name != nil {
		c.Name = *p.Name
	}
	if p.Segment != nil {
		c.Segment = *p.Segment
	}
	if p.KeyAccount != nil {
		c.KeyAccount = *p.KeyAccount
	}
	c.Tags = append(c.Tags, p.AddTags...)
	for _, t := range p.RemoveTags {
		c.Tags = slices.DeleteFunc(c.Tags, func(x string) bool { return x == strings.TrimSpace(t) })
	}
	if len(p.SetAttributes) > 0 && c.Attributes == nil {
		c.Attributes = map[string]string{}
	}
	maps.Copy(c.Attributes, p.SetAttributes)
	for _, k := range p.RemoveAttributes {
		delete(c.Attributes, k)
	}
	for i, upd := range p.UpdateContacts {
		j := slices.IndexFunc(c.Contacts, func(x Contact) bool { return x.ID == upd.ID })
		if upd.ID.IsZero() || j < 0 {
			return Customer{}, invalid(fmt.Sprintf("update_contacts[%d].id", i), "exists", fmt.Sprintf("no contact %s", upd.ID))
		}
		c.Contacts[j] = upd
	}
	for i, id := range p.RemoveContacts {
		n := len(c.Contacts)
		c.Contacts = slices.DeleteFunc(c.Contacts, func(x Contact) bool { return x.ID == id })
		if len(c.Contacts) == n {
			return Customer{}, invalid(fmt.Sprintf("remove_contacts[%d]", i), "exists", fmt.Sprintf("no contact %s", id))
		}
	}
	for _, ct := range p.AddContacts {
		var err error
		if ct.ID, err = contactIDs(); err != nil {
			return Customer{}, err
		}
		c.Contacts = append(c.Contacts, ct)
	}
	return c.normalized()
}

// normalized trims text, sorts and dedupes tags, and checks every rule of
// a customer record.
func (c Customer) normalized() (Customer, error) {
	var err error
	if !c.Kind.valid() {
		return Customer{}, invalid("kind", "one_of", fmt.Sprintf("%q is not end_customer, distributor or partner", c.Kind))
	}
	if err := checkParty(c.Party); err != nil {
		return Customer{}, err
	}
	if c.Name, err = cleanText("name", c.Name, maxNameLen, true); err != nil {
		return Customer{}, err
	}
	if c.Segment, err = cleanText("segment", c.Segment, maxShortTextLen, false); err != nil {
		return Customer{}, err
	}
	if c.Tags, err = cleanTags(c.Tags); err != nil {
		return Customer{}, err
	}
	if c.Attributes, err = cleanAttributes(c.Attributes); err != nil {
		return Customer{}, err
	}
	if len(c.Attributes) == 0 {
		c.Attributes = nil
	}
	if len(c.Contacts) > maxContacts {
		return Customer{}, invalid("contacts", "max_count", fmt.Sprintf("at most %d", maxContacts))
	}
	for i := range c.Contacts {
		if c.Contacts[i], err = c.Contacts[i].normalized(fmt.Sprintf("contacts[%d]", i)); err != nil {
			return Customer{}, err
		}
	}
	if len(c.Contacts) == 0 {
		c.Contacts = nil
	}
	if c.Owner.IsZero() {
		return Customer{}, invalid("owner", "required", "")
	}
	if c.Lifecycle.rank() < 0 {
		return Customer{}, invalid("lifecycle", "one_of", fmt.Sprintf("%q is not a lifecycle stage", c.Lifecycle))
	}
	return c, nil
}

func (ct Contact) normalized(field string) (Contact, error) {
	var err error
	if ct.Name, err = cleanText(field+".name", ct.Name, maxNameLen, true); err != nil {
		return Contact{}, err
	}
	if ct.Title, err = cleanText(field+".title", ct.Title, maxShortTextLen, false); err != nil {
		return Contact{}, err
	}
	if ct.Email, err = cleanEmail(field+".email", ct.Email); err != nil {
		return Contact{}, err
	}
	if ct.Phone, err = cleanPhone(field+".phone", ct.Phone); err != nil {
		return Contact{}, err
	}
	return ct, nil
}

func cleanTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for i, t := range tags {
		t, err := cleanText(fmt.Sprintf("tags[%d]", i), t, maxShortTextLen, true)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > maxTags {
		return nil, invalid("tags", "max_count", fmt.Sprintf("%d tags, at most %d", len(out), maxTags))
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// cleanAttributes checks custom fields and returns them as validated.
func cleanAttributes(attrs map[string]string) (map[string]string, error) {
	if len(attrs) > maxAttributes {
		return nil, invalid("attributes", "max_count", fmt.Sprintf("%d attributes, at most %d", len(attrs), maxAttributes))
	}
	if attrs == nil {
		return nil, nil
	}
	out := make(map[string]string, len(attrs))
	for k, v := range attrs {
		if !validKey(k) {
			return nil, invalid("attributes", "key", fmt.Sprintf("%q must be 1-64 of A-Z a-z 0-9 _ . -", truncate(k, 70)))
		}
		clean, err := cleanText("attributes."+k, v, maxLongTextLen, false)
		if err != nil {
			return nil, err
		}
		out[k] = clean
	}
	return out, nil
}

// diffCustomer lists what changed between two versions of a customer.
// Contacts and attributes are listed one by one, so that erasing personal
// data can redact exactly those entries in the history. It compares the
// fields by their types and boxes only what changed.
func diffCustomer(before, after Customer) []Change {
	var cs changes
	cs.text("kind", string(before.Kind), string(after.Kind))
	cs.text("party", string(before.Party), string(after.Party))
	cs.text("name", before.Name, after.Name)
	cs.text("segment", before.Segment, after.Segment)
	cs.texts("tags", before.Tags, after.Tags)
	cs.id("owner", before.Owner, after.Owner)
	cs.text("team", before.Team, after.Team)
	cs.flag("key_account", before.KeyAccount, after.KeyAccount)
	cs.text("status", string(before.Status), string(after.Status))
	cs.text("lifecycle", string(before.Lifecycle), string(after.Lifecycle))
	cs.id("campaign", before.Campaign, after.Campaign)
	cs.flag("restricted", !before.RestrictedAt.IsZero(), !after.RestrictedAt.IsZero())
	if len(before.Attributes) > 0 || len(after.Attributes) > 0 {
		for _, k := range sortedKeys(before.Attributes, after.Attributes) {
			if from, to := before.Attributes[k], after.Attributes[k]; from != to {
				cs.text(attributeField(k), from, to)
			}
		}
	}
	seen := func(list []Contact, i int) bool { // an ID met before in the list
		return slices.ContainsFunc(list[:i], func(c Contact) bool { return c.ID == list[i].ID })
	}
	for i, c := range before.Contacts {
		if !seen(before.Contacts, i) {
			cs.contact(c.ID, before.Contacts, after.Contacts)
		}
	}
	for i, c := range after.Contacts {
		if !seen(after.Contacts, i) && !slices.ContainsFunc(before.Contacts, func(b Contact) bool { return b.ID == c.ID }) {
			cs.contact(c.ID, before.Contacts, after.Contacts)
		}
	}
	return cs
}

// contact records a change of the contact with the ID: its first entry
// in each list, nil where there is none.
func (cs *changes) contact(id ID, before, after []Contact) {
	i := slices.IndexFunc(before, func(c Contact) bool { return c.ID == id })
	j := slices.IndexFunc(after, func(c Contact) bool { return c.ID == id })
	if (i < 0) == (j < 0) && (i < 0 || before[i] == after[j]) {
		return
	}
	var from, to any
	if i >= 0 {
		c := before[i]
		from = &c
	}
	if j >= 0 {
		c := after[j]
		to = &c
	}
	*cs = append(*cs, Change{Field: contactField(id), From: from, To: to})
}

func attributeField(k string) string { return "attributes." + k }
func contactField(id ID) string      { return "contacts." + id.String() }

func sortedKeys(a, b map[string]string) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// LoyaltyStage is a rung of the loyalty ladder, or lost: customer
// experience management moves customers from annoyed to loyal and from
// loyal to advocate.
type LoyaltyStage string

// The rungs, from the bottom, and lost.
const (
	Annoyed     LoyaltyStage = "annoyed"     // had bad experiences and says so
	Indifferent LoyaltyStage = "indifferent" // no strong feeling either way; where every customer starts
	Satisfied   LoyaltyStage = "satisfied"   // good experiences outweigh the bad
	Loyal       LoyaltyStage = "loyal"       // satisfied and buying again
	Advocate    LoyaltyStage = "advocate"    // loyal and recommending the company to others
	Lost        LoyaltyStage = "lost"        // has left
)

// LoyaltyStages lists the rungs from the bottom up; Lost is not a rung.
func LoyaltyStages() []LoyaltyStage {
	return []LoyaltyStage{Annoyed, Indifferent, Satisfied, Loyal, Advocate}
}

// LadderEvent is a move on the ladder.
type LadderEvent string

// The ladder moves.
const (
	Rise    LadderEvent = "rise"     // one rung up
	Slide   LadderEvent = "slide"    // one rung down
	Fall    LadderEvent = "fall"     // straight to annoyed: a broken promise
	Churn   LadderEvent = "churn"    // the customer leaves
	WinBack LadderEvent = "win_back" // a lost customer buys again
)

func ladderRows() []Transition[LoyaltyStage, LadderEvent] {
	var rows []Transition[LoyaltyStage, LadderEvent]
	stages := LoyaltyStages()
	why := map[LoyaltyStage]string{
		Indifferent: "bad experiences have faded or been made good",
		Satisfied:   "good experiences outweigh the bad",
		Loyal:       "satisfied, and has bought again",
		Advocate:    "loyal, and has referred someone or answered NPS 9-10 lately",
	}
	for i := 1; i < len(stages); i++ {
		lo, hi := stages[i-1], stages[i]
		rows = append(rows,
			Transition[LoyaltyStage, LadderEvent]{From: lo, Event: Rise, To: hi, Who: riseWho(lo),
				When: fmt.Sprintf("the score reaches the %s threshold and its requirements hold", hi), Why: why[hi]},
			Transition[LoyaltyStage, LadderEvent]{From: hi, Event: Slide, To: lo, Who: "the ladder rules, on new evidence, or LadderService.CheckFading as good experiences fade",
				When: fmt.Sprintf("the score drops below the %s threshold by more than the hysteresis, or a requirement stops holding", hi),
				Why:  "experiences fade and bad ones weigh more; the ladder reflects the customer now"})
	}
	for _, s := range stages[1:] {
		rows = append(rows, Transition[LoyaltyStage, LadderEvent]{From: s, Event: Fall, To: Annoyed, Who: "the ladder rules",
			When: "the company breaks a promise to the customer", Why: "consistency beats surprises: a broken promise undoes goodwill at once"})
	}
	for _, s := range stages {
		rows = append(rows, Transition[LoyaltyStage, LadderEvent]{From: s, Event: Churn, To: Lost, Who: "the ladder rules, on churn evidence",
			When: "the customer cancels or is known to have left", Why: "a lost customer is counted as lost, not as indifferent"})
	}
	rows = append(rows, Transition[LoyaltyStage, LadderEvent]{From: Lost, Event: WinBack, To: Indifferent, Who: "the ladder rules",
		When: "a lost customer buys again", Why: "winning back starts from neutral, with the old score forgotten"})
	return rows
}

// riseWho says who lifts a customer from a rung: new evidence, and from
// annoyed also the fading sweep, as bad experiences fade.
func riseWho(from LoyaltyStage) string {
	if from == Annoyed {
		return "the ladder rules, on new evidence, or LadderService.CheckFading as bad experiences fade"
	}
	return "the ladder rules, on new evidence"
}

var ladderMachine = mustMachine("loyalty_ladder", Indifferent, ladderRows()...)

// LoyaltyLadder returns the state machine of the loyalty ladder. It is
// immutable.
func LoyaltyLadder() *Machine[LoyaltyStage, LadderEvent] { return ladderMachine }

// LadderState is where a customer stands on the loyalty ladder and what
// the rules remember to place them: the decayed score, the purchases, and
// the last referral and promoter answer. It is kept apart from the
// Customer record, with its own version, so that a stream of interactions
// does not collide with people editing the customer.
type LadderState struct {
	Customer     ID           `json:"customer,omitzero"`
	Stage        LoyaltyStage `json:"stage,omitempty"`
	Score        int64        `json:"score"`               // in thousandths of a point
	Since        time.Time    `json:"since,omitzero"`      // when the customer reached Stage
	UpdatedAt    time.Time    `json:"updated_at,omitzero"` // the time of the last evidence applied, or of the last move fading caused
	Purchases    int          `json:"purchases"`
	LastReferral time.Time    `json:"last_referral,omitzero"`
	LastPromoter time.Time    `json:"last_promoter,omitzero"`
	// LastDetractor is the last detractor answer (NPS 0-6): advocacy needs
	// a referral or a promoter answer after it.
	LastDetractor time.Time `json:"last_detractor,omitzero"`
	// Failures counts the service failures (complaints) of the current
	// run, each within LadderRules.FailureWindow of the one before;
	// LastFailure is the latest and BeforeFailure the score just before
	// it, in thousandths as of LastFailure. Recovery diminishes with
	// Failures and never lifts the score above BeforeFailure (faded).
	Failures      int       `json:"failures"`
	LastFailure   time.Time `json:"last_failure,omitzero"`
	BeforeFailure int64     `json:"before_failure"`
	Evidence      int       `json:"evidence"` // how many pieces of evidence were applied
	// FadesAt is when fading alone will next move the customer (zero:
	// never), for LadderService.CheckFading to find them without reading
	// every customer.
	FadesAt time.Time `json:"fades_at,omitzero"`
	// LastEvidence is the last evidence weighed, in the ladder's order
	// (CompareEvidence): evidence of the same instant after it is weighed
	// at once, evidence before it replays the customer.
	LastEvidence ID `json:"last_evidence,omitzero"`
	// LastAt and LastArrival are the last evidence's time and
	// Evidence.Arrival: with LastEvidence, where it stands in the ladder's
	// order, so that evidence arriving after it is known to be in order
	// without reading it.
	LastAt      time.Time `json:"last_at,omitzero"`
	LastArrival int       `json:"last_arrival"`
	Version     int64     `json:"version"`
}

// Points returns the score in whole points, rounded toward zero.
func (s LadderState) Points() int64 { return s.Score / 1000 }

// LifecycleStage is where a customer stands in the company's funnel, as
// in HubSpot: from subscriber to evangelist.
type LifecycleStage string

// The lifecycle stages, in order.
const (
	LifecycleSubscriber  LifecycleStage = "subscriber"  // follows the company's content
	LifecycleLead        LifecycleStage = "lead"        // has shown interest
	LifecycleMQL         LifecycleStage = "mql"         // marketing qualified: fits and engages
	LifecycleSQL         LifecycleStage = "sql"         // sales qualified: sales will work them
	LifecycleOpportunity LifecycleStage = "opportunity" // has an open deal
	LifecycleCustomer    LifecycleStage = "customer"    // has won a deal
	LifecycleEvangelist  LifecycleStage = "evangelist"  // an advocate on the loyalty ladder
)

// LifecycleStages lists the stages in order.
func LifecycleStages() []LifecycleStage {
	return []LifecycleStage{LifecycleSubscriber, LifecycleLead, LifecycleMQL, LifecycleSQL, LifecycleOpportunity, LifecycleCustomer, LifecycleEvangelist}
}

func (s LifecycleStage) rank() int { return slices.Index(LifecycleStages(), s) }

// Before reports whether s comes before o in LifecycleStages; a stage
// that is none comes before every stage.
func (s LifecycleStage) Before(o LifecycleStage) bool { return s.rank() < o.rank() }

// lifecycleWhy explains what moves a customer into each stage.
var lifecycleWhy = map[LifecycleStage]string{
	LifecycleSubscriber:  "the customer subscribed",
	LifecycleLead:        "the customer showed interest",
	LifecycleMQL:         "marketing qualified the customer",
	LifecycleSQL:         "sales accepted the customer",
	LifecycleOpportunity: "a deal was opened for the customer (automatic)",
	LifecycleCustomer:    "a deal of the customer was won (automatic)",
	LifecycleEvangelist:  "the customer became an advocate on the loyalty ladder (automatic)",
}

func lifecycleRows() []Transition[LifecycleStage, LifecycleStage] {
	var rows []Transition[LifecycleStage, LifecycleStage]
	stages := LifecycleStages()
	for i, from := range stages {
		for j, to := range stages {
			switch {
			case j > i:
				rows = append(rows, Transition[LifecycleStage, LifecycleStage]{From: from, Event: to, To: to,
					Who:  "the CRM on its own for opportunity, customer and evangelist; anyone who may update the customer otherwise",
					When: lifecycleWhy[to], Why: "the lifecycle moves forward as the relationship grows"})
			case j < i:
				rows = append(rows, Transition[LifecycleStage, LifecycleStage]{From: from, Event: to, To: to,
					Who: "a person, never the CRM on its own, with a reason", When: "the stage was wrong or the relationship went back",
					Why: "automatic moves only go forward; going back is a judgement that is recorded with its reason"})
			}
		}
	}
	return rows
}

var lifecycleMachine = mustMachine("lifecycle", LifecycleSubscriber, lifecycleRows()...)

// LifecycleMachine returns the lifecycle's state machine: the event of a
// move is its target stage. It is immutable.
func LifecycleMachine() *Machine[LifecycleStage, LifecycleStage] { return lifecycleMachine }
