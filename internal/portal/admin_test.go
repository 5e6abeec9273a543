package portal_test

// End-to-end tests of the admin pages: creating users (validation, double
// submit), changing roles, the audit log (filters, htmx fragment, paging),
// the mail outbox and suppliers. Helpers flow* live in auth_flow_test.go.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

func admUserCount(t testing.TB, env *apptest.Env) int {
	t.Helper()
	users, err := env.App.Store.UserList(context.Background(), store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(users)
}

// admNewUser is a valid "new user" form; change fields to break it.
func admNewUser(email string) url.Values {
	return url.Values{"email": {email}, "name": {"Nieuwe Collega"}, "role": {"curator"}, "supplier_id": {""}, "invite": {"ja"}}
}

func TestAdminCreateUserValidation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	usersBefore := admUserCount(t, env)
	mailsBefore := len(flowMails(t, env))
	supplierID := strconv.FormatInt(env.Supplier.ID, 10)

	with := func(changes map[string]string) url.Values {
		f := admNewUser("nieuw@test.example")
		for k, v := range changes {
			f.Set(k, v)
		}
		return f
	}
	tests := []struct {
		name   string
		form   url.Values
		errors map[string]string // data-testid → Dutch message
		keep   map[string]string // input name → value shown again
	}{
		{
			name: "everything missing",
			form: url.Values{"email": {""}, "name": {""}, "role": {""}, "supplier_id": {""}},
			errors: map[string]string{
				"error-email": "Vul het e-mailadres in.",
				"error-name":  "Vul de naam in.",
				"error-role":  "Vul de rol in.",
			},
		},
		{
			name:   "e-mail missing, name kept",
			form:   with(map[string]string{"email": "  "}),
			errors: map[string]string{"error-email": "Vul het e-mailadres in."},
			keep:   map[string]string{"name": "Nieuwe Collega"},
		},
		{
			name:   "name missing, e-mail kept",
			form:   with(map[string]string{"name": ""}),
			errors: map[string]string{"error-name": "Vul de naam in."},
			keep:   map[string]string{"email": "nieuw@test.example"},
		},
		{
			name:   "malformed e-mail",
			form:   with(map[string]string{"email": "geen-adres"}),
			errors: map[string]string{"error-email": "Vul bij het e-mailadres een geldig e-mailadres in, zoals naam@voorbeeld.nl."},
			keep:   map[string]string{"email": "geen-adres", "name": "Nieuwe Collega"},
		},
		{
			name:   "unknown role",
			form:   with(map[string]string{"role": "superuser"}),
			errors: map[string]string{"error-role": "Kies een geldige waarde bij de rol."},
		},
		{
			name:   "duplicate e-mail in capitals",
			form:   with(map[string]string{"email": "ADMIN@test.example"}),
			errors: map[string]string{"error-email": "Er bestaat al een gebruiker met dit e-mailadres."},
			keep:   map[string]string{"email": "ADMIN@test.example", "name": "Nieuwe Collega"},
		},
		{
			name:   "supplier role without supplier",
			form:   with(map[string]string{"role": "supplier"}),
			errors: map[string]string{"error-supplier_id": "Kies de aanbieder waartoe deze gebruiker hoort."},
		},
		{
			name:   "curator with a supplier",
			form:   with(map[string]string{"supplier_id": supplierID}),
			errors: map[string]string{"error-supplier_id": "Alleen gebruikers met de rol Aanbieder horen bij een aanbieder; kies “— geen —”."},
		},
		{
			name:   "supplier that does not exist",
			form:   with(map[string]string{"role": "supplier", "supplier_id": "999999"}),
			errors: map[string]string{"error-supplier_id": "Deze aanbieder bestaat niet (meer). Kies een andere."},
		},
		{
			name:   "own password too short",
			form:   with(map[string]string{"invite": "nee", "password": "kort"}),
			errors: map[string]string{"error-password": "Kies een wachtwoord van minstens 10 tekens."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := flowRead(t, env.PostForm(t, admin, "/beheer/gebruikers", tt.form))
			if p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", p.Status)
			}
			for id, msg := range tt.errors {
				if got := p.TestID(id); got != msg {
					t.Errorf("%s = %q, want %q", id, got, msg)
				}
				if !strings.Contains(p.TestID("error-summary"), msg) {
					t.Errorf("error summary %q lacks %q", p.TestID("error-summary"), msg)
				}
			}
			// No other field is marked.
			p.Doc.Find(".field-error").Each(func(_ int, s *goquery.Selection) {
				id, _ := s.Attr("data-testid")
				if _, ok := tt.errors[id]; !ok {
					t.Errorf("unexpected error %s: %q", id, flowText(s))
				}
			})
			for name, v := range tt.keep {
				if got := p.Value(name); got != v {
					t.Errorf("field %s shows %q, want the typed %q", name, got, v)
				}
			}
			if role := tt.form.Get("role"); role == "supplier" || role == "curator" {
				if got := p.Selected("role"); got != role {
					t.Errorf("role select shows %q, want %q", got, role)
				}
			}
			if sup := tt.form.Get("supplier_id"); sup != "" && sup != "999999" {
				if got := p.Selected("supplier_id"); got != sup {
					t.Errorf("supplier select shows %q, want %q", got, sup)
				}
			}
			if p.Value("password") != "" {
				t.Error("the password is echoed back")
			}
		})
	}
	if n := admUserCount(t, env); n != usersBefore {
		t.Errorf("%d users after only refused forms, want %d", n, usersBefore)
	}
	if n := len(flowMails(t, env)); n != mailsBefore {
		t.Errorf("%d mails after only refused forms, want %d", n, mailsBefore)
	}
}

