package demoshop

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const wpTime = "2006-01-02T15:04:05"

func localTime(t time.Time) string { return t.In(amsterdam).Format(wpTime) }
func gmtTime(t time.Time) string   { return t.UTC().Format(wpTime) }

func optLocal(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := localTime(*t)
	return &s
}

func optGMT(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := gmtTime(*t)
	return &s
}

// money formats cents as WooCommerce does with 2 decimals: "9.00".
func money(c int64) string {
	neg := ""
	if c < 0 {
		neg, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", neg, c/100, c%100)
}

func priceHTML(c int64) string {
	e := c / 100
	es := strconv.FormatInt(e, 10)
	if e >= 1000 {
		es = strconv.FormatInt(e/1000, 10) + "." + fmt.Sprintf("%03d", e%1000)
	}
	return `<span class="woocommerce-Price-amount amount"><bdi><span class="woocommerce-Price-currencySymbol">&euro;</span>&nbsp;` +
		es + "," + fmt.Sprintf("%02d", c%100) + `</bdi></span>`
}

type href struct {
	Href string `json:"href"`
}

type linksJSON struct {
	Self       []href `json:"self"`
	Collection []href `json:"collection"`
	Up         []href `json:"up,omitempty"`
}

type termRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type imageJSON struct {
	ID              int64  `json:"id"`
	DateCreated     string `json:"date_created"`
	DateCreatedGMT  string `json:"date_created_gmt"`
	DateModified    string `json:"date_modified"`
	DateModifiedGMT string `json:"date_modified_gmt"`
	Src             string `json:"src"`
	Name            string `json:"name"`
	Alt             string `json:"alt"`
}

type dimensions struct {
	Length string `json:"length"`
	Width  string `json:"width"`
	Height string `json:"height"`
}

type prodAttrJSON struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Position  int      `json:"position"`
	Visible   bool     `json:"visible"`
	Variation bool     `json:"variation"`
	Options   []string `json:"options"`
}

type varAttrJSON struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Option string `json:"option"`
}

type productJSON struct {
	ID                int64         `json:"id"`
	Name              string        `json:"name"`
	Slug              string        `json:"slug"`
	Permalink         string        `json:"permalink"`
	DateCreated       string        `json:"date_created"`
	DateCreatedGMT    string        `json:"date_created_gmt"`
	DateModified      string        `json:"date_modified"`
	DateModifiedGMT   string        `json:"date_modified_gmt"`
	Type              string        `json:"type"`
	Status            string        `json:"status"`
	Featured          bool          `json:"featured"`
	CatalogVisibility string        `json:"catalog_visibility"`
	Description       string        `json:"description"`
	ShortDescription  string        `json:"short_description"`
	SKU               string        `json:"sku"`
	Price             any           `json:"price"`
	RegularPrice      any           `json:"regular_price"`
	SalePrice         any           `json:"sale_price"`
	DateOnSaleFrom    *string       `json:"date_on_sale_from"`
	DateOnSaleFromGMT *string       `json:"date_on_sale_from_gmt"`
	DateOnSaleTo      *string       `json:"date_on_sale_to"`
	DateOnSaleToGMT   *string       `json:"date_on_sale_to_gmt"`
	PriceHTML         string        `json:"price_html"`
	OnSale            bool          `json:"on_sale"`
	Purchasable       bool          `json:"purchasable"`
	TotalSales        int           `json:"total_sales"`
	Virtual           bool          `json:"virtual"`
	Downloadable      bool          `json:"downloadable"`
	Downloads         []any         `json:"downloads"`
	DownloadLimit     int           `json:"download_limit"`
	DownloadExpiry    int           `json:"download_expiry"`
	ExternalURL       string        `json:"external_url"`
	ButtonText        string        `json:"button_text"`
	TaxStatus         string        `json:"tax_status"`
	TaxClass          string        `json:"tax_class"`
	ManageStock       bool          `json:"manage_stock"`
	StockQuantity     *int64        `json:"stock_quantity"`
	StockStatus       string        `json:"stock_status"`
	Backorders        string        `json:"backorders"`
	BackordersAllowed bool          `json:"backorders_allowed"`
	Backordered       bool          `json:"backordered"`
	SoldIndividually  bool          `json:"sold_individually"`
	Weight            string        `json:"weight"`
	Dimensions        dimensions    `json:"dimensions"`
	ShippingRequired  bool          `json:"shipping_required"`
	ShippingTaxable   bool          `json:"shipping_taxable"`
	ShippingClass     string        `json:"shipping_class"`
	ShippingClassID   int           `json:"shipping_class_id"`
	ReviewsAllowed    bool          `json:"reviews_allowed"`
	AverageRating     string        `json:"average_rating"`
	RatingCount       int           `json:"rating_count"`
	RelatedIDs        []int64       `json:"related_ids"`
	UpsellIDs         []int64       `json:"upsell_ids"`
	CrossSellIDs      []int64       `json:"cross_sell_ids"`
	ParentID          int64         `json:"parent_id"`
	PurchaseNote      string        `json:"purchase_note"`
	Categories        []termRef     `json:"categories"`
	Brands            *[]termRef    `json:"brands,omitempty"`
	Tags              []any         `json:"tags"`
	Images            []imageJSON   `json:"images"`
	Attributes        any           `json:"attributes"`
	DefaultAttributes []varAttrJSON `json:"default_attributes"`
	Variations        []int64       `json:"variations"`
	GroupedProducts   []int64       `json:"grouped_products"`
	MenuOrder         int           `json:"menu_order"`
	MetaData          []any         `json:"meta_data"`
	Links             linksJSON     `json:"_links"`
}

