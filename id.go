package crm

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"
)

// ID identifies a record. IDs are UUIDv7: they sort by creation time, so
// keyset pagination in ID order lists records oldest first. The zero value
// is no ID. The CRM makes them; ParseID reads one back from its String.
type ID [16]byte

// ParseID parses the canonical 36-character form of a UUID.
func ParseID(s string) (ID, error) {
	if len(s) != 36 {
		return ID{}, invalid("id", "format", fmt.Sprintf("%q is not a UUID", truncate(s, 40)))
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return ID{}, invalid("id", "format", fmt.Sprintf("%q is not a UUID", s))
	}
	return ID(u), nil
}

// String returns the canonical lower-case form.
func (id ID) String() string { return uuid.UUID(id).String() }

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == ID{} }

// Time returns the creation time encoded in a UUIDv7, to the millisecond.
func (id ID) Time() time.Time {
	ms := int64(binary.BigEndian.Uint64(id[:8]) >> 16)
	return time.UnixMilli(ms).UTC()
}

// Compare orders IDs bytewise, which for UUIDv7 is creation order.
func (id ID) Compare(o ID) int {
	for i := range id {
		if id[i] != o[i] {
			if id[i] < o[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// MarshalText encodes the canonical form; the zero ID encodes as "".
func (id ID) MarshalText() ([]byte, error) {
	if id.IsZero() {
		return []byte{}, nil
	}
	return []byte(id.String()), nil
}

// UnmarshalText parses the canonical form; "" gives the zero ID.
func (id *ID) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = ID{}
		return nil
	}
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// Value implements driver.Valuer as the canonical text, or NULL for the
// zero ID, so that a nullable column of the caller's holds no fake ID.
// Adapters that keep IDs in NOT NULL columns bind the text themselves.
func (id ID) Value() (driver.Value, error) {
	if id.IsZero() {
		return nil, nil
	}
	return id.String(), nil
}

// before returns the ID just before id in ID order (the zero ID for the
// zero ID): the After of a page that starts at id.
func (id ID) before() ID {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] > 0 {
			id[i]--
			return id
		}
		id[i] = 0xff
	}
	return ID{}
}

// Scan implements sql.Scanner from text, 16 raw bytes, or NULL.
func (id *ID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*id = ID{}
		return nil
	case string:
		return id.UnmarshalText([]byte(v))
	case []byte:
		if len(v) == 16 {
			copy(id[:], v)
			return nil
		}
		return id.UnmarshalText(v)
	}
	return fmt.Errorf("crm: cannot scan %T into ID: %w", src, ErrInvalid)
}

// idGenerator makes UUIDv7 IDs from a Clock and a source of randomness. IDs
// made by one generator strictly increase, even within one millisecond
// (RFC 9562, method 3: a 12-bit sub-millisecond counter). It is safe for
// concurrent use.
type idGenerator struct {
	clock  Clock
	random io.Reader

	mu     sync.Mutex
	lastMS int64
	seq    uint16
}

// newIDGenerator returns a generator reading time from clock and random
// bits from random; nil random means crypto/rand. Tests pass a seeded
// reader to get the same IDs on every run.
func newIDGenerator(clock Clock, random io.Reader) *idGenerator {
	if random == nil {
		random = rand.Reader
	}
	if clock == nil {
		clock = SystemClock()
	}
	return &idGenerator{clock: clock, random: random}
}

// next returns the next ID.
func (g *idGenerator) next() (ID, error) {
	var id ID
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, err := io.ReadFull(g.random, id[6:]); err != nil {
		return ID{}, fmt.Errorf("crm: reading random bits for an ID: %w", err)
	}
	ms := g.clock.Now().UnixMilli()
	if ms <= g.lastMS {
		ms = g.lastMS
		g.seq++
		if g.seq > 0x0fff {
			ms++
			g.seq = 0
		}
	} else {
		g.seq = 0
	}
	g.lastMS = ms
	binary.BigEndian.PutUint64(id[:8], uint64(ms)<<16|uint64(0x7000|g.seq))
	id[8] = id[8]&0x3f | 0x80 // RFC 9562 variant
	return id, nil
}

// idText is the canonical form, or "" for the zero ID.
func idText(id ID) string {
	if id.IsZero() {
		return ""
	}
	return id.String()
}

// salt returns dataSaltSize random bytes for an event's salt, from the
// same source as the IDs: crypto/rand unless a test seeded it (WithRandom),
// in which case a replay gives the same log, hash for hash.
func (g *idGenerator) salt() ([]byte, error) {
	salt := make([]byte, dataSaltSize)
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, err := io.ReadFull(g.random, salt); err != nil {
		return nil, fmt.Errorf("crm: reading random bits for an event's salt: %w", err)
	}
	return salt, nil
}
