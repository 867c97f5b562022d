package crm_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/crmkit/crm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func date(t testing.TB, s string) crm.Date {
	t.Helper()
	d, err := crm.ParseDate(s)
	require.NoError(t, err)
	return d
}

func TestDate(t *testing.T) {
	d := date(t, "2026-01-31")
	assert.Equal(t, "2026-02-28", d.AddMonths(1).String(), "clamped to the end of February")
	assert.Equal(t, "2028-02-29", date(t, "2028-01-31").AddMonths(1).String(), "leap year")
	assert.Equal(t, "2025-12-31", d.AddMonths(-1).String())
	assert.Equal(t, "2026-03-02", d.AddDays(30).String())
	assert.Equal(t, 30, d.AddDays(30).DaysSince(d))
	assert.Equal(t, -1, date(t, "2026-03-28").DaysSince(date(t, "2026-03-29")), "across a DST change in Europe is still one day")
	assert.True(t, d.Before(d.AddDays(1)))
	assert.True(t, d.AddDays(1).After(d))
	assert.Equal(t, 0, d.Compare(crm.DateOf(time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC))))

	_, err := crm.NewDate(2026, time.February, 30)
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = crm.ParseDate("2026-13-01")
	assert.ErrorIs(t, err, crm.ErrInvalid)
	_, err = crm.ParseDate("31/01/2026")
	assert.ErrorIs(t, err, crm.ErrInvalid)
	assert.False(t, crm.Date{}.IsValid())
	assert.True(t, crm.Date{}.IsZero())
}

func TestDateEncoding(t *testing.T) {
	d := date(t, "2026-11-24")
	b, err := json.Marshal(struct{ Due crm.Date }{d})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Due":"2026-11-24"}`, string(b))
	var back struct{ Due crm.Date }
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, d, back.Due)

	v, err := d.Value()
	require.NoError(t, err)
	var scanned crm.Date
	require.NoError(t, scanned.Scan(v))
	assert.Equal(t, d, scanned)
	require.NoError(t, scanned.Scan(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, d, scanned)
	require.NoError(t, scanned.Scan(nil))
	assert.True(t, scanned.IsZero())
	assert.ErrorIs(t, scanned.Scan(42), crm.ErrInvalid)
}
