package woocommerce

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/catalog"
	"github.com/wujw/ohis/internal/connector"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestContractVariableProduct maps the documented variable product field
// by field.
func TestContractVariableProduct(t *testing.T) {
	m := mapProduct(fixture(t, "product-variable.json"))
	if m.item.Err != nil || m.item.Skipped != "" {
		t.Fatalf("unexpected error/skip: %+v %q", m.item.Err, m.item.Skipped)
	}
	p := m.item.Product
	want := catalog.Product{
		ExternalID:       "799",
		Type:             catalog.Variable,
		ShopStatus:       "publish",
		Name:             "Ship Your Idea",
		Slug:             "ship-your-idea-22",
		Permalink:        "https://example.com/product/ship-your-idea-22/",
		SKU:              "",
		Description:      "<p>Pellentesque habitant morbi tristique senectus et netus et malesuada fames ac turpis egestas. Vestibulum tortor quam, feugiat vitae, ultricies eget, tempor sit amet, ante. Donec eu libero sit amet quam egestas semper. Aenean ultricies mi vitae est. Mauris placerat eleifend leo.</p>\n",
		ShortDescription: "<p>Pellentesque habitant morbi tristique senectus et netus et malesuada fames ac turpis egestas.</p>\n",
		Price:            catalog.Price{}, // variable: prices live on the variations
		Stock:            catalog.Stock{Managed: false, Quantity: nil, Status: catalog.InStock, Backorders: catalog.BackordersNo},
		CategoryIDs:      []string{"9", "14"},
		BrandIDs:         nil, // the 2024 payload predates brands
		Attributes: []catalog.ProductAttribute{
			{ExternalID: "6", Name: "Color", Options: []string{"Black", "Green"}, Visible: false, Variation: true},
			{ExternalID: "", Name: "Size", Options: []string{"S", "M"}, Visible: true, Variation: true}, // id 0: local
		},
		Images: []catalog.Image{
			{ExternalID: "795", Src: "https://example.com/wp-content/uploads/2017/03/T_4_front-11.jpg", Alt: "", Position: 0},
			{ExternalID: "796", Src: "https://example.com/wp-content/uploads/2017/03/T_4_back-10.jpg", Alt: "", Position: 1},
			{ExternalID: "797", Src: "https://example.com/wp-content/uploads/2017/03/T_3_front-10.jpg", Alt: "", Position: 2},
			{ExternalID: "798", Src: "https://example.com/wp-content/uploads/2017/03/T_3_back-10.jpg", Alt: "", Position: 3},
		},
		ModifiedAt: utc("2017-03-23T20:03:12"), // date_modified_gmt, not the site-local 17:03:12
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("product mismatch\n got %#v\nwant %#v", p, want)
	}
	if p.ModifiedAt.Location() != time.UTC {
		t.Fatal("ModifiedAt not in UTC")
	}
	if !m.variable || m.variationCount != 0 || m.id != 799 {
		t.Fatalf("variable=%v variationCount=%d id=%d", m.variable, m.variationCount, m.id)
	}
	if !p.ForSale() {
		t.Fatal("published product not for sale")
	}
}

// TestContractVariation maps the documented variation field by field,
// once as listed below its parent and once with the parent taken from
// the payload's "up" link (store-wide listing).
func TestContractVariation(t *testing.T) {
	want := catalog.Variant{
		ExternalID:       "732",
		ParentExternalID: "22",
		ShopStatus:       "publish",
		SKU:              "",
		Price:            catalog.Price{RegularCents: ptr[int64](900)}, // "9.00"; sale_price "" → none
		Stock:            catalog.Stock{Managed: false, Status: catalog.InStock, Backorders: catalog.BackordersNo},
		Options:          []catalog.VariantOption{{ExternalID: "6", Name: "Color", Option: "Black"}},
		Image:            &catalog.Image{ExternalID: "423", Src: "https://example.com/wp-content/uploads/2016/10/T_4_front-12.jpg", Alt: ""},
		Position:         0,
		ModifiedAt:       utc("2017-03-23T03:36:38"),
	}
	for _, parent := range []int64{22, 0} {
		v := mapVariant(fixture(t, "product-variation.json"), parent)
		if v.Err != nil {
			t.Fatalf("parent %d: %+v", parent, v.Err)
		}
		if !reflect.DeepEqual(v.Variant, want) {
			t.Fatalf("parent %d: variant mismatch\n got %#v\nwant %#v", parent, v.Variant, want)
		}
		if now := time.Now(); *v.Variant.Price.Current(now) != 900 {
			t.Fatal("current price")
		}
	}
}

