package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/portal"
	"github.com/wujw/ohis/static"
)

// The route × role matrix: every registered route, for every kind of
// caller, with what that caller must get. TestRouteRoleMatrix fails when a
// route is registered without an entry here, or an entry names a route
// that no longer exists.

// routeOutcome is what one caller must get from one route.
type routeOutcome struct {
	kind outcomeKind
	// For served: the exact status, the exact Location of a redirect
	// ("{id}" stands for the request's target id, or any id when it has
	// none), and a CSS selector that must match on the page.
	status   int
	location string
	selector string
}

type outcomeKind int

const (
	// kindLogin: an anonymous visitor on a protected route is sent to the
	// login page with 303 (GET requests also carry ?next=).
	kindLogin outcomeKind = iota + 1
	// kindForbidden: a logged-in role the route does not allow gets 403 and the
	// Dutch "Geen toegang" page.
	kindForbidden
	// kindServed: the caller may use the route and gets its real answer.
	kindServed
)

var (
	mustLogin = routeOutcome{kind: kindLogin}
	mustDeny  = routeOutcome{kind: kindForbidden}
)

// okStatus is a served answer with this status.
func okStatus(status int) routeOutcome { return routeOutcome{kind: kindServed, status: status} }

// okPage is a served HTML answer with this status on which selector matches.
func okPage(status int, selector string) routeOutcome {
	return routeOutcome{kind: kindServed, status: status, selector: selector}
}

// okRedirect is a served 303 to location.
func okRedirect(location string) routeOutcome {
	return routeOutcome{kind: kindServed, status: http.StatusSeeOther, location: location}
}

// routeExpectation is one row of the matrix.
type routeExpectation struct {
	anonymous, admin, curator, support, supplier routeOutcome
	// ownActor: the request ends all sessions of whoever makes it, so each
	// role's subtest acts as a throwaway user of that role instead of the
	// shared env.Users[role].
	ownActor bool
	// request builds the concrete request for one subtest; actor is nil for
	// the anonymous visitor.
	request func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall
}

func (e routeExpectation) outcomeFor(who string) routeOutcome {
	switch who {
	case "anonymous":
		return e.anonymous
	case string(account.RoleAdmin):
		return e.admin
	case string(account.RoleCurator):
		return e.curator
	case string(account.RoleSupport):
		return e.support
	case string(account.RoleSupplier):
		return e.supplier
	}
	return routeOutcome{} // a role the matrix does not know yet: check fails
}

// routeCall is a concrete request.
type routeCall struct {
	method string
	path   string
	form   url.Values
	// id replaces "{id}" in an expected Location.
	id int64
	// effect, when set, reports whether the request's change happened: it
	// must have happened after a served request and must not have after a
	// refused one. c is the client that made the request.
	effect func(t *testing.T, c *http.Client) bool
}

func getReq(path string) func(*testing.T, *matrixFixture, *account.User) routeCall {
	return func(*testing.T, *matrixFixture, *account.User) routeCall {
		return routeCall{method: http.MethodGet, path: path}
	}
}

func postReq(path string, form url.Values) func(*testing.T, *matrixFixture, *account.User) routeCall {
	return func(*testing.T, *matrixFixture, *account.User) routeCall {
		return routeCall{method: http.MethodPost, path: path, form: form}
	}
}

// publicRoute is a row for a route anyone may use with the same answer.
func publicRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: o, admin: o, curator: o, support: o, supplier: o, request: request}
}

const matrixBogusToken = "dit-is-geen-geldige-link-0123456789abcdef"

