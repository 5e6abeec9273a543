package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

var capiSeq atomic.Int64

// capiSupplier is a supplier admitted through the real flow, with a
// logged-in user of its own.
type capiSupplier struct {
	App    admission.Application
	User   account.User
	Client *http.Client
}

func capiAdmit(t *testing.T, env *apptest.Env, platform admission.Platform) capiSupplier {
	t.Helper()
	ctx := context.Background()
	n := capiSeq.Add(1)
	admin := env.Users[account.RoleAdmin]
	staff := audit.Actor{UserID: &admin.ID, Email: admin.Email}
	a, err := env.App.Supplier.Apply(ctx, supplier.ApplicationInput{
		CompanyName: fmt.Sprintf("API-winkel %d B.V.", n), KvK: fmt.Sprintf("%08d", 72000000+n), VATID: "NL123456789B01",
		IBAN: "NL91ABNA0417164300", ContactName: "Ada Aanbieder", Email: fmt.Sprintf("contact%d@apiwinkel.example", n),
		Phone: "020 123 4567", Website: "https://apiwinkel.example", Platform: string(platform), AcceptTerms: true,
	}, "192.0.2.9")
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if err := env.App.Supplier.StartReview(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	if a, err = env.App.Supplier.Admit(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	u := env.CreateUser(t, fmt.Sprintf("medewerker%d@apiwinkel.example", n), account.RoleSupplier, a.SupplierID)
	return capiSupplier{App: a, User: u, Client: env.Login(t, u.Email)}
}

func capiSubmit(t *testing.T, env *apptest.Env, s capiSupplier, baseURL, key, secret string) {
	t.Helper()
	resp := env.PostForm(t, s.Client, "/koppeling/eigen-api", url.Values{"base_url": {baseURL}, "consumer_key": {key}, "consumer_secret": {secret}})
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/koppeling/eigen-api" {
		t.Fatalf("submitting: %d %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
}

func capiOpenReview(t *testing.T, env *apptest.Env, appID int64) store.CustomAPIReview {
	t.Helper()
	reviews, err := env.App.Store.CustomAPIReviewList(context.Background(), appID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reviews {
		if !r.Decided() {
			return r
		}
	}
	t.Fatalf("application %d has no open review", appID)
	return store.CustomAPIReview{}
}

func capiDecide(t *testing.T, env *apptest.Env, c *http.Client, appID int64, outcome, findings string) *http.Response {
	t.Helper()
	r := capiOpenReview(t, env, appID)
	return env.PostForm(t, c, fmt.Sprintf("/beheer/aanmeldingen/%d/api-beoordeling/%d", appID, r.ID),
		url.Values{"outcome": {outcome}, "findings": {findings}})
}

func TestCustomAPIFormErrorsKeepValuesButNotTheSecret(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := capiAdmit(t, env, admission.CustomAPI)
	const secret = "cs_nooit-terugtonen-42"
	resp := env.PostForm(t, s.Client, "/koppeling/eigen-api", url.Values{
		"base_url": {"http://api.apiwinkel.nl"}, "consumer_key": {"ck_getypt"}, "consumer_secret": {secret},
	})
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("got %d, want 422:\n%s", resp.StatusCode, body)
	}
	doc := parseHTML(t, body)
	if msg := doc.Find(`[data-testid="error-base_url"]`).Text(); !strings.Contains(msg, "https://") {
		t.Errorf("base URL error %q, want a Dutch message about https://", msg)
	}
	if doc.Find(`[data-testid="error-summary"]`).Length() == 0 {
		t.Error("no error summary")
	}
	if v, _ := doc.Find(`input[name="base_url"]`).Attr("value"); v != "http://api.apiwinkel.nl" {
		t.Errorf("base URL field holds %q, want what was typed", v)
	}
	if v, _ := doc.Find(`input[name="consumer_key"]`).Attr("value"); v != "ck_getypt" {
		t.Errorf("consumer key field holds %q, want what was typed", v)
	}
	secretInput := doc.Find(`input[name="consumer_secret"]`)
	if typ, _ := secretInput.Attr("type"); typ != "password" {
		t.Errorf("consumer secret input has type %q, want password", typ)
	}
	if ac, _ := secretInput.Attr("autocomplete"); ac != "off" {
		t.Errorf("consumer secret autocomplete %q, want off", ac)
	}
	if strings.Contains(body, secret) {
		t.Error("the page shows the typed secret again")
	}

	// A missing secret is named as such.
	resp = env.PostForm(t, s.Client, "/koppeling/eigen-api", url.Values{"base_url": {"https://api.apiwinkel.nl"}, "consumer_key": {"ck_getypt"}})
	body = apptest.Body(t, resp)
	if msg := parseHTML(t, body).Find(`[data-testid="error-consumer_secret"]`).Text(); resp.StatusCode != 422 || !strings.Contains(msg, "consumer secret") {
		t.Errorf("without a secret: %d, message %q", resp.StatusCode, msg)
	}
	if reviews, _ := env.App.Store.CustomAPIReviewList(context.Background(), s.App.ID); len(reviews) != 0 {
		t.Errorf("%d submissions stored after invalid forms", len(reviews))
	}
}

func TestCustomAPISupplierSeesFindingsOthersSeeNothing(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := capiAdmit(t, env, admission.CustomAPI)
	other := capiAdmit(t, env, admission.CustomAPI)
	admin := env.LoginRole(t, account.RoleAdmin)

	resp := env.Get(t, s.Client, "/koppeling/eigen-api")
	body := apptest.Body(t, resp)
	doc := parseHTML(t, body)
	if resp.StatusCode != 200 || doc.Find(`[data-testid="custom-api-form"]`).Length() == 0 {
		t.Fatalf("before submitting: %d, want the form:\n%s", resp.StatusCode, body)
	}
	if got := doc.Find(`[data-testid="custom-api-deadline"]`).Text(); !strings.Contains(got, "4 weken") {
		t.Errorf("lead time text %q does not explain the 4 weeks", got)
	}

	const secret = "cs_supergeheim-9876"
	capiSubmit(t, env, s, "https://api.apiwinkel.nl/wp-json/wc/v3/", "ck_abcdef123456", secret)
	resp = capiDecide(t, env, admin, s.App.ID, "not_conform", "Webhooks missen de X-WC-Webhook-Signature.\nPaginering geeft geen X-WP-TotalPages.")
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deciding: %d", resp.StatusCode)
	}

	resp = env.Get(t, s.Client, "/koppeling/eigen-api")
	body = apptest.Body(t, resp)
	doc = parseHTML(t, body)
	findings := doc.Find(`[data-testid="custom-api-findings"]`).Text()
	for _, want := range []string{"X-WC-Webhook-Signature", "X-WP-TotalPages"} {
		if !strings.Contains(findings, want) {
			t.Errorf("the supplier's findings %q lack %q", findings, want)
		}
	}
	if got := doc.Find(`[data-testid="custom-api-outcome"]`).Text(); got != "Niet conform" {
		t.Errorf("outcome %q, want Niet conform", got)
	}
	if got := doc.Find(`[data-testid="custom-api-chances"]`).Text(); !strings.Contains(got, "nog 1 correctiekans") {
		t.Errorf("chances %q, want that one correction remains", got)
	}
	a, err := env.App.Store.ApplicationGet(context.Background(), s.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	deadline, _ := a.Deadline()
	if got := doc.Find(`[data-testid="custom-api-deadline"]`).Text(); !strings.Contains(got, deadline.In(capiAmsterdam(t)).Format("02-01-2006")) {
		t.Errorf("deadline text %q lacks %s", got, deadline.Format("02-01-2006"))
	}
	if doc.Find(`[data-testid="custom-api-form"]`).Length() == 0 {
		t.Error("no form for the one correction")
	}
	if strings.Contains(body, secret) || strings.Contains(body, "ck_abcdef123456") {
		t.Error("the page shows a credential in full")
	}
	if !strings.Contains(body, "ck_a••••••••") {
		t.Error("the page does not show the masked consumer key")
	}

	// Another supplier sees nothing of it.
	for _, c := range []*http.Client{other.Client, env.Login(t, env.OtherSupplierUser.Email)} {
		resp = env.Get(t, c, "/koppeling/eigen-api")
		body = apptest.Body(t, resp)
		if resp.StatusCode != 200 {
			t.Errorf("other supplier: %d", resp.StatusCode)
		}
		for _, leak := range []string{"X-WC-Webhook-Signature", "api.apiwinkel.nl", "ck_a••••••••", s.App.CompanyName} {
			if strings.Contains(body, leak) {
				t.Errorf("another supplier's page shows %q", leak)
			}
		}
	}

	// A second submission while the correction is open is refused with a
	// message, not stored twice.
	capiSubmit(t, env, s, "https://api.apiwinkel.nl/v2", "ck_abcdef123456", secret)
	resp = env.PostForm(t, s.Client, "/koppeling/eigen-api", url.Values{"base_url": {"https://api.apiwinkel.nl/v2"}, "consumer_key": {"ck_x"}, "consumer_secret": {"cs_x"}})
	apptest.Body(t, resp)
	resp = env.Get(t, s.Client, "/koppeling/eigen-api")
	body = apptest.Body(t, resp)
	if !strings.Contains(body, "Uw vorige inzending wordt nog beoordeeld") {
		t.Errorf("a submission during review did not say the previous one is being reviewed:\n%s", body)
	}
	if reviews, _ := env.App.Store.CustomAPIReviewList(context.Background(), s.App.ID); len(reviews) != 2 {
		t.Errorf("%d submissions, want 2", len(reviews))
	}
}

func capiAmsterdam(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestCustomAPIAdminSectionAndExclusionNotice(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := capiAdmit(t, env, admission.CustomAPI)
	admin := env.LoginRole(t, account.RoleAdmin)
	page := fmt.Sprintf("/beheer/aanmeldingen/%d", s.App.ID)

	capiSubmit(t, env, s, "https://api.apiwinkel.nl", "ck_eerste1234", "cs_eerste")
	resp := env.Get(t, admin, page)
	body := apptest.Body(t, resp)
	doc := parseHTML(t, body)
	if resp.StatusCode != 200 || doc.Find(`[data-testid="custom-api-review"]`).Length() == 0 {
		t.Fatalf("the application page has no custom-API section (%d):\n%s", resp.StatusCode, body)
	}
	if doc.Find(`[data-testid="custom-api-decide"]`).Length() == 0 {
		t.Error("no decision form for the open submission")
	}
	if doc.Find(`[data-testid="custom-api-twice"]`).Length() != 0 {
		t.Error("exclusion notice before any verdict")
	}

	// A form error keeps what the reviewer typed.
	resp = capiDecide(t, env, admin, s.App.ID, "", "Nog niet bekeken.")
	body = apptest.Body(t, resp)
	doc = parseHTML(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || doc.Find(`[data-testid="error-outcome"]`).Length() == 0 {
		t.Fatalf("deciding without outcome: %d, want 422 with an outcome error:\n%s", resp.StatusCode, body)
	}
	if got := doc.Find(`textarea[name="findings"]`).Text(); got != "Nog niet bekeken." {
		t.Errorf("findings field holds %q, want what was typed", got)
	}

	apptest.Body(t, capiDecide(t, env, admin, s.App.ID, "not_conform", "Eerste bevinding."))
	capiSubmit(t, env, s, "https://api.apiwinkel.nl", "ck_tweede1234", "cs_tweede")
	apptest.Body(t, capiDecide(t, env, admin, s.App.ID, "not_conform", "Tweede bevinding."))

	resp = env.Get(t, admin, page)
	body = apptest.Body(t, resp)
	doc = parseHTML(t, body)
	notice := doc.Find(`[data-testid="custom-api-twice"]`)
	if !strings.Contains(notice.Text(), "Tweemaal niet conform: u kunt deze aanbieder uitsluiten") {
		t.Fatalf("no exclusion notice after two not conform:\n%s", body)
	}
	if href, _ := notice.Find("a").Attr("href"); href != "#uitsluiten" {
		t.Errorf("the notice links to %q, want #uitsluiten", href)
	}
	if target := doc.Find(`#uitsluiten`); target.Length() == 0 || target.Find(`[data-testid="exclude"]`).Length()+target.Filter(`form`).Length() == 0 {
		t.Error(`the page has no exclusion form with id="uitsluiten" for the notice's link to land on`)
	}
	rows := doc.Find(`[data-testid="custom-api-row"]`)
	if rows.Length() != 2 || !strings.Contains(rows.Text(), "Eerste bevinding.") || !strings.Contains(rows.Text(), "Tweede bevinding.") {
		t.Errorf("the section lists %d submissions: %q", rows.Length(), rows.Text())
	}
	if doc.Find(`[data-testid="custom-api-decide"]`).Length() != 0 {
		t.Error("a decision form without an open submission")
	}
}

func TestCustomAPISupportDecidesOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := capiAdmit(t, env, admission.CustomAPI)
	support := env.LoginRole(t, account.RoleSupport)
	capiSubmit(t, env, s, "https://api.apiwinkel.nl", "ck_support123", "cs_support")
	open := capiOpenReview(t, env, s.App.ID)
	path := fmt.Sprintf("/beheer/aanmeldingen/%d/api-beoordeling/%d", s.App.ID, open.ID)

	resp := env.PostForm(t, support, path, url.Values{"outcome": {"conform"}, "findings": {"Alles in orde."}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/beheer/aanmeldingen/%d", s.App.ID) {
		t.Fatalf("support deciding: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Deciding again changes nothing and says so.
	resp = env.PostForm(t, support, path, url.Values{"outcome": {"not_conform"}, "findings": {"Toch niet."}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deciding again: %d", resp.StatusCode)
	}
	reviews, _ := env.App.Store.CustomAPIReviewList(context.Background(), s.App.ID)
	if reviews[0].Outcome != store.CustomAPIConform || reviews[0].Findings != "Alles in orde." {
		t.Errorf("verdict is now %s %q, want the first one", reviews[0].Outcome, reviews[0].Findings)
	}
	resp = env.Get(t, support, resp.Header.Get("Location"))
	body := apptest.Body(t, resp)
	if !strings.Contains(body, "al besloten") {
		t.Errorf("no Dutch message that the submission was decided already:\n%s", body)
	}

	// The supplier sees the verdict and can no longer submit.
	resp = env.Get(t, s.Client, "/koppeling/eigen-api")
	body = apptest.Body(t, resp)
	doc := parseHTML(t, body)
	if doc.Find(`[data-testid="custom-api-form"]`).Length() != 0 || !strings.Contains(doc.Find(`[data-testid="custom-api-refusal"]`).Text(), "conform bevonden") {
		t.Errorf("after conform the supplier still gets the form:\n%s", body)
	}
	if !strings.Contains(doc.Find(`[data-testid="custom-api-findings"]`).Text(), "Alles in orde.") {
		t.Error("the supplier does not see the conform findings")
	}
}

func TestCustomAPICuratorAndOthersCannotDecide(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := capiAdmit(t, env, admission.CustomAPI)
	capiSubmit(t, env, s, "https://api.apiwinkel.nl", "ck_curator123", "cs_curator")
	for _, c := range []*http.Client{env.LoginRole(t, account.RoleCurator), s.Client} {
		resp := capiDecide(t, env, c, s.App.ID, "conform", "")
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("got %d, want 403", resp.StatusCode)
		}
	}
	if r := capiOpenReview(t, env, s.App.ID); r.Decided() {
		t.Error("the review was decided by someone not allowed to")
	}
	// A review id of another application is not found there.
	other := capiAdmit(t, env, admission.CustomAPI)
	admin := env.LoginRole(t, account.RoleAdmin)
	resp := env.PostForm(t, admin, fmt.Sprintf("/beheer/aanmeldingen/%d/api-beoordeling/%d", other.App.ID, capiOpenReview(t, env, s.App.ID).ID),
		url.Values{"outcome": {"conform"}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("deciding through another application: %d, want 404", resp.StatusCode)
	}
}

func TestCustomAPIAutomaticRouteSupplier(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := capiAdmit(t, env, admission.WooCommerce)
	resp := env.Get(t, s.Client, "/koppeling/eigen-api")
	body := apptest.Body(t, resp)
	doc := parseHTML(t, body)
	if resp.StatusCode != 200 || !strings.Contains(doc.Find(`[data-testid="custom-api-not-applicable"]`).Text(), "automatische route") {
		t.Errorf("automatic-route supplier: %d, want a page saying it uses the automatic route:\n%s", resp.StatusCode, body)
	}
	resp = env.PostForm(t, s.Client, "/koppeling/eigen-api", url.Values{"base_url": {"https://api.apiwinkel.nl"}, "consumer_key": {"ck_x"}, "consumer_secret": {"cs_x"}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("submitting on the automatic route: %d, want 303 back with a message", resp.StatusCode)
	}
	if reviews, _ := env.App.Store.CustomAPIReviewList(context.Background(), s.App.ID); len(reviews) != 0 {
		t.Errorf("%d submissions stored for an automatic-route supplier", len(reviews))
	}
}
