package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
)

func TestApplicationReviewAndAdmit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	ac := env.LoginRole(t, account.RoleAdmin)
	adminEmail := env.Users[account.RoleAdmin].Email
	in := aplInput(1)
	a := aplApply(t, env, in)
	aplApply(t, env, aplInput(2)) // another one in the queue

	q := flowRead(t, env.Get(t, ac, "/beheer/aanmeldingen")).want(t, http.StatusOK)
	aplNoInlineCode(t, "GET /beheer/aanmeldingen", q)
	if n := q.Doc.Find(`[data-testid="application-row"]`).Length(); n != 2 {
		t.Errorf("queue has %d rows, want 2", n)
	}
	row := q.Doc.Find(`[data-testid="application-row"]`).First()
	if got := flowText(row); !strings.Contains(got, in.CompanyName) || !strings.Contains(got, "30000001") || !strings.Contains(got, "Aangemeld") {
		t.Errorf("first row %q", got)
	}
	if n := flowRead(t, env.Get(t, ac, "/beheer/aanmeldingen?status=production")).Doc.Find(`[data-testid="application-row"]`).Length(); n != 0 {
		t.Errorf("production filter shows %d rows", n)
	}

	p := flowRead(t, env.Get(t, ac, aplPath(a.ID, ""))).want(t, http.StatusOK)
	aplNoInlineCode(t, "GET application", p)
	if got := p.TestID("iban"); got != "NL91 ABNA 0417 1643 00" {
		t.Errorf("IBAN shown as %q", got)
	}
	if !p.Has("start-review") || p.Has("admit") {
		t.Error("an applied application offers start review, not admit")
	}

	// Step 2: into review, tick the checklist, admit.
	p = flowFollow(t, env, ac, env.PostForm(t, ac, aplPath(a.ID, "beoordelen"), url.Values{}))
	if got := p.TestID("flash"); got != "De aanmelding is in behandeling genomen." || p.TestID("application-state") != "In beoordeling" {
		t.Errorf("after start review: flash %q, state %q", got, p.TestID("application-state"))
	}
	reqs, err := env.App.Store.AdmissionRequirements(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if n := p.Doc.Find(`[data-testid="checklist-form"] input[name="eis"]`).Length(); n != len(reqs) {
		t.Errorf("checklist has %d boxes, want %d", n, len(reqs))
	}
	tick := url.Values{"eis": {fmt.Sprint(reqs[0].ID), fmt.Sprint(reqs[2].ID), "999999"}}
	p = flowFollow(t, env, ac, env.PostForm(t, ac, aplPath(a.ID, "checklist"), tick))
	got := aplGet(t, env, a.ID).Checklist
	if !got[fmt.Sprint(reqs[0].ID)] || got[fmt.Sprint(reqs[1].ID)] || !got[fmt.Sprint(reqs[2].ID)] || got["999999"] {
		t.Errorf("checklist stored %v", got)
	}
	if n := p.Doc.Find(`input[name="eis"][checked]`).Length(); n != 2 {
		t.Errorf("%d boxes checked after saving, want 2", n)
	}
	if !strings.Contains(p.TestID("checklist-open"), "3 toelatingseisen zijn nog niet afgevinkt") {
		t.Errorf("admit warns %q", p.TestID("checklist-open"))
	}

	p = flowFollow(t, env, ac, env.PostForm(t, ac, aplPath(a.ID, "toelaten"), url.Values{}))
	if got := p.TestID("flash"); !strings.Contains(got, in.CompanyName+" is toegelaten") || !strings.Contains(got, in.Email) {
		t.Errorf("after admit: flash %q", got)
	}
	if p.TestID("application-state") != admission.Admitted.Label() || p.Has("admit") || !p.Has("exclude") {
		t.Errorf("after admit: state %q, admit %v, exclude %v", p.TestID("application-state"), p.Has("admit"), p.Has("exclude"))
	}

	// The organisation, its link, the invited contact person.
	sup, err := env.App.Store.SupplierGetByName(ctx, in.CompanyName)
	if err != nil {
		t.Fatalf("no supplier organisation: %v", err)
	}
	if linked := aplGet(t, env, a.ID); linked.SupplierID == nil || *linked.SupplierID != sup.ID || linked.AdmittedAt == nil {
		t.Errorf("application not linked: %+v", linked)
	}
	u, err := env.App.Store.UserGet(ctx, flowUserID(t, env, in.Email))
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != account.RoleSupplier || u.SupplierID == nil || *u.SupplierID != sup.ID {
		t.Errorf("contact person %+v, want a supplier user of %d", u, sup.ID)
	}
	flowMailLink(t, env, in.Email, "/uitnodiging/")

	// Every move is recorded with who made it.
	trail, err := env.App.Store.AdmissionTransitions(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].To != admission.InReview || trail[1].From != admission.InReview || trail[1].To != admission.Admitted {
		t.Fatalf("transitions %+v", trail)
	}
	for _, tr := range trail {
		if tr.ActorEmail != adminEmail {
			t.Errorf("transition %s→%s by %q, want %s", tr.From, tr.To, tr.ActorEmail, adminEmail)
		}
	}
	history := p.Doc.Find(`[data-testid="transitions-table"] tbody tr`)
	if history.Length() != 2 || !strings.Contains(flowText(history.Last()), adminEmail) || !strings.Contains(flowText(history.Last()), "In beoordeling") {
		t.Errorf("history on the page: %q", flowText(history))
	}
	if n := flowCount(t, env, "SELECT count(*) FROM audit_log WHERE action = $1 AND subject_id = $2", string(audit.AdmissionMoved), fmt.Sprint(a.ID)); n != 2 {
		t.Errorf("%d admission.moved audit entries, want 2", n)
	}
}

