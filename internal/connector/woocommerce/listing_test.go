package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/connector"
)

func asConnErr(t testing.TB, err error) *connector.Error {
	t.Helper()
	var ce *connector.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *connector.Error", err, err)
	}
	return ce
}

func TestListCatalogPerProductVariations(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 120)
	f.addVariable(500, 1000, 3)
	f.addSimple(501, 100)
	f.addVariable(700, 2000, 130) // two pages of variations
	f.addVariable(701, 3000, 0)   // no variations: not asked for
	f.products = append(f.products, json.RawMessage(`{"id": 800, "name": "Kapot", "type": "simple", "regular_price": 12.5}`))
	f.delay = 2 * time.Millisecond
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{Concurrency: 3})

	sink := &recSink{t: t}
	if err := c.ListCatalog(context.Background(), nil, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.products) != 224 {
		t.Fatalf("%d products", len(sink.products))
	}
	// In listing order, bad item reported, neighbours intact.
	for i, p := range sink.products[:120] {
		if p.Err != nil || p.Product.ExternalID != strconv.Itoa(i+1) {
			t.Fatalf("product %d: %+v", i, p)
		}
	}
	last := sink.products[223]
	if last.Err == nil || last.Err.Code != connector.ItemMalformed || last.Err.ExternalID != "800" {
		t.Fatalf("malformed item: %+v", last)
	}
	if len(sink.variants) != 133 {
		t.Fatalf("%d variants", len(sink.variants))
	}
	for _, v := range sink.variants {
		if v.Err != nil {
			t.Fatal(v.Err)
		}
	}
	if sink.variants[0].Variant.ParentExternalID != "500" || sink.variants[3].Variant.ParentExternalID != "700" {
		t.Fatal("variants not in parent order")
	}
	// Pages: products 1..3 of 3, then variation pages numbered 1..3.
	var got []string
	for _, p := range sink.pages {
		got = append(got, fmt.Sprintf("%s %d/%d", p.Resource, p.Number, p.Total))
	}
	want := "products 1/3,products 2/3,products 3/3,variations 1/2,variations 2/3,variations 3/3"
	if strings.Join(got, ",") != want {
		t.Fatalf("pages %v", got)
	}
	if f.count("GET /products/701/") != 0 {
		t.Fatal("asked for the variations of a product without any")
	}
	if f.count("GET /variations") != 1 {
		t.Fatal("store-wide variations not probed exactly once")
	}
	if p := f.peak.Load(); p > 3 {
		t.Fatalf("%d requests in flight, limit 3", p)
	}
	q := queryOf(t, f.log()[0])
	for k, v := range map[string]string{"per_page": "100", "page": "1", "orderby": "id", "order": "asc", "status": "any"} {
		if q.Get(k) != v {
			t.Fatalf("query %s=%q, want %q", k, q.Get(k), v)
		}
	}
	if q.Has("modified_after") {
		t.Fatal("modified_after without since")
	}

	// The connector remembers there is no store-wide listing.
	if err := c.ListCatalog(context.Background(), nil, &recSink{t: t}); err != nil {
		t.Fatal(err)
	}
	if f.count("GET /variations") != 1 {
		t.Fatal("store-wide variations probed again")
	}
}

func TestListCatalogStoreWideVariationsSince(t *testing.T) {
	f := newFakeShop(t)
	f.storeWide = true
	f.addVariable(1, 100, 4)
	f.addSimple(2, 10)
	f.addVariable(20, 200, 2)
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{})
	since := time.Date(2026, 11, 27, 9, 30, 15, 500, time.FixedZone("CET", 3600))
	sink := &recSink{t: t}
	if err := c.ListCatalog(context.Background(), &since, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.products) != 12 || len(sink.variants) != 6 {
		t.Fatalf("%d products, %d variants", len(sink.products), len(sink.variants))
	}
	if sink.variants[4].Variant.ParentExternalID != "20" {
		t.Fatalf("parent from parent_id: %+v", sink.variants[4])
	}
	if f.count("GET /products/1/variations") != 0 {
		t.Fatal("per-product variations listed although /variations exists")
	}
	for _, r := range f.log() {
		q := queryOf(t, r)
		if q.Get("modified_after") != "2026-11-27T08:30:15" || q.Get("dates_are_gmt") != "true" {
			t.Fatalf("%s: modified_after %q", r, q.Get("modified_after"))
		}
	}
}

