package curation

import (
	"errors"
	"strconv"
	"strings"

	"github.com/wujw/ohis/internal/support"
)

// FormatEUR formats cents the Dutch way: "€ 1.234,56".
func FormatEUR(cents int64) string { return support.FormatEUR(support.Cents(cents)) }

// ErrBadAmount is an amount that is not a euro amount.
var ErrBadAmount = errors.New("not a euro amount")

// maxEuros bounds typed amounts far above any product price.
const maxEuros = 10_000_000

// ParseEuros reads an amount typed by a Dutch user into cents: "12",
// "12,5", "12,50", "1.234,56", "€ 12,50"; a point followed by exactly two
// digits at the end is read as a decimal point too ("12.50"). Negative,
// empty or absurd amounts are refused.
func ParseEuros(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return 0, ErrBadAmount
	}
	intPart, frac := s, ""
	if i := strings.LastIndexByte(s, ','); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
		intPart = strings.ReplaceAll(intPart, ".", "")
	} else if i := strings.LastIndexByte(s, '.'); i >= 0 && len(s)-i-1 <= 2 && strings.Count(s, ".") == 1 {
		intPart, frac = s[:i], s[i+1:]
	} else {
		intPart = strings.ReplaceAll(intPart, ".", "")
	}
	if intPart == "" {
		intPart = "0"
	}
	if len(frac) > 2 || !digits(intPart) || !digits(frac) {
		return 0, ErrBadAmount
	}
	euros, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || euros > maxEuros {
		return 0, ErrBadAmount
	}
	for len(frac) < 2 {
		frac += "0"
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	return euros*100 + cents, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
