package crm

import "fmt"

// CostReversedError says a campaign's cost line was reversed already: a
// line is reversed at most once. It matches ErrReversed and ErrConflict
// with errors.Is.
type CostReversedError struct {
	Campaign ID  `json:"campaign,omitzero"` // the campaign
	Line     int `json:"line"`              // the line asked to be reversed, counted from 1
	Reversal int `json:"reversal"`          // the line that reversed it
}

// Error implements error.
func (e *CostReversedError) Error() string {
	return fmt.Sprintf("crm: cost line %d of campaign %s was reversed already, by line %d", e.Line, e.Campaign, e.Reversal)
}

// Is matches ErrReversed and ErrConflict.
func (e *CostReversedError) Is(target error) bool {
	return target == ErrReversed || target == ErrConflict
}

// checkReversal checks the cost line at index i: a cost is not negative
// and carries no reason; a reversing line reverses an earlier line that
// is a cost, not reversed before, and negates it, for a reason.
func (c Campaign) checkReversal(i int) error {
	l := c.Costs[i]
	field := fmt.Sprintf("costs[%d]", i)
	if l.Reverses == 0 {
		if l.Amount.IsNegative() {
			return invalid(field+".amount", "non_negative", "only a reversing line is negative: correct a line with CorrectCost")
		}
		if l.Reason != "" {
			return invalid(field+".reason", "reversal_only", "a reason is given on a reversing line")
		}
		return nil
	}
	if l.Reverses < 1 || l.Reverses > i {
		return invalid(field+".reverses", "earlier_line", fmt.Sprintf("line %d reverses line %d, which is not before it", i+1, l.Reverses))
	}
	target := c.Costs[l.Reverses-1]
	if target.Reverses != 0 {
		return invalid(field+".reverses", "not_a_reversal", fmt.Sprintf("line %d reverses line %d: a reversing line is not reversed", l.Reverses, target.Reverses))
	}
	for j, other := range c.Costs[:i] {
		if other.Reverses == l.Reverses {
			return &CostReversedError{Campaign: c.ID, Line: l.Reverses, Reversal: j + 1}
		}
	}
	if !l.Amount.Equal(cmpOrMoney(target.Amount, c.Currency).Neg()) {
		return invalid(field+".amount", "negates", fmt.Sprintf("a reversal of line %d is %s", l.Reverses, cmpOrMoney(target.Amount, c.Currency).Neg()))
	}
	var err error
	if c.Costs[i].Reason, err = cleanText(field+".reason", l.Reason, maxLongTextLen, true); err != nil {
		return err
	}
	return nil
}

// reversal returns the line that reverses cost line number n (counted
// from 1) for reason: the line negated, on its date, under its
// description. The campaign's normalized checks the rest.
func (c Campaign) reversal(n int, reason string) (CostLine, error) {
	if n < 1 || n > len(c.Costs) {
		return CostLine{}, invalid("line", "exists", fmt.Sprintf("the campaign has lines 1 to %d", len(c.Costs)))
	}
	l := c.Costs[n-1]
	return CostLine{Description: l.Description, Amount: cmpOrMoney(l.Amount, c.Currency).Neg(), Date: l.Date, Reverses: n, Reason: reason}, nil
}
