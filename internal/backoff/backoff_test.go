package backoff

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestWait(t *testing.T) {
	assert.NoError(t, Policy{}.Wait(context.Background(), 3), "a zero backoff does not wait")
	done, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, Policy{Base: time.Hour}.Wait(done, 0), context.Canceled, "a done context ends the wait")
	assert.ErrorIs(t, Policy{}.Wait(done, 0), context.Canceled)
	assert.NoError(t, Policy{Base: time.Nanosecond, Max: time.Microsecond}.Wait(context.Background(), 1000), "huge attempt counts do not overflow")
}
