package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

// supplierRouteMatrix is the route × role matrix of the supplier's
// integration pages: API keys, the integration guide and reporting ready;
// TestRouteRoleMatrix merges it with the others.
//
// The matrix's supplier user belongs to an organisation without an
// application (added by an admin), so these routes answer it with their
// "not admitted yet" outcomes; admission_supplier_test.go walks the
// admitted paths.
var supplierRouteMatrix = map[string]routeExpectation{
	"GET /koppeling/sleutels": supOnlyRoute(okPage(200, `[data-testid="keys-blocked"]`), getReq("/koppeling/sleutels")),
	"POST /koppeling/sleutels": supOnlyRoute(okPage(422, `[data-testid="key-refused"]`),
		postReq("/koppeling/sleutels", url.Values{"environment": {"acceptance"}, "name": {"Koppeling"}})),
	"POST /koppeling/sleutels/{id}/intrekken": supOnlyRoute(okRedirect("/koppeling/sleutels"),
		func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
			key := fx.supKey(t)
			return routeCall{
				method: http.MethodPost, path: fmt.Sprintf("/koppeling/sleutels/%d/intrekken", key.ID),
				effect: func(t *testing.T, _ *http.Client) bool { return fx.supKeyRevoked(t, key.ID) },
			}
		}),
	"GET /koppeling/handleiding": supOnlyRoute(okPage(200, `[data-testid="guide-unavailable"]`), getReq("/koppeling/handleiding")),
	"POST /koppeling/gereed":     supOnlyRoute(okRedirect("/"), postReq("/koppeling/gereed", nil)),
	"POST /koppeling/gereed/intrekken": supOnlyRoute(okRedirect("/"),
		postReq("/koppeling/gereed/intrekken", nil)),
}

// supOnlyRoute is a row for a route only suppliers may use.
func supOnlyRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny, supplier: o, request: request}
}

// supKey gives the matrix supplier's organisation a live acceptance key of
// its own, straight in the store (the organisation has no application, so
// the service would refuse to create one).
func (fx *matrixFixture) supKey(t *testing.T) store.APIKey {
	t.Helper()
	name := fx.unique("matrixsleutel")
	k, err := fx.env.App.Store.APIKeyCreate(context.Background(), store.APIKey{
		SupplierID: fx.env.Supplier.ID, Environment: admission.EnvAcceptance, Name: name, Prefix: "ohis_acc_000000",
	}, supplier.HashAPIKey(name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (fx *matrixFixture) supKeyRevoked(t *testing.T, id int64) bool {
	t.Helper()
	keys, err := fx.env.App.Store.APIKeyList(context.Background(), fx.env.Supplier.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.ID == id {
			return k.RevokedAt != nil
		}
	}
	t.Fatalf("key %d is gone", id)
	return false
}
