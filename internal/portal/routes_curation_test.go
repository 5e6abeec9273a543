package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/curation"
	ct "github.com/wujw/ohis/internal/curation/curationtest"
	"github.com/wujw/ohis/internal/store"
)

// curationRouteMatrix is the route × role matrix of this area; TestRouteRoleMatrix merges it with the others.
var curationRouteMatrix = map[string]routeExpectation{
	"GET /beheer/curatie": curatorRoute(okPage(200, `[data-testid="queue-table"]`), getReq("/beheer/curatie?status=alle&q=isolatie")),
	"GET /beheer/curatie/{id}": curatorRoute(okPage(200, `[data-testid="decision"]`), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		id := curationMatrixProduct(t, fx)
		return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/curatie/%d", id), id: id}
	}),
	"POST /beheer/curatie/{id}/goedkeuren": curatorRoute(okRedirect("/beheer/curatie"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		id := curationMatrixProduct(t, fx)
		return routeCall{method: http.MethodPost, path: fmt.Sprintf("/beheer/curatie/%d/goedkeuren", id), id: id,
			form: url.Values{"versie": {"1"}, "terug": {"/beheer/curatie"}},
			effect: func(t *testing.T, _ *http.Client) bool {
				return curationMatrixStatus(t, fx, id) == store.CurationApproved
			}}
	}),
	"POST /beheer/curatie/{id}/afwijzen": curatorRoute(okRedirect("/beheer/curatie"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		id := curationMatrixProduct(t, fx)
		return routeCall{method: http.MethodPost, path: fmt.Sprintf("/beheer/curatie/%d/afwijzen", id), id: id,
			form: url.Values{"versie": {"1"}, "reden": {strconv.FormatInt(curationMatrixReason(t, fx), 10)}, "toelichting": {"matrix"}},
			effect: func(t *testing.T, _ *http.Client) bool {
				return curationMatrixStatus(t, fx, id) == store.CurationRejected
			}}
	}),
	"POST /beheer/curatie/bulk": curatorRoute(okRedirect("/beheer/curatie"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		a, b := curationMatrixProduct(t, fx), curationMatrixProduct(t, fx)
		return routeCall{method: http.MethodPost, path: "/beheer/curatie/bulk",
			form: url.Values{"kies": {fmt.Sprintf("%d:1", a), fmt.Sprintf("%d:1", b)}, "actie": {"goedkeuren"}, "selectie": {"gekozen"}},
			effect: func(t *testing.T, _ *http.Client) bool {
				return curationMatrixStatus(t, fx, a) == store.CurationApproved && curationMatrixStatus(t, fx, b) == store.CurationApproved
			}}
	}),
	"GET /beheer/curatie/bulk/{id}": curatorRoute(okPage(200, `[data-testid="bulk-progress"]`), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		id := curationMatrixProduct(t, fx)
		res, err := fx.env.App.Curation.StartBulk(context.Background(), audit.Actor{Email: "test"}, curation.BulkRequest{
			Action: curation.BulkApprove, Picks: []curation.Pick{{ProductID: id, Version: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/curatie/bulk/%d", res.Bulk.ID), id: res.Bulk.ID}
	}),
	"GET /beheer/curatie/instellingen": curatorRoute(okPage(200, `[data-testid="settings-form"]`), getReq("/beheer/curatie/instellingen")),
	"POST /beheer/curatie/instellingen": curatorRoute(okRedirect("/beheer/curatie/instellingen"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		pct := strconv.FormatInt(100+fx.n.Add(1), 10)
		return routeCall{method: http.MethodPost, path: "/beheer/curatie/instellingen", form: url.Values{"percentage": {pct}, "zichtbaar": {"ja"}},
			effect: func(t *testing.T, _ *http.Client) bool {
				var n int
				if err := fx.env.App.Pool.QueryRow(context.Background(),
					`SELECT count(*) FROM audit_log WHERE action = 'curation.settings_changed' AND detail ->> 'price_increase_percent' = $1`, pct).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n == 1
			}}
	}),
	"POST /beheer/curatie/redenen": curatorRoute(okRedirect("/beheer/curatie/instellingen"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		label := fx.unique("Matrixreden")
		return routeCall{method: http.MethodPost, path: "/beheer/curatie/redenen", form: url.Values{"omschrijving": {label}},
			effect: func(t *testing.T, _ *http.Client) bool {
				_, err := fx.env.App.Store.RejectionReasonByLabel(context.Background(), label)
				return err == nil
			}}
	}),
	"POST /beheer/curatie/redenen/{id}/actief": curatorRoute(okRedirect("/beheer/curatie/instellingen"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		rs, err := fx.env.App.Store.RejectionReasonAdd(context.Background(), fx.unique("Uit te zetten"))
		if err != nil {
			t.Fatal(err)
		}
		return routeCall{method: http.MethodPost, path: fmt.Sprintf("/beheer/curatie/redenen/%d/actief", rs.ID), id: rs.ID, form: url.Values{"actief": {"nee"}},
			effect: func(t *testing.T, _ *http.Client) bool {
				got, err := fx.env.App.Store.RejectionReasonGet(context.Background(), rs.ID)
				return err == nil && !got.Active
			}}
	}),
	"GET /beheer/categorieen": curatorRoute(okPage(200, `[data-testid="category-tree"]`), getReq("/beheer/categorieen")),
	"POST /beheer/categorieen": curatorRoute(okRedirect("/beheer/categorieen"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		name := fx.unique("Matrixcategorie")
		return routeCall{method: http.MethodPost, path: "/beheer/categorieen", form: url.Values{"naam": {name}},
			effect: func(t *testing.T, _ *http.Client) bool { return curationMatrixCategoryNamed(t, fx, name) }}
	}),
	"POST /beheer/categorieen/{id}": curatorRoute(okRedirect("/beheer/categorieen"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		c := curationMatrixCategory(t, fx)
		name := fx.unique("Hernoemd")
		return routeCall{method: http.MethodPost, path: fmt.Sprintf("/beheer/categorieen/%d", c.ID), id: c.ID,
			form:   url.Values{"naam": {name}, "slug": {c.Slug}, "volgorde": {"5"}},
			effect: func(t *testing.T, _ *http.Client) bool { return curationMatrixCategoryNamed(t, fx, name) }}
	}),
	"POST /beheer/categorieen/{id}/verwijderen": curatorRoute(okRedirect("/beheer/categorieen"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		c := curationMatrixCategory(t, fx)
		return routeCall{method: http.MethodPost, path: fmt.Sprintf("/beheer/categorieen/%d/verwijderen", c.ID), id: c.ID,
			effect: func(t *testing.T, _ *http.Client) bool { return !curationMatrixCategoryNamed(t, fx, c.Name) }}
	}),
	"GET /beheer/categorieen/koppelen": curatorRoute(okPage(200, `[data-testid="supplier-mapping"]`), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		return routeCall{method: http.MethodGet, path: fmt.Sprintf("/beheer/categorieen/koppelen?aanbieder=%d", fx.env.Supplier.ID)}
	}),
	"POST /beheer/categorieen/koppelingen": curatorRoute(okRedirect("/beheer/categorieen"), func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
		conn := curationMatrixConnection(t, fx)
		cat := ct.Category(t, fx.env.App.Pool, conn, fx.unique("ext"), "Matrix")
		target := curationMatrixCategory(t, fx)
		return routeCall{method: http.MethodPost, path: "/beheer/categorieen/koppelingen",
			form: url.Values{"categorie": {strconv.FormatInt(cat, 10)}, "platformcategorie": {strconv.FormatInt(target.ID, 10)}},
			effect: func(t *testing.T, _ *http.Client) bool {
				ms, err := fx.env.App.Store.CategoryMappings(context.Background(), curationMatrixSupplierOf(t, fx, conn))
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range ms {
					if m.ID == cat && m.PlatformCategoryID != nil && *m.PlatformCategoryID == target.ID {
						return true
					}
				}
				return false
			}}
	}),
}

