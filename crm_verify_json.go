package crm

import (
	"encoding/hex"
	"strconv"
)

// appendEntryJSON appends the data of the ledger.posted event that
// records e as json.Marshal(entryData(e)) writes it, without reflection
// or allocation, so that Verify compares an entry with its event byte by
// byte; it returns false for an entry it cannot write so (a text that
// JSON escapes, a date before year 0 or after 9999), which is compared
// by reading its event instead. A test holds it to json.Marshal.
func appendEntryJSON(b []byte, e *Entry) ([]byte, bool) {
	ok := plainJSON(string(e.Kind))
	b = append(b, `{"kind":"`...)
	b = append(b, e.Kind...)
	b = append(b, `","customer":"`...)
	b = appendIDText(b, e.Customer)
	b = append(b, '"')
	if !e.Document.IsZero() {
		b = append(b, `,"document":"`...)
		b = appendIDText(b, e.Document)
		b = append(b, '"')
	}
	b = append(b, `,"effective":"`...)
	b, ok = appendDateText(b, e.Effective, ok)
	b = append(b, `","postings":`...)
	if e.Postings == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range e.Postings {
			if i > 0 {
				b = append(b, ',')
			}
			b, ok = appendPostingJSON(b, &e.Postings[i], ok)
		}
		b = append(b, ']')
	}
	if !e.Reverses.IsZero() {
		b = append(b, `,"reverses":"`...)
		b = appendIDText(b, e.Reverses)
		b = append(b, '"')
	}
	return append(b, '}'), ok
}

func appendPostingJSON(b []byte, p *Posting, ok bool) ([]byte, bool) {
	ok = ok && plainJSON(string(p.Account))
	b = append(b, `{"account":"`...)
	b = append(b, p.Account...)
	b = append(b, '"')
	if !p.Customer.IsZero() {
		b = append(b, `,"customer":"`...)
		b = appendIDText(b, p.Customer)
		b = append(b, '"')
	}
	b = append(b, `,"amount":`...)
	if p.Amount.currency.IsZero() {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"amount":"`...)
		b = appendAmountText(b, p.Amount)
		b = append(b, `","currency":"`...)
		code := p.Amount.currency.Code()
		ok = ok && plainJSON(code)
		b = append(b, code...)
		b = append(b, `"}`...)
	}
	if !p.Item.IsZero() {
		b = append(b, `,"item":"`...)
		b = appendIDText(b, p.Item)
		b = append(b, '"')
	}
	if !p.Due.IsZero() {
		b = append(b, `,"due":"`...)
		b, ok = appendDateText(b, p.Due, ok)
		b = append(b, '"')
	}
	return append(b, '}'), ok
}

// appendAmountText appends what Money's JSON says of its amount.
func appendAmountText(b []byte, m Money) []byte {
	v, err := m.Minor()
	if err != nil {
		return append(b, m.amountText()...)
	}
	units := int(m.currency.MinorUnits())
	var buf [24]byte
	digits := strconv.AppendUint(buf[:0], absUint(v), 10)
	if v < 0 {
		b = append(b, '-')
	}
	if len(digits) <= units {
		b = append(b, '0', '.')
		for range units - len(digits) {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	b = append(b, digits[:len(digits)-units]...)
	if units > 0 {
		b = append(b, '.')
		b = append(b, digits[len(digits)-units:]...)
	}
	return b
}

func absUint(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

// appendIDText appends an ID as its String: 8-4-4-4-12 hex digits; the
// zero ID as nothing.
func appendIDText(b []byte, id ID) []byte {
	if id.IsZero() {
		return b
	}
	var buf [36]byte
	hex.Encode(buf[0:8], id[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], id[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], id[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], id[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], id[10:])
	return append(b, buf[:]...)
}

// appendDateText appends a date as its String, and false for one it
// does not write as four, two and two digits.
func appendDateText(b []byte, d Date, ok bool) ([]byte, bool) {
	if d.IsZero() {
		return b, ok
	}
	if d.Year < 0 || d.Year > 9999 || d.Month < 1 || d.Month > 99 || d.Day < 0 || d.Day > 99 {
		return append(b, d.String()...), false
	}
	y, m, day := d.Year, int(d.Month), d.Day
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10)), ok
}

// plainJSON reports whether json.Marshal writes s as it is, between
// quotes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
