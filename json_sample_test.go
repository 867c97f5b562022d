package crm_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
)

// The samples of the JSON wire format: one value of every exported data
// struct of the package, each field set, and a few records with only what
// a new record has, to show what is left out. json_test.go keeps their
// JSON under testdata/json and proves that it decodes to the same value.

// jsonSample is a value whose JSON is kept in testdata/json/<name>.json.
type jsonSample struct {
	name  string // the type's name, or <type>_<variant> for a second sample of a type
	value any
	// absent lists top-level keys the JSON must not have: the zero values
	// a minimal sample leaves out; null lists those it has as null.
	absent, null []string
}

// The values the filler gives to the package's scalar types, also used by
// the hand-written samples.
var (
	sampleTime = time.Date(2026, time.March, 14, 9, 26, 53, 123456000, time.UTC) // to the microsecond, as the stores keep times
	sampleDate = crm.Date{Year: 2026, Month: time.March, Day: 14}
	sampleID   = crm.ID{0x01, 0x9c, 0xeb, 0x5f, 0x2a, 0x00, 0x7c, 0x3e, 0x8d, 0x1f, 0x4b, 0x6a, 0x90, 0x2e, 0x5c, 0x17} // a UUIDv7 of 2026-03-14
	sampleHash = crm.Hash(sha256.Sum256([]byte("crmkit")))
)

// sampleScalars are the values of the types the filler does not build
// field by field: each encodes itself, or is a number with a meaning.
var sampleScalars = map[reflect.Type]any{
	reflect.TypeFor[time.Time]():       sampleTime,
	reflect.TypeFor[crm.Date]():        sampleDate,
	reflect.TypeFor[crm.ID]():          sampleID,
	reflect.TypeFor[crm.Hash]():        sampleHash,
	reflect.TypeFor[crm.Money]():       crm.MoneyFromMinor(1050, crm.USD),
	reflect.TypeFor[crm.Currency]():    crm.USD,
	reflect.TypeFor[decimal.Decimal](): decimal.RequireFromString("0.19"),
	reflect.TypeFor[time.Duration]():   90 * time.Second,
	reflect.TypeFor[json.RawMessage](): json.RawMessage(`{"k":"v"}`),
}

// sampleEnums holds one valid constant of every enum type a sampled field
// has, by type (the list is in the order of the types' names). The filler
// refuses a named string or integer type it does not find here, so that a
// new enum shows a real value in the golden files.
var sampleEnums = enumsByType(
	crm.ConsentWithdrawn, crm.ConsentStatusExpired,
	crm.AccountReceivable, crm.CorrectionRefund, crm.ActionRead, crm.ActivityPending, crm.ActivityCall, crm.AllocateOldestFirst, crm.StepManager,
	crm.Complaint, crm.CaseInProgress, crm.ChannelWeb, crm.ContractSubmit, crm.ContractApproved,
	crm.CreditPayment, crm.Distributor, crm.DealOpen, crm.ByTouchpoint, crm.Inbound, crm.DunningEscalate, crm.DunningSettled,
	crm.EntryInvoice, crm.CustomerCreated, crm.EvidenceExperience, crm.ForecastCommit, crm.InvoicePartlyPaid,
	crm.KindCustomer, crm.PartyPerson, crm.Rise, crm.LifecycleLead, crm.LostPricing, crm.Satisfied,
	crm.MediumChat, crm.PeriodWeek, crm.PhaseOrdering, crm.PlanNet30, crm.StatusActive,
	crm.RequireAmount, crm.RoleRep, crm.ScopeTeam, crm.Positive, crm.StageOpen, crm.TransactionalSurvey, crm.NPSPerRespondent,
	crm.StayClosedDeal, crm.RestrictedIncluded, crm.RetainLeads,
)

func enumsByType(constants ...any) map[reflect.Type]any {
	m := map[reflect.Type]any{}
	for _, c := range constants {
		if _, dup := m[reflect.TypeOf(c)]; dup {
			panic(fmt.Sprintf("sampleEnums has two constants of %T", c))
		}
		m[reflect.TypeOf(c)] = c
	}
	return m
}

