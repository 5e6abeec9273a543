package portal_test

// End-to-end tests of logging in, throttling, password reset, invitations
// and changing a password, through the real portal on a fresh database
// (apptest). They assert what a user sees: status, Dutch messages (by
// data-testid), where a redirect goes, and whether a session still works.
//
// The helpers here (flow*) are shared with admin_test.go.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/store"
)

// flowPage is a response read in full and parsed.
type flowPage struct {
	Status int
	Header http.Header
	Body   string
	Doc    *goquery.Document
}

func flowRead(t testing.TB, resp *http.Response) flowPage {
	t.Helper()
	body := apptest.Body(t, resp)
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing HTML: %v", err)
	}
	return flowPage{Status: resp.StatusCode, Header: resp.Header, Body: body, Doc: doc}
}

// TestID is the whitespace-normalised text of the first element with the
// data-testid, "" when there is none.
func (p flowPage) TestID(id string) string {
	return flowText(p.Doc.Find(`[data-testid="` + id + `"]`).First())
}

// TestIDs is the text of every element with the data-testid.
func (p flowPage) TestIDs(id string) []string {
	var out []string
	p.Doc.Find(`[data-testid="` + id + `"]`).Each(func(_ int, s *goquery.Selection) { out = append(out, flowText(s)) })
	return out
}

func (p flowPage) Has(id string) bool { return p.Doc.Find(`[data-testid="`+id+`"]`).Length() > 0 }

// Value is the value of the input with that name.
func (p flowPage) Value(name string) string {
	v, _ := p.Doc.Find(`input[name="` + name + `"]`).First().Attr("value")
	return v
}

// Selected is the selected option of the select with that name.
func (p flowPage) Selected(name string) string {
	v, _ := p.Doc.Find(`select[name="` + name + `"] option[selected]`).First().Attr("value")
	return v
}

func flowText(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// flowWant fails unless the page has the status.
func (p flowPage) want(t testing.TB, status int) flowPage {
	t.Helper()
	if p.Status != status {
		t.Fatalf("status %d, want %d; flashes %q, errors %q", p.Status, status, p.TestIDs("flash"), p.Doc.Find(".field-error, [data-testid=login-error]").Text())
	}
	return p
}

// flowLocation returns the redirect target of a 303 and closes the body.
func flowLocation(t testing.TB, resp *http.Response) string {
	t.Helper()
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303 See Other", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// flowFollow asserts a 303 and fetches its target with the same client.
func flowFollow(t testing.TB, env *apptest.Env, c *http.Client, resp *http.Response) flowPage {
	t.Helper()
	return flowRead(t, env.Get(t, c, flowLocation(t, resp)))
}

// flowLogin posts the login form with a fresh client.
func flowLogin(t testing.TB, env *apptest.Env, email, password string) (*http.Client, *http.Response) {
	t.Helper()
	c := env.Client(t)
	return c, env.PostForm(t, c, "/inloggen", url.Values{"email": {email}, "password": {password}})
}

// flowLoggedIn reports whether the client's session still works, by asking
// for the account page.
func flowLoggedIn(t testing.TB, env *apptest.Env, c *http.Client) bool {
	t.Helper()
	resp := env.Get(t, c, "/account")
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		return true
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/inloggen"):
		return false
	}
	t.Fatalf("GET /account: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	return false
}

// flowMails lists the outbox, newest first.
func flowMails(t testing.TB, env *apptest.Env) []store.OutboxMail {
	t.Helper()
	mails, err := env.App.Store.MailOutboxList(context.Background(), 500)
	if err != nil {
		t.Fatal(err)
	}
	return mails
}

// flowMailLinks returns the paths of the one-time links (prefix such as
// "/uitnodiging/") in mails to the address, newest first.
func flowMailLinks(t testing.TB, env *apptest.Env, to, prefix string) []string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(env.Server.URL+prefix) + `[A-Za-z0-9_-]+`)
	var out []string
	for _, m := range flowMails(t, env) {
		if m.To != to {
			continue
		}
		if m.Status != "stored" {
			t.Errorf("mail %d has status %q, want stored (no SMTP configured)", m.ID, m.Status)
		}
		if link := re.FindString(m.Text); link != "" {
			out = append(out, strings.TrimPrefix(link, env.Server.URL))
		}
	}
	return out
}

