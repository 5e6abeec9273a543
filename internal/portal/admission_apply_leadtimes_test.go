package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
)

func TestRequirementsAddAndSwitch(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	ac := env.LoginRole(t, account.RoleAdmin)
	a := aplToState(t, env, aplInput(1), admission.InReview)

	p := flowRead(t, env.Get(t, ac, "/beheer/toelatingseisen")).want(t, http.StatusOK)
	aplNoInlineCode(t, "GET /beheer/toelatingseisen", p)
	seeded := p.Doc.Find(`[data-testid="requirement-row"]`).Length()
	if seeded != 5 {
		t.Errorf("%d requirements listed, want the 5 seeded", seeded)
	}

	for _, tt := range []struct{ label, want string }{
		{"   ", "Vul de omschrijving van de eis in."},
		{strings.Repeat("x", 201), "De omschrijving mag hoogstens 200 tekens lang zijn."},
		{"webshop is actief en levert in nederland", "Deze eis staat al in de lijst."},
	} {
		p := flowRead(t, env.PostForm(t, ac, "/beheer/toelatingseisen", url.Values{"label": {tt.label}})).want(t, http.StatusUnprocessableEntity)
		if got := p.TestID("error-label"); got != tt.want {
			t.Errorf("label %.20q: %q, want %q", tt.label, got, tt.want)
		}
		if got := p.Doc.Find(`input[name="label"]`).AttrOr("value", ""); got != strings.TrimSpace(tt.label) {
			t.Errorf("label %.20q not kept: %.20q", tt.label, got)
		}
	}

	label := "Webshop toont prijzen inclusief btw"
	p = flowFollow(t, env, ac, env.PostForm(t, ac, "/beheer/toelatingseisen", url.Values{"label": {"  " + label + " "}}))
	if !strings.Contains(p.TestID("flash"), "toegevoegd") || p.Doc.Find(`[data-testid="requirement-row"]`).Length() != seeded+1 {
		t.Fatalf("after adding: flash %q", p.TestID("flash"))
	}
	reqs, err := env.App.Store.AdmissionRequirements(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	added := reqs[len(reqs)-1]
	if added.Label != label || !added.Active {
		t.Fatalf("added %+v", added)
	}
	checklist := func() string {
		return flowRead(t, env.Get(t, ac, aplPath(a.ID, ""))).Doc.Find(`[data-testid="checklist-form"]`).Text()
	}
	if !strings.Contains(checklist(), label) {
		t.Error("a new requirement is not on the review checklist")
	}

	path := fmt.Sprintf("/beheer/toelatingseisen/%d/actief", added.ID)
	for range 2 { // a double submit leaves it off
		flowLocation(t, env.PostForm(t, ac, path, url.Values{"actief": {"nee"}}))
	}
	active, err := env.App.Store.AdmissionRequirements(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(active, func(r admission.Requirement) bool { return r.ID == added.ID }) {
		t.Error("switched-off requirement still active")
	}
	if strings.Contains(checklist(), label) {
		t.Error("switched-off requirement still on the checklist")
	}
	p = flowFollow(t, env, ac, env.PostForm(t, ac, path, url.Values{"actief": {"ja"}}))
	if !strings.Contains(p.TestID("flash"), "weer aangezet") {
		t.Errorf("switching on says %q", p.TestID("flash"))
	}
	if n := flowCount(t, env, "SELECT count(*) FROM audit_log WHERE subject_type = 'requirement' AND subject_id = $1", fmt.Sprint(added.ID)); n != 3 {
		t.Errorf("%d audit entries for the requirement, want 3 (added, off, on)", n)
	}
	resp := env.PostForm(t, ac, "/beheer/toelatingseisen/999999/actief", url.Values{"actief": {"nee"}})
	if resp.Body.Close(); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown requirement: %d, want 404", resp.StatusCode)
	}
}

// leadTimeNames lists the supplier names of the overview, in order.
func leadTimeNames(p flowPage) []string {
	var out []string
	p.Doc.Find(`[data-testid="leadtime-row"]`).Each(func(_ int, tr *goquery.Selection) {
		out = append(out, flowText(tr.Find("td").First()))
	})
	return out
}

func TestLeadTimesOverview(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admitted := func(n int, name string, platform admission.Platform) admission.Application {
		in := aplInput(n)
		in.CompanyName, in.Platform = name, string(platform)
		return aplToState(t, env, in, admission.Admitted)
	}
	alfa := admitted(1, "Alfa Zon", admission.WooCommerce)
	flowExec(t, env, "UPDATE applications SET admitted_at = now() - interval '15 days' WHERE id = $1", alfa.ID)
	admitted(2, "Bravo Isolatie", admission.Shopify)
	admitted(3, "Charlie Maatwerk", admission.CustomAPI) // custom API not submitted: no clock yet
	delta := admitted(4, "Delta Warmte", admission.Other)
	flowExec(t, env, "UPDATE applications SET api_submitted_at = now() - interval '10 days', state = 'integration_ready' WHERE id = $1", delta.ID)
	echo := admitted(5, "Echo Alternatief", admission.Magento)
	flowExec(t, env, "UPDATE applications SET admitted_at = now() - interval '20 days', alternative_reason = 'CSV-export' WHERE id = $1", echo.ID)
	aplToState(t, env, aplInput(6), admission.InReview) // not admitted: not listed

	ac := env.LoginRole(t, account.RoleAdmin)
	get := func(c *http.Client, query string) flowPage {
		t.Helper()
		return flowRead(t, env.Get(t, c, "/beheer/doorlooptijden"+query)).want(t, http.StatusOK)
	}
	p := get(ac, "")
	aplNoInlineCode(t, "GET /beheer/doorlooptijden", p)
	if got, want := leadTimeNames(p), []string{"Alfa Zon", "Bravo Isolatie", "Delta Warmte", "Charlie Maatwerk", "Echo Alternatief"}; !slices.Equal(got, want) {
		t.Errorf("default order (deadline ascending) %q, want %q", got, want)
	}
	rows := p.Doc.Find(`[data-testid="leadtime-row"]`)
	first := rows.First()
	if !first.HasClass("overdue") || flowText(first.Find(`[data-testid="overdue"]`)) != "Te laat" || flowText(first.Find(`[data-testid="days-left"]`)) != "-1" {
		t.Errorf("overdue row %q (class %q)", flowText(first), first.AttrOr("class", ""))
	}
	if n := p.Doc.Find(`tr.overdue`).Length(); n != 1 {
		t.Errorf("%d rows highlighted, want only Alfa Zon", n)
	}
	days := func(i int) string { return flowText(rows.Eq(i).Find(`[data-testid="days-left"]`)) }
	if days(1) != "14" || days(2) != "18" || days(3) != "—" || days(4) != "—" {
		t.Errorf("days left %q %q %q %q", days(1), days(2), days(3), days(4))
	}
	if rows.Eq(4).Find(`[data-testid="alternative"]`).Length() != 1 || rows.Eq(4).HasClass("overdue") {
		t.Error("the agreed alternative is not marked, or counts as overdue")
	}
	if got := p.TestID("overdue-count"); got != "1 aanbieder is te laat." {
		t.Errorf("overdue count %q", got)
	}
	if got := p.Doc.Find(`th[aria-sort="ascending"] a`).Text(); got != "Uiterste datum" {
		t.Errorf("sorted column %q, want Uiterste datum", got)
	}

	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"?sorteer=naam", []string{"Alfa Zon", "Bravo Isolatie", "Charlie Maatwerk", "Delta Warmte", "Echo Alternatief"}},
		{"?sorteer=naam&richting=af", []string{"Echo Alternatief", "Delta Warmte", "Charlie Maatwerk", "Bravo Isolatie", "Alfa Zon"}},
		{"?sorteer=status", []string{"Alfa Zon", "Bravo Isolatie", "Charlie Maatwerk", "Echo Alternatief", "Delta Warmte"}},
		{"?sorteer=deadline&richting=af", []string{"Delta Warmte", "Bravo Isolatie", "Alfa Zon", "Charlie Maatwerk", "Echo Alternatief"}},
		{"?sorteer=created_at", []string{"Alfa Zon", "Bravo Isolatie", "Delta Warmte", "Charlie Maatwerk", "Echo Alternatief"}},
		{"?te-laat=1", []string{"Alfa Zon"}},
		{"?route=custom&sorteer=naam", []string{"Charlie Maatwerk", "Delta Warmte"}},
		{"?status=integration_ready", []string{"Delta Warmte"}},
		{"?status=production", nil},
	} {
		if got := leadTimeNames(get(ac, tt.query)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.query, got, tt.want)
		}
	}

	// Sorting keeps the filters, and the form keeps the sort.
	p = get(ac, "?te-laat=1&route=automatic&sorteer=naam")
	href := p.Doc.Find(`th a`).First().AttrOr("href", "")
	if !strings.Contains(href, "sorteer=naam") || !strings.Contains(href, "richting=af") || !strings.Contains(href, "te-laat=1") || !strings.Contains(href, "route=automatic") {
		t.Errorf("name heading links to %q", href)
	}
	if p.Doc.Find(`input[name="te-laat"][checked]`).Length() != 1 || p.Doc.Find(`input[name="sorteer"]`).AttrOr("value", "") != "naam" {
		t.Error("the filter form does not keep the state of the URL")
	}

	// Support reads the same overview; htmx gets only the table.
	if got := leadTimeNames(get(env.LoginRole(t, account.RoleSupport), "?te-laat=1")); !slices.Equal(got, []string{"Alfa Zon"}) {
		t.Errorf("support sees %q", got)
	}
	req, err := http.NewRequest(http.MethodGet, env.Server.URL+"/beheer/doorlooptijden?sorteer=naam", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	resp, err := ac.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusOK || strings.Contains(body, "<html") || !strings.Contains(body, `id="leadtimes"`) {
		t.Errorf("htmx answer %d:\n%.300s", resp.StatusCode, body)
	}
}