func TestListCatalogServerErrorOnPage2(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 350)
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("page") == "2" {
			w.WriteHeader(500)
			fmt.Fprint(w, "<html>Fatal error: "+testSecret+"</html>")
			return true
		}
		return false
	}
	srv := serve(t, f)
	sl := &sleeps{}
	c := testConn(t, woo, srv.URL, connector.Options{Sleep: sl.sleep, Concurrency: 2})
	sink := &recSink{t: t}
	err := c.ListCatalog(context.Background(), nil, sink)
	ce := asConnErr(t, err)
	if ce.Code != connector.CodeServer || ce.Status != 500 {
		t.Fatalf("error %+v", ce)
	}
	if len(sink.products) != 100 || sink.pages[0].Number != 1 || len(sink.pages) != 1 {
		t.Fatalf("sink got %d products in %d pages, want page 1 only", len(sink.products), len(sink.pages))
	}
	if f.count("GET /products?") < 5 || strings.Count(strings.Join(f.log(), "\n"), "page=2&") != 5 {
		t.Fatalf("page 2 not tried 1+4 times: %v", f.log())
	}
	// Back-off 0.5 s, 1 s, 2 s, 4 s with ±25 % jitter (page 2 only; page 3
	// may have been fetched or cancelled).
	var backoffs []time.Duration
	for _, d := range sl.all() {
		backoffs = append(backoffs, d)
	}
	if len(backoffs) < 4 {
		t.Fatalf("sleeps %v", backoffs)
	}
	if strings.Contains(ce.Error(), testSecret) || strings.Contains(ce.Detail, "?") {
		t.Fatalf("detail leaks: %s", ce.Detail)
	}
	if !strings.Contains(ce.Message, "serverfout (500)") {
		t.Fatalf("message %q", ce.Message)
	}
}

func TestBackoffSchedule(t *testing.T) {
	for attempt, base := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second} {
		for i := 0; i < 50; i++ {
			d := backoff(attempt)
			if d < base*3/4 || d > base*5/4 {
				t.Fatalf("backoff(%d) = %v, want %v ±25%%", attempt, d, base)
			}
		}
	}
	if backoff(20) > maxBackoff*5/4 {
		t.Fatal("backoff not capped")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"7":                             7 * time.Second,
		"0":                             0,
		"":                              DefaultRetryAfter,
		"soon":                          DefaultRetryAfter,
		"-3":                            DefaultRetryAfter,
		"3600":                          MaxRetryAfter,
		"Fri, 27 Nov 2026 12:00:30 GMT": 30 * time.Second,
		"Fri, 27 Nov 2026 11:00:00 GMT": 0,
		"Sat, 28 Nov 2026 12:00:00 GMT": MaxRetryAfter,
	}
	for in, want := range cases {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 5)
	var n int
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		n++
		switch n {
		case 1:
			w.Header().Set("Retry-After", "7")
		case 2:
			w.Header().Set("Retry-After", "999")
		case 3: // no Retry-After: default
		default:
			return false
		}
		w.WriteHeader(429)
		return true
	}
	srv := serve(t, f)
	sl := &sleeps{}
	c := testConn(t, woo, srv.URL, connector.Options{Sleep: sl.sleep})
	sink := &recSink{t: t}
	if err := c.ListCatalog(context.Background(), nil, sink); err != nil {
		t.Fatal(err)
	}
	got := sl.all()
	want := []time.Duration{7 * time.Second, MaxRetryAfter, DefaultRetryAfter}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("sleeps %v, want %v", got, want)
	}
	if len(sink.products) != 5 {
		t.Fatal("listing incomplete after 429s")
	}

	// Always 429: gives up after MaxRetries with CodeRateLimited.
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(429)
		return true
	}
	sl = &sleeps{}
	c = testConn(t, woo, srv.URL, connector.Options{Sleep: sl.sleep, MaxRetries: 2})
	ce := asConnErr(t, c.ListCatalog(context.Background(), nil, &recSink{t: t}))
	if ce.Code != connector.CodeRateLimited || ce.RetryAfter != 3*time.Second || len(sl.all()) != 2 {
		t.Fatalf("%+v after sleeps %v", ce, sl.all())
	}
	if !strings.Contains(ce.Message, "429") || !strings.Contains(ce.Message, "3 pogingen") {
		t.Fatalf("message %q", ce.Message)
	}
}

