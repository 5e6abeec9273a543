package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/static"
)

// postWith posts a form with exactly the given extra headers (no
// Sec-Fetch-Site or Origin unless given), as another site's page would.
func postWith(t *testing.T, env *apptest.Env, c *http.Client, path string, form url.Values, headers map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.Server.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

// getWithCookie fetches a path presenting only this session cookie value.
func getWithCookie(t *testing.T, env *apptest.Env, path, value string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.Server.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "ohis_session", Value: value})
	resp, err := env.Client(t).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp
}

func sessionCookieOf(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "ohis_session" {
			return c
		}
	}
	t.Fatalf("%s %s set no session cookie (Set-Cookie: %q)", resp.Request.Method, resp.Request.URL.Path, resp.Header.Values("Set-Cookie"))
	return nil
}

// isLoggedIn reports whether the client's start page is served (rather than
// a redirect to the login page).
func isLoggedIn(t *testing.T, env *apptest.Env, c *http.Client) bool {
	t.Helper()
	resp := env.Get(t, c, "/")
	apptest.Body(t, resp)
	switch {
	case resp.StatusCode == http.StatusOK:
		return true
	case resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/inloggen":
		return false
	}
	t.Fatalf("GET /: unexpected %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	return false
}

// wantRefusedCrossOrigin checks the Dutch "Verzoek geweigerd" 403 page.
func wantRefusedCrossOrigin(t *testing.T, resp *http.Response) {
	t.Helper()
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin POST %s: got %d Location %q, want 403", resp.Request.URL.Path, resp.StatusCode, resp.Header.Get("Location"))
	}
	doc := parseHTML(t, body)
	if doc.Find(`[data-testid="error-403"]`).Length() == 0 || !strings.Contains(doc.Find("h1").Text(), "Verzoek geweigerd") {
		t.Errorf("cross-origin POST %s: 403 without the Dutch \"Verzoek geweigerd\" page:\n%s", resp.Request.URL.Path, body)
	}
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	user := env.Users[account.RoleSupplier]
	creds := url.Values{"email": {user.Email}, "password": {apptest.Password}}
	foreign := map[string]map[string]string{
		"Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		"Origin only":               {"Origin": "https://evil.example"},
	}

	for name, headers := range foreign {
		t.Run("login/"+name, func(t *testing.T) {
			c := env.Client(t)
			resp := postWith(t, env, c, "/inloggen", creds, headers)
			if len(resp.Cookies()) > 0 {
				t.Errorf("refused login still set cookies: %q", resp.Header.Values("Set-Cookie"))
			}
			wantRefusedCrossOrigin(t, resp)
			if isLoggedIn(t, env, c) {
				t.Error("a login posted from another site logged the browser in")
			}
		})
		t.Run("logout everywhere/"+name, func(t *testing.T) {
			c := env.LoginRole(t, account.RoleCurator)
			other := env.LoginRole(t, account.RoleCurator)
			wantRefusedCrossOrigin(t, postWith(t, env, c, "/account/overal-uitloggen", url.Values{}, headers))
			if !isLoggedIn(t, env, c) || !isLoggedIn(t, env, other) {
				t.Error("a refused cross-origin \"Overal uitloggen\" still ended the sessions")
			}
		})
	}

	// The same login from the portal's own page works, so the refusals
	// above were about the origin and nothing else.
	t.Run("same-origin login works", func(t *testing.T) {
		c := env.Client(t)
		resp := env.PostForm(t, c, "/inloggen", creds)
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !isLoggedIn(t, env, c) {
			t.Errorf("same-origin login: %d, want 303 and a working session", resp.StatusCode)
		}
	})
}