// flowMailLink is the newest such link; the test fails without one.
func flowMailLink(t testing.TB, env *apptest.Env, to, prefix string) string {
	t.Helper()
	links := flowMailLinks(t, env, to, prefix)
	if len(links) == 0 {
		t.Fatalf("no mail to %s with a %s link", to, prefix)
	}
	return links[0]
}

func flowExec(t testing.TB, env *apptest.Env, sql string, args ...any) {
	t.Helper()
	if _, err := env.App.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func flowCount(t testing.TB, env *apptest.Env, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := env.App.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// flowUserID looks up a user's id by address.
func flowUserID(t testing.TB, env *apptest.Env, email string) int64 {
	t.Helper()
	var id int64
	if err := env.App.Pool.QueryRow(context.Background(), "SELECT id FROM users WHERE email = $1", email).Scan(&id); err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return id
}

const (
	msgWrongLogin  = "Het e-mailadres of het wachtwoord klopt niet. Let op hoofdletters, of herstel uw wachtwoord."
	msgEmptyLogin  = "Vul uw e-mailadres en wachtwoord in."
	msgLinkInvalid = "Deze link is ongeldig, al gebruikt of verlopen. Vraag een nieuwe link aan."
)

func TestLoginWrongPasswordAndUnknownAddressLookAlike(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	curator := env.Users[account.RoleCurator]

	c, resp := flowLogin(t, env, "Curator@test.example", "niet-het-wachtwoord")
	wrong := flowRead(t, resp).want(t, http.StatusUnauthorized)
	if got := wrong.TestID("login-error"); got != msgWrongLogin {
		t.Errorf("wrong password: message %q, want %q", got, msgWrongLogin)
	}
	if got := wrong.Value("email"); got != "Curator@test.example" {
		t.Errorf("e-mail field holds %q, want what was typed", got)
	}
	if wrong.Value("password") != "" {
		t.Error("the password is echoed back into the form")
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "ohis_session" {
			t.Errorf("a failed login set the session cookie")
		}
	}
	if flowLoggedIn(t, env, c) {
		t.Error("logged in after a wrong password")
	}
	if n := flowCount(t, env, "SELECT count(*) FROM sessions WHERE user_id = $1", curator.ID); n != 0 {
		t.Errorf("%d sessions after a wrong password", n)
	}

	_, resp = flowLogin(t, env, "niemand@test.example", "niet-het-wachtwoord")
	unknown := flowRead(t, resp)
	if unknown.Status != wrong.Status || unknown.TestID("login-error") != wrong.TestID("login-error") {
		t.Errorf("unknown address: %d %q; wrong password: %d %q — they must look the same",
			unknown.Status, unknown.TestID("login-error"), wrong.Status, wrong.TestID("login-error"))
	}

	// An inactive account with the right password looks the same too.
	flowExec(t, env, "UPDATE users SET active = false WHERE id = $1", env.Users[account.RoleSupport].ID)
	_, resp = flowLogin(t, env, env.Users[account.RoleSupport].Email, apptest.Password)
	inactive := flowRead(t, resp)
	if inactive.Status != http.StatusUnauthorized || inactive.TestID("login-error") != msgWrongLogin {
		t.Errorf("inactive account: %d %q, want 401 and the same message", inactive.Status, inactive.TestID("login-error"))
	}

	for _, form := range []url.Values{
		{"email": {""}, "password": {""}},
		{"email": {"curator@test.example"}, "password": {""}},
		{"email": {"   "}, "password": {apptest.Password}},
	} {
		resp := env.PostForm(t, env.Client(t), "/inloggen", form)
		p := flowRead(t, resp)
		if p.Status != http.StatusUnprocessableEntity || p.TestID("login-error") != msgEmptyLogin {
			t.Errorf("form %v: %d %q, want 422 %q", form, p.Status, p.TestID("login-error"), msgEmptyLogin)
		}
		if p.Value("email") != strings.TrimSpace(form.Get("email")) {
			t.Errorf("form %v: e-mail field holds %q", form, p.Value("email"))
		}
	}
	// Empty fields are not even attempts.
	if n := flowCount(t, env, "SELECT count(*) FROM login_failures WHERE email = 'curator@test.example'"); n != 1 {
		t.Errorf("%d recorded failures for curator, want 1 (empty forms must not count)", n)
	}

	// The right password still works afterwards.
	c, resp = flowLogin(t, env, " CURATOR@test.example ", apptest.Password)
	if loc := flowLocation(t, resp); loc != "/" {
		t.Errorf("login redirects to %q, want /", loc)
	}
	if !flowLoggedIn(t, env, c) {
		t.Error("not logged in after the right password")
	}
}

// flowFailures records n failed logins directly, as the service would, so
// tests reach the block without the real slow-down delays.
func flowFailures(t testing.TB, env *apptest.Env, email, ip string, n int) {
	t.Helper()
	flowExec(t, env, "INSERT INTO login_failures (email, ip) SELECT $1, $2 FROM generate_series(1, $3)", email, ip, n)
}

func TestLoginBlockedAfterSixFailures(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	curator := env.Users[account.RoleCurator]
	// One real failure through the form (not yet slowed), five more
	// recorded directly to skip the growing delays.
	_, resp := flowLogin(t, env, curator.Email, "niet-het-wachtwoord")
	if p := flowRead(t, resp); p.Status != http.StatusUnauthorized {
		t.Fatalf("1st attempt: status %d, want 401", p.Status)
	}
	flowFailures(t, env, curator.Email, "127.0.0.1", 5)

	// The 7th attempt, even with the right password, is refused.
	c, resp := flowLogin(t, env, curator.Email, apptest.Password)
	p := flowRead(t, resp).want(t, http.StatusTooManyRequests)
	msg := p.TestID("login-error")
	if !strings.HasPrefix(msg, "Te veel mislukte inlogpogingen") || !regexp.MustCompile(`over 1[45] minuten`).MatchString(msg) || !strings.Contains(msg, "wachtwoord herstellen") {
		t.Errorf("message %q, want the Dutch block message naming 15 minutes and the reset", msg)
	}
	ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || ra < 14*60 || ra > 15*60+1 {
		t.Errorf("Retry-After %q, want about 900 seconds", resp.Header.Get("Retry-After"))
	}
	if p.Value("email") != curator.Email {
		t.Errorf("e-mail field holds %q", p.Value("email"))
	}
	if flowLoggedIn(t, env, c) {
		t.Error("a blocked login opened a session")
	}

	// Per account: another account from the same address logs in.
	_, resp = flowLogin(t, env, env.Users[account.RoleSupport].Email, apptest.Password)
	if loc := flowLocation(t, resp); loc != "/" {
		t.Errorf("other account: redirect to %q", loc)
	}
	// The block is recorded for admins.
	if n := flowCount(t, env, "SELECT count(*) FROM audit_log WHERE action = 'login.blocked' AND actor_email = $1", curator.Email); n != 1 {
		t.Errorf("%d login.blocked entries, want 1", n)
	}
	// Still blocked for the curator a moment later, also in another case.
	_, resp = flowLogin(t, env, "CURATOR@TEST.EXAMPLE", apptest.Password)
	if p := flowRead(t, resp); p.Status != http.StatusTooManyRequests {
		t.Errorf("same account typed in capitals: status %d, want 429", p.Status)
	}
}

func TestLoginBlockedPerClientAddress(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Users[account.RoleAdmin]

	// 30 failures from another address do not affect this client.
	for i := range 30 {
		flowFailures(t, env, fmt.Sprintf("gok%d@test.example", i), "192.0.2.1", 1)
	}
	_, resp := flowLogin(t, env, admin.Email, apptest.Password)
	if loc := flowLocation(t, resp); loc != "/" {
		t.Fatalf("login while another address is blocked: redirect to %q", loc)
	}

	// 30 failures from this client, spread over addresses that are not
	// ours so no single account reaches its own limit, block every account
	// from here.
	for i := range 30 {
		flowFailures(t, env, fmt.Sprintf("gok%d@test.example", i), "127.0.0.1", 1)
	}
	for _, role := range []account.Role{account.RoleAdmin, account.RoleSupplier} {
		_, resp := flowLogin(t, env, env.Users[role].Email, apptest.Password)
		p := flowRead(t, resp).want(t, http.StatusTooManyRequests)
		if !strings.HasPrefix(p.TestID("login-error"), "Te veel mislukte inlogpogingen") {
			t.Errorf("%s: message %q", role, p.TestID("login-error"))
		}
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After header", role)
		}
	}
}

func TestLoginNextParameter(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.Users[account.RoleAdmin]

	// A page that needs a login sends the visitor to the login form and,
	// after logging in, back to the page.
	c := env.Client(t)
	resp := env.Get(t, c, "/beheer/gebruikers?rol=curator")
	loginURL := flowLocation(t, resp)
	if loginURL != "/inloggen?next="+url.QueryEscape("/beheer/gebruikers?rol=curator") {
		t.Fatalf("anonymous visit redirects to %q", loginURL)
	}
	form := flowRead(t, env.Get(t, c, loginURL)).want(t, http.StatusOK)
	next := form.Value("next")
	if next != "/beheer/gebruikers?rol=curator" {
		t.Fatalf("hidden next field %q", next)
	}
	resp = env.PostForm(t, c, "/inloggen", url.Values{"email": {admin.Email}, "password": {apptest.Password}, "next": {next}})
	if loc := flowLocation(t, resp); loc != next {
		t.Errorf("after login: redirect to %q, want %q", loc, next)
	}
	if p := flowRead(t, env.Get(t, c, next)).want(t, http.StatusOK); !p.Has("users-table") {
		t.Error("the user list is not shown after logging in")
	}

	// A failed attempt keeps next in the form.
	resp = env.PostForm(t, env.Client(t), "/inloggen", url.Values{"email": {admin.Email}, "password": {"fout-wachtwoord"}, "next": {"/account"}})
	if p := flowRead(t, resp); p.Value("next") != "/account" {
		t.Errorf("after a failed attempt the next field holds %q", p.Value("next"))
	}

	// Anything that could leave the site goes to the start page.
	for _, evil := range []string{
		"//evil.example",
		"//evil.example/beheer",
		"https://evil.example",
		"http:evil.example",
		"javascript:alert(1)",
		"evil.example",
		"/\\evil.example",
		"/a/../\\evil.example",
		"/\t/evil.example",
		"/\n/evil.example",
	} {
		c := env.Client(t)
		resp := env.PostForm(t, c, "/inloggen", url.Values{"email": {admin.Email}, "password": {apptest.Password}, "next": {evil}})
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("next=%q: status %d, Location %q; want 303 to /", evil, resp.StatusCode, resp.Header.Get("Location"))
		}
		// Already logged in, the login page forwards the same way.
		resp = env.Get(t, c, "/inloggen?next="+url.QueryEscape(evil))
		resp.Body.Close()
		if resp.Header.Get("Location") != "/" {
			t.Errorf("logged in, GET /inloggen?next=%q: Location %q, want /", evil, resp.Header.Get("Location"))
		}
	}
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	curator := env.Users[account.RoleCurator]

	// A browser that is logged in before the reset.
	before := env.LoginRole(t, account.RoleCurator)

	// Known and unknown addresses get the same answer; only the known one
	// gets a mail.
	known := flowRead(t, env.PostForm(t, env.Client(t), "/wachtwoord-vergeten", url.Values{"email": {" Curator@Test.Example "}})).want(t, http.StatusOK)
	unknown := flowRead(t, env.PostForm(t, env.Client(t), "/wachtwoord-vergeten", url.Values{"email": {"niemand@test.example"}})).want(t, http.StatusOK)
	if !known.Has("forgot-sent") || known.TestID("forgot-sent") != unknown.TestID("forgot-sent") {
		t.Errorf("answers differ: known %q, unknown %q", known.TestID("forgot-sent"), unknown.TestID("forgot-sent"))
	}
	mails := flowMails(t, env)
	if len(mails) != 1 || mails[0].To != curator.Email || mails[0].Subject != "Wachtwoord herstellen" {
		t.Fatalf("outbox %+v, want one reset mail to %s", mails, curator.Email)
	}
	invalid := flowRead(t, env.PostForm(t, env.Client(t), "/wachtwoord-vergeten", url.Values{"email": {"geen-adres"}}))
	if invalid.Status != http.StatusUnprocessableEntity || !strings.Contains(invalid.TestID("error-email"), "geldig e-mailadres") {
		t.Errorf("malformed address: %d %q", invalid.Status, invalid.TestID("error-email"))
	}

	link := flowMailLink(t, env, curator.Email, "/wachtwoord-herstellen/")
	c := env.Client(t)
	resp := env.Get(t, c, link)
	if rp := resp.Header.Get("Referrer-Policy"); rp != "no-referrer" {
		t.Errorf("link page Referrer-Policy %q, want no-referrer (the token is in the URL)", rp)
	}
	page := flowRead(t, resp).want(t, http.StatusOK)
	if !strings.Contains(page.Body, curator.Email) {
		t.Error("the link page does not say which account it is for")
	}

	// Mistakes are shown per field and leave the link usable.
	for _, tc := range []struct {
		password, confirm, field, msg string
	}{
		{"een-goed-wachtwoord", "een-ander-wachtwoord", "error-confirm", "De wachtwoorden zijn niet gelijk."},
		{"kort", "kort", "error-password", "Kies een wachtwoord van minstens 10 tekens."},
		{curator.Email, curator.Email, "error-password", "Gebruik niet uw e-mailadres als wachtwoord."},
	} {
		p := flowRead(t, env.PostForm(t, c, link, url.Values{"password": {tc.password}, "confirm": {tc.confirm}}))
		if p.Status != http.StatusUnprocessableEntity || p.TestID(tc.field) != tc.msg {
			t.Errorf("%q/%q: %d, %s %q; want 422 %q", tc.password, tc.confirm, p.Status, tc.field, p.TestID(tc.field), tc.msg)
		}
		if !p.Has("error-summary") {
			t.Errorf("%q/%q: no error summary", tc.password, tc.confirm)
		}
		if again := flowRead(t, env.Get(t, c, link)); again.Status != http.StatusOK || again.Has("link-invalid") {
			t.Fatalf("after a refused password the link is no longer valid (%d)", again.Status)
		}
	}

	// The right way: the password is changed and the user is told so.
	resp = env.PostForm(t, c, link, url.Values{"password": {"mijn-nieuwe-wachtwoord"}, "confirm": {"mijn-nieuwe-wachtwoord"}})
	done := flowFollow(t, env, c, resp)
	if done.TestID("flash") != "Uw wachtwoord is gewijzigd. Log in met uw nieuwe wachtwoord." {
		t.Errorf("after the reset the login page says %q", done.TestID("flash"))
	}
	if flowLoggedIn(t, env, before) {
		t.Error("a session from before the reset still works")
	}
	if _, resp := flowLogin(t, env, curator.Email, apptest.Password); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password: status %d, want 401", resp.StatusCode)
	}
	if nc, resp := flowLogin(t, env, curator.Email, "mijn-nieuwe-wachtwoord"); flowLocation(t, resp) != "/" || !flowLoggedIn(t, env, nc) {
		t.Error("the new password does not log in")
	}

	// The link works once.
	used := flowRead(t, env.Get(t, env.Client(t), link))
	if used.Status != http.StatusNotFound || used.TestID("link-invalid") != msgLinkInvalid {
		t.Errorf("used link: %d %q, want 404 and the Dutch message", used.Status, used.TestID("link-invalid"))
	}
	used = flowRead(t, env.PostForm(t, env.Client(t), link, url.Values{"password": {"nog-een-wachtwoord"}, "confirm": {"nog-een-wachtwoord"}}))
	if used.Status != http.StatusNotFound || !used.Has("link-invalid") {
		t.Errorf("posting to a used link: %d", used.Status)
	}
	if _, resp := flowLogin(t, env, curator.Email, "nog-een-wachtwoord"); resp.StatusCode != http.StatusUnauthorized {
		t.Error("a used link changed the password again")
	}
	if got := flowRead(t, env.Get(t, env.Client(t), "/wachtwoord-herstellen/verzonnen-token")); got.Status != http.StatusNotFound || !got.Has("link-invalid") {
		t.Errorf("made-up token: %d", got.Status)
	}
}

