package crm

// UserService manages the people who use the CRM: the first admin, new
// users, their roles and teams, and deactivation when someone leaves.
type UserService struct{ *engine }

// CustomerService keeps customer records: creation and changes, archive
// and restore (never deletion), reassignment to another owner, the
// lifecycle stage, the audit history and erasure of personal data.
type CustomerService struct{ *engine }

// ExperienceService designs and measures the customer experience:
// touchpoint maps, interactions at their touchpoints, journey templates
// and the journeys customers take, and the analytics over them.
type ExperienceService struct{ *engine }

// CaseService follows complaints, requests and other cases from opening
// to closing, with their hand-offs and the promises made on them.
type CaseService struct{ *engine }

// LadderService moves customers on the loyalty ladder by evidence and
// explains every move.
type LadderService struct{ *engine }

// DealService runs the sales pipelines: pipelines and their stages, deals
// and their moves, and the funnel, forecast and sales figures.
type DealService struct{ *engine }

// ActivityService logs the sales team's calls, visits and follow-ups and
// reports on their work.
type ActivityService struct{ *engine }

// CampaignService records campaigns and their costs and reports the
// leads, deals and return they brought.
type CampaignService struct{ *engine }

// ContractService takes contracts through drafting, revision, approval,
// signature, amendment and renewal to their end, and invoices their
// payment plans.
type ContractService struct{ *engine }

// LedgerService posts to the double-entry ledger: invoices, credit notes,
// payments and their allocation, write-offs, refunds and reversals.
type LedgerService struct{ *engine }

// ReceivableService reports on the ledger: who owes what and for how
// long, statements, expected collections and lifetime value.
type ReceivableService struct{ *engine }

// EventService reads, follows and verifies the audit log.
type EventService struct{ *engine }
