package woocommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/catalog"
	"github.com/wujw/ohis/internal/connector"
)

// wcTerm is a category or brand reference on a product.
type wcTerm struct {
	ID int64 `json:"id"`
}

// wcAttribute is a product attribute (options) or a variation's choice
// (option).
type wcAttribute struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Visible   bool     `json:"visible"`
	Variation bool     `json:"variation"`
	Options   []string `json:"options"`
	Option    string   `json:"option"`
}

type wcImage struct {
	ID  int64  `json:"id"`
	Src string `json:"src"`
	Alt string `json:"alt"`
}

type wcLink struct {
	Href string `json:"href"`
}

// wcItem is a product or variation as the REST API returns it. Money is
// strings; stock_quantity and manage_stock are checked by hand because
// their JSON types vary (manage_stock of a variation may be "parent").
type wcItem struct {
	ID               int64           `json:"id"`
	ParentID         int64           `json:"parent_id"`
	Name             string          `json:"name"`
	Slug             string          `json:"slug"`
	Permalink        string          `json:"permalink"`
	Type             string          `json:"type"`
	Status           string          `json:"status"`
	Description      string          `json:"description"`
	ShortDescription string          `json:"short_description"`
	SKU              string          `json:"sku"`
	RegularPrice     string          `json:"regular_price"`
	SalePrice        string          `json:"sale_price"`
	SaleFromGMT      *string         `json:"date_on_sale_from_gmt"`
	SaleFrom         *string         `json:"date_on_sale_from"`
	SaleToGMT        *string         `json:"date_on_sale_to_gmt"`
	SaleTo           *string         `json:"date_on_sale_to"`
	ModifiedGMT      *string         `json:"date_modified_gmt"`
	Modified         *string         `json:"date_modified"`
	ManageStock      json.RawMessage `json:"manage_stock"`
	StockQuantity    json.RawMessage `json:"stock_quantity"`
	StockStatus      string          `json:"stock_status"`
	Backorders       string          `json:"backorders"`
	Categories       []wcTerm        `json:"categories"`
	Brands           []wcTerm        `json:"brands"`
	Attributes       []wcAttribute   `json:"attributes"`
	Images           []wcImage       `json:"images"`
	Image            *wcImage        `json:"image"`
	Variations       json.RawMessage `json:"variations"`
	MenuOrder        int             `json:"menu_order"`
	Links            struct {
		Up []wcLink `json:"up"`
	} `json:"_links"`
}

// mappedProduct is a product item plus what the listing needs to know to
// fetch its variations.
type mappedProduct struct {
	item     connector.ProductItem
	id       int64
	variable bool // a usable variable product
	// variationCount is the length of the product's "variations" array, -1
	// when the shop did not send one.
	variationCount int
}

