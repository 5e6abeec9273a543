package portal_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/web/components"
)

var supSeq atomic.Int64

// supAdmitted is an organisation admitted through the real flow (apply →
// review → admit) with a logged-in supplier user of its own.
type supAdmitted struct {
	App    admission.Application
	ID     int64
	User   account.User
	Client *http.Client
}

func supAdmit(t *testing.T, env *apptest.Env, platform admission.Platform) supAdmitted {
	t.Helper()
	ctx := context.Background()
	n := supSeq.Add(1)
	a, err := env.App.Supplier.Apply(ctx, supplier.ApplicationInput{
		CompanyName: fmt.Sprintf("Koppelwinkel %d B.V.", n), KvK: fmt.Sprintf("%08d", 63000000+n), VATID: "NL123456789B01",
		IBAN: "NL91ABNA0417164300", ContactName: "Kim Koppel", Email: fmt.Sprintf("contact%d@koppel.example", n),
		Phone: "020 123 4567", Website: "https://koppel.example", Platform: string(platform), AcceptTerms: true,
	}, "192.0.2.1")
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if err := env.App.Supplier.StartReview(ctx, supStaff(env), a.ID); err != nil {
		t.Fatalf("start review: %v", err)
	}
	if a, err = env.App.Supplier.Admit(ctx, supStaff(env), a.ID); err != nil {
		t.Fatalf("admit: %v", err)
	}
	u := env.CreateUser(t, fmt.Sprintf("medewerker%d@koppel.example", n), account.RoleSupplier, a.SupplierID)
	return supAdmitted{App: a, ID: *a.SupplierID, User: u, Client: env.Login(t, u.Email)}
}

func supStaff(env *apptest.Env) audit.Actor {
	u := env.Users[account.RoleAdmin]
	return audit.Actor{UserID: &u.ID, Email: u.Email}
}

// supMove moves an application the way the booking and test steps do, for
// the states these tests do not drive through their own pages.
func supMove(t *testing.T, env *apptest.Env, appID int64, to admission.State) {
	t.Helper()
	ctx := context.Background()
	err := env.App.Store.InTx(ctx, func(tx *store.Store) error {
		a, err := tx.ApplicationGetForUpdate(ctx, appID)
		if err != nil {
			return err
		}
		_, err = tx.ApplicationMove(ctx, a, to, audit.Actor{Email: "test"}, "test")
		return err
	})
	if err != nil {
		t.Fatalf("moving application %d to %s: %v", appID, to, err)
	}
}

func supState(t *testing.T, env *apptest.Env, appID int64) admission.State {
	t.Helper()
	a, err := env.App.Store.ApplicationGet(context.Background(), appID)
	if err != nil {
		t.Fatal(err)
	}
	return a.State
}

