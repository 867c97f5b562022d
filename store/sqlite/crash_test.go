package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The environment of the crash test.
const (
	// crashChildEnv names the database file a child writes to; set, it
	// makes TestCrash the child.
	crashChildEnv = "CRMKIT_CRASH_CHILD"
	// crashChildSeedEnv seeds the child's choice of writes.
	crashChildSeedEnv = "CRMKIT_CRASH_CHILD_SEED"
	// crashKillsEnv sets how many times the child is killed (default
	// crashDefaultKills).
	crashKillsEnv = "CRMKIT_CRASH_KILLS"
	// crashSeedEnv overrides crashDefaultSeed, to explore other kill
	// points.
	crashSeedEnv = "CRMKIT_CRASH_SEED"

	crashDefaultKills = 20
	crashDefaultSeed  = 20240611
	// crashMaxAcks is the most acknowledgements the parent waits for
	// before a kill.
	crashMaxAcks = 40
)

// TestCrash kills a process writing to a SQLite file, again and again,
// and checks after each kill that the audit log's chain and the ledger
// verify, that the log still extends the one checkpointed after the
// kill before, that every write the child acknowledged is there as
// acknowledged, and that the write in flight is there whole or not at
// all (an invoice never without the entry that posts it, at most one
// unacknowledged invoice per kill).
//
// It tests a process kill (SIGKILL: no deferred function, no Close, no
// checkpoint of the WAL runs), not a power loss: the operating system
// keeps what the process wrote, so what is proved is that SQLite's
// journal and crmkit's transactions leave the file consistent at any
// instant of a write, not that commits reach the disk.
//
// The test re-executes its own binary as the child (see crashChild). The
// kill points come from a seeded generator (CRMKIT_CRASH_SEED), so a run
// is reproducible up to the scheduling of the two processes; the number
// of kills is CRMKIT_CRASH_KILLS, 20 by default.
func TestCrash(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(t, path)
		return
	}
	if testing.Short() {
		t.Skip("the crash test starts and kills processes")
	}
	kills := crashEnvInt(t, crashKillsEnv, crashDefaultKills)
	seed := uint64(crashEnvInt(t, crashSeedEnv, crashDefaultSeed))
	t.Logf("%d kills, seed %d", kills, seed)
	rng := rand.New(rand.NewPCG(seed, 0x6372617368))
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	path := filepath.Join(t.TempDir(), "crm.db")

	var acks []crashAck
	var cp *crm.Checkpoint
	for run := range kills {
		want := 1 + rng.IntN(crashMaxAcks)
		delay := time.Duration(rng.IntN(1000)) * time.Microsecond
		got := crashRun(t, path, rng.Uint64(), want, delay)
		acks = append(acks, got...)
		next := crashCheck(t, path, acks, run+1, key, cp)
		cp = &next
	}

	kinds := map[string]int{}
	for _, a := range acks {
		kinds[a.kind]++
	}
	t.Logf("%d acknowledged writes: %v", len(acks), kinds)
	for _, kind := range []string{"user", "customer", "invoice", "payment"} {
		assert.Positive(t, kinds[kind], "no %s was acknowledged: the test proved nothing of it", kind)
	}
}

// crashEnvInt reads a positive integer from the environment variable
// name, def when it is unset.
func crashEnvInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	require.NoError(t, err, "%s", name)
	require.Positive(t, n, "%s", name)
	return n
}

// crashAck is a write the child acknowledged: kind is user, customer,
// invoice, payment or allocation; id is the record made (for an
// allocation, its entry); minor is an invoice's total or a payment's
// amount in minor units; entries are the allocations a payment made.
type crashAck struct {
	kind    string
	id      crm.ID
	minor   int64
	entries []crm.ID
}

// String formats the acknowledgement as the child prints it, without the
// newline: "ack <kind> <id> [<minor> [<entry>...]]".
func (a crashAck) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ack %s %s", a.kind, a.id)
	if a.kind == "invoice" || a.kind == "payment" {
		fmt.Fprintf(&b, " %d", a.minor)
	}
	for _, e := range a.entries {
		b.WriteString(" " + e.String())
	}
	return b.String()
}

