package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	ct "github.com/wujw/ohis/internal/curation/curationtest"
	"github.com/wujw/ohis/internal/store"
)

// curationEnv is an app with a production connection of env.Supplier.
func curationEnv(t *testing.T) (*apptest.Env, int64) {
	t.Helper()
	env := apptest.New(t)
	return env, ct.Connection(t, env.App.Pool, env.Supplier.ID, "production")
}

func htmxGet(t *testing.T, env *apptest.Env, c *http.Client, path string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.Server.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestCurationQueuePage(t *testing.T) {
	t.Parallel()
	env, conn := curationEnv(t)
	ct.Category(t, env.App.Pool, conn, "c1", "Spaarlampen")
	var ids []int64
	for i := range 55 {
		ids = append(ids, ct.AddProduct(t, env.App.Pool, conn, ct.Product{Name: fmt.Sprintf("Spaarlamp %02d", i), PriceCents: int64(100 + i),
			CategoryIDs: []string{"c1"}, Images: []string{"https://shop.example/img/" + strconv.Itoa(i) + ".jpg"}}))
	}
	c := env.LoginRole(t, account.RoleCurator)

	resp := env.Get(t, c, "/beheer/curatie")
	body := apptest.Body(t, resp)
	doc := parseHTML(t, body)
	if resp.StatusCode != 200 || doc.Find(`[data-testid="queue-row"]`).Length() != 50 || doc.Find(`[data-testid="queue-total"]`).Text() != "55 producten" {
		t.Fatalf("queue: %d, %d rows, total %q", resp.StatusCode, doc.Find(`[data-testid="queue-row"]`).Length(), doc.Find(`[data-testid="queue-total"]`).Text())
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: https:") || strings.Contains(csp, "script-src 'self' https:") {
		t.Errorf("queue CSP = %q", csp)
	}
	img := doc.Find(`[data-testid="queue-row"] img.thumb`).First()
	if src, _ := img.Attr("src"); src != "https://shop.example/img/0.jpg" || img.AttrOr("loading", "") != "lazy" {
		t.Errorf("thumbnail: %v", img.Nodes)
	}
	// Keyset pages: the next page holds the rest, in order.
	next, ok := doc.Find(`[data-testid="queue-next"]`).Attr("href")
	if !ok || !strings.Contains(next, "na=") || strings.Contains(next, "OFFSET") {
		t.Fatalf("next link %q", next)
	}
	doc2 := parseHTML(t, apptest.Body(t, env.Get(t, c, next)))
	if n := doc2.Find(`[data-testid="queue-row"]`).Length(); n != 5 || doc2.Find(`[data-testid="queue-row"]`).First().AttrOr("data-id", "") != strconv.FormatInt(ids[50], 10) {
		t.Fatalf("second page: %d rows starting at %s", n, doc2.Find(`[data-testid="queue-row"]`).First().AttrOr("data-id", ""))
	}

	// Filters live in the URL; htmx gets the results with the supplier
	// category filter out of band.
	path := fmt.Sprintf("/beheer/curatie?q=spaarlamp+07&aanbieder=%d&prijs-van=1,05&prijs-tot=1,10&sorteer=prijs-aflopend", env.Supplier.ID)
	resp = htmxGet(t, env, c, path)
	body = apptest.Body(t, resp)
	doc = parseHTML(t, body)
	if doc.Find("html").Length() != 0 && strings.Contains(body, "<html") {
		t.Error("htmx got a whole page")
	}
	if doc.Find(`#queue-results`).Length() != 1 || doc.Find(`#f-scat-field[hx-swap-oob]`).Length() != 1 ||
		!strings.Contains(doc.Find(`#f-scat`).Text(), "Spaarlampen") {
		t.Fatalf("htmx fragment: %s", body)
	}
	var names []string
	doc.Find(`[data-testid="queue-product"]`).Each(func(_ int, s *goquery.Selection) { names = append(names, s.Text()) })
	if strings.Join(names, ",") != "Spaarlamp 07" {
		// "spaarlamp 07" with prices 1,05–1,10: full text matches "07" only on product 07.
		t.Errorf("filtered rows = %v", names)
	}
	// The bulk form repeats the filter for "everything matching".
	if v, _ := doc.Find(`[data-testid="bulk-form"] input[name="prijs-van"]`).Attr("value"); v != "1,05" {
		t.Errorf("bulk form lost the filter: %q", v)
	}
	// Bad filter values are said, not fatal.
	doc = parseHTML(t, apptest.Body(t, env.Get(t, c, "/beheer/curatie?prijs-van=veel&sinds=gisteren&na=abc:def&sorteer=hack")))
	if doc.Find(`[data-testid="filter-error"]`).Length() != 2 || doc.Find(`[data-testid="queue-row"]`).Length() != 50 {
		t.Errorf("bad filter values: %d errors, %d rows", doc.Find(`[data-testid="filter-error"]`).Length(), doc.Find(`[data-testid="queue-row"]`).Length())
	}
	// Any search text is answered.
	for _, q := range []string{`'; DROP TABLE products; --`, `%_\`, strings.Repeat("ä", 5000), "\x00"} {
		resp := env.Get(t, c, "/beheer/curatie?q="+url.QueryEscape(q))
		if b := apptest.Body(t, resp); resp.StatusCode != 200 || !strings.Contains(b, `data-testid="queue-results"`) {
			t.Errorf("search %.20q: %d", q, resp.StatusCode)
		}
	}
}

func TestCurationReviewAndDecisions(t *testing.T) {
	t.Parallel()
	env, conn := curationEnv(t)
	ctx := context.Background()
	ct.Category(t, env.App.Pool, conn, "c1", "Isolatie")
	ct.Brand(t, env.App.Pool, conn, "b1", "Kingspan")
	id := ct.AddProduct(t, env.App.Pool, conn, ct.Product{
		Name: "Isolatieplaat 60 mm", SKU: "KS-60", PriceCents: 2495, CategoryIDs: []string{"c1"}, BrandIDs: []string{"b1"},
		Description: `<p style="color:red" onclick="steal()">Hoge <b>Rd-waarde</b></p><script>alert(1)</script><img src="x" onerror="alert(2)">`,
		Images:      []string{"https://shop.example/ks60.jpg", "javascript:alert(3)"},
		Variants:    []ct.Variant{{ExternalID: "v1", PriceCents: 2495, Option: "Dikte", Value: "60 mm"}, {ExternalID: "v2", PriceCents: 2995, Option: "Dikte", Value: "80 mm"}},
	})
	curator := env.LoginRole(t, account.RoleCurator)
	page := fmt.Sprintf("/beheer/curatie/%d", id)
	resp := env.Get(t, curator, page)
	body := apptest.Body(t, resp)
	doc := parseHTML(t, body)
	if resp.StatusCode != 200 || doc.Find(`[data-testid="product-name"]`).Text() != "Isolatieplaat 60 mm" {
		t.Fatalf("review page: %d", resp.StatusCode)
	}
	desc, _ := doc.Find(`[data-testid="description"]`).Html()
	for _, bad := range []string{"<script", "onclick", "onerror", "style=", "alert("} {
		if strings.Contains(desc, bad) {
			t.Errorf("description shows shop HTML unsanitised (%s): %s", bad, desc)
		}
	}
	if !strings.Contains(desc, "<b>Rd-waarde</b>") {
		t.Errorf("description lost its formatting: %s", desc)
	}
	if strings.Contains(body, "javascript:") {
		t.Error("a javascript: image address reached the page")
	}
	facts := doc.Find(`[data-testid="facts"]`).Text()
	for _, want := range []string{"Isolatie", "Kingspan", "KS-60", "vanaf € 24,95"} {
		if !strings.Contains(facts, want) {
			t.Errorf("facts lack %q: %s", want, facts)
		}
	}
	if doc.Find(`[data-testid="variants"] tbody tr`).Length() != 2 || !strings.Contains(doc.Find(`[data-testid="variants"]`).Text(), "Dikte: 80 mm") {
		t.Errorf("variants: %s", doc.Find(`[data-testid="variants"]`).Text())
	}

	// Rejecting without a reason says so; nothing changes.
	resp = env.PostForm(t, curator, page+"/afwijzen", url.Values{"versie": {"1"}, "toelichting": {"te duur"}})
	doc = parseHTML(t, apptest.Body(t, resp))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`[data-testid="error-summary"]`).Text(), "Kies een reden") ||
		doc.Find(`[data-testid="reject-text"]`).Text() != "te duur" {
		t.Fatalf("reject without reason: %d %s", resp.StatusCode, doc.Find(`[data-testid="error-summary"]`).Text())
	}
	// The syncer changes the product meanwhile: the open form is stale.
	if err := env.App.Store.InTx(ctx, func(tx *store.Store) error {
		return env.App.Curation.ProductsChanged(ctx, tx, []int64{id})
	}); err != nil {
		t.Fatal(err)
	}
	resp = env.PostForm(t, curator, page+"/goedkeuren", url.Values{"versie": {"1"}})
	doc = parseHTML(t, apptest.Body(t, resp))
	if resp.StatusCode != http.StatusConflict || doc.Find(`[data-testid="stale"]`).Text() != "Dit product is gewijzigd sinds u het opende; bekijk het opnieuw." {
		t.Fatalf("stale approve: %d %q", resp.StatusCode, doc.Find(`[data-testid="stale"]`).Text())
	}
	version := doc.Find(`form[action$="/goedkeuren"] input[name="versie"]`).AttrOr("value", "")
	if version != "2" {
		t.Fatalf("the refreshed page carries version %q, want 2", version)
	}
	// A forged return address is ignored.
	resp = env.PostForm(t, curator, page+"/goedkeuren", url.Values{"versie": {version}, "terug": {"https://evil.example/"}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/beheer/curatie" {
		t.Fatalf("approve: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// A significant change puts it back with a side-by-side diff.
	ct.Exec(t, env.App.Pool, `UPDATE product_variants SET price_cents = 3995 WHERE product_id = $1 AND external_id = 'v2'`, id)
	if err := env.App.Store.InTx(ctx, func(tx *store.Store) error { return env.App.Curation.ProductsChanged(ctx, tx, []int64{id}) }); err != nil {
		t.Fatal(err)
	}
	doc = parseHTML(t, apptest.Body(t, env.Get(t, curator, page)))
	if doc.Find(`[data-testid="product-status"]`).Text() != "Gewijzigd" ||
		!strings.Contains(doc.Find(`[data-testid="change-summary"]`).Text(), "Prijs van variant Dikte: 80 mm verhoogd van € 29,95 naar € 39,95 (+33 %)") {
		t.Fatalf("changed product: %q %q", doc.Find(`[data-testid="product-status"]`).Text(), doc.Find(`[data-testid="change-summary"]`).Text())
	}
	changedRows := doc.Find(`[data-testid="diff-row"][data-changed="true"]`)
	if changedRows.Length() != 1 || !strings.Contains(changedRows.Text(), "Dikte: 80 mm — € 29,95") || !strings.Contains(changedRows.Text(), "Dikte: 80 mm — € 39,95") {
		t.Fatalf("diff: %s", doc.Find(`[data-testid="diff"]`).Text())
	}
	if !strings.Contains(doc.Find(`[data-testid="history"]`).Text(), "Product terug ter beoordeling na wijziging") {
		t.Error("history lacks the change")
	}
}

// A rejection's reason and text reach the supplier's product list, and no
// other supplier's.
func TestRejectionReasonReachesSupplier(t *testing.T) {
	t.Parallel()
	env, conn := curationEnv(t)
	id := ct.AddProduct(t, env.App.Pool, conn, ct.Product{Name: "Tochtband wit"})
	reasons, err := env.App.Store.RejectionReasons(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	curator := env.LoginRole(t, account.RoleCurator)
	resp := env.PostForm(t, curator, fmt.Sprintf("/beheer/curatie/%d/afwijzen", id), url.Values{
		"versie": {"1"}, "reden": {strconv.FormatInt(reasons[0].ID, 10)}, "toelichting": {"Vermeld de isolatiewaarde."},
	})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d", resp.StatusCode)
	}
	own := apptest.Body(t, env.Get(t, env.LoginRole(t, account.RoleSupplier), "/producten"))
	for _, want := range []string{"Tochtband wit", reasons[0].Label, "Vermeld de isolatiewaarde."} {
		if !strings.Contains(own, want) {
			t.Errorf("the supplier's product list lacks %q", want)
		}
	}
	other := apptest.Body(t, env.Get(t, env.Login(t, env.OtherSupplierUser.Email), "/producten"))
	if strings.Contains(other, "Tochtband wit") || strings.Contains(other, "Vermeld de isolatiewaarde.") {
		t.Error("another supplier sees the product or its reason")
	}
	var entries int
	if err := env.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1 AND subject_id = $2 AND actor_email = $3`,
		string(audit.CurationRejected), strconv.FormatInt(id, 10), env.Users[account.RoleCurator].Email).Scan(&entries); err != nil || entries != 1 {
		t.Errorf("%d audit entries (%v)", entries, err)
	}
}

func TestCurationBulkAndCategoriesPages(t *testing.T) {
	t.Parallel()
	env, conn := curationEnv(t)
	env.App.Curation.DirectLimit = 3
	cat := ct.Category(t, env.App.Pool, conn, "c9", "Douchekoppen")
	var ids []int64
	for range 5 {
		ids = append(ids, ct.AddProduct(t, env.App.Pool, conn, ct.Product{CategoryIDs: []string{"c9"}}))
	}
	c := env.LoginRole(t, account.RoleCurator)
	// Everything matching the filter: 5 > 3, so a job with a progress page.
	resp := env.PostForm(t, c, "/beheer/curatie/bulk", url.Values{"selectie": {"filter"}, "actie": {"goedkeuren"},
		"aanbieder": {strconv.FormatInt(env.Supplier.ID, 10)}, "terug": {"/beheer/curatie?status=alle"}})
	apptest.Body(t, resp)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/beheer/curatie/bulk/") {
		t.Fatalf("bulk start: %d %q", resp.StatusCode, loc)
	}
	// River runs the job in the app; the progress page reports it.
	var status string
	for range 100 {
		doc := parseHTML(t, apptest.Body(t, htmxGet(t, env, c, loc)))
		if status = doc.Find(`[data-testid="bulk-progress"]`).AttrOr("data-status", ""); status == "done" {
			if doc.Find(`[data-testid="bulk-decided"]`).Text() != "5" {
				t.Fatalf("bulk decided %q", doc.Find(`[data-testid="bulk-decided"]`).Text())
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if status != "done" {
		t.Fatalf("bulk job status %q", status)
	}
	for _, id := range ids {
		if cur, _ := env.App.Store.ProductCurationGet(context.Background(), id); cur.Status != store.CurationApproved {
			t.Errorf("product %d: %s", id, cur.Status)
		}
	}
	// Nothing picked: a Dutch message, nothing decided.
	resp = env.PostForm(t, c, "/beheer/curatie/bulk", url.Values{"selectie": {"gekozen"}, "actie": {"afwijzen"}})
	apptest.Body(t, resp)
	doc := parseHTML(t, apptest.Body(t, env.Get(t, c, resp.Header.Get("Location"))))
	if !strings.Contains(doc.Find(`[data-testid="flash"]`).Text(), "Selecteer eerst") {
		t.Errorf("empty bulk: flash %q", doc.Find(`[data-testid="flash"]`).Text())
	}

	// Categories: unmapped list, mapping, a bad slug.
	doc = parseHTML(t, apptest.Body(t, env.Get(t, c, "/beheer/categorieen")))
	if doc.Find(`[data-testid="category-row"]`).Length() != 7 || !strings.Contains(doc.Find(`[data-testid="unmapped"]`).Text(), "Douchekoppen") {
		t.Fatalf("categories page: %d rows; unmapped %q", doc.Find(`[data-testid="category-row"]`).Length(), doc.Find(`[data-testid="unmapped"]`).Text())
	}
	water := doc.Find(`[data-testid="category-row"][data-slug="water"] form`).AttrOr("action", "")
	waterID := strings.TrimPrefix(water, "/beheer/categorieen/")
	resp = env.PostForm(t, c, "/beheer/categorieen/koppelingen", url.Values{"categorie": {strconv.FormatInt(cat, 10)}, "platformcategorie": {waterID}})
	apptest.Body(t, resp)
	doc = parseHTML(t, apptest.Body(t, env.Get(t, c, "/beheer/curatie?status=alle&categorie="+waterID)))
	if doc.Find(`[data-testid="queue-total"]`).Text() != "5 producten" {
		t.Errorf("after mapping, Water holds %q", doc.Find(`[data-testid="queue-total"]`).Text())
	}
	resp = env.PostForm(t, c, "/beheer/categorieen", url.Values{"naam": {"Warmtepompen"}, "slug": {"Warmte Pompen!"}})
	doc = parseHTML(t, apptest.Body(t, resp))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`[data-testid="error-summary"]`).Text(), "URL-naam") {
		t.Errorf("bad slug: %d", resp.StatusCode)
	}
	// A category cannot move under itself.
	resp = env.PostForm(t, c, water, url.Values{"naam": {"Water"}, "slug": {"water"}, "onder": {waterID}})
	doc = parseHTML(t, apptest.Body(t, resp))
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Text(), "niet onder zichzelf") {
		t.Errorf("cycle: %d", resp.StatusCode)
	}
}