func TestAdminCreateUserDoubleSubmit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	before := admUserCount(t, env)

	// One after the other (the browser's back button and submit again).
	form := admNewUser("dubbel@test.example")
	form.Set("invite", "nee")
	form.Set("password", "een-goed-wachtwoord")
	first := env.PostForm(t, admin, "/beheer/gebruikers", form)
	if loc := flowLocation(t, first); !strings.HasPrefix(loc, "/beheer/gebruikers/") {
		t.Fatalf("first submit: redirect to %q", loc)
	}
	second := flowRead(t, env.PostForm(t, admin, "/beheer/gebruikers", form))
	if second.Status != http.StatusUnprocessableEntity || second.TestID("error-email") != "Er bestaat al een gebruiker met dit e-mailadres." {
		t.Errorf("second submit: %d %q", second.Status, second.TestID("error-email"))
	}
	if _, resp := flowLogin(t, env, "dubbel@test.example", "een-goed-wachtwoord"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the user created with a password cannot log in (%d)", resp.StatusCode)
	}

	// At the same moment (a double click), with an invitation: one user,
	// one mail.
	form = admNewUser("tegelijk@test.example")
	const n = 4
	statuses := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, env.Server.URL+"/beheer/gebruikers", strings.NewReader(form.Encode()))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			<-start
			resp, err := admin.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(statuses)
	if want := []int{http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusUnprocessableEntity, http.StatusUnprocessableEntity}; !slices.Equal(statuses, want) {
		t.Errorf("simultaneous submits: statuses %v, want one 303 and the rest 422", statuses)
	}
	if got := admUserCount(t, env); got != before+2 {
		t.Errorf("%d users, want %d (exactly one per address)", got, before+2)
	}
	if links := flowMailLinks(t, env, "tegelijk@test.example", "/uitnodiging/"); len(links) != 1 {
		t.Errorf("%d invitations sent, want 1", len(links))
	}
}

// admSee follows a redirect if there is one and returns the page shown.
func admSee(t testing.TB, env *apptest.Env, c *http.Client, resp *http.Response) flowPage {
	t.Helper()
	if resp.StatusCode == http.StatusSeeOther {
		return flowFollow(t, env, c, resp)
	}
	return flowRead(t, resp)
}