// mapProduct maps one listed product. It never fails: problems become an
// ItemError or a Skipped note.
func mapProduct(raw json.RawMessage) mappedProduct {
	out := mappedProduct{variationCount: -1}
	var w wcItem
	label := "Een product"
	if msg, detail := decodeItem(raw, &w); msg != "" {
		if w.ID > 0 {
			label = productLabel(w.ID, w.Name)
		}
		out.item.Err = &connector.ItemError{
			ExternalID: idString(w.ID), Name: cleanText(w.Name), Code: connector.ItemMalformed,
			Message: label + ": " + msg, Detail: detail,
		}
		return out
	}
	out.id = w.ID
	label = productLabel(w.ID, w.Name)
	itemErr := func(code, msg, detail string) mappedProduct {
		out.item.Err = &connector.ItemError{ExternalID: idString(w.ID), Name: cleanText(w.Name), Code: code, Message: label + ": " + msg, Detail: detail}
		return out
	}
	if w.ID <= 0 {
		return itemErr(connector.ItemMalformed, "het product heeft geen geldig id. Elk product moet een vast, numeriek id hebben.", "id="+strconv.FormatInt(w.ID, 10))
	}
	p := catalog.Product{
		ExternalID:       idString(w.ID),
		Type:             catalog.ProductType(w.Type),
		ShopStatus:       w.Status,
		Name:             cleanText(w.Name),
		Slug:             w.Slug,
		Permalink:        w.Permalink,
		SKU:              w.SKU,
		Description:      w.Description,
		ShortDescription: w.ShortDescription,
	}
	switch w.Type {
	case "simple", "variable":
	case "grouped", "external":
		p.ModifiedAt, _, _ = itemTime(w.ModifiedGMT, w.Modified)
		out.item.Product = p
		kind := "een gegroepeerd product"
		if w.Type == "external" {
			kind = "een extern product (verkocht via een andere website)"
		}
		out.item.Skipped = fmt.Sprintf("%s is %s; zo'n product wordt niet via het platform verkocht en is overgeslagen.", label, kind)
		return out
	case "":
		return itemErr(connector.ItemMalformed, "het veld type ontbreekt. Geef bij elk product het type op: simple of variable.", `type=""`)
	default:
		return itemErr(connector.ItemUnsupported, fmt.Sprintf("het producttype %q wordt door het platform niet ondersteund; alleen enkelvoudige (simple) en variabele (variable) producten kunnen worden aangeboden. Het product is overgeslagen.", w.Type), "type="+strconv.Quote(w.Type))
	}
	if p.Name == "" {
		return itemErr(connector.ItemNoName, "het product heeft geen naam. Geef het product in de webshop een naam.", `name=""`)
	}
	if w.Type == "simple" {
		price, code, msg, detail := mapPrice(w)
		if code != "" {
			return itemErr(code, msg, detail)
		}
		p.Price = price
	}
	stock, code, msg, detail := mapStock(w)
	if code != "" {
		return itemErr(code, msg, detail)
	}
	p.Stock = stock
	modified, field, ok := itemTime(w.ModifiedGMT, w.Modified)
	if !ok {
		return itemErr(connector.ItemMalformed, dateMessage(field), field+"="+quotePtr(w.ModifiedGMT, w.Modified, field))
	}
	p.ModifiedAt = modified
	if p.Price.SaleCents != nil {
		if p.Price, code, msg, detail = mapSaleDates(w, p.Price); code != "" {
			return itemErr(code, msg, detail)
		}
	}
	for _, t := range w.Categories {
		if t.ID > 0 {
			p.CategoryIDs = append(p.CategoryIDs, idString(t.ID))
		}
	}
	for _, t := range w.Brands {
		if t.ID > 0 {
			p.BrandIDs = append(p.BrandIDs, idString(t.ID))
		}
	}
	for _, a := range w.Attributes {
		opts := make([]string, len(a.Options))
		for i, o := range a.Options {
			opts[i] = cleanText(o)
		}
		p.Attributes = append(p.Attributes, catalog.ProductAttribute{
			ExternalID: idString(a.ID), Name: cleanText(a.Name), Options: opts, Visible: a.Visible, Variation: a.Variation,
		})
	}
	for i, im := range w.Images {
		p.Images = append(p.Images, catalog.Image{ExternalID: idString(im.ID), Src: im.Src, Alt: im.Alt, Position: i})
	}
	out.item.Product = p
	if w.Type == "variable" {
		out.variable = true
		out.variationCount = arrayLen(w.Variations)
	}
	return out
}

// mapVariant maps one variation. parentID is the product whose variations
// were listed (0 for the store-wide listing and webhooks: then parent_id,
// or the "up" link, names the parent).
func mapVariant(raw json.RawMessage, parentID int64) connector.VariantItem {
	var out connector.VariantItem
	var w wcItem
	msg, detail := decodeItem(raw, &w)
	if parentID == 0 {
		parentID = w.ParentID
		if parentID <= 0 {
			parentID = parentFromLinks(w.Links.Up)
		}
	}
	label := variantLabel(w.ID, parentID, w.Attributes)
	itemErr := func(code, msg, detail string) connector.VariantItem {
		out.Err = &connector.ItemError{ExternalID: idString(w.ID), Name: label, Code: code, Message: label + ": " + msg, Detail: detail}
		return out
	}
	if msg != "" {
		if w.ID <= 0 {
			label = "Een variatie"
		}
		return itemErr(connector.ItemMalformed, msg, detail)
	}
	if w.ID <= 0 {
		return itemErr(connector.ItemMalformed, "de variatie heeft geen geldig id. Elke variatie moet een vast, numeriek id hebben.", "id="+strconv.FormatInt(w.ID, 10))
	}
	if parentID <= 0 {
		return itemErr(connector.ItemMalformed, "de variatie noemt haar hoofdproduct niet. Geef in parent_id het id van het variabele product.", "parent_id missing")
	}
	v := catalog.Variant{
		ExternalID:       idString(w.ID),
		ParentExternalID: idString(parentID),
		ShopStatus:       w.Status,
		SKU:              w.SKU,
		Position:         w.MenuOrder,
	}
	price, code, msg, detail := mapPrice(w)
	if code != "" {
		return itemErr(code, msg, detail)
	}
	stock, code, msg, detail := mapStock(w)
	if code != "" {
		return itemErr(code, msg, detail)
	}
	v.Stock = stock
	modified, field, ok := itemTime(w.ModifiedGMT, w.Modified)
	if !ok {
		return itemErr(connector.ItemMalformed, dateMessage(field), field+"="+quotePtr(w.ModifiedGMT, w.Modified, field))
	}
	v.ModifiedAt = modified
	if price.SaleCents != nil {
		if price, code, msg, detail = mapSaleDates(w, price); code != "" {
			return itemErr(code, msg, detail)
		}
	}
	v.Price = price
	for _, a := range w.Attributes {
		v.Options = append(v.Options, catalog.VariantOption{ExternalID: idString(a.ID), Name: cleanText(a.Name), Option: cleanText(a.Option)})
	}
	switch {
	case w.Image != nil && (w.Image.Src != "" || w.Image.ID > 0):
		v.Image = &catalog.Image{ExternalID: idString(w.Image.ID), Src: w.Image.Src, Alt: w.Image.Alt}
	case len(w.Images) > 0: // a variation as GET /products/{id} shows it (webhooks)
		im := w.Images[0]
		v.Image = &catalog.Image{ExternalID: idString(im.ID), Src: im.Src, Alt: im.Alt}
	}
	out.Variant = v
	return out
}

