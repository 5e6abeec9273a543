package demoshop

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPaginationHeadersAndLink(t *testing.T) {
	ts := startShop(t, Options{Products: 23, VariableEvery: -1})
	base := ts.srv.URL + "/wp-json/wc/v3/products"
	var all []int64
	for page := 1; page <= 4; page++ {
		list, r := ts.getList(t, fmt.Sprintf("/wp-json/wc/v3/products?per_page=10&orderby=id&order=asc&page=%d", page))
		if r.h.Get("X-WP-Total") != "23" || r.h.Get("X-WP-TotalPages") != "3" {
			t.Fatalf("page %d: X-WP-Total %q X-WP-TotalPages %q", page, r.h.Get("X-WP-Total"), r.h.Get("X-WP-TotalPages"))
		}
		links := strings.Join(r.h.Values("Link"), ", ")
		next := fmt.Sprintf("<%s?order=asc&orderby=id&page=%d&per_page=10>; rel=\"next\"", base, page+1)
		prevPage := page - 1
		if prevPage > 3 {
			prevPage = 3
		}
		prev := fmt.Sprintf("<%s?order=asc&orderby=id&page=%d&per_page=10>; rel=\"prev\"", base, prevPage)
		if (page < 3) != strings.Contains(links, next) {
			t.Errorf("page %d: Link %q, next expected %v", page, links, page < 3)
		}
		if (page > 1) != strings.Contains(links, prev) {
			t.Errorf("page %d: Link %q, prev expected %v", page, links, page > 1)
		}
		want := map[int]int{1: 10, 2: 10, 3: 3, 4: 0}[page]
		if len(list) != want {
			t.Errorf("page %d: %d items, want %d", page, len(list), want)
		}
		if page == 4 && string(r.body) != "[]" {
			t.Errorf("page beyond the last: %s", r.body)
		}
		all = append(all, ids(list)...)
	}
	for i, id := range all {
		if id != int64(i+1) {
			t.Fatalf("ids in order: %v", all)
		}
	}
	// Default order is date desc: newest first.
	list, _ := ts.getList(t, "/wp-json/wc/v3/products?per_page=3")
	if got := ids(list); got[0] != 23 || got[2] != 21 {
		t.Errorf("default order: %v", got)
	}
	// Default per_page is 10; offset works.
	list, _ = ts.getList(t, "/wp-json/wc/v3/products?orderby=id&order=asc")
	if len(list) != 10 {
		t.Errorf("default per_page: %d", len(list))
	}
	list, _ = ts.getList(t, "/wp-json/wc/v3/products?orderby=id&order=asc&offset=5&per_page=2")
	if got := ids(list); got[0] != 6 {
		t.Errorf("offset: %v", got)
	}
	// include, type filters.
	list, _ = ts.getList(t, "/wp-json/wc/v3/products?include=3,7,100&orderby=id&order=asc")
	if got := fmt.Sprint(ids(list)); got != "[3 7]" {
		t.Errorf("include: %s", got)
	}
	list, _ = ts.getList(t, "/wp-json/wc/v3/products?type=variable")
	if len(list) != 0 {
		t.Errorf("type=variable with VariableEvery -1: %d", len(list))
	}
}

func TestPerPageLimits(t *testing.T) {
	ts := startShop(t, Options{Products: 5})
	for _, q := range []string{"per_page=101", "per_page=0", "per_page=abc", "page=0", "orderby=nonsense", "order=up", "modified_after=yesterday"} {
		wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/products?"+q, "", true), 400, "rest_invalid_param")
	}
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/variations?per_page=101", "", true), 400, "rest_invalid_param")
	list, _ := ts.getList(t, "/wp-json/wc/v3/products?per_page=100")
	if len(list) != 5 {
		t.Errorf("per_page=100: %d", len(list))
	}
}

