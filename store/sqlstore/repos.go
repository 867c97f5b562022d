package sqlstore

import "github.com/crmkit/crm"

// The repositories of one transaction.

func (t *txn) customers() customerRepo { return customerRepo{newRepo(customerTable, t)} }
func (t *txn) users() userRepo         { return userRepo{newRepo(userTable, t)} }
func (t *txn) cases() caseRepo         { return caseRepo{newRepo(caseTable, t)} }
func (t *txn) touchpointMaps() touchpointMapRepo {
	return touchpointMapRepo{newRepo(touchpointMapTable, t)}
}
func (t *txn) journeyTemplates() journeyTemplateRepo {
	return journeyTemplateRepo{newRepo(journeyTemplateTable, t)}
}
func (t *txn) pipelines() pipelineRepo  { return pipelineRepo{newRepo(pipelineTable, t)} }
func (t *txn) deals() dealRepo          { return dealRepo{newRepo(dealTable, t)} }
func (t *txn) activities() activityRepo { return activityRepo{newRepo(activityTable, t)} }
func (t *txn) campaigns() campaignRepo  { return campaignRepo{newRepo(campaignTable, t)} }
func (t *txn) invoices() invoiceRepo    { return invoiceRepo{records[crm.Invoice]{invoiceTable, t}} }
func (t *txn) credits() creditRepo      { return creditRepo{records[crm.Credit]{creditTable, t}} }
func (t *txn) contracts() contractRepo  { return contractRepo{newRepo(contractTable, t)} }
func (t *txn) dunning() dunningRepo     { return dunningRepo{newRepo(dunningTable, t)} }
func (t *txn) quotas() quotaRepo        { return quotaRepo{newRepo(quotaTable, t)} }
func (t *txn) consents() consentRepo    { return consentRepo{records[crm.Consent]{consentTable, t}} }
func (t *txn) interactions() interactionRepo {
	return interactionRepo{records[crm.Interaction]{interactionTable, t}}
}

// readTx and writeTx give a transaction's repositories the read-only or
// the read-write types.
type readTx struct{ t *txn }

func (r readTx) Customers() crm.CustomerReader               { return r.t.customers() }
func (r readTx) Users() crm.UserReader                       { return r.t.users() }
func (r readTx) Events() crm.EventReader                     { return eventLog(r) }
func (r readTx) TouchpointMaps() crm.TouchpointMapReader     { return r.t.touchpointMaps() }
func (r readTx) Interactions() crm.InteractionReader         { return r.t.interactions() }
func (r readTx) Cases() crm.CaseReader                       { return r.t.cases() }
func (r readTx) Ladder() crm.LadderReader                    { return ladderRepo(r) }
func (r readTx) JourneyTemplates() crm.JourneyTemplateReader { return r.t.journeyTemplates() }
func (r readTx) Analytics() crm.AnalyticsReader              { return analytics(r) }
func (r readTx) Pipelines() crm.PipelineReader               { return r.t.pipelines() }
func (r readTx) Deals() crm.DealReader                       { return r.t.deals() }
func (r readTx) Activities() crm.ActivityReader              { return r.t.activities() }
func (r readTx) Campaigns() crm.CampaignReader               { return r.t.campaigns() }
func (r readTx) Sales() crm.SalesAnalytics                   { return salesAnalytics(r) }
func (r readTx) Ledger() crm.LedgerReader                    { return ledgerRepo(r) }
func (r readTx) Invoices() crm.InvoiceReader                 { return r.t.invoices() }
func (r readTx) Credits() crm.CreditReader                   { return r.t.credits() }
func (r readTx) Contracts() crm.ContractReader               { return r.t.contracts() }
func (r readTx) Accounting() crm.AccountingReader            { return accountingRepo(r) }
func (r readTx) Dunning() crm.DunningReader                  { return r.t.dunning() }
func (r readTx) Quotas() crm.QuotaReader                     { return r.t.quotas() }
func (r readTx) Consents() crm.ConsentReader                 { return r.t.consents() }

type writeTx struct{ t *txn }

func (w writeTx) Customers() crm.CustomerRepository               { return w.t.customers() }
func (w writeTx) Users() crm.UserRepository                       { return w.t.users() }
func (w writeTx) Events() crm.EventLog                            { return eventLog(w) }
func (w writeTx) TouchpointMaps() crm.TouchpointMapRepository     { return w.t.touchpointMaps() }
func (w writeTx) Interactions() crm.InteractionRepository         { return w.t.interactions() }
func (w writeTx) Cases() crm.CaseRepository                       { return w.t.cases() }
func (w writeTx) Ladder() crm.LadderRepository                    { return ladderRepo(w) }
func (w writeTx) JourneyTemplates() crm.JourneyTemplateRepository { return w.t.journeyTemplates() }
func (w writeTx) Analytics() crm.AnalyticsReader                  { return analytics(w) }
func (w writeTx) Pipelines() crm.PipelineRepository               { return w.t.pipelines() }
func (w writeTx) Deals() crm.DealRepository                       { return w.t.deals() }
func (w writeTx) Activities() crm.ActivityRepository              { return w.t.activities() }
func (w writeTx) Campaigns() crm.CampaignRepository               { return w.t.campaigns() }
func (w writeTx) Sales() crm.SalesAnalytics                       { return salesAnalytics(w) }
func (w writeTx) Ledger() crm.LedgerRepository                    { return ledgerRepo(w) }
func (w writeTx) Invoices() crm.InvoiceRepository                 { return w.t.invoices() }
func (w writeTx) Credits() crm.CreditRepository                   { return w.t.credits() }
func (w writeTx) Contracts() crm.ContractRepository               { return w.t.contracts() }
func (w writeTx) Accounting() crm.AccountingRepository            { return accountingRepo(w) }
func (w writeTx) Dunning() crm.DunningRepository                  { return w.t.dunning() }
func (w writeTx) Quotas() crm.QuotaRepository                     { return w.t.quotas() }
func (w writeTx) Consents() crm.ConsentRepository                 { return w.t.consents() }