// product builds a simple product payload and applies changes (a nil
// value removes the field).
func product(t testing.TB, changes map[string]any) json.RawMessage {
	t.Helper()
	p := map[string]any{
		"id": 123, "name": "Radiatorfolie 5 m", "slug": "radiatorfolie-5-m", "type": "simple", "status": "publish",
		"sku": "RFOL-5", "price": "12.50", "regular_price": "12.50", "sale_price": "",
		"date_on_sale_from": nil, "date_on_sale_from_gmt": nil, "date_on_sale_to": nil, "date_on_sale_to_gmt": nil,
		"date_modified": "2026-11-27T09:00:00", "date_modified_gmt": "2026-11-27T08:00:00",
		"manage_stock": true, "stock_quantity": 5, "stock_status": "instock", "backorders": "no",
		"categories": []any{map[string]any{"id": 25, "name": "Radiatorfolie", "slug": "radiatorfolie"}},
		"brands":     []any{map[string]any{"id": 68, "name": "Ecoline", "slug": "ecoline"}},
		"images":     []any{map[string]any{"id": 501, "src": "https://shop.nl/a.jpg", "alt": "folie"}},
		"attributes": []any{},
	}
	for k, v := range changes {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMapSimpleProduct(t *testing.T) {
	m := mapProduct(product(t, map[string]any{
		"sale_price": "9.95", "date_on_sale_from_gmt": "2026-12-01T00:00:00", "date_on_sale_to_gmt": "2026-12-31T23:59:59",
		"name": "Tochtstrips &amp; borstels",
	}))
	if m.item.Err != nil {
		t.Fatal(m.item.Err)
	}
	p := m.item.Product
	if *p.Price.RegularCents != 1250 || *p.Price.SaleCents != 995 {
		t.Fatalf("price %+v", p.Price)
	}
	if !p.Price.SaleFrom.Equal(utc("2026-12-01T00:00:00")) || !p.Price.SaleTo.Equal(utc("2026-12-31T23:59:59")) {
		t.Fatalf("sale period %v – %v", p.Price.SaleFrom, p.Price.SaleTo)
	}
	if *p.Price.Current(utc("2026-11-30T12:00:00")) != 1250 || *p.Price.Current(utc("2026-12-15T12:00:00")) != 995 {
		t.Fatal("Current ignores the sale period")
	}
	if !p.Stock.Managed || *p.Stock.Quantity != 5 || p.Stock.Status != catalog.InStock {
		t.Fatalf("stock %+v", p.Stock)
	}
	if p.Name != "Tochtstrips & borstels" {
		t.Fatalf("name %q: HTML entities not decoded", p.Name)
	}
	if !reflect.DeepEqual(p.BrandIDs, []string{"68"}) || !reflect.DeepEqual(p.CategoryIDs, []string{"25"}) {
		t.Fatalf("brands %v categories %v", p.BrandIDs, p.CategoryIDs)
	}
	if m.variable {
		t.Fatal("simple product marked variable")
	}

	// Without stock management a quantity is ignored.
	m = mapProduct(product(t, map[string]any{"manage_stock": false, "stock_quantity": -4}))
	if m.item.Err != nil || m.item.Product.Stock.Quantity != nil || m.item.Product.Stock.Managed {
		t.Fatalf("unmanaged stock: %+v %+v", m.item.Err, m.item.Product.Stock)
	}
	// Backorders allowed: negative stock is real.
	m = mapProduct(product(t, map[string]any{"stock_quantity": -3, "backorders": "notify", "stock_status": "onbackorder"}))
	if m.item.Err != nil || *m.item.Product.Stock.Quantity != -3 || m.item.Product.Stock.Status != catalog.OnBackorder {
		t.Fatalf("backorder stock: %+v %+v", m.item.Err, m.item.Product.Stock)
	}
	// Only the site-local date: read as UTC.
	m = mapProduct(product(t, map[string]any{"date_modified_gmt": nil}))
	if m.item.Err != nil || !m.item.Product.ModifiedAt.Equal(utc("2026-11-27T09:00:00")) {
		t.Fatalf("local date fallback: %+v %v", m.item.Err, m.item.Product.ModifiedAt)
	}
	// A custom API may send a zone.
	m = mapProduct(product(t, map[string]any{"date_modified_gmt": "2026-11-27T09:00:00+01:00"}))
	if m.item.Err != nil || !m.item.Product.ModifiedAt.Equal(utc("2026-11-27T08:00:00")) {
		t.Fatalf("zoned date: %+v %v", m.item.Err, m.item.Product.ModifiedAt)
	}
	// A draft is listed but not for sale.
	m = mapProduct(product(t, map[string]any{"status": "draft"}))
	if m.item.Err != nil || m.item.Product.ForSale() {
		t.Fatal("draft for sale")
	}
}

func TestSkippedTypes(t *testing.T) {
	for _, typ := range []string{"grouped", "external"} {
		m := mapProduct(product(t, map[string]any{"type": typ, "regular_price": ""}))
		if m.item.Err != nil || m.item.Skipped == "" {
			t.Fatalf("%s: err %+v skipped %q", typ, m.item.Err, m.item.Skipped)
		}
		if !strings.Contains(m.item.Skipped, "Radiatorfolie 5 m") || !strings.Contains(m.item.Skipped, "wordt niet via het platform verkocht en is overgeslagen") {
			t.Fatalf("%s: note %q", typ, m.item.Skipped)
		}
		if m.item.Product.ExternalID != "123" {
			t.Fatalf("%s: skipped product without id", typ)
		}
	}
}

func TestItemErrors(t *testing.T) {
	const label = "Product 'Radiatorfolie 5 m' (id 123): "
	cases := []struct {
		name    string
		raw     json.RawMessage
		code    string
		message string // exact, or a fragment when partial
		partial bool
		detail  string
	}{
		{"comma price", product(t, map[string]any{"regular_price": "12,50"}), connector.ItemBadPrice,
			label + `de prijs "12,50" is geen geldig bedrag; gebruik een punt als decimaalteken, bijvoorbeeld "12.50".`, false, `regular_price="12,50"`},
		{"no regular price", product(t, map[string]any{"regular_price": ""}), connector.ItemNoPrice, "geen normale prijs", true, `regular_price=""`},
		{"regular price null", product(t, map[string]any{"regular_price": nil}), connector.ItemNoPrice, "geen normale prijs", true, `regular_price=""`},
		{"three decimals", product(t, map[string]any{"regular_price": "12.345"}), connector.ItemBadPrice, "meer dan twee cijfers", true, `regular_price="12.345"`},
		{"negative", product(t, map[string]any{"regular_price": "-5.00"}), connector.ItemBadPrice, "negatief", true, `regular_price="-5.00"`},
		{"absurd", product(t, map[string]any{"regular_price": "1500000.00"}), connector.ItemBadPrice, "hoger dan € 1.000.000,00", true, `regular_price="1500000.00"`},
		{"currency sign", product(t, map[string]any{"regular_price": "€ 12,50"}), connector.ItemBadPrice, "zonder valutateken", true, `regular_price="€ 12,50"`},
		{"bad sale price", product(t, map[string]any{"sale_price": "9,95"}), connector.ItemBadPrice, `de actieprijs "9,95"`, true, `sale_price="9,95"`},
		{"price as number", product(t, map[string]any{"regular_price": 12.5}), connector.ItemMalformed, "het veld regular_price is een getal (12.5), maar moet een tekst zijn", true, "field regular_price: JSON number"},
		{"category id as string", product(t, map[string]any{"categories": []any{map[string]any{"id": "25"}}}), connector.ItemMalformed, "categories.id is een tekst, maar moet een geheel getal zijn", true, "field categories.id"},
		{"negative stock", product(t, map[string]any{"stock_quantity": -3}), connector.ItemBadStock, "de voorraad is -3 terwijl nabestellen uit staat", true, "stock_quantity=-3, backorders=no"},
		{"absurd stock", product(t, map[string]any{"stock_quantity": 20000000}), connector.ItemBadStock, "onwaarschijnlijk hoog", true, "stock_quantity=20000000"},
		{"fractional stock", product(t, map[string]any{"stock_quantity": 2.5}), connector.ItemBadStock, "geen geheel aantal", true, "stock_quantity=2.5"},
		{"stock as text", product(t, map[string]any{"stock_quantity": "5"}), connector.ItemMalformed, "stock_quantity is een tekst", true, `stock_quantity="5"`},
		{"unknown stock status", product(t, map[string]any{"stock_status": "misschien"}), connector.ItemMalformed, `voorraadstatus "misschien"`, true, `stock_status="misschien"`},
		{"no name", product(t, map[string]any{"name": "  "}), connector.ItemNoName, "Product met id 123: het product heeft geen naam", true, `name=""`},
		{"unknown type", product(t, map[string]any{"type": "bundle"}), connector.ItemUnsupported, `het producttype "bundle" wordt door het platform niet ondersteund`, true, `type="bundle"`},
		{"no type", product(t, map[string]any{"type": nil}), connector.ItemMalformed, "het veld type ontbreekt", true, `type=""`},
		{"no id", product(t, map[string]any{"id": nil}), connector.ItemMalformed, "geen geldig id", true, "id=0"},
		{"bad date", product(t, map[string]any{"date_modified_gmt": "gisteren"}), connector.ItemMalformed, "date_modified_gmt ontbreekt of is geen geldige datum", true, `date_modified_gmt="gisteren"`},
		{"no date", product(t, map[string]any{"date_modified_gmt": nil, "date_modified": nil}), connector.ItemMalformed, "date_modified_gmt ontbreekt", true, "date_modified_gmt=null"},
		{"bad sale date", product(t, map[string]any{"sale_price": "9.95", "date_on_sale_to_gmt": "eind december"}), connector.ItemMalformed, "date_on_sale_to_gmt", true, `date_on_sale_to_gmt="eind december"`},
		{"not an object", json.RawMessage(`"Radiatorfolie"`), connector.ItemMalformed, "Een product: dit is geen JSON-object", true, `item: "Radiatorfolie"`},
		{"null", json.RawMessage(`null`), connector.ItemMalformed, "geen JSON-object", true, "item: null"},
		{"number", json.RawMessage(`42`), connector.ItemMalformed, "geen JSON-object", true, "item: 42"},
	}
	for _, c := range cases {
		m := mapProduct(c.raw)
		e := m.item.Err
		if e == nil {
			t.Errorf("%s: no error (skipped %q, product %+v)", c.name, m.item.Skipped, m.item.Product)
			continue
		}
		if e.Code != c.code {
			t.Errorf("%s: code %s, want %s (%s)", c.name, e.Code, c.code, e.Message)
		}
		if c.partial && !strings.Contains(e.Message, c.message) || !c.partial && e.Message != c.message {
			t.Errorf("%s: message\n %q\nwant %q", c.name, e.Message, c.message)
		}
		if !strings.Contains(e.Detail, c.detail) {
			t.Errorf("%s: detail %q lacks %q", c.name, e.Detail, c.detail)
		}
		if c.code != connector.ItemMalformed || strings.HasPrefix(c.name, "price") || strings.HasPrefix(c.name, "category") {
			if e.ExternalID != "123" {
				t.Errorf("%s: ExternalID %q", c.name, e.ExternalID)
			}
		}
		if m.item.Skipped != "" {
			t.Errorf("%s: both error and skip", c.name)
		}
	}
}

func TestVariantItems(t *testing.T) {
	base := func(changes map[string]any) json.RawMessage {
		v := map[string]any{}
		if err := json.Unmarshal(fixture(t, "product-variation.json"), &v); err != nil {
			t.Fatal(err)
		}
		for k, x := range changes {
			if x == nil {
				delete(v, k)
			} else {
				v[k] = x
			}
		}
		b, _ := json.Marshal(v)
		return b
	}
	// Stock managed by the parent.
	v := mapVariant(base(map[string]any{"manage_stock": "parent", "stock_quantity": 7}), 22)
	if v.Err != nil || !v.Variant.Stock.Managed || *v.Variant.Stock.Quantity != 7 {
		t.Fatalf("parent-managed stock: %+v %+v", v.Err, v.Variant.Stock)
	}
	// parent_id (store-wide listing) wins over the link.
	v = mapVariant(base(map[string]any{"parent_id": 799}), 0)
	if v.Err != nil || v.Variant.ParentExternalID != "799" {
		t.Fatalf("parent_id: %+v %q", v.Err, v.Variant.ParentExternalID)
	}
	// No way to know the parent.
	v = mapVariant(base(map[string]any{"_links": nil}), 0)
	if v.Err == nil || v.Err.Code != connector.ItemMalformed || !strings.Contains(v.Err.Message, "parent_id") {
		t.Fatalf("orphan without parent: %+v", v.Err)
	}
	cases := []struct {
		changes map[string]any
		code    string
		frag    string
	}{
		{map[string]any{"regular_price": ""}, connector.ItemNoPrice, "Variatie 732 (Black) van product 22: er is geen normale prijs"},
		{map[string]any{"regular_price": "9,00"}, connector.ItemBadPrice, `de prijs "9,00" is geen geldig bedrag; gebruik een punt als decimaalteken, bijvoorbeeld "9.00".`},
		{map[string]any{"regular_price": 9}, connector.ItemMalformed, "regular_price is een getal (9)"},
		{map[string]any{"manage_stock": true, "stock_quantity": -1}, connector.ItemBadStock, "de voorraad is -1"},
		{map[string]any{"manage_stock": "ja"}, connector.ItemMalformed, "manage_stock"},
		{map[string]any{"id": nil}, connector.ItemMalformed, "geen geldig id"},
	}
	for _, c := range cases {
		v := mapVariant(base(c.changes), 22)
		if v.Err == nil || v.Err.Code != c.code || !strings.Contains(v.Err.Message, c.frag) {
			t.Errorf("%v: %+v, want %s containing %q", c.changes, v.Err, c.code, c.frag)
		}
	}
	if v := mapVariant(json.RawMessage(`[1,2]`), 22); v.Err == nil || v.Err.Code != connector.ItemMalformed {
		t.Fatalf("array as variation: %+v", v.Err)
	}
}
