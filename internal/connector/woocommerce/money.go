package woocommerce

import "strings"

// MaxPriceCents is the highest price OHIS accepts (€ 1.000.000,00); higher
// prices are taken for typing errors.
const MaxPriceCents = 100_000_000

// MaxStock is the highest stock quantity OHIS accepts.
const MaxStock = 10_000_000

// priceProblem says why a price string is unusable.
type priceProblem int

const (
	priceOK priceProblem = iota
	priceEmpty
	priceComma      // "12,50": decimal comma
	priceDecimals   // more than two digits after the point
	priceNegative   // "-1.00"
	priceNotNumeric // "€ 12", "12 EUR", "1.234,56", "abc"
	priceTooHigh    // above MaxPriceCents
)

// parsePrice turns a WooCommerce money string ("12.50", "12.5", "12",
// "0.99") into integer cents exactly, digit by digit: no floating point.
// Surrounding spaces are ignored; anything else but digits and one
// decimal point is refused.
func parsePrice(s string) (int64, priceProblem) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, priceEmpty
	}
	if s[0] == '-' {
		if _, p := parsePrice(s[1:]); p == priceOK || p == priceTooHigh || p == priceDecimals {
			return 0, priceNegative
		}
		return 0, priceNotNumeric
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if !hasPoint && strings.Count(s, ",") == 1 {
		w, f, _ := strings.Cut(s, ",")
		if allDigits(w) && allDigits(f) && w != "" && f != "" {
			return 0, priceComma
		}
	}
	if whole == "" || !allDigits(whole) || (hasPoint && (frac == "" || !allDigits(frac))) {
		return 0, priceNotNumeric
	}
	if len(frac) > 2 {
		return 0, priceDecimals
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 7 { // ≥ 10,000,000 euro; also keeps the arithmetic far from overflow
		return 0, priceTooHigh
	}
	var cents int64
	for _, r := range whole {
		cents = cents*10 + int64(r-'0')
	}
	cents *= 100
	switch len(frac) {
	case 1:
		cents += int64(frac[0]-'0') * 10
	case 2:
		cents += int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	if cents > MaxPriceCents {
		return 0, priceTooHigh
	}
	return cents, priceOK
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
