package crm_test

import (
	"crypto/ed25519"
	"math/rand/v2"
	"testing"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testKey is a fixed ed25519 key, as an application would load its own.
func testKey(seed byte) (ed25519.PublicKey, ed25519.PrivateKey) {
	var s [ed25519.SeedSize]byte
	rand.NewChaCha8([32]byte{seed}).Read(s[:])
	priv := ed25519.NewKeyFromSeed(s[:])
	return priv.Public().(ed25519.PublicKey), priv
}

// TestCheckpoints: a signed checkpoint lets the log be verified from it,
// reading only what came after, and a checkpoint that was altered or
// signed by another key is refused.
func TestCheckpoints(t *testing.T) {
	co := newCompany(t)
	pub, priv := testKey(1)
	co.customer(t, co.Ann, "Acme")
	cp, err := co.Events.Checkpoint(ctx, priv)
	require.NoError(t, err)
	head := co.head(t)
	assert.Equal(t, head.Seq, cp.Seq)
	assert.Equal(t, head.Hash, cp.Hash)
	require.NoError(t, cp.Verify(pub))

	co.customer(t, co.Ben, "Globex")
	got, err := co.Events.VerifySince(ctx, cp, pub)
	require.NoError(t, err)
	assert.Equal(t, co.head(t), got, "verified from the checkpoint to the head")

	forged := cp
	forged.Seq--
	_, err = co.Events.VerifySince(ctx, forged, pub)
	var ce *crm.ChainError
	require.ErrorAs(t, err, &ce, "a checkpoint altered after it was signed")
	otherPub, _ := testKey(2)
	_, err = co.Events.VerifySince(ctx, cp, otherPub)
	require.ErrorAs(t, err, &ce, "a checkpoint checked with another key")
	_, err = co.Events.Checkpoint(ctx, priv[:10])
	assert.ErrorIs(t, err, crm.ErrInvalid)

	empty := newCompany(t)
	zero := crm.Checkpoint{}
	zero.Signature = ed25519.Sign(priv, []byte("not the message"))
	_, err = empty.Events.VerifySince(ctx, zero, pub)
	require.ErrorAs(t, err, &ce, "a signature over something else")
}
