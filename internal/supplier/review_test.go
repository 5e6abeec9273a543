package supplier_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

var revSeq atomic.Int64

// revSupplier takes a fresh application on the platform through the
// real flow (apply → review → admit) and gives its organisation an active
// user.
type revSupplier struct {
	App   admission.Application
	User  account.User
	Actor audit.Actor
}

func revAdmit(t *testing.T, env *apptest.Env, platform admission.Platform) revSupplier {
	t.Helper()
	ctx := context.Background()
	n := revSeq.Add(1)
	a, err := env.App.Supplier.Apply(ctx, supplier.ApplicationInput{
		CompanyName: fmt.Sprintf("Eigen Koppeling %d B.V.", n), KvK: fmt.Sprintf("%08d", 71000000+n), VATID: "NL123456789B01",
		IBAN: "NL91ABNA0417164300", ContactName: "Ada Aanbieder", Email: fmt.Sprintf("contact%d@winkel.example", n),
		Phone: "020 123 4567", Website: "https://winkel.example", Platform: string(platform), AcceptTerms: true,
	}, "192.0.2.1")
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	staff := revStaff(env, account.RoleAdmin)
	if err := env.App.Supplier.StartReview(ctx, staff, a.ID); err != nil {
		t.Fatalf("start review: %v", err)
	}
	if a, err = env.App.Supplier.Admit(ctx, staff, a.ID); err != nil {
		t.Fatalf("admit: %v", err)
	}
	u := env.CreateUser(t, fmt.Sprintf("medewerker%d@winkel.example", n), account.RoleSupplier, a.SupplierID)
	return revSupplier{App: a, User: u, Actor: audit.Actor{UserID: &u.ID, Email: u.Email}}
}

func revStaff(env *apptest.Env, role account.Role) audit.Actor {
	u := env.Users[role]
	return audit.Actor{UserID: &u.ID, Email: u.Email}
}

func revInput(secret string) supplier.CustomAPIInput {
	return supplier.CustomAPIInput{BaseURL: "https://api.winkel.nl/wp-json/wc/v3/", ConsumerKey: "ck_0123456789abcdef", ConsumerSecret: secret}
}

func revSubmit(t *testing.T, env *apptest.Env, s revSupplier, secret string) store.CustomAPIReview {
	t.Helper()
	r, err := env.App.Supplier.SubmitCustomAPI(context.Background(), s.Actor, *s.App.SupplierID, revInput(secret))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}

func revDecide(t *testing.T, env *apptest.Env, s revSupplier, r store.CustomAPIReview, o store.CustomAPIOutcome, findings string) {
	t.Helper()
	if _, err := env.App.Supplier.DecideCustomAPI(context.Background(), revStaff(env, account.RoleSupport), s.App.ID, r.ID, o, findings); err != nil {
		t.Fatalf("decide %s: %v", o, err)
	}
}

func revWantRefusal(t *testing.T, err error, part string) {
	t.Helper()
	var na supplier.ErrNotAllowed
	if !errors.As(err, &na) || !strings.Contains(na.Reason, part) {
		t.Fatalf("got %v, want a refusal saying %q", err, part)
	}
}

