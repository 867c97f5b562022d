package sqlstore

import "github.com/crmkit/crm"

// Placeholders until the receivables repositories land in this adapter;
// this file goes with them. Nothing calls them yet.
type (
	pendingLedger    struct{ crm.LedgerRepository }
	pendingInvoices  struct{ crm.InvoiceRepository }
	pendingCredits   struct{ crm.CreditRepository }
	pendingContracts struct{ crm.ContractRepository }
)

func (r readTx) Ledger() crm.LedgerReader           { return pendingLedger{} }
func (r readTx) Invoices() crm.InvoiceReader        { return pendingInvoices{} }
func (r readTx) Credits() crm.CreditReader          { return pendingCredits{} }
func (r readTx) Contracts() crm.ContractReader      { return pendingContracts{} }
func (w writeTx) Ledger() crm.LedgerRepository      { return pendingLedger{} }
func (w writeTx) Invoices() crm.InvoiceRepository   { return pendingInvoices{} }
func (w writeTx) Credits() crm.CreditRepository     { return pendingCredits{} }
func (w writeTx) Contracts() crm.ContractRepository { return pendingContracts{} }