func TestPasswordResetLinkExpiresAndIsReplaced(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	support := env.Users[account.RoleSupport]
	ask := func() string {
		t.Helper()
		p := flowRead(t, env.PostForm(t, env.Client(t), "/wachtwoord-vergeten", url.Values{"email": {support.Email}}))
		if !p.Has("forgot-sent") {
			t.Fatalf("reset request: %d", p.Status)
		}
		return flowMailLink(t, env, support.Email, "/wachtwoord-herstellen/")
	}

	first := ask()
	var expires time.Time
	if err := env.App.Pool.QueryRow(context.Background(),
		"SELECT expires_at FROM user_tokens WHERE user_id = $1 AND purpose = 'reset' AND used_at IS NULL", support.ID).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expires) - time.Hour; d < -time.Minute || d > time.Minute {
		t.Errorf("reset link expires at %v, want in about an hour", expires)
	}
	second := ask()
	if first == second {
		t.Fatal("a second request sent the same link")
	}
	if p := flowRead(t, env.Get(t, env.Client(t), first)); p.Status != http.StatusNotFound || !p.Has("link-invalid") {
		t.Errorf("older link after a newer request: %d, want 404 link-invalid", p.Status)
	}
	if p := flowRead(t, env.Get(t, env.Client(t), second)); p.Status != http.StatusOK {
		t.Errorf("newest link: %d, want 200", p.Status)
	}

	flowExec(t, env, "UPDATE user_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1", support.ID)
	if p := flowRead(t, env.Get(t, env.Client(t), second)); p.Status != http.StatusNotFound || p.TestID("link-invalid") != msgLinkInvalid {
		t.Errorf("expired link: %d %q", p.Status, p.TestID("link-invalid"))
	}
	p := flowRead(t, env.PostForm(t, env.Client(t), second, url.Values{"password": {"te-laat-wachtwoord"}, "confirm": {"te-laat-wachtwoord"}}))
	if p.Status != http.StatusNotFound {
		t.Errorf("posting to an expired link: %d, want 404", p.Status)
	}
	if _, resp := flowLogin(t, env, support.Email, apptest.Password); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the old password no longer works after an expired link was posted (%d)", resp.StatusCode)
	}
}