var routeMatrix = map[string]routeExpectation{
	// Operations and assets.
	"GET /healthz": publicRoute(okStatus(200), getReq("/healthz")),
	"GET /readyz":  publicRoute(okStatus(200), getReq("/readyz")),
	"GET /static/": publicRoute(okStatus(200), getReq(static.URL("app.css"))),

	// Logging in and out, and the one-time links.
	"GET /inloggen": {
		anonymous: okPage(200, `[data-testid="login-submit"]`),
		// Someone already logged in goes straight on.
		admin: okRedirect("/"), curator: okRedirect("/"), support: okRedirect("/"), supplier: okRedirect("/"),
		request: getReq("/inloggen"),
	},
	"POST /inloggen": publicRoute(okPage(422, `[data-testid="login-error"]`), postReq("/inloggen", url.Values{})),
	"POST /uitloggen": publicRoute(okRedirect("/inloggen"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		return routeCall{method: http.MethodPost, path: "/uitloggen", effect: fx.clientLoggedOut}
	}),
	"GET /wachtwoord-vergeten": publicRoute(okPage(200, `form[action="/wachtwoord-vergeten"]`), getReq("/wachtwoord-vergeten")),
	// An unknown address gets the same answer as a known one.
	"POST /wachtwoord-vergeten": publicRoute(okPage(200, `[data-testid="forgot-sent"]`),
		postReq("/wachtwoord-vergeten", url.Values{"email": {"niemand@test.example"}})),
	"GET /wachtwoord-herstellen/{token}": publicRoute(okPage(404, `[data-testid="link-invalid"]`),
		getReq("/wachtwoord-herstellen/"+matrixBogusToken)),
	"POST /wachtwoord-herstellen/{token}": publicRoute(okPage(404, `[data-testid="link-invalid"]`),
		postReq("/wachtwoord-herstellen/"+matrixBogusToken, url.Values{"password": {"een lang nieuw wachtwoord"}, "confirm": {"een lang nieuw wachtwoord"}})),
	"GET /uitnodiging/{token}": publicRoute(okPage(404, `[data-testid="link-invalid"]`),
		getReq("/uitnodiging/"+matrixBogusToken)),
	"POST /uitnodiging/{token}": publicRoute(okPage(404, `[data-testid="link-invalid"]`),
		postReq("/uitnodiging/"+matrixBogusToken, url.Values{"password": {"een lang nieuw wachtwoord"}, "confirm": {"een lang nieuw wachtwoord"}})),

	// Everyone logged in.
	"GET /{$}": {
		anonymous: mustLogin,
		admin:     okPage(200, `[data-testid="home-title"]`), curator: okPage(200, `[data-testid="home-title"]`),
		support: okPage(200, `[data-testid="home-title"]`), supplier: okPage(200, `[data-testid="home-title"]`),
		request: getReq("/"),
	},
	"GET /account": {
		anonymous: mustLogin,
		admin:     okPage(200, `[data-testid="session-count"]`), curator: okPage(200, `[data-testid="session-count"]`),
		support: okPage(200, `[data-testid="session-count"]`), supplier: okPage(200, `[data-testid="session-count"]`),
		request: getReq("/account"),
	},
	"POST /account/wachtwoord": {
		anonymous: mustLogin,
		admin:     okPage(422, `[data-testid="error-summary"]`), curator: okPage(422, `[data-testid="error-summary"]`),
		support: okPage(422, `[data-testid="error-summary"]`), supplier: okPage(422, `[data-testid="error-summary"]`),
		request: postReq("/account/wachtwoord", url.Values{}),
	},
	"POST /account/overal-uitloggen": {
		anonymous: mustLogin,
		admin:     okRedirect("/inloggen"), curator: okRedirect("/inloggen"), support: okRedirect("/inloggen"), supplier: okRedirect("/inloggen"),
		ownActor: true,
		request: func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
			c := routeCall{method: http.MethodPost, path: "/account/overal-uitloggen"}
			if actor == nil {
				c.effect = func(*testing.T, *http.Client) bool { return false }
				return c
			}
			// The same user on another device must be logged out too.
			other := fx.env.Login(t, actor.Email)
			c.effect = func(t *testing.T, self *http.Client) bool {
				return fx.clientLoggedOut(t, self) && fx.clientLoggedOut(t, other)
			}
			return c
		},
	},

	// Suppliers.
	"GET /team": {
		anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny,
		supplier: okPage(200, `[data-testid="team-table"]`),
		request:  getReq("/team"),
	},

	// Admins.
	"GET /beheer/gebruikers": adminOnlyRoute(okPage(200, `[data-testid="users-table"]`), getReq("/beheer/gebruikers")),
	"GET /beheer/gebruikers/nieuw": adminOnlyRoute(okPage(200, `form[action="/beheer/gebruikers"]`),
		getReq("/beheer/gebruikers/nieuw")),
	"POST /beheer/gebruikers": adminOnlyRoute(okRedirect("/beheer/gebruikers/{id}"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		email := fx.unique("nieuw") + "@test.example"
		return routeCall{
			method: http.MethodPost, path: "/beheer/gebruikers",
			form: url.Values{"email": {email}, "name": {"Nieuwe Collega"}, "role": {"curator"}, "invite": {"ja"}},
			effect: func(t *testing.T, _ *http.Client) bool {
				_, err := fx.env.App.Store.UserCredentialsByEmail(context.Background(), email)
				return err == nil
			},
		}
	}),
	"GET /beheer/gebruikers/{id}": adminOnlyRoute(okPage(200, `[data-testid="user-status"]`), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/gebruikers/%d", fx.env.Users[account.RoleCurator].ID)}
	}),
	"POST /beheer/gebruikers/{id}/deactiveren": adminOnlyRoute(okRedirect("/beheer/gebruikers/{id}"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		target := fx.throwaway(t, account.RoleSupplier)
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/gebruikers/%d/deactiveren", target.ID), id: target.ID,
			effect: func(t *testing.T, _ *http.Client) bool { return !fx.user(t, target.ID).Active },
		}
	}),
	"POST /beheer/gebruikers/{id}/activeren": adminOnlyRoute(okRedirect("/beheer/gebruikers/{id}"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		target := fx.throwaway(t, account.RoleSupplier)
		if _, err := fx.env.App.Auth.SetActive(context.Background(), audit.Actor{Email: "test"}, target.ID, false); err != nil {
			t.Fatal(err)
		}
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/gebruikers/%d/activeren", target.ID), id: target.ID,
			effect: func(t *testing.T, _ *http.Client) bool { return fx.user(t, target.ID).Active },
		}
	}),
	"POST /beheer/gebruikers/{id}/rol": adminOnlyRoute(okRedirect("/beheer/gebruikers/{id}"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		target := fx.throwaway(t, account.RoleCurator)
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/gebruikers/%d/rol", target.ID), id: target.ID,
			form:   url.Values{"role": {"support"}, "supplier_id": {""}},
			effect: func(t *testing.T, _ *http.Client) bool { return fx.user(t, target.ID).Role == account.RoleSupport },
		}
	}),
	"POST /beheer/gebruikers/{id}/uitnodigen": adminOnlyRoute(okRedirect("/beheer/gebruikers/{id}"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		email := fx.unique("uitgenodigd") + "@test.example"
		target, err := fx.env.App.Auth.CreateUser(context.Background(), audit.Actor{Email: "test"}, auth.NewAccount{
			Email: email, Name: "Uitgenodigd", Role: account.RoleSupport, Invite: true,
		})
		if err != nil {
			t.Fatal(err)
		}
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/gebruikers/%d/uitnodigen", target.ID), id: target.ID,
			// The first invitation was sent on creation; a second one means
			// the re-invite went out.
			effect: func(t *testing.T, _ *http.Client) bool { return fx.mailsTo(t, email) == 2 },
		}
	}),
	"GET /beheer/aanbieders": adminOnlyRoute(okPage(200, `[data-testid="suppliers-table"]`), getReq("/beheer/aanbieders")),
	"POST /beheer/aanbieders": adminOnlyRoute(okRedirect("/beheer/aanbieders"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		name := "Aanbieder " + fx.unique("nieuw")
		return routeCall{
			method: http.MethodPost, path: "/beheer/aanbieders", form: url.Values{"name": {name}},
			effect: func(t *testing.T, _ *http.Client) bool {
				_, err := fx.env.App.Store.SupplierGetByName(context.Background(), name)
				return err == nil
			},
		}
	}),
	"GET /beheer/audit":  adminOnlyRoute(okPage(200, `[data-testid="audit-table"]`), getReq("/beheer/audit")),
	"GET /beheer/e-mail": adminOnlyRoute(okPage(200, `[data-testid="outbox-table"]`), getReq("/beheer/e-mail")),
	"GET /beheer/e-mail/{id}": adminOnlyRoute(okPage(200, `[data-testid="mail-body"]`), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/e-mail/%d", fx.mailID)}
	}),
}

