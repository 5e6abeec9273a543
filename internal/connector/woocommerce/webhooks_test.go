package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/connector"
)

// TestWebhookCRUD registers, lists, activates and deletes webhooks; the
// shop answers with the documented webhook object.
func TestWebhookCRUD(t *testing.T) {
	doc := fixture(t, "webhook.json")
	var bodies []map[string]any
	var methods []string
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k, s, _ := r.BasicAuth(); k != testKey || s != testSecret {
			w.WriteHeader(401)
			return
		}
		methods = append(methods, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/wp-json/wc/v3")+"?"+r.URL.RawQuery)
		if r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			if len(b) > 0 {
				var m map[string]any
				if err := json.Unmarshal(b, &m); err != nil {
					t.Errorf("request body %q: %v", b, err)
				}
				bodies = append(bodies, m)
			}
		}
		switch {
		case r.Method == http.MethodPost:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(201)
			w.Write(doc)
		case r.Method == http.MethodPut:
			w.Write(doc)
		case r.Method == http.MethodDelete && strings.HasSuffix(r.URL.Path, "/142"):
			w.Write(doc)
		case r.Method == http.MethodDelete:
			writeTestJSON(w, 404, map[string]any{"code": "woocommerce_rest_webhook_invalid_id", "message": "Invalid ID."})
		default:
			w.Header().Set("X-WP-Total", "2")
			w.Header().Set("X-WP-TotalPages", "1")
			w.Write([]byte("[" + string(doc) + `,{"id":143,"name":"OHIS product.updated","status":"disabled","topic":"product.updated","delivery_url":"https://ohis.example/webhooks/woocommerce/7"}]`))
		}
	}))
	c := testConn(t, woo, srv.URL, connector.Options{})
	ctx := context.Background()

	wh, err := c.RegisterWebhook(ctx, "product.updated", "https://ohis.example/webhooks/woocommerce/7", []byte("geheim"))
	if err != nil {
		t.Fatal(err)
	}
	// The documented object: id 142, topic order.updated, status active.
	if wh != (connector.Webhook{ID: "142", Topic: "order.updated", DeliveryURL: "http://requestb.in/1g0sxmo1", Status: "active"}) || !wh.Active() {
		t.Fatalf("webhook %+v", wh)
	}
	want := map[string]any{"name": "OHIS product.updated", "topic": "product.updated", "delivery_url": "https://ohis.example/webhooks/woocommerce/7", "secret": "geheim", "status": "active"}
	if len(bodies) != 1 || !mapsEqual(bodies[0], want) {
		t.Fatalf("POST body %v", bodies)
	}

	list, err := c.Webhooks(ctx)
	if err != nil || len(list) != 2 || list[1].Status != "disabled" || list[1].Active() || list[1].ID != "143" {
		t.Fatalf("%v %+v", err, list)
	}
	if _, err := c.ActivateWebhook(ctx, "143"); err != nil {
		t.Fatal(err)
	}
	if !mapsEqual(bodies[1], map[string]any{"status": "active"}) {
		t.Fatalf("PUT body %v", bodies[1])
	}
	if err := c.DeleteWebhook(ctx, "142"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteWebhook(ctx, "999"); err != nil {
		t.Fatalf("deleting a webhook that is gone: %v", err)
	}
	if _, err := c.ActivateWebhook(ctx, "../products"); err == nil {
		t.Fatal("path in webhook id accepted")
	}
	wantCalls := []string{"POST /webhooks?", "GET /webhooks?page=1&per_page=100", "PUT /webhooks/143?", "DELETE /webhooks/142?force=true", "DELETE /webhooks/999?force=true"}
	if strings.Join(methods, ",") != strings.Join(wantCalls, ",") {
		t.Fatalf("calls %v", methods)
	}

	// A read-only key cannot manage webhooks.
	ro := testConn(t, woo, srv.URL, connector.Options{Credentials: connector.Credentials{Key: "ck_ro", Secret: "cs_ro"}})
	_, err = ro.RegisterWebhook(ctx, "product.updated", "https://ohis.example/x", []byte("geheim"))
	if ce := asConnErr(t, err); ce.Code != connector.CodeAuth || !strings.Contains(ce.Message, "Lezen/Schrijven") {
		t.Fatalf("%+v", ce)
	}
}

func TestRegisterWebhookNotRetriedAfterServerError(t *testing.T) {
	posts := 0
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts++
		w.WriteHeader(502)
	}))
	c := testConn(t, woo, srv.URL, connector.Options{})
	_, err := c.RegisterWebhook(context.Background(), "product.created", "https://ohis.example/x", []byte("s"))
	if ce := asConnErr(t, err); ce.Code != connector.CodeServer || posts != 1 {
		t.Fatalf("%+v after %d POSTs", ce, posts)
	}
}

func mapsEqual(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func delivery(topic string, body []byte, secret string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderTopic, topic)
	h.Set(HeaderID, "142")
	h.Set(HeaderDelivery, "d41d8cd98f00b204e9800998ecf8427e")
	if secret != "" {
		h.Set(HeaderSignature, Sign(body, []byte(secret)))
	}
	return h
}

