package crm

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Corrections (credit notes, refunds and write-offs) take money off what a
// customer owes or hand it back. Above a limit they follow the
// four-eyes rule that auditors ask of every such document: the one who
// posts it (the maker) needs the approval of another user (the checker),
// given beforehand for that customer, that kind and up to that amount,
// and used once.

// CorrectionKind names a kind of correction an approval allows.
type CorrectionKind string

// The corrections that need approval above the limit.
const (
	CorrectionCreditNote CorrectionKind = "credit_note"
	CorrectionRefund     CorrectionKind = "refund"
	CorrectionWriteOff   CorrectionKind = "write_off"
)

// DefaultCorrectionLimit is the amount, in major units of any currency, up
// to which a correction needs no approval when WithCorrectionLimits names
// no limit for its currency: 10,000 (10,000.00 EUR, 10,000 JPY).
var DefaultCorrectionLimit = decimal.NewFromInt(10_000)

// WithCorrectionLimits sets, per currency, the largest credit note, refund
// or write-off its maker may post alone; a larger one needs a
// CorrectionApproval by another user. A zero limit makes every correction
// in that currency need one. Currencies not named keep
// DefaultCorrectionLimit.
func WithCorrectionLimits(limits ...Money) Option {
	return func(o *options) {
		if o.correctionLimits == nil {
			o.correctionLimits = map[Currency]Money{}
		}
		for _, l := range limits {
			o.correctionLimits[l.Currency()] = l
		}
	}
}

// ApproveCorrectionRequest approves, ahead of it, one correction that
// Maker will post: of Kind, on Customer, of at most Amount.
type ApproveCorrectionRequest struct {
	Maker    ID             `json:"maker,omitzero"`
	Customer ID             `json:"customer,omitzero"`
	Kind     CorrectionKind `json:"kind,omitempty"`
	Amount   Money          `json:"amount"`
	Reason   string         `json:"reason,omitempty"`
}

// CorrectionApproval is a checker's approval of one correction. Its ID
// goes into the correction's Approval field; it is used once.
type CorrectionApproval struct {
	ID         ID             `json:"id,omitzero"`
	Maker      ID             `json:"maker,omitzero"`
	Approver   ID             `json:"approver,omitzero"`
	Customer   ID             `json:"customer,omitzero"`
	Kind       CorrectionKind `json:"kind,omitempty"`
	Amount     Money          `json:"amount"`
	Reason     string         `json:"reason,omitempty"`
	ApprovedAt time.Time      `json:"approved_at,omitzero"`
}

// ApproveCorrection records approver's approval of a correction another
// user will make. The approver needs the approve grant on the customer
// (by default an admin, a manager of its team, or finance) and cannot be
// the maker, who must be an active user.
func (c *LedgerService) ApproveCorrection(ctx context.Context, approver ID, r ApproveCorrectionRequest) (CorrectionApproval, error) {
	reason, err := cleanText("reason", r.Reason, maxNameLen, true)
	if err != nil {
		return CorrectionApproval{}, err
	}
	switch r.Kind {
	case CorrectionCreditNote, CorrectionRefund, CorrectionWriteOff:
	default:
		return CorrectionApproval{}, invalid("kind", "one_of", "credit_note, refund or write_off")
	}
	if !r.Amount.IsPositive() || r.Amount.Currency().IsZero() {
		return CorrectionApproval{}, invalid("amount", "positive", "")
	}
	var out CorrectionApproval
	err = c.write(ctx, approver, func(w *writeTx) error {
		cu, err := w.touchCustomer(r.Customer)
		if err != nil {
			return err
		}
		if err := w.authorize(ActionApprove, cu.target()); err != nil {
			return err
		}
		if r.Maker == w.actor.ID {
			return &ForbiddenError{Actor: w.actor.ID, Action: ActionApprove, Kind: KindCorrectionApproval, Reason: "the maker of a correction cannot approve it"}
		}
		if _, err := w.crm.activeActor(w.ctx, w.tx.Users(), r.Maker); err != nil {
			return invalid("maker", "active_user", "the maker must be an active user")
		}
		id, err := w.newID()
		if err != nil {
			return err
		}
		out = CorrectionApproval{ID: id, Maker: r.Maker, Approver: w.actor.ID, Customer: r.Customer, Kind: r.Kind,
			Amount: r.Amount, Reason: reason, ApprovedAt: w.now}
		return w.record(CorrectionApproved, KindCorrectionApproval, id, 1, out)
	})
	return out, err
}

// correctionLimit is the largest correction in cur its maker posts alone.
func (c *engine) correctionLimit(cur Currency) Money {
	if l, ok := c.correctionLimits[cur]; ok {
		return l
	}
	m, _ := NewMoney(DefaultCorrectionLimit, cur)
	return m
}

// checkCorrection lets a correction above the limit through only with an
// unused approval by another user of this maker, customer and kind, for
// at least amount, and records its use. It runs after the correction is
// posted, with the customer's book held, so two corrections cannot use
// one approval.
func (w *writeTx) checkCorrection(kind CorrectionKind, customer ID, amount Money, approval ID) error {
	limit := w.crm.correctionLimit(amount.Currency())
	if over, err := amount.Cmp(limit); err != nil || over <= 0 {
		return err
	}
	if approval.IsZero() {
		return &ForbiddenError{Actor: w.actor.ID, Action: ActionBill, Kind: KindEntry,
			Reason: fmt.Sprintf("a %s of %s is above the limit of %s: it needs another user's approval (Ledger.ApproveCorrection)", kind, amount, limit)}
	}
	events, err := w.tx.Events().Subject(w.ctx, KindCorrectionApproval, approval)
	if err != nil {
		return err
	}
	if len(events) == 0 {
		return &NotFoundError{Kind: KindCorrectionApproval, ID: approval.String()}
	}
	if len(events) > 1 {
		return stale{&ConflictError{Kind: KindCorrectionApproval, ID: approval.String(), Detail: "the approval was used"}}
	}
	var a CorrectionApproval
	if err := json.Unmarshal(events[0].Data, &a); err != nil {
		return err
	}
	enough, err := a.Amount.Cmp(amount)
	switch {
	case a.Maker != w.actor.ID:
		return &ForbiddenError{Actor: w.actor.ID, Action: ActionBill, Kind: KindCorrectionApproval, Reason: "the approval is for another maker"}
	case a.Customer != customer || a.Kind != kind:
		return invalid("approval", "matches", fmt.Sprintf("the approval is for a %s on another customer or of another kind", a.Kind))
	case err != nil || enough < 0:
		return invalid("approval", "covers", fmt.Sprintf("the approval is for at most %s", a.Amount))
	}
	return w.record(CorrectionApprovalUsed, KindCorrectionApproval, approval, 2, approvalUse{By: w.actor.ID, Amount: amount})
}

// approvalUse is the payload of a CorrectionApprovalUsed event: who used
// the approval, for how much.
type approvalUse struct {
	By     ID    `json:"by"`
	Amount Money `json:"amount"`
}
