package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/connections"
)

// connectionRouteMatrix is the route × role matrix of this area; TestRouteRoleMatrix merges it with the others.
var connectionRouteMatrix = map[string]routeExpectation{
	"GET /koppelingen":        connSupplierRoute(okPage(200, `[data-testid="connections-page"]`), getReq("/koppelingen")),
	"GET /koppelingen/nieuw":  connSupplierRoute(okPage(200, `[data-testid="connection-form"]`), getReq("/koppelingen/nieuw")),
	"POST /koppelingen":       connSupplierRoute(okPage(422, `[data-testid="error-summary"]`), postReq("/koppelingen", url.Values{})),
	"GET /koppelingen/{id}":   connSupplierRoute(okPage(200, `[data-testid="connection-page"]`), connGet("")),
	"GET /producten":          connSupplierRoute(okPage(200, `[data-testid="products-page"]`), getReq("/producten")),
	"GET /beheer/koppelingen": connStaffRoute(okPage(200, `[data-testid="staff-connections-page"]`), getReq("/beheer/koppelingen")),
	"GET /koppelingen/{id}/voortgang": connSupplierRoute(okPage(200, `[data-testid="sync-progress"]`),
		connGet("/voortgang")),
	"GET /koppelingen/{id}/fouten":      connSupplierRoute(okPage(200, `[data-testid="errors-page"]`), connGet("/fouten")),
	"GET /koppelingen/{id}/verwijderen": connSupplierRoute(okPage(200, `[data-testid="connection-delete-page"]`), connGet("/verwijderen")),
	// The shop at the matrix connection's address refuses connections: the
	// test reports it step by step.
	"POST /koppelingen/{id}/testen": connSupplierRoute(okPage(200, `[data-testid="check-result"]`), func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
		id := connMatrixShared(t, fx)
		return routeCall{method: http.MethodPost, path: connPath(id, "/testen"), id: id}
	}),
	// The redirect carries the newest run id, which background syncs move.
	"POST /koppelingen/{id}/synchroniseren": connSupplierRoute(okStatus(http.StatusSeeOther), connAudited("/synchroniseren", nil, audit.ConnectionSyncRequested)),
	"POST /koppelingen/{id}/sleutels": connSupplierRoute(okStatus(http.StatusSeeOther), connAudited("/sleutels",
		url.Values{connections.FieldSecret: {"cs_ffffffffffffffffffffffffffffffffffffffff"}}, audit.ConnectionCredentialsChanged)),
	"POST /koppelingen/{id}/pauzeren":  connSupplierRoute(okRedirect("/koppelingen/{id}"), connAudited("/pauzeren", nil, audit.ConnectionPaused)),
	"POST /koppelingen/{id}/hervatten": connSupplierRoute(okRedirect("/koppelingen/{id}"), connAudited("/hervatten", nil, audit.ConnectionResumed)),
	"POST /koppelingen/{id}/verwijderen": connSupplierRoute(okRedirect("/koppelingen"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		// The supplier removes a connection of its own; everyone else is
		// refused on the shared one, which must survive.
		id := connMatrixShared(t, fx)
		if actor != nil && actor.Role == account.RoleSupplier {
			id = connMatrixCreate(t, fx, "acceptance")
		}
		return routeCall{method: http.MethodPost, path: connPath(id, "/verwijderen"), id: id, form: url.Values{"bevestig": {"ja"}},
			effect: func(t *testing.T, _ *http.Client) bool {
				_, err := fx.env.App.Store.ConnectionGet(context.Background(), id)
				return err != nil
			}}
	}),

	"GET /beheer/koppelingen/{id}":           connStaffRoute(okPage(200, `[data-testid="connection-page"]`), connStaffGet("")),
	"GET /beheer/koppelingen/{id}/voortgang": connStaffRoute(okPage(200, `[data-testid="sync-progress"]`), connStaffGet("/voortgang")),
	"GET /beheer/koppelingen/{id}/fouten":    connStaffRoute(okPage(200, `[data-testid="errors-page"]`), connStaffGet("/fouten")),
}

// connSupplierRoute is a row for a route only suppliers may use.
func connSupplierRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny, supplier: o, request: request}
}

// connStaffRoute is a row for a route admins and support may use.
func connStaffRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: mustLogin, admin: o, curator: mustDeny, support: o, supplier: mustDeny, request: request}
}

func connPath(id int64, suffix string) string {
	return "/koppelingen/" + strconv.FormatInt(id, 10) + suffix
}

func connGet(suffix string) func(*testing.T, *matrixFixture, *account.User) routeCall {
	return func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
		id := connMatrixShared(t, fx)
		return routeCall{method: http.MethodGet, path: connPath(id, suffix), id: id}
	}
}

func connStaffGet(suffix string) func(*testing.T, *matrixFixture, *account.User) routeCall {
	return func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
		id := connMatrixShared(t, fx)
		return routeCall{method: http.MethodGet, path: "/beheer" + connPath(id, suffix), id: id}
	}
}

// connAudited posts to an action of the shared connection; it happened
// when the audit log has the action on the connection by this caller.
func connAudited(suffix string, form url.Values, action audit.Action) func(*testing.T, *matrixFixture, *account.User) routeCall {
	return func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		id := connMatrixShared(t, fx)
		return routeCall{method: http.MethodPost, path: connPath(id, suffix), id: id, form: form,
			effect: func(t *testing.T, _ *http.Client) bool {
				if actor == nil {
					return connAuditCount(t, fx, action, id, "") > 0
				}
				return connAuditCount(t, fx, action, id, actor.Email) > 0
			}}
	}
}

func connAuditCount(t *testing.T, fx *matrixFixture, action audit.Action, id int64, email string) int {
	t.Helper()
	entries, err := fx.env.App.Store.AuditList(context.Background(), audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.SubjectID == strconv.FormatInt(id, 10) && e.Actor.Email == email {
			n++
		}
	}
	return n
}

// The matrix's connections point at a closed loopback port: tests and
// syncs fail at once, with a Dutch message.
const connMatrixShop = "http://127.0.0.1:1"

var connMatrix struct {
	sync.Mutex
	shared map[*matrixFixture]int64
}

// connMatrixShared is the matrix's connection of env.Supplier (test
// environment), created once.
func connMatrixShared(t *testing.T, fx *matrixFixture) int64 {
	t.Helper()
	connMatrix.Lock()
	defer connMatrix.Unlock()
	if id, ok := connMatrix.shared[fx]; ok {
		return id
	}
	if connMatrix.shared == nil {
		connMatrix.shared = map[*matrixFixture]int64{}
	}
	id := connMatrixCreate(t, fx, "test")
	connMatrix.shared[fx] = id
	return id
}

func connMatrixCreate(t *testing.T, fx *matrixFixture, environment string) int64 {
	t.Helper()
	id, err := fx.env.App.Connections.Create(context.Background(), fx.env.Supplier.ID, audit.Actor{Email: "matrix"}, connections.Input{
		Environment: environment, Platform: connections.PlatformWooCommerce, ShopURL: connMatrixShop,
		Key: "ck_0000000000000000000000000000000000000001", Secret: "cs_0000000000000000000000000000000000000001",
	})
	if err != nil {
		t.Fatalf("creating the matrix's %s connection: %v", environment, err)
	}
	return id
}