func TestAuthFailsImmediately(t *testing.T) {
	f := newFakeShop(t)
	srv := serve(t, f)
	sl := &sleeps{}
	c := testConn(t, woo, srv.URL, connector.Options{Sleep: sl.sleep, Credentials: connector.Credentials{Key: "ck_wrong_key", Secret: "cs_wrong_secret"}})
	ce := asConnErr(t, c.ListCatalog(context.Background(), nil, &recSink{t: t}))
	if ce.Code != connector.CodeAuth || ce.Status != 401 || len(sl.all()) != 0 || len(f.log()) != 1 {
		t.Fatalf("%+v, %d requests, sleeps %v", ce, len(f.log()), sl.all())
	}
	want := "De webshop weigert de API-sleutel (401). Controleer consumer key en consumer secret, of maak in WooCommerce › Instellingen › Geavanceerd › REST API een nieuwe sleutel met de rechten Lezen/Schrijven."
	if ce.Message != want {
		t.Fatalf("message %q", ce.Message)
	}
	if strings.Contains(ce.Error(), "cs_wrong_secret") || strings.Contains(ce.Error(), "ck_wrong_key") {
		t.Fatal("credentials in error")
	}

	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		writeTestJSON(w, 403, map[string]any{"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources."})
		return true
	}
	ce = asConnErr(t, c.ListCatalog(context.Background(), nil, &recSink{t: t}))
	if ce.Code != connector.CodeAuth || ce.Status != 403 || !strings.Contains(ce.Message, "Lezen/Schrijven") {
		t.Fatalf("403: %+v", ce)
	}
}

func TestBadResponses(t *testing.T) {
	cases := []struct {
		name   string
		status int
		ctype  string
		body   string
		code   connector.Code
		frag   string
	}{
		{"html 200", 200, "text/html", "<!DOCTYPE html><html>Just a moment…</html>", connector.CodeBadResponse, "webpagina"},
		{"php notice", 200, "application/json", "Notice: Undefined index in foo.php\n[]", connector.CodeBadResponse, "PHP-melding"},
		{"object", 200, "application/json", `{"products": []}`, connector.CodeBadResponse, "JSON-lijst"},
		{"truncated", 200, "application/json", `[{"id": 1`, connector.CodeBadResponse, "JSON-lijst"},
		{"empty", 200, "application/json", ``, connector.CodeBadResponse, "leeg antwoord"},
		{"html 404", 404, "text/html", "<html>Pagina niet gevonden</html>", connector.CodeNoREST, "permalinks op 'Eenvoudig'"},
		{"no wc route", 404, "application/json", `{"code":"rest_no_route","message":"No route"}`, connector.CodeNotWooCommerce, "WooCommerce"},
		{"redirect", 301, "text/html", "", connector.CodeBadResponse, "https://www.shop.example/wp-json/wc/v3/products"},
		{"bad request", 400, "application/json", `{"code":"rest_invalid_param","message":"Ongeldige parameter(s): per_page"}`, connector.CodeBadResponse, "per_page"},
	}
	for _, c := range cases {
		srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c.status == 301 {
				w.Header().Set("Location", "https://www.shop.example/wp-json/wc/v3/products?page=1")
			}
			w.Header().Set("Content-Type", c.ctype)
			w.WriteHeader(c.status)
			fmt.Fprint(w, c.body)
		}))
		conn := testConn(t, woo, srv.URL, connector.Options{})
		ce := asConnErr(t, conn.ListCatalog(context.Background(), nil, &recSink{t: t}))
		if ce.Code != c.code || !strings.Contains(ce.Message, c.frag) {
			t.Errorf("%s: %s %q", c.name, ce.Code, ce.Message)
		}
	}
}

func TestCustomPlatformNotFound(t *testing.T) {
	srv := serve(t, http.NotFoundHandler())
	c := testConn(t, custom, srv.URL+"/api/wc/v3", connector.Options{})
	ce := asConnErr(t, c.ListCatalog(context.Background(), nil, &recSink{t: t}))
	if ce.Code != connector.CodeNotFound || !strings.Contains(ce.Message, srv.URL+"/api/wc/v3/products") {
		t.Fatalf("%+v", ce)
	}
}

func TestUnknownTotalsFollowsPages(t *testing.T) {
	f := newFakeShop(t)
	f.noTotals = true
	f.addSimple(1, 250)
	srv := serve(t, f)
	c := testConn(t, custom, srv.URL+"/wp-json/wc/v3", connector.Options{})
	sink := &recSink{t: t}
	if err := c.ListCatalog(context.Background(), nil, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.products) != 250 || f.count("GET /products?") != 3 {
		t.Fatalf("%d products in %d requests", len(sink.products), f.count("GET /products?"))
	}
	for _, p := range sink.pages {
		if p.Total != 0 || p.TotalItems != 0 {
			t.Fatalf("unknown totals reported as %+v", p)
		}
	}

	// Exactly 200: the third page is empty.
	f.products = f.products[:200]
	f.requests = nil
	sink = &recSink{t: t}
	if err := c.ListCatalog(context.Background(), nil, sink); err != nil || len(sink.products) != 200 || f.count("GET /products?") != 3 {
		t.Fatalf("%v: %d products, %d requests", err, len(sink.products), f.count("GET /products?"))
	}
}

