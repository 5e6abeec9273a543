package demoshop

import (
	"fmt"
	"net/http/httptest"
	"testing"
)

// BenchmarkFullListing pages through a 50,000-product catalogue like a full
// sync (orderby=id, 100 per page) through the handler.
func BenchmarkFullListing(b *testing.B) {
	s := New(Options{Products: 50_000, Brands: true})
	defer s.Close()
	h := s.Handler()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for page := 1; page <= 500; page++ {
			req := httptest.NewRequest("GET", fmt.Sprintf("/wp-json/wc/v3/products?per_page=100&page=%d&orderby=id&order=asc&status=any", page), nil)
			req.SetBasicAuth(DefaultConsumerKey, DefaultConsumerSecret)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Code)
			}
		}
	}
}