// adminOnlyRoute is a row for a route only admins may use.
func adminOnlyRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: mustLogin, admin: o, curator: mustDeny, support: mustDeny, supplier: mustDeny, request: request}
}

// matrixCallers are who walks every route: the anonymous visitor and every
// role there is (a new role without a column in the matrix fails the test).
func matrixCallers() []string {
	out := []string{"anonymous"}
	for _, r := range account.Roles {
		out = append(out, string(r))
	}
	return out
}

// allRouteMatrices merges the matrix of the foundation with the matrices of
// the areas that keep theirs beside their own tests (routes_*_test.go).
func allRouteMatrices(t *testing.T) map[string]routeExpectation {
	all := map[string]routeExpectation{}
	for _, m := range []map[string]routeExpectation{routeMatrix, applyRouteMatrix, supplierRouteMatrix, reviewRouteMatrix, bookingRouteMatrix, hoursRouteMatrix, questionsRouteMatrix,
		connectionRouteMatrix, webhookRouteMatrix, conformanceRouteMatrix, curationRouteMatrix, catalogueRouteMatrix} {
		for pattern, exp := range m {
			if _, dup := all[pattern]; dup {
				t.Errorf("route %q has entries in two matrices", pattern)
			}
			all[pattern] = exp
		}
	}
	return all
}