func TestPagingIgnoredIsAnError(t *testing.T) {
	f := newFakeShop(t)
	f.noTotals = true
	f.addSimple(1, 100)
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/wp-json/wc/v3/products" {
			writeTestJSON(w, 200, f.products) // every page is page 1
			return true
		}
		return false
	}
	srv := serve(t, f)
	c := testConn(t, custom, srv.URL+"/wp-json/wc/v3", connector.Options{})
	sink := &recSink{t: t}
	ce := asConnErr(t, c.ListCatalog(context.Background(), nil, sink))
	if ce.Code != connector.CodeBadResponse || !strings.Contains(ce.Message, "de parameter page werkt niet") {
		t.Fatalf("%+v", ce)
	}
	if len(sink.products) != 100 || f.count("GET /products?") != 2 {
		t.Fatalf("%d products, %d requests", len(sink.products), f.count("GET /products?"))
	}
}

func TestTooManyPages(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-WP-TotalPages", "999999999")
		writeTestJSON(w, 200, []any{})
	}))
	c := testConn(t, woo, srv.URL, connector.Options{})
	ce := asConnErr(t, c.ListCatalog(context.Background(), nil, &recSink{t: t}))
	if ce.Code != connector.CodeBadResponse || !strings.Contains(ce.Message, "999999999") {
		t.Fatalf("%+v", ce)
	}
}

func TestSinkErrorStopsListing(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 1000)
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{Concurrency: 2})
	sink := &recSink{t: t, failAt: 2}
	err := c.ListCatalog(context.Background(), nil, sink)
	if err == nil || err.Error() != "sink full" {
		t.Fatalf("err %v", err)
	}
	if n := f.count("GET /products?"); n > 5 {
		t.Fatalf("%d pages fetched after the sink failed on page 2", n)
	}
}

func TestContextCancelled(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 500)
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	sink := &cancelSink{recSink: recSink{t: t}, cancel: cancel}
	err := c.ListCatalog(ctx, nil, sink)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

type cancelSink struct {
	recSink
	cancel func()
}

func (s *cancelSink) Products(ctx context.Context, p connector.Page, items []connector.ProductItem) error {
	s.cancel()
	return nil
}

func TestTimeout(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	}))
	sl := &sleeps{}
	c := testConn(t, woo, srv.URL, connector.Options{
		Client:     netguardClient(t, 1*time.Second),
		Sleep:      sl.sleep,
		MaxRetries: 1,
	})
	start := time.Now()
	ce := asConnErr(t, c.ListCatalog(context.Background(), nil, &recSink{t: t}))
	if ce.Code != connector.CodeTimeout {
		t.Fatalf("%+v", ce)
	}
	if !strings.Contains(ce.Message, "De webshop antwoordde niet binnen 1 seconden") {
		t.Fatalf("message %q", ce.Message)
	}
	if strings.Contains(ce.Detail, "?") || strings.Contains(ce.Detail, testKey) {
		t.Fatalf("detail %q", ce.Detail)
	}
	if len(sl.all()) != 1 || time.Since(start) > 4*time.Second {
		t.Fatalf("retries %v in %v", sl.all(), time.Since(start))
	}
}

func TestConcurrencyBoundAcrossRequests(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 900)
	for i := 0; i < 30; i++ {
		f.addVariable(2000+i, 10000+10*i, 2)
	}
	f.delay = 3 * time.Millisecond
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{Concurrency: 4})
	done := make(chan error, 2)
	for i := 0; i < 2; i++ { // two listings on the same connector share its limit
		go func() { done <- c.ListCatalog(context.Background(), nil, &recSink{t: t}) }()
	}
	for i := 0; i < 2; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if p := f.peak.Load(); p > 4 || p < 2 {
		t.Fatalf("peak %d requests in flight, want 2..4", p)
	}
}

func TestCustomAPIWithoutVariationsListing(t *testing.T) {
	f := newFakeShop(t)
	f.addVariable(1, 10, 2)
	// A custom API at /api that answers 405 for /variations.
	srv := serve(t, http.StripPrefix("/api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/wp-json/wc/v3" + r.URL.Path
		if strings.HasSuffix(r.URL.Path, "/wc/v3/variations") {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		f.ServeHTTP(w, r)
	})))
	sl := &sleeps{}
	c := testConn(t, custom, srv.URL+"/api", connector.Options{Sleep: sl.sleep})
	sink := &recSink{t: t}
	if err := c.ListCatalog(context.Background(), nil, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.variants) != 2 || sink.variants[0].Variant.ParentExternalID != "1" || len(sl.all()) != 0 {
		t.Fatalf("%d variants, sleeps %v", len(sink.variants), sl.all())
	}
}