func TestAuth(t *testing.T) {
	ts := startShop(t, Options{Products: 5})
	// Index is public and lists wc/v3.
	r := ts.call(t, "GET", "/wp-json/", "", false)
	var idx struct {
		Name       string   `json:"name"`
		Namespaces []string `json:"namespaces"`
	}
	r.json(t, &idx)
	if r.code != 200 || idx.Name == "" || !contains(idx.Namespaces, "wc/v3") {
		t.Fatalf("index: %d %+v", r.code, idx)
	}
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/products", "", false), 401, "woocommerce_rest_cannot_view")
	req := func(user, pass string) result {
		rq, _ := http.NewRequest("GET", ts.srv.URL+"/wp-json/wc/v3/products", nil)
		rq.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(rq)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = fmt.Fprint(&b, "")
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		return result{resp.StatusCode, resp.Header, buf[:n]}
	}
	r = req("ck_wrong", ts.ConsumerSecret())
	wantError(t, r, 401, "woocommerce_rest_authentication_error")
	if !strings.Contains(string(r.body), "Consumer key is invalid.") {
		t.Errorf("message: %s", r.body)
	}
	r = req(ts.ConsumerKey(), "cs_wrong")
	wantError(t, r, 401, "woocommerce_rest_authentication_error")
	if r := req(ts.ConsumerKey(), ts.ConsumerSecret()); r.code != 200 {
		t.Errorf("basic auth: %d", r.code)
	}
	// Query-string fallback.
	r = ts.call(t, "GET", "/wp-json/wc/v3/products?consumer_key="+ts.ConsumerKey()+"&consumer_secret="+ts.ConsumerSecret(), "", false)
	if r.code != 200 {
		t.Errorf("query auth: %d %s", r.code, r.body)
	}
	if !strings.HasPrefix(ts.ConsumerKey(), "ck_") || len(ts.ConsumerKey()) != 43 {
		t.Errorf("key %q not shaped like a WooCommerce key", ts.ConsumerKey())
	}
	// System status.
	var st struct {
		Environment struct {
			Version string `json:"version"`
			SiteURL string `json:"site_url"`
		} `json:"environment"`
		Settings struct {
			Currency string `json:"currency"`
		} `json:"settings"`
	}
	ts.get(t, "/wp-json/wc/v3/system_status").json(t, &st)
	if st.Environment.Version != "9.6.1" || st.Environment.SiteURL != ts.srv.URL || st.Settings.Currency != "EUR" {
		t.Errorf("system_status: %+v", st)
	}
	// Errors.
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/nothing", "", true), 404, "rest_no_route")
	wantError(t, ts.call(t, "DELETE", "/wp-json/wc/v3/products/1", "", true), 404, "rest_no_route")
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/products/999999", "", true), 404, "woocommerce_rest_product_invalid_id")
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/products/brands", "", true), 404, "rest_no_route")
	// Request counter.
	if ts.Requests() < 10 {
		t.Errorf("Requests() = %d", ts.Requests())
	}
}

func TestModifiedAfter(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 500, time.UTC) // 14:00 in Amsterdam (CEST)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts := startShop(t, Options{Products: 20, Now: clock})
	if err := ts.Rename(3, "Tochtstrip nieuw"); err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	ts.get(t, "/wp-json/wc/v3/products/3").json(t, &p)
	if p["date_modified"] != "2026-07-01T14:00:00" || p["date_modified_gmt"] != "2026-07-01T12:00:00" || p["name"] != "Tochtstrip nieuw" {
		t.Fatalf("after rename: %v %v %v", p["name"], p["date_modified"], p["date_modified_gmt"])
	}
	cases := []struct {
		q    string
		want string
	}{
		{"modified_after=2026-07-01T11:30:00&dates_are_gmt=true", "[3]"},
		{"modified_after=2026-07-01T13:30:00&dates_are_gmt=true", "[]"},
		{"modified_after=2026-07-01T13:30:00", "[3]"}, // site time
		{"modified_after=2026-07-01T14:00:00", "[]"},  // strictly after
		{"modified_after=2026-07-01T14:30:00", "[]"},
		{"modified_after=2026-07-01T11:30:00Z", "[3]"},
		{"modified_before=2026-07-01T12:00:00&dates_are_gmt=true&include=3,4", "[4]"},
	}
	for _, c := range cases {
		list, _ := ts.getList(t, "/wp-json/wc/v3/products?orderby=id&order=asc&"+c.q)
		if got := fmt.Sprint(ids(list)); got != c.want {
			t.Errorf("%s: %s, want %s", c.q, got, c.want)
		}
	}
	// A variation's price change shows in /variations?modified_after, not
	// in its parent's date_modified.
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	vid := ts.l.genVariationIDs(5)[2]
	if err := ts.SetPrice(vid, 1234, nil); err != nil {
		t.Fatal(err)
	}
	list, _ := ts.getList(t, "/wp-json/wc/v3/variations?modified_after=2026-07-01T12:30:00&dates_are_gmt=true")
	if len(list) != 1 || int64(list[0]["id"].(float64)) != vid || list[0]["regular_price"] != "12.34" || list[0]["parent_id"].(float64) != 5 {
		t.Fatalf("variations modified_after: %v", list)
	}
	list, _ = ts.getList(t, "/wp-json/wc/v3/products?modified_after=2026-07-01T12:30:00&dates_are_gmt=true")
	if len(list) != 0 {
		t.Errorf("parent bumped by a variation change: %v", ids(list))
	}
	list, _ = ts.getList(t, "/wp-json/wc/v3/products?orderby=modified&order=desc&per_page=2")
	if got := ids(list); got[0] != 3 {
		t.Errorf("orderby=modified desc: %v", got)
	}
}