func TestApplicationRejectNeedsReasonAndMailsIt(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ac := env.LoginRole(t, account.RoleAdmin)
	in := aplInput(1)
	a := aplToState(t, env, in, admission.InReview)

	p := flowRead(t, env.PostForm(t, ac, aplPath(a.ID, "afwijzen"), url.Values{"reject_reason": {"  "}})).want(t, http.StatusUnprocessableEntity)
	if got := p.TestID("error-reject_reason"); !strings.HasPrefix(got, "Vul de reden van de afwijzing in") {
		t.Errorf("missing reason says %q", got)
	}
	if !p.Has("error-summary") || aplGet(t, env, a.ID).State != admission.InReview {
		t.Error("422 without summary, or the state changed")
	}

	reason := "Uw assortiment bevat geen energiebesparende producten."
	p = flowFollow(t, env, ac, env.PostForm(t, ac, aplPath(a.ID, "afwijzen"), url.Values{"reject_reason": {reason}}))
	if got := aplGet(t, env, a.ID); got.State != admission.Rejected || got.DecisionReason != reason {
		t.Errorf("after reject: %s %q", got.State, got.DecisionReason)
	}
	if !strings.Contains(p.TestID("flash"), "afgewezen") || p.TestID("decision-reason") != reason || p.Has("decisions") {
		t.Errorf("page after reject: flash %q, reason %q, decisions %v", p.TestID("flash"), p.TestID("decision-reason"), p.Has("decisions"))
	}
	var found bool
	for _, m := range flowMails(t, env) {
		if m.To == in.Email && strings.Contains(m.Text, reason) {
			found = true
		}
	}
	if !found {
		t.Error("the applicant was not mailed the reason")
	}
}

func TestApplicationIllegalStepIsAFlash(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ac := env.LoginRole(t, account.RoleAdmin)
	a := aplApply(t, env, aplInput(1))
	for _, step := range []struct {
		verb string
		form url.Values
	}{
		{"toelaten", nil},
		{"uitsluiten", url.Values{"exclude_reason": {"Niet conform."}}},
		{"uitsluiten", nil}, // no reason either: still the state is what is wrong
	} {
		resp := env.PostForm(t, ac, aplPath(a.ID, step.verb), step.form)
		if loc := flowLocation(t, resp); loc != aplPath(a.ID, "") {
			t.Fatalf("%s: redirected to %q", step.verb, loc)
		}
		p := flowRead(t, env.Get(t, ac, aplPath(a.ID, ""))).want(t, http.StatusOK)
		if got := p.TestID("flash"); !strings.HasPrefix(got, "Deze stap is niet mogelijk in de huidige status (Aangemeld)") {
			t.Errorf("%s on an applied application: flash %q", step.verb, got)
		}
	}
	if got := aplGet(t, env, a.ID); got.State != admission.Applied || got.SupplierID != nil {
		t.Errorf("illegal steps changed the application: %+v", got)
	}
	if n := flowCount(t, env, "SELECT count(*) FROM admission_transitions WHERE application_id = $1", a.ID); n != 0 {
		t.Errorf("%d transitions recorded", n)
	}
	resp := env.PostForm(t, ac, "/beheer/aanmeldingen/999999/beoordelen", url.Values{})
	if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown application: %d, want 404", resp.StatusCode)
	}
}