// decodeItem decodes one listed object into w. A problem comes back as a
// Dutch message (without the item's label) and technical detail; w holds
// whatever could be decoded, so the message can name the item.
func decodeItem(raw json.RawMessage, w *wcItem) (string, string) {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || b[0] != '{' {
		return "dit is geen JSON-object. Elk element van de lijst moet een object met de velden van een product zijn.", "item: " + snippet(b, 200)
	}
	err := json.Unmarshal(b, w)
	if err == nil {
		return "", ""
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "(onbekend)"
		}
		value := rawField(b, field)
		kind := jsonTypeDutch(te.Value)
		if te.Value == "number" && value != "" {
			kind = "een getal (" + value + ")"
		}
		msg := fmt.Sprintf("het veld %s is %s, maar moet %s zijn", field, kind, goTypeDutch(te.Type))
		switch field {
		case "regular_price", "sale_price", "price":
			msg += ", bijvoorbeeld \"12.50\". Bedragen zijn tekst in euro's inclusief btw, met een punt als decimaalteken"
		}
		detail := fmt.Sprintf("field %s: JSON %s where %s expected", field, te.Value, te.Type)
		if value != "" {
			detail += ": " + field + "=" + value
		}
		return msg + ". Pas de API of plugin aan die dit veld vult.", detail
	}
	return "het object kon niet worden gelezen.", err.Error()
}

