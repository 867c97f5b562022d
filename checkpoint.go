package crm

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"time"
)

// Checkpoint is a signed statement of where the log stood: its head at a
// time, signed with an ed25519 key the application holds. Keep
// checkpoints where whoever can write the store cannot: another database,
// a transparency log, a printout. The hash chain alone shows an edit in
// the middle of the log; a checkpoint also shows a log that was cut back
// behind it, re-chained after an edit before it, or wiped.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      Hash      `json:"hash,omitzero"`
	Time      time.Time `json:"time,omitzero"`
	Signature []byte    `json:"signature,omitempty"`
}

// message is what a checkpoint's signature covers.
func (cp Checkpoint) message() []byte {
	b := []byte("crmkit.checkpoint.v1\x00")
	b = binary.BigEndian.AppendUint64(b, uint64(cp.Seq))
	b = append(b, cp.Hash[:]...)
	return binary.BigEndian.AppendUint64(b, uint64(cp.Time.UTC().UnixMicro()))
}

// Verify checks the checkpoint's signature with the public key.
func (cp Checkpoint) Verify(key ed25519.PublicKey) error {
	if len(key) != ed25519.PublicKeySize || !ed25519.Verify(key, cp.message(), cp.Signature) {
		return &ChainError{Seq: cp.Seq, Problem: "the checkpoint's signature does not verify"}
	}
	return nil
}

// Checkpoint signs the head of the log as it stands with key. Verify the
// log before to know that what is signed is sound: a checkpoint vouches
// for the head, not for the events.
func (c *EventService) Checkpoint(ctx context.Context, key ed25519.PrivateKey) (Checkpoint, error) {
	if len(key) != ed25519.PrivateKeySize {
		return Checkpoint{}, invalid("key", "ed25519", fmt.Sprintf("%d bytes, not an ed25519 private key", len(key)))
	}
	head, err := c.logHead(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	cp := Checkpoint{Seq: head.Seq, Hash: head.Hash, Time: c.now()}
	cp.Signature = ed25519.Sign(key, cp.message())
	return cp, nil
}

// VerifySince checks the log from a checkpoint on: the checkpoint's
// signature, that the log still holds the event it names with the hash it
// names (so the log was neither cut back behind it, wiped, nor re-chained
// after an edit before it), and the chain from there to the head. It reads
// only the events after the checkpoint, so a log checkpointed regularly
// is verified in time proportional to what was added since. It returns
// the verified head, from which the application may sign the next
// checkpoint.
func (c *EventService) VerifySince(ctx context.Context, cp Checkpoint, key ed25519.PublicKey) (LogHead, error) {
	if err := cp.Verify(key); err != nil {
		return LogHead{}, err
	}
	start := LogHead{Seq: cp.Seq, Hash: cp.Hash}
	if cp.Seq > 0 {
		events, err := c.eventsAfter(ctx, cp.Seq-1, 1)
		if err != nil {
			return LogHead{}, err
		}
		if len(events) == 0 || events[0].Seq != cp.Seq {
			return LogHead{}, &ChainError{Seq: cp.Seq, Problem: "the log no longer holds the event the checkpoint names: cut back or wiped"}
		}
		if events[0].Hash != cp.Hash {
			return LogHead{}, &ChainError{Seq: cp.Seq, Problem: "the event the checkpoint names has another hash: the log was rewritten"}
		}
	}
	return c.verifyFrom(ctx, start)
}