type variationJSON struct {
	ID                int64         `json:"id"`
	ParentID          int64         `json:"parent_id,omitempty"` // store-wide /variations only
	DateCreated       string        `json:"date_created"`
	DateCreatedGMT    string        `json:"date_created_gmt"`
	DateModified      string        `json:"date_modified"`
	DateModifiedGMT   string        `json:"date_modified_gmt"`
	Description       string        `json:"description"`
	Permalink         string        `json:"permalink"`
	SKU               string        `json:"sku"`
	Price             any           `json:"price"`
	RegularPrice      any           `json:"regular_price"`
	SalePrice         any           `json:"sale_price"`
	DateOnSaleFrom    *string       `json:"date_on_sale_from"`
	DateOnSaleFromGMT *string       `json:"date_on_sale_from_gmt"`
	DateOnSaleTo      *string       `json:"date_on_sale_to"`
	DateOnSaleToGMT   *string       `json:"date_on_sale_to_gmt"`
	OnSale            bool          `json:"on_sale"`
	Status            string        `json:"status"`
	Purchasable       bool          `json:"purchasable"`
	Virtual           bool          `json:"virtual"`
	Downloadable      bool          `json:"downloadable"`
	Downloads         []any         `json:"downloads"`
	DownloadLimit     int           `json:"download_limit"`
	DownloadExpiry    int           `json:"download_expiry"`
	TaxStatus         string        `json:"tax_status"`
	TaxClass          string        `json:"tax_class"`
	ManageStock       bool          `json:"manage_stock"`
	StockQuantity     *int64        `json:"stock_quantity"`
	StockStatus       string        `json:"stock_status"`
	Backorders        string        `json:"backorders"`
	BackordersAllowed bool          `json:"backorders_allowed"`
	Backordered       bool          `json:"backordered"`
	Weight            string        `json:"weight"`
	Dimensions        dimensions    `json:"dimensions"`
	ShippingClass     string        `json:"shipping_class"`
	ShippingClassID   int           `json:"shipping_class_id"`
	Image             *imageJSON    `json:"image"`
	Attributes        []varAttrJSON `json:"attributes"`
	MenuOrder         int           `json:"menu_order"`
	MetaData          []any         `json:"meta_data"`
	Links             linksJSON     `json:"_links"`
}

// pricing is the derived price state of a priced item at time now.
type pricing struct {
	price, regular, sale any
	onSale               bool
	html                 string
	purchasable          bool
}

