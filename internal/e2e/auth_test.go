package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
)

// Every role logs in through the form, sees exactly its own menu, is
// refused another role's page in Dutch, and logs out.
func TestEachRoleLogsInSeesItsMenuAndLogsOut(t *testing.T) {
	env := setup(t)
	cases := []struct {
		role      account.Role
		nav       []string
		forbidden string // a page of another role
	}{
		{account.RoleAdmin, []string{"Start", "Aanmeldingen", "Doorlooptijden", "Testmomenten", "Vragen", "Uren", "Curatie", "Categorieën", "Gebruikers", "Aanbieders", "Koppelingen", "Auditlog", "Uitgaande e-mail", "Mijn account"}, "/team"},
		{account.RoleCurator, []string{"Start", "Curatie", "Categorieën", "Mijn account"}, "/beheer/gebruikers"},
		{account.RoleSupport, []string{"Start", "Vragen", "Uren", "Doorlooptijden", "Testmomenten", "Koppelingen", "Mijn account"}, "/beheer/audit"},
		{account.RoleSupplier, []string{"Start", "Koppelingen", "Producten", "API-sleutels", "Handleiding", "Integratietest", "Vragen", "Uren", "Team", "Mijn account"}, "/beheer/gebruikers"},
	}
	for _, c := range cases {
		t.Run(string(c.role), func(t *testing.T) {
			t.Parallel()
			u := env.Users[c.role]
			p := newTab(t, env)

			p.open("/inloggen")
			if c.role == account.RoleAdmin {
				p.screenshot("login")
			}
			p.typeInto("#f-email", u.Email)
			p.typeInto("#f-password", apptest.Password)
			p.press("[data-testid=login-submit]")

			if got := p.path(); got != "/" {
				t.Fatalf("after login the browser is on %s, want the start page /", got)
			}
			if got, want := p.text("[data-testid=home-title]"), "Welkom, "+u.Name; got != want {
				t.Errorf("start page title %q, want %q", got, want)
			}
			if box := p.text("[data-testid=userbox]"); !strings.Contains(box, c.role.Label()) {
				t.Errorf("top bar %q does not show the role %q", box, c.role.Label())
			}
			if got := p.navItems(); !slices.Equal(got, c.nav) {
				t.Errorf("menu %q, want exactly %q", got, c.nav)
			}
			if got := p.texts("nav[data-testid=nav] a[aria-current=page]"); !slices.Equal(got, []string{"Start"}) {
				t.Errorf("current menu item %q, want [Start]", got)
			}
			if c.role == account.RoleAdmin {
				p.screenshot("admin-start")
			}

			if status := p.open(c.forbidden); status != http.StatusForbidden {
				t.Errorf("%s as %s: status %d, want 403", c.forbidden, c.role, status)
			}
			if got := p.text("[data-testid=error-403] h1"); got != "Geen toegang" {
				t.Errorf("403 page heading %q, want %q", got, "Geen toegang")
			}
			if got := p.navItems(); !slices.Equal(got, c.nav) {
				t.Errorf("menu on the 403 page %q, want %q", got, c.nav)
			}
			if c.role == account.RoleCurator {
				p.screenshot("forbidden")
			}

			p.press("[data-testid=logout]")
			if got := p.path(); got != "/inloggen" {
				t.Fatalf("after logout the browser is on %s, want /inloggen", got)
			}
			if f := p.flashes(); !containsAny(f, "U bent uitgelogd.") {
				t.Errorf("flashes after logout %q, want %q", f, "U bent uitgelogd.")
			}
			if n := p.navItems(); len(n) != 0 {
				t.Errorf("menu still shown after logout: %q", n)
			}

			p.open("/")
			if got := p.path(); got != "/inloggen" {
				t.Errorf("/ after logout ends on %s, want /inloggen", got)
			}
			if got := p.text("h1"); got != "Inloggen" {
				t.Errorf("heading %q, want Inloggen", got)
			}
		})
	}
}

// A wrong password gives the Dutch message and keeps the typed address.
func TestWrongPasswordShowsDutchMessageAndKeepsEmail(t *testing.T) {
	env := setup(t)
	p := newTab(t, env)
	email := env.Users[account.RoleSupplier].Email

	p.open("/inloggen")
	p.typeInto("#f-email", email)
	p.typeInto("#f-password", "dit-is-het-niet")
	status := p.press("[data-testid=login-submit]")

	if status != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", status)
	}
	if got := p.path(); got != "/inloggen" {
		t.Errorf("browser on %s, want /inloggen", got)
	}
	if msg := p.text("[data-testid=login-error]"); !strings.Contains(msg, "klopt niet") {
		t.Errorf("login error %q, want it to contain %q", msg, "klopt niet")
	}
	if got := p.value("#f-email"); got != email {
		t.Errorf("e-mail field %q after the failed login, want %q", got, email)
	}
	if got := p.value("#f-password"); got != "" {
		t.Errorf("password field was filled in again (%d characters); it must be empty", len(got))
	}
	if n := p.navItems(); len(n) != 0 {
		t.Errorf("menu shown after a failed login: %q", n)
	}
	p.screenshot("login-failed")
}

// Deactivating a user ends the session that user has open: the next click
// lands on the login page with a Dutch explanation.
func TestDeactivationEndsOpenSessionAtOnce(t *testing.T) {
	env := setup(t)
	supplier := env.Users[account.RoleSupplier]

	sup := newTab(t, env)
	sup.login(supplier.Email, apptest.Password)
	if got := sup.text("[data-testid=home-title]"); got != "Welkom, "+supplier.Name {
		t.Fatalf("supplier start page title %q", got)
	}
	sup.screenshot("supplier-start")

	// The admin, in a browser of their own, deactivates the supplier.
	admin := newTab(t, env)
	admin.login(env.Users[account.RoleAdmin].Email, apptest.Password)
	admin.clickNav("Gebruikers")
	admin.screenshot("users")
	admin.clickLink(supplier.Name)
	if got := admin.text("[data-testid=user-status]"); got != "Actief" {
		t.Fatalf("status before deactivation %q, want Actief", got)
	}
	admin.press("[data-testid=deactivate]")
	if got := admin.text("[data-testid=user-status]"); got != "Gedeactiveerd" {
		t.Fatalf("status after deactivation %q, want Gedeactiveerd", got)
	}
	admin.screenshot("user-deactivated")

	// The supplier's next navigation.
	sup.clickNav("Team")
	if got := sup.path(); got != "/inloggen?next=%2Fteam" {
		t.Errorf("supplier's next page is %s, want /inloggen?next=%%2Fteam", got)
	}
	if f := sup.flashes(); !containsAny(f, "Uw sessie is verlopen of beëindigd") {
		t.Errorf("flashes %q, want %q", f, "Uw sessie is verlopen of beëindigd")
	}
	if n := sup.navItems(); len(n) != 0 {
		t.Errorf("menu still shown: %q", n)
	}
	sup.screenshot("session-ended")

	// And the account no longer logs in.
	sup.typeInto("#f-email", supplier.Email)
	sup.typeInto("#f-password", apptest.Password)
	sup.press("[data-testid=login-submit]")
	if got := sup.path(); !strings.HasPrefix(got, "/inloggen") {
		t.Errorf("deactivated user logged in again, now on %s", got)
	}
	if msg := sup.text("[data-testid=login-error]"); msg == "" {
		t.Error("no login error for the deactivated user")
	}
}
