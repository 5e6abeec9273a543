package portal_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/catalogseed"
	"github.com/wujw/ohis/internal/publiccatalog"
)

// catalogueRouteMatrix is the route × role matrix of the residents'
// catalogue: every route is public and answers everyone alike.
var catalogueRouteMatrix = map[string]routeExpectation{
	"GET /catalogus": publicRoute(okPage(200, `[data-testid="category-tree"]`), getReq("/catalogus")),
	"GET /catalogus/zoeken": publicRoute(okPage(200, `[data-testid="product-card"]`), func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
		catalogueMatrixCatalogue(t, fx)
		return routeCall{method: http.MethodGet, path: "/catalogus/zoeken?q=energie"}
	}),
	"GET /catalogus/product/{ref}": publicRoute(okPage(200, `[data-testid="product-title"]`), func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
		p := catalogueMatrixCatalogue(t, fx)
		return routeCall{method: http.MethodGet, path: p}
	}),
	"GET /catalogus/{categorie}": publicRoute(okPage(200, `[data-testid="list-title"]`), getReq("/catalogus/isolatie")),
}

// catalogueMatrixSeeds seeds each matrix fixture's database once with a
// small catalogue and remembers the path of one visible product.
var catalogueMatrixSeeds sync.Map // *matrixFixture → *catalogueMatrixSeed

type catalogueMatrixSeed struct {
	once sync.Once
	path string
	err  error
}

func catalogueMatrixCatalogue(t *testing.T, fx *matrixFixture) string {
	t.Helper()
	v, _ := catalogueMatrixSeeds.LoadOrStore(fx, &catalogueMatrixSeed{})
	seed := v.(*catalogueMatrixSeed)
	seed.once.Do(func() {
		ctx := context.Background()
		st := fx.env.App.Store
		if _, seed.err = catalogseed.Seed(ctx, st, catalogseed.Options{Suppliers: 1, ProductsPerSupplier: 40, Seed: 3, Curation: catalogseed.Mix{Approved: 100}}); seed.err != nil {
			return
		}
		ids, err := st.VisibleProductIDs(ctx)
		if err != nil || len(ids) == 0 {
			seed.err = err
			return
		}
		p, err := st.PublicCatalogProduct(ctx, ids[0])
		seed.path, seed.err = publiccatalog.ProductPath(p.ID, p.Name), err
	})
	if seed.err != nil || seed.path == "" {
		t.Fatalf("seeding the matrix catalogue: %v (path %q)", seed.err, seed.path)
	}
	return seed.path
}