func supKeys(t *testing.T, env *apptest.Env, supplierID int64) []store.APIKey {
	t.Helper()
	keys, err := env.App.Store.APIKeyList(context.Background(), supplierID)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// supCreateKey posts the new-key form.
func supCreateKey(t *testing.T, env *apptest.Env, c *http.Client, environment, name string) flowPage {
	t.Helper()
	return flowRead(t, env.PostForm(t, c, "/koppeling/sleutels", url.Values{"environment": {environment}, "name": {name}}))
}

func TestSupplierAPIKeys(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	me := supAdmit(t, env, admission.WooCommerce)

	p := flowRead(t, env.Get(t, me.Client, "/koppeling/sleutels")).want(t, http.StatusOK)
	if !p.Has("create-key") || p.Has("keys-blocked") || p.Has("key-row") {
		t.Fatalf("keys page of a freshly admitted supplier: want the form and no keys:\n%s", p.Body)
	}

	// Creating shows the secret once, on the answer to the POST itself.
	resp := env.PostForm(t, me.Client, "/koppeling/sleutels", url.Values{"environment": {"acceptance"}, "name": {"Koppeling"}})
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q on the page with the secret, want no-store", cc)
	}
	p = flowRead(t, resp).want(t, http.StatusOK)
	secret, _ := p.Doc.Find(`[data-testid="new-key-secret"]`).Attr("value")
	if !regexp.MustCompile(`^ohis_acc_[0-9a-f]{6}_\S{20,}$`).MatchString(secret) {
		t.Fatalf("new acceptance secret %q, want ohis_acc_ + id + secret", secret)
	}
	if !strings.Contains(p.TestID("new-key"), "Kopieer deze sleutel nu; hij wordt niet meer getoond") {
		t.Errorf("no warning that the secret is shown once: %q", p.TestID("new-key"))
	}
	keys := supKeys(t, env, me.ID)
	if len(keys) != 1 || !strings.HasPrefix(secret, keys[0].Prefix+"_") {
		t.Fatalf("stored keys %+v, want one whose prefix starts the secret", keys)
	}
	var stored []byte
	if err := env.App.Pool.QueryRow(ctx, "SELECT secret_hash FROM api_keys WHERE id = $1", keys[0].ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored, []byte(secret)) || !bytes.Equal(stored, supplier.HashAPIKey(secret)) {
		t.Errorf("stored secret_hash %x is not the SHA-256 of the secret", stored)
	}

	p = flowRead(t, env.Get(t, me.Client, "/koppeling/sleutels")).want(t, http.StatusOK)
	if strings.Contains(p.Body, secret) || strings.Contains(p.Body, strings.TrimPrefix(secret, keys[0].Prefix+"_")) {
		t.Error("the keys list shows the secret again")
	}
	if got := p.Doc.Find(`[data-testid="keys-acceptance"] [data-testid="key-prefix"]`).Text(); !strings.Contains(got, keys[0].Prefix) {
		t.Errorf("acceptance keys show prefix %q, want %q", got, keys[0].Prefix)
	}

	t.Run("prefix per environment", func(t *testing.T) {
		// The same name in another environment is a different key.
		p := supCreateKey(t, env, me.Client, "test", "Koppeling").want(t, http.StatusOK)
		if v, _ := p.Doc.Find(`[data-testid="new-key-secret"]`).Attr("value"); !strings.HasPrefix(v, "ohis_test_") {
			t.Errorf("test secret %q, want prefix ohis_test_", v)
		}
	})

	t.Run("a second live key with the same name is refused", func(t *testing.T) {
		before := len(supKeys(t, env, me.ID))
		p := supCreateKey(t, env, me.Client, "acceptance", " koppeling ").want(t, http.StatusUnprocessableEntity)
		if msg := p.TestID("error-name"); !strings.Contains(msg, "al een actieve sleutel met de naam") {
			t.Errorf("name error %q, want that a live key has this name", msg)
		}
		if p.Has("new-key-secret") {
			t.Error("a refused key shows a secret")
		}
		if n := len(supKeys(t, env, me.ID)); n != before {
			t.Errorf("%d keys after the double submit, want %d", n, before)
		}
	})

	t.Run("bad input keeps what was typed", func(t *testing.T) {
		p := supCreateKey(t, env, me.Client, "staging", "Kassa").want(t, http.StatusUnprocessableEntity)
		if p.TestID("error-environment") == "" || p.Value("name") != "Kassa" {
			t.Errorf("environment error %q, name kept %q; want a message and Kassa", p.TestID("error-environment"), p.Value("name"))
		}
		p = supCreateKey(t, env, me.Client, "test", "").want(t, http.StatusUnprocessableEntity)
		if p.TestID("error-name") == "" || !p.Has("error-summary") {
			t.Errorf("empty name: no field error or summary:\n%s", p.Body)
		}
	})

	t.Run("no production key before production", func(t *testing.T) {
		before := len(supKeys(t, env, me.ID))
		p := supCreateKey(t, env, me.Client, "production", "Live").want(t, http.StatusUnprocessableEntity)
		if msg := p.TestID("key-refused"); !strings.Contains(msg, "tot productie bent toegelaten") {
			t.Errorf("refusal %q, want the Dutch reason", msg)
		}
		if n := len(supKeys(t, env, me.ID)); n != before {
			t.Errorf("%d keys after the refusal, want %d", n, before)
		}
	})

	t.Run("another supplier neither sees nor revokes my key", func(t *testing.T) {
		other := supAdmit(t, env, admission.Shopify)
		p := flowRead(t, env.Get(t, other.Client, "/koppeling/sleutels")).want(t, http.StatusOK)
		if p.Has("key-row") || strings.Contains(p.Body, keys[0].Prefix) {
			t.Errorf("the other supplier's list shows my key %s:\n%s", keys[0].Prefix, p.Body)
		}
		resp := env.PostForm(t, other.Client, fmt.Sprintf("/koppeling/sleutels/%d/intrekken", keys[0].ID), url.Values{})
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("revoking another supplier's key: %d, want 404", resp.StatusCode)
		}
		if _, err := env.App.Store.APIKeyByHash(ctx, supplier.HashAPIKey(secret)); err != nil {
			t.Errorf("my key no longer works after the other supplier's attempt: %v", err)
		}
	})

	t.Run("revoke", func(t *testing.T) {
		path := fmt.Sprintf("/koppeling/sleutels/%d/intrekken", keys[0].ID)
		p := flowFollow(t, env, me.Client, env.PostForm(t, me.Client, path, url.Values{})).want(t, http.StatusOK)
		if f := p.TestID("flash"); !strings.Contains(f, "is ingetrokken") {
			t.Errorf("flash %q, want that the key is revoked", f)
		}
		if got := p.Doc.Find(`[data-testid="keys-acceptance"] [data-testid="key-status"]`).Text(); got != "Ingetrokken" {
			t.Errorf("status %q, want Ingetrokken", got)
		}
		if _, err := env.App.Store.APIKeyByHash(ctx, supplier.HashAPIKey(secret)); err == nil {
			t.Error("the revoked key still works")
		}
		// A double submit says so instead of failing.
		p = flowFollow(t, env, me.Client, env.PostForm(t, me.Client, path, url.Values{})).want(t, http.StatusOK)
		if f := p.TestID("flash"); !strings.Contains(f, "was al ingetrokken") {
			t.Errorf("second revoke: flash %q, want that it was already revoked", f)
		}
		// With the old one revoked, its name is free again.
		supCreateKey(t, env, me.Client, "acceptance", "Koppeling").want(t, http.StatusOK)
	})

	t.Run("not admitted", func(t *testing.T) {
		c := env.LoginRole(t, account.RoleSupplier)
		p := flowRead(t, env.Get(t, c, "/koppeling/sleutels")).want(t, http.StatusOK)
		if !p.Has("keys-blocked") || p.Has("create-key") {
			t.Errorf("organisation without admission: want the explanation and no form:\n%s", p.Body)
		}
		p = supCreateKey(t, env, c, "test", "Koppeling").want(t, http.StatusUnprocessableEntity)
		if !strings.Contains(p.TestID("key-refused"), "zodra u als aanbieder bent toegelaten") {
			t.Errorf("refusal %q, want the Dutch reason", p.TestID("key-refused"))
		}
		if n := len(supKeys(t, env, env.Supplier.ID)); n != 0 {
			t.Errorf("%d keys for an organisation without admission", n)
		}
	})
}

