package demoshop

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

func loadFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// nullable lists fixture fields that are null in the fixture and the type
// they have when set (WooCommerce schema: stock_quantity integer|null, sale
// dates date-time|null).
var nullable = map[string]string{
	"stock_quantity":        "number",
	"date_on_sale_from":     "string",
	"date_on_sale_from_gmt": "string",
	"date_on_sale_to":       "string",
	"date_on_sale_to_gmt":   "string",
}

// elementShapes gives the element of arrays that are empty in the fixture
// but filled by the shop.
var elementShapes = map[string]any{
	"variations":       float64(0),
	"grouped_products": float64(0),
	"related_ids":      float64(0),
}

// sameShape compares got with the fixture want: identical key sets of
// objects (extra lists allowed additional top-level keys), the same JSON
// types, array elements against the fixture's first element.
func sameShape(t *testing.T, path string, want, got any, extra map[string]any) {
	t.Helper()
	wt, gt := jsonType(want), jsonType(got)
	if wt == "null" {
		key := path[strings.LastIndexByte(path, '.')+1:]
		if alt, ok := nullable[key]; ok && (gt == "null" || gt == alt) {
			return
		}
	}
	if wt != gt {
		t.Errorf("%s: type %s, fixture has %s", path, gt, wt)
		return
	}
	switch w := want.(type) {
	case map[string]any:
		g := got.(map[string]any)
		for k := range w {
			if _, ok := g[k]; !ok {
				t.Errorf("%s: key %q missing", path, k)
			}
		}
		for k, v := range g {
			if _, ok := w[k]; ok {
				sameShape(t, path+"."+k, w[k], v, nil)
				continue
			}
			if shape, ok := extra[k]; ok {
				sameShape(t, path+"."+k, shape, v, nil)
				continue
			}
			t.Errorf("%s: unexpected key %q", path, k)
		}
	case []any:
		g := got.([]any)
		elem := any(nil)
		if len(w) > 0 {
			elem = w[0]
		} else if e, ok := elementShapes[path[strings.LastIndexByte(path, '.')+1:]]; ok {
			elem = e
		}
		if elem == nil {
			return
		}
		for i, v := range g {
			sameShape(t, fmt.Sprintf("%s[%d]", path, i), elem, v, nil)
		}
	}
}

