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
)

// applyRouteMatrix is the route × role matrix of the application form, the admin's review of applications, admission requirements and the lead-time overview; TestRouteRoleMatrix merges
// it with the others.
var applyRouteMatrix = map[string]routeExpectation{
	// The public form. Posting it empty is a 422 with the summary: every
	// caller posts from the same address, so successful posts here would
	// eat into the per-address limit that other subtests share.
	"GET /aanmelden":           publicRoute(okPage(200, `form[action="/aanmelden"] [data-testid="apply-submit"]`), getReq("/aanmelden")),
	"POST /aanmelden":          publicRoute(okPage(422, `[data-testid="error-summary"]`), postReq("/aanmelden", url.Values{})),
	"GET /aanmelden/ontvangen": publicRoute(okPage(200, `[data-testid="apply-done"]`), getReq("/aanmelden/ontvangen")),

	// Review.
	"GET /beheer/aanmeldingen": adminOnlyRoute(okPage(200, `[data-testid="applications-table"]`), getReq("/beheer/aanmeldingen")),
	"GET /beheer/aanmeldingen/{id}": {
		anonymous: mustLogin, curator: mustDeny, supplier: mustDeny,
		admin:   okPage(200, `[data-testid="application-state"]`),
		support: okPage(200, `[data-testid="application-state"]`),
		request: func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
			a := fx.aplApplication(t, admission.Applied)
			return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/aanmeldingen/%d", a.ID)}
		},
	},
	"POST /beheer/aanmeldingen/{id}/beoordelen": adminOnlyRoute(okRedirect("/beheer/aanmeldingen/{id}"),
		aplCall(admission.Applied, "beoordelen", nil, func(a admission.Application) bool { return a.State == admission.InReview })),
	"POST /beheer/aanmeldingen/{id}/checklist": adminOnlyRoute(okRedirect("/beheer/aanmeldingen/{id}"),
		func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
			reqs, err := fx.env.App.Store.AdmissionRequirements(context.Background(), true)
			if err != nil || len(reqs) == 0 {
				t.Fatalf("requirements: %v (%d)", err, len(reqs))
			}
			key := fmt.Sprint(reqs[0].ID)
			return aplCall(admission.InReview, "checklist", url.Values{"eis": {key}},
				func(a admission.Application) bool { return a.Checklist[key] })(t, fx, actor)
		}),
	"POST /beheer/aanmeldingen/{id}/toelaten": adminOnlyRoute(okRedirect("/beheer/aanmeldingen/{id}"),
		aplCall(admission.InReview, "toelaten", nil, func(a admission.Application) bool {
			return a.State == admission.Admitted && a.SupplierID != nil
		})),
	"POST /beheer/aanmeldingen/{id}/afwijzen": adminOnlyRoute(okRedirect("/beheer/aanmeldingen/{id}"),
		aplCall(admission.InReview, "afwijzen", url.Values{"reject_reason": {"Geen energiebesparende producten."}},
			func(a admission.Application) bool { return a.State == admission.Rejected })),
	"POST /beheer/aanmeldingen/{id}/uitsluiten": adminOnlyRoute(okRedirect("/beheer/aanmeldingen/{id}"),
		aplCall(admission.Admitted, "uitsluiten", url.Values{"exclude_reason": {"Eigen API twee keer niet conform."}},
			func(a admission.Application) bool { return a.State == admission.Excluded })),
	"POST /beheer/aanmeldingen/{id}/alternatief": adminOnlyRoute(okRedirect("/beheer/aanmeldingen/{id}"),
		aplCall(admission.Admitted, "alternatief", url.Values{"alternative_reason": {"Koppeling via CSV-export afgesproken."}},
			func(a admission.Application) bool { return a.AlternativeReason != "" })),

	// Admission requirements.
	"GET /beheer/toelatingseisen": adminOnlyRoute(okPage(200, `[data-testid="requirements-table"]`), getReq("/beheer/toelatingseisen")),
	"POST /beheer/toelatingseisen": adminOnlyRoute(okRedirect("/beheer/toelatingseisen"), func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
		label := "Eis " + fx.unique("matrix")
		return routeCall{
			method: http.MethodPost, path: "/beheer/toelatingseisen", form: url.Values{"label": {label}},
			effect: func(t *testing.T, _ *http.Client) bool { return fx.aplRequirement(t, label) != nil },
		}
	}),
	"POST /beheer/toelatingseisen/{id}/actief": adminOnlyRoute(okRedirect("/beheer/toelatingseisen"), func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
		label := "Eis " + fx.unique("schakel")
		req, err := fx.env.App.Store.AdmissionRequirementAdd(context.Background(), label)
		if err != nil {
			t.Fatal(err)
		}
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/toelatingseisen/%d/actief", req.ID), form: url.Values{"actief": {"nee"}},
			effect: func(t *testing.T, _ *http.Client) bool { return !fx.aplRequirement(t, label).Active },
		}
	}),

	// Lead times.
	"GET /beheer/doorlooptijden": {
		anonymous: mustLogin, curator: mustDeny, supplier: mustDeny,
		admin:   okPage(200, `[data-testid="leadtimes-table"]`),
		support: okPage(200, `[data-testid="leadtimes-table"]`),
		request: getReq("/beheer/doorlooptijden"),
	},
}

// aplCall is a POST on a fresh application in the state, whose effect is
// read back from the application.
func aplCall(state admission.State, verb string, form url.Values, done func(admission.Application) bool) func(*testing.T, *matrixFixture, *account.User) routeCall {
	return func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
		a := fx.aplApplication(t, state)
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/aanmeldingen/%d/%s", a.ID, verb), form: form, id: a.ID,
			effect: func(t *testing.T, _ *http.Client) bool {
				got, err := fx.env.App.Store.ApplicationGet(context.Background(), a.ID)
				if err != nil {
					t.Fatal(err)
				}
				return done(got)
			},
		}
	}
}

// aplApplication is a new application brought to applied, in_review or
// admitted through the admission service. It applies from an address of
// its own, so it does not count towards the form's per-address limit.
func (fx *matrixFixture) aplApplication(t *testing.T, state admission.State) admission.Application {
	t.Helper()
	ctx := context.Background()
	n := int(fx.n.Add(1))
	in := aplInput(710000 + n)
	in.CompanyName = fmt.Sprintf("Matrixaanmelding %d", n)
	a, err := fx.env.App.Supplier.Apply(ctx, in, "192.0.2.71")
	if err != nil {
		t.Fatalf("applying: %v", err)
	}
	actor := audit.Actor{Email: "matrix@test.example"}
	if state == admission.Applied {
		return a
	}
	if err := fx.env.App.Supplier.StartReview(ctx, actor, a.ID); err != nil {
		t.Fatal(err)
	}
	if state == admission.Admitted {
		if a, err = fx.env.App.Supplier.Admit(ctx, actor, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// aplRequirement finds an admission requirement by label, nil when absent.
func (fx *matrixFixture) aplRequirement(t *testing.T, label string) *admission.Requirement {
	t.Helper()
	reqs, err := fx.env.App.Store.AdmissionRequirements(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reqs {
		if r.Label == label {
			return &r
		}
	}
	return nil
}
