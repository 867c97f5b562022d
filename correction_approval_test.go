package crm_test

import (
	"testing"

	"github.com/crmkit/crm"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCorrectionsNeedAChecker: finance alone cannot issue a 1,000,000
// credit note and refund it in cash. Above the correction limit, a credit
// note, a refund and a write-off need an approval by another user, for
// that maker, customer, kind and amount, and each approval serves once.
func TestCorrectionsNeedAChecker(t *testing.T) {
	co := newCompany(t, crm.WithCorrectionLimits(crm.MoneyFromMinor(100_000, crm.EUR))) // 1,000.00 EUR
	fay, err := co.Users.Create(ctx, co.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	require.NoError(t, err)
	cu := co.customer(t, co.Ann, "Initech")
	million := crm.MoneyFromMinor(100_000_000, crm.EUR)
	// A credit note to refund needs an invoice the customer paid: here
	// 3,000,000.00, paid in full.
	paid, err := co.Ledger.IssueInvoice(ctx, fay.ID, crm.NewInvoice{Customer: cu.ID, Currency: crm.EUR,
		Lines: []crm.InvoiceLine{{Description: "Fleet", Quantity: decimal.NewFromInt(1), UnitPrice: crm.MoneyFromMinor(300_000_000, crm.EUR)}}})
	require.NoError(t, err)
	_, err = co.Ledger.ReceivePayment(ctx, fay.ID, crm.NewPayment{Customer: cu.ID, Amount: paid.Total, Allocation: crm.AllocateOldestFirst})
	require.NoError(t, err)
	note := crm.NewCreditNote{Customer: cu.ID, Invoice: paid.ID, Net: million, Refund: true, Reason: "goodwill"}

	_, err = co.Ledger.IssueCreditNote(ctx, fay.ID, note)
	require.ErrorIs(t, err, crm.ErrForbidden, "the maker alone, above the limit")
	assert.Contains(t, err.Error(), "approval")
	small, err := co.Ledger.IssueCreditNote(ctx, fay.ID, crm.NewCreditNote{Customer: cu.ID, Invoice: paid.ID, Net: crm.MoneyFromMinor(50_000, crm.EUR), Refund: true,
		Reason: "goodwill"})
	require.NoError(t, err, "up to the limit the maker posts alone")

	ask := crm.ApproveCorrectionRequest{Maker: fay.ID, Customer: cu.ID, Kind: crm.CorrectionCreditNote, Amount: million, Reason: "settlement"}
	_, err = co.Ledger.ApproveCorrection(ctx, fay.ID, ask)
	require.ErrorIs(t, err, crm.ErrForbidden, "the maker cannot approve her own correction")
	_, err = co.Ledger.ApproveCorrection(ctx, co.Ann.ID, ask)
	require.ErrorIs(t, err, crm.ErrForbidden, "a rep may not approve")
	approval, err := co.Ledger.ApproveCorrection(ctx, co.Admin.ID, ask)
	require.NoError(t, err)

	wrong := note
	wrong.Net, wrong.Approval = crm.MoneyFromMinor(150_000_000, crm.EUR), approval.ID // within the invoice, beyond the approval
	_, err = co.Ledger.IssueCreditNote(ctx, fay.ID, wrong)
	require.ErrorIs(t, err, crm.ErrInvalid, "the approval covers up to its amount")
	byOther := note
	byOther.Approval = approval.ID
	_, err = co.Ledger.IssueCreditNote(ctx, co.Admin.ID, byOther)
	require.ErrorIs(t, err, crm.ErrForbidden, "the approval is for its maker")

	note.Approval = approval.ID
	credit, err := co.Ledger.IssueCreditNote(ctx, fay.ID, note)
	require.NoError(t, err, "with another user's approval")
	again := note
	again.Reason = "once more"
	_, err = co.Ledger.IssueCreditNote(ctx, fay.ID, again)
	require.ErrorIs(t, err, crm.ErrConflict, "an approval serves once")

	_, err = co.Ledger.Refund(ctx, fay.ID, crm.RefundRequest{Customer: cu.ID, Credit: credit.ID, Amount: million, Reference: "cash"})
	require.ErrorIs(t, err, crm.ErrForbidden, "refunding it in cash needs its own approval")
	refund, err := co.Ledger.ApproveCorrection(ctx, co.Admin.ID, crm.ApproveCorrectionRequest{Maker: fay.ID, Customer: cu.ID,
		Kind: crm.CorrectionRefund, Amount: million, Reason: "settlement paid out"})
	require.NoError(t, err)
	_, err = co.Ledger.Refund(ctx, fay.ID, crm.RefundRequest{Customer: cu.ID, Credit: credit.ID, Amount: million, Reference: "cash", Approval: refund.ID})
	require.NoError(t, err)

	inv, err := co.Ledger.IssueInvoice(ctx, fay.ID, crm.NewInvoice{Customer: cu.ID, Currency: crm.EUR,
		Lines: []crm.InvoiceLine{{Description: "Licence", Quantity: decimal.NewFromInt(1), UnitPrice: crm.MoneyFromMinor(500_000, crm.EUR)}}})
	require.NoError(t, err)
	_, err = co.Ledger.WriteOff(ctx, fay.ID, crm.WriteOffRequest{Customer: cu.ID, Invoice: inv.ID, Reason: "bankrupt"})
	require.ErrorIs(t, err, crm.ErrForbidden, "writing off all of 5,000.00 needs approval")
	_, err = co.Ledger.WriteOff(ctx, fay.ID, crm.WriteOffRequest{Customer: cu.ID, Invoice: inv.ID, Reason: "bankrupt", Approval: refund.ID})
	require.Error(t, err, "an approval of another kind, already used, does not serve")

	require.NoError(t, co.Ledger.Verify(ctx, co.Admin.ID))
	assert.True(t, small.Amount.Equal(crm.MoneyFromMinor(50_000, crm.EUR)))
	co.head(t)
}
