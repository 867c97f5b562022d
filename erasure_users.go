package crm

import (
	"context"
	"encoding/json"
)

// UserErased is recorded when a departed user's personal data is erased.
const UserErased EventType = "user.erased"

// UserErasureRequest asks to erase the personal data of a user who left.
// Reason is required and kept in the log.
type UserErasureRequest struct {
	User   ID     `json:"user,omitzero"`
	Reason string `json:"reason,omitempty"`
}

// EraseUser erases the personal data of a deactivated user (their name and
// e-mail, as the privacy tags of User declare), with ActionManageUsers
// (an admin's, by default). The user record stays, so that what they did
// is still theirs by ID in every record and event; its name and e-mail
// become ErasedValue, and the user's own events are redacted as a
// customer's are (each loses its salt). A user still active is refused
// (a *ValidationError, matching ErrInvalid); an already erased user has
// nothing left and gets an empty report.
func (c *UserService) EraseUser(ctx context.Context, actor ID, req UserErasureRequest) (ErasureReport, error) {
	reason, err := cleanText("reason", req.Reason, maxLongTextLen, true)
	if err != nil {
		return ErasureReport{}, err
	}
	var report ErasureReport
	err = c.write(ctx, actor, func(w *writeTx) error {
		before, err := w.tx.Users().Get(ctx, req.User)
		if err != nil {
			return err
		}
		if err := w.authorize(ActionManageUsers, before.target()); err != nil {
			return err
		}
		if before.Active {
			return invalid("user", "inactive", "the user is active; deactivate them first, so that nobody erases a colleague by mistake")
		}
		after := before
		fields, values := erasePersonalFields(&after)
		report = ErasureReport{User: before.ID, Fields: fields, ErasedAt: w.now}
		if len(fields) == 0 {
			return nil
		}
		events, err := w.tx.Events().Subject(ctx, KindUser, before.ID)
		if err != nil {
			return err
		}
		keys := personalKeys(User{})
		redactions, err := w.redactEach(events, func(ev Event) (json.RawMessage, bool, error) {
			return redactPayload(ev.Data, keys, values)
		})
		if err != nil {
			return err
		}
		report.RedactedEvents = redactedIDs(redactions)
		after.UpdatedAt, after.Version = w.now, before.Version+1
		if err := w.tx.Users().Update(ctx, after); err != nil {
			return err
		}
		return w.record(UserErased, KindUser, after.ID, after.Version,
			erasureData{Fields: fields, Redactions: redactions, Reason: reason})
	})
	return report, err
}