func TestRouteRoleMatrix(t *testing.T) {
	t.Parallel()
	routeMatrix := allRouteMatrices(t)
	// Webshop connections of the matrix point at loopback addresses.
	env := apptest.New(t, apptest.WithEnv("OHIS_SHOP_ALLOW_PRIVATE", "true"))
	fx := newMatrixFixture(t, env)

	registered := map[string]portal.Route{}
	for _, r := range env.App.Portal.Routes() {
		if _, dup := registered[r.Pattern]; dup {
			t.Errorf("route %q is registered twice", r.Pattern)
		}
		registered[r.Pattern] = r
	}
	for pattern := range registered {
		if _, found := routeMatrix[pattern]; !found {
			t.Errorf("route %q is registered but has no entry in the route × role matrix (routes_test.go); add one", pattern)
		}
	}
	for pattern := range routeMatrix {
		if _, found := registered[pattern]; !found {
			t.Errorf("the route × role matrix has an entry for %q, but no such route is registered; remove or rename it", pattern)
		}
	}
	if len(registered) == 0 {
		t.Fatal("no routes registered")
	}

	patterns := make([]string, 0, len(routeMatrix))
	for p := range routeMatrix {
		if _, found := registered[p]; found {
			patterns = append(patterns, p)
		}
	}
	slices.Sort(patterns)
	for _, pattern := range patterns {
		exp, route := routeMatrix[pattern], registered[pattern]
		// The table and the route's declaration must agree, so that a
		// change to either is a deliberate change to both.
		if route.Public != (exp.anonymous.kind != kindLogin) {
			t.Errorf("%s: registered public=%v, but the matrix expects anonymous outcome %v", pattern, route.Public, exp.anonymous.kind)
		}
		for _, role := range account.Roles {
			if route.Allows(role) != (exp.outcomeFor(string(role)).kind != kindForbidden) {
				t.Errorf("%s: registered roles %v, but the matrix expects %s to get %v", pattern, route.Roles, role, exp.outcomeFor(string(role)).kind)
			}
		}
		for _, who := range matrixCallers() {
			t.Run(pattern+"/"+who, func(t *testing.T) {
				t.Parallel()
				fx.check(t, pattern, who, exp)
			})
		}
	}
}

func (k outcomeKind) String() string {
	switch k {
	case kindLogin:
		return "redirect to login"
	case kindForbidden:
		return "403"
	case kindServed:
		return "served"
	}
	return "unset"
}