func (s *Shop) pricingOf(it *item, now time.Time) pricing {
	if !it.HasRegular {
		return pricing{price: "", regular: "", sale: ""}
	}
	p := pricing{regular: money(it.RegularCents), sale: "", purchasable: it.Status == "publish" || it.Status == "private"}
	cur := it.RegularCents
	if it.SaleCents != nil {
		p.sale = money(*it.SaleCents)
		active := (it.SaleFrom == nil || !now.Before(*it.SaleFrom)) && (it.SaleTo == nil || !now.After(*it.SaleTo))
		if active {
			p.onSale = true
			cur = *it.SaleCents
		}
	}
	p.price = money(cur)
	if p.onSale {
		p.html = "<del aria-hidden=\"true\">" + priceHTML(it.RegularCents) + "</del> <ins>" + priceHTML(cur) + "</ins>"
	} else {
		p.html = priceHTML(cur)
	}
	return p
}

func (s *Shop) imageJSON(base string, im image) imageJSON {
	return imageJSON{
		ID:              im.ID,
		DateCreated:     localTime(im.Created),
		DateCreatedGMT:  gmtTime(im.Created),
		DateModified:    localTime(im.Created),
		DateModifiedGMT: gmtTime(im.Created),
		Src:             base + "/wp-content/uploads/" + im.File,
		Name:            strings.TrimSuffix(im.File[strings.LastIndexByte(im.File, '/')+1:], ".png"),
		Alt:             "",
	}
}

func terms(list []category, ids []int64) []termRef {
	out := make([]termRef, 0, len(ids))
	for _, id := range ids {
		if c := categoryByID(list, id); c != nil {
			out = append(out, termRef{c.ID, c.Name, c.Slug})
		}
	}
	return out
}

func (s *Shop) stockFields(it *item) (backordersAllowed, backordered bool) {
	backordersAllowed = it.Backorders != "no"
	backordered = it.ManageStock && it.StockQty != nil && *it.StockQty <= 0 && backordersAllowed
	return
}

// renderProduct renders a product (or a variation through the products
// endpoint: type "variation", parent_id set). Callers hold s.mu (read).
func (s *Shop) renderProduct(it *item, base string, now time.Time) *productJSON {
	p := &productJSON{
		ID: it.ID, Name: it.Name, Slug: it.Slug,
		Permalink:       base + "/product/" + it.Slug + "/",
		DateCreated:     localTime(it.Created),
		DateCreatedGMT:  gmtTime(it.Created),
		DateModified:    localTime(it.Modified),
		DateModifiedGMT: gmtTime(it.Modified),
		Type:            it.Type, Status: it.Status, Featured: it.Featured,
		CatalogVisibility: "visible",
		Description:       it.Description, ShortDescription: it.Short,
		SKU:       it.SKU,
		Downloads: []any{}, DownloadLimit: -1, DownloadExpiry: -1,
		ExternalURL: it.ExternalURL, ButtonText: it.ButtonText,
		TaxStatus: "taxable", ManageStock: it.ManageStock, StockQuantity: it.StockQty,
		StockStatus: it.StockStatus, Backorders: it.Backorders,
		Weight:           it.Weight,
		ShippingRequired: true, ShippingTaxable: true,
		ReviewsAllowed: true, AverageRating: "0.00",
		RelatedIDs: []int64{}, UpsellIDs: []int64{}, CrossSellIDs: []int64{},
		ParentID:          it.ParentID,
		Categories:        terms(categories, it.Categories),
		Tags:              []any{},
		Images:            make([]imageJSON, 0, len(it.Images)),
		DefaultAttributes: make([]varAttrJSON, 0, len(it.Defaults)),
		Variations:        []int64{},
		GroupedProducts:   []int64{},
		MetaData:          []any{},
		TotalSales:        it.TotalSales,
	}
	if it.Type == TypeVariation {
		p.Permalink = base + "/product/" + it.Slug + "/"
		if par := s.get(it.ParentID); par != nil {
			p.Permalink = base + "/product/" + par.Slug + "/?" + variationQuery(it.VarAttrs)
		}
	}
	if it.Status == "trash" {
		p.Permalink = base + "/?post_type=product&p=" + strconv.FormatInt(it.ID, 10)
	}
	p.BackordersAllowed, p.Backordered = s.stockFields(it)
	if s.opts.Brands {
		b := terms(brands, it.Brands)
		p.Brands = &b
	}
	for _, im := range it.Images {
		p.Images = append(p.Images, s.imageJSON(base, im))
	}
	for _, d := range it.Defaults {
		p.DefaultAttributes = append(p.DefaultAttributes, varAttrJSON{d.ID, d.Name, d.Option})
	}
	if it.Type == TypeVariation {
		va := make([]varAttrJSON, 0, len(it.VarAttrs))
		for _, a := range it.VarAttrs {
			va = append(va, varAttrJSON{a.ID, a.Name, a.Option})
		}
		p.Attributes = va
	} else {
		pa := make([]prodAttrJSON, 0, len(it.Attributes))
		for i, a := range it.Attributes {
			opts := append([]string{}, a.Options...)
			pa = append(pa, prodAttrJSON{a.ID, a.Name, i, a.Visible, a.Variation, opts})
		}
		p.Attributes = pa
	}
	if it.Variations != nil {
		p.Variations = append(p.Variations, it.Variations...)
	}
	if it.Grouped != nil {
		p.GroupedProducts = append(p.GroupedProducts, it.Grouped...)
	}
	switch it.Type {
	case TypeVariable:
		s.variableParentPrice(it, p, now)
	case TypeGrouped:
		p.Price, p.RegularPrice, p.SalePrice = "", "", ""
		p.Purchasable = false
		p.ShippingRequired = false
	default:
		pr := s.pricingOf(it, now)
		p.Price, p.RegularPrice, p.SalePrice = pr.price, pr.regular, pr.sale
		p.OnSale, p.PriceHTML, p.Purchasable = pr.onSale, pr.html, pr.purchasable
		p.DateOnSaleFrom, p.DateOnSaleFromGMT = optLocal(it.SaleFrom), optGMT(it.SaleFrom)
		p.DateOnSaleTo, p.DateOnSaleToGMT = optLocal(it.SaleTo), optGMT(it.SaleTo)
		if it.Type == TypeExternal {
			p.Purchasable = false
		}
	}
	p.Links = linksJSON{
		Self:       []href{{base + "/wp-json/wc/v3/products/" + strconv.FormatInt(it.ID, 10)}},
		Collection: []href{{base + "/wp-json/wc/v3/products"}},
	}
	if it.ParentID != 0 { // like WC_REST_Products_Controller::prepare_links
		p.Links.Up = []href{{base + "/wp-json/wc/v3/products/" + strconv.FormatInt(it.ParentID, 10)}}
	}
	return p
}

