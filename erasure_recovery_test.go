package crm_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestErasedValuesCannotBeRecoveredFromDigests is the attack issue 14
// reproduced: the chain keeps each event's data digest, and with a plain
// SHA-256 of the data a dictionary of names and birth dates recovered an
// erased person in 56,084 guesses. The payload's shape is public (it is
// the redacted event, with "[erased]" where the values were), so the
// attacker only guesses the values. Keyed with a salt the erasure
// destroys, the digest confirms no guess, not even the right one; the
// same dictionary against the plain digest of the original payload finds
// the person, so the attack is real.
func TestErasedValuesCannotBeRecoveredFromDigests(t *testing.T) {
	co := newCompany(t, crm.WithRandom(rand.Reader))
	c, err := co.Customers.Create(ctx, co.Ann.ID, crm.NewCustomer{
		Kind: crm.EndCustomer, Name: "Erika Mustermann", Attributes: map[string]string{"birthday": "1984-08-12"},
	})
	require.NoError(t, err)
	before, err := co.Customers.History(ctx, co.Admin.ID, c.ID)
	require.NoError(t, err)
	plain := map[crm.ID]crm.Hash{}
	for _, e := range before {
		require.NotEmpty(t, e.DataSalt, "every new event has a salt")
		plain[e.ID] = sha256.Sum256(e.Data)
	}

	rep, err := co.Customers.Erase(ctx, co.Admin.ID, crm.ErasureRequest{Customer: c.ID, Reason: "Art. 17 request"})
	require.NoError(t, err)
	after, err := co.Customers.History(ctx, co.Admin.ID, c.ID)
	require.NoError(t, err)
	var redacted []crm.Event
	for _, e := range after {
		if e.Redacted {
			redacted = append(redacted, e)
		}
	}
	require.Len(t, redacted, len(rep.RedactedEvents))
	require.NotEmpty(t, redacted)

	for _, e := range redacted {
		assert.Empty(t, e.DataSalt, "the erasure destroyed the salt")
		guesses, found := dictionaryAttack(e.Data, e.DataHash)
		assert.False(t, found, "the kept digest confirmed a guess")
		assert.Greater(t, guesses, 50_000)
		_, found = dictionaryAttack(e.Data, plain[e.ID])
		assert.True(t, found, "the dictionary finds the person behind a plain digest")
	}
	co.head(t)
}

// dictionaryAttack fills the two erased values of a redacted payload with
// each name and birth date of its dictionary and compares the SHA-256 of
// the result with target.
func dictionaryAttack(redacted []byte, target crm.Hash) (guesses int, found bool) {
	names := []string{"Anna Schmidt", "Erika Mustermann", "Max Mustermann", "Maria Müller", "Jonas Weber",
		"Lena Fischer", "Paul Wagner", "Sofia Becker", "Lukas Hoffmann", "Mia Schulz"}
	parts := bytes.Split(redacted, []byte(strconv.Quote(crm.ErasedValue)))
	if len(parts) != 3 {
		return 0, false
	}
	for _, name := range names {
		for d := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 1986; d = d.AddDate(0, 0, 1) {
			guess := bytes.Join([][]byte{parts[0], []byte(strconv.Quote(name)), parts[1],
				[]byte(strconv.Quote(d.Format(time.DateOnly))), parts[2]}, nil)
			guesses++
			if sha256.Sum256(guess) == target {
				return guesses, true
			}
		}
	}
	return guesses, false
}