// check makes one caller's request to one route and compares the answer.
func (fx *matrixFixture) check(t *testing.T, pattern, who string, exp routeExpectation) {
	want := exp.outcomeFor(who)
	if want.kind == 0 {
		t.Fatalf("the matrix gives no outcome for %s", who)
	}
	env := fx.env
	c := env.Client(t)
	var actor *account.User
	if who != "anonymous" {
		role := account.Role(who)
		u := env.Users[role]
		if exp.ownActor {
			u = fx.throwaway(t, role)
		}
		actor = &u
		c = env.Login(t, u.Email)
	}
	req := exp.request(t, fx, actor)
	resp := fx.do(t, c, req)
	body := apptest.Body(t, resp)
	loc := resp.Header.Get("Location")
	what := fmt.Sprintf("%s %s as %s", req.method, req.path, who)

	switch want.kind {
	case kindLogin:
		wantLoc := "/inloggen"
		if req.method == http.MethodGet && req.path != "/" {
			wantLoc += "?next=" + url.QueryEscape(req.path)
		}
		if resp.StatusCode != http.StatusSeeOther || loc != wantLoc {
			t.Errorf("%s: got %d Location %q, want 303 to %q", what, resp.StatusCode, loc, wantLoc)
		}
	case kindForbidden:
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: got %d Location %q, want 403", what, resp.StatusCode, loc)
			break
		}
		doc := parseHTML(t, body)
		if doc.Find(`[data-testid="error-403"]`).Length() == 0 || !strings.Contains(doc.Find("h1").Text(), "Geen toegang") {
			t.Errorf("%s: 403 without the Dutch \"Geen toegang\" page:\n%s", what, body)
		}
	case kindServed:
		if resp.StatusCode == http.StatusForbidden {
			t.Errorf("%s: refused with 403, but the role may use this route", what)
			break
		}
		if want.location == "" && resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/inloggen") {
			t.Errorf("%s: sent to the login page (%q), but the caller may use this route", what, loc)
			break
		}
		if resp.StatusCode != want.status {
			t.Errorf("%s: got %d Location %q, want %d", what, resp.StatusCode, loc, want.status)
			break
		}
		if want.location != "" && !locationMatches(want.location, req.id, loc) {
			t.Errorf("%s: redirected to %q, want %q", what, loc, strings.ReplaceAll(want.location, "{id}", strconv.FormatInt(req.id, 10)))
		}
		if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			doc := parseHTML(t, body)
			if doc.Find(`[data-testid="error-403"]`).Length() > 0 {
				t.Errorf("%s: shows the 403 page", what)
			}
			if want.selector != "" && doc.Find(want.selector).Length() == 0 {
				t.Errorf("%s: page lacks %s:\n%s", what, want.selector, body)
			}
		} else if want.selector != "" {
			t.Errorf("%s: Content-Type %q, want an HTML page with %s", what, resp.Header.Get("Content-Type"), want.selector)
		}
	}

	if req.effect != nil {
		happened := req.effect(t, c)
		if want.kind == kindServed && !happened {
			t.Errorf("%s: answered %d but the change did not happen", what, resp.StatusCode)
		}
		if want.kind != kindServed && happened {
			t.Errorf("%s: refused with %d, yet the change happened", what, resp.StatusCode)
		}
	}
}

func locationMatches(template string, id int64, got string) bool {
	idPattern := "[0-9]+"
	if id != 0 {
		idPattern = strconv.FormatInt(id, 10)
	}
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(template), regexp.QuoteMeta("{id}"), idPattern) + "$"
	return regexp.MustCompile(re).MatchString(got)
}

// matrixFixture is what the matrix's requests need from one Env.
type matrixFixture struct {
	env    *apptest.Env
	mailID int64 // an existing outbox mail
	n      atomic.Int64
}

func newMatrixFixture(t *testing.T, env *apptest.Env) *matrixFixture {
	t.Helper()
	fx := &matrixFixture{env: env}
	email := "eerste-uitnodiging@test.example"
	if _, err := env.App.Auth.CreateUser(context.Background(), audit.Actor{Email: "test"}, auth.NewAccount{
		Email: email, Name: "Eerste Uitnodiging", Role: account.RoleCurator, Invite: true,
	}); err != nil {
		t.Fatal(err)
	}
	mails, err := env.App.Store.MailOutboxList(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.To == email {
			fx.mailID = m.ID
		}
	}
	if fx.mailID == 0 {
		t.Fatalf("inviting %s put no mail in the outbox", email)
	}
	return fx
}

// unique is a name no other subtest uses.
func (fx *matrixFixture) unique(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, fx.n.Add(1))
}

// throwaway creates an active user of the role for one subtest.
func (fx *matrixFixture) throwaway(t *testing.T, role account.Role) account.User {
	t.Helper()
	var sup *int64
	if role == account.RoleSupplier {
		sup = &fx.env.Supplier.ID
	}
	return fx.env.CreateUser(t, fx.unique("wegwerp-"+string(role))+"@test.example", role, sup)
}

