package demoshop

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

type delivery struct {
	h    http.Header
	body []byte
}

type receiver struct {
	mu     sync.Mutex
	got    []delivery
	status int
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{status: 200}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, delivery{r.Header.Clone(), b})
		st := rc.status
		rc.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) setStatus(s int) { rc.mu.Lock(); rc.status = s; rc.mu.Unlock() }

func (rc *receiver) take() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.got
	rc.got = nil
	return out
}

func drain(t *testing.T, s *Shop) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

func hmacB64(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (ts *testShop) createWebhook(t *testing.T, topic, url, secret string) int64 {
	t.Helper()
	r := ts.call(t, "POST", "/wp-json/wc/v3/webhooks", fmt.Sprintf(`{"name":"OHIS %s","topic":%q,"delivery_url":%q,"secret":%q}`, topic, topic, url, secret), true)
	if r.code != 201 {
		t.Fatalf("create webhook: %d %s", r.code, r.body)
	}
	var wh struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	r.json(t, &wh)
	if wh.Status != "active" {
		t.Fatalf("new webhook status %q", wh.Status)
	}
	return wh.ID
}

func TestWebhookPingAndSignedDelivery(t *testing.T) {
	rc := newReceiver(t)
	ts := startShop(t, Options{Products: 12, Brands: true})
	upd := ts.createWebhook(t, "product.updated", rc.srv.URL+"/hooks/wc", "geheim-123")
	// Ping on creation: form body, no signature.
	got := rc.take()
	if len(got) != 1 {
		t.Fatalf("%d requests after create, want the ping", len(got))
	}
	ping := got[0]
	if string(ping.body) != fmt.Sprintf("webhook_id=%d", upd) || ping.h.Get("Content-Type") != "application/x-www-form-urlencoded" || ping.h.Get("X-WC-Webhook-Signature") != "" {
		t.Errorf("ping: %q %v", ping.body, ping.h)
	}
	del := ts.createWebhook(t, "product.deleted", rc.srv.URL+"/hooks/wc", "ander-geheim")
	rc.take()

	if err := ts.SetPrice(1, 4321, nil); err != nil {
		t.Fatal(err)
	}
	drain(t, ts.Shop)
	got = rc.take()
	if len(got) != 1 {
		t.Fatalf("%d deliveries after SetPrice", len(got))
	}
	d := got[0]
	want := map[string]string{
		"Content-Type":          "application/json",
		"User-Agent":            "WooCommerce/9.6.1 Hookshot (WordPress/6.7)",
		"X-Wc-Webhook-Source":   ts.srv.URL + "/",
		"X-Wc-Webhook-Topic":    "product.updated",
		"X-Wc-Webhook-Resource": "product",
		"X-Wc-Webhook-Event":    "updated",
		"X-Wc-Webhook-Id":       fmt.Sprint(upd),
	}
	for k, v := range want {
		if d.h.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, d.h.Get(k), v)
		}
	}
	if len(d.h.Get("X-WC-Webhook-Delivery-ID")) < 16 {
		t.Errorf("delivery id %q", d.h.Get("X-WC-Webhook-Delivery-ID"))
	}
	if sig := d.h.Get("X-WC-Webhook-Signature"); !hmac.Equal([]byte(sig), []byte(hmacB64(d.body, "geheim-123"))) {
		t.Errorf("signature %q does not verify", sig)
	}
	var p map[string]any
	if err := json.Unmarshal(d.body, &p); err != nil {
		t.Fatal(err)
	}
	if p["id"].(float64) != 1 || p["regular_price"] != "43.21" {
		t.Errorf("payload: id %v price %v", p["id"], p["regular_price"])
	}
	sameShape(t, "delivery", loadFixture(t, "product-variable.json"), any(p), map[string]any{"brands": []any{map[string]any{"id": 0.0, "name": "", "slug": ""}}})

	// A variation change: product.updated with the variation's payload.
	if err := ts.SetStock(14, true, ptr(int64(7)), ""); err != nil {
		t.Fatal(err)
	}
	drain(t, ts.Shop)
	got = rc.take()
	if len(got) != 1 {
		t.Fatalf("%d deliveries after a variation change", len(got))
	}
	if err := json.Unmarshal(got[0].body, &p); err != nil {
		t.Fatal(err)
	}
	if p["id"].(float64) != 14 || p["type"] != "variation" || p["parent_id"].(float64) != 5 || p["stock_quantity"].(float64) != 7 {
		t.Errorf("variation payload: %v %v %v %v", p["id"], p["type"], p["parent_id"], p["stock_quantity"])
	}

	// Trash → product.deleted {"id":N}; permanent delete → nothing.
	if err := ts.Trash(2); err != nil {
		t.Fatal(err)
	}
	drain(t, ts.Shop)
	got = rc.take()
	if len(got) != 1 || string(got[0].body) != `{"id":2}` || got[0].h.Get("X-WC-Webhook-Topic") != "product.deleted" || got[0].h.Get("X-WC-Webhook-ID") != fmt.Sprint(del) {
		t.Fatalf("trash deliveries: %d %q", len(got), bodies(got))
	}
	if got[0].h.Get("X-WC-Webhook-Signature") != hmacB64(got[0].body, "ander-geheim") {
		t.Error("deleted delivery signature")
	}
	before := ts.Deliveries()
	if err := ts.DeletePermanently(3); err != nil {
		t.Fatal(err)
	}
	if err := ts.DeleteVariation(15); err != nil {
		t.Fatal(err)
	}
	drain(t, ts.Shop)
	if got := rc.take(); len(got) != 0 || ts.Deliveries() != before {
		t.Errorf("permanent deletes delivered %q", bodies(got))
	}

	// Restored and created topics.
	ts.createWebhook(t, "product.restored", rc.srv.URL, "r")
	ts.createWebhook(t, "product.created", rc.srv.URL, "c")
	rc.take()
	if err := ts.Restore(2); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.AddProduct(NewProduct{Name: "Slimme stekker", RegularCents: 1995}); err != nil {
		t.Fatal(err)
	}
	drain(t, ts.Shop)
	topics := map[string]int{}
	for _, d := range rc.take() {
		topics[d.h.Get("X-WC-Webhook-Topic")]++
	}
	if topics["product.restored"] != 1 || topics["product.created"] != 1 {
		t.Errorf("topics %v", topics)
	}
}

