package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/netguard"
)

const (
	testKey    = "ck_test_0123456789abcdef"
	testSecret = "cs_test_fedcba9876543210"
)

// fakeShop is a small WooCommerce REST API for unit tests of paging,
// concurrency and retries; the demoshop tests cover the full behaviour.
type fakeShop struct {
	t          testing.TB
	products   []json.RawMessage
	variations map[int64][]json.RawMessage // by parent, in id order
	storeWide  bool                        // GET /variations exists
	brands     bool
	noTotals   bool // omit X-WP-Total(Pages)
	delay      time.Duration
	// hook may answer a request itself (faults); it returns true if it did.
	hook func(w http.ResponseWriter, r *http.Request) bool

	mu       sync.Mutex
	requests []string // "GET /products?page=2…" (path below /wp-json/wc/v3)
	inflight atomic.Int32
	peak     atomic.Int32
}

func newFakeShop(t testing.TB) *fakeShop {
	return &fakeShop{t: t, variations: map[int64][]json.RawMessage{}}
}

// addSimple adds n simple products with ids from first.
func (f *fakeShop) addSimple(first, n int) {
	for i := 0; i < n; i++ {
		id := first + i
		f.products = append(f.products, product(f.t, map[string]any{"id": id, "name": fmt.Sprintf("Product %d", id)}))
	}
}

// addVariable adds a variable product with n variations (ids vfirst…).
func (f *fakeShop) addVariable(id, vfirst, n int) {
	vids := []int{}
	for i := 0; i < n; i++ {
		vid := vfirst + i
		vids = append(vids, vid)
		f.variations[int64(id)] = append(f.variations[int64(id)], mustJSON(f.t, map[string]any{
			"id": vid, "parent_id": id, "status": "publish", "sku": fmt.Sprintf("V%d", vid),
			"regular_price": "9.00", "sale_price": "", "manage_stock": false, "stock_status": "instock", "backorders": "no",
			"date_modified_gmt": "2026-11-27T08:00:00", "attributes": []any{map[string]any{"id": 0, "name": "Maat", "option": strconv.Itoa(i)}},
			"menu_order": i,
		}))
	}
	f.products = append(f.products, product(f.t, map[string]any{"id": id, "name": fmt.Sprintf("Variabel %d", id), "type": "variable", "regular_price": "", "variations": vids}))
}

func mustJSON(t testing.TB, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fakeShop) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func (f *fakeShop) count(prefix string) int {
	n := 0
	for _, r := range f.log() {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (f *fakeShop) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	path := strings.TrimPrefix(r.URL.Path, "/wp-json/wc/v3")
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+path+"?"+r.URL.RawQuery)
	f.mu.Unlock()
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	if f.hook != nil && f.hook(w, r) {
		return
	}
	if r.URL.Path == "/wp-json/" || r.URL.Path == "/wp-json" {
		routes := map[string]any{"/wc/v3/products": map[string]any{}}
		if f.storeWide {
			routes["/wc/v3/variations"] = map[string]any{}
		}
		if f.brands {
			routes["/wc/v3/products/brands"] = map[string]any{}
		}
		writeTestJSON(w, 200, map[string]any{"name": "Testwinkel", "namespaces": []string{"wp/v2", "wc/v3"}, "routes": routes})
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/wp-json/wc/v3/") {
		http.NotFound(w, r)
		return
	}
	if k, s, ok := r.BasicAuth(); !ok || k != testKey || s != testSecret {
		writeTestJSON(w, 401, map[string]any{"code": "woocommerce_rest_authentication_error", "message": "Consumer key is invalid.", "data": map[string]any{"status": 401}})
		return
	}
	switch {
	case path == "/system_status":
		writeTestJSON(w, 200, map[string]any{"environment": map[string]any{"version": "9.6.1"}})
	case path == "/products":
		f.page(w, r, f.products)
	case path == "/variations":
		if !f.storeWide {
			noRoute(w)
			return
		}
		var all []json.RawMessage
		for _, p := range f.products {
			var h struct{ ID int64 }
			_ = json.Unmarshal(p, &h)
			all = append(all, f.variations[h.ID]...)
		}
		f.page(w, r, all)
	case strings.HasPrefix(path, "/products/") && strings.HasSuffix(path, "/variations"):
		id, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(path, "/products/"), "/variations"), 10, 64)
		f.page(w, r, f.variations[id])
	case path == "/products/categories":
		f.page(w, r, []json.RawMessage{
			mustJSON(f.t, map[string]any{"id": 16, "name": "Isolatie", "slug": "isolatie", "parent": 0}),
			mustJSON(f.t, map[string]any{"id": 18, "name": "Tochtwering &amp; kieren", "slug": "tochtwering", "parent": 16}),
		})
	case path == "/products/brands":
		if !f.brands {
			noRoute(w)
			return
		}
		f.page(w, r, []json.RawMessage{mustJSON(f.t, map[string]any{"id": 60, "name": "Philips", "slug": "philips", "parent": 0})})
	case path == "/products/attributes":
		// Like WooCommerce: every attribute, no paging headers.
		writeTestJSON(w, 200, []any{map[string]any{"id": 1, "name": "Kleur", "slug": "pa_kleur"}, map[string]any{"id": 2, "name": "Vermogen", "slug": "pa_vermogen"}})
	case strings.HasPrefix(path, "/products/attributes/") && strings.HasSuffix(path, "/terms"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/products/attributes/"), "/terms")
		f.page(w, r, []json.RawMessage{
			mustJSON(f.t, map[string]any{"id": 100 + len(id), "name": "Wit " + id, "slug": "wit-" + id}),
			mustJSON(f.t, map[string]any{"id": 200 + len(id), "name": "Zwart " + id, "slug": "zwart-" + id}),
		})
	default:
		noRoute(w)
	}
}