func TestInvitation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	const email = "nieuw.lid@test.example"

	resp := env.PostForm(t, admin, "/beheer/gebruikers", url.Values{
		"email": {"Nieuw.Lid@Test.example"}, "name": {"Nieuw Lid"}, "role": {"curator"}, "supplier_id": {""}, "invite": {"ja"},
	})
	loc := flowLocation(t, resp)
	id := flowUserID(t, env, email)
	if loc != fmt.Sprintf("/beheer/gebruikers/%d", id) {
		t.Errorf("after inviting: redirect to %q, want the user's page", loc)
	}
	userPage := flowRead(t, env.Get(t, admin, loc)).want(t, http.StatusOK)
	if got := userPage.TestID("flash"); got != "Uitnodiging verstuurd naar "+email+". De link is 7 dagen geldig." {
		t.Errorf("flash %q", got)
	}
	if got := userPage.TestID("user-status"); got != "Uitgenodigd" {
		t.Errorf("status %q, want Uitgenodigd", got)
	}

	mails := flowMails(t, env)
	if len(mails) != 1 || mails[0].To != email || !strings.HasPrefix(mails[0].Subject, "Uitnodiging") {
		t.Fatalf("outbox %+v, want one invitation to %s", mails, email)
	}
	if !strings.Contains(mails[0].Text, "7 dagen geldig") || !strings.Contains(mails[0].Text, "Nieuw Lid") {
		t.Errorf("invitation text lacks the name or validity:\n%s", mails[0].Text)
	}
	var expires time.Time
	if err := env.App.Pool.QueryRow(context.Background(),
		"SELECT expires_at FROM user_tokens WHERE user_id = $1 AND purpose = 'invite'", id).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expires) - 7*24*time.Hour; d < -time.Minute || d > time.Minute {
		t.Errorf("invitation expires at %v, want 7 days from now", expires)
	}

	// Before accepting nobody can log in to the account, whatever password.
	for _, pw := range []string{apptest.Password, "willekeurig-wachtwoord"} {
		_, resp := flowLogin(t, env, email, pw)
		if p := flowRead(t, resp); p.Status != http.StatusUnauthorized || p.TestID("login-error") != msgWrongLogin {
			t.Errorf("invited user logging in with %q: %d %q", pw, p.Status, p.TestID("login-error"))
		}
	}

	link := flowMailLink(t, env, email, "/uitnodiging/")
	c := env.Client(t)
	form := flowRead(t, env.Get(t, c, link)).want(t, http.StatusOK)
	if h := form.Doc.Find("h1").Text(); !strings.HasPrefix(h, "Welkom") || !strings.Contains(form.Body, email) {
		t.Errorf("invitation page: heading %q, account shown: %v", h, strings.Contains(form.Body, email))
	}
	bad := flowRead(t, env.PostForm(t, c, link, url.Values{"password": {"eerste-wachtwoord"}, "confirm": {"eerste-wachtwoord!"}}))
	if bad.Status != http.StatusUnprocessableEntity || bad.TestID("error-confirm") != "De wachtwoorden zijn niet gelijk." {
		t.Errorf("mismatched confirmation: %d %q", bad.Status, bad.TestID("error-confirm"))
	}
	resp = env.PostForm(t, c, link, url.Values{"password": {"eerste-wachtwoord"}, "confirm": {"eerste-wachtwoord"}})
	if done := flowFollow(t, env, c, resp); done.TestID("flash") != "Uw account is geactiveerd. Log in met uw e-mailadres en het gekozen wachtwoord." {
		t.Errorf("after accepting: flash %q", done.TestID("flash"))
	}
	nc, resp := flowLogin(t, env, email, "eerste-wachtwoord")
	if flowLocation(t, resp) != "/" {
		t.Fatal("the chosen password does not log in")
	}
	if home := flowRead(t, env.Get(t, nc, "/")); !strings.Contains(home.TestID("userbox"), "Curator") {
		t.Errorf("userbox %q, want the curator role", home.TestID("userbox"))
	}
	if p := flowRead(t, env.Get(t, env.Client(t), link)); p.Status != http.StatusNotFound || p.TestID("link-invalid") != msgLinkInvalid {
		t.Errorf("accepted invitation link: %d, want 404", p.Status)
	}
	if got := flowRead(t, env.Get(t, admin, loc)).TestID("user-status"); got != "Actief" {
		t.Errorf("status after accepting %q, want Actief", got)
	}
}