// parseCrashAck parses a line the child printed; it reports false for a
// line that is not an acknowledgement.
func parseCrashAck(line string) (crashAck, bool, error) {
	f := strings.Fields(line)
	if len(f) < 3 || f[0] != "ack" {
		return crashAck{}, false, nil
	}
	a := crashAck{kind: f[1]}
	var err error
	if a.id, err = crm.ParseID(f[2]); err != nil {
		return crashAck{}, true, err
	}
	rest := f[3:]
	switch a.kind {
	case "user", "customer", "allocation":
	case "invoice", "payment":
		if len(rest) == 0 {
			return crashAck{}, true, fmt.Errorf("%q has no amount", line)
		}
		if a.minor, err = strconv.ParseInt(rest[0], 10, 64); err != nil {
			return crashAck{}, true, err
		}
		rest = rest[1:]
	default:
		return crashAck{}, true, fmt.Errorf("%q acknowledges an unknown kind", line)
	}
	for _, s := range rest {
		id, err := crm.ParseID(s)
		if err != nil {
			return crashAck{}, true, err
		}
		a.entries = append(a.entries, id)
	}
	if len(a.entries) > 0 && a.kind != "payment" {
		return crashAck{}, true, fmt.Errorf("%q: only a payment lists entries", line)
	}
	return a, true, nil
}

// crashRun starts a child writing to the file at path with the seed,
// kills it (os.Process.Kill: SIGKILL on Unix) delay after it has
// acknowledged want writes,
// and returns every acknowledgement it printed, those that were still
// in the pipe when it died included. It fails the test if the child
// stopped before it was killed or said anything but acknowledgements.
func crashRun(t *testing.T, path string, seed uint64, want int, delay time.Duration) []crashAck {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashChildSeedEnv+"="+strconv.FormatUint(seed, 10))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	// The child exits when its standard input closes, so that it does not
	// outlive a parent that dies first; Wait closes it.
	_, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	r := bufio.NewReader(stdout)
	var acks []crashAck
	var other []string
	// read reads one line, sorting it, and reports false at the end of
	// the output; a last line without its newline, which an
	// acknowledgement written in one Write never is, counts as other.
	read := func() bool {
		line, err := r.ReadString('\n')
		if err != nil {
			if line != "" {
				other = append(other, "(cut) "+line)
			}
			return false
		}
		a, ok, err := parseCrashAck(line)
		switch {
		case err != nil:
			other = append(other, fmt.Sprintf("%s(%v)", line, err))
		case ok:
			acks = append(acks, a)
		default:
			other = append(other, line)
		}
		return true
	}
	for len(acks) < want && read() {
	}
	stopped := len(acks) < want
	if !stopped {
		time.Sleep(delay)
	}
	if err := cmd.Process.Kill(); !stopped {
		require.NoError(t, err)
	}
	for read() {
	}
	waitErr := cmd.Wait()
	require.False(t, stopped, "the child stopped by itself after %d acknowledgements (%v):\n%s\n%s", len(acks), waitErr, strings.Join(other, ""), stderr.String())
	require.Empty(t, other, "the child said more than acknowledgements:\n%s", stderr.String())
	require.Empty(t, stderr.String(), "the child wrote to its standard error")
	require.Error(t, waitErr, "the child was killed")
	if runtime.GOOS != "windows" {
		assert.Equal(t, -1, cmd.ProcessState.ExitCode(), "the child was ended by a signal: %s", cmd.ProcessState)
	}
	return acks
}

// crashCheck opens the database a killed child left, as a fresh process
// would, and checks it: the log's chain verifies from the start and from
// the checkpoint prev taken after the kill before (so the log was not cut
// back); the ledger verifies; every acknowledged write is there as it was
// acknowledged; at most one invoice per kill (the write in flight) is
// there without having been acknowledged; and every invoice has the
// entry that posted it. It returns a checkpoint of the log as it stands.
func crashCheck(t *testing.T, path string, acks []crashAck, kills int, key ed25519.PrivateKey, prev *crm.Checkpoint) crm.Checkpoint {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()
	c, err := crm.New(s)
	require.NoError(t, err)

	if prev != nil {
		_, err := c.Events.VerifySince(ctx, *prev, key.Public().(ed25519.PublicKey))
		require.NoError(t, err, "after kill %d the log does not extend the one before", kills)
	}
	_, err = c.Events.Verify(ctx)
	require.NoError(t, err, "after kill %d", kills)
	var admins []crm.User
	require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
		admins, err = tx.Users().List(ctx, crm.UserFilter{Role: crm.RoleAdmin}, crm.PageRequest{Limit: 1})
		return err
	}))
	require.Len(t, admins, 1, "after kill %d: the acknowledged bootstrap made an admin", kills)
	require.NoError(t, c.Ledger.Verify(ctx, admins[0].ID), "after kill %d", kills)

	acked := 0
	for _, a := range acks {
		if a.kind == "invoice" {
			acked++
		}
	}
	require.NoError(t, s.View(ctx, func(tx crm.ReadTx) error {
		for _, a := range acks {
			assert.NoError(t, crashFind(ctx, tx, a), "after kill %d: %s", kills, a)
		}
		invoices, err := crashInvoices(ctx, tx)
		if err != nil {
			return err
		}
		assert.LessOrEqual(t, len(invoices), acked+kills, "after kill %d: more invoices than acknowledged plus one in flight per kill", kills)
		for _, inv := range invoices {
			e, err := tx.Ledger().Entry(ctx, inv.Entry)
			if assert.NoError(t, err, "after kill %d: invoice %s has no entry %s", kills, inv.ID, inv.Entry) {
				assert.Equal(t, inv.ID, e.Document, "after kill %d: the entry of invoice %s", kills, inv.ID)
			}
		}
		return nil
	}))
	if t.Failed() {
		t.FailNow()
	}
	cp, err := c.Events.Checkpoint(ctx, key)
	require.NoError(t, err)
	return cp
}