func noRoute(w http.ResponseWriter) {
	writeTestJSON(w, 404, map[string]any{"code": "rest_no_route", "message": "No route was found matching the URL and request method.", "data": map[string]any{"status": 404}})
}

func (f *fakeShop) page(w http.ResponseWriter, r *http.Request, all []json.RawMessage) {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 10
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page <= 0 {
		page = 1
	}
	start := min((page-1)*per, len(all))
	end := min(start+per, len(all))
	if !f.noTotals {
		w.Header().Set("X-WP-Total", strconv.Itoa(len(all)))
		w.Header().Set("X-WP-TotalPages", strconv.Itoa((len(all)+per-1)/per))
	}
	items := all[start:end]
	if items == nil {
		items = []json.RawMessage{}
	}
	writeTestJSON(w, 200, items)
}

func writeTestJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// sleeps records the waits between retries without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// recSink records a listing and fails the test on concurrent calls.
type recSink struct {
	t        testing.TB
	busy     atomic.Bool
	products []connector.ProductItem
	variants []connector.VariantItem
	pages    []connector.Page
	failAt   int // return an error from the failAt-th call (1-based)
	calls    int
}

func (s *recSink) enter() func() {
	if !s.busy.CompareAndSwap(false, true) {
		s.t.Error("sink called concurrently")
	}
	return func() { s.busy.Store(false) }
}

func (s *recSink) Products(ctx context.Context, p connector.Page, items []connector.ProductItem) error {
	defer s.enter()()
	s.calls++
	if s.calls == s.failAt {
		return fmt.Errorf("sink full")
	}
	s.pages = append(s.pages, p)
	s.products = append(s.products, items...)
	return nil
}

func (s *recSink) Variants(ctx context.Context, p connector.Page, items []connector.VariantItem) error {
	defer s.enter()()
	s.calls++
	if s.calls == s.failAt {
		return fmt.Errorf("sink full")
	}
	s.pages = append(s.pages, p)
	s.variants = append(s.variants, items...)
	return nil
}

type recIDs struct {
	t        testing.TB
	busy     atomic.Bool
	products []string
	variants []connector.VariantRef
}

func (s *recIDs) ProductIDs(ctx context.Context, p connector.Page, ids []string) error {
	if !s.busy.CompareAndSwap(false, true) {
		s.t.Error("id sink called concurrently")
	}
	defer s.busy.Store(false)
	s.products = append(s.products, ids...)
	return nil
}

func (s *recIDs) VariantIDs(ctx context.Context, p connector.Page, refs []connector.VariantRef) error {
	if !s.busy.CompareAndSwap(false, true) {
		s.t.Error("id sink called concurrently")
	}
	defer s.busy.Store(false)
	s.variants = append(s.variants, refs...)
	return nil
}

// testConn makes a connector for a test server (plain http allowed).
func testConn(t testing.TB, platform connector.Platform, baseURL string, opts connector.Options) *conn {
	t.Helper()
	opts.BaseURL = baseURL
	if opts.Credentials == (connector.Credentials{}) {
		opts.Credentials = connector.Credentials{Key: testKey, Secret: testSecret}
	}
	if opts.Client == nil {
		opts.Client = netguard.NewClient(netguard.Options{AllowPrivate: true, Timeout: 5 * time.Second})
	}
	if opts.Sleep == nil {
		opts.Sleep = (&sleeps{}).sleep
	}
	c, err := platform.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c.(*conn)
}

func serve(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

var woo = NewPlatform(PlatformOptions{AllowInsecure: true})
var custom = NewCustomPlatform(PlatformOptions{AllowInsecure: true})

func queryOf(t testing.TB, logged string) url.Values {
	_, q, _ := strings.Cut(logged, "?")
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func netguardClient(t testing.TB, timeout time.Duration) *http.Client {
	return netguard.NewClient(netguard.Options{AllowPrivate: true, Timeout: timeout})
}