// wantSecurityHeaders checks the headers every response must carry.
func wantSecurityHeaders(t *testing.T, what string, resp *http.Response, https bool) {
	t.Helper()
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, want)
		}
	}
	for _, bad := range []string{"unsafe-inline", "unsafe-eval", "*"} {
		if strings.Contains(csp, bad) {
			t.Errorf("%s: Content-Security-Policy %q contains %q", what, csp, bad)
		}
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
	}
	if got := h.Get("Referrer-Policy"); got == "" || got == "unsafe-url" || got == "no-referrer-when-downgrade" {
		t.Errorf("%s: Referrer-Policy %q, want a restrictive one", what, got)
	}
	hsts := h.Get("Strict-Transport-Security")
	switch {
	case https && !strings.Contains(hsts, "max-age=") || https && strings.Contains(hsts, "max-age=0"):
		t.Errorf("%s: Strict-Transport-Security %q over HTTPS, want a max-age", what, hsts)
	case !https && hsts != "":
		t.Errorf("%s: Strict-Transport-Security %q over plain HTTP (would lock developers out of http://localhost)", what, hsts)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		https bool
		opts  []apptest.Option
	}{
		{"http", false, nil},
		{"https", true, []apptest.Option{apptest.WithEnv("OHIS_BASE_URL", "https://portal.example")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := apptest.New(t, tc.opts...)
			c := env.Client(t)
			for _, r := range []struct {
				what, path string
				status     int
			}{
				{"login page", "/inloggen", http.StatusOK},
				{"404 page", "/bestaat-niet", http.StatusNotFound},
				{"stylesheet", static.URL("app.css"), http.StatusOK},
				{"htmx", static.URL("htmx.min.js"), http.StatusOK},
				{"redirect to login", "/account", http.StatusSeeOther},
				{"health check", "/healthz", http.StatusOK},
			} {
				resp := env.Get(t, c, r.path)
				apptest.Body(t, resp)
				if resp.StatusCode != r.status {
					t.Errorf("%s (GET %s): status %d, want %d", r.what, r.path, resp.StatusCode, r.status)
				}
				wantSecurityHeaders(t, r.what, resp, tc.https)
			}
			// A refused request carries them too.
			resp := postWith(t, env, c, "/inloggen", url.Values{}, map[string]string{"Sec-Fetch-Site": "cross-site"})
			apptest.Body(t, resp)
			wantSecurityHeaders(t, "cross-origin refusal", resp, tc.https)

			// The session cookie after login.
			resp = env.PostForm(t, env.Client(t), "/inloggen", url.Values{"email": {env.Users[account.RoleAdmin].Email}, "password": {apptest.Password}})
			apptest.Body(t, resp)
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d", resp.StatusCode)
			}
			wantSecurityHeaders(t, "login redirect", resp, tc.https)
			ck := sessionCookieOf(t, resp)
			if !ck.HttpOnly {
				t.Error("session cookie lacks HttpOnly: scripts could read it")
			}
			if ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie SameSite %v, want Lax", ck.SameSite)
			}
			if ck.Secure != tc.https {
				t.Errorf("session cookie Secure=%v with base URL %s, want %v", ck.Secure, env.App.Config.BaseURL, tc.https)
			}
			if ck.Path != "/" {
				t.Errorf("session cookie Path %q, want /", ck.Path)
			}
		})
	}
}

// inlineCodeProblems lists everything on a page that a strict CSP (no
// inline script or style) would block, so the page would silently lose
// behaviour or styling in the browser.
func inlineCodeProblems(doc *goquery.Document) []string {
	var problems []string
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		src, _ := s.Attr("src")
		if strings.TrimSpace(src) == "" {
			problems = append(problems, "inline <script>: "+strings.TrimSpace(s.Text()))
		} else if !strings.HasPrefix(src, static.Prefix) {
			problems = append(problems, "script from elsewhere: "+src)
		}
	})
	if n := doc.Find("style").Length(); n > 0 {
		problems = append(problems, fmt.Sprintf("%d inline <style> element(s)", n))
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		node := s.Get(0)
		for _, a := range node.Attr {
			name := strings.ToLower(a.Key)
			val := strings.ToLower(strings.TrimSpace(a.Val))
			switch {
			case strings.HasPrefix(name, "on"):
				problems = append(problems, fmt.Sprintf("<%s %s=%q>: inline event handler", node.Data, a.Key, a.Val))
			case name == "style":
				problems = append(problems, fmt.Sprintf("<%s style=%q>: inline style", node.Data, a.Val))
			case strings.HasPrefix(name, "hx-on"):
				problems = append(problems, fmt.Sprintf("<%s %s=%q>: htmx inline handler", node.Data, a.Key, a.Val))
			case (name == "href" || name == "src" || name == "action" || name == "formaction") && strings.HasPrefix(val, "javascript:"):
				problems = append(problems, fmt.Sprintf("<%s %s=%q>: javascript: URL", node.Data, a.Key, a.Val))
			}
		}
	})
	return problems
}

