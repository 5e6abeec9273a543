package woocommerce

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/connector"
)

func TestListIDs(t *testing.T) {
	for _, storeWide := range []bool{true, false} {
		f := newFakeShop(t)
		f.storeWide = storeWide
		f.addSimple(1, 150)
		f.addVariable(300, 1000, 3)
		f.addVariable(301, 2000, 120)
		srv := serve(t, f)
		c := testConn(t, woo, srv.URL, connector.Options{})
		ids := &recIDs{t: t}
		if err := c.ListIDs(context.Background(), ids); err != nil {
			t.Fatalf("storeWide=%v: %v", storeWide, err)
		}
		if len(ids.products) != 152 || len(ids.variants) != 123 {
			t.Fatalf("storeWide=%v: %d products, %d variants", storeWide, len(ids.products), len(ids.variants))
		}
		if ids.products[150] != "300" || ids.variants[0] != (connector.VariantRef{ParentExternalID: "300", ExternalID: "1000"}) ||
			ids.variants[122] != (connector.VariantRef{ParentExternalID: "301", ExternalID: "2119"}) {
			t.Fatalf("storeWide=%v: %v %v %v", storeWide, ids.products[150], ids.variants[0], ids.variants[122])
		}
		first := queryOf(t, f.log()[0])
		if first.Get("_fields") != "id,type" || first.Get("status") != "any" || first.Get("per_page") != "100" {
			t.Fatalf("query %v", first)
		}
		if storeWide && f.count("GET /variations?") < 2 { // pages + the final total check
			t.Fatalf("store-wide not used: %v", f.log())
		}
		if !storeWide && f.count("GET /products/301/variations?") != 2 {
			t.Fatalf("per product: %v", f.log())
		}
	}
}

// A product deleted while the ids are paged shifts the list: the listing
// must not claim to be complete.
func TestListIDsShiftedListIsIncomplete(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 250)
	deleted := false
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/wp-json/wc/v3/products" && r.URL.Query().Get("page") == "2" && !deleted {
			deleted = true
			f.products = f.products[1:] // product 1 (already read) is deleted
		}
		return false
	}
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{Concurrency: 1})
	ce := asConnErr(t, c.ListIDs(context.Background(), &recIDs{t: t}))
	if ce.Code != connector.CodeBadResponse || !strings.Contains(ce.Message, "er is niets verwijderd") {
		t.Fatalf("%+v", ce)
	}
}

func TestListIDsMalformedID(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 3)
	f.products = append(f.products, []byte(`{"id": "vier"}`))
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{})
	ce := asConnErr(t, c.ListIDs(context.Background(), &recIDs{t: t}))
	if ce.Code != connector.CodeBadResponse || !strings.Contains(ce.Detail, `"vier"`) {
		t.Fatalf("%+v", ce)
	}
}

func TestListIDsPageFailure(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 300)
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Query().Get("page") == "3" {
			w.WriteHeader(503)
			return true
		}
		return false
	}
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{MaxRetries: 1})
	ids := &recIDs{t: t}
	if err := c.ListIDs(context.Background(), ids); err == nil {
		t.Fatal("incomplete id listing returned nil")
	}
}

func TestTaxonomies(t *testing.T) {
	for _, brands := range []bool{true, false} {
		f := newFakeShop(t)
		f.brands = brands
		srv := serve(t, f)
		c := testConn(t, woo, srv.URL, connector.Options{})
		tx, err := c.Taxonomies(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(tx.Categories) != 2 || tx.Categories[1].Name != "Tochtwering & kieren" || tx.Categories[1].ParentExternalID != "16" || tx.Categories[0].ParentExternalID != "" {
			t.Fatalf("categories %+v", tx.Categories)
		}
		if tx.BrandsSupported != brands || (brands && (len(tx.Brands) != 1 || tx.Brands[0].Name != "Philips")) || (!brands && tx.Brands != nil) {
			t.Fatalf("brands=%v: %+v %v", brands, tx.Brands, tx.BrandsSupported)
		}
		if len(tx.Attributes) != 2 || tx.Attributes[0].Slug != "pa_kleur" || len(tx.Attributes[1].Terms) != 2 || tx.Attributes[1].Terms[0].Name != "Wit 2" {
			t.Fatalf("attributes %+v", tx.Attributes)
		}
		if f.count("GET /products/attributes?") != 1 {
			t.Fatalf("unpaged attributes asked %d times", f.count("GET /products/attributes?"))
		}
	}
}