func bodies(ds []delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.body))
	}
	return out
}

func TestWebhookDisabledAfterFailuresAndReactivated(t *testing.T) {
	rc := newReceiver(t)
	ts := startShop(t, Options{Products: 20})
	id := ts.createWebhook(t, "product.updated", rc.srv.URL, "s")
	rc.take()
	rc.setStatus(500)
	status := func() (string, int) {
		for _, w := range ts.Webhooks() {
			if w.ID == id {
				return w.Status, w.FailureCount
			}
		}
		t.Fatal("webhook gone")
		return "", 0
	}
	for i := 1; i <= 6; i++ {
		if err := ts.Rename(int64(i), fmt.Sprintf("Product %d", i)); err != nil {
			t.Fatal(err)
		}
		drain(t, ts.Shop)
		st, n := status()
		wantSt := "active"
		if i == 6 {
			wantSt = "disabled"
		}
		if st != wantSt || n != i {
			t.Fatalf("after %d failures: %s/%d, want %s/%d", i, st, n, wantSt, i)
		}
	}
	var wh map[string]any
	ts.get(t, fmt.Sprintf("/wp-json/wc/v3/webhooks/%d", id)).json(t, &wh)
	if wh["status"] != "disabled" {
		t.Errorf("REST status %v", wh["status"])
	}
	list, _ := ts.getList(t, "/wp-json/wc/v3/webhooks?status=disabled")
	if len(list) != 1 {
		t.Errorf("status=disabled lists %d", len(list))
	}
	list, _ = ts.getList(t, "/wp-json/wc/v3/webhooks?status=active")
	if len(list) != 0 {
		t.Errorf("status=active lists %d", len(list))
	}
	// Disabled: events are lost, not retried.
	n := ts.Deliveries()
	rc.setStatus(200)
	_ = ts.Rename(7, "Verloren")
	drain(t, ts.Shop)
	if ts.Deliveries() != n {
		t.Error("disabled webhook delivered")
	}
	// Re-activate.
	r := ts.call(t, "PUT", fmt.Sprintf("/wp-json/wc/v3/webhooks/%d", id), `{"status":"active"}`, true)
	if r.code != 200 {
		t.Fatalf("PUT: %d %s", r.code, r.body)
	}
	if st, n := status(); st != "active" || n != 0 {
		t.Errorf("after PUT: %s/%d", st, n)
	}
	rc.take()
	_ = ts.Rename(8, "Weer actief")
	drain(t, ts.Shop)
	if got := rc.take(); len(got) != 1 {
		t.Errorf("%d deliveries after re-activation", len(got))
	}
	// A success resets the count of consecutive failures.
	rc.setStatus(404)
	_ = ts.Rename(9, "x")
	drain(t, ts.Shop)
	rc.setStatus(302)
	_ = ts.Rename(10, "y")
	drain(t, ts.Shop)
	if st, n := status(); st != "active" || n != 0 {
		t.Errorf("after a 302 success: %s/%d", st, n)
	}
	// Delete needs force.
	wantError(t, ts.call(t, "DELETE", fmt.Sprintf("/wp-json/wc/v3/webhooks/%d", id), "", true), 501, "woocommerce_rest_trash_not_supported")
	if r := ts.call(t, "DELETE", fmt.Sprintf("/wp-json/wc/v3/webhooks/%d?force=true", id), "", true); r.code != 200 {
		t.Errorf("force delete: %d", r.code)
	}
	wantError(t, ts.call(t, "GET", fmt.Sprintf("/wp-json/wc/v3/webhooks/%d", id), "", true), 404, "woocommerce_rest_webhook_invalid_id")
	if len(ts.Webhooks()) != 0 {
		t.Error("webhook not deleted")
	}
}