// rawField is the JSON text of a top-level field of obj, shortened; "" for
// nested fields.
func rawField(obj []byte, field string) string {
	if strings.Contains(field, ".") {
		return ""
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(obj, &m) != nil {
		return ""
	}
	return snippet(m[field], 60)
}

func jsonTypeDutch(v string) string {
	switch {
	case v == "number" || strings.HasPrefix(v, "number "):
		return "een getal (" + strings.TrimPrefix(v, "number ") + ")"
	case v == "string":
		return "een tekst"
	case v == "bool":
		return "true/false"
	case v == "array":
		return "een lijst"
	case v == "object":
		return "een object"
	}
	return v
}

func goTypeDutch(t reflect.Type) string {
	if t == nil {
		return "een ander type"
	}
	switch t.Kind() {
	case reflect.String:
		return "een tekst"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "een geheel getal"
	case reflect.Bool:
		return "true of false"
	case reflect.Slice:
		return "een lijst"
	case reflect.Struct, reflect.Map:
		return "een object"
	case reflect.Pointer:
		return goTypeDutch(t.Elem()) + " (of null)"
	}
	return t.String()
}

// mapPrice reads regular_price and sale_price.
func mapPrice(w wcItem) (catalog.Price, string, string, string) {
	var price catalog.Price
	regular, problem := parsePrice(w.RegularPrice)
	if problem == priceEmpty {
		return price, connector.ItemNoPrice, "er is geen normale prijs (regular_price). Vul in de webshop een prijs in; zonder prijs kan het niet op het platform worden aangeboden.", `regular_price=""`
	}
	if problem != priceOK {
		return price, connector.ItemBadPrice, priceMessage("de prijs", w.RegularPrice, problem), "regular_price=" + strconv.Quote(w.RegularPrice)
	}
	price.RegularCents = &regular
	if strings.TrimSpace(w.SalePrice) != "" {
		sale, problem := parsePrice(w.SalePrice)
		if problem != priceOK {
			return price, connector.ItemBadPrice, priceMessage("de actieprijs", w.SalePrice, problem), "sale_price=" + strconv.Quote(w.SalePrice)
		}
		price.SaleCents = &sale
	}
	return price, "", "", ""
}

func priceMessage(what, raw string, p priceProblem) string {
	q := strconv.Quote(raw)
	switch p {
	case priceComma:
		return fmt.Sprintf("%s %s is geen geldig bedrag; gebruik een punt als decimaalteken, bijvoorbeeld %q.", what, q, strings.Replace(strings.TrimSpace(raw), ",", ".", 1))
	case priceDecimals:
		return fmt.Sprintf("%s %s heeft meer dan twee cijfers achter de punt; geef bedragen in hele centen, bijvoorbeeld \"12.50\".", what, q)
	case priceNegative:
		return fmt.Sprintf("%s %s is negatief. Vul in de webshop een geldige prijs in.", what, q)
	case priceTooHigh:
		return fmt.Sprintf("%s %s is hoger dan € 1.000.000,00; dat is vermoedelijk een typefout. Controleer de prijs in de webshop.", what, q)
	}
	return fmt.Sprintf("%s %s is geen geldig bedrag; gebruik alleen cijfers en een punt, zonder valutateken of scheidingsteken voor duizendtallen, bijvoorbeeld \"12.50\".", what, q)
}

// mapSaleDates adds the sale period (GMT fields preferred).
func mapSaleDates(w wcItem, price catalog.Price) (catalog.Price, string, string, string) {
	from, field, ok := optionalTime(w.SaleFromGMT, w.SaleFrom, "date_on_sale_from")
	if !ok {
		return price, connector.ItemMalformed, dateMessage(field), field + "=" + quotePtr(w.SaleFromGMT, w.SaleFrom, field)
	}
	to, field, ok := optionalTime(w.SaleToGMT, w.SaleTo, "date_on_sale_to")
	if !ok {
		return price, connector.ItemMalformed, dateMessage(field), field + "=" + quotePtr(w.SaleToGMT, w.SaleTo, field)
	}
	price.SaleFrom, price.SaleTo = from, to
	return price, "", "", ""
}

// mapStock reads manage_stock, stock_quantity, stock_status and backorders.
func mapStock(w wcItem) (catalog.Stock, string, string, string) {
	var s catalog.Stock
	switch ms := string(bytes.TrimSpace(w.ManageStock)); ms {
	case "", "null", "false":
	case "true", `"parent"`: // "parent": a variation whose parent manages the stock
		s.Managed = true
	default:
		return s, connector.ItemMalformed, "het veld manage_stock moet true of false zijn.", "manage_stock=" + snippet(w.ManageStock, 50)
	}
	switch w.StockStatus {
	case "", string(catalog.InStock):
		s.Status = catalog.InStock
	case string(catalog.OutOfStock), string(catalog.OnBackorder):
		s.Status = catalog.StockStatus(w.StockStatus)
	default:
		return s, connector.ItemMalformed, fmt.Sprintf("de voorraadstatus %q is onbekend; gebruik instock, outofstock of onbackorder.", w.StockStatus), "stock_status=" + strconv.Quote(w.StockStatus)
	}
	switch w.Backorders {
	case "", string(catalog.BackordersNo):
		s.Backorders = catalog.BackordersNo
	case string(catalog.BackordersNotify), string(catalog.BackordersYes):
		s.Backorders = catalog.Backorders(w.Backorders)
	default:
		return s, connector.ItemMalformed, fmt.Sprintf("de instelling voor nabestellen %q is onbekend; gebruik no, notify of yes.", w.Backorders), "backorders=" + strconv.Quote(w.Backorders)
	}
	q := bytes.TrimSpace(w.StockQuantity)
	if len(q) == 0 || string(q) == "null" {
		return s, "", "", ""
	}
	if q[0] == '"' {
		return s, connector.ItemMalformed, "het veld stock_quantity is een tekst, maar moet een geheel getal (of null) zijn.", "stock_quantity=" + snippet(q, 50)
	}
	if q[0] != '-' && (q[0] < '0' || q[0] > '9') {
		return s, connector.ItemMalformed, "het veld stock_quantity moet een geheel getal (of null) zijn.", "stock_quantity=" + snippet(q, 50)
	}
	n, ok := parseWholeNumber(string(q))
	if !ok {
		return s, connector.ItemBadStock, fmt.Sprintf("de voorraad %s is geen geheel aantal. Corrigeer de voorraad in de webshop.", q), "stock_quantity=" + snippet(q, 50)
	}
	if !s.Managed {
		return s, "", "", "" // WooCommerce ignores the quantity when stock is not managed
	}
	if n > MaxStock {
		return s, connector.ItemBadStock, fmt.Sprintf("de voorraad %d is onwaarschijnlijk hoog (meer dan 10.000.000); dat is vermoedelijk een typefout. Controleer de voorraad in de webshop.", n), "stock_quantity=" + string(q)
	}
	if n < 0 && s.Backorders == catalog.BackordersNo {
		return s, connector.ItemBadStock, fmt.Sprintf("de voorraad is %d terwijl nabestellen uit staat. Corrigeer de voorraad in de webshop.", n), "stock_quantity=" + string(q) + ", backorders=no"
	}
	s.Quantity = &n
	return s, "", "", ""
}

// parseWholeNumber reads a JSON number that must be whole ("5", "-3",
// "5.0"), without floating point; false for fractions, exponents and
// numbers beyond ±10^15.
func parseWholeNumber(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || !allDigits(frac) || strings.Trim(frac, "0") != "" {
		return 0, false
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 15 {
		return 0, false
	}
	var n int64
	for _, r := range whole {
		n = n*10 + int64(r-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// Date layouts: WooCommerce sends ISO 8601 without zone; the custom route
// may add one.
var dateLayouts = []string{"2006-01-02T15:04:05", time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02"}

func parseDate(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// itemTime reads date_modified_gmt (UTC) or, failing that, date_modified
// (read as UTC too: the site's zone is unknown). field names the field that
// is missing or wrong.
func itemTime(gmt, local *string) (time.Time, string, bool) {
	t, field, ok := optionalTime(gmt, local, "date_modified")
	if !ok {
		return time.Time{}, field, false
	}
	if t == nil {
		return time.Time{}, "date_modified_gmt", false
	}
	return *t, "", true
}

// optionalTime reads name_gmt or name; nil when both are null or empty.
func optionalTime(gmt, local *string, name string) (*time.Time, string, bool) {
	for _, c := range []struct {
		v     *string
		field string
	}{{gmt, name + "_gmt"}, {local, name}} {
		if c.v == nil || strings.TrimSpace(*c.v) == "" {
			continue
		}
		t, ok := parseDate(*c.v, time.UTC)
		if !ok {
			return nil, c.field, false
		}
		return &t, "", true
	}
	return nil, "", true
}

func dateMessage(field string) string {
	return fmt.Sprintf("het veld %s ontbreekt of is geen geldige datum; gebruik ISO 8601 in GMT zonder tijdzone, bijvoorbeeld \"2026-11-27T08:00:00\".", field)
}

func quotePtr(gmt, local *string, field string) string {
	v := gmt
	if !strings.HasSuffix(field, "_gmt") {
		v = local
	}
	if v == nil {
		return "null"
	}
	return strconv.Quote(*v)
}

// arrayLen is the number of elements of a JSON array, -1 if raw is not
// one.
func arrayLen(raw json.RawMessage) int {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || b[0] != '[' {
		return -1
	}
	var elems []json.RawMessage
	if json.Unmarshal(b, &elems) != nil {
		return -1
	}
	return len(elems)
}

// parentFromLinks reads the parent's id from a variation's
// _links.up[0].href (".../products/22").
func parentFromLinks(up []wcLink) int64 {
	if len(up) == 0 {
		return 0
	}
	href := strings.TrimRight(stripQuery(up[0].Href), "/")
	i := strings.LastIndex(href, "/")
	if i < 0 || !strings.HasSuffix(href[:i], "/products") {
		return 0
	}
	n, err := strconv.ParseInt(href[i+1:], 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// cleanText decodes the HTML entities WordPress stores in titles and term
// names ("Tochtstrips &amp; borstels") and trims spaces.
func cleanText(s string) string {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	return strings.TrimSpace(s)
}

func idString(id int64) string {
	if id <= 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func productLabel(id int64, name string) string {
	name = cleanText(name)
	switch {
	case name != "" && id > 0:
		return fmt.Sprintf("Product '%s' (id %d)", name, id)
	case id > 0:
		return fmt.Sprintf("Product met id %d", id)
	case name != "":
		return fmt.Sprintf("Product '%s'", name)
	}
	return "Een product"
}

func variantLabel(id, parent int64, attrs []wcAttribute) string {
	var opts []string
	for _, a := range attrs {
		if o := cleanText(a.Option); o != "" {
			opts = append(opts, o)
		}
	}
	s := "Variatie"
	if id > 0 {
		s += " " + strconv.FormatInt(id, 10)
	}
	if len(opts) > 0 {
		s += " (" + strings.Join(opts, ", ") + ")"
	}
	if parent > 0 {
		s += " van product " + strconv.FormatInt(parent, 10)
	}
	return s
}