func TestSupplierReportsReady(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	me := supAdmit(t, env, admission.WooCommerce)
	post := func(path string) flowPage {
		t.Helper()
		resp := env.PostForm(t, me.Client, path, url.Values{})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Fatalf("POST %s: %d to %q, want 303 to /", path, resp.StatusCode, loc)
		}
		return flowFollow(t, env, me.Client, resp).want(t, http.StatusOK)
	}

	// A test key is not enough: the acceptance environment is where it counts.
	supCreateKey(t, env, me.Client, "test", "Proef").want(t, http.StatusOK)
	p := post("/koppeling/gereed")
	if f := p.TestID("flash"); !strings.Contains(f, "Maak eerst een API-sleutel voor de acceptatieomgeving aan") {
		t.Errorf("report ready without acceptance key: flash %q, want the Dutch reason", f)
	}
	if st := supState(t, env, me.App.ID); st != admission.Admitted {
		t.Fatalf("state %s after a refused report, want admitted", st)
	}

	supCreateKey(t, env, me.Client, "acceptance", "Koppeling").want(t, http.StatusOK)
	p = post("/koppeling/gereed")
	if f := p.TestID("flash"); !strings.Contains(f, "gereed gemeld") {
		t.Errorf("flash %q, want the confirmation", f)
	}
	if st := supState(t, env, me.App.ID); st != admission.IntegrationReady {
		t.Fatalf("state %s, want integration_ready", st)
	}
	trail, err := env.App.Store.AdmissionTransitions(ctx, me.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := trail[len(trail)-1]
	if last.From != admission.Admitted || last.To != admission.IntegrationReady || last.ActorEmail != me.User.Email {
		t.Errorf("last transition %+v, want admitted → integration_ready by %s", last, me.User.Email)
	}
	if got := p.Doc.Find(`[data-testid="next-action"]`).AttrOr("data-kind", ""); got != "book-test" {
		t.Errorf("next action %q, want book-test", got)
	}

	// A double submit moves nothing twice.
	p = post("/koppeling/gereed")
	if f := p.TestID("flash"); !strings.Contains(f, "al gereed gemeld") {
		t.Errorf("second report: flash %q", f)
	}
	if again, _ := env.App.Store.AdmissionTransitions(ctx, me.App.ID); len(again) != len(trail) {
		t.Errorf("%d transitions after a double submit, want %d", len(again), len(trail))
	}

	p = post("/koppeling/gereed/intrekken")
	if st := supState(t, env, me.App.ID); st != admission.Admitted {
		t.Fatalf("state %s after withdrawing, want admitted", st)
	}
	if f := p.TestID("flash"); !strings.Contains(f, "ingetrokken") {
		t.Errorf("withdraw: flash %q", f)
	}
	trail, _ = env.App.Store.AdmissionTransitions(ctx, me.App.ID)
	if last := trail[len(trail)-1]; last.From != admission.IntegrationReady || last.To != admission.Admitted {
		t.Errorf("last transition %+v, want integration_ready → admitted", last)
	}
	p = post("/koppeling/gereed/intrekken")
	if f := p.TestID("flash"); !strings.Contains(f, "niets in te trekken") {
		t.Errorf("withdrawing twice: flash %q, want the Dutch reason", f)
	}

	// An organisation without an application is told, not shown an error.
	c := env.LoginRole(t, account.RoleSupplier)
	resp := env.PostForm(t, c, "/koppeling/gereed", url.Values{})
	p = flowFollow(t, env, c, resp).want(t, http.StatusOK)
	if f := p.TestID("flash"); !strings.Contains(f, "zodra u als aanbieder bent toegelaten") {
		t.Errorf("report ready without admission: flash %q", f)
	}
}