func TestWebhookValidationAndCoalescing(t *testing.T) {
	rc := newReceiver(t)
	ts := startShop(t, Options{Products: 5, Workers: 1})
	wantError(t, ts.call(t, "POST", "/wp-json/wc/v3/webhooks", `{"topic":"product.updated"}`, true), 400, "rest_missing_callback_param")
	wantError(t, ts.call(t, "POST", "/wp-json/wc/v3/webhooks", `{"topic":"product.exploded","delivery_url":"http://x.example/"}`, true), 400, "woocommerce_rest_webhook_invalid_topic")
	wantError(t, ts.call(t, "POST", "/wp-json/wc/v3/webhooks", `{"topic":"product.updated","delivery_url":"ftp://x"}`, true), 400, "woocommerce_rest_webhook_invalid_delivery_url")
	wantError(t, ts.call(t, "POST", "/wp-json/wc/v3/webhooks", `{"topic":"product.updated","delivery_url":"http://x.example/"}`, false), 401, "woocommerce_rest_cannot_create")
	// Slow receiver: a burst on one product coalesces to few deliveries,
	// each carrying the state at delivery time.
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-WC-Webhook-ID") != "" {
			<-block
		}
		rc.srv.Config.Handler.ServeHTTP(w, r)
	}))
	defer slow.Close()
	ts.createWebhook(t, "product.updated", slow.URL, "s")
	rc.take()
	for i := 0; i < 10; i++ {
		if err := ts.SetPrice(1, int64(1000+i), nil); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	close(block)
	drain(t, ts.Shop)
	got := rc.take()
	if len(got) < 1 || len(got) > 2 {
		t.Fatalf("%d deliveries for a burst of 10", len(got))
	}
	var p map[string]any
	_ = json.Unmarshal(got[len(got)-1].body, &p)
	if p["regular_price"] != "10.09" {
		t.Errorf("last delivery carries %v, want the latest price", p["regular_price"])
	}
}