// variableParentPrice derives a variable product's price from its
// variations like WooCommerce (price = lowest active price, regular/sale
// empty) and its stock status (instock if any variation is).
func (s *Shop) variableParentPrice(it *item, p *productJSON, now time.Time) {
	p.Price, p.RegularPrice, p.SalePrice = "", "", ""
	var lo, hi int64 = -1, -1
	anyIn, anyBack := false, false
	for _, vid := range it.Variations {
		v := s.get(vid)
		if v == nil || v.Status != "publish" {
			continue
		}
		pr := s.pricingOf(v, now)
		if ps, ok := pr.price.(string); ok && ps != "" {
			c := v.RegularCents
			if pr.onSale {
				c = *v.SaleCents
			}
			if lo < 0 || c < lo {
				lo = c
			}
			if c > hi {
				hi = c
			}
			if pr.onSale {
				p.OnSale = true
			}
		}
		switch v.StockStatus {
		case "instock":
			anyIn = true
		case "onbackorder":
			anyBack = true
		}
	}
	if lo >= 0 {
		p.Price = money(lo)
		p.Purchasable = it.Status == "publish" || it.Status == "private"
		if lo == hi {
			p.PriceHTML = priceHTML(lo)
		} else {
			p.PriceHTML = priceHTML(lo) + " &ndash; " + priceHTML(hi)
		}
	}
	switch {
	case anyIn:
		p.StockStatus = "instock"
	case anyBack:
		p.StockStatus = "onbackorder"
	case len(it.Variations) > 0:
		p.StockStatus = "outofstock"
	}
}

