package crm

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on free text, so that a record stays small enough to store and
// show. They are generous for real names and strict about binary junk.
const (
	maxNameLen      = 200
	maxShortTextLen = 64
	maxLongTextLen  = 2000
	maxTags         = 50
	maxAttributes   = 100
	maxContacts     = 100
)

// cleanText trims s and checks it is valid UTF-8 without control
// characters and at most max runes long. Quotes, apostrophes and anything
// that looks like SQL are ordinary text: the adapters bind every value as a
// parameter.
// checkYear refuses a time outside years 1 to 9999, which neither the
// stores nor RFC 3339 can hold.
func checkYear(field string, t time.Time) error {
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return invalid(field, "range", fmt.Sprintf("year %d is not in 1 to 9999", y))
	}
	return nil
}

func cleanText(field, s string, max int, required bool) (string, error) {
	if len(s) > 4*max+1024 {
		// Too long whatever trimming would leave: not worth reading.
		return "", invalid(field, "max_length", fmt.Sprintf("%d bytes, at most %d characters", len(s), max))
	}
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalid(field, "utf8", "not valid UTF-8")
	}
	if required && s == "" {
		return "", invalid(field, "required", "")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", invalid(field, "max_length", fmt.Sprintf("%d characters, at most %d", n, max))
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", invalid(field, "no_control_chars", fmt.Sprintf("contains %U", r))
		}
	}
	return s, nil
}

func cleanEmail(field, s string) (string, error) {
	s, err := cleanText(field, s, maxNameLen, false)
	if err != nil || s == "" {
		return s, err
	}
	a, perr := mail.ParseAddress(s)
	if perr != nil || a.Address != s {
		return "", invalid(field, "email", fmt.Sprintf("%q is not a bare e-mail address", truncate(s, 60)))
	}
	return s, nil
}

func cleanPhone(field, s string) (string, error) {
	s, err := cleanText(field, s, 32, false)
	if err != nil {
		return "", err
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789+-(). ", r) {
			return "", invalid(field, "phone", fmt.Sprintf("%q has %q", s, r))
		}
	}
	return s, nil
}

func validKey(s string) bool {
	if s == "" || len(s) > maxShortTextLen {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')) {
			return false
		}
	}
	return true
}
