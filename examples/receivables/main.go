// Receivables follows a year of one sales team's receivables on
// crmkit's double-entry ledger, on the embedded SQLite store:
//
//   - a contract submitted, approved by a manager and finance, signed,
//     and its payment plan invoiced from the gapless series
//     (INV-2026-00001, ...), by the daily sweep as installments fall due
//     or by hand ahead of their date;
//   - one customer paying late, another paying too much (kept as credit),
//     a bank feed sending a payment twice; aging as of two dates, who
//     owes what and a statement;
//   - credit notes tied to the invoice they credit: a net amount applied
//     to the invoice, and returned lines, taxed at the invoice's rate,
//     kept as credit to refund; the invoices' statuses and breakdowns;
//   - payments in euros settling dollar invoices, the exchange difference
//     booked as realized loss within the tolerance, and one beyond it
//     refused with the typed error;
//   - dunning runs as the weeks pass: a reminder, a first notice with its
//     fee, and who is at which level;
//   - April's books closed, and an invoice dated in April refused;
//   - the contract amended after signing: the invoiced installments
//     carried over, the rest planned again, approved and signed, the
//     original superseded;
//   - who owes what at the end, and the ledger verified.
//
// Usage:
//
//	go run ./examples/receivables [-db file.db]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/examples/internal/tempdb"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/shopspring/decimal"
)

func main() {
	dbPath := flag.String("db", "", "SQLite file (default: a new file in a temporary directory)")
	flag.Parse()
	if err := run(context.Background(), *dbPath); err != nil {
		fmt.Fprintln(os.Stderr, "receivables:", err)
		os.Exit(1)
	}
}

// story is the company the example follows: its CRM and clock, its
// people, its customers and the contract, and the names to print.
type story struct {
	ctx               context.Context
	c                 *crm.CRM
	clock             *crm.ManualClock
	max, ann, fay     crm.User
	northwind, globex crm.Customer
	rotterdam         crm.Customer // from March, paying in euros
	contract          crm.Contract
	names             map[crm.ID]string // customers and invoices by ID
	first, gx         crm.Invoice       // installment 1, and Globex's licences
}

func run(ctx context.Context, path string) error {
	path, remove, err := tempdb.Path(path, "ledger.db")
	if err != nil {
		return err
	}
	defer remove()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()
	clock := crm.NewManualClock(time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC))
	// An exchange difference is settled up to 1% of what is open, and
	// never more than 50.00 USD.
	c, err := crm.New(store, crm.WithClock(clock), crm.WithFXTolerance(decimal.RequireFromString("0.01"), money("50.00", "USD")))
	if err != nil {
		return err
	}
	fmt.Printf("Receivables on crmkit (SQLite: %s)\n\n", path)
	s := &story{ctx: ctx, c: c, clock: clock, names: map[crm.ID]string{}}
	if err := s.setUp(); err != nil {
		return err
	}
	for _, part := range []func() error{s.signContract, s.bill, s.agingAndStatement, s.creditNotes, s.foreignPayments,
		s.dunning, s.closeApril, s.amendContract, s.finalBalances} {
		if err := part(); err != nil {
			return err
		}
	}
	return nil
}

// setUp creates the users and the customers.
func (s *story) setUp() error {
	admin, err := s.c.Users.Bootstrap(s.ctx, crm.NewUser{Name: "Ada Admin"})
	if err != nil {
		return err
	}
	user := func(name string, role crm.Role) crm.User {
		u, e := s.c.Users.Create(s.ctx, admin.ID, crm.NewUser{Name: name, Role: role, Team: "north"})
		if e != nil && err == nil {
			err = e
		}
		return u
	}
	s.max, s.ann, s.fay = user("Max Manager", crm.RoleManager), user("Ann Rep", crm.RoleRep), user("Fay Finance", crm.RoleFinance)
	if err != nil {
		return err
	}
	if s.northwind, err = s.customer("Northwind Logistics"); err != nil {
		return err
	}
	s.globex, err = s.customer("Globex Freight")
	return err
}

// customer adds one of Ann's distributors.
func (s *story) customer(name string) (crm.Customer, error) {
	cu, err := s.c.Customers.Create(s.ctx, s.ann.ID, crm.NewCustomer{Kind: crm.Distributor, Name: name})
	s.names[cu.ID] = name
	return cu, err
}

// on moves the clock to 9 a.m. on a day of 2026 and returns the date.
func (s *story) on(month time.Month, day int) crm.Date {
	s.clock.Set(time.Date(2026, month, day, 9, 0, 0, 0, time.UTC))
	return date(month, day)
}

// date is a day of 2026, the year of the story.
func date(month time.Month, day int) crm.Date { return crm.Date{Year: 2026, Month: month, Day: day} }

// issued remembers an invoice's number, to name it in what is printed.
func (s *story) issued(inv crm.Invoice) crm.Invoice {
	s.names[inv.ID] = inv.Number
	return inv
}

func money(amount, currency string) crm.Money {
	m, err := crm.ParseMoney(amount, currency)
	if err != nil {
		panic(err) // the amounts in the story are constants
	}
	return m
}

func usd(amount string) crm.Money { return money(amount, "USD") }

// fixed is an amount in dollars or euros with its two decimals, without
// the currency, for columns.
func fixed(m crm.Money) string { return m.Amount().StringFixed(2) }