func TestFields(t *testing.T) {
	ts := startShop(t, Options{Products: 12})
	r := ts.get(t, "/wp-json/wc/v3/products?_fields=id&orderby=id&order=asc&per_page=3")
	if string(r.body) != `[{"id":1},{"id":2},{"id":3}]` {
		t.Errorf("_fields=id: %s", r.body)
	}
	r = ts.get(t, "/wp-json/wc/v3/variations?_fields=id,parent_id&orderby=id&order=asc&per_page=2")
	if string(r.body) != `[{"id":13,"parent_id":5},{"id":14,"parent_id":5}]` {
		t.Errorf("_fields=id,parent_id: %s", r.body)
	}
	r = ts.get(t, "/wp-json/wc/v3/products/5?_fields=id,type,variations")
	if string(r.body) != `{"id":5,"type":"variable","variations":[13,14,15,16,17]}` {
		t.Errorf("single _fields: %s", r.body)
	}
}

func TestTrashAndDelete(t *testing.T) {
	ts := startShop(t, Options{Products: 12})
	list := func(q string) string {
		l, r := ts.getList(t, "/wp-json/wc/v3/products?per_page=100&orderby=id&order=asc&_fields=id&"+q)
		return r.h.Get("X-WP-Total") + ":" + fmt.Sprint(ids(l))
	}
	if err := ts.Trash(2); err != nil {
		t.Fatal(err)
	}
	if got := list("include=1,2,3"); got != "2:[1 3]" {
		t.Errorf("default listing after trash: %s", got)
	}
	if got := list("status=trash"); got != "1:[2]" {
		t.Errorf("status=trash: %s", got)
	}
	var p map[string]any
	ts.get(t, "/wp-json/wc/v3/products/2").json(t, &p)
	if p["status"] != "trash" {
		t.Errorf("trashed product status %v", p["status"])
	}
	if err := ts.Restore(2); err != nil {
		t.Fatal(err)
	}
	if got := list("include=1,2,3"); got != "3:[1 2 3]" {
		t.Errorf("after restore: %s", got)
	}
	if err := ts.DeletePermanently(3); err != nil {
		t.Fatal(err)
	}
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/products/3", "", true), 404, "woocommerce_rest_product_invalid_id")
	if got := list("status=trash"); got != "0:[]" {
		t.Errorf("permanently deleted in trash: %s", got)
	}
	if got := list(""); got != "11:[1 2 4 5 6 7 8 9 10 11 12]" {
		t.Errorf("after delete: %s", got)
	}
	// Variations: delete one, then the whole variable product.
	if err := ts.DeleteVariation(14); err != nil {
		t.Fatal(err)
	}
	ts.get(t, "/wp-json/wc/v3/products/5").json(t, &p)
	if fmt.Sprint(p["variations"]) != "[13 15 16 17]" {
		t.Errorf("parent variations after delete: %v", p["variations"])
	}
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/products/5/variations/14", "", true), 404, "woocommerce_rest_product_variation_invalid_id")
	if err := ts.DeletePermanently(5); err != nil {
		t.Fatal(err)
	}
	vl, r := ts.getList(t, "/wp-json/wc/v3/variations?per_page=100&orderby=id&order=asc&_fields=id")
	if r.h.Get("X-WP-Total") != "5" || fmt.Sprint(ids(vl)) != "[18 19 20 21 22]" {
		t.Errorf("variations after deleting product 5: %s %v", r.h.Get("X-WP-Total"), ids(vl))
	}
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/products/5/variations", "", true), 404, "woocommerce_rest_product_invalid_id")
	if err := ts.DeleteVariation(14); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a deleted variation: %v", err)
	}
	// Trashed parent: its variations leave the store-wide listing.
	if err := ts.Trash(10); err != nil {
		t.Fatal(err)
	}
	_, r = ts.getList(t, "/wp-json/wc/v3/variations?_fields=id")
	if r.h.Get("X-WP-Total") != "0" {
		t.Errorf("variations of a trashed parent listed: %s", r.h.Get("X-WP-Total"))
	}
	st := ts.Stats()
	if st.Trashed != 1 || st.Variable != 0 || st.Simple != 9 || st.Variations != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestMutations(t *testing.T) {
	ts := startShop(t, Options{Products: 10, Brands: true})
	if err := ts.SetPrice(5, 100, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("price on a variable product: %v", err)
	}
	if err := ts.SetPrice(404, 100, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if err := ts.SetPrice(1, 1000, ptr(int64(1000))); !errors.Is(err, ErrInvalid) {
		t.Errorf("sale = regular: %v", err)
	}
	if err := ts.SetPrice(1, 1999, ptr(int64(1499))); err != nil {
		t.Fatal(err)
	}
	if err := ts.SetStock(1, true, ptr(int64(0)), ""); err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	ts.get(t, "/wp-json/wc/v3/products/1").json(t, &p)
	if p["regular_price"] != "19.99" || p["sale_price"] != "14.99" || p["price"] != "14.99" || p["on_sale"] != true ||
		p["manage_stock"] != true || p["stock_quantity"].(float64) != 0 || p["stock_status"] != "outofstock" {
		t.Errorf("after SetPrice/SetStock: %v %v %v %v %v %v", p["regular_price"], p["sale_price"], p["price"], p["on_sale"], p["stock_quantity"], p["stock_status"])
	}
	if err := ts.SetStatus(1, "draft"); err != nil {
		t.Fatal(err)
	}
	list, _ := ts.getList(t, "/wp-json/wc/v3/products?status=draft")
	if fmt.Sprint(ids(list)) != "[1]" {
		t.Errorf("status=draft: %v", ids(list))
	}
	id, err := ts.AddProduct(NewProduct{Type: TypeVariable, Name: "Radiatorfolie XL", CategoryIDs: []int64{25}, BrandIDs: []int64{68},
		Variations: []NewVariation{{RegularCents: 995}, {RegularCents: 1495, SaleCents: ptr(int64(1295))}}})
	if err != nil {
		t.Fatal(err)
	}
	vid, err := ts.AddVariation(id, NewVariation{RegularCents: 2995, Attributes: map[string]string{"Kleur": "Zwart", "Uitvoering": "Groot"}})
	if err != nil {
		t.Fatal(err)
	}
	ts.get(t, fmt.Sprintf("/wp-json/wc/v3/products/%d", id)).json(t, &p)
	if p["type"] != "variable" || len(p["variations"].([]any)) != 3 || p["price"] != "9.95" {
		t.Errorf("added variable product: %v %v %v", p["type"], p["variations"], p["price"])
	}
	attrs := p["attributes"].([]any)
	if fmt.Sprint(attrs[0].(map[string]any)["options"]) != "[Wit Zwart]" || !strings.Contains(fmt.Sprint(attrs[1].(map[string]any)["options"]), "Groot") {
		t.Errorf("attributes of added product: %v", attrs)
	}
	var v map[string]any
	ts.get(t, fmt.Sprintf("/wp-json/wc/v3/products/%d/variations/%d", id, vid)).json(t, &v)
	if v["regular_price"] != "29.95" || fmt.Sprint(v["attributes"]) != "[map[id:1 name:Kleur option:Zwart] map[id:0 name:Uitvoering option:Groot]]" {
		t.Errorf("added variation: %v %v", v["regular_price"], v["attributes"])
	}
	if _, err := ts.AddVariation(id, NewVariation{Attributes: map[string]string{"Kleur": "Paars"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown global term: %v", err)
	}
	if _, err := ts.AddProduct(NewProduct{Name: ""}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty name: %v", err)
	}
	if got, _ := ts.Product(vid); got.ParentID != id || got.RegularCents != 2995 {
		t.Errorf("Product(%d) = %+v", vid, got)
	}
}

func TestFaults(t *testing.T) {
	ts := startShop(t, Options{Products: 30})
	ts.SetFaults(Faults{Unauthorized: true})
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/products", "", true), 401, "woocommerce_rest_authentication_error")
	if r := ts.call(t, "GET", "/wp-json/", "", false); r.code != 200 {
		t.Errorf("index under Unauthorized: %d", r.code)
	}

	ts.SetFaults(Faults{RateLimitEvery: 3, RetryAfterSeconds: 7})
	var codes []int
	for i := 0; i < 6; i++ {
		r := ts.call(t, "GET", "/wp-json/wc/v3/products?per_page=1", "", true)
		codes = append(codes, r.code)
		if r.code == 429 && r.h.Get("Retry-After") != "7" {
			t.Errorf("Retry-After %q", r.h.Get("Retry-After"))
		}
	}
	n429 := 0
	for _, c := range codes {
		if c == 429 {
			n429++
		}
	}
	if n429 != 2 {
		t.Errorf("codes %v: want every 3rd request rate limited", codes)
	}

	ts.SetFaults(Faults{FailPage: map[string]int{"products": 2}, SlowPage: map[string]int{"variations": 1}, SlowDelay: 150 * time.Millisecond})
	ts.get(t, "/wp-json/wc/v3/products?page=1")
	for i := 0; i < 2; i++ {
		r := ts.call(t, "GET", "/wp-json/wc/v3/products?page=2", "", true)
		if r.code != 500 || !strings.HasPrefix(r.h.Get("Content-Type"), "text/html") {
			t.Errorf("failing page: %d %s", r.code, r.h.Get("Content-Type"))
		}
	}
	start := time.Now()
	ts.get(t, "/wp-json/wc/v3/variations?page=1")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("slow page took %v", d)
	}
	start = time.Now()
	ts.get(t, "/wp-json/wc/v3/variations?page=2")
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("other page slow: %v", d)
	}

	ts.SetFaults(Faults{Malformed: map[int64]string{1: "price_type", 2: "negative_stock", 3: "missing_price", 4: "absurd_price", 6: "bad_json", 7: "no_name", 31: "price_type"}})
	r := ts.get(t, "/wp-json/wc/v3/products?per_page=10&orderby=id&order=asc")
	var items []any
	r.json(t, &items)
	obj := func(i int) map[string]any { return items[i].(map[string]any) }
	if _, ok := obj(0)["regular_price"].(float64); !ok {
		t.Errorf("price_type: %v", obj(0)["regular_price"])
	}
	if obj(1)["stock_quantity"].(float64) != -3 || obj(1)["manage_stock"] != true || obj(1)["backorders"] != "no" {
		t.Errorf("negative_stock: %v", obj(1)["stock_quantity"])
	}
	if obj(2)["regular_price"] != "" {
		t.Errorf("missing_price: %v", obj(2)["regular_price"])
	}
	if obj(3)["regular_price"] != "99999999.00" {
		t.Errorf("absurd_price: %v", obj(3)["regular_price"])
	}
	if s, ok := items[5].(string); !ok || !strings.HasPrefix(s, `{"id":6,`) {
		t.Errorf("bad_json: %T", items[5])
	}
	if obj(6)["name"] != "" {
		t.Errorf("no_name: %v", obj(6)["name"])
	}
	var v map[string]any
	ts.get(t, "/wp-json/wc/v3/products/5/variations/31").json(t, &v)
	if _, ok := v["regular_price"].(float64); !ok {
		t.Errorf("malformed variation: %v", v["regular_price"])
	}
}

func TestLatency(t *testing.T) {
	ts := startShop(t, Options{Products: 3, Latency: 60 * time.Millisecond})
	start := time.Now()
	ts.get(t, "/wp-json/wc/v3/products")
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("latency not applied: %v", d)
	}
}