func TestAdminChangesRole(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	adminUser := env.Users[account.RoleAdmin]
	curator := env.Users[account.RoleCurator]
	curatorBrowser := env.LoginRole(t, account.RoleCurator)
	userURL := fmt.Sprintf("/beheer/gebruikers/%d", curator.ID)

	// A supplier role needs a supplier: nothing changes, nobody is logged
	// out.
	p := flowRead(t, env.PostForm(t, admin, userURL+"/rol", url.Values{"role": {"supplier"}, "supplier_id": {""}}))
	if p.Status != http.StatusUnprocessableEntity || p.TestID("error-supplier_id") != "Kies de aanbieder waartoe deze gebruiker hoort." {
		t.Errorf("supplier role without supplier: %d %q", p.Status, p.TestID("error-supplier_id"))
	}
	if p.Selected("role") != "supplier" {
		t.Errorf("role select shows %q, want the chosen supplier", p.Selected("role"))
	}
	if !flowLoggedIn(t, env, curatorBrowser) {
		t.Fatal("a refused role change logged the user out")
	}

	resp := env.PostForm(t, admin, userURL+"/rol", url.Values{"role": {"support"}, "supplier_id": {""}})
	if loc := flowLocation(t, resp); loc != userURL {
		t.Fatalf("redirect to %q, want %q", loc, userURL)
	}
	page := flowRead(t, env.Get(t, admin, userURL))
	if got := page.TestID("flash"); got != "De rol is gewijzigd naar Support. De gebruiker is uitgelogd." {
		t.Errorf("flash %q", got)
	}
	if got := flowText(page.Doc.Find("dt").FilterFunction(func(_ int, s *goquery.Selection) bool { return flowText(s) == "Rol" }).Next()); got != "Support" {
		t.Errorf("user page shows role %q, want Support", got)
	}
	if flowLoggedIn(t, env, curatorBrowser) {
		t.Error("the user's session survived the role change")
	}
	entries, err := env.App.Store.AuditList(context.Background(), audit.Filter{Action: audit.UserRoleChanged})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("%d role change entries, want 1", len(entries))
	}
	e := entries[0]
	if e.Detail["from"] != "curator" || e.Detail["to"] != "support" || e.SubjectID != strconv.FormatInt(curator.ID, 10) ||
		e.Actor.UserID == nil || *e.Actor.UserID != adminUser.ID {
		t.Errorf("audit entry %+v, want admin changed user %d from curator to support", e, curator.ID)
	}
	auditPage := flowRead(t, env.Get(t, admin, "/beheer/audit?actie=user.role_changed"))
	if row := flowText(auditPage.Doc.Find(`[data-testid="audit-table"] tbody tr`).First()); !strings.Contains(row, "Rol gewijzigd") || !strings.Contains(row, "van: Curator, naar: Support") {
		t.Errorf("audit page row %q", row)
	}
	// The next login has the new role.
	c, resp := flowLogin(t, env, curator.Email, apptest.Password)
	flowLocation(t, resp)
	if box := flowRead(t, env.Get(t, c, "/")).TestID("userbox"); !strings.Contains(box, "Support") {
		t.Errorf("after logging in again the userbox says %q", box)
	}

	// An admin cannot take away its own rights.
	selfURL := fmt.Sprintf("/beheer/gebruikers/%d", adminUser.ID)
	p = admSee(t, env, admin, env.PostForm(t, admin, selfURL+"/rol", url.Values{"role": {"curator"}, "supplier_id": {""}}))
	const noSelfRole = "U kunt uw eigen rol niet wijzigen; vraag een andere beheerder."
	if !slices.Contains(p.TestIDs("flash"), noSelfRole) && p.TestID("error-role") != noSelfRole {
		t.Errorf("demoting oneself: status %d, flashes %q, role error %q; want %q shown", p.Status, p.TestIDs("flash"), p.TestID("error-role"), noSelfRole)
	}
	p = admSee(t, env, admin, env.PostForm(t, admin, selfURL+"/deactiveren", nil))
	if got := p.TestIDs("flash"); !slices.Contains(got, "U kunt uw eigen account niet deactiveren.") {
		t.Errorf("deactivating oneself: flashes %q", got)
	}
	u, err := env.App.Store.UserGet(context.Background(), adminUser.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != account.RoleAdmin || !u.Active {
		t.Errorf("admin is now %s, active %v", u.Role, u.Active)
	}
	if p := flowRead(t, env.Get(t, admin, "/beheer/gebruikers")); p.Status != http.StatusOK {
		t.Errorf("admin lost access to the admin pages: %d", p.Status)
	}
}

// admAuditRows returns the rows of the audit table as cells.
func admAuditRows(p flowPage) [][]string {
	var rows [][]string
	p.Doc.Find(`[data-testid="audit-table"] tbody tr`).Each(func(_ int, tr *goquery.Selection) {
		cells := tr.Find("td")
		if cells.Length() != 6 { // the "nothing found" row
			return
		}
		var row []string
		cells.Each(func(_ int, td *goquery.Selection) { row = append(row, flowText(td)) })
		rows = append(rows, row)
	})
	return rows
}

