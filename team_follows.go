package crm

// A customer's team is stamped on its records when its owner is assigned,
// and the policy reads by team from that stamp. So when a user moves to
// another team, the records they own move with them in the same
// transaction: the manager of the new team sees them, the manager of the
// old one no longer does. A deactivated user's records keep their team:
// someone who has left works in no team, and the manager of the team they
// left hands their accounts over; when they come back, their records
// follow them to the team they come back to.

// OwnedRecords counts a user's records by kind: those that followed the
// user to another team.
type OwnedRecords struct {
	Customers  int `json:"customers"`
	Deals      int `json:"deals"`
	Activities int `json:"activities"`
	Contracts  int `json:"contracts"`
}

// recordsMovedEvent is the payload of UserRecordsMoved.
type recordsMovedEvent struct {
	From  string       `json:"from,omitempty"` // the team the records had; "" for no team
	To    string       `json:"to,omitempty"`
	Moved OwnedRecords `json:"moved"`
}

// followTeam moves the records of a user whose team changed, or who came
// back, to the team they now have, and records it on the user when any
// moved.
func (w *writeTx) followTeam(before, after User) error {
	if !after.Active || (before.Team == after.Team && before.Active) {
		return nil
	}
	moved, err := w.tx.Users().MoveRecords(w.ctx, after.ID, after.Team, w.now)
	if err != nil || moved == (OwnedRecords{}) {
		return err
	}
	return w.record(UserRecordsMoved, KindUser, after.ID, after.Version, recordsMovedEvent{From: before.Team, To: after.Team, Moved: moved})
}