// curatorRoute is a row for a route curators and admins may use.
func curatorRoute(o routeOutcome, request func(*testing.T, *matrixFixture, *account.User) routeCall) routeExpectation {
	return routeExpectation{anonymous: mustLogin, admin: o, curator: o, support: mustDeny, supplier: mustDeny, request: request}
}

// curationMatrixConnection is a production connection of a new supplier
// (one connection per supplier and environment).
func curationMatrixConnection(t *testing.T, fx *matrixFixture) int64 {
	t.Helper()
	sup, err := fx.env.App.Store.SupplierCreate(context.Background(), fx.unique("Curatie-aanbieder"))
	if err != nil {
		t.Fatal(err)
	}
	return ct.Connection(t, fx.env.App.Pool, sup.ID, "production")
}

func curationMatrixSupplierOf(t *testing.T, fx *matrixFixture, conn int64) int64 {
	t.Helper()
	var id int64
	if err := fx.env.App.Pool.QueryRow(context.Background(), `SELECT supplier_id FROM connections WHERE id = $1`, conn).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// curationMatrixProduct is a fresh pending product (curation version 1).
func curationMatrixProduct(t *testing.T, fx *matrixFixture) int64 {
	t.Helper()
	return ct.AddProduct(t, fx.env.App.Pool, curationMatrixConnection(t, fx), ct.Product{Name: "Isolatie matrix " + fx.unique("p")})
}

func curationMatrixStatus(t *testing.T, fx *matrixFixture, id int64) string {
	t.Helper()
	c, err := fx.env.App.Store.ProductCurationGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Status
}

func curationMatrixReason(t *testing.T, fx *matrixFixture) int64 {
	t.Helper()
	rs, err := fx.env.App.Store.RejectionReasons(context.Background())
	if err != nil || len(rs) == 0 {
		t.Fatalf("no rejection reasons: %v", err)
	}
	return rs[0].ID
}

func curationMatrixCategory(t *testing.T, fx *matrixFixture) store.PlatformCategory {
	t.Helper()
	name := fx.unique("Matrixthema")
	c, err := fx.env.App.Store.PlatformCategoryCreate(context.Background(), nil, name, curation.Slugify(name), 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func curationMatrixCategoryNamed(t *testing.T, fx *matrixFixture, name string) bool {
	t.Helper()
	cs, err := fx.env.App.Store.PlatformCategories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Name == name {
			return true
		}
	}
	return false
}
