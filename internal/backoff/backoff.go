// Package backoff spaces out the retries of a transaction that collided
// with another.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy is a jittered exponential wait between retries of a write that
// collided with another: before retry n (from 0) it waits a random
// duration in [d/2, d], where d is Base doubled n times and capped at Max.
// The jitter keeps colliding writers from colliding again in step.
type Policy struct {
	Base time.Duration
	Max  time.Duration // 0 means no cap
}

// Wait sleeps before retry n, or returns ctx's error if ctx ends first. A
// zero Base does not wait.
func (b Policy) Wait(ctx context.Context, n int) error {
	if b.Base <= 0 {
		return ctx.Err()
	}
	d := b.Base << min(max(n, 0), 16)
	if b.Max > 0 {
		d = min(d, b.Max)
	}
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
