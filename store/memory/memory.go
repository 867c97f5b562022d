// Package memory is an in-memory crm.Store: for tests, examples and
// programs whose data fits in memory and need not survive them.
//
// Writers are serialized; each runs against its own overlay of the
// committed data, so a transaction that fails or panics leaves nothing
// behind. Readers see the last committed state and run alongside writers.
package memory

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"github.com/crmkit/crm"
)

// Store is an in-memory crm.Store. The zero value is not usable; call New.
type Store struct {
	writeMu sync.Mutex   // one writer at a time
	mu      sync.RWMutex // readers against the commit of a writer

	customers *table[crm.Customer]
	users     *table[crm.User]
	events    chunked[crm.Event]
	bySubject map[subjectKey][]int // indexes into events
	byID      map[crm.ID]int       // indexes into events; made by the first redaction, which needs it, then kept

	maps         *table[storedMap]
	interactions *table[crm.Interaction]
	cases        *table[crm.Case]
	evidence     *table[crm.Evidence]
	moves        *table[crm.LadderMove]
	replaced     *table[crm.ID] // moves late evidence replaced, by ID
	templates    *table[crm.JourneyTemplate]
	states       *table[crm.LadderState] // keyed by customer
	pipelines    *table[crm.Pipeline]
	deals        *table[crm.Deal]
	dealCols     *dealColumns // a summary row of each committed deal, for the sales reports
	activities   *table[crm.Activity]
	campaigns    *table[crm.Campaign]
	quotas       *table[crm.Quota]
	consents     *table[crm.Consent]
	books        *table[crm.Book] // keyed by customer
	entries      *table[crm.Entry]
	open         *openItems // what is open on each item, kept as entries are committed
	invoices     *table[crm.Invoice]
	credits      *table[crm.Credit]
	contracts    *table[crm.Contract]
	entryKeys    map[string]crm.ID       // idempotency keys of entries
	reversals    map[crm.ID]crm.ID       // reversed entry -> its reversal
	idempotency  map[string]crm.ID       // interaction idempotency keys
	byCustomer   map[crm.ID]customerRows // append-only rows of each customer

	lock            crm.PeriodLock
	series          map[seriesKey]int64 // the last number taken of each series
	documentNumbers map[numberKey]crm.ID
	dunning         *table[crm.DunningRecord] // keyed by invoice

	// The blocks of transactions that ended, for the next to reuse: the
	// writers' one (under writeMu) and the readers'. A transaction
	// allocates none of its own.
	spare   *txBlock
	readers sync.Pool
}

type subjectKey struct {
	kind crm.Kind
	id   crm.ID
}

// New returns an empty store.
func New() *Store {
	s := &Store{
		customers:    newTable(crm.Customer.Clone),
		users:        newTable(same[crm.User]),
		bySubject:    map[subjectKey][]int{},
		maps:         newTable(storedMap.clone),
		interactions: newTable(crm.Interaction.Clone),
		cases:        newTable(same[crm.Case]),
		evidence:     newTable(cloneEvidence),
		moves:        newTable(same[crm.LadderMove]),
		replaced:     newTable(same[crm.ID]),
		templates:    newTable(crm.JourneyTemplate.Clone),
		states:       newTable(same[crm.LadderState]),
		pipelines:    newTable(crm.Pipeline.Clone),
		deals:        newTable(crm.Deal.Clone),
		activities:   newTable(same[crm.Activity]),
		campaigns:    newTable(crm.Campaign.Clone),
		quotas:       newTable(func(q crm.Quota) crm.Quota { return q }),
		consents:     newTable(same[crm.Consent]),
		books:        newTable(same[crm.Book]),
		entries:      newTable(crm.Entry.Clone),
		open:         newOpenItems(),
		invoices:     newTable(crm.Invoice.Clone),
		credits:      newTable(same[crm.Credit]),
		contracts:    newTable(crm.Contract.Clone),
		dunning:      newTable(same[crm.DunningRecord]),
		entryKeys:    map[string]crm.ID{},
		reversals:    map[crm.ID]crm.ID{},
		idempotency:  map[string]crm.ID{},
		byCustomer:   map[crm.ID]customerRows{},

		series:          map[seriesKey]int64{},
		documentNumbers: map[numberKey]crm.ID{},
	}
	s.dealCols = newDealColumns()
	s.deals.saved = s.dealCols.put
	s.interactions.added = func(in crm.Interaction) {
		if in.IdempotencyKey != "" {
			s.idempotency[in.IdempotencyKey] = in.ID
		}
		s.addContact(in)
	}
	s.evidence.added = func(ev crm.Evidence) {
		rows := s.byCustomer[ev.Customer]
		rows.evidence = append(rows.evidence, ev.ID)
		s.byCustomer[ev.Customer] = rows
	}
	s.entries.added = func(e crm.Entry) {
		if e.IdempotencyKey != "" {
			s.entryKeys[e.IdempotencyKey] = e.ID
		}
		if !e.Reverses.IsZero() {
			s.reversals[e.Reverses] = e.ID
		}
		s.open.add(e)
	}
	s.consents.added = func(c crm.Consent) {
		rows := s.byCustomer[c.Customer]
		rows.consents = append(rows.consents, c.ID)
		s.byCustomer[c.Customer] = rows
	}
	s.moves.added = func(m crm.LadderMove) {
		rows := s.byCustomer[m.Customer]
		rows.moves = append(rows.moves, m.ID)
		s.byCustomer[m.Customer] = rows
	}
	return s
}

