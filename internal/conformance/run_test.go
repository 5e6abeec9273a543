package conformance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/conformance"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/connector/woocommerce"
	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/netguard"
)

// The checks against the demo shop as a supplier's own API: a conforming
// one, and ones broken in the ways the contract forbids. The demo shop is
// the outside world; nothing of OHIS is faked.

// shopAPI serves a demo shop, optionally through wrap, and returns it with
// the target for its API.
func shopAPI(t *testing.T, opts demoshop.Options, wrap func(http.Handler) http.Handler) (*demoshop.Shop, conformance.Target) {
	t.Helper()
	shop := demoshop.New(opts)
	h := shop.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		shop.Close()
	})
	return shop, conformance.Target{
		BaseURL:     srv.URL + "/wp-json/wc/v3",
		Credentials: connector.Credentials{Key: shop.ConsumerKey(), Secret: shop.ConsumerSecret()},
	}
}

func runOptions() conformance.Options {
	return conformance.Options{
		Platform: woocommerce.NewCustomPlatform(woocommerce.PlatformOptions{AllowInsecure: true}),
		Client:   netguard.NewClient(netguard.Options{AllowPrivate: true, Timeout: 10 * time.Second}),
		Sleep:    func(context.Context, time.Duration) error { return nil },
	}
}

func check(t *testing.T, rep conformance.Report, id string) conformance.Check {
	t.Helper()
	c, ok := rep.Check(id)
	if !ok {
		t.Fatalf("report has no check %q", id)
	}
	return c
}

func wantOutcome(t *testing.T, rep conformance.Report, id string, want conformance.Outcome, findingParts ...string) conformance.Check {
	t.Helper()
	c := check(t, rep, id)
	if c.Outcome != want {
		t.Errorf("%s: outcome %s, want %s (finding %q, detail %q)", id, c.Outcome, want, c.Finding, c.Detail)
	}
	for _, p := range findingParts {
		if !strings.Contains(c.Finding, p) {
			t.Errorf("%s: finding %q lacks %q", id, c.Finding, p)
		}
	}
	return c
}

// Every check of the report has an area, a name and a Dutch finding; none
// dumps a payload.
func sane(t *testing.T, rep conformance.Report) {
	t.Helper()
	if len(rep.Checks) < 25 {
		t.Fatalf("only %d checks", len(rep.Checks))
	}
	for _, c := range rep.Checks {
		if c.Area == "" || c.Name == "" || c.Finding == "" {
			t.Errorf("check %q lacks area, name or finding: %+v", c.ID, c)
		}
		if len(c.Finding) > 3000 || len(c.Detail) > 2100 {
			t.Errorf("check %q is too long (%d/%d bytes)", c.ID, len(c.Finding), len(c.Detail))
		}
		if strings.Contains(c.Finding+c.Detail, demoshop.DefaultConsumerSecret) || strings.Contains(c.Finding+c.Detail, `"permalink"`) {
			t.Errorf("check %q shows a secret or a whole payload: %q %q", c.ID, c.Finding, c.Detail)
		}
	}
}

func TestConformingAPI(t *testing.T) {
	t.Parallel()
	_, target := shopAPI(t, demoshop.Options{Products: 12, Brands: true}, nil)
	rep := conformance.Run(context.Background(), target, runOptions())
	sane(t, rep)
	for _, c := range rep.Checks {
		if c.ID == conformance.CheckWebhook || c.ID == conformance.CheckWebhookPost {
			continue
		}
		if c.Required && c.Outcome != conformance.Conform {
			t.Errorf("required check %s (%s) is %s: %s | %s", c.ID, c.Name, c.Outcome, c.Finding, c.Detail)
		}
		if !c.Required && c.Outcome == conformance.NotConform {
			t.Errorf("check %s is not conform: %s", c.ID, c.Finding)
		}
	}
	// Paging was tested with two pages of a small catalogue.
	wantOutcome(t, rep, "paging_next", conformance.Conform, "per_page=6")
	wantOutcome(t, rep, "endpoint_variations", conformance.Conform)
	wantOutcome(t, rep, "trial_sync", conformance.Conform, "12 producten", "10 variaties")
	// Without a webhook test the report cannot be complete.
	wantOutcome(t, rep, conformance.CheckWebhook, conformance.NotTested)
	if v := rep.Verdict(); v != conformance.VerdictIncomplete {
		t.Errorf("verdict %s, want incomplete (the webhook is not tested)", v)
	}
	if f := rep.Findings(); f != "" {
		t.Errorf("a conforming API has findings:\n%s", f)
	}
}

// stripPaging removes the pagination headers from every answer.
func stripPaging(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(headerStripper{w}, r)
	})
}

type headerStripper struct{ http.ResponseWriter }

func (s headerStripper) WriteHeader(code int) {
	s.Header().Del("X-WP-Total")
	s.Header().Del("X-WP-TotalPages")
	s.ResponseWriter.WriteHeader(code)
}

