// Quickstart runs crmkit on its embedded default, a SQLite file: it
// creates a small sales team and their customers, shows that a rep who has
// left can no longer touch a customer, hands that rep's customers to a
// colleague, prints the audit trail and verifies its hash chain.
//
//	go run ./examples/quickstart [-db path/to/file.db]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/examples/internal/tempdb"
	"github.com/crmkit/crm/store/sqlite"
)

func main() {
	dbPath := flag.String("db", "", "SQLite file to use (default: a new file in a temporary directory)")
	flag.Parse()
	if err := run(context.Background(), *dbPath); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, path string) error {
	path, remove, err := tempdb.Path(path, "crm.db")
	if err != nil {
		return err
	}
	defer remove()
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer store.Close()
	c, err := crm.New(store)
	if err != nil {
		return err
	}
	fmt.Printf("crmkit quickstart on SQLite: %s\n\n", path)

	admin, err := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada Admin", Email: "ada@example.com"})
	if err != nil {
		return fmt.Errorf("bootstrap (is %s a new file?): %w", path, err)
	}
	names := names{admin.ID: admin.Name}
	newUser := func(name string, role crm.Role, team string) (crm.User, error) {
		u, err := c.Users.Create(ctx, admin.ID, crm.NewUser{Name: name, Role: role, Team: team})
		names[u.ID] = u.Name
		return u, err
	}
	max, err := newUser("Max Manager", crm.RoleManager, "north")
	if err != nil {
		return err
	}
	ann, err := newUser("Ann Rep", crm.RoleRep, "north")
	if err != nil {
		return err
	}
	ben, err := newUser("Ben Rep", crm.RoleRep, "north")
	if err != nil {
		return err
	}

	fmt.Println("Ann signs three customers:")
	for _, in := range []crm.NewCustomer{
		{Kind: crm.Distributor, Name: "Northwind Traders", Segment: "wholesale", Tags: []string{"eu"}, KeyAccount: true},
		{Kind: crm.EndCustomer, Name: "Jane O'Hara", Contacts: []crm.Contact{{Name: "Jane O'Hara", Email: "jane@example.com"}}},
		{Kind: crm.Partner, Name: "Contoso Integrations", Attributes: map[string]string{"certified": "2026"}},
	} {
		cu, err := c.Customers.Create(ctx, ann.ID, in)
		if err != nil {
			return err
		}
		names[cu.ID] = cu.Name
		fmt.Printf("  %-22s %-13s team %s, version %d\n", cu.Name, cu.Kind, cu.Team, cu.Version)
	}
	northwind := names.find("Northwind Traders")

	fmt.Println("\nBen tries to rename Ann's customer (a rep reads only his own: to him, hers do not exist):")
	_, err = c.Customers.Update(ctx, ben.ID, crm.CustomerPatch{Customer: northwind, Name: ptr("Ben's Northwind")})
	fmt.Println("  refused:", err)

	fmt.Println("\nAnn leaves the company; an admin deactivates her account.")
	if _, err := c.Users.Deactivate(ctx, admin.ID, crm.DeactivateUserRequest{User: ann.ID, Reason: "left the company"}); err != nil {
		return err
	}
	fmt.Println("Ann, on her way out, tries to archive her best customer:")
	_, err = c.Customers.Archive(ctx, ann.ID, crm.ArchiveCustomerRequest{Customer: northwind, Reason: "taking it with me"})
	fmt.Println("  refused:", err)

	moved, err := c.Customers.HandOver(ctx, max.ID, crm.HandOverRequest{From: ann.ID, To: ben.ID, Reason: "Ann left; Ben takes over"})
	if err != nil {
		return err
	}
	fmt.Printf("\nMax, Ann's manager, hands all %d of her customers to Ben:\n", moved.Moved.Customers)
	for cu, err := range c.Customers.List(ctx, max.ID, crm.CustomerFilter{}) {
		if err != nil {
			return err
		}
		fmt.Printf("  %-22s owner %s, version %d\n", cu.Name, names[cu.Owner], cu.Version)
	}

	fmt.Println("\nAudit trail:")
	for e, err := range c.Events.Feed(ctx, 0) {
		if err != nil {
			return err
		}
		fmt.Printf("  #%-2d %s  %-11s %-20s %-22s %s\n", e.Seq, e.Time.Local().Format("15:04:05"),
			names[e.Actor], e.Type, names[e.Subject], names.summary(e))
	}

	head, err := c.Events.Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("\nHash chain verified: %d events, head %s…\n", head.Seq, head.Hash.String()[:16])
	return nil
}

// names maps IDs to the names the output shows.
type names map[crm.ID]string

func (n names) find(name string) crm.ID {
	for id, v := range n {
		if v == name {
			return id
		}
	}
	return crm.ID{}
}

// summary describes an event's changes in one line, with user IDs shown
// as names.
func (n names) summary(e crm.Event) string {
	cs, err := crm.DecodeChangeSet(e.Data)
	if err != nil || len(cs.Changes) == 0 {
		return ""
	}
	var parts []string
	created := e.Type == crm.CustomerCreated || e.Type == crm.UserCreated
	for _, ch := range cs.Changes {
		switch {
		case ch.Field == "owner" && created:
			parts = append(parts, "owner "+n.byText(ch.To))
			continue
		case ch.Field == "owner":
			parts = append(parts, fmt.Sprintf("owner %s→%s", n.byText(ch.From), n.byText(ch.To)))
			continue
		}
		if created {
			if ch.Field == "role" || ch.Field == "team" || ch.Field == "kind" {
				parts = append(parts, fmt.Sprintf("%s %v", ch.Field, ch.To))
			}
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %v→%v", ch.Field, orDash(ch.From), orDash(ch.To)))
	}
	if cs.Reason != "" {
		parts = append(parts, fmt.Sprintf("(%s)", cs.Reason))
	}
	return strings.Join(parts, ", ")
}

func (n names) byText(v any) string {
	s, _ := v.(string)
	id, err := crm.ParseID(s)
	if err != nil {
		return "-"
	}
	return n[id]
}

func orDash(v any) any {
	if v == nil {
		return "-"
	}
	return v
}

func ptr[T any](v T) *T { return &v }