// eventIndex returns the index of every committed event by ID, made on
// first use: only a redaction looks events up by ID. Writers are
// serialized and readers never read it, so a writer may make it.
func (s *Store) eventIndex() map[crm.ID]int {
	if s.byID == nil {
		s.byID = make(map[crm.ID]int, s.events.len())
		for i := range s.events.len() {
			s.byID[s.events.at(i).ID] = i
		}
	}
	return s.byID
}

// customerRows indexes a customer's append-only rows.
type customerRows struct {
	interactions              []contact // by time, then ID
	evidence, moves, consents []crm.ID  // in commit order
}

func same[T any](v T) T { return v }

// Update implements crm.Store.
func (s *Store) Update(ctx context.Context, fn func(tx crm.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	b := s.spare
	if b == nil {
		b = new(txBlock)
	}
	s.spare = nil // a panic in fn leaves it to the collector
	t := s.beginIn(b)
	err := fn(writeTx{t})
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		s.commitLocked(t)
	}
	appended := t.appended
	*b = txBlock{} // holds nothing of the transaction, and fails any use of it after fn
	if cap(appended) <= keptEvents {
		clear(appended)
		b.t.appended = appended[:0]
	}
	s.spare = b
	return err
}

// keptEvents is how many appended events a writer's block keeps room
// for, for the next transaction.
const keptEvents = 16

// commitLocked commits t, holding the readers off.
func (s *Store) commitLocked(t *txState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commit(t)
}

