package support

import "strconv"

// Cents is an amount of money in integer euro cents. Money is never held in
// floating point (SPEC §3 "Money").
type Cents int64

// Billing constants (SPEC §2 rule 6).
const (
	// RatePerHour is the support rate in cents per hour, excluding VAT.
	RatePerHour Cents = 10000
	// VATPercent is the VAT rate applied to support statements.
	VATPercent = 21
	// DefaultAllowance is the free support per supplier in minutes (8 hours).
	DefaultAllowance = 480
)

// FormatEUR formats c the Dutch (nl-NL) way: "€ 1.234,56"; negative
// amounts as "-€ 1,00".
func FormatEUR(c Cents) string {
	sign := ""
	if c < 0 {
		sign = "-"
	}
	return sign + "€ " + groupThousands(absCents(c)/100) + "," + twoDigits(absCents(c)%100)
}

// decimalCents renders c without currency sign or thousands separators,
// with two decimals and the given decimal separator: "1234,56", "-1.00".
func decimalCents(c Cents, sep byte) string {
	sign := ""
	if c < 0 {
		sign = "-"
	}
	a := absCents(c)
	return sign + strconv.FormatUint(a/100, 10) + string(sep) + twoDigits(a%100)
}

func absCents(c Cents) uint64 {
	if c < 0 {
		return -uint64(c)
	}
	return uint64(c)
}

func twoDigits(n uint64) string {
	if n < 10 {
		return "0" + strconv.FormatUint(n, 10)
	}
	return strconv.FormatUint(n, 10)
}

func groupThousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	return string(out)
}
