package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/crmkit/crm"
	"github.com/crmkit/crm/store/sqlite"
	"github.com/crmkit/crm/store/sqlstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenKeepsDataAcrossReopens(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crm.db")
	s, err := sqlite.Open(ctx, path)
	require.NoError(t, err)
	c, err := crm.New(s)
	require.NoError(t, err)
	admin, err := c.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada Admin", Email: "ada@example.com"})
	require.NoError(t, err)
	cu, err := c.Customers.Create(ctx, admin.ID, crm.NewCustomer{Kind: crm.Partner, Name: `Robert'); DROP TABLE crm_customers; --`})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = sqlite.Open(ctx, path) // migrating again is a no-op
	require.NoError(t, err)
	defer s.Close()
	c, err = crm.New(s)
	require.NoError(t, err)
	got, err := c.Customers.Get(ctx, admin.ID, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, cu.Name, got.Name)
	head, err := c.Events.Verify(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(2), head.Seq)
}

func TestOpenPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?with#odd%chars")
	require.NoError(t, os.Mkdir(dir, 0o755))
	path := filepath.Join(dir, "crm?.db")
	s, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = os.Stat(path)
	assert.NoError(t, err, "the file is where the path says")
}

func TestOpenRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crm.db")
	for _, opts := range [][]sqlite.Option{
		{sqlite.WithStoreOptions(sqlstore.WithTablePrefix(`x"; DROP TABLE users; --`))},
		{sqlite.WithStoreOptions(sqlstore.WithSchema("crm"))},
		{sqlite.WithDurability("OFF")},
	} {
		_, err := sqlite.Open(ctx, path, opts...)
		assert.ErrorIs(t, err, crm.ErrInvalid)
		var ve *crm.ValidationError
		assert.ErrorAs(t, err, &ve)
	}
	_, err := os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "no file was created")

	_, err = sqlite.Open(ctx, " ")
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = sqlite.Open(ctx, path+"\x00.evil")
	var ve *crm.ValidationError
	require.ErrorAs(t, err, &ve, "a NUL would make SQLite open another file")
	assert.Equal(t, "no_nul", ve.Rule)
	_, err = os.Stat(path)
	assert.ErrorIs(t, err, os.ErrNotExist, "no file was created")
	var noCtx context.Context
	_, err = sqlite.Open(noCtx, path)
	assert.ErrorIs(t, err, crm.ErrInvalid)
}

func TestOpenWithPrefix(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crm.db")
	a, err := sqlite.Open(ctx, path, sqlite.WithStoreOptions(sqlstore.WithTablePrefix("a_")))
	require.NoError(t, err)
	defer a.Close()
	b, err := sqlite.Open(ctx, path, sqlite.WithStoreOptions(sqlstore.WithTablePrefix("b_")))
	require.NoError(t, err)
	defer b.Close()

	ca, err := crm.New(a)
	require.NoError(t, err)
	_, err = ca.Users.Bootstrap(ctx, crm.NewUser{Name: "Ada Admin", Email: "ada@example.com"})
	require.NoError(t, err)
	cb, err := crm.New(b)
	require.NoError(t, err)
	_, err = cb.Users.Bootstrap(ctx, crm.NewUser{Name: "Bob Admin", Email: "bob@example.com"})
	assert.NoError(t, err, "b's users table is empty, so b can bootstrap too")
}