func (fx *matrixFixture) user(t *testing.T, id int64) account.User {
	t.Helper()
	u, err := fx.env.App.Store.UserGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (fx *matrixFixture) mailsTo(t *testing.T, email string) int {
	t.Helper()
	mails, err := fx.env.App.Store.MailOutboxList(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range mails {
		if m.To == email {
			n++
		}
	}
	return n
}

// clientLoggedOut reports whether the client's start page now sends it to
// the login page.
func (fx *matrixFixture) clientLoggedOut(t *testing.T, c *http.Client) bool {
	t.Helper()
	resp := fx.env.Get(t, c, "/")
	apptest.Body(t, resp)
	return resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/inloggen"
}

func (fx *matrixFixture) do(t *testing.T, c *http.Client, req routeCall) *http.Response {
	t.Helper()
	switch req.method {
	case http.MethodGet:
		return fx.env.Get(t, c, req.path)
	case http.MethodPost:
		form := req.form
		if form == nil {
			form = url.Values{}
		}
		return fx.env.PostForm(t, c, req.path, form)
	}
	t.Fatalf("unsupported method %s", req.method)
	return nil
}

func parseHTML(t *testing.T, body string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parsing HTML: %v", err)
	}
	return doc
}

// A supplier sees its own organisation and nothing of another's.
func TestSupplierSeesOnlyOwnOrganisation(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	colleague := env.CreateUser(t, "collega@test.example", account.RoleSupplier, &env.Supplier.ID)
	c := env.LoginRole(t, account.RoleSupplier)
	me := env.Users[account.RoleSupplier]

	t.Run("team", func(t *testing.T) {
		resp := env.Get(t, c, "/team")
		body := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /team: %d", resp.StatusCode)
		}
		table := parseHTML(t, body).Find(`[data-testid="team-table"]`)
		if table.Length() == 0 {
			t.Fatalf("no team table:\n%s", body)
		}
		var emails []string
		table.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
			emails = append(emails, strings.TrimSpace(tr.Find("td").Eq(1).Text()))
		})
		slices.Sort(emails)
		want := []string{me.Email, colleague.Email}
		slices.Sort(want)
		if !slices.Equal(emails, want) {
			t.Errorf("team lists %q, want exactly %q", emails, want)
		}
		if strings.Contains(body, env.OtherSupplierUser.Email) || strings.Contains(body, env.OtherSupplier.Name) {
			t.Errorf("team page shows the other organisation (%s, %s):\n%s", env.OtherSupplier.Name, env.OtherSupplierUser.Email, body)
		}
	})

	t.Run("start page", func(t *testing.T) {
		resp := env.Get(t, c, "/")
		body := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /: %d", resp.StatusCode)
		}
		doc := parseHTML(t, body)
		if got := doc.Find(".card h2").First().Text(); got != env.Supplier.Name {
			t.Errorf("start page names supplier %q, want %q", got, env.Supplier.Name)
		}
		if !strings.Contains(doc.Find(`[data-testid="userbox"]`).Text(), env.Supplier.Name) {
			t.Errorf("user box does not name %q", env.Supplier.Name)
		}
		// The team count covers only the own organisation: me and my colleague.
		if got := doc.Find(".card").First().Text(); !strings.Contains(got, "U en 1 collega hebben toegang") {
			t.Errorf("start page card %q does not say that the user and 1 colleague have access", got)
		}
		if strings.Contains(body, env.OtherSupplier.Name) || strings.Contains(body, env.OtherSupplierUser.Email) {
			t.Errorf("start page shows the other organisation %q:\n%s", env.OtherSupplier.Name, body)
		}
	})
}

// Changing a user's role to a supplier that does not exist is a form error
// the admin can correct, not a 500, and changes nothing.
func TestRoleChangeToUnknownSupplierIsAFormError(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	admin := env.LoginRole(t, account.RoleAdmin)
	target := env.Users[account.RoleCurator]
	path := fmt.Sprintf("/beheer/gebruikers/%d/rol", target.ID)
	resp := env.PostForm(t, admin, path, url.Values{"role": {"supplier"}, "supplier_id": {"999999"}})
	body := apptest.Body(t, resp)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("POST %s with an unknown supplier: %d, want 422", path, resp.StatusCode)
	}
	if msg := parseHTML(t, body).Find(`[data-testid="error-supplier_id"]`).Text(); !strings.Contains(msg, "bestaat niet") {
		t.Errorf("supplier field error %q, want that the supplier does not exist", msg)
	}
	u, err := env.App.Store.UserGet(context.Background(), target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != account.RoleCurator || u.SupplierID != nil {
		t.Errorf("role is now %s (supplier %v), want unchanged curator", u.Role, u.SupplierID)
	}
}
