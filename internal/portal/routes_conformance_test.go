package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/conformance"
)

// conformanceRouteMatrix is the route × role matrix of this area; TestRouteRoleMatrix merges it with the others.
// The submissions are made through the real flow (openCustomAPIReview);
// their automatic report runs against an address that does not resolve.
var conformanceRouteMatrix = map[string]routeExpectation{
	// Suppliers' APIs deliver the test webhook without a session: everyone
	// gets the same answer, here 404 for a token that does not exist. The
	// signature checks are tested in internal/conformance.
	"POST /webhooks/conformance/{token}": publicRoute(okStatus(http.StatusNotFound),
		postReq("/webhooks/conformance/"+strings.Repeat("x", 43), url.Values{"webhook_id": {"1"}})),
	"GET /beheer/aanmeldingen/{id}/api-beoordeling/{review}/rapport": {
		anonymous: mustLogin, curator: mustDeny, supplier: mustDeny,
		admin:   okPage(http.StatusOK, `[data-testid="conformance-report"]`),
		support: okPage(http.StatusOK, `[data-testid="conformance-report"]`),
		request: func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
			appID, reviewID := fx.openCustomAPIReview(t)
			return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/aanmeldingen/%d/api-beoordeling/%d/rapport", appID, reviewID), id: appID}
		},
	},
	"POST /beheer/aanmeldingen/{id}/api-beoordeling/{review}/rapport": {
		anonymous: mustLogin, curator: mustDeny, supplier: mustDeny,
		admin: okRedirect("/beheer/aanmeldingen/{id}"), support: okRedirect("/beheer/aanmeldingen/{id}"),
		request: func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
			appID, reviewID := fx.openCustomAPIReview(t)
			fx.conformanceSettled(t, reviewID)
			return routeCall{
				method: http.MethodPost, path: fmt.Sprintf("/beheer/aanmeldingen/%d/api-beoordeling/%d/rapport", appID, reviewID), id: appID,
				effect: func(t *testing.T, _ *http.Client) bool {
					st, err := fx.env.App.Conformance.Latest(context.Background(), reviewID)
					if err != nil {
						t.Fatal(err)
					}
					return !st.Automatic
				},
			}
		},
	},
	// The matrix's supplier asks for another organisation's report: the
	// same 404 as for one that does not exist.
	"GET /koppeling/eigen-api/rapport/{review}": {
		anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny,
		supplier: okStatus(http.StatusNotFound),
		request: func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
			_, reviewID := fx.openCustomAPIReview(t)
			return routeCall{method: http.MethodGet, path: fmt.Sprintf("/koppeling/eigen-api/rapport/%d", reviewID)}
		},
	},
}

// conformanceSettled waits until the automatic report of a submission has
// run, so a rerun is not refused because it is still busy.
func (fx *matrixFixture) conformanceSettled(t *testing.T, reviewID int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		st, err := fx.env.App.Conformance.Latest(context.Background(), reviewID)
		if err == nil && (st.Status == conformance.StatusDone || st.Status == conformance.StatusFailed) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the automatic conformance report of review %d did not finish", reviewID)
}