func TestCustomAPISubmitStartsLeadTimeOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := revAdmit(t, env, admission.CustomAPI)
	if _, ok := s.App.Deadline(); ok {
		t.Fatal("the custom route has a deadline before the API was submitted")
	}
	r := revSubmit(t, env, s, "cs_eerste")
	if r.BaseURL != "https://api.winkel.nl/wp-json/wc/v3" {
		t.Errorf("base URL stored as %q, want it without the trailing slash", r.BaseURL)
	}
	a, err := env.App.Store.ApplicationGet(ctx, s.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.APISubmittedAt == nil {
		t.Fatal("api_submitted_at not set by the first submission")
	}
	first := *a.APISubmittedAt
	if d, ok := a.Deadline(); !ok || !d.Equal(first.Add(admission.CustomLeadTime)) {
		t.Errorf("deadline %v (%v), want 4 weeks after %v", d, ok, first)
	}
	revDecide(t, env, s, r, store.CustomAPINotConform, "Paginering ontbreekt.")
	revSubmit(t, env, s, "cs_tweede")
	a, err = env.App.Store.ApplicationGet(ctx, s.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !a.APISubmittedAt.Equal(first) {
		t.Errorf("api_submitted_at moved from %v to %v on the second submission", first, *a.APISubmittedAt)
	}
	entries, err := env.App.Store.AuditList(ctx, audit.Filter{Action: audit.CustomAPISubmitted, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("%d custom_api.submitted audit entries, want 2", len(entries))
	}
}

func TestCustomAPICredentialsAreSealed(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := revAdmit(t, env, admission.CustomAPI)
	const secret = "cs_zeer-geheim-0123456789"
	r := revSubmit(t, env, s, secret)
	if bytes.Contains(r.Credentials, []byte(secret)) || bytes.Contains(r.Credentials, []byte("ck_0123456789abcdef")) {
		t.Fatal("the stored credentials contain the raw key or secret")
	}
	if r.KeyID != env.App.Box.CurrentKeyID() {
		t.Errorf("key id %q, want the current key %q", r.KeyID, env.App.Box.CurrentKeyID())
	}
	plain, err := env.App.Box.Open(r.Credentials, r.KeyID, fmt.Sprintf("custom_api_review:%d", s.App.ID))
	if err != nil {
		t.Fatalf("opening with the box: %v", err)
	}
	var c supplier.Credentials
	if err := json.Unmarshal(plain, &c); err != nil || c.Key != "ck_0123456789abcdef" || c.Secret != secret {
		t.Errorf("opened %q (%v), want the submitted key and secret", plain, err)
	}
	if _, err := env.App.Box.Open(r.Credentials, r.KeyID, fmt.Sprintf("custom_api_review:%d", s.App.ID+1)); err == nil {
		t.Error("the credentials open under another application's context")
	}
	st, err := env.App.Supplier.CustomAPIStatusOf(context.Background(), s.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Submissions[0].MaskedKey; got != "ck_0••••••••" {
		t.Errorf("masked key %q, want ck_0••••••••", got)
	}
	// Nothing of the secret reaches the audit log.
	entries, err := env.App.Store.AuditList(context.Background(), audit.Filter{Action: audit.CustomAPISubmitted, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		for k, v := range e.Detail {
			if strings.Contains(v, secret) || strings.Contains(v, "ck_0123456789abcdef") {
				t.Errorf("audit detail %s=%q holds a credential", k, v)
			}
		}
	}
}

// The first "not conform" leaves one correction; the second ends the
// submissions.
func TestCustomAPIOneCorrectionAfterNotConform(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := revAdmit(t, env, admission.CustomAPI)
	first := revSubmit(t, env, s, "cs_1")

	_, err := env.App.Supplier.SubmitCustomAPI(ctx, s.Actor, *s.App.SupplierID, revInput("cs_dubbel"))
	revWantRefusal(t, err, "Uw vorige inzending wordt nog beoordeeld")

	revDecide(t, env, s, first, store.CustomAPINotConform, "Webhooks worden niet ondertekend.\nVoorraad ontbreekt.")
	st, err := env.App.Supplier.CustomAPIStatusOf(ctx, s.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !st.CanSubmit() || st.CorrectionsLeft != 1 || st.NotConform != 1 {
		t.Fatalf("after the first not conform: can submit %v, corrections %d, not conform %d; want true, 1, 1", st.CanSubmit(), st.CorrectionsLeft, st.NotConform)
	}
	second := revSubmit(t, env, s, "cs_2")
	if st, _ = env.App.Supplier.CustomAPIStatusOf(ctx, s.App.ID); st.CorrectionsLeft != 0 || st.Open == nil || st.Open.ID != second.ID {
		t.Errorf("after the correction: corrections left %d, open %v; want 0 and the second submission open", st.CorrectionsLeft, st.Open)
	}
	revDecide(t, env, s, second, store.CustomAPINotConform, "Nog steeds geen handtekening op webhooks.")

	_, err = env.App.Supplier.SubmitCustomAPI(ctx, s.Actor, *s.App.SupplierID, revInput("cs_3"))
	revWantRefusal(t, err, "ene correctiekans gebruikt")
	reviews, err := env.App.Store.CustomAPIReviewList(ctx, s.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(reviews) != 2 {
		t.Errorf("%d submissions stored, want 2", len(reviews))
	}
	// Each verdict was mailed to the contact with its findings.
	mails, err := env.App.Store.MailOutboxList(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var verdicts []string
	for _, m := range mails {
		if m.To == s.App.Email && strings.Contains(m.Subject, "niet conform") {
			verdicts = append(verdicts, m.Text)
		}
	}
	if len(verdicts) != 2 {
		t.Fatalf("%d verdict mails to %s, want 2", len(verdicts), s.App.Email)
	}
	all := strings.Join(verdicts, "\n")
	for _, want := range []string{"Voorraad ontbreekt.", "Nog steeds geen handtekening op webhooks.", "één kans", "correctiekans gebruikt"} {
		if !strings.Contains(all, want) {
			t.Errorf("verdict mails lack %q:\n%s", want, all)
		}
	}
}

func TestCustomAPIConform(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := revAdmit(t, env, admission.Other)
	r := revSubmit(t, env, s, "cs_1")
	revDecide(t, env, s, r, store.CustomAPIConform, "")
	st, err := env.App.Supplier.CustomAPIStatusOf(ctx, s.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Conform || st.Open != nil || st.Submissions[0].Outcome != store.CustomAPIConform || st.Submissions[0].ReviewedBy == nil {
		t.Errorf("status after conform: %+v", st)
	}
	_, err = env.App.Supplier.SubmitCustomAPI(ctx, s.Actor, *s.App.SupplierID, revInput("cs_2"))
	revWantRefusal(t, err, "al conform bevonden")
	entries, err := env.App.Store.AuditList(ctx, audit.Filter{Action: audit.CustomAPIReviewed, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Detail["outcome"] != "conform" {
		t.Errorf("audit entries %+v, want one custom_api.reviewed with outcome conform", entries)
	}
}

func TestCustomAPIDecisionChecks(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := revAdmit(t, env, admission.CustomAPI)
	other := revAdmit(t, env, admission.CustomAPI)
	r := revSubmit(t, env, s, "cs_1")
	support := revStaff(env, account.RoleSupport)

	_, err := env.App.Supplier.DecideCustomAPI(ctx, support, s.App.ID, r.ID, store.CustomAPINotConform, "  ")
	var fe supplier.FieldErrors
	if !errors.As(err, &fe) || fe["findings"] == "" {
		t.Errorf("not conform without findings: %v, want a findings error", err)
	}
	_, err = env.App.Supplier.DecideCustomAPI(ctx, support, s.App.ID, r.ID, "misschien", "")
	if !errors.As(err, &fe) || fe["outcome"] == "" {
		t.Errorf("unknown outcome: %v, want an outcome error", err)
	}
	_, err = env.App.Supplier.DecideCustomAPI(ctx, support, other.App.ID, r.ID, store.CustomAPIConform, "")
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deciding through another application: %v, want ErrNotFound", err)
	}

	revDecide(t, env, s, r, store.CustomAPINotConform, "Eerste oordeel.")
	_, err = env.App.Supplier.DecideCustomAPI(ctx, support, s.App.ID, r.ID, store.CustomAPIConform, "Tweede oordeel.")
	if !errors.Is(err, supplier.ErrReviewDecided) {
		t.Errorf("deciding again: %v, want ErrReviewDecided", err)
	}
	reviews, err := env.App.Store.CustomAPIReviewList(ctx, s.App.ID)
	if err != nil {
		t.Fatal(err)
	}
	if reviews[0].Outcome != store.CustomAPINotConform || reviews[0].Findings != "Eerste oordeel." {
		t.Errorf("the verdict changed to %s %q", reviews[0].Outcome, reviews[0].Findings)
	}
}

// Reviewers deciding the same submission at the same instant: exactly one
// verdict is recorded, mailed and audited.
func TestCustomAPIConcurrentDecisions(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := revAdmit(t, env, admission.CustomAPI)
	r := revSubmit(t, env, s, "cs_1")
	const n = 12
	var wg sync.WaitGroup
	var won, lost atomic.Int32
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			o := store.CustomAPIConform
			if i%2 == 1 {
				o = store.CustomAPINotConform
			}
			_, err := env.App.Supplier.DecideCustomAPI(ctx, revStaff(env, account.RoleAdmin), s.App.ID, r.ID, o, fmt.Sprintf("oordeel %d", i))
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, supplier.ErrReviewDecided):
				lost.Add(1)
			default:
				t.Errorf("decision %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if won.Load() != 1 || lost.Load() != n-1 {
		t.Errorf("%d decisions won and %d were refused, want 1 and %d", won.Load(), lost.Load(), n-1)
	}
	entries, err := env.App.Store.AuditList(ctx, audit.Filter{Action: audit.CustomAPIReviewed, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("%d custom_api.reviewed audit entries, want 1", len(entries))
	}
	mails, err := env.App.Store.MailOutboxList(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	verdicts := 0
	for _, m := range mails {
		if m.To == s.App.Email && strings.Contains(m.Subject, "conform") {
			verdicts++
		}
	}
	if verdicts != 1 {
		t.Errorf("%d verdict mails, want 1", verdicts)
	}
}

func TestCustomAPISubmitRefusedOffTheCustomRoute(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	auto := revAdmit(t, env, admission.Shopify)
	_, err := env.App.Supplier.SubmitCustomAPI(ctx, auto.Actor, *auto.App.SupplierID, revInput("cs_1"))
	revWantRefusal(t, err, "automatische route")

	// A supplier organisation without an application cannot submit either.
	u := env.Users[account.RoleSupplier]
	_, err = env.App.Supplier.SubmitCustomAPI(ctx, audit.Actor{UserID: &u.ID}, env.Supplier.ID, revInput("cs_1"))
	revWantRefusal(t, err, "geen aanmelding")

	// Nor an excluded one.
	custom := revAdmit(t, env, admission.CustomAPI)
	if err := env.App.Supplier.Exclude(ctx, revStaff(env, account.RoleAdmin), custom.App.ID, "Voorwaarden geschonden."); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Supplier.SubmitCustomAPI(ctx, custom.Actor, *custom.App.SupplierID, revInput("cs_1"))
	revWantRefusal(t, err, "beëindigd")

	for _, a := range []int64{auto.App.ID, custom.App.ID} {
		if reviews, _ := env.App.Store.CustomAPIReviewList(ctx, a); len(reviews) != 0 {
			t.Errorf("application %d has %d submissions after refusals", a, len(reviews))
		}
	}
}

func TestCustomAPISubmitFieldErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	s := revAdmit(t, env, admission.CustomAPI)
	_, err := env.App.Supplier.SubmitCustomAPI(context.Background(), s.Actor, *s.App.SupplierID,
		supplier.CustomAPIInput{BaseURL: "http://api.winkel.nl", ConsumerKey: "", ConsumerSecret: "met spatie"})
	var fe supplier.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want field errors", err)
	}
	for _, f := range []string{"base_url", "consumer_key", "consumer_secret"} {
		if fe[f] == "" {
			t.Errorf("no error for %s: %v", f, fe)
		}
	}
	a, _ := env.App.Store.ApplicationGet(context.Background(), s.App.ID)
	if a.APISubmittedAt != nil {
		t.Error("an invalid submission started the lead time")
	}
}
