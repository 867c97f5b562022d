package crm

// ReadOnly returns the reading side of a write transaction: tx as a
// ReadTx, each repository handed out as its reader, so that code that only
// reads runs in a write as well as in a View (the CRM's erasure reads
// everything linked to a person in the transaction that erases it; an
// adapter's tests read what a write left before it commits).
func ReadOnly(tx Tx) ReadTx { return txReader{tx} }

// txReader is a Tx seen as a ReadTx.
type txReader struct{ tx Tx }

func (r txReader) Customers() CustomerReader               { return r.tx.Customers() }
func (r txReader) Users() UserReader                       { return r.tx.Users() }
func (r txReader) Events() EventReader                     { return r.tx.Events() }
func (r txReader) TouchpointMaps() TouchpointMapReader     { return r.tx.TouchpointMaps() }
func (r txReader) Interactions() InteractionReader         { return r.tx.Interactions() }
func (r txReader) Cases() CaseReader                       { return r.tx.Cases() }
func (r txReader) Ladder() LadderReader                    { return r.tx.Ladder() }
func (r txReader) JourneyTemplates() JourneyTemplateReader { return r.tx.JourneyTemplates() }
func (r txReader) Analytics() AnalyticsReader              { return r.tx.Analytics() }
func (r txReader) Pipelines() PipelineReader               { return r.tx.Pipelines() }
func (r txReader) Deals() DealReader                       { return r.tx.Deals() }
func (r txReader) Activities() ActivityReader              { return r.tx.Activities() }
func (r txReader) Campaigns() CampaignReader               { return r.tx.Campaigns() }
func (r txReader) Sales() SalesAnalytics                   { return r.tx.Sales() }
func (r txReader) Ledger() LedgerReader                    { return r.tx.Ledger() }
func (r txReader) Invoices() InvoiceReader                 { return r.tx.Invoices() }
func (r txReader) Credits() CreditReader                   { return r.tx.Credits() }
func (r txReader) Contracts() ContractReader               { return r.tx.Contracts() }
func (r txReader) Accounting() AccountingReader            { return r.tx.Accounting() }
func (r txReader) Dunning() DunningReader                  { return r.tx.Dunning() }
func (r txReader) Quotas() QuotaReader                     { return r.tx.Quotas() }
func (r txReader) Consents() ConsentReader                 { return r.tx.Consents() }
