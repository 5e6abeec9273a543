// Package catalog is the normalised catalogue model every connector maps its
// platform's products onto: products (simple or variable) with variants,
// categories, attributes, brands, images, prices in integer cents incl. VAT
// and stock. It knows nothing about storage or HTTP.
package catalog

import "time"

// ProductType is simple or variable. Platforms' other types (grouped,
// external, bundle) are skipped by the connector with a visible note.
type ProductType string

// The product types OHIS sells.
const (
	Simple   ProductType = "simple"
	Variable ProductType = "variable"
)

// StockStatus is the shop's availability of a product or variant.
type StockStatus string

// The stock statuses (WooCommerce's names; other platforms map onto them).
const (
	InStock     StockStatus = "instock"
	OutOfStock  StockStatus = "outofstock"
	OnBackorder StockStatus = "onbackorder"
)

// Backorders says whether the shop sells when out of stock.
type Backorders string

// The backorder settings.
const (
	BackordersNo     Backorders = "no"
	BackordersNotify Backorders = "notify"
	BackordersYes    Backorders = "yes"
)

// ShopStatusPublished is the shop status of a product that is for sale.
const ShopStatusPublished = "publish"

// Price is a consumer price in integer euro cents incl. VAT. Sale is the
// reduced price during [SaleFrom, SaleTo) when set; open ends are unbounded.
type Price struct {
	RegularCents *int64
	SaleCents    *int64
	SaleFrom     *time.Time
	SaleTo       *time.Time
}

// Current is the price at now: the sale price inside its period, else the
// regular price; nil when the shop gives no price.
func (p Price) Current(now time.Time) *int64 {
	if p.SaleCents != nil && (p.SaleFrom == nil || !now.Before(*p.SaleFrom)) && (p.SaleTo == nil || now.Before(*p.SaleTo)) {
		return p.SaleCents
	}
	return p.RegularCents
}

// Stock is what the shop says about availability.
type Stock struct {
	Managed    bool
	Quantity   *int64 // only meaningful when Managed
	Status     StockStatus
	Backorders Backorders
}

// Image is a product or variant image. Position 0 is the main image.
type Image struct {
	ExternalID string `json:"external_id"`
	Src        string `json:"src"`
	Alt        string `json:"alt"`
	Position   int    `json:"position"`
}

// ProductAttribute is an attribute as a product uses it. ExternalID is ""
// for a local (product-specific) attribute, matched by name.
type ProductAttribute struct {
	ExternalID string   `json:"external_id"`
	Name       string   `json:"name"`
	Options    []string `json:"options"`
	Visible    bool     `json:"visible"`
	Variation  bool     `json:"variation"`
}

// VariantOption is one attribute value that defines a variant.
type VariantOption struct {
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Option     string `json:"option"`
}

// Product is one product as the shop has it. Variants are not part of it:
// connectors deliver them separately (see connector.Sink), keyed by the
// parent's ExternalID, so a catalogue streams without holding parents and
// children together in memory.
type Product struct {
	ExternalID       string
	Type             ProductType
	ShopStatus       string // publish, draft, pending, private
	Name             string
	Slug             string
	Permalink        string
	SKU              string
	Description      string // HTML as the shop has it; sanitise before showing
	ShortDescription string
	Price            Price // simple products; variable products carry prices on variants
	Stock            Stock
	CategoryIDs      []string // external ids
	BrandIDs         []string // external ids
	Attributes       []ProductAttribute
	Images           []Image
	ModifiedAt       time.Time // the shop's last modification, UTC
}

// ForSale reports whether the shop publishes the product.
func (p Product) ForSale() bool { return p.ShopStatus == ShopStatusPublished }

// Variant is one purchasable variation of a variable product.
type Variant struct {
	ExternalID       string
	ParentExternalID string
	ShopStatus       string
	SKU              string
	Price            Price
	Stock            Stock
	Options          []VariantOption
	Image            *Image
	Position         int
	ModifiedAt       time.Time
}

// Category is a node of the shop's category tree ("" parent = root).
// Brands have the same shape (WooCommerce brands are a hierarchical
// taxonomy too).
type Category struct {
	ExternalID       string
	ParentExternalID string
	Name             string
	Slug             string
}

// Brand is a shop brand.
type Brand = Category

// Term is one value of a global attribute.
type Term struct {
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Slug       string `json:"slug"`
}

// Attribute is a global attribute with its terms.
type Attribute struct {
	ExternalID string
	Name       string
	Slug       string
	Terms      []Term
}

// Taxonomies is everything besides products a shop classifies them with.
// BrandsSupported is false for a shop without a brands taxonomy, which is
// not an error.
type Taxonomies struct {
	Categories      []Category
	Brands          []Brand
	BrandsSupported bool
	Attributes      []Attribute
}