func TestImagesAndTaxonomies(t *testing.T) {
	ts := startShop(t, Options{Products: 40, Brands: true})
	r := ts.call(t, "GET", "/wp-content/uploads/2024/01/x-1.png", "", false)
	if r.code != 200 || r.h.Get("Content-Type") != "image/png" || string(r.body[1:4]) != "PNG" {
		t.Errorf("image: %d %s", r.code, r.h.Get("Content-Type"))
	}
	cats, cr := ts.getList(t, "/wp-json/wc/v3/products/categories?per_page=100")
	if len(cats) < 20 || cr.h.Get("X-WP-Total") != fmt.Sprint(len(cats)) {
		t.Fatalf("%d categories", len(cats))
	}
	byID := map[float64]map[string]any{}
	total := 0.0
	for _, c := range cats {
		byID[c["id"].(float64)] = c
		total += c["count"].(float64)
	}
	raam := byID[17]
	if raam["name"] != "Raamisolatie" || byID[raam["parent"].(float64)]["name"] != "Isolatie" {
		t.Errorf("tree: %v", raam)
	}
	if total < 40 {
		t.Errorf("category counts sum %v", total)
	}
	kids, _ := ts.getList(t, "/wp-json/wc/v3/products/categories?parent=16")
	if len(kids) != 4 {
		t.Errorf("children of Isolatie: %d", len(kids))
	}
	attrs, _ := ts.getList(t, "/wp-json/wc/v3/products/attributes")
	if len(attrs) != 3 || attrs[0]["name"] != "Kleur" {
		t.Errorf("attributes %v", attrs)
	}
	terms, _ := ts.getList(t, "/wp-json/wc/v3/products/attributes/1/terms?per_page=100")
	if len(terms) != 6 {
		t.Errorf("terms %d", len(terms))
	}
	brs, _ := ts.getList(t, "/wp-json/wc/v3/products/brands?per_page=100")
	if len(brs) < 10 {
		t.Errorf("brands %d", len(brs))
	}
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/products/attributes/99/terms", "", true), 404, "woocommerce_rest_taxonomy_invalid")
}

