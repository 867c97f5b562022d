package bench

import (
	"database/sql"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// cpuMeter measures the CPU time an iteration costs, on both sides of the
// wire: the benchmark's own process (getrusage) and the server processes
// serving its pool (their /proc/<pid>/schedstat, found by the pool's
// application_name). Unlike postings/s on a machine others share, CPU per
// iteration hardly moves with the load; under a saturated CPU it is what
// bounds throughput. The server's side is read only when the server runs
// on this machine (otherwise /proc has none of its processes).
type cpuMeter struct {
	db              *sql.DB
	app             string
	client          time.Duration
	startedBackends map[int]time.Duration
}

// backendCPU returns the CPU time of each server process serving app.
func backendCPU(db *sql.DB, app string) map[int]time.Duration {
	out := map[int]time.Duration{}
	rows, err := db.Query(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
	if err != nil {
		return out
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var pid int
		if rows.Scan(&pid) != nil {
			continue
		}
		// The first field of schedstat is the time spent on a CPU, in ns.
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/schedstat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat))
		if len(f) == 0 {
			continue
		}
		ns, _ := strconv.ParseInt(f[0], 10, 64)
		out[pid] = time.Duration(ns)
	}
	return out
}

// startCPU starts measuring; db is any pool on the server (not the
// measured one), app the measured pool's application_name.
func startCPU(db *sql.DB, app string) *cpuMeter {
	return &cpuMeter{db: db, app: app, client: cpuTime(), startedBackends: backendCPU(db, app)}
}

// report adds client-ms/op and server-ms/op to b's metrics.
func (m *cpuMeter) report(b *testing.B) {
	client := cpuTime() - m.client
	var server time.Duration
	for pid, t := range backendCPU(m.db, m.app) {
		server += t - m.startedBackends[pid]
	}
	b.ReportMetric(float64(client.Microseconds())/1000/float64(b.N), "client-ms/op")
	b.ReportMetric(float64(server.Microseconds())/1000/float64(b.N), "server-ms/op")
}
