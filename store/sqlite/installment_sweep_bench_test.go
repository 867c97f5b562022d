package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/crmkit/crm/store/storetest"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// BenchmarkInstallmentsDue measures a day's invoicing of the installments
// due among many active contracts whose installments are not due: ten a
// day, among 1k and 10k contracts. "hand" is the daily job
// InvoiceInstallment's doc asked for before the sweep (list the active
// contracts, invoice each installment due), "sweep" is
// ContractService.InvoiceDue, which reads only the contracts with an
// installment due (ContractFilter.NextDueBy):
//
//	go test -run '^$' -bench InstallmentsDue -benchtime 20x ./store/sqlite
func BenchmarkInstallmentsDue(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		for _, job := range []string{"hand", "sweep"} {
			b.Run(fmt.Sprintf("contracts=%d/%s", n, job), func(b *testing.B) { benchInstallmentsDue(b, n, job) })
		}
	}
}

// dueBench is the CRM of the benchmark, finance and the customers whose
// contracts it invoices.
type dueBench struct {
	*storetest.Team
	fin       crm.User
	customers []crm.ID
}

func benchInstallmentsDue(b *testing.B, n int, job string) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "crm.db"))
	require.NoError(b, err)
	b.Cleanup(func() { require.NoError(b, s.Close()) })
	d := &dueBench{Team: storetest.NewTeam(b, s)}
	d.fin, err = d.Users.Create(ctx, d.Admin.ID, crm.NewUser{Name: "Fay Finance", Role: crm.RoleFinance})
	require.NoError(b, err)
	for i := range 10 {
		cu, err := d.Customers.Create(ctx, d.Ann.ID, crm.NewCustomer{Kind: crm.EndCustomer, Name: fmt.Sprintf("Tenant %d", i)})
		require.NoError(b, err)
		d.customers = append(d.customers, cu.ID)
	}
	// The contracts with nothing due: a year of monthly installments
	// from June 2027.
	d.insert(b, n, crm.Date{Year: 2027, Month: time.June, Day: 1}, crm.PlanOptions{Months: 12})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d.Clock.Advance(24 * time.Hour)
		today := crm.Date{Year: d.Clock.Now().Year(), Month: d.Clock.Now().Month(), Day: d.Clock.Now().Day()}
		d.insert(b, len(d.customers), today, crm.PlanOptions{Shares: []int64{1}, OffsetDays: []int{0}}) // one installment, due today
		b.StartTimer()
		invoiced := d.invoiceDue(b, job, today)
		if invoiced != len(d.customers) {
			b.Fatalf("%s invoiced %d installments, want %d", job, invoiced, len(d.customers))
		}
	}
}

// insert stores n active contracts of Ann's from start, one customer's
// after another's, straight into the store.
func (d *dueBench) insert(b *testing.B, n int, start crm.Date, o crm.PlanOptions) {
	b.Helper()
	ctx := context.Background()
	template := crm.PlanMonthly
	if len(o.Shares) > 0 {
		template = crm.PlanCustom
	}
	amount := crm.MoneyFromMinor(120_000, crm.USD)
	plan, err := crm.NewPaymentPlan(template, amount, start, o)
	require.NoError(b, err)
	now := d.Clock.Now().UTC().Truncate(time.Microsecond)
	for from := 0; from < n; from += 1000 {
		require.NoError(b, d.Store.Update(ctx, func(tx crm.Tx) error {
			for i := from; i < min(n, from+1000); i++ {
				id, err := uuid.NewV7()
				if err != nil {
					return err
				}
				ct := crm.Contract{ID: crm.ID(id), Customer: d.customers[i%len(d.customers)], Owner: d.Ann.ID, Team: d.Ann.Team,
					DraftedBy: d.Ann.ID, Title: "Hosting", Amount: amount, Start: start, Plan: crm.PaymentPlan{Template: plan.Template,
						Installments: append([]crm.Installment(nil), plan.Installments...)}, Status: crm.ContractActive,
					Submitter: d.Ann.ID, SignedAt: now, CreatedAt: now, UpdatedAt: now, Version: 1}
				if err := tx.Contracts().Insert(ctx, ct); err != nil {
					return err
				}
			}
			return nil
		}))
	}
}

// invoiceDue runs the day's job and returns how many installments it
// invoiced.
func (d *dueBench) invoiceDue(b *testing.B, job string, today crm.Date) int {
	b.Helper()
	ctx := context.Background()
	if job == "sweep" {
		rep, err := d.Contracts.InvoiceDue(ctx, d.fin.ID, crm.InvoiceDueRequest{})
		require.NoError(b, err)
		return len(rep.Invoiced)
	}
	invoiced := 0
	for ct, err := range d.Contracts.List(ctx, d.fin.ID, crm.ContractFilter{Status: crm.ContractActive}) {
		require.NoError(b, err)
		for _, in := range ct.Plan.Installments {
			if !in.Invoice.IsZero() || in.Due.After(today) {
				continue
			}
			_, err := d.Contracts.InvoiceInstallment(ctx, d.fin.ID, crm.InvoiceInstallmentRequest{Contract: ct.ID, Installment: in.Number})
			require.NoError(b, err)
			invoiced++
		}
	}
	return invoiced
}
