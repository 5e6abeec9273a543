package portal_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
)

// The admin start page counts active users per role, supplier
// organisations and unsent mail, and lists the latest events.
func TestAdminDashboard(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	doc := parseHTML(t, apptest.Body(t, env.Get(t, admin, "/")))

	counts := map[string]string{}
	doc.Find(`section[aria-labelledby="users-h"] tr`).Each(func(_ int, tr *goquery.Selection) {
		counts[strings.TrimSpace(tr.Find("th").Text())] = strings.TrimSpace(tr.Find("td").Text())
	})
	// apptest: one user per role, plus a second supplier user.
	want := map[string]string{"Beheerder": "1", "Curator": "1", "Support": "1", "Aanbieder": "2"}
	for label, n := range want {
		if counts[label] != n {
			t.Errorf("active %s: %q, want %s (all: %v)", label, counts[label], n, counts)
		}
	}
	if got := doc.Find(`section[aria-labelledby="sup-h"]`).Text(); !strings.Contains(got, "2 aanbieders geregistreerd") {
		t.Errorf("supplier card %q, want 2 aanbieders", got)
	}
	if got := doc.Find(`section[aria-labelledby="mail-h"]`).Text(); !strings.Contains(got, "Alle berichten zijn verzonden") {
		t.Errorf("mail card %q", got)
	}
	recent := doc.Find(`section[aria-labelledby="recent-h"] tbody`).Text()
	if !strings.Contains(recent, "Ingelogd") || !strings.Contains(recent, env.Users[account.RoleAdmin].Email) {
		t.Errorf("recent events %q do not show the admin's login", recent)
	}
}