// crashFind returns an error saying how the acknowledged write a is not
// in the store as acknowledged, nil when it is.
func crashFind(ctx context.Context, tx crm.ReadTx, a crashAck) error {
	switch a.kind {
	case "user":
		_, err := tx.Users().Get(ctx, a.id)
		return err
	case "customer":
		_, err := tx.Customers().Get(ctx, a.id)
		return err
	case "invoice":
		inv, err := tx.Invoices().Get(ctx, a.id)
		if err != nil {
			return err
		}
		if got, err := inv.Total.Minor(); err != nil || got != a.minor {
			return fmt.Errorf("total %s, acknowledged %d (%v)", inv.Total, a.minor, err)
		}
		return crashEntry(ctx, tx, inv.Entry, crm.EntryInvoice, a.id)
	case "payment":
		p, err := tx.Credits().Get(ctx, a.id)
		if err != nil {
			return err
		}
		if got, err := p.Amount.Minor(); err != nil || got != a.minor || p.Kind != crm.CreditPayment {
			return fmt.Errorf("%s of %s, acknowledged a payment of %d (%v)", p.Kind, p.Amount, a.minor, err)
		}
		if err := crashEntry(ctx, tx, p.Entry, crm.EntryPayment, a.id); err != nil {
			return err
		}
		for _, id := range a.entries {
			if err := crashEntry(ctx, tx, id, crm.EntryAllocation, a.id); err != nil {
				return err
			}
		}
		return nil
	case "allocation":
		return crashEntry(ctx, tx, a.id, crm.EntryAllocation, crm.ID{})
	}
	return fmt.Errorf("unknown kind %q", a.kind)
}

// crashEntry returns an error unless the ledger holds the entry id of
// the kind, posting document (any document when zero).
func crashEntry(ctx context.Context, tx crm.ReadTx, id crm.ID, kind crm.EntryKind, document crm.ID) error {
	e, err := tx.Ledger().Entry(ctx, id)
	switch {
	case err != nil:
		return fmt.Errorf("entry %s: %w", id, err)
	case e.Kind != kind:
		return fmt.Errorf("entry %s is a %s, not a %s", id, e.Kind, kind)
	case !document.IsZero() && e.Document != document:
		return fmt.Errorf("entry %s posts %s, not %s", id, e.Document, document)
	}
	return nil
}

// crashInvoices lists every invoice in the store.
func crashInvoices(ctx context.Context, tx crm.ReadTx) ([]crm.Invoice, error) {
	var out []crm.Invoice
	page := crm.PageRequest{Limit: crm.MaxPageSize}
	for {
		invs, err := tx.Invoices().List(ctx, crm.InvoiceFilter{}, page)
		if err != nil {
			return nil, err
		}
		out = append(out, invs...)
		if len(invs) < page.Limit {
			return out, nil
		}
		page.After = invs[len(invs)-1].ID
	}
}

// crashWriter is the child's side: the CRM on the file, the admin who
// creates customers, the finance user who bills, the customers there are
// and the generator that chooses the writes.
type crashWriter struct {
	ctx       context.Context
	store     crm.Store
	crm       *crm.CRM
	admin     crm.User
	finance   crm.User
	customers []crm.ID
	rng       *rand.Rand
}

// crashChild is the child process: it opens the file at path, makes or
// finds its users and customers, and writes until it is killed, printing
// an acknowledgement on standard output after each write returns. It
// exits when its standard input closes, the parent being gone.
func crashChild(t *testing.T, path string) {
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(3)
	}()
	seed, err := strconv.ParseUint(os.Getenv(crashChildSeedEnv), 10, 64)
	require.NoError(t, err, crashChildSeedEnv)
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path) // PowerLossDurable, the default
	require.NoError(t, err)
	c, err := crm.New(s)
	require.NoError(t, err)
	w := &crashWriter{ctx: ctx, store: s, crm: c, rng: rand.New(rand.NewPCG(seed, 0x6368696c64))}
	require.NoError(t, w.users())
	for cu, err := range c.Customers.List(ctx, w.admin.ID, crm.CustomerFilter{}) {
		require.NoError(t, err)
		w.customers = append(w.customers, cu.ID)
	}
	for {
		require.NoError(t, w.step())
	}
}