// supHome reads the start page and checks the step marked current.
func supHome(t *testing.T, env *apptest.Env, c *http.Client, wantStep int, wantKind string) flowPage {
	t.Helper()
	p := flowRead(t, env.Get(t, c, "/")).want(t, http.StatusOK)
	cur := p.Doc.Find(`[data-testid="steps"] li[aria-current="step"]`)
	if cur.Length() != 1 || cur.AttrOr("data-testid", "") != fmt.Sprintf("step-%d", wantStep) {
		t.Errorf("current step %q (%d marked), want step-%d", cur.AttrOr("data-testid", ""), cur.Length(), wantStep)
	}
	if got := p.Doc.Find(`[data-testid="next-action"]`).AttrOr("data-kind", ""); got != wantKind {
		t.Errorf("next action %q (%q), want %s", got, p.TestID("next-action-title"), wantKind)
	}
	return p
}

func supStepStates(p flowPage) string {
	var out []string
	p.Doc.Find(`[data-testid="steps"] li`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-state", "")) })
	return strings.Join(out, " ")
}

func TestSupplierStartPageFollowsAdmission(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()

	t.Run("automatic route through to production", func(t *testing.T) {
		me := supAdmit(t, env, admission.WooCommerce)
		p := supHome(t, env, me.Client, 3, "create-key")
		if got := supStepStates(p); got != "done done current todo todo todo" {
			t.Errorf("step states %q", got)
		}
		if href := p.Doc.Find(`[data-testid="next-action-link"]`).AttrOr("href", ""); href != "/koppeling/sleutels" {
			t.Errorf("next action links to %q, want the keys page", href)
		}
		deadline, _ := me.App.Deadline()
		if got := p.TestID("deadline"); !strings.Contains(got, components.Date(deadline)) {
			t.Errorf("deadline %q, want %s (2 weeks after admission)", got, components.Date(deadline))
		}
		if note := p.TestID("deadline-note"); !regexp.MustCompile(`^nog 1[345] dagen$`).MatchString(note) {
			t.Errorf("deadline note %q, want about two weeks left", note)
		}
		if !strings.Contains(p.TestID("admission-state"), admission.Admitted.Label()) {
			t.Errorf("state %q", p.TestID("admission-state"))
		}

		supCreateKey(t, env, me.Client, "acceptance", "Koppeling").want(t, http.StatusOK)
		p = supHome(t, env, me.Client, 3, "report-ready")
		if f := p.Doc.Find(`[data-testid="next-action"] form`); f.AttrOr("action", "") != "/koppeling/gereed" || f.AttrOr("method", "") != "post" {
			t.Errorf("report-ready is not a POST form to /koppeling/gereed")
		}

		if err := env.App.Supplier.ReportReady(ctx, audit.Actor{UserID: &me.User.ID, Email: me.User.Email}, me.ID); err != nil {
			t.Fatal(err)
		}
		p = supHome(t, env, me.Client, 4, "book-test")
		if !p.Has("withdraw-ready") || p.Doc.Find(`[data-testid="next-action-link"]`).AttrOr("href", "") != "/koppeling/integratietest" {
			t.Errorf("integration ready: want a link to book the test and a way to withdraw:\n%s", p.TestID("next-action"))
		}

		supMove(t, env, me.App.ID, admission.TestBooked)
		p = supHome(t, env, me.Client, 5, "test-booked")
		if got := supStepStates(p); got != "done done done done current todo" {
			t.Errorf("test booked: step states %q", got)
		}

		supMove(t, env, me.App.ID, admission.Production)
		p = supHome(t, env, me.Client, 6, "production")
		if got := supStepStates(p); got != "done done done done done done" {
			t.Errorf("production: step states %q", got)
		}
		if p.Has("deadline") {
			t.Error("production still shows a deadline")
		}
	})

	t.Run("overdue", func(t *testing.T) {
		me := supAdmit(t, env, admission.Magento)
		if _, err := env.App.Pool.Exec(ctx, "UPDATE applications SET admitted_at = now() - interval '20 days' WHERE id = $1", me.App.ID); err != nil {
			t.Fatal(err)
		}
		p := supHome(t, env, me.Client, 3, "create-key")
		note := p.Doc.Find(`[data-testid="deadline-note"]`)
		if note.AttrOr("data-overdue", "") != "true" || !regexp.MustCompile(`^[567] dagen te laat$`).MatchString(note.Text()) {
			t.Errorf("overdue note %q (overdue=%q), want about 6 days late, highlighted", note.Text(), note.AttrOr("data-overdue", ""))
		}
	})

	t.Run("custom route", func(t *testing.T) {
		me := supAdmit(t, env, admission.CustomAPI)
		p := supHome(t, env, me.Client, 3, "submit-api")
		if href := p.Doc.Find(`[data-testid="next-action-link"]`).AttrOr("href", ""); href != "/koppeling/eigen-api" {
			t.Errorf("next action links to %q, want /koppeling/eigen-api", href)
		}
		if p.Has("deadline") || !strings.Contains(p.TestID("deadline-pending"), "4 weken") {
			t.Errorf("custom route before submission: want no deadline but when it starts, got %q", p.TestID("deadline-pending"))
		}
	})

	t.Run("alternative integration", func(t *testing.T) {
		me := supAdmit(t, env, admission.EasyPOS)
		if err := env.App.Supplier.SetAlternative(ctx, supStaff(env), me.App.ID, "Koppeling via EDI afgesproken"); err != nil {
			t.Fatal(err)
		}
		p := supHome(t, env, me.Client, 3, "report-ready")
		if !strings.Contains(p.TestID("alternative"), "Koppeling via EDI afgesproken") || p.Has("deadline") {
			t.Errorf("alternative %q, deadline shown %v; want the marker and no deadline", p.TestID("alternative"), p.Has("deadline"))
		}
	})

	t.Run("excluded", func(t *testing.T) {
		me := supAdmit(t, env, admission.Lightspeed)
		if err := env.App.Supplier.Exclude(ctx, supStaff(env), me.App.ID, "Koppeling twee keer niet conform"); err != nil {
			t.Fatal(err)
		}
		p := supHome(t, env, me.Client, 3, "stopped")
		if got := supStepStates(p); got != "done done stopped todo todo todo" {
			t.Errorf("excluded: step states %q", got)
		}
		if !p.Has("admission-stopped") || p.TestID("admission-reason") != "Koppeling twee keer niet conform" {
			t.Errorf("exclusion shown as %q, want the reason", p.TestID("admission-stopped"))
		}
	})

	t.Run("organisation without application", func(t *testing.T) {
		p := flowRead(t, env.Get(t, env.LoginRole(t, account.RoleSupplier), "/")).want(t, http.StatusOK)
		if p.Has("admission-progress") || p.Has("next-action") {
			t.Error("an organisation without application is shown admission steps")
		}
	})
}

func TestIntegrationGuide(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	me := supAdmit(t, env, admission.WooCommerce)

	p := flowRead(t, env.Get(t, me.Client, "/koppeling/handleiding")).want(t, http.StatusOK)
	guide := p.Doc.Find(`[data-testid="guide"]`)
	if guide.Find("h1").Length() != 1 || guide.Find("h2").Length() < 6 || guide.Find("table").Length() == 0 || guide.Find("pre code").Length() == 0 {
		t.Fatalf("guide lacks its heading, sections, tables or code:\n%s", p.Body)
	}
	if guide.Find("script, iframe, [onclick], [style]").Length() > 0 {
		t.Error("the rendered guide contains script, iframes or inline handlers")
	}
	html, _ := guide.Html()
	if strings.Contains(strings.ToLower(html), "<script") {
		t.Error("the rendered guide contains <script")
	}
	// Every table-of-contents entry leads to a heading on the page.
	toc := p.Doc.Find(`[data-testid="guide-toc"] a`)
	if toc.Length() < 20 {
		t.Errorf("table of contents has %d entries", toc.Length())
	}
	toc.Each(func(_ int, a *goquery.Selection) {
		id := strings.TrimPrefix(a.AttrOr("href", ""), "#")
		if guide.Find(`h2[id="`+id+`"], h3[id="`+id+`"]`).Length() != 1 {
			t.Errorf("contents entry %q leads nowhere", a.Text())
		}
	})
	for _, want := range []string{"ohis_test_", "ohis_acc_", "ohis_live_", "X-WC-Webhook-Signature", "X-WP-TotalPages", "modified_after", "Retry-After"} {
		if !strings.Contains(guide.Text(), want) {
			t.Errorf("the guide does not mention %s", want)
		}
	}

	for name, c := range map[string]*http.Client{
		"without application": env.LoginRole(t, account.RoleSupplier),
		"excluded": func() *http.Client {
			x := supAdmit(t, env, admission.Shopify)
			if err := env.App.Supplier.Exclude(context.Background(), supStaff(env), x.App.ID, "Uitgesloten"); err != nil {
				t.Fatal(err)
			}
			return x.Client
		}(),
	} {
		p := flowRead(t, env.Get(t, c, "/koppeling/handleiding")).want(t, http.StatusOK)
		if !p.Has("guide-unavailable") || p.Has("guide") {
			t.Errorf("%s: want the explanation instead of the guide", name)
		}
	}
}
