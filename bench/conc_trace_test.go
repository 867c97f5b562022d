package bench

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

// traced says whether the statements sent now are printed: under
// CRMKIT_BENCH_TRACE, those of a benchmark's last iteration, to see what
// its round trips are.
var traced struct {
	sync.Mutex
	on bool
}

// traceIteration turns printing on for iteration i of n.
func traceIteration(i, n int) {
	if os.Getenv("CRMKIT_BENCH_TRACE") == "" {
		return
	}
	traced.Lock()
	traced.on = i == n-1
	traced.Unlock()
}

// traceSQL prints one round trip: Q for a statement, P for a statement
// prepared for the cache.
func traceSQL(kind, sql string) {
	traced.Lock()
	defer traced.Unlock()
	if !traced.on {
		return
	}
	s := strings.Join(strings.Fields(sql), " ")
	if len(s) > 160 {
		s = s[:160]
	}
	fmt.Fprintln(os.Stderr, kind, s)
}