func TestNoInlineScriptOrStyle(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()

	// A live invitation link, to see the set-password page as a new user does.
	invited, err := env.App.Auth.CreateUser(ctx, audit.Actor{Email: "test"}, auth.NewAccount{
		Email: "nieuw@test.example", Name: "Nieuw", Role: account.RoleSupport, Invite: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	mails, err := env.App.Store.MailOutboxList(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	var mailID int64
	var invitePath string
	for _, m := range mails {
		if m.To == invited.Email {
			mailID = m.ID
			invitePath = regexp.MustCompile(`/uitnodiging/[A-Za-z0-9_-]+`).FindString(m.Text)
		}
	}
	if invitePath == "" {
		t.Fatal("no invitation link in the outbox")
	}

	type visit struct {
		role   account.Role // "" is anonymous
		method string
		path   string
		status int
	}
	visits := []visit{
		{"", "GET", "/inloggen", 200},
		{"", "POST", "/inloggen", 422}, // with its error message
		{"", "GET", "/wachtwoord-vergeten", 200},
		{"", "POST", "/wachtwoord-vergeten", 422},
		{"", "GET", invitePath, 200},
		{"", "GET", "/uitnodiging/ongeldig", 404},
		{"", "GET", "/bestaat-niet", 404},
		{account.RoleAdmin, "GET", "/beheer/gebruikers", 200},
		{account.RoleAdmin, "GET", "/beheer/gebruikers/nieuw", 200},
		{account.RoleAdmin, "POST", "/beheer/gebruikers", 422},
		{account.RoleAdmin, "GET", fmt.Sprintf("/beheer/gebruikers/%d", env.Users[account.RoleSupplier].ID), 200},
		{account.RoleAdmin, "GET", "/beheer/audit", 200},
		{account.RoleAdmin, "GET", "/beheer/e-mail", 200},
		{account.RoleAdmin, "GET", fmt.Sprintf("/beheer/e-mail/%d", mailID), 200},
		{account.RoleAdmin, "GET", "/beheer/aanbieders", 200},
		{account.RoleSupplier, "GET", "/team", 200},
		{account.RoleCurator, "GET", "/beheer/audit", 403},
		{account.RoleCurator, "GET", "/bestaat-niet", 404},
	}
	for _, role := range account.Roles {
		visits = append(visits,
			visit{role, "GET", "/", 200},
			visit{role, "GET", "/account", 200},
			visit{role, "POST", "/account/wachtwoord", 422},
		)
	}
	clients := map[account.Role]*http.Client{"": env.Client(t)}
	for _, role := range account.Roles {
		clients[role] = env.LoginRole(t, role)
	}
	for _, v := range visits {
		who := string(v.role)
		if who == "" {
			who = "anonymous"
		}
		what := fmt.Sprintf("%s %s as %s", v.method, v.path, who)
		var resp *http.Response
		if v.method == http.MethodPost {
			resp = env.PostForm(t, clients[v.role], v.path, url.Values{})
		} else {
			resp = env.Get(t, clients[v.role], v.path)
		}
		body := apptest.Body(t, resp)
		if resp.StatusCode != v.status {
			t.Errorf("%s: status %d, want %d", what, resp.StatusCode, v.status)
			continue
		}
		doc := parseHTML(t, body)
		if doc.Find(`script[src]`).Length() == 0 {
			t.Errorf("%s: page loads no script at all; is it the full page?", what)
		}
		for _, p := range inlineCodeProblems(doc) {
			t.Errorf("%s: %s", what, p)
		}
	}
}

// The checker itself must catch what it is there to catch.
func TestInlineCodeProblemsDetects(t *testing.T) {
	t.Parallel()
	htmlPage := `<html><head><script>alert(1)</script><style>p{}</style><script src="https://cdn.example/x.js"></script></head>
<body><p style="color:red">x</p><button onclick="go()">b</button><a href="javascript:go()">a</a><div hx-on:click="go()"></div></body></html>`
	if got := inlineCodeProblems(parseHTML(t, htmlPage)); len(got) != 7 {
		t.Errorf("found %d problems, want 7: %q", len(got), got)
	}
}

func TestDeactivatedUserIsLoggedOutAtOnce(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	supplier := env.Users[account.RoleSupplier]
	sc := env.LoginRole(t, account.RoleSupplier)
	if !isLoggedIn(t, env, sc) {
		t.Fatal("supplier not logged in to begin with")
	}
	ac := env.LoginRole(t, account.RoleAdmin)

	path := fmt.Sprintf("/beheer/gebruikers/%d", supplier.ID)
	resp := env.PostForm(t, ac, path+"/deactiveren", url.Values{})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Fatalf("deactivating: %d Location %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), path)
	}
	doc := parseHTML(t, apptest.Body(t, env.Get(t, ac, path)))
	if got := strings.TrimSpace(doc.Find(`[data-testid="user-status"]`).Text()); got != "Gedeactiveerd" {
		t.Errorf("user page status %q, want Gedeactiveerd", got)
	}

	// The supplier's open browser: the very next request is sent to login.
	resp = env.Get(t, sc, "/team")
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inloggen?next=%2Fteam" {
		t.Errorf("deactivated user's GET /team: %d Location %q, want 303 to login", resp.StatusCode, resp.Header.Get("Location"))
	}
	if isLoggedIn(t, env, sc) {
		t.Error("deactivated user's session still opens the start page")
	}
	resp = env.PostForm(t, sc, "/account/wachtwoord", url.Values{"current": {apptest.Password}, "password": {"een ander lang wachtwoord"}, "confirm": {"een ander lang wachtwoord"}})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inloggen" {
		t.Errorf("deactivated user's password change: %d Location %q, want 303 to /inloggen", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Logging in again with the right password fails with the Dutch message.
	resp = env.PostForm(t, env.Client(t), "/inloggen", url.Values{"email": {supplier.Email}, "password": {apptest.Password}})
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("deactivated user's login: %d, want 401", resp.StatusCode)
	}
	msg := parseHTML(t, body).Find(`[data-testid="login-error"]`).Text()
	if !strings.Contains(msg, "Het e-mailadres of het wachtwoord klopt niet") {
		t.Errorf("deactivated user's login says %q, want the Dutch wrong-credentials message", msg)
	}
}

func TestSessionCookieRotatesOnLogin(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	user := env.Users[account.RoleCurator]
	creds := url.Values{"email": {user.Email}, "password": {apptest.Password}}
	c := env.Client(t)

	// A browser that already holds a session cookie before logging in
	// (someone logged out before on this computer, or an attacker planted it).
	resp := env.PostForm(t, c, "/uitloggen", url.Values{})
	apptest.Body(t, resp)
	before := sessionCookieOf(t, resp).Value

	resp = env.PostForm(t, c, "/inloggen", creds)
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	after := sessionCookieOf(t, resp).Value
	if after == before {
		t.Fatal("the session cookie is the same before and after login")
	}
	if !isLoggedIn(t, env, c) {
		t.Fatal("logged-in browser cannot open the start page")
	}

	t.Run("pre-login cookie grants nothing", func(t *testing.T) {
		resp := getWithCookie(t, env, "/account", before)
		body := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/inloggen") {
			t.Errorf("GET /account with the pre-login cookie: %d Location %q, want 303 to login", resp.StatusCode, resp.Header.Get("Location"))
		}
		if strings.Contains(body, user.Email) {
			t.Error("the pre-login cookie shows the user's account")
		}
	})

	t.Run("a second login gets another cookie", func(t *testing.T) {
		resp := env.PostForm(t, env.Client(t), "/inloggen", creds)
		apptest.Body(t, resp)
		if v := sessionCookieOf(t, resp).Value; v == after || v == before {
			t.Error("a second login reused a session cookie value")
		}
	})

	t.Run("logging in again in the same browser ends the previous session", func(t *testing.T) {
		c := env.Client(t)
		resp := env.PostForm(t, c, "/inloggen", creds)
		apptest.Body(t, resp)
		first := sessionCookieOf(t, resp).Value
		resp = env.PostForm(t, c, "/inloggen", url.Values{"email": {env.Users[account.RoleSupport].Email}, "password": {apptest.Password}})
		apptest.Body(t, resp)
		if second := sessionCookieOf(t, resp).Value; second == first {
			t.Fatal("logging in as someone else kept the same cookie value")
		}
		resp = getWithCookie(t, env, "/", first)
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inloggen" {
			t.Errorf("GET / with a copy of the first login's cookie: %d Location %q, want 303 to /inloggen", resp.StatusCode, resp.Header.Get("Location"))
		}
	})

	t.Run("the cookie is dead after logging out", func(t *testing.T) {
		resp := env.PostForm(t, c, "/uitloggen", url.Values{})
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inloggen" {
			t.Fatalf("logout: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp = getWithCookie(t, env, "/", after)
		apptest.Body(t, resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inloggen" {
			t.Errorf("GET / with a copy of the logged-out cookie: %d Location %q, want 303 to /inloggen", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func TestLogoutEverywhere(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	laptop := env.LoginRole(t, account.RoleSupplier)
	phone := env.LoginRole(t, account.RoleSupplier)
	admin := env.LoginRole(t, account.RoleAdmin)

	count := parseHTML(t, apptest.Body(t, env.Get(t, laptop, "/account"))).Find(`[data-testid="session-count"]`).Text()
	if !strings.Contains(count, "op 2 apparaten") {
		t.Errorf("account page says %q, want 2 places", count)
	}

	resp := env.PostForm(t, laptop, "/account/overal-uitloggen", url.Values{})
	apptest.Body(t, resp)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/inloggen" {
		t.Fatalf("logout everywhere: %d Location %q, want 303 to /inloggen", resp.StatusCode, resp.Header.Get("Location"))
	}
	flash := parseHTML(t, apptest.Body(t, env.Get(t, laptop, "/inloggen"))).Find(`[data-testid="flash"]`).Text()
	if !strings.Contains(flash, "U bent op alle apparaten uitgelogd") {
		t.Errorf("login page after logging out everywhere says %q", flash)
	}
	if isLoggedIn(t, env, laptop) {
		t.Error("the browser that logged out everywhere is still logged in")
	}
	if isLoggedIn(t, env, phone) {
		t.Error("the user's other device is still logged in")
	}
	if !isLoggedIn(t, env, admin) {
		t.Error("another user's session ended too")
	}
}

func TestNotFoundPageIsDutch(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	for _, tc := range []struct {
		who  string
		c    *http.Client
		path string
	}{
		{"anonymous", env.Client(t), "/bestaat-niet"},
		{"anonymous", env.Client(t), "/static/bestaat-niet.css"},
		{"admin", admin, "/bestaat-niet"},
		{"admin", admin, "/beheer/gebruikers/999999"},
		{"admin", admin, "/beheer/gebruikers/abc"},
		{"admin", admin, "/beheer/e-mail/999999"},
	} {
		resp := env.Get(t, tc.c, tc.path)
		body := apptest.Body(t, resp)
		what := "GET " + tc.path + " as " + tc.who
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", what, resp.StatusCode)
			continue
		}
		if strings.HasPrefix(tc.path, static.Prefix) {
			continue // assets are not pages
		}
		doc := parseHTML(t, body)
		if lang, _ := doc.Find("html").Attr("lang"); lang != "nl" {
			t.Errorf("%s: html lang %q, want nl", what, lang)
		}
		if doc.Find(`[data-testid="error-404"]`).Length() == 0 || !strings.Contains(doc.Find("h1").Text(), "Pagina niet gevonden") {
			t.Errorf("%s: not the Dutch \"Pagina niet gevonden\" page:\n%s", what, body)
		}
		if doc.Find(`a[href="/"]`).Length() == 0 {
			t.Errorf("%s: no way back to the start page", what)
		}
		if tc.who == "admin" && doc.Find(`[data-testid="nav"]`).Length() == 0 {
			t.Errorf("%s: a logged-in user loses the navigation on the 404 page", what)
		}
	}
}

// An internal error shows the friendly page with a reference code and never
// the Go or database error text.
func TestInternalErrorHidesDetail(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	ctx := context.Background()
	// Break the audit log's table behind the portal's back.
	if _, err := env.App.Pool.Exec(ctx, "ALTER TABLE audit_log RENAME TO audit_log_weg"); err != nil {
		t.Fatal(err)
	}
	resp := env.Get(t, admin, "/beheer/audit")
	body := apptest.Body(t, resp)
	if _, err := env.App.Pool.Exec(ctx, "ALTER TABLE audit_log_weg RENAME TO audit_log"); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	if doc.Find(`[data-testid="error-500"]`).Length() == 0 || !strings.Contains(doc.Find("h1").Text(), "Er ging iets mis") {
		t.Errorf("not the Dutch error page:\n%s", body)
	}
	if id := resp.Header.Get("X-Request-Id"); id == "" || !strings.Contains(doc.Find(".mono").Text(), id) {
		t.Errorf("the page does not show the request id %q support needs to find the log line", id)
	}
	for _, leak := range []string{"audit_log", "does not exist", "SQLSTATE", "ERROR", "relation", "pgx", "listing", ".go:"} {
		if strings.Contains(body, leak) {
			t.Errorf("error page shows internal detail %q:\n%s", leak, body)
		}
	}
	// The portal recovers as soon as the database does.
	if resp := env.Get(t, admin, "/beheer/audit"); resp.StatusCode != http.StatusOK {
		apptest.Body(t, resp)
		t.Errorf("after repair: status %d, want 200", resp.StatusCode)
	} else {
		apptest.Body(t, resp)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		resp := env.Get(t, env.Client(t), path)
		body := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != want {
			t.Errorf("GET %s: %d %q, want 200 %q", path, resp.StatusCode, body, want)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("GET %s: Cache-Control %q, want no-store (a proxy must not cache health)", path, cc)
		}
		if len(resp.Cookies()) > 0 {
			t.Errorf("GET %s sets cookies: %q", path, resp.Header.Values("Set-Cookie"))
		}
	}
}
