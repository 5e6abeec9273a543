package woocommerce

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/demoshop"
)

// startDemo runs a demo shop and a connector for it.
func startDemo(t testing.TB, opts demoshop.Options, copts connector.Options) (*demoshop.Shop, *conn) {
	t.Helper()
	shop := demoshop.New(opts)
	srv := httptest.NewServer(shop.Handler())
	t.Cleanup(func() {
		srv.Close()
		shop.Close()
	})
	copts.Credentials = connector.Credentials{Key: shop.ConsumerKey(), Secret: shop.ConsumerSecret()}
	return shop, testConn(t, woo, srv.URL, copts)
}

func TestDemoshopFullListing(t *testing.T) {
	for _, storeWide := range []bool{true, false} {
		t.Run("storeWide="+strconv.FormatBool(storeWide), func(t *testing.T) {
			shop, c := startDemo(t, demoshop.Options{Products: 300, Brands: true, NoVariationsEndpoint: !storeWide, Seed: 7}, connector.Options{})
			st := shop.Stats()
			if st.Variable == 0 || st.Variations == 0 || st.Grouped+st.External == 0 {
				t.Fatalf("demo catalogue lacks variety: %+v", st)
			}
			sink := &recSink{t: t}
			if err := c.ListCatalog(context.Background(), nil, sink); err != nil {
				t.Fatal(err)
			}
			if len(sink.products) != st.Simple+st.Variable+st.Grouped+st.External {
				t.Fatalf("%d products listed, shop has %+v", len(sink.products), st)
			}
			variable := map[string]bool{}
			skipped, simple := 0, 0
			for _, p := range sink.products {
				switch {
				case p.Err != nil:
					t.Fatalf("item error %+v", p.Err)
				case p.Skipped != "":
					skipped++
				case p.Product.Type == "variable":
					variable[p.Product.ExternalID] = true
				default:
					simple++
					if p.Product.Price.RegularCents == nil || len(p.Product.BrandIDs) == 0 || len(p.Product.CategoryIDs) == 0 || p.Product.ModifiedAt.IsZero() {
						t.Fatalf("simple product incomplete: %+v", p.Product)
					}
				}
			}
			if skipped != st.Grouped+st.External || simple != st.Simple || len(variable) != st.Variable {
				t.Fatalf("skipped %d simple %d variable %d; shop %+v", skipped, simple, len(variable), st)
			}
			if len(sink.variants) != st.Variations {
				t.Fatalf("%d variants, shop has %d", len(sink.variants), st.Variations)
			}
			seen := map[string]bool{}
			for _, v := range sink.variants {
				if v.Err != nil {
					t.Fatalf("variant error %+v", v.Err)
				}
				if !variable[v.Variant.ParentExternalID] || seen[v.Variant.ExternalID] || v.Variant.Price.RegularCents == nil || len(v.Variant.Options) == 0 {
					t.Fatalf("variant %+v", v.Variant)
				}
				seen[v.Variant.ExternalID] = true
			}

			ids := &recIDs{t: t}
			if err := c.ListIDs(context.Background(), ids); err != nil {
				t.Fatal(err)
			}
			if len(ids.products) != len(shop.ProductIDs("")) || len(ids.variants) != len(shop.VariationIDs()) {
				t.Fatalf("ids: %d products, %d variants; shop %d, %d", len(ids.products), len(ids.variants), len(shop.ProductIDs("")), len(shop.VariationIDs()))
			}
		})
	}
}

func TestDemoshopIncremental(t *testing.T) {
	shop, c := startDemo(t, demoshop.Options{Products: 120, Brands: true}, connector.Options{})
	since := time.Now().UTC().Add(-time.Second)
	if err := shop.SetPrice(3, 1999, nil); err != nil {
		t.Fatal(err)
	}
	vid := shop.VariationIDs()[0]
	if err := shop.SetPrice(vid, 4250, nil); err != nil {
		t.Fatal(err)
	}
	sink := &recSink{t: t}
	if err := c.ListCatalog(context.Background(), &since, sink); err != nil {
		t.Fatal(err)
	}
	var found3, foundV bool
	for _, p := range sink.products {
		if p.Product.ExternalID == "3" {
			found3 = *p.Product.Price.RegularCents == 1999
		}
	}
	for _, v := range sink.variants {
		if v.Variant.ExternalID == strconv.FormatInt(vid, 10) {
			foundV = *v.Variant.Price.RegularCents == 4250
		}
	}
	if !found3 || !foundV || len(sink.products) > 5 {
		t.Fatalf("incremental: product 3 %v, variation %v, %d products", found3, foundV, len(sink.products))
	}
}

