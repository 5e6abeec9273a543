package woocommerce

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wujw/ohis/internal/connector"
)

// Webhook delivery headers (WooCommerce's names).
const (
	HeaderTopic     = "X-WC-Webhook-Topic"
	HeaderSignature = "X-WC-Webhook-Signature"
	HeaderID        = "X-WC-Webhook-ID"
	HeaderDelivery  = "X-WC-Webhook-Delivery-ID"
	HeaderResource  = "X-WC-Webhook-Resource"
	HeaderEvent     = "X-WC-Webhook-Event"
	HeaderSource    = "X-WC-Webhook-Source"
)

type wcWebhook struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	Topic       string `json:"topic"`
	DeliveryURL string `json:"delivery_url"`
}

func (w wcWebhook) webhook() connector.Webhook {
	return connector.Webhook{ID: idString(w.ID), Topic: w.Topic, DeliveryURL: w.DeliveryURL, Status: w.Status}
}

// Webhooks lists the webhooks registered in the shop, all pages.
func (c *conn) Webhooks(ctx context.Context) ([]connector.Webhook, error) {
	var out []connector.Webhook
	l := listing{resource: "webhooks", path: "/webhooks", query: url.Values{}}
	_, err := list(ctx, c, l,
		func(raw []json.RawMessage) []json.RawMessage { return raw },
		func(page connector.Page, raw []json.RawMessage, _ int) error {
			for _, r := range raw {
				var w wcWebhook
				if err := json.Unmarshal(r, &w); err != nil || w.ID <= 0 {
					return &connector.Error{
						Code:    connector.CodeBadResponse,
						Message: fmt.Sprintf("%s gaf een webhook zonder geldig id of met velden van het verkeerde type terug.", c.subject()),
						Detail:  fmt.Sprintf("GET %s/webhooks page %d: %s", c.base, page.Number, c.redact(snippet(r, 200))),
					}
				}
				out = append(out, w.webhook())
			}
			return nil
		})
	return out, err
}

// RegisterWebhook creates an active webhook for topic. It is not retried
// after a server error or time-out (the shop may have created it); the
// caller lists the webhooks before trying again.
func (c *conn) RegisterWebhook(ctx context.Context, topic, deliveryURL string, secret []byte) (connector.Webhook, error) {
	if topic == "" || deliveryURL == "" || len(secret) == 0 {
		return connector.Webhook{}, fmt.Errorf("woocommerce: RegisterWebhook needs a topic, a delivery URL and a secret")
	}
	body := map[string]string{
		"name":         "OHIS " + topic,
		"topic":        topic,
		"delivery_url": deliveryURL,
		"secret":       string(secret),
		"status":       "active",
	}
	wh, err := c.webhookCall(ctx, request{method: http.MethodPost, path: "/webhooks", body: body})
	var ce *connector.Error
	if errors.As(err, &ce) && len(secret) >= 4 {
		ce.Detail = strings.ReplaceAll(ce.Detail, string(secret), "[verborgen]")
		ce.Message = strings.ReplaceAll(ce.Message, string(secret), "[verborgen]")
	}
	return wh, err
}

// ActivateWebhook sets a paused or disabled webhook to active.
func (c *conn) ActivateWebhook(ctx context.Context, id string) (connector.Webhook, error) {
	if !validID(id) {
		return connector.Webhook{}, fmt.Errorf("woocommerce: invalid webhook id %q", id)
	}
	return c.webhookCall(ctx, request{method: http.MethodPut, path: "/webhooks/" + id, body: map[string]string{"status": "active"}})
}

// DeleteWebhook removes a webhook permanently. A webhook that is already
// gone (404) counts as deleted.
func (c *conn) DeleteWebhook(ctx context.Context, id string) error {
	if !validID(id) {
		return fmt.Errorf("woocommerce: invalid webhook id %q", id)
	}
	resp, err := c.do(ctx, request{method: http.MethodDelete, path: "/webhooks/" + id, query: url.Values{"force": {"true"}}})
	if err != nil {
		return err
	}
	if resp.status == http.StatusNotFound {
		if e, ok := parseWCError(resp.body); ok && e.Code != "rest_no_route" {
			return nil
		}
		if c.p.custom {
			return nil
		}
	}
	if resp.status < 200 || resp.status > 299 {
		return c.webhookError(c.statusError(resp))
	}
	return nil
}