// ack prints an acknowledgement on standard output. Standard output is
// an unbuffered *os.File and the line is one Write, so it is in the pipe
// when ack returns.
func (w *crashWriter) ack(a crashAck) error {
	_, err := fmt.Fprintln(os.Stdout, a.String())
	return err
}

// users finds the admin and the finance user, bootstrapping the admin and
// creating the finance user when an earlier child was killed before.
func (w *crashWriter) users() error {
	find := func(role crm.Role) (crm.User, bool, error) {
		var us []crm.User
		err := w.store.View(w.ctx, func(tx crm.ReadTx) error {
			var err error
			us, err = tx.Users().List(w.ctx, crm.UserFilter{Role: role}, crm.PageRequest{Limit: 1})
			return err
		})
		if err != nil || len(us) == 0 {
			return crm.User{}, false, err
		}
		return us[0], true, nil
	}
	var ok bool
	var err error
	if w.admin, ok, err = find(crm.RoleAdmin); err != nil {
		return err
	} else if !ok {
		if w.admin, err = w.crm.Users.Bootstrap(w.ctx, crm.NewUser{Name: "Ada Admin", Email: "ada@example.com"}); err != nil {
			return err
		}
		if err := w.ack(crashAck{kind: "user", id: w.admin.ID}); err != nil {
			return err
		}
	}
	if w.finance, ok, err = find(crm.RoleFinance); err != nil {
		return err
	} else if !ok {
		if w.finance, err = w.crm.Users.Create(w.ctx, w.admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance}); err != nil {
			return err
		}
		if err := w.ack(crashAck{kind: "user", id: w.finance.ID}); err != nil {
			return err
		}
	}
	return nil
}

// step makes one write, chosen at random, and acknowledges it: a
// customer, an invoice, a payment (applied oldest first or kept as
// credit) or an allocation of open credit to an open invoice.
func (w *crashWriter) step() error {
	if len(w.customers) == 0 || w.rng.IntN(8) == 0 {
		cu, err := w.crm.Customers.Create(w.ctx, w.admin.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprintf("Customer %d", w.rng.IntN(1e6))})
		if err != nil {
			return err
		}
		w.customers = append(w.customers, cu.ID)
		return w.ack(crashAck{kind: "customer", id: cu.ID})
	}
	customer := w.customers[w.rng.IntN(len(w.customers))]
	minor := 1 + w.rng.Int64N(200_000)
	amount := crm.MoneyFromMinor(minor, crm.USD)
	switch n := w.rng.IntN(10); {
	case n < 4:
		return w.invoice(customer, amount)
	case n < 8:
		strategy := crm.KeepAsCredit
		if w.rng.IntN(2) == 0 {
			strategy = crm.AllocateOldestFirst
		}
		r, err := w.crm.Ledger.ReceivePayment(w.ctx, w.finance.ID, crm.NewPayment{Customer: customer, Amount: amount, Reference: "bank transfer", Allocation: strategy})
		if err != nil {
			return err
		}
		a := crashAck{kind: "payment", id: r.Payment.ID, minor: minor}
		for _, e := range r.Allocations {
			a.entries = append(a.entries, e.ID)
		}
		return w.ack(a)
	default:
		items, err := w.crm.Receivables.OpenItems(w.ctx, w.finance.ID, crm.ReceivableQuery{Customer: customer})
		if err != nil {
			return err
		}
		var credit, invoice crm.ID
		for _, it := range items {
			switch {
			case it.Account == crm.AccountCredit && it.Open.IsNegative() && credit.IsZero():
				credit = it.Item
			case it.Account == crm.AccountReceivable && it.Open.IsPositive() && invoice.IsZero():
				invoice = it.Item
			}
		}
		if credit.IsZero() || invoice.IsZero() {
			return w.invoice(customer, amount)
		}
		e, err := w.crm.Ledger.Allocate(w.ctx, w.finance.ID, crm.AllocationRequest{Customer: customer, Credit: credit, Invoice: invoice})
		if err != nil {
			return err
		}
		return w.ack(crashAck{kind: "allocation", id: e.ID})
	}
}

// invoice issues the customer an invoice of one line at amount and
// acknowledges it.
func (w *crashWriter) invoice(customer crm.ID, amount crm.Money) error {
	inv, err := w.crm.Ledger.IssueInvoice(w.ctx, w.finance.ID, crm.NewInvoice{Customer: customer, Currency: amount.Currency(),
		Lines: []crm.InvoiceLine{{Description: "Services", Quantity: decimal.NewFromInt(1), UnitPrice: amount}}})
	if err != nil {
		return err
	}
	total, err := inv.Total.Minor()
	if err != nil {
		return err
	}
	return w.ack(crashAck{kind: "invoice", id: inv.ID, minor: total})
}