func TestDemoshopBrandsAndTaxonomies(t *testing.T) {
	for _, brands := range []bool{true, false} {
		_, c := startDemo(t, demoshop.Options{Products: 20, Brands: brands}, connector.Options{})
		tx, err := c.Taxonomies(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if tx.BrandsSupported != brands || (len(tx.Brands) > 0) != brands {
			t.Fatalf("brands=%v: %v, %d brands", brands, tx.BrandsSupported, len(tx.Brands))
		}
		if len(tx.Categories) == 0 || len(tx.Attributes) == 0 || len(tx.Attributes[0].Terms) == 0 {
			t.Fatalf("taxonomies %+v", tx)
		}
		rep := c.Check(context.Background())
		if rep.Err != nil || rep.Info.BrandsSupported != brands || rep.Info.Version == "" {
			t.Fatalf("check: %+v %+v", rep.Err, rep.Info)
		}
		sink := &recSink{t: t}
		if err := c.ListCatalog(context.Background(), nil, sink); err != nil {
			t.Fatal(err)
		}
		withBrand := 0
		for _, p := range sink.products {
			if len(p.Product.BrandIDs) > 0 {
				withBrand++
			}
		}
		if (withBrand > 0) != brands {
			t.Fatalf("brands=%v: %d products with a brand", brands, withBrand)
		}
	}
}

func TestDemoshopRateLimit(t *testing.T) {
	sl := &sleeps{}
	shop, c := startDemo(t, demoshop.Options{Products: 250}, connector.Options{Sleep: sl.sleep, Concurrency: 1})
	shop.SetFaults(demoshop.Faults{RateLimitEvery: 3, RetryAfterSeconds: 11})
	sink := &recSink{t: t}
	if err := c.ListCatalog(context.Background(), nil, sink); err != nil {
		t.Fatal(err)
	}
	if len(sink.products) != 250 {
		t.Fatalf("%d products", len(sink.products))
	}
	waits := sl.all()
	if len(waits) == 0 {
		t.Fatal("no 429 honoured")
	}
	for _, d := range waits {
		if d != 11*time.Second {
			t.Fatalf("waited %v, Retry-After was 11 s", d)
		}
	}
}

func TestDemoshopServerErrorOnPage2(t *testing.T) {
	sl := &sleeps{}
	shop, c := startDemo(t, demoshop.Options{Products: 350}, connector.Options{Sleep: sl.sleep})
	shop.SetFaults(demoshop.Faults{FailPage: map[string]int{"products": 2}})
	sink := &recSink{t: t}
	ce := asConnErr(t, c.ListCatalog(context.Background(), nil, sink))
	if ce.Code != connector.CodeServer || ce.Status != 500 {
		t.Fatalf("%+v", ce)
	}
	if len(sink.pages) != 1 || sink.pages[0].Number != 1 || len(sink.variants) != 0 {
		t.Fatalf("sink got %d pages, %d variants", len(sink.pages), len(sink.variants))
	}
	if len(sl.all()) != DefaultMaxRetries {
		t.Fatalf("retries %v", sl.all())
	}
	// Nothing claims completeness: the id listing fails too.
	shop.SetFaults(demoshop.Faults{FailPage: map[string]int{"products": 3}})
	if err := c.ListIDs(context.Background(), &recIDs{t: t}); err == nil {
		t.Fatal("ListIDs returned nil with page 3 failing")
	}
}

func TestDemoshopUnauthorized(t *testing.T) {
	shop, c := startDemo(t, demoshop.Options{Products: 10}, connector.Options{})
	shop.SetFaults(demoshop.Faults{Unauthorized: true})
	ce := asConnErr(t, c.ListCatalog(context.Background(), nil, &recSink{t: t}))
	if ce.Code != connector.CodeAuth {
		t.Fatalf("%+v", ce)
	}
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeAuth || rep.Steps[len(rep.Steps)-1].Name != StepKey {
		t.Fatalf("%+v", rep)
	}
}

func TestDemoshopMalformedItems(t *testing.T) {
	shop, c := startDemo(t, demoshop.Options{Products: 60, Seed: 3}, connector.Options{})
	simple := shop.ProductIDs("simple")
	vars := shop.VariationIDs()
	faults := map[int64]string{
		simple[0]: "price_type", simple[1]: "negative_stock", simple[2]: "missing_price",
		simple[3]: "absurd_price", simple[4]: "no_name", simple[5]: "bad_json",
		vars[0]: "price_type", vars[1]: "missing_price",
	}
	want := map[string]string{
		strconv.FormatInt(simple[0], 10): connector.ItemMalformed,
		strconv.FormatInt(simple[1], 10): connector.ItemBadStock,
		strconv.FormatInt(simple[2], 10): connector.ItemNoPrice,
		strconv.FormatInt(simple[3], 10): connector.ItemBadPrice,
		strconv.FormatInt(simple[4], 10): connector.ItemNoName,
		strconv.FormatInt(vars[0], 10):   connector.ItemMalformed,
		strconv.FormatInt(vars[1], 10):   connector.ItemNoPrice,
	}
	shop.SetFaults(demoshop.Faults{Malformed: faults})
	sink := &recSink{t: t}
	if err := c.ListCatalog(context.Background(), nil, sink); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	anonymous := 0
	ok := 0
	for _, p := range sink.products {
		switch {
		case p.Err != nil && p.Err.ExternalID == "":
			anonymous++ // bad_json: a JSON string instead of an object
		case p.Err != nil:
			got[p.Err.ExternalID] = p.Err.Code
			if !strings.Contains(p.Err.Message, "(id "+p.Err.ExternalID+")") && !strings.Contains(p.Err.Message, "id "+p.Err.ExternalID) {
				t.Errorf("message does not name the product: %q", p.Err.Message)
			}
		case p.Skipped == "":
			ok++
		}
	}
	for _, v := range sink.variants {
		if v.Err != nil {
			got[v.Err.ExternalID] = v.Err.Code
		}
	}
	for id, code := range want {
		if got[id] != code {
			t.Errorf("item %s: %q, want %q", id, got[id], code)
		}
	}
	if anonymous != 1 || len(got) != len(want) {
		t.Fatalf("errors %v, %d anonymous", got, anonymous)
	}
	st := shop.Stats()
	if ok != st.Simple+st.Variable-6 || len(sink.products) != st.Simple+st.Variable+st.Grouped+st.External {
		t.Fatalf("%d good products of %+v", ok, st)
	}
}

func TestDemoshopCheckAndWebhooks(t *testing.T) {
	p := NewPlatform(PlatformOptions{AllowInsecure: true})
	secret := []byte("per-verbinding-geheim")
	var mu sync.Mutex
	var events []connector.Event
	var pings, forged int
	receiver := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		err := p.VerifyWebhook(r.Header, body, secret)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case errors.Is(err, connector.ErrPing):
			pings++
		case err != nil:
			forged++
			w.WriteHeader(401)
			return
		default:
			ev, err := p.ParseWebhook(r.Header, body)
			if err != nil {
				t.Errorf("parse: %v", err)
			}
			events = append(events, ev)
		}
	}))
	shop, c := startDemo(t, demoshop.Options{Products: 30}, connector.Options{})
	ctx := context.Background()
	if rep := c.Check(ctx); rep.Err != nil || rep.Info.Version != "WooCommerce 9.6.1" || !rep.Info.VariationsListing {
		t.Fatalf("check %+v %+v", rep.Err, rep.Info)
	}
	var ids []string
	for _, topic := range connector.ProductTopics {
		wh, err := c.RegisterWebhook(ctx, topic, receiver.URL+"/hook", secret)
		if err != nil {
			t.Fatal(err)
		}
		if !wh.Active() || wh.Topic != topic {
			t.Fatalf("%+v", wh)
		}
		ids = append(ids, wh.ID)
	}
	list, err := c.Webhooks(ctx)
	if err != nil || len(list) != 4 {
		t.Fatalf("%v %+v", err, list)
	}

	vid := shop.VariationIDs()[0]
	simple := shop.ProductIDs("simple")[0]
	if err := shop.SetPrice(simple, 1234, nil); err != nil {
		t.Fatal(err)
	}
	if err := shop.SetPrice(vid, 777, nil); err != nil {
		t.Fatal(err)
	}
	if err := shop.Trash(simple); err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := shop.Drain(dctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if pings != 4 || forged != 0 {
		t.Fatalf("%d pings, %d forged", pings, forged)
	}
	var product, variant, deleted bool
	for _, ev := range events {
		switch ev.Kind {
		case connector.EventProduct:
			product = product || ev.ResourceID == strconv.FormatInt(simple, 10)
		case connector.EventVariant:
			variant = variant || ev.ResourceID == strconv.FormatInt(vid, 10) && *ev.Variant.Variant.Price.RegularCents == 777 && ev.Variant.Variant.ParentExternalID != ""
		case connector.EventProductDeleted:
			deleted = deleted || ev.ResourceID == strconv.FormatInt(simple, 10)
		}
	}
	if !product || !variant || !deleted {
		t.Fatalf("events product %v variant %v deleted %v: %+v", product, variant, deleted, events)
	}
	for _, id := range ids {
		if err := c.DeleteWebhook(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if len(shop.Webhooks()) != 0 {
		t.Fatal("webhooks not deleted")
	}
}
