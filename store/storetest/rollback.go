package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// failures are the ways a transaction fails: run calls fn in an Update
// that returns an error or panics after fn succeeds.
var failures = []struct {
	name string
	run  func(t *testing.T, s crm.Store, fn func(tx crm.Tx) error)
}{
	{"Error", func(t *testing.T, s crm.Store, fn func(tx crm.Tx) error) {
		errBoom := errors.New("boom")
		err := s.Update(context.Background(), func(tx crm.Tx) error {
			require.NoError(t, fn(tx))
			return errBoom
		})
		require.ErrorIs(t, err, errBoom)
	}},
	{"Panic", func(t *testing.T, s crm.Store, fn func(tx crm.Tx) error) {
		defer func() { require.Equal(t, "boom", recover()) }()
		_ = s.Update(context.Background(), func(tx crm.Tx) error {
			require.NoError(t, fn(tx))
			panic("boom")
		})
	}},
}

// effect is one write of a transaction that fails, and what shows that it
// left nothing behind.
type effect struct {
	name   string
	write  func(tx crm.Tx) error
	absent func(t *testing.T)
}

// runExperienceRollback checks that a transaction that fails, by an error
// or a panic, leaves none of its experience rows behind: no record, no
// new version, no resolved touchpoint, no idempotency key, no ladder
// state, no evidence or move in any listing. The same writes then commit,
// which they could not if a row, a key or a version had stayed.
func runExperienceRollback(t *testing.T, newStore NewStoreFunc) {
	for _, fail := range failures {
		t.Run(fail.name, func(t *testing.T) {
			sc := newScene(t, newStore)
			s := sc.s
			// What was committed before.
			oldCase, oldTemplate, oldState := sc.caseOf(sc.ann), sc.template(), sc.state(sc.ann)
			oldInteraction, oldEvidence, oldMove := sc.interaction(sc.ann, at(1)), sc.evidence(sc.ann, at(1)), sc.move(sc.ann, at(1))
			update(t, s, func(tx crm.Tx) error {
				return errors.Join(insertCase(tx, oldCase), insertTemplate(tx, oldTemplate), saveState(tx, oldState),
					insertInteraction(tx, oldInteraction), appendEvidence(tx, oldEvidence), appendMove(tx, oldMove))
			})
			legal := read(t, s, getTouchpoint(sc.m.ID, "call.billing.dispute.legal"))

			newMap, nextMap := sampleMap(sc.g.next()), mapVersions.at(sc.m, 2)
			keyed := sc.plainInteraction(sc.bob, at(2))
			keyed.IdempotencyKey = "retry me"
			newCase, nextCase := sc.caseOf(sc.bob), caseVersions.at(oldCase, 2)
			newTemplate, nextTemplate := sc.template(), templateVersions.at(oldTemplate, 2)
			newState, nextState := sc.state(sc.bob), stateVersions.at(oldState, 2)
			newEvidence, newMove := sc.evidence(sc.bob, at(3)), sc.move(sc.bob, at(3))
			effects := []effect{
				{"new map", func(tx crm.Tx) error { return insertMap(tx, newMap) }, func(t *testing.T) {
					_, err := tryRead(s, func(tx crm.ReadTx) (crm.TouchpointMap, error) { return mapVersions.get(tx, newMap.ID) })
					requireNotFound(t, err, crm.KindTouchpointMap)
					_, err = tryRead(s, getTouchpoint(newMap.ID, "web"))
					requireNotFound(t, err, crm.KindTouchpointMap)
				}},
				{"map update", func(tx crm.Tx) error { return mapVersions.update(tx, nextMap) }, func(t *testing.T) {
					assertSame(t, sc.m, read(t, s, func(tx crm.ReadTx) (crm.TouchpointMap, error) { return mapVersions.get(tx, sc.m.ID) }))
					assertSame(t, legal, read(t, s, getTouchpoint(sc.m.ID, legal.Key)), "the resolved touchpoints of the old version")
				}},
				{"interaction with a key", func(tx crm.Tx) error { return insertInteraction(tx, keyed) }, func(t *testing.T) {
					_, err := tryRead(s, getInteraction(keyed.ID))
					requireNotFound(t, err, crm.KindInteraction)
					_, err = tryRead(s, interactionByKey(keyed.IdempotencyKey))
					requireNotFound(t, err, crm.KindInteraction)
					assert.Empty(t, read(t, s, interactionsOf(sc.bob)))
				}},
				{"new case", func(tx crm.Tx) error { return insertCase(tx, newCase) }, func(t *testing.T) {
					assertSameList(t, []crm.Case{oldCase}, allPages(t, s, 10, caseID, listCases(crm.CaseFilter{})), caseID)
				}},
				{"case update", func(tx crm.Tx) error { return caseVersions.update(tx, nextCase) }, func(t *testing.T) {
					assertSame(t, oldCase, read(t, s, func(tx crm.ReadTx) (crm.Case, error) { return caseVersions.get(tx, oldCase.ID) }))
				}},
				{"new template", func(tx crm.Tx) error { return insertTemplate(tx, newTemplate) }, func(t *testing.T) {
					assertSameList(t, []crm.JourneyTemplate{oldTemplate}, allPages(t, s, 10, templateID, listTemplates(crm.ID{})), templateID)
				}},
				{"template update", func(tx crm.Tx) error { return templateVersions.update(tx, nextTemplate) }, func(t *testing.T) {
					assertSame(t, oldTemplate, read(t, s, func(tx crm.ReadTx) (crm.JourneyTemplate, error) {
						return templateVersions.get(tx, oldTemplate.ID)
					}))
				}},
				{"new ladder state", func(tx crm.Tx) error { return saveState(tx, newState) }, func(t *testing.T) {
					_, err := tryRead(s, func(tx crm.ReadTx) (crm.LadderState, error) { return stateVersions.get(tx, sc.bob) })
					requireNotFound(t, err, crm.KindLadderState)
					listed := allPages(t, s, 10, customerID, listCustomersBy(crm.CustomerFilter{Stage: newState.Stage}))
					assert.Equal(t, []crm.ID{sc.ann}, idsOf(listed, customerID), "listed on the rung of the state rolled back")
				}},
				{"ladder state update", func(tx crm.Tx) error { return saveState(tx, nextState) }, func(t *testing.T) {
					assertSame(t, oldState, read(t, s, func(tx crm.ReadTx) (crm.LadderState, error) { return stateVersions.get(tx, sc.ann) }))
				}},
				{"evidence", func(tx crm.Tx) error { return appendEvidence(tx, newEvidence) }, func(t *testing.T) {
					assert.Empty(t, read(t, s, evidenceOf(sc.bob)))
					assertSameList(t, []crm.Evidence{oldEvidence}, read(t, s, evidenceOf(sc.ann)), evidenceID)
				}},
				{"move", func(tx crm.Tx) error { return appendMove(tx, newMove) }, func(t *testing.T) {
					assert.Empty(t, read(t, s, movesOf(sc.bob)))
					assertSameList(t, []crm.LadderMove{oldMove}, allPages(t, s, 10, moveID, movesBetween(at(0), at(10))), moveID)
				}},
			}
			failThenCommit(t, s, fail.run, effects)
			assertSame(t, keyed, read(t, s, interactionByKey(keyed.IdempotencyKey)), "the key is free again")
		})
	}
}

// failThenCommit makes the writes of effects in a transaction that fails
// as fail makes it, checks that each left nothing behind, then makes them
// again in a transaction that commits, which it could not if a row, a key
// or a version had stayed.
func failThenCommit(t *testing.T, s crm.Store, fail func(t *testing.T, s crm.Store, fn func(tx crm.Tx) error), effects []effect) {
	t.Helper()
	writeAll := func(tx crm.Tx) error {
		for _, e := range effects {
			if err := e.write(tx); err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
		}
		return nil
	}
	fail(t, s, writeAll)
	for _, e := range effects {
		t.Run(e.name, e.absent)
	}
	update(t, s, writeAll)
}