// jsonSamples returns the samples: every exported data struct filled in
// by the filler (in alphabetical order; TestJSONTypesAreSampled fails for
// a type missing here), then the minimal records.
func jsonSamples(t testing.TB) []jsonSample {
	t.Helper()
	var out []jsonSample
	for _, v := range []any{
		filled[crm.Activity](t),
		filled[crm.ActivityFilter](t),
		filled[crm.Checkpoint](t),
		filled[crm.PersonalField](t),
		filled[crm.ErasedRecord](t),
		filled[crm.UserErasureRequest](t),
		filled[crm.AddCostRequest](t),
		filled[crm.AgingAmount](t),
		filled[crm.CreditAmount](t),
		filled[crm.AgingQuery](t),
		filled[crm.AgingReport](t),
		filled[crm.AgingRow](t),
		filled[crm.AllocationLine](t),
		filled[crm.AllocationRequest](t),
		filled[crm.AmendContractRequest](t),
		filled[crm.Approval](t),
		filled[crm.ApprovalRules](t),
		filled[crm.ApproveContractRequest](t),
		filled[crm.ArchiveCustomerRequest](t),
		filled[crm.Balance](t),
		filled[crm.Book](t),
		filled[crm.Campaign](t),
		filled[crm.CampaignCounts](t),
		filled[crm.CampaignReport](t),
		filled[crm.CESScale](t),
		filled[crm.Case](t),
		filled[crm.CaseChange](t),
		filled[crm.CaseCounts](t),
		filled[crm.CaseFilter](t),
		filled[crm.CaseQuery](t),
		filled[crm.ChainError](t),
		filled[crm.Change](t),
		filled[crm.ChangeSet](t),
		filled[crm.CloseCaseRequest](t),
		filled[crm.CLV](t),
		filled[crm.CohortCount](t),
		filled[crm.CollectionLine](t),
		filled[crm.CollectionsQuery](t),
		filled[crm.CompleteContractRequest](t),
		filled[crm.CompleteFollowUpRequest](t),
		filled[crm.CompleteActivityRequest](t),
		filled[crm.CancelActivityRequest](t),
		filled[crm.ActivityPatch](t),
		filled[crm.RescheduleActivityRequest](t),
		filled[crm.ConflictError](t),
		filled[crm.StateSave](t),
		filled[crm.Contact](t),
		filled[crm.Contract](t),
		filled[crm.ContractChanges](t),
		filled[crm.ContractFilter](t),
		filled[crm.ContractPatch](t),
		filled[crm.CostLine](t),
		filled[crm.CostReversedError](t),
		filled[crm.CorrectCostRequest](t),
		filled[crm.Credit](t),
		filled[crm.CreditLine](t),
		filled[crm.CurrencyMismatchError](t),
		filled[crm.Customer](t),
		filled[crm.CustomerFilter](t),
		filled[crm.CustomerPatch](t),
		filled[crm.DeactivateUserRequest](t),
		filled[crm.Deal](t),
		filled[crm.DealFilter](t),
		filled[crm.DealPatch](t),
		filled[crm.Debt](t),
		filled[crm.DistributionQuery](t),
		filled[crm.DSO](t),
		filled[crm.DSOQuery](t),
		filled[crm.DunningFilter](t),
		filled[crm.DunningHoldRequest](t),
		filled[crm.DunningLevel](t),
		filled[crm.DunningMove](t),
		filled[crm.DunningRecord](t),
		filled[crm.DunningResult](t),
		filled[crm.DunningRow](t),
		filled[crm.DunningRules](t),
		filled[crm.FactEvidence](t),
		filled[crm.DunningRun](t),
		filled[crm.Entry](t),
		filled[crm.EntryFilter](t),
		filled[crm.EntryQuery](t),
		filled[crm.ErasureReport](t),
		filled[crm.ErasureRequest](t),
		filled[crm.Event](t),
		filled[crm.Evidence](t),
		filled[crm.EvidenceRef](t),
		filled[crm.ExperienceCounts](t),
		filled[crm.ExperienceQuery](t),
		filled[crm.ExpireContractRequest](t),
		filled[crm.ExpireDueRequest](t),
		filled[crm.ExpiryReport](t),
		filled[crm.InvoiceDueRequest](t),
		filled[crm.InvoiceHeader](t),
		filled[crm.InstallmentReport](t),
		filled[crm.RefusedInstallment](t),
		filled[crm.ForbiddenError](t),
		filled[crm.ForecastAmount](t),
		filled[crm.ForecastLine](t),
		filled[crm.Funnel](t),
		filled[crm.FunnelStage](t),
		filled[crm.FXTolerance](t),
		filled[crm.FXToleranceError](t),
		filled[crm.HandOffRequest](t),
		filled[crm.HandOverReport](t),
		filled[crm.HandOverCounts](t),
		filled[crm.HandOverItem](t),
		filled[crm.OwnedRecords](t),
		filled[crm.PoolRule](t),
		filled[crm.RestrictionRequest](t),
		filled[crm.RestrictedError](t),
		filled[crm.RetentionRule](t),
		filled[crm.RetentionQuery](t),
		filled[crm.RetentionReport](t),
		filled[crm.RetentionErasure](t),
		filled[crm.PoolReport](t),
		filled[crm.PooledRecord](t),
		filled[crm.ClaimCustomerRequest](t),
		filled[crm.HandOverRequest](t),
		filled[crm.IdempotencyError](t),
		filled[crm.Installment](t),
		filled[crm.Interaction](t),
		filled[crm.Invoice](t),
		filled[crm.InvoiceFilter](t),
		filled[crm.InvoiceInstallmentRequest](t),
		filled[crm.InvoiceLine](t),
		filled[crm.InvoiceSettlement](t),
		filled[crm.InvoiceState](t),
		filled[crm.Journey](t),
		filled[crm.JourneyComparison](t),
		filled[crm.JourneyMapQuery](t),
		filled[crm.JourneyQuery](t),
		filled[crm.JourneyStep](t),
		filled[crm.JourneyTemplate](t),
		filled[crm.JourneyTemplatePatch](t),
		filled[crm.LadderMove](t),
		filled[crm.LadderTerm](t),
		filled[crm.LadderRules](t),
		filled[crm.LadderState](t),
		filled[crm.LedgerError](t),
		filled[crm.LedgerCheckpoint](t),
		filled[crm.LogHead](t),
		filled[crm.LoseDealRequest](t),
		filled[crm.MomentCount](t),
		filled[crm.MomentsQuery](t),
		filled[crm.Moment](t),
		filled[crm.MomentsReport](t),
		filled[crm.MoveDealRequest](t),
		filled[crm.MoversQuery](t),
		filled[crm.NPSFigure](t),
		filled[crm.NewActivity](t),
		filled[crm.NewCampaign](t),
		filled[crm.NewCase](t),
		filled[crm.NewContract](t),
		filled[crm.NewCreditNote](t),
		filled[crm.NewCustomer](t),
		filled[crm.NewDeal](t),
		filled[crm.NewEvidence](t),
		filled[crm.NewInteraction](t),
		filled[crm.NewInvoice](t),
		filled[crm.NewJourneyTemplate](t),
		filled[crm.NewPayment](t),
		filled[crm.NewPipeline](t),
		filled[crm.CorrectCloseRequest](t),
		filled[crm.LostReasonOption](t),
		filled[crm.StageInUseError](t),
		filled[crm.NewTouchpointMap](t),
		filled[crm.NewUser](t),
		filled[crm.NotFoundError](t),
		filled[crm.OpenItem](t),
		filled[crm.OutcomeCount](t),
		filled[crm.OverAllocationError](t),
		filled[crm.OverflowError](t),
		filled[crm.Page[crm.Customer]](t),
		filled[crm.PageQuery](t),
		filled[crm.PageRequest](t),
		filled[crm.PainPoint](t),
		filled[crm.PainQuery](t),
		filled[crm.PainWeights](t),
		filled[crm.PaymentPlan](t),
		filled[crm.PaymentReceipt](t),
		filled[crm.PersonalDataExport](t),
		filled[crm.Pipeline](t),
		filled[crm.PipelinePatch](t),
		filled[crm.PlanOptions](t),
		filled[crm.Posting](t),
		filled[crm.PrecisionError](t),
		filled[crm.PromiseReport](t),
		filled[crm.OverdueReport](t),
		filled[crm.FadingQuery](t),
		filled[crm.FadingReport](t),
		filled[crm.ReactivateUserRequest](t),
		filled[crm.ReasonCount](t),
		filled[crm.ReassignCustomerRequest](t),
		filled[crm.ReceivableQuery](t),
		filled[crm.Recorded](t),
		filled[crm.RefundRequest](t),
		filled[crm.ApproveCorrectionRequest](t),
		filled[crm.CorrectionApproval](t),
		filled[crm.ClosePeriodRequest](t),
		filled[crm.PeriodLock](t),
		filled[crm.PeriodClosedError](t),
		filled[crm.Numbering](t),
		filled[crm.RejectContractRequest](t),
		filled[crm.ReopenCaseRequest](t),
		filled[crm.RenewContractRequest](t),
		filled[crm.ReopenDealRequest](t),
		filled[crm.Repeat](t),
		filled[crm.Replay](t),
		filled[crm.ReplayQuery](t),
		filled[crm.ResolveCaseRequest](t),
		filled[crm.ResolvedTouchpoint](t),
		filled[crm.RestoreCustomerRequest](t),
		filled[crm.RevenueAmount](t),
		filled[crm.ReversedError](t),
		filled[crm.ReverseRequest](t),
		filled[crm.UnallocateRequest](t),
		filled[crm.ReverseResult](t),
		filled[crm.RolePolicy](t),
		filled[crm.RottingDeal](t),
		filled[crm.SalesKPIs](t),
		filled[crm.SalesQuery](t),
		filled[crm.ServiceStandards](t),
		filled[crm.SetLifecycleRequest](t),
		filled[crm.SetProbabilityRequest](t),
		filled[crm.SignContractRequest](t),
		filled[crm.Stage](t),
		filled[crm.StageAmount](t),
		filled[crm.StageAt](t),
		filled[crm.SetQuotaRequest](t),
		filled[crm.SetForecastCategoryRequest](t),
		filled[crm.Quota](t),
		filled[crm.QuotaFilter](t),
		filled[crm.Attainment](t),
		filled[crm.AttainmentQuery](t),
		filled[crm.AttainmentReport](t),
		filled[crm.Consent](t),
		filled[crm.ConsentFilter](t),
		filled[crm.ContactDecision](t),
		filled[crm.GiveConsentRequest](t),
		filled[crm.MayContactQuery](t),
		filled[crm.WithdrawConsentRequest](t),
		filled[crm.StageCount](t),
		filled[crm.StageTime](t),
		filled[crm.StageVelocity](t),
		filled[crm.StageVisit](t),
		filled[crm.StartCaseRequest](t),
		filled[crm.Statement](t),
		filled[crm.StatementLine](t),
		filled[crm.StatementQuery](t),
		filled[crm.SubmitContractRequest](t),
		filled[crm.Survey](t),
		filled[crm.SVGOptions](t),
		filled[crm.Target](t),
		filled[crm.TerminateContractRequest](t),
		filled[crm.TouchpointStats](t),
		filled[crm.TouchpointStatsQuery](t),
		filled[crm.Touchpoint](t),
		filled[crm.TouchpointMap](t),
		filled[crm.TouchpointMapPatch](t),
		filled[crm.Transfer](t),
		filled[crm.Transition[crm.ContractStatus, crm.ContractEvent]](t),
		filled[crm.TransitionError](t),
		filled[crm.TypeCount](t),
		filled[crm.UnbalancedError](t),
		filled[crm.UnknownCurrencyError](t),
		filled[crm.UnsettledContractError](t),
		filled[crm.User](t),
		filled[crm.UserFilter](t),
		filled[crm.UserPatch](t),
		filled[crm.ValidationError](t),
		filled[crm.WinDealRequest](t),
		filled[crm.WorkCounts](t),
		filled[crm.UntouchedAccount](t),
		filled[crm.UnplannedDeal](t),
		filled[crm.VisitRule](t),
		filled[crm.WorkQuery](t),
		filled[crm.WorkReport](t),
		filled[crm.WriteOffRequest](t),
	} {
		out = append(out, jsonSample{name: typeName(reflect.TypeOf(v)), value: v})
	}
	return append(out, minimalSamples()...)
}

