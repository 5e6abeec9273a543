package woocommerce

// The connector's own reading of amounts, for the custom-API conformance
// report (package conformance), so the report judges a price exactly as
// the sync will. (The report reads products and variations through
// ListCatalog itself.)

// Problems CheckPrice reports.
const (
	PriceEmpty      = "empty"
	PriceComma      = "comma"       // "12,50"
	PriceDecimals   = "decimals"    // more than two digits after the point
	PriceNegative   = "negative"    // "-1.00"
	PriceNotNumeric = "not_numeric" // "€ 12", "1.234,56"
	PriceTooHigh    = "too_high"    // above MaxPriceCents
)

// CheckPrice reads a money string exactly as the connector does: the
// amount in cents, or what is wrong with it ("" when it is usable).
func CheckPrice(raw string) (cents int64, problem string) {
	cents, p := parsePrice(raw)
	switch p {
	case priceOK:
		return cents, ""
	case priceEmpty:
		return 0, PriceEmpty
	case priceComma:
		return 0, PriceComma
	case priceDecimals:
		return 0, PriceDecimals
	case priceNegative:
		return 0, PriceNegative
	case priceTooHigh:
		return 0, PriceTooHigh
	}
	return 0, PriceNotNumeric
}