func TestMalformedPricesAndMissingPagingHeaders(t *testing.T) {
	t.Parallel()
	shop, target := shopAPI(t, demoshop.Options{Products: 12}, stripPaging)
	shop.SetFaults(demoshop.Faults{Malformed: map[int64]string{2: "price_type"}})
	rep := conformance.Run(context.Background(), target, runOptions())
	sane(t, rep)

	money := wantOutcome(t, rep, "money_strings", conformance.NotConform, "Bij 1 van de", "regular_price", "product 2: 12.5", `"12.50"`)
	if !strings.Contains(money.Detail, "regular_price: number where string expected") {
		t.Errorf("money detail %q", money.Detail)
	}
	wantOutcome(t, rep, "money_format", conformance.Conform)
	wantOutcome(t, rep, "paging_headers", conformance.NotConform, "X-WP-Total", "X-WP-TotalPages", "GET /products", "GET /products/categories")
	// What needs the totals is not tested; what works without them is.
	wantOutcome(t, rep, "paging_totals", conformance.NotTested)
	wantOutcome(t, rep, "paging_next", conformance.Conform)
	// The connector's own reading of the catalogue fails on that product.
	wantOutcome(t, rep, "trial_sync", conformance.NotConform, "(id 2)", "regular_price")
	// Prices are judged under money, not under fields.
	wantOutcome(t, rep, "fields_products", conformance.Conform)

	if v := rep.Verdict(); v != conformance.VerdictNotConform {
		t.Errorf("verdict %s, want not conform", v)
	}
	f := rep.Findings()
	for _, want := range []string{"Geldbedragen – Bedragen zijn tekst", "Paginering – Headers X-WP-Total en X-WP-TotalPages"} {
		if !strings.Contains(f, want) {
			t.Errorf("findings lack %q:\n%s", want, f)
		}
	}
}

func TestUnauthorizedStopsTheRest(t *testing.T) {
	t.Parallel()
	shop, target := shopAPI(t, demoshop.Options{Products: 5}, nil)
	shop.SetFaults(demoshop.Faults{Unauthorized: true})
	rep := conformance.Run(context.Background(), target, runOptions())
	sane(t, rep)
	wantOutcome(t, rep, conformance.CheckReachable, conformance.Conform)
	auth := wantOutcome(t, rep, conformance.CheckAuth, conformance.NotConform, "401")
	if !strings.Contains(auth.Detail, "401") {
		t.Errorf("auth detail %q lacks the status", auth.Detail)
	}
	for _, c := range rep.Checks {
		if c.ID == conformance.CheckReachable || c.ID == conformance.CheckAuth {
			continue
		}
		if c.Outcome != conformance.NotTested || !strings.Contains(c.Finding, "weigerde onze sleutel") {
			t.Errorf("%s after a refused key: %s %q", c.ID, c.Outcome, c.Finding)
		}
	}
	if v := rep.Verdict(); v != conformance.VerdictNotConform {
		t.Errorf("verdict %s", v)
	}
	if shop.Requests() > 5 {
		t.Errorf("%d requests after a refused key; the run should stop", shop.Requests())
	}
}

// ignoreParams serves the shop as an API that ignores per_page (always 10)
// and modified_after.
func ignoreParams(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if strings.HasSuffix(r.URL.Path, "/products") {
			if q.Has("per_page") {
				q.Set("per_page", "10")
			}
			q.Del("modified_after")
			r.URL.RawQuery = q.Encode()
		}
		h.ServeHTTP(w, r)
	})
}

func TestIgnoredParameters(t *testing.T) {
	t.Parallel()
	_, target := shopAPI(t, demoshop.Options{Products: 24}, ignoreParams)
	rep := conformance.Run(context.Background(), target, runOptions())
	sane(t, rep)
	wantOutcome(t, rep, "paging_per_page", conformance.NotConform, "kregen er 10", "X-WP-Total 24")
	wantOutcome(t, rep, "modified_future", conformance.NotConform, "0 zijn")
	wantOutcome(t, rep, "modified_between", conformance.NotConform, "eerder zijn gewijzigd")
	wantOutcome(t, rep, "modified_past", conformance.Conform)
}

func TestAPIWithoutVariableProductsOrBrands(t *testing.T) {
	t.Parallel()
	// An API that echoes the credentials it got in an error body.
	echo := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/products/brands") {
				key, secret, _ := r.BasicAuth()
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"code":"no_brands","message":"no brands for ` + key + `/` + secret + `"}`))
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	_, target := shopAPI(t, demoshop.Options{Products: 4, VariableEvery: -1}, echo)
	rep := conformance.Run(context.Background(), target, runOptions())
	sane(t, rep)
	if c := check(t, rep, "endpoint_brands"); !strings.Contains(c.Detail, "[verborgen]") {
		t.Errorf("the echoed credentials are not hidden: %q", c.Detail)
	}
	c := wantOutcome(t, rep, "endpoint_variations", conformance.NotTested, "geen variabel product")
	if c.Required {
		t.Error("variations are required although there is nothing to test")
	}
	wantOutcome(t, rep, "endpoint_brands", conformance.Warning, "404")
	if f := rep.Findings(); !strings.Contains(f, "(waarschuwing)") {
		t.Errorf("findings do not mark the warning:\n%s", f)
	}
}
