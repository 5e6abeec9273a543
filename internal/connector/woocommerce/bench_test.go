package woocommerce

import (
	"context"
	"testing"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/demoshop"
)

type countSink struct{ products, variants int }

func (s *countSink) Products(_ context.Context, _ connector.Page, items []connector.ProductItem) error {
	s.products += len(items)
	return nil
}

func (s *countSink) Variants(_ context.Context, _ connector.Page, items []connector.VariantItem) error {
	s.variants += len(items)
	return nil
}

// BenchmarkListCatalog lists a 2,000-product demo catalogue (400 variable
// products with 5 variations each) over loopback. Memory per listing grows
// with the catalogue only through garbage: at most Concurrency pages are
// decoded at a time.
func BenchmarkListCatalog(b *testing.B) {
	_, c := startDemo(b, demoshop.Options{Products: 2000}, connector.Options{})
	b.ReportAllocs()
	for b.Loop() {
		s := &countSink{}
		if err := c.ListCatalog(context.Background(), nil, s); err != nil {
			b.Fatal(err)
		}
		if s.products != 2000 {
			b.Fatalf("%d products", s.products)
		}
	}
}

func BenchmarkMapProduct(b *testing.B) {
	raw := fixture(b, "product-variable.json")
	b.ReportAllocs()
	for b.Loop() {
		if m := mapProduct(raw); m.item.Err != nil {
			b.Fatal(m.item.Err)
		}
	}
}