func TestInvitationExpiresAndCanBeResent(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	const email = "later@test.example"
	resp := env.PostForm(t, admin, "/beheer/gebruikers", url.Values{
		"email": {email}, "name": {"Later"}, "role": {"support"}, "invite": {"ja"},
	})
	userURL := flowLocation(t, resp)
	flowRead(t, env.Get(t, admin, userURL)).want(t, http.StatusOK) // shows (and uses up) the flash
	first := flowMailLink(t, env, email, "/uitnodiging/")

	// Seven days later the link no longer works.
	flowExec(t, env, "UPDATE user_tokens SET expires_at = now() - interval '1 minute' WHERE purpose = 'invite'")
	if p := flowRead(t, env.Get(t, env.Client(t), first)); p.Status != http.StatusNotFound || !p.Has("link-invalid") {
		t.Errorf("expired invitation: %d, want 404 link-invalid", p.Status)
	}

	// The admin sends a new one; only the new link works.
	resp = env.PostForm(t, admin, userURL+"/uitnodigen", nil)
	if p := flowFollow(t, env, admin, resp); p.TestID("flash") != "Er is een nieuwe uitnodiging verstuurd; eerdere links werken niet meer." {
		t.Errorf("flash %q", p.TestID("flash"))
	}
	links := flowMailLinks(t, env, email, "/uitnodiging/")
	if len(links) != 2 || links[1] != first {
		t.Fatalf("invitation links %v, want a new one after %s", links, first)
	}
	c := env.Client(t)
	if p := flowRead(t, env.Get(t, c, links[0])); p.Status != http.StatusOK {
		t.Errorf("new invitation link: %d", p.Status)
	}
	resp = env.PostForm(t, c, links[0], url.Values{"password": {"later-wachtwoord"}, "confirm": {"later-wachtwoord"}})
	if flowLocation(t, resp) != "/inloggen" {
		t.Error("accepting the new invitation did not lead to the login page")
	}
	if _, resp := flowLogin(t, env, email, "later-wachtwoord"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("login after accepting: %d", resp.StatusCode)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	curator := env.Users[account.RoleCurator]
	here := env.LoginRole(t, account.RoleCurator)
	elsewhere := env.LoginRole(t, account.RoleCurator)

	acc := flowRead(t, env.Get(t, here, "/account")).want(t, http.StatusOK)
	if got := acc.TestID("session-count"); got != "U bent op 2 apparaten ingelogd." {
		t.Errorf("session count %q, want 2 places", got)
	}

	for _, tc := range []struct {
		current, password, confirm, field, msg string
	}{
		{"", "nieuw-wachtwoord-1", "nieuw-wachtwoord-1", "error-current", "Vul uw huidige wachtwoord in."},
		{"fout-wachtwoord", "nieuw-wachtwoord-1", "nieuw-wachtwoord-1", "error-current", "Uw huidige wachtwoord klopt niet."},
		{apptest.Password, "nieuw-wachtwoord-1", "nieuw-wachtwoord-2", "error-confirm", "De nieuwe wachtwoorden zijn niet gelijk."},
		{apptest.Password, "kort", "kort", "error-password", "Kies een wachtwoord van minstens 10 tekens."},
		{apptest.Password, curator.Email, curator.Email, "error-password", "Gebruik niet uw e-mailadres als wachtwoord."},
	} {
		p := flowRead(t, env.PostForm(t, here, "/account/wachtwoord", url.Values{"current": {tc.current}, "password": {tc.password}, "confirm": {tc.confirm}}))
		if p.Status != http.StatusUnprocessableEntity || p.TestID(tc.field) != tc.msg {
			t.Errorf("current %q new %q/%q: %d, %s %q; want 422 %q", tc.current, tc.password, tc.confirm, p.Status, tc.field, p.TestID(tc.field), tc.msg)
		}
		if !p.Has("error-summary") {
			t.Error("no error summary")
		}
	}
	if !flowLoggedIn(t, env, elsewhere) {
		t.Fatal("a refused change ended the other session")
	}

	resp := env.PostForm(t, here, "/account/wachtwoord", url.Values{"current": {apptest.Password}, "password": {"nieuw-wachtwoord-1"}, "confirm": {"nieuw-wachtwoord-1"}})
	if loc := flowLocation(t, resp); loc != "/account" {
		t.Fatalf("after the change: redirect to %q", loc)
	}
	acc = flowRead(t, env.Get(t, here, "/account")).want(t, http.StatusOK)
	if got := acc.TestID("flash"); got != "Uw wachtwoord is gewijzigd. Op andere apparaten bent u uitgelogd." {
		t.Errorf("flash %q", got)
	}
	if got := acc.TestID("session-count"); got != "U bent op 1 apparaat ingelogd." {
		t.Errorf("session count %q, want 1 place", got)
	}
	// The other browser is logged out and told why.
	resp = env.Get(t, elsewhere, "/account")
	if loc := flowLocation(t, resp); !strings.HasPrefix(loc, "/inloggen") {
		t.Errorf("other browser: redirect to %q, want the login page", loc)
	}
	if p := flowRead(t, env.Get(t, elsewhere, "/inloggen")); p.TestID("flash") != "Uw sessie is verlopen of beëindigd. Log opnieuw in." {
		t.Errorf("other browser's login page says %q", p.TestID("flash"))
	}
	if !flowLoggedIn(t, env, here) {
		t.Error("the browser that changed the password was logged out")
	}
	if _, resp := flowLogin(t, env, curator.Email, apptest.Password); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password: %d, want 401", resp.StatusCode)
	}
	if _, resp := flowLogin(t, env, curator.Email, "nieuw-wachtwoord-1"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("new password: %d, want 303", resp.StatusCode)
	}
}