// minimalSamples are records as the CRM first stores them, and a command
// with only its required fields: what they leave out is absent, not zero.
// A zero Money stays, as null.
func minimalSamples() []jsonSample {
	return []jsonSample{
		{
			name:   "NewCustomer_minimal",
			value:  crm.NewCustomer{Kind: crm.Distributor, Name: "Northwind"},
			absent: []string{"contacts", "segment", "tags", "attributes", "owner", "key_account", "lifecycle", "campaign"},
		},
		{
			name: "Customer_minimal",
			value: crm.Customer{ID: sampleID, Kind: crm.Distributor, Name: "Northwind", Owner: sampleID, Team: "north",
				Status: crm.StatusActive, CreatedAt: sampleTime, UpdatedAt: sampleTime, Version: 1},
			absent: []string{"contacts", "segment", "tags", "attributes", "key_account", "lifecycle", "campaign", "archived_at", "erased_at"},
		},
		{
			name: "Deal_minimal",
			value: crm.Deal{ID: sampleID, Pipeline: sampleID, Customer: sampleID, Owner: sampleID, Team: "north",
				Title: "Renewal", Stage: "qualify", Status: crm.DealOpen, Probability: 20,
				History:   []crm.StageVisit{{Stage: "qualify", Entered: sampleTime}},
				CreatedAt: sampleTime, UpdatedAt: sampleTime, Version: 1},
			absent: []string{"close_date", "manual_probability", "campaign", "lost_reason", "lost_notes", "last_activity_at", "closed_at"},
			null:   []string{"amount"},
		},
		{
			name: "Interaction_minimal",
			value: crm.Interaction{ID: sampleID, Customer: sampleID, Map: sampleID, Touchpoint: "hotline", At: sampleTime,
				Direction: crm.Inbound, Channel: crm.ChannelContactCenter, Medium: crm.MediumPhone, Phase: crm.PhaseOrdering,
				Wait: 45 * time.Second, Handle: 4 * time.Minute, Sentiment: crm.Neutral,
				RequestHash: sampleHash, RecordedAt: sampleTime, RecordedBy: sampleID},
			absent: []string{"handled_by", "department", "transfers", "resolved", "survey", "case", "note", "answer_breached", "csat_breached", "idempotency_key"},
		},
	}
}

