package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

// reviewRouteMatrix is the route × role matrix of the custom-API review; TestRouteRoleMatrix merges
// it with the others.
var reviewRouteMatrix = map[string]routeExpectation{
	// The matrix's supplier organisation has no application, so its page
	// says the review does not apply and a submission is refused with a
	// message on that page.
	"GET /koppeling/eigen-api": {
		anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny,
		supplier: okPage(200, `[data-testid="custom-api-not-applicable"]`),
		request:  getReq("/koppeling/eigen-api"),
	},
	"POST /koppeling/eigen-api": {
		anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny,
		supplier: okRedirect("/koppeling/eigen-api"),
		request: postReq("/koppeling/eigen-api", url.Values{
			"base_url": {"https://api.winkel.nl/wp-json/wc/v3"}, "consumer_key": {"ck_matrix"}, "consumer_secret": {"cs_matrix"},
		}),
	},
	"POST /beheer/aanmeldingen/{id}/api-beoordeling/{review}": {
		anonymous: mustLogin, curator: mustDeny, supplier: mustDeny,
		admin: okRedirect("/beheer/aanmeldingen/{id}"), support: okRedirect("/beheer/aanmeldingen/{id}"),
		request: func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
			appID, reviewID := fx.openCustomAPIReview(t)
			return routeCall{
				method: http.MethodPost, path: fmt.Sprintf("/beheer/aanmeldingen/%d/api-beoordeling/%d", appID, reviewID), id: appID,
				form: url.Values{"outcome": {"conform"}, "findings": {""}},
				effect: func(t *testing.T, _ *http.Client) bool {
					reviews, err := fx.env.App.Store.CustomAPIReviewList(context.Background(), appID)
					if err != nil {
						t.Fatal(err)
					}
					return len(reviews) == 1 && reviews[0].Outcome == store.CustomAPIConform
				},
			}
		},
	},
}

// openCustomAPIReview admits a fresh custom-route applicant through the
// real flow and submits its API, returning the application and the open
// submission.
func (fx *matrixFixture) openCustomAPIReview(t *testing.T) (appID, reviewID int64) {
	t.Helper()
	ctx := context.Background()
	name := fx.unique("capi")
	n := fx.n.Add(1)
	admin := fx.env.Users[account.RoleAdmin]
	staff := audit.Actor{UserID: &admin.ID, Email: admin.Email}
	a, err := fx.env.App.Supplier.Apply(ctx, supplier.ApplicationInput{
		CompanyName: "Matrix " + name, KvK: fmt.Sprintf("%08d", 73100000+n), VATID: "NL123456789B01", IBAN: "NL91ABNA0417164300",
		ContactName: "Matrix Contact", Email: name + "@matrix.example", Phone: "020 123 4567", Website: "https://matrix.example",
		Platform: string(admission.CustomAPI), AcceptTerms: true,
	}, "192.0.2.7")
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if err := fx.env.App.Supplier.StartReview(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	if a, err = fx.env.App.Supplier.Admit(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	r, err := fx.env.App.Supplier.SubmitCustomAPI(ctx, audit.Actor{Email: a.Email}, *a.SupplierID, supplier.CustomAPIInput{
		BaseURL: "https://api.matrix.nl", ConsumerKey: "ck_matrix", ConsumerSecret: "cs_matrix",
	})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return a.ID, r.ID
}
