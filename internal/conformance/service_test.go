package conformance_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/conformance"
	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

// End to end through the whole application: a supplier on the custom route
// submits its API (the demo shop) in the portal, the report runs as a job,
// the demo shop delivers the signed test webhook to OHIS's receiver.

var seq atomic.Int64

type customSupplier struct {
	App    admission.Application
	Client *http.Client
}

// admitCustom admits a custom-route applicant through the real flow and
// logs in a user of its own.
func admitCustom(t *testing.T, env *apptest.Env) customSupplier {
	t.Helper()
	ctx := context.Background()
	n := seq.Add(1)
	admin := env.Users[account.RoleAdmin]
	staff := audit.Actor{UserID: &admin.ID, Email: admin.Email}
	a, err := env.App.Supplier.Apply(ctx, supplier.ApplicationInput{
		CompanyName: fmt.Sprintf("Eigen API %d B.V.", n), KvK: fmt.Sprintf("%08d", 74100000+n), VATID: "NL123456789B01",
		IBAN: "NL91ABNA0417164300", ContactName: "Eva Eigenaar", Email: fmt.Sprintf("contact%d@eigenapi.example", n),
		Phone: "020 123 4567", Website: "https://eigenapi.example", Platform: string(admission.CustomAPI), AcceptTerms: true,
	}, "192.0.2.10")
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if err := env.App.Supplier.StartReview(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	if a, err = env.App.Supplier.Admit(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	u := env.CreateUser(t, fmt.Sprintf("api%d@eigenapi.example", n), account.RoleSupplier, a.SupplierID)
	return customSupplier{App: a, Client: env.Login(t, u.Email)}
}

// submit offers the API in the portal and returns the open submission.
func submit(t *testing.T, env *apptest.Env, s customSupplier, baseURL, key, secret string) store.CustomAPIReview {
	t.Helper()
	resp := env.PostForm(t, s.Client, "/koppeling/eigen-api", url.Values{"base_url": {baseURL}, "consumer_key": {key}, "consumer_secret": {secret}})
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submitting: %d\n%s", resp.StatusCode, body)
	}
	reviews, err := env.App.Store.CustomAPIReviewList(context.Background(), s.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	return reviews[len(reviews)-1]
}

// waitReport polls the newest report of a submission until ok.
func waitReport(t *testing.T, env *apptest.Env, reviewID int64, what string, ok func(conformance.Stored) bool) conformance.Stored {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last conformance.Stored
	for time.Now().Before(deadline) {
		st, err := env.App.Conformance.Latest(context.Background(), reviewID)
		if err == nil {
			last = st
			if ok(st) {
				return st
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("report of review %d never %s; last: status %s, error %q, checks %+v", reviewID, what, last.Status, last.Error, last.Report.Checks)
	return last
}

func webhookCheck(t *testing.T, st conformance.Stored) conformance.Check {
	t.Helper()
	c, ok := st.Report.Check(conformance.CheckWebhook)
	if !ok {
		t.Fatal("report without webhook check")
	}
	return c
}

func deliver(t *testing.T, deliveryURL string, h http.Header, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, deliveryURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func page(t *testing.T, env *apptest.Env, c *http.Client, path string) (int, *goquery.Document) {
	t.Helper()
	resp := env.Get(t, c, path)
	body := apptest.Body(t, resp)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, doc
}

func TestSubmissionRunsReportAndSignedWebhookConforms(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("OHIS_SHOP_ALLOW_PRIVATE", "true"))
	shop, target := shopAPI(t, demoshop.Options{Products: 12, Brands: true}, nil)
	sup := admitCustom(t, env)
	review := submit(t, env, sup, target.BaseURL, target.Credentials.Key, target.Credentials.Secret)

	st := waitReport(t, env, review.ID, "waits for the webhook", func(s conformance.Stored) bool { return s.WebhookWaiting })
	if !st.Automatic {
		t.Error("the report after a submission is not marked automatic")
	}
	for _, c := range st.Report.Checks {
		if c.Required && c.ID != conformance.CheckWebhook && c.Outcome != conformance.Conform {
			t.Errorf("required check %s is %s: %s", c.ID, c.Outcome, c.Finding)
		}
	}
	if c := webhookCheck(t, st); c.Outcome != conformance.Waiting || !strings.Contains(c.Finding, "30 minuten") || !strings.Contains(c.Finding, "ping") {
		t.Errorf("webhook check while waiting: %s %q", c.Outcome, c.Finding)
	}
	if st.WebhookPingAt == nil {
		t.Error("the demo shop's creation ping was not recorded")
	}
	if v := st.Verdict(); v != conformance.VerdictIncomplete {
		t.Errorf("verdict while waiting: %s", v)
	}
	hooks := shop.Webhooks()
	if len(hooks) != 1 || hooks[0].Topic != "product.updated" || !strings.HasPrefix(hooks[0].DeliveryURL, env.Server.URL+"/webhooks/conformance/") {
		t.Fatalf("the shop's webhooks: %+v", hooks)
	}
	delivery := hooks[0].DeliveryURL

	// A forged delivery is refused and does not make the check conform.
	forged := http.Header{"Content-Type": {"application/json"}, "X-Wc-Webhook-Topic": {"product.updated"},
		"X-Wc-Webhook-Signature": {demoshop.Sign([]byte(`{"id":1}`), "geraden geheim")}}
	if code := deliver(t, delivery, forged, []byte(`{"id":1}`)); code != http.StatusUnauthorized {
		t.Errorf("forged delivery: %d, want 401", code)
	}
	st = waitReport(t, env, review.ID, "records the forgery", func(s conformance.Stored) bool {
		return webhookCheck(t, s).Outcome == conformance.NotConform
	})
	if c := webhookCheck(t, st); !strings.Contains(c.Finding, "klopt niet") {
		t.Errorf("finding after a forged delivery: %q", c.Finding)
	}
	// An unknown token is not found.
	if code := deliver(t, env.Server.URL+"/webhooks/conformance/"+strings.Repeat("A", 43), forged, []byte(`{"id":1}`)); code != http.StatusNotFound {
		t.Errorf("unknown token: %d, want 404", code)
	}

	// A change in the shop: it delivers a signed product.updated.
	id := shop.ProductIDs("simple")[0]
	if err := shop.SetPrice(id, 1999, nil); err != nil {
		t.Fatal(err)
	}
	st = waitReport(t, env, review.ID, "conforms", func(s conformance.Stored) bool {
		return webhookCheck(t, s).Outcome == conformance.Conform
	})
	if c := webhookCheck(t, st); !strings.Contains(c.Finding, fmt.Sprintf("product.updated voor product %d", id)) {
		t.Errorf("conform finding: %q", c.Finding)
	}
	if v := st.Verdict(); v != conformance.VerdictConform {
		t.Errorf("verdict: %s", v)
	}
	// The test is over: the temporary webhook is deleted from the shop.
	deadline := time.Now().Add(15 * time.Second)
	for len(shop.Webhooks()) > 0 && time.Now().Before(deadline) {
		time.Sleep(25 * time.Millisecond)
	}
	if hooks := shop.Webhooks(); len(hooks) != 0 {
		t.Errorf("the temporary webhook is still there: %+v", hooks)
	}
	// A forgery afterwards is refused and changes nothing.
	if code := deliver(t, delivery, forged, []byte(`{"id":1}`)); code != http.StatusUnauthorized {
		t.Errorf("forged delivery after the outcome: %d", code)
	}
	if st, _ := env.App.Conformance.Latest(context.Background(), review.ID); webhookCheck(t, st).Outcome != conformance.Conform {
		t.Error("a forgery after the outcome undid it")
	}

	// Staff see the report with technical detail next to the submission.
	admin := env.LoginRole(t, account.RoleAdmin)
	code, doc := page(t, env, admin, fmt.Sprintf("/beheer/aanmeldingen/%d", sup.App.ID))
	region := doc.Find(fmt.Sprintf(`#conformance-%d[data-testid="conformance-report"]`, review.ID))
	if code != http.StatusOK || region.Length() != 1 || region.AttrOr("data-verdict", "") != "Conform" {
		t.Fatalf("staff application page: %d, report regions %d, verdict %q", code, region.Length(), region.AttrOr("data-verdict", ""))
	}
	if region.Find(`[data-testid="conformance-detail"]`).Length() == 0 {
		t.Error("staff do not see technical detail")
	}
	if region.Find(`[data-check="webhook_signed"][data-outcome="conform"]`).Length() != 1 {
		t.Error("staff page does not show the conform webhook check")
	}
	if doc.Find(`[data-testid="custom-api-row-report"]`).Length() != 1 {
		t.Error("the submission row does not link to its report")
	}

	// The supplier sees its report with the Dutch findings only.
	code, doc = page(t, env, sup.Client, "/koppeling/eigen-api")
	region = doc.Find(`[data-testid="conformance-report"]`)
	if code != http.StatusOK || region.Length() != 1 {
		t.Fatalf("supplier page: %d, report regions %d", code, region.Length())
	}
	if region.Find(`[data-testid="conformance-detail"]`).Length() != 0 || region.Find(`[data-testid="conformance-rerun"]`).Length() != 0 {
		t.Error("the supplier sees technical detail or staff actions")
	}
	if region.Find(`[data-testid="conformance-finding"]`).Length() < 25 {
		t.Error("the supplier does not see the findings")
	}
	code, doc = page(t, env, sup.Client, fmt.Sprintf("/koppeling/eigen-api/rapport/%d", review.ID))
	if code != http.StatusOK || doc.Find(`[data-testid="conformance-report"]`).Length() != 1 {
		t.Errorf("the supplier's report page: %d", code)
	}

	// Another supplier sees nothing of it.
	other := env.Login(t, env.OtherSupplierUser.Email)
	if code, _ := page(t, env, other, fmt.Sprintf("/koppeling/eigen-api/rapport/%d", review.ID)); code != http.StatusNotFound {
		t.Errorf("another supplier's request for the report: %d, want 404", code)
	}
	if _, doc := page(t, env, other, "/koppeling/eigen-api"); doc.Find(`[data-testid="conformance-report"]`).Length() != 0 {
		t.Error("another supplier's custom-API page shows a report")
	}
	own := env.LoginRole(t, account.RoleSupplier)
	if code, _ := page(t, env, own, fmt.Sprintf("/koppeling/eigen-api/rapport/%d", review.ID)); code != http.StatusNotFound {
		t.Errorf("the test supplier's request for another's report: %d, want 404", code)
	}
}

func TestWebhookWaitExpiresAndStaffRerun(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("OHIS_SHOP_ALLOW_PRIVATE", "true"))
	shop, target := shopAPI(t, demoshop.Options{Products: 8}, nil)
	shop.SetFaults(demoshop.Faults{Malformed: map[int64]string{2: "price_type"}})
	sup := admitCustom(t, env)
	review := submit(t, env, sup, target.BaseURL, target.Credentials.Key, target.Credentials.Secret)
	st := waitReport(t, env, review.ID, "waits for the webhook", func(s conformance.Stored) bool { return s.WebhookWaiting })
	hooks := shop.Webhooks()
	if len(hooks) != 1 {
		t.Fatalf("webhooks in the shop: %+v", hooks)
	}

	// The wait runs out without a delivery.
	ctx := context.Background()
	if _, err := env.App.Pool.Exec(ctx, `UPDATE conformance_reports SET webhook_deadline = now() - interval '1 minute' WHERE id = $1`, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.River.Insert(ctx, conformance.WebhookEndArgs{ReportID: st.ID}, nil); err != nil {
		t.Fatal(err)
	}
	st = waitReport(t, env, review.ID, "expires", func(s conformance.Stored) bool {
		return webhookCheck(t, s).Outcome == conformance.NotConform
	})
	if c := webhookCheck(t, st); !strings.Contains(c.Finding, "geen webhook") {
		t.Errorf("finding after expiry: %q", c.Finding)
	}
	deadline := time.Now().Add(15 * time.Second)
	for len(shop.Webhooks()) > 0 && time.Now().Before(deadline) {
		time.Sleep(25 * time.Millisecond)
	}
	if len(shop.Webhooks()) != 0 {
		t.Error("the temporary webhook was not deleted after the wait")
	}
	// Too late: even a correctly signed delivery is gone.
	body := []byte(`{"id":2}`)
	signed := http.Header{"Content-Type": {"application/json"}, "X-Wc-Webhook-Topic": {"product.updated"},
		"X-Wc-Webhook-Signature": {demoshop.Sign(body, hooks[0].Secret)}}
	if code := deliver(t, hooks[0].DeliveryURL, signed, body); code != http.StatusGone {
		t.Errorf("delivery after the wait: %d, want 410", code)
	}
	if v := st.Verdict(); v != conformance.VerdictNotConform {
		t.Errorf("verdict: %s", v)
	}

	// Staff take the report's findings into the decision form.
	admin := env.LoginRole(t, account.RoleAdmin)
	_, doc := page(t, env, admin, fmt.Sprintf("/beheer/aanmeldingen/%d", sup.App.ID))
	if doc.Find(`[data-testid="conformance-prefill"]`).Length() != 1 {
		t.Fatal("no link to take over the report's findings")
	}
	_, doc = page(t, env, admin, fmt.Sprintf("/beheer/aanmeldingen/%d?bevindingen=rapport", sup.App.ID))
	findings := doc.Find(`#f-findings`).Text()
	for _, want := range []string{"Bedragen zijn tekst", "regular_price", "Ondertekende webhook", "geen webhook"} {
		if !strings.Contains(findings, want) {
			t.Errorf("prefilled findings lack %q:\n%s", want, findings)
		}
	}

	// Staff run the report again: a new run, audited.
	resp := env.PostForm(t, admin, fmt.Sprintf("/beheer/aanmeldingen/%d/api-beoordeling/%d/rapport", sup.App.ID, review.ID), url.Values{})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/beheer/aanmeldingen/%d", sup.App.ID) {
		t.Fatalf("rerun: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	again := waitReport(t, env, review.ID, "runs again", func(s conformance.Stored) bool { return s.ID != st.ID && s.WebhookWaiting })
	if again.Automatic {
		t.Error("a staff rerun is marked automatic")
	}
	entries, err := env.App.Store.AuditList(ctx, audit.Filter{Action: audit.ConformanceRerun})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Detail["review"] != fmt.Sprint(review.ID) {
		t.Errorf("audit entries for the rerun: %+v", entries)
	}

	// Once decided, the report is not run again.
	resp = env.PostForm(t, admin, fmt.Sprintf("/beheer/aanmeldingen/%d/api-beoordeling/%d", sup.App.ID, review.ID),
		url.Values{"outcome": {"not_conform"}, "findings": {"Zie het conformiteitsrapport."}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deciding: %d", resp.StatusCode)
	}
	if _, err := env.App.Conformance.Rerun(ctx, audit.Actor{Email: "test"}, sup.App.ID, review.ID); err == nil || !strings.Contains(err.Error(), "besloten") {
		t.Errorf("rerun after the decision: %v", err)
	}
	// And another application's submission cannot be rerun through this one.
	if _, err := env.App.Conformance.Rerun(ctx, audit.Actor{Email: "test"}, sup.App.ID+1000, review.ID); err == nil {
		t.Error("rerun through another application succeeded")
	}
}