// typeName is the name of t without its type arguments: Page, not
// Page[github.com/crmkit/crm.Customer].
func typeName(t reflect.Type) string {
	name, _, _ := strings.Cut(t.Name(), "[")
	return name
}

// filled returns a T with every exported field set by a sampleFiller.
func filled[T any](t testing.TB) T {
	t.Helper()
	var v T
	rv := reflect.ValueOf(&v).Elem()
	(&sampleFiller{t: t}).fill(rv, typeName(rv.Type()), typeName(rv.Type()))
	return v
}

// sampleFiller sets a value deterministically and non-zero throughout:
// the scalars and enums from their tables, a string to the name of its
// field, numbers to 1, 2, 3... in field order (floats to 1.5, 2.5...),
// bools to true, a pointer to a filled value, a slice to one filled
// element, a map to one entry, and an any field to a string (JSON gives
// an any back as the JSON type, so a string is what comes back equal).
// Fields tagged json:"-" stay zero: they do not travel.
type sampleFiller struct {
	t testing.TB
	n int // the last number given out
}

// fill sets v; path names it in failures and name is the string it gets.
func (f *sampleFiller) fill(v reflect.Value, path, name string) {
	typ := v.Type()
	if s, ok := sampleScalars[typ]; ok {
		v.Set(reflect.ValueOf(s))
		return
	}
	if e, ok := sampleEnums[typ]; ok {
		v.Set(reflect.ValueOf(e))
		return
	}
	switch typ.Kind() {
	case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if typ.PkgPath() != "" {
			f.t.Fatalf("%s: %s looks like an enum: add one of its constants to sampleEnums, or a value to sampleScalars", path, typ)
		}
	}
	switch typ.Kind() {
	case reflect.String:
		v.SetString(name)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f.n++
		v.SetInt(int64(f.n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f.n++
		v.SetUint(uint64(f.n))
	case reflect.Float32, reflect.Float64:
		f.n++
		v.SetFloat(float64(f.n) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		p := reflect.New(typ.Elem())
		f.fill(p.Elem(), path, name)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(typ, 1, 1)
		f.fill(s.Index(0), path+"[0]", name)
		v.Set(s)
	case reflect.Map:
		k, e := reflect.New(typ.Key()).Elem(), reflect.New(typ.Elem()).Elem()
		f.fill(k, path+"[key]", "key")
		f.fill(e, path+"[key]", name)
		m := reflect.MakeMapWithSize(typ, 1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Interface:
		v.Set(reflect.ValueOf(name))
	case reflect.Struct:
		for i := range typ.NumField() {
			sf := typ.Field(i)
			if !sf.IsExported() || sf.Tag.Get("json") == "-" {
				continue
			}
			f.fill(v.Field(i), path+"."+sf.Name, sf.Name)
		}
	default:
		f.t.Fatalf("%s: the filler cannot set a %s; give it a sample in sampleScalars", path, typ)
	}
}