// TestContract: the shop's product, variation and webhook JSON have
// exactly the WooCommerce fixtures' keys and JSON types.
func TestContract(t *testing.T) {
	product := loadFixture(t, "product-variable.json")
	variation := loadFixture(t, "product-variation.json")
	webhook := loadFixture(t, "webhook.json")
	cats := product["categories"].([]any)
	brandsShape := []any{cats[0]}

	ts := startShop(t, Options{Products: 200, Brands: true, Seed: 7})
	seen := map[string]int{}
	onSale, periods, managed, withQty := 0, 0, 0, 0
	for page := 1; page <= 2; page++ {
		list, _ := ts.getList(t, fmt.Sprintf("/wp-json/wc/v3/products?per_page=100&page=%d&orderby=id&order=asc", page))
		for _, p := range list {
			typ := p["type"].(string)
			seen[typ]++
			path := fmt.Sprintf("product[%v]", p["id"])
			sameShape(t, path, product, any(p), map[string]any{"brands": brandsShape})
			if _, ok := p["brands"]; !ok {
				t.Errorf("%s: brands missing with Options.Brands", path)
			}
			attrs := p["attributes"].([]any)
			if typ == TypeVariable {
				if len(p["variations"].([]any)) != 5 || len(attrs) != 2 || len(p["default_attributes"].([]any)) != 2 {
					t.Errorf("%s: variable product with %d variations, %d attributes", path, len(p["variations"].([]any)), len(attrs))
				}
				if attrs[0].(map[string]any)["id"].(float64) == 0 || attrs[1].(map[string]any)["id"].(float64) != 0 {
					t.Errorf("%s: want a global then a local attribute: %v", path, attrs)
				}
			}
			if p["on_sale"] == true {
				onSale++
			}
			if p["date_on_sale_to"] != nil {
				periods++
			}
			if p["manage_stock"] == true {
				managed++
				if p["stock_quantity"] != nil {
					withQty++
				}
			}
			imgs := p["images"].([]any)
			if len(imgs) < 1 || len(imgs) > 3 {
				t.Errorf("%s: %d images", path, len(imgs))
			}
			for _, im := range imgs {
				src := im.(map[string]any)["src"].(string)
				if !strings.HasPrefix(src, ts.srv.URL+"/wp-content/uploads/") {
					t.Errorf("%s: image src %q not under the shop", path, src)
				}
			}
			for _, k := range []string{"price", "regular_price", "sale_price"} {
				v := p[k].(string)
				if v != "" && !isMoney(v) {
					t.Errorf("%s: %s %q is not a money string", path, k, v)
				}
			}
		}
	}
	for _, typ := range []string{TypeSimple, TypeVariable, TypeGrouped, TypeExternal} {
		if seen[typ] == 0 {
			t.Errorf("no %s product among 200", typ)
		}
	}
	if onSale == 0 || periods == 0 || managed == 0 || withQty == 0 {
		t.Errorf("catalogue lacks variety: on sale %d, sale periods %d, managed stock %d", onSale, periods, managed)
	}

	// Variations per parent: exactly the fixture; store-wide: plus parent_id.
	vlist, _ := ts.getList(t, "/wp-json/wc/v3/products/5/variations?per_page=100")
	if len(vlist) != 5 {
		t.Fatalf("%d variations of product 5", len(vlist))
	}
	for _, v := range vlist {
		sameShape(t, fmt.Sprintf("variation[%v]", v["id"]), variation, any(v), nil)
	}
	one := ts.get(t, fmt.Sprintf("/wp-json/wc/v3/products/5/variations/%v", vlist[0]["id"]))
	var single map[string]any
	one.json(t, &single)
	sameShape(t, "variation", variation, any(single), nil)
	all, _ := ts.getList(t, "/wp-json/wc/v3/variations?per_page=100")
	for _, v := range all {
		sameShape(t, fmt.Sprintf("variations[%v]", v["id"]), variation, any(v), map[string]any{"parent_id": float64(0)})
		if v["parent_id"] == nil || v["parent_id"].(float64) <= 0 {
			t.Errorf("store-wide variation %v without parent_id", v["id"])
		}
	}
	// A variation through the products endpoint (also the webhook payload).
	var asProduct map[string]any
	ts.get(t, fmt.Sprintf("/wp-json/wc/v3/products/%v", vlist[0]["id"])).json(t, &asProduct)
	if asProduct["type"] != "variation" || asProduct["parent_id"].(float64) != 5 {
		t.Errorf("variation as product: type %v parent %v", asProduct["type"], asProduct["parent_id"])
	}
	delete(asProduct, "attributes")                    // [{id,name,option}] for variations
	delete(asProduct["_links"].(map[string]any), "up") // products with a parent link "up"
	fixtureNoAttrs := map[string]any{}
	for k, v := range product {
		if k != "attributes" {
			fixtureNoAttrs[k] = v
		}
	}
	sameShape(t, "variation-as-product", fixtureNoAttrs, any(asProduct), map[string]any{"brands": brandsShape})

	// Webhook.
	r := ts.call(t, "POST", "/wp-json/wc/v3/webhooks", `{"name":"x","topic":"product.updated","delivery_url":"http://127.0.0.1:1/hook","secret":"s3cret","status":"paused"}`, true)
	if r.code != 201 {
		t.Fatalf("create webhook: %d %s", r.code, r.body)
	}
	var wh map[string]any
	r.json(t, &wh)
	sameShape(t, "webhook", webhook, any(wh), nil)
	if strings.Contains(string(r.body), "s3cret") {
		t.Error("webhook secret returned")
	}

	// Without brands: no brands key at all.
	plain := startShop(t, Options{Products: 3})
	var p map[string]any
	plain.get(t, "/wp-json/wc/v3/products/1").json(t, &p)
	sameShape(t, "product-no-brands", product, any(p), nil)
	if _, ok := p["brands"]; ok {
		t.Error("brands key without Options.Brands")
	}
}

func isMoney(s string) bool {
	i := strings.IndexByte(s, '.')
	if i < 1 || len(s)-i != 3 {
		return false
	}
	for j, r := range s {
		if j != i && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