// View implements crm.Store.
func (s *Store) View(ctx context.Context, fn func(tx crm.ReadTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, _ := s.readers.Get().(*txBlock)
	if b == nil {
		b = new(txBlock)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	err := fn(readTx{s.beginIn(b)})
	*b = txBlock{} // a panic in fn leaves it to the collector
	s.readers.Put(b)
	return err
}

// txState is one transaction: overlays of the tables and the events it
// appends or redacts.
type txState struct {
	s            *Store
	customers    *overlay[crm.Customer]
	users        *overlay[crm.User]
	appended     []crm.Event
	redacted     map[int64]json.RawMessage
	maps         *overlay[storedMap]
	interactions *overlay[crm.Interaction]
	cases        *overlay[crm.Case]
	evidence     *overlay[crm.Evidence]
	moves        *overlay[crm.LadderMove]
	replaced     *overlay[crm.ID]
	templates    *overlay[crm.JourneyTemplate]
	states       *overlay[crm.LadderState]
	pipelines    *overlay[crm.Pipeline]
	deals        *overlay[crm.Deal]
	activities   *overlay[crm.Activity]
	campaigns    *overlay[crm.Campaign]
	quotas       *overlay[crm.Quota]
	consents     *overlay[crm.Consent]
	books        *overlay[crm.Book]
	entries      *overlay[crm.Entry]
	open         *openOverlay
	invoices     *overlay[crm.Invoice]
	credits      *overlay[crm.Credit]
	contracts    *overlay[crm.Contract]
	acct         accountingState
	dunning      *overlay[crm.DunningRecord]
}

// txBlock is a transaction's state with its overlays, in one allocation:
// beginning a transaction allocates once, and each overlay makes its map
// only when the transaction writes to its table.
type txBlock struct {
	t  txState
	ov struct {
		customers    overlay[crm.Customer]
		users        overlay[crm.User]
		maps         overlay[storedMap]
		interactions overlay[crm.Interaction]
		cases        overlay[crm.Case]
		evidence     overlay[crm.Evidence]
		moves        overlay[crm.LadderMove]
		replaced     overlay[crm.ID]
		templates    overlay[crm.JourneyTemplate]
		states       overlay[crm.LadderState]
		pipelines    overlay[crm.Pipeline]
		deals        overlay[crm.Deal]
		activities   overlay[crm.Activity]
		campaigns    overlay[crm.Campaign]
		quotas       overlay[crm.Quota]
		consents     overlay[crm.Consent]
		books        overlay[crm.Book]
		entries      overlay[crm.Entry]
		invoices     overlay[crm.Invoice]
		credits      overlay[crm.Credit]
		contracts    overlay[crm.Contract]
		dunning      overlay[crm.DunningRecord]
		open         openOverlay
	}
}

// beginIn starts a transaction in b, which holds no other.
func (s *Store) beginIn(b *txBlock) *txState {
	o := &b.ov
	b.t = txState{s: s, appended: b.t.appended[:0], customers: s.customers.beginIn(&o.customers), users: s.users.beginIn(&o.users),
		maps: s.maps.beginIn(&o.maps), interactions: s.interactions.beginIn(&o.interactions), cases: s.cases.beginIn(&o.cases),
		evidence: s.evidence.beginIn(&o.evidence), moves: s.moves.beginIn(&o.moves), replaced: s.replaced.beginIn(&o.replaced),
		templates: s.templates.beginIn(&o.templates), states: s.states.beginIn(&o.states),
		pipelines: s.pipelines.beginIn(&o.pipelines), deals: s.deals.beginIn(&o.deals), activities: s.activities.beginIn(&o.activities),
		campaigns: s.campaigns.beginIn(&o.campaigns), quotas: s.quotas.beginIn(&o.quotas), consents: s.consents.beginIn(&o.consents),
		books: s.books.beginIn(&o.books), entries: s.entries.beginIn(&o.entries), open: s.open.beginIn(&o.open),
		invoices: s.invoices.beginIn(&o.invoices), credits: s.credits.beginIn(&o.credits), contracts: s.contracts.beginIn(&o.contracts),
		dunning: s.dunning.beginIn(&o.dunning)}
	return &b.t
}

func (s *Store) commit(t *txState) {
	s.customers.commit(t.customers)
	s.users.commit(t.users)
	s.maps.commit(t.maps)
	s.interactions.commit(t.interactions)
	s.cases.commit(t.cases)
	s.evidence.commit(t.evidence)
	s.moves.commit(t.moves)
	s.replaced.commit(t.replaced)
	s.templates.commit(t.templates)
	s.states.commit(t.states)
	s.pipelines.commit(t.pipelines)
	s.deals.commit(t.deals)
	s.activities.commit(t.activities)
	s.campaigns.commit(t.campaigns)
	s.quotas.commit(t.quotas)
	s.consents.commit(t.consents)
	s.books.commit(t.books)
	s.entries.commit(t.entries)
	s.invoices.commit(t.invoices)
	s.credits.commit(t.credits)
	s.contracts.commit(t.contracts)
	s.commitAccounting(t.acct)
	s.dunning.commit(t.dunning)
	for seq, data := range t.redacted {
		e := s.events.at(int(seq - 1))
		e.Data, e.DataSalt, e.Redacted = data, nil, true
	}
	for _, e := range t.appended {
		k := subjectKey{e.Kind, e.Subject}
		s.bySubject[k] = append(s.bySubject[k], s.events.len())
		if s.byID != nil {
			s.byID[e.ID] = s.events.len()
		}
		s.events.append(e)
	}
}

type readTx struct{ t *txState }

func (r readTx) Customers() crm.CustomerReader { return customerRepo(r) }
func (r readTx) Users() crm.UserReader         { return userRepo(r) }
func (r readTx) Events() crm.EventReader       { return eventLog(r) }
func (r readTx) TouchpointMaps() crm.TouchpointMapReader {
	return mapRepo(r)
}
func (r readTx) Interactions() crm.InteractionReader         { return interactionRepo(r) }
func (r readTx) Cases() crm.CaseReader                       { return caseRepo(r) }
func (r readTx) Ladder() crm.LadderReader                    { return ladderRepo(r) }
func (r readTx) JourneyTemplates() crm.JourneyTemplateReader { return templateRepo(r) }
func (r readTx) Analytics() crm.AnalyticsReader              { return analytics(r) }
func (r readTx) Pipelines() crm.PipelineReader               { return pipelineRepo(r) }
func (r readTx) Deals() crm.DealReader                       { return dealRepo(r) }
func (r readTx) Activities() crm.ActivityReader              { return activityRepo(r) }
func (r readTx) Campaigns() crm.CampaignReader               { return campaignRepo(r) }
func (r readTx) Sales() crm.SalesAnalytics                   { return sales(r) }
func (r readTx) Ledger() crm.LedgerReader                    { return ledger(r) }
func (r readTx) Invoices() crm.InvoiceReader                 { return invoiceRepo(r) }
func (r readTx) Credits() crm.CreditReader                   { return creditRepo(r) }
func (r readTx) Contracts() crm.ContractReader               { return contractRepo(r) }
func (r readTx) Accounting() crm.AccountingReader            { return accounting(r) }
func (r readTx) Dunning() crm.DunningReader                  { return dunningRepo(r) }
func (r readTx) Quotas() crm.QuotaReader                     { return quotaRepo(r) }
func (r readTx) Consents() crm.ConsentReader                 { return consentRepo(r) }

type writeTx struct{ t *txState }

func (w writeTx) Customers() crm.CustomerRepository { return customerRepo(w) }
func (w writeTx) Users() crm.UserRepository         { return userRepo(w) }
func (w writeTx) Events() crm.EventLog              { return eventLog(w) }
func (w writeTx) TouchpointMaps() crm.TouchpointMapRepository {
	return mapRepo(w)
}
func (w writeTx) Interactions() crm.InteractionRepository         { return interactionRepo(w) }
func (w writeTx) Cases() crm.CaseRepository                       { return caseRepo(w) }
func (w writeTx) Ladder() crm.LadderRepository                    { return ladderRepo(w) }
func (w writeTx) JourneyTemplates() crm.JourneyTemplateRepository { return templateRepo(w) }
func (w writeTx) Analytics() crm.AnalyticsReader                  { return analytics(w) }
func (w writeTx) Pipelines() crm.PipelineRepository               { return pipelineRepo(w) }
func (w writeTx) Deals() crm.DealRepository                       { return dealRepo(w) }
func (w writeTx) Activities() crm.ActivityRepository              { return activityRepo(w) }
func (w writeTx) Campaigns() crm.CampaignRepository               { return campaignRepo(w) }
func (w writeTx) Sales() crm.SalesAnalytics                       { return sales(w) }
func (w writeTx) Ledger() crm.LedgerRepository                    { return ledger(w) }
func (w writeTx) Invoices() crm.InvoiceRepository                 { return invoiceRepo(w) }
func (w writeTx) Credits() crm.CreditRepository                   { return creditRepo(w) }
func (w writeTx) Contracts() crm.ContractRepository               { return contractRepo(w) }
func (w writeTx) Accounting() crm.AccountingRepository            { return accounting(w) }
func (w writeTx) Dunning() crm.DunningRepository                  { return dunningRepo(w) }
func (w writeTx) Quotas() crm.QuotaRepository                     { return quotaRepo(w) }
func (w writeTx) Consents() crm.ConsentRepository                 { return consentRepo(w) }

func cloneEvent(e crm.Event) crm.Event {
	e.Data, e.DataSalt = slices.Clone(e.Data), slices.Clone(e.DataSalt)
	return e
}

// ownEvent is cloneEvent for an event the store keeps: its data and salt
// copied into one allocation.
func ownEvent(e crm.Event) crm.Event {
	if e.Data == nil || e.DataSalt == nil {
		return cloneEvent(e)
	}
	b := make([]byte, len(e.Data)+len(e.DataSalt))
	n := copy(b, e.Data)
	copy(b[n:], e.DataSalt)
	e.Data, e.DataSalt = b[:n:n], b[n:]
	return e
}