func (c *conn) webhookCall(ctx context.Context, r request) (connector.Webhook, error) {
	var w wcWebhook
	_, err := c.getJSON(ctx, r, &w)
	if err != nil {
		return connector.Webhook{}, c.webhookError(err)
	}
	if w.ID <= 0 {
		return connector.Webhook{}, &connector.Error{
			Code:    connector.CodeBadResponse,
			Message: fmt.Sprintf("%s antwoordde zonder het id van de webhook.", c.subject()),
			Detail:  fmt.Sprintf("%s %s%s: no id in response", r.method, c.base, r.path),
		}
	}
	return w.webhook(), nil
}

// webhookError explains that managing webhooks needs write access.
func (c *conn) webhookError(err error) error {
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Status == http.StatusUnauthorized || errors.As(err, &ce) && ce.Status == http.StatusForbidden {
		if c.p.custom {
			ce.Message = "Uw API staat ons niet toe webhooks te beheren (" + strconv.Itoa(ce.Status) + "). Geef de sleutel rechten om webhooks aan te maken, of spreek de webhooks met ons af."
		} else {
			ce.Message = "Met deze API-sleutel kunnen wij geen webhooks beheren (" + strconv.Itoa(ce.Status) + "). Geef de sleutel in WooCommerce › Instellingen › Geavanceerd › REST API de rechten Lezen/Schrijven."
		}
	}
	return err
}

func validID(id string) bool {
	if id == "" || len(id) > 19 {
		return false
	}
	return allDigits(id)
}

// VerifyWebhook checks X-WC-Webhook-Signature, base64(HMAC-SHA256(body,
// secret)), in constant time. A delivery without signature whose body is
// the creation ping (form "webhook_id=<digits>") is ErrPing.
func (p *platform) VerifyWebhook(h http.Header, body []byte, secret []byte) error {
	sig := strings.TrimSpace(h.Get(HeaderSignature))
	if sig == "" {
		if isPing(body) {
			return connector.ErrPing
		}
		return connector.ErrSignature
	}
	if len(secret) == 0 {
		return connector.ErrSignature
	}
	got, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return connector.ErrSignature
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return connector.ErrSignature
	}
	return nil
}

// Sign computes the X-WC-Webhook-Signature of body (for tests, the
// conformance report and the demo shop).
func Sign(body, secret []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func isPing(body []byte) bool {
	if len(body) > 100 {
		return false
	}
	v, err := url.ParseQuery(string(bytes.TrimSpace(body)))
	if err != nil || len(v) != 1 {
		return false
	}
	ids := v["webhook_id"]
	return len(ids) == 1 && validID(ids[0])
}

// ParseWebhook turns a verified delivery into an event: product.deleted
// carries {"id":N}; product.created/updated/restored carry the product or
// variation as GET /products/{id} shows it; other topics are ignored.
func (p *platform) ParseWebhook(h http.Header, body []byte) (connector.Event, error) {
	topic := strings.TrimSpace(h.Get(HeaderTopic))
	ev := connector.Event{Kind: connector.EventIgnored, Topic: topic}
	switch topic {
	case "":
		return ev, fmt.Errorf("woocommerce: webhook without %s header", HeaderTopic)
	case "product.deleted":
		var d struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(trimJSON(body), &d); err != nil || d.ID <= 0 {
			return ev, fmt.Errorf("woocommerce: product.deleted payload without a valid id")
		}
		ev.Kind, ev.ResourceID = connector.EventProductDeleted, idString(d.ID)
		return ev, nil
	case "product.created", "product.updated", "product.restored":
	default:
		return ev, nil
	}
	b := trimJSON(body)
	if len(b) == 0 || b[0] != '{' || !json.Valid(b) {
		return ev, fmt.Errorf("woocommerce: %s payload is not a JSON object", topic)
	}
	var head struct {
		ID   json.RawMessage `json:"id"`
		Type json.RawMessage `json:"type"`
	}
	_ = json.Unmarshal(b, &head)
	var typ string
	_ = json.Unmarshal(head.Type, &typ)
	if typ == "variation" {
		v := mapVariant(b, 0)
		ev.Kind, ev.Variant = connector.EventVariant, &v
		ev.ResourceID = v.Variant.ExternalID
		if v.Err != nil {
			ev.ResourceID = v.Err.ExternalID
		}
		return ev, nil
	}
	m := mapProduct(b)
	ev.Kind, ev.Product = connector.EventProduct, &m.item
	ev.ResourceID = m.item.Product.ExternalID
	if m.item.Err != nil {
		ev.ResourceID = m.item.Err.ExternalID
	}
	return ev, nil
}
