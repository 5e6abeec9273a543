package woocommerce

import (
	"encoding/json"

	"github.com/wujw/ohis/internal/connector"
)

// The connector's own reading of products, variations and amounts, for
// the custom-API conformance report (package conformance), so the report
// judges a payload exactly as the sync will.

// MapProduct maps one product as a listing does: the product, an item
// error, or a Skipped note.
func MapProduct(raw json.RawMessage) connector.ProductItem { return mapProduct(raw).item }

// MapVariant maps one variation of parentID as a listing does (parentID 0:
// taken from parent_id or the "up" link).
func MapVariant(raw json.RawMessage, parentID int64) connector.VariantItem {
	return mapVariant(raw, parentID)
}

// CheckPrice reads a money string as the connector does. It returns the
// amount in cents, whether the string is empty, and otherwise a Dutch
// message about what is wrong with it, naming it as what ("de prijs"); the
// message is empty for a usable amount.
func CheckPrice(what, raw string) (cents int64, empty bool, message string) {
	cents, problem := parsePrice(raw)
	switch problem {
	case priceOK:
		return cents, false, ""
	case priceEmpty:
		return 0, true, ""
	}
	return 0, false, priceMessage(what, raw, problem)
}