func TestAdminAuditLog(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	curator := env.Users[account.RoleCurator]
	if _, resp := flowLogin(t, env, curator.Email, "fout-wachtwoord"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("failed login: %d", resp.StatusCode)
	}
	env.LoginRole(t, account.RoleCurator)
	admin := env.LoginRole(t, account.RoleAdmin)

	all := flowRead(t, env.Get(t, admin, "/beheer/audit")).want(t, http.StatusOK)
	var sawFailed, sawLogin bool
	for _, r := range admAuditRows(all) {
		if r[1] == curator.Email || strings.Contains(r[1], curator.Email) {
			sawFailed = sawFailed || r[3] == "Inloggen mislukt"
			sawLogin = sawLogin || r[3] == "Ingelogd"
			if r[2] != "127.0.0.1" {
				t.Errorf("row %q: address %q, want 127.0.0.1", r, r[2])
			}
		}
	}
	if !sawFailed || !sawLogin {
		t.Errorf("audit page lacks the curator's failed (%v) or successful (%v) login:\n%q", sawFailed, sawLogin, admAuditRows(all))
	}

	failed := flowRead(t, env.Get(t, admin, "/beheer/audit?actie=login.failed")).want(t, http.StatusOK)
	rows := admAuditRows(failed)
	if len(rows) != 1 {
		t.Errorf("filter login.failed: %d rows, want 1", len(rows))
	}
	for _, r := range rows {
		if r[3] != "Inloggen mislukt" {
			t.Errorf("filter login.failed shows %q", r)
		}
	}
	if failed.Selected("actie") != "login.failed" {
		t.Errorf("the filter shows %q as selected", failed.Selected("actie"))
	}
	byActor := flowRead(t, env.Get(t, admin, "/beheer/audit?door=curator"))
	for _, r := range admAuditRows(byActor) {
		if !strings.Contains(r[1], "curator") {
			t.Errorf("filter door=curator shows a row by %q", r[1])
		}
	}
	if len(admAuditRows(byActor)) < 2 {
		t.Errorf("filter door=curator: %d rows, want the failed and the successful login", len(admAuditRows(byActor)))
	}

	// htmx swaps only the results.
	req, err := http.NewRequest(http.MethodGet, env.Server.URL+"/beheer/audit?actie=login.failed", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	resp, err := admin.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	frag := flowRead(t, resp).want(t, http.StatusOK)
	body := strings.TrimSpace(frag.Body)
	if !strings.HasPrefix(body, `<div id="audit">`) || strings.Contains(strings.ToLower(body), "<html") || strings.Contains(body, "sidenav") {
		t.Errorf("htmx answer is not just the #audit fragment:\n%.300s", body)
	}
	if n := len(admAuditRows(frag)); n != 1 {
		t.Errorf("fragment has %d rows, want 1", n)
	}
	if !strings.Contains(resp.Header.Get("Vary"), "HX-Request") {
		t.Errorf("Vary %q: caches could mix page and fragment", resp.Header.Get("Vary"))
	}

	for _, tc := range []struct{ query, msg string }{
		{"van=2026-13-45", "De datum bij ‘Vanaf’ is ongeldig."},
		{"tot=gisteren", "De datum bij ‘Tot en met’ is ongeldig."},
		{"van=2026-02-02&tot=2026-02-01", "‘Vanaf’ ligt na ‘Tot en met’; pas de datums aan."},
	} {
		p := flowRead(t, env.Get(t, admin, "/beheer/audit?"+tc.query))
		if p.Status >= 500 || p.TestID("audit-error") != tc.msg {
			t.Errorf("%s: %d %q, want %q", tc.query, p.Status, p.TestID("audit-error"), tc.msg)
		}
		if n := len(admAuditRows(p)); n != 0 {
			t.Errorf("%s: %d rows shown next to the error", tc.query, n)
		}
	}
	if p := flowRead(t, env.Get(t, admin, "/beheer/audit?van=2026-13-45")); p.Value("van") != "2026-13-45" {
		t.Errorf("the wrong date is not kept in the field: %q", p.Value("van"))
	}

	// Non-admins cannot read the log.
	if resp := env.Get(t, env.LoginRole(t, account.RoleSupport), "/beheer/audit"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("support opening the audit log: %d, want 403", resp.StatusCode)
	} else {
		resp.Body.Close()
	}
}

func TestAdminAuditPaging(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	const n = 123
	for i := 1; i <= n; i++ {
		if err := env.App.Store.AuditAdd(ctx, audit.Entry{
			Actor: audit.Actor{Email: "pager@test.example"}, Action: "test.paging", SubjectType: "test", SubjectID: strconv.Itoa(i),
		}); err != nil {
			t.Fatal(err)
		}
	}
	admin := env.LoginRole(t, account.RoleAdmin)

	// walk follows "Oudere gebeurtenissen" from a first page to the end.
	walk := func(t *testing.T, first string) (rows [][]string, pages int) {
		t.Helper()
		next := first
		for next != "" {
			pages++
			if pages > 20 {
				t.Fatal("paging does not end")
			}
			p := flowRead(t, env.Get(t, admin, next)).want(t, http.StatusOK)
			pageRows := admAuditRows(p)
			if len(pageRows) > 50 {
				t.Errorf("page %d has %d rows, want at most 50", pages, len(pageRows))
			}
			rows = append(rows, pageRows...)
			link := p.Doc.Find(".pagination a").FilterFunction(func(_ int, s *goquery.Selection) bool {
				return flowText(s) == "Oudere gebeurtenissen"
			})
			next, _ = link.Attr("href")
			if next != "" && len(pageRows) != 50 {
				t.Errorf("page %d has %d rows and a link to older ones", pages, len(pageRows))
			}
		}
		return rows, pages
	}

	t.Run("filtered", func(t *testing.T) {
		rows, pages := walk(t, "/beheer/audit?actie=test.paging")
		if pages != 3 {
			t.Errorf("%d pages, want 3 for %d entries", pages, n)
		}
		if len(rows) != n {
			t.Fatalf("%d rows over all pages, want %d", len(rows), n)
		}
		// Newest first, each exactly once: n, n-1, …, 1.
		for i, r := range rows {
			if want := fmt.Sprintf("test %d", n-i); r[4] != want || r[3] != "test.paging" {
				t.Fatalf("row %d is %q, want subject %q (no entry repeated or skipped)", i, r, want)
			}
		}
	})
	t.Run("unfiltered", func(t *testing.T) {
		rows, _ := walk(t, "/beheer/audit")
		total := flowCount(t, env, "SELECT count(*) FROM audit_log")
		if len(rows) != total {
			t.Errorf("%d rows over all pages, want all %d entries", len(rows), total)
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if r[3] == "test.paging" {
				if seen[r[4]] {
					t.Errorf("%s shown twice", r[4])
				}
				seen[r[4]] = true
			}
		}
		if len(seen) != n {
			t.Errorf("%d distinct test entries, want %d", len(seen), n)
		}
	})
}

func TestAdminOutbox(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	resp := env.PostForm(t, admin, "/beheer/gebruikers", admNewUser("collega@test.example"))
	flowLocation(t, resp)

	list := flowRead(t, env.Get(t, admin, "/beheer/e-mail")).want(t, http.StatusOK)
	row := list.Doc.Find(`[data-testid="outbox-table"] tbody tr`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "collega@test.example")
	})
	if row.Length() != 1 {
		t.Fatalf("outbox lists %d rows for the invited address, want 1:\n%s", row.Length(), flowText(list.Doc.Find("table")))
	}
	if txt := flowText(row); !strings.Contains(txt, "Uitnodiging voor het portaal van Winst uit je woning") || !strings.Contains(txt, "Alleen bewaard") {
		t.Errorf("outbox row %q, want the subject and status Alleen bewaard", txt)
	}
	if !strings.Contains(list.Body, "Er is geen mailserver ingesteld") {
		t.Error("the outbox does not say that mail is only stored")
	}
	href, _ := row.Find("a").Attr("href")
	if !strings.HasPrefix(href, "/beheer/e-mail/") {
		t.Fatalf("row links to %q", href)
	}
	resp = env.Get(t, admin, href)
	if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("mail page Referrer-Policy %q, want no-referrer", rp)
	}
	mail := flowRead(t, resp).want(t, http.StatusOK)
	body := mail.Doc.Find(`[data-testid="mail-body"]`).Text()
	link := flowMailLink(t, env, "collega@test.example", "/uitnodiging/")
	if !strings.Contains(body, env.Server.URL+link) {
		t.Errorf("mail body does not show the invitation link %s:\n%s", link, body)
	}
	if p := flowRead(t, env.Get(t, env.Client(t), link)); p.Status != http.StatusOK {
		t.Errorf("the link from the mail page: %d", p.Status)
	}
	if resp := env.Get(t, admin, "/beheer/e-mail/999999"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown mail: %d, want 404", resp.StatusCode)
	} else {
		resp.Body.Close()
	}
	if resp := env.Get(t, env.LoginRole(t, account.RoleCurator), href); resp.StatusCode != http.StatusForbidden {
		t.Errorf("curator reading a mail: %d, want 403", resp.StatusCode)
	} else {
		resp.Body.Close()
	}
}

