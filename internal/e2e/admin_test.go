package e2e

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
)

// An admin invites a curator through the screens; the curator follows the
// link from the e-mail, chooses a password and logs in.
func TestAdminInvitesCuratorWhoActivatesAndLogsIn(t *testing.T) {
	env := setup(t)
	p := newTab(t, env)
	const (
		email    = "nieuwe.curator@test.example"
		name     = "Nieuwe Curator"
		password = "zeven-groene-fietsen-rijden"
	)

	p.login(env.Users[account.RoleAdmin].Email, apptest.Password)
	p.clickNav("Gebruikers")
	p.clickLink("Gebruiker toevoegen")
	if got := p.text("h1"); got != "Gebruiker toevoegen" {
		t.Fatalf("heading %q, want Gebruiker toevoegen", got)
	}
	p.typeInto("#f-email", email)
	p.typeInto("#f-name", name)
	p.choose("#f-role", "Curator")
	if !eval[bool](p, `document.querySelector("#f-invite-yes").checked`) {
		t.Fatal(`"Stuur een uitnodiging" is not chosen by default`)
	}
	p.screenshot("user-new")
	p.pressButton("Gebruiker toevoegen")

	if got := p.path(); !regexp.MustCompile(`^/beheer/gebruikers/\d+$`).MatchString(got) {
		t.Fatalf("after adding, the browser is on %s, want the user's page", got)
	}
	if got := p.text("h1"); got != name {
		t.Errorf("user page heading %q, want %q", got, name)
	}
	if got := p.text("[data-testid=user-status]"); got != "Uitgenodigd" {
		t.Errorf("status %q, want Uitgenodigd", got)
	}
	if f := p.flashes(); !containsAny(f, "Uitnodiging verstuurd naar "+email) {
		t.Errorf("flashes %q, want the invitation confirmation", f)
	}
	p.screenshot("user-invited")

	p.clickNav("Uitgaande e-mail")
	p.screenshot("outbox")
	p.follow("open the invitation mail", clickXPath(`//tr[td[normalize-space(.)=`+xpathString(email)+`]]//a`))
	body := p.text("[data-testid=mail-body]")
	p.screenshot("mail")
	link := regexp.MustCompile(`https?://\S+/uitnodiging/\S+`).FindString(body)
	if link == "" {
		t.Fatalf("no /uitnodiging/ link in the mail:\n%s", body)
	}
	if !strings.HasPrefix(link, env.Server.URL+"/uitnodiging/") {
		t.Fatalf("invitation link %s does not point at the portal %s", link, env.Server.URL)
	}
	p.press("[data-testid=logout]")

	p.open(strings.TrimPrefix(link, env.Server.URL))
	if got := p.text("main"); !strings.Contains(got, email) {
		t.Errorf("invitation page does not name the account %s", email)
	}
	p.screenshot("invite-accept")
	p.typeInto("#f-password", password)
	p.typeInto("#f-confirm", password)
	p.pressButton("Wachtwoord opslaan")
	if got := p.path(); got != "/inloggen" {
		t.Fatalf("after choosing a password the browser is on %s, want /inloggen", got)
	}
	if f := p.flashes(); !containsAny(f, "Uw account is geactiveerd") {
		t.Errorf("flashes %q, want the activation message", f)
	}

	p.login(email, password)
	if got := p.text("[data-testid=home-title]"); got != "Welkom, "+name {
		t.Errorf("start page title %q, want %q", got, "Welkom, "+name)
	}
	// A curator starts at the review queue's summary.
	if got := p.text("main h2"); got != "Te beoordelen" {
		t.Errorf("start page says %q, want %q", got, "Te beoordelen")
	}
	if got, want := p.navItems(), []string{"Start", "Curatie", "Categorieën", "Mijn account"}; !slices.Equal(got, want) {
		t.Errorf("menu %q, want %q", got, want)
	}

	// The link works once.
	p.press("[data-testid=logout]")
	p.open(strings.TrimPrefix(link, env.Server.URL))
	if got := p.text("[data-testid=link-invalid]"); !strings.Contains(got, "ongeldig") {
		t.Errorf("second use of the link shows %q, want the invalid-link message", got)
	}
}

// The audit log filter swaps the results with htmx, without loading the
// page again, and keeps the filter in the address bar.
func TestAuditFilterUpdatesTableWithHTMX(t *testing.T) {
	env := setup(t)
	p := newTab(t, env)
	adminEmail := env.Users[account.RoleAdmin].Email

	// One failed login first, so the log has something to filter on.
	p.login(adminEmail, "verkeerd-wachtwoord")
	if msg := p.text("[data-testid=login-error]"); !strings.Contains(msg, "klopt niet") {
		t.Fatalf("login error %q", msg)
	}
	p.typeInto("#f-password", apptest.Password)
	p.press("[data-testid=login-submit]")
	if got := p.path(); got != "/" {
		t.Fatalf("after login on %s", got)
	}

	p.clickNav("Auditlog")
	if got := p.path(); got != "/beheer/audit" {
		t.Fatalf("on %s, want /beheer/audit", got)
	}
	before := p.texts("[data-testid=audit-table] tbody td:nth-child(4)")
	if !slices.Contains(before, "Inloggen mislukt") || !slices.Contains(before, "Ingelogd") {
		t.Fatalf("unfiltered log shows events %q, want both a failed and a successful login", before)
	}
	p.screenshot("audit")

	eval[int](p, `window.__marker = 1`)
	p.choose("#f-action", "Inloggen mislukt")
	p.waitUntil("the filter is in the URL and the table shows only failed logins", `
		location.search.includes("actie=login.failed") &&
		Array.from(document.querySelectorAll("[data-testid=audit-table] tbody td:nth-child(4)"))
			.every(td => td.textContent.trim() === "Inloggen mislukt")`)

	if !eval[bool](p, `window.__marker === 1`) {
		t.Error("the page was loaded again; the filter should only swap the table")
	}
	if got := p.path(); !strings.Contains(got, "actie=login.failed") {
		t.Errorf("URL %s does not keep the filter", got)
	}
	after := p.texts("[data-testid=audit-table] tbody td:nth-child(4)")
	if len(after) != 1 || after[0] != "Inloggen mislukt" {
		t.Errorf("filtered log shows %q, want one failed login", after)
	}
	if got := p.value("#f-action"); got != "login.failed" {
		t.Errorf("select shows %q after the swap, want login.failed", got)
	}
	if n := eval[int](p, `document.querySelectorAll("#audit").length`); n != 1 {
		t.Errorf("%d #audit regions after the swap, want 1", n)
	}
	p.screenshot("audit-filtered")

	// Reloading the pushed URL gives the same filtered page (without htmx).
	p.open(p.path())
	if got := p.texts("[data-testid=audit-table] tbody td:nth-child(4)"); !slices.Equal(got, []string{"Inloggen mislukt"}) {
		t.Errorf("reloaded filtered page shows %q", got)
	}
}