// Pressing "Toelaten" twice, or two admins at once, creates one supplier.
func TestApplicationConcurrentAdmitCreatesOneSupplier(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	in := aplInput(1)
	a := aplToState(t, env, in, admission.InReview)
	clients := []*http.Client{env.LoginRole(t, account.RoleAdmin), env.LoginRole(t, account.RoleAdmin)}
	const n = 8
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp := env.PostForm(t, clients[i%2], aplPath(a.ID, "toelaten"), url.Values{})
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusSeeOther {
			t.Errorf("request %d: status %d, want 303", i, s)
		}
	}
	if got := flowCount(t, env, "SELECT count(*) FROM suppliers WHERE name = $1", in.CompanyName); got != 1 {
		t.Errorf("%d suppliers named %q, want 1", got, in.CompanyName)
	}
	if got := flowCount(t, env, "SELECT count(*) FROM users WHERE email = $1", in.Email); got != 1 {
		t.Errorf("%d users for the contact person, want 1", got)
	}
	if got := len(flowMailLinks(t, env, in.Email, "/uitnodiging/")); got != 1 {
		t.Errorf("%d invitations, want 1", got)
	}
	if got := flowCount(t, env, "SELECT count(*) FROM admission_transitions WHERE application_id = $1 AND to_state = 'admitted'", a.ID); got != 1 {
		t.Errorf("%d admitted transitions, want 1", got)
	}
}

func TestApplicationSupportReadsOnly(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	a := aplToState(t, env, aplInput(1), admission.InReview)
	sc := env.LoginRole(t, account.RoleSupport)
	p := flowRead(t, env.Get(t, sc, aplPath(a.ID, ""))).want(t, http.StatusOK)
	if n := p.Doc.Find(`main form`).Length(); n != 0 {
		t.Errorf("support sees %d forms on an application", n)
	}
	if !p.Has("checklist") || p.TestID("application-state") != "In beoordeling" {
		t.Error("support does not see the checklist and state")
	}
	resp := env.PostForm(t, sc, aplPath(a.ID, "toelaten"), url.Values{})
	if resp.Body.Close(); resp.StatusCode != http.StatusForbidden {
		t.Errorf("support admitting: %d, want 403", resp.StatusCode)
	}
	if aplGet(t, env, a.ID).State != admission.InReview {
		t.Error("support changed the state")
	}
	ac := env.LoginRole(t, account.RoleAdmin)
	if p := flowRead(t, env.Get(t, ac, aplPath(a.ID, ""))); !p.Has("admit") || !p.Has("reject") || !p.Has("checklist-form") {
		t.Error("the admin does not get the decisions")
	}
}

func TestApplicationAlternativeIntegration(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ac := env.LoginRole(t, account.RoleAdmin)
	a := aplToState(t, env, aplInput(1), admission.Admitted)
	reason := "Koppeling via een dagelijkse CSV-export afgesproken."

	p := flowFollow(t, env, ac, env.PostForm(t, ac, aplPath(a.ID, "alternatief"), url.Values{"alternative_reason": {reason}}))
	if p.TestID("alternative") != reason || !strings.Contains(p.TestID("deadline"), "alternatieve koppeling") {
		t.Errorf("after agreeing: alternative %q, deadline %q", p.TestID("alternative"), p.TestID("deadline"))
	}
	// The same again (a double submit) changes and audits nothing.
	p = flowFollow(t, env, ac, env.PostForm(t, ac, aplPath(a.ID, "alternatief"), url.Values{"alternative_reason": {reason}}))
	if !strings.Contains(p.TestID("flash"), "niets gewijzigd") {
		t.Errorf("repeat says %q", p.TestID("flash"))
	}
	if n := flowCount(t, env, "SELECT count(*) FROM audit_log WHERE action = $1", string(audit.AlternativeAgreed)); n != 1 {
		t.Errorf("%d audit entries, want 1", n)
	}
	// Empty withdraws it; the deadline is back.
	p = flowFollow(t, env, ac, env.PostForm(t, ac, aplPath(a.ID, "alternatief"), url.Values{"alternative_reason": {""}}))
	if got := aplGet(t, env, a.ID); got.AlternativeReason != "" {
		t.Errorf("not withdrawn: %q", got.AlternativeReason)
	}
	if _, ok := aplGet(t, env, a.ID).Deadline(); !ok || p.Has("alternative") {
		t.Error("deadline not back after withdrawing")
	}
}