func TestAdminSuppliers(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	count := func() int { return flowCount(t, env, "SELECT count(*) FROM suppliers") }
	before := count()

	for _, tc := range []struct{ name, msg string }{
		{"", "Vul de naam van de organisatie in."},
		{"   ", "Vul de naam van de organisatie in."},
		{"Testwinkel B.V.", "Er bestaat al een aanbieder met deze naam."},
		{" Testwinkel B.V. ", "Er bestaat al een aanbieder met deze naam."},
		{strings.Repeat("x", 201), "De naam mag hoogstens 200 tekens lang zijn."},
	} {
		p := flowRead(t, env.PostForm(t, admin, "/beheer/aanbieders", url.Values{"name": {tc.name}}))
		if p.Status != http.StatusUnprocessableEntity || p.TestID("error-name") != tc.msg {
			t.Errorf("name %.20q: %d %q, want 422 %q", tc.name, p.Status, p.TestID("error-name"), tc.msg)
		}
		if !strings.Contains(p.TestID("error-summary"), tc.msg) {
			t.Errorf("name %.20q: summary %q", tc.name, p.TestID("error-summary"))
		}
		if p.Value("name") != strings.TrimSpace(tc.name) {
			t.Errorf("name %.20q: field shows %.20q", tc.name, p.Value("name"))
		}
	}
	if n := count(); n != before {
		t.Fatalf("%d suppliers after refused forms, want %d", n, before)
	}

	resp := env.PostForm(t, admin, "/beheer/aanbieders", url.Values{"name": {"  Nieuwe Winkel B.V. "}})
	p := flowFollow(t, env, admin, resp)
	if got := p.TestID("flash"); got != "Aanbieder Nieuwe Winkel B.V. is toegevoegd." {
		t.Errorf("flash %q", got)
	}
	var names []string
	p.Doc.Find(`[data-testid="suppliers-table"] tbody tr td:first-child`).Each(func(_ int, s *goquery.Selection) { names = append(names, flowText(s)) })
	if !slices.Contains(names, "Nieuwe Winkel B.V.") {
		t.Errorf("suppliers listed: %q", names)
	}
	if n := count(); n != before+1 {
		t.Errorf("%d suppliers, want %d", n, before+1)
	}
	// The new supplier can be chosen for a supplier user.
	form := flowRead(t, env.Get(t, admin, "/beheer/gebruikers/nieuw"))
	if opt := form.Doc.Find(`select[name="supplier_id"] option`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return flowText(s) == "Nieuwe Winkel B.V."
	}); opt.Length() != 1 {
		t.Error("the new supplier is not offered in the new-user form")
	}
	entries, err := env.App.Store.AuditList(context.Background(), audit.Filter{Action: audit.SupplierCreated})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Detail["name"] != "Nieuwe Winkel B.V." {
		t.Errorf("audit entries for supplier creation: %+v", entries)
	}
}

func TestAdminSupplierDoubleSubmit(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	form := url.Values{"name": {"Dubbel B.V."}}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 6 {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, env.Server.URL+"/beheer/aanbieders", strings.NewReader(form.Encode()))
			if err != nil {
				return
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			<-start
			if resp, err := admin.Do(req); err == nil {
				resp.Body.Close()
			}
		})
	}
	close(start)
	wg.Wait()
	if n := flowCount(t, env, "SELECT count(*) FROM suppliers WHERE name = 'Dubbel B.V.'"); n != 1 {
		t.Errorf("%d suppliers named Dubbel B.V. after a double submit, want 1", n)
	}
}