func TestVerifyWebhook(t *testing.T) {
	p := NewPlatform(PlatformOptions{})
	body := fixture(t, "product-variable.json")
	secret := []byte("s3cr3t: met spaties & tekens")

	// Known value: base64(HMAC-SHA256("hallo", "geheim")), as
	// `printf hallo | openssl dgst -sha256 -hmac geheim -binary | base64`.
	if got := Sign([]byte("hallo"), []byte("geheim")); got != "2lzphCdaoaBGb08zT4NrW8xyc5v9yhV1zzHJHhOSUJA=" {
		t.Fatalf("Sign = %s", got)
	}
	h := http.Header{}
	h.Set(HeaderSignature, "2lzphCdaoaBGb08zT4NrW8xyc5v9yhV1zzHJHhOSUJA=")
	if err := p.VerifyWebhook(h, []byte("hallo"), []byte("geheim")); err != nil {
		t.Fatalf("known delivery: %v", err)
	}

	if err := p.VerifyWebhook(delivery("product.updated", body, string(secret)), body, secret); err != nil {
		t.Fatalf("signed delivery: %v", err)
	}
	forged := []struct {
		name string
		h    http.Header
		body []byte
	}{
		{"wrong secret", delivery("product.updated", body, "iets anders"), body},
		{"body changed", delivery("product.updated", body, string(secret)), append([]byte(" "), body...)},
		{"no signature", delivery("product.updated", body, ""), body},
		{"garbage signature", func() http.Header {
			h := delivery("product.updated", body, "")
			h.Set(HeaderSignature, "!!!niet-base64")
			return h
		}(), body},
		{"hex instead of base64", func() http.Header {
			h := delivery("product.updated", body, "")
			h.Set(HeaderSignature, "0a a1 58")
			return h
		}(), body},
		{"ping with signature of nothing", delivery("", []byte("webhook_id=142"), "x"), []byte("webhook_id=142")},
	}
	for _, f := range forged {
		if err := p.VerifyWebhook(f.h, f.body, secret); !errors.Is(err, connector.ErrSignature) {
			t.Errorf("%s: %v", f.name, err)
		}
	}
	if err := p.VerifyWebhook(delivery("product.updated", body, "x"), body, nil); !errors.Is(err, connector.ErrSignature) {
		t.Fatal("empty secret accepted")
	}

	// The creation ping: form body, no signature.
	ping := http.Header{}
	ping.Set("Content-Type", "application/x-www-form-urlencoded")
	if err := p.VerifyWebhook(ping, []byte("webhook_id=142"), secret); !errors.Is(err, connector.ErrPing) {
		t.Fatalf("ping: %v", err)
	}
	for _, b := range []string{"webhook_id=abc", "webhook_id=142&x=1", `{"webhook_id":142}`, ""} {
		if err := p.VerifyWebhook(ping, []byte(b), secret); !errors.Is(err, connector.ErrSignature) {
			t.Errorf("not a ping %q: %v", b, err)
		}
	}
}

func TestParseWebhook(t *testing.T) {
	p := NewPlatform(PlatformOptions{})
	body := fixture(t, "product-variable.json")

	ev, err := p.ParseWebhook(delivery("product.updated", body, ""), body)
	if err != nil || ev.Kind != connector.EventProduct || ev.ResourceID != "799" || ev.Product == nil || ev.Product.Product.Name != "Ship Your Idea" || ev.Topic != "product.updated" {
		t.Fatalf("%v %+v", err, ev)
	}

	// A variation as GET /products/{id} shows it: type "variation" with parent_id.
	var v map[string]any
	_ = json.Unmarshal(fixture(t, "product-variation.json"), &v)
	v["type"], v["parent_id"] = "variation", 22
	delete(v, "_links")
	vb, _ := json.Marshal(v)
	ev, err = p.ParseWebhook(delivery("product.updated", vb, ""), vb)
	if err != nil || ev.Kind != connector.EventVariant || ev.ResourceID != "732" || ev.Variant == nil || ev.Variant.Variant.ParentExternalID != "22" || *ev.Variant.Variant.Price.RegularCents != 900 {
		t.Fatalf("%v %+v", err, ev)
	}

	ev, err = p.ParseWebhook(delivery("product.deleted", nil, ""), []byte(`{"id":799}`))
	if err != nil || ev.Kind != connector.EventProductDeleted || ev.ResourceID != "799" {
		t.Fatalf("%v %+v", err, ev)
	}
	if _, err := p.ParseWebhook(delivery("product.deleted", nil, ""), []byte(`{"id":"x"}`)); err == nil {
		t.Fatal("deleted without id")
	}

	// A broken product still becomes an event, with the item error.
	bad := product(t, map[string]any{"regular_price": "12,50"})
	ev, err = p.ParseWebhook(delivery("product.created", bad, ""), bad)
	if err != nil || ev.Kind != connector.EventProduct || ev.Product.Err == nil || ev.Product.Err.Code != connector.ItemBadPrice || ev.ResourceID != "123" {
		t.Fatalf("%v %+v", err, ev)
	}
	grouped := product(t, map[string]any{"type": "grouped"})
	ev, _ = p.ParseWebhook(delivery("product.restored", grouped, ""), grouped)
	if ev.Kind != connector.EventProduct || ev.Product.Skipped == "" {
		t.Fatalf("%+v", ev)
	}

	for _, topic := range []string{"order.updated", "coupon.created", "action.woocommerce_foo"} {
		ev, err := p.ParseWebhook(delivery(topic, nil, ""), []byte(`{"id":1}`))
		if err != nil || ev.Kind != connector.EventIgnored {
			t.Fatalf("%s: %v %+v", topic, err, ev)
		}
	}
	if _, err := p.ParseWebhook(http.Header{}, body); err == nil {
		t.Fatal("no topic accepted")
	}
	if _, err := p.ParseWebhook(delivery("product.updated", nil, ""), []byte("webhook_id=1")); err == nil {
		t.Fatal("form body parsed as product")
	}
}
