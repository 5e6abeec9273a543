package portal_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/store"
)

// bookingRouteMatrix is the route × role matrix of integration-test slots, bookings and outcomes; TestRouteRoleMatrix merges
// it with the others.
var bookingRouteMatrix = map[string]routeExpectation{
	// The matrix's supplier organisation has no admission: it sees why it
	// cannot book, and every action is refused in Dutch.
	"GET /koppeling/integratietest": bkSupplierRoute(okPage(200, `[data-testid="booking-notice"]`), getReq("/koppeling/integratietest")),
	"POST /koppeling/integratietest": bkSupplierRoute(okPage(422, `[data-testid="booking-error"]`),
		postReq("/koppeling/integratietest", url.Values{"slot_id": {"999999"}})),
	"POST /koppeling/integratietest/verplaatsen": bkSupplierRoute(okPage(422, `[data-testid="booking-error"]`),
		postReq("/koppeling/integratietest/verplaatsen", url.Values{"slot_id": {"999999"}})),
	"POST /koppeling/integratietest/annuleren": bkSupplierRoute(okPage(422, `[data-testid="booking-error"]`),
		postReq("/koppeling/integratietest/annuleren", url.Values{})),
	// Nothing booked, so no invitation.
	"GET /koppeling/integratietest/uitnodiging.ics": bkSupplierRoute(okStatus(404), getReq("/koppeling/integratietest/uitnodiging.ics")),

	"GET /beheer/testmomenten": bkStaffRoute(okPage(200, `[data-testid="slots-table"]`), getReq("/beheer/testmomenten")),
	"POST /beheer/testmomenten": bkStaffRoute(okRedirect("/beheer/testmomenten"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		start := bkSlotStart()
		staffID := fx.env.Users[account.RoleSupport].ID
		return routeCall{
			method: http.MethodPost, path: "/beheer/testmomenten",
			form: url.Values{"date": {start.Format("2006-01-02")}, "time": {start.Format("15:04")}, "duration": {"45"}, "staff_id": {fmt.Sprint(staffID)}},
			effect: func(t *testing.T, _ *http.Client) bool {
				slots, err := fx.env.App.Store.TestSlotList(context.Background(), start)
				if err != nil {
					t.Fatal(err)
				}
				return len(slots) > 0 && slots[0].StartsAt.Equal(start) && slots[0].StaffID == staffID
			},
		}
	}),
	"POST /beheer/testmomenten/{id}/intrekken": bkStaffRoute(okRedirect("/beheer/testmomenten"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		slot := bkMatrixSlot(t, fx)
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/testmomenten/%d/intrekken", slot.ID), id: slot.ID,
			effect: func(t *testing.T, _ *http.Client) bool {
				got, err := fx.env.App.Store.TestSlotGet(context.Background(), slot.ID)
				if err != nil {
					t.Fatal(err)
				}
				return got.WithdrawnAt != nil
			},
		}
	}),
	"GET /beheer/integratietests/{id}": bkStaffRoute(okPage(200, `[data-testid="results-form"]`), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		b := bkMatrixBooking(t, fx)
		return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/integratietests/%d", b.ID), id: b.ID}
	}),
	"POST /beheer/integratietests/{id}/resultaten": bkStaffRoute(okRedirect("/beheer/integratietests/{id}"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		b := bkMatrixBooking(t, fx)
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/integratietests/%d/resultaten", b.ID), id: b.ID,
			form: url.Values{"r_card_full_1": {"passed"}, "n_card_full_1": {"pas 1"}},
			effect: func(t *testing.T, _ *http.Client) bool {
				results, err := fx.env.App.Store.TestCaseResultList(context.Background(), b.ID)
				if err != nil {
					t.Fatal(err)
				}
				return len(results) == 1 && results[0].Passed && results[0].Note == "pas 1"
			},
		}
	}),
	"POST /beheer/integratietests/{id}/besluit": adminOnlyRoute(okRedirect("/beheer/integratietests/{id}"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		b := bkMatrixBooking(t, fx)
		return routeCall{
			method: http.MethodPost, path: fmt.Sprintf("/beheer/integratietests/%d/besluit", b.ID), id: b.ID,
			form: url.Values{"outcome": {"failed"}, "findings": {"De retour komt niet door."}},
			effect: func(t *testing.T, _ *http.Client) bool {
				got, err := fx.env.App.Store.TestBookingGet(context.Background(), b.ID)
				if err != nil {
					t.Fatal(err)
				}
				return got.Outcome == "failed"
			},
		}
	}),
}

// bkSupplierRoute is a row for a route only supplier users may use.
func bkSupplierRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny, supplier: o, request: request}
}

// bkStaffRoute is a row for a route admins and support staff may use.
func bkStaffRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: mustLogin, admin: o, curator: mustDeny, support: o, supplier: mustDeny, request: request}
}

// bkSlotStart is a fresh start time in office hours at least ten days
// ahead, two hours from every other one, so no two slots of a staff member
// overlap and none falls in a summer-time change.
func bkSlotStart() time.Time {
	n := int(bkSeq.Add(1))
	day := time.Now().In(bkAmsterdam).AddDate(0, 0, 10+n/5)
	return time.Date(day.Year(), day.Month(), day.Day(), 8+2*(n%5), 0, 0, 0, bkAmsterdam)
}

// bkMatrixSlot publishes a free slot run by the support user.
func bkMatrixSlot(t *testing.T, fx *matrixFixture) store.TestSlot {
	t.Helper()
	slot, err := fx.env.App.Store.TestSlotCreate(context.Background(), bkSlotStart(), 60, fx.env.Users[account.RoleSupport].ID)
	if err != nil {
		t.Fatal(err)
	}
	return slot
}

// bkMatrixBooking is a fresh supplier's booking of a fresh slot.
func bkMatrixBooking(t *testing.T, fx *matrixFixture) store.TestBooking {
	t.Helper()
	s := bkReadySupplier(t, fx.env)
	b, err := fx.env.App.Supplier.Book(context.Background(), s.actor, s.supplierID, bkMatrixSlot(t, fx).ID)
	if err != nil {
		t.Fatal(errors.Join(errors.New("booking for the matrix"), err))
	}
	return b
}