func variationQuery(attrs []varAttr) string {
	parts := make([]string, 0, len(attrs))
	for _, a := range attrs {
		key := "attribute_" + slugify(a.Name)
		if a.ID != 0 {
			if g := globalAttrByID(a.ID); g != nil {
				key = "attribute_" + g.Slug
			}
		}
		parts = append(parts, key+"="+slugify(a.Option))
	}
	return strings.Join(parts, "&")
}

// renderVariation renders a variation as the variations endpoints do.
func (s *Shop) renderVariation(it *item, base string, now time.Time, withParent bool) *variationJSON {
	pr := s.pricingOf(it, now)
	v := &variationJSON{
		ID:              it.ID,
		DateCreated:     localTime(it.Created),
		DateCreatedGMT:  gmtTime(it.Created),
		DateModified:    localTime(it.Modified),
		DateModifiedGMT: gmtTime(it.Modified),
		Description:     it.Description,
		SKU:             it.SKU,
		Price:           pr.price, RegularPrice: pr.regular, SalePrice: pr.sale,
		DateOnSaleFrom: optLocal(it.SaleFrom), DateOnSaleFromGMT: optGMT(it.SaleFrom),
		DateOnSaleTo: optLocal(it.SaleTo), DateOnSaleToGMT: optGMT(it.SaleTo),
		OnSale: pr.onSale, Status: it.Status, Purchasable: pr.purchasable,
		Downloads: []any{}, DownloadLimit: -1, DownloadExpiry: -1,
		TaxStatus: "taxable", TaxClass: "",
		ManageStock: it.ManageStock, StockQuantity: it.StockQty, StockStatus: it.StockStatus,
		Backorders: it.Backorders,
		Weight:     it.Weight,
		Attributes: make([]varAttrJSON, 0, len(it.VarAttrs)),
		MetaData:   []any{},
	}
	if withParent {
		v.ParentID = it.ParentID
	}
	v.BackordersAllowed, v.Backordered = s.stockFields(it)
	parentSlug := ""
	if par := s.get(it.ParentID); par != nil {
		parentSlug = par.Slug
	}
	v.Permalink = base + "/product/" + parentSlug + "/?" + variationQuery(it.VarAttrs)
	if len(it.Images) > 0 {
		im := s.imageJSON(base, it.Images[0])
		v.Image = &im
	}
	for _, a := range it.VarAttrs {
		v.Attributes = append(v.Attributes, varAttrJSON{a.ID, a.Name, a.Option})
	}
	pid := strconv.FormatInt(it.ParentID, 10)
	v.Links = linksJSON{
		Self:       []href{{base + "/wp-json/wc/v3/products/" + pid + "/variations/" + strconv.FormatInt(it.ID, 10)}},
		Collection: []href{{base + "/wp-json/wc/v3/products/" + pid + "/variations"}},
		Up:         []href{{base + "/wp-json/wc/v3/products/" + pid}},
	}
	return v
}

// applyMalformed corrupts a rendered payload for Faults.Malformed and
// returns its JSON.
func applyMalformed(kind string, v any) (json.RawMessage, error) {
	switch p := v.(type) {
	case *productJSON:
		switch kind {
		case "price_type":
			p.RegularPrice = json.Number("12.5")
		case "negative_stock":
			q := int64(-3)
			p.ManageStock, p.StockQuantity, p.Backorders, p.StockStatus = true, &q, "no", "outofstock"
			p.BackordersAllowed, p.Backordered = false, false
		case "missing_price":
			p.RegularPrice, p.Price, p.SalePrice = "", "", ""
		case "absurd_price":
			p.RegularPrice, p.Price, p.SalePrice = "99999999.00", "99999999.00", ""
		case "no_name":
			p.Name = ""
		}
	case *variationJSON:
		switch kind {
		case "price_type":
			p.RegularPrice = json.Number("12.5")
		case "negative_stock":
			q := int64(-3)
			p.ManageStock, p.StockQuantity, p.Backorders, p.StockStatus = true, &q, "no", "outofstock"
			p.BackordersAllowed, p.Backordered = false, false
		case "missing_price":
			p.RegularPrice, p.Price, p.SalePrice = "", "", ""
		case "absurd_price":
			p.RegularPrice, p.Price, p.SalePrice = "99999999.00", "99999999.00", ""
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if kind == "bad_json" {
		return json.Marshal(string(b))
	}
	return b, nil
}
