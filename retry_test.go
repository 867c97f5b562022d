package crm_test

import (
	"context"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
)

func TestBackoffWait(t *testing.T) {
	assert.NoError(t, crm.Backoff{}.Wait(ctx, 3), "a zero backoff does not wait")
	done, cancel := context.WithCancel(ctx)
	cancel()
	assert.ErrorIs(t, crm.Backoff{Base: time.Hour}.Wait(done, 0), context.Canceled, "a done context ends the wait")
	assert.ErrorIs(t, crm.Backoff{}.Wait(done, 0), context.Canceled)
	assert.NoError(t, crm.Backoff{Base: time.Nanosecond, Max: time.Microsecond}.Wait(ctx, 1000), "huge attempt counts do not overflow")
}
