package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/store"
)

// hoursRouteMatrix is the route × role matrix of support hours: time entries, allowances, statements and CSV; TestRouteRoleMatrix merges
// it with the others.
var hoursRouteMatrix = map[string]routeExpectation{
	"GET /beheer/uren": hoursStaffRoute(okPage(200, `[data-testid="hours-form"]`), getReq("/beheer/uren")),
	"POST /beheer/uren": hoursStaffRoute(okRedirect("/beheer/uren"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		desc := fmt.Sprintf("matrix-boeking-%d", fx.n.Add(1))
		return routeCall{
			method: http.MethodPost, path: "/beheer/uren",
			form: url.Values{"supplier_id": {fmt.Sprint(fx.env.Supplier.ID)}, "date": {hoursYesterday().Format("2006-01-02")},
				"duration": {"0:15"}, "category": {"other"}, "description": {desc}},
			effect: func(t *testing.T, _ *http.Client) bool { return hoursHasEntry(t, fx, desc) },
		}
	}),
	"GET /beheer/uren/boeking/{id}/bewerken": hoursStaffRoute(okPage(200, `[data-testid="hours-form"]`), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		e := hoursMatrixEntry(t, fx, actor)
		return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/uren/boeking/%d/bewerken", e.ID), id: e.ID}
	}),
	"POST /beheer/uren/boeking/{id}": hoursStaffRoute(okRedirect("/beheer/uren"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		e := hoursMatrixEntry(t, fx, actor)
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/uren/boeking/%d", e.ID), id: e.ID,
			form: url.Values{"date": {e.Date.Format("2006-01-02")}, "duration": {"0:45"}, "category": {"other"}, "description": {e.Description}},
			effect: func(t *testing.T, _ *http.Client) bool {
				got, err := fx.env.App.Store.TimeEntryGet(context.Background(), e.ID)
				if err != nil {
					t.Fatal(err)
				}
				return got.Minutes == 45
			},
		}
	}),
	"POST /beheer/uren/boeking/{id}/verwijderen": hoursStaffRoute(okRedirect("/beheer/uren"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		e := hoursMatrixEntry(t, fx, actor)
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/uren/boeking/%d/verwijderen", e.ID), id: e.ID,
			effect: func(t *testing.T, _ *http.Client) bool {
				_, err := fx.env.App.Store.TimeEntryGet(context.Background(), e.ID)
				return err != nil
			},
		}
	}),
	"GET /beheer/uren/aanbieder/{id}": hoursStaffRoute(okPage(200, `[data-testid="hours-statement"]`), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/uren/aanbieder/%d?maand=2026-11", fx.env.Supplier.ID)}
	}),
	"GET /beheer/uren/aanbieder/{id}/overzicht.csv": hoursStaffRoute(okStatus(200), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/uren/aanbieder/%d/overzicht.csv?maand=2026-11&formaat=excel", fx.env.Supplier.ID)}
	}),
	"POST /beheer/uren/aanbieder/{id}/tegoed": adminOnlyRoute(okRedirect("/beheer/uren/aanbieder/{id}"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		id := fx.env.OtherSupplier.ID
		hours := 10 + fx.n.Add(1)
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/uren/aanbieder/%d/tegoed", id), id: id,
			form: url.Values{"minutes": {fmt.Sprint(hours)}, "reason": {"matrix"}},
			effect: func(t *testing.T, _ *http.Client) bool {
				a, err := fx.env.App.Store.SupportAllowanceGet(context.Background(), id)
				return err == nil && a.Minutes == int(hours)*60
			},
		}
	}),
	"POST /beheer/uren/maand-afsluiten": adminOnlyRoute(okRedirect("/beheer/uren"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		month := time.Date(1950, time.Month(1+fx.n.Add(1)), 1, 0, 0, 0, 0, time.UTC)
		return routeCall{
			method: http.MethodPost, path: "/beheer/uren/maand-afsluiten", form: url.Values{"maand": {month.Format("2006-01")}},
			effect: func(t *testing.T, _ *http.Client) bool {
				closed, err := fx.env.App.Store.ClosedMonthIs(context.Background(), month)
				if err != nil {
					t.Fatal(err)
				}
				return closed
			},
		}
	}),
	"GET /ondersteuning/uren":               hoursSupplierRoute(okPage(200, `[data-testid="hours-account"]`), getReq("/ondersteuning/uren")),
	"GET /ondersteuning/uren/overzicht.csv": hoursSupplierRoute(okStatus(200), getReq("/ondersteuning/uren/overzicht.csv?maand=2026-11&formaat=rfc4180")),
}

// hoursStaffRoute is a row for a route admins and support staff may use.
func hoursStaffRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: mustLogin, admin: o, curator: mustDeny, support: o, supplier: mustDeny, request: request}
}

// hoursSupplierRoute is a row for a route only supplier users may use.
func hoursSupplierRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny, supplier: o, request: request}
}

func hoursYesterday() time.Time {
	y, m, d := time.Now().AddDate(0, 0, -1).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// hoursMatrixEntry is a fresh entry owned by actor (by the admin for
// callers that are not staff).
func hoursMatrixEntry(t *testing.T, fx *matrixFixture, actor *account.User) store.TimeEntry {
	t.Helper()
	staff := fx.env.Users[account.RoleAdmin].ID
	if actor != nil && (actor.Role == account.RoleAdmin || actor.Role == account.RoleSupport) {
		staff = actor.ID
	}
	e, err := fx.env.App.Store.TimeEntryCreate(context.Background(), store.NewTimeEntry{
		SupplierID: fx.env.Supplier.ID, StaffID: staff, Date: hoursYesterday(), Minutes: 30,
		Category: "other", Description: fmt.Sprintf("matrix-entry-%d", fx.n.Add(1)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func hoursHasEntry(t *testing.T, fx *matrixFixture, desc string) bool {
	t.Helper()
	es, err := fx.env.App.Store.TimeEntryListForSupplier(context.Background(), fx.env.Supplier.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Description == desc {
			return true
		}
	}
	return false
}