func TestNoVariationsEndpoint(t *testing.T) {
	ts := startShop(t, Options{Products: 10, NoVariationsEndpoint: true})
	wantError(t, ts.call(t, "GET", "/wp-json/wc/v3/variations", "", true), 404, "rest_no_route")
	ts.get(t, "/wp-json/wc/v3/products/5/variations")
}

func TestDeterministic(t *testing.T) {
	a := startShop(t, Options{Products: 30, Seed: 42, BaseURL: "http://shop.example"})
	b := startShop(t, Options{Products: 30, Seed: 42, BaseURL: "http://shop.example"})
	c := startShop(t, Options{Products: 30, Seed: 43, BaseURL: "http://shop.example"})
	pa := a.get(t, "/wp-json/wc/v3/products?per_page=30&orderby=id").body
	pb := b.get(t, "/wp-json/wc/v3/products?per_page=30&orderby=id").body
	pc := c.get(t, "/wp-json/wc/v3/products?per_page=30&orderby=id").body
	if string(pa) != string(pb) || string(pa) == string(pc) {
		t.Error("catalogue not determined by the seed")
	}
}

// TestLargeCatalogueMemory: a 50,000-product shop is computed lazily; one
// page of a listing allocates for the page, not the catalogue.
func TestLargeCatalogueMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := New(Options{Products: 50_000, Brands: true})
	defer s.Close()
	h := s.Handler()
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("New(50k): heap +%d bytes", int64(after.HeapAlloc)-int64(before.HeapAlloc))
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 1<<20 {
		t.Errorf("New(50k) grew the heap by %d bytes", grown)
	}
	page := func(q string) (uint64, *httptest.ResponseRecorder) {
		req := httptest.NewRequest("GET", "/wp-json/wc/v3/products?"+q, nil)
		req.SetBasicAuth(DefaultConsumerKey, DefaultConsumerSecret)
		rec := httptest.NewRecorder()
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		h.ServeHTTP(rec, req)
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc, rec
	}
	alloc, rec := page("per_page=100&page=250&orderby=id&order=asc")
	if rec.Code != 200 || rec.Header().Get("X-WP-Total") != "50000" || rec.Header().Get("X-WP-TotalPages") != "500" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	// The whole catalogue as JSON, estimated from this page.
	catalogue := uint64(rec.Body.Len()) * 500
	t.Logf("catalogue ≈ %d MB of JSON; orderby=id page: %d bytes allocated", catalogue>>20, alloc)
	limit := func(name string, alloc uint64, share uint64) {
		t.Helper()
		if alloc > catalogue/share {
			t.Errorf("%s allocated %d bytes, more than 1/%d of the catalogue (%d)", name, alloc, share, catalogue)
		}
	}
	limit("first orderby=id page (builds the id list)", alloc, 20)
	alloc, _ = page("per_page=100&page=251&orderby=id&order=asc")
	limit("next orderby=id page", alloc, 40)
	alloc, _ = page("per_page=100&page=3&orderby=id&_fields=id")
	limit("_fields=id page", alloc, 20)
	alloc, rec = page("per_page=100&page=2&orderby=modified&order=asc")
	t.Logf("orderby=modified first page: %d bytes allocated", alloc)
	if rec.Code != 200 {
		t.Fatal(rec.Code)
	}
	limit("first orderby=modified page", alloc, 10)
	alloc, _ = page("per_page=100&page=3&orderby=modified&order=asc")
	limit("cached orderby=modified page", alloc, 40)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
		t.Errorf("heap grew by %d bytes after listings", grown)
	}
}
