package conformance

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/connector/woocommerce"
	"github.com/wujw/ohis/internal/store"
)

// MaxWebhookBody bounds a test webhook delivery.
const MaxWebhookBody = 8 << 20

// ReceiveWebhook handles a delivery of a test webhook to
// ReceiverPrefix+token and returns the status to answer: 200 for the
// creation ping and for a correctly signed delivery, 401 for a missing or
// wrong signature, 404 for an unknown token, 410 when the wait is over.
// The signature is checked over the raw body with the platform's
// VerifyWebhook; the body is never logged.
func (s *Service) ReceiveWebhook(ctx context.Context, token string, h http.Header, body []byte) int {
	if !validToken(token) {
		return http.StatusNotFound
	}
	row, err := s.d.Store.ConformanceReportByTokenHash(ctx, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return http.StatusNotFound
	}
	if err != nil {
		s.log.Error("conformance webhook: looking up the token", slog.Any("error", err))
		return http.StatusInternalServerError
	}
	log := s.log.With(slog.Int64("report_id", row.ID), slog.String("topic", headerNote(h, woocommerce.HeaderTopic)), slog.Int("bytes", len(body)))
	switch row.WebhookResult {
	case webhookWaiting, webhookNotConform:
		if row.WebhookDeadline != nil && s.d.Now().After(*row.WebhookDeadline) {
			return http.StatusGone
		}
	case webhookConform:
	default:
		return http.StatusGone
	}
	secret, err := s.d.Box.Open(row.WebhookSecret, row.WebhookKeyID, secretContext(row.ID))
	if err != nil {
		log.Error("conformance webhook: opening the secret", slog.Any("error", err))
		return http.StatusInternalServerError
	}
	verr := s.d.Platform.VerifyWebhook(h, body, secret)
	switch {
	case errors.Is(verr, connector.ErrPing):
		if err := s.d.Store.ConformanceWebhookPing(ctx, row.ID); err != nil {
			log.Error("conformance webhook: recording the ping", slog.Any("error", err))
			return http.StatusInternalServerError
		}
		log.Info("conformance webhook: creation ping received")
		return http.StatusOK
	case verr != nil:
		finding, detail := diagnoseSignature(h, body, secret)
		log.Warn("conformance webhook: signature missing or wrong", slog.String("reason", detail))
		if err := s.record(ctx, row.ID, false, finding, detail); err != nil {
			log.Error("conformance webhook: recording", slog.Any("error", err))
			return http.StatusInternalServerError
		}
		return http.StatusUnauthorized
	}
	ok, finding, detail := s.describeDelivery(h, body)
	if err := s.record(ctx, row.ID, ok, finding, detail); err != nil {
		log.Error("conformance webhook: recording", slog.Any("error", err))
		return http.StatusInternalServerError
	}
	log.Info("conformance webhook: signed delivery received", slog.Bool("usable", ok))
	if ok {
		// The test is over: delete the temporary webhook now.
		if c := s.client.Load(); c != nil {
			if _, err := c.Insert(ctx, WebhookEndArgs{ReportID: row.ID}, nil); err != nil {
				log.Warn("conformance webhook: queueing the clean-up", slog.Any("error", err))
			}
		}
	}
	return http.StatusOK
}

// record stores a delivery's outcome; one after a conform delivery only
// counts.
func (s *Service) record(ctx context.Context, id int64, conform bool, finding, detail string) error {
	var changed bool
	var err error
	if conform {
		changed, err = s.d.Store.ConformanceWebhookConform(ctx, id, finding, detail)
	} else {
		changed, err = s.d.Store.ConformanceWebhookNotConform(ctx, id, finding, detail)
	}
	if err != nil || changed {
		return err
	}
	return s.d.Store.ConformanceWebhookCount(ctx, id)
}

// describeDelivery judges a correctly signed delivery: the platform must
// be able to read it as a webhook.
func (s *Service) describeDelivery(h http.Header, body []byte) (bool, string, string) {
	at := dutchTime(s.d.Now())
	topic := strings.TrimSpace(h.Get(woocommerce.HeaderTopic))
	detail := fmt.Sprintf("signature valid; topic %q; %d bytes; content type %q", truncate(topic, 60), len(body), truncate(h.Get("Content-Type"), 60))
	ev, err := s.d.Platform.ParseWebhook(h, body)
	if err != nil {
		msg := "De handtekening klopt, maar OHIS kan de webhook niet lezen: "
		if topic == "" {
			msg += "de header X-WC-Webhook-Topic ontbreekt. Stuur bij elke webhook het onderwerp mee, bijvoorbeeld product.updated."
		} else {
			msg += "de body is niet het product als JSON-object, zoals GET /products/{id} het geeft."
		}
		return false, msg, detail + "; " + err.Error()
	}
	what := "webhook " + topic
	if ev.ResourceID != "" {
		what += " voor " + map[bool]string{true: "variatie", false: "product"}[ev.Kind == connector.EventVariant] + " " + ev.ResourceID
	}
	finding := fmt.Sprintf("Op %s ontving OHIS een correct ondertekende %s.", at, what)
	switch {
	case ev.Product != nil && ev.Product.Err != nil:
		finding += " Let op: " + ev.Product.Err.Message
	case ev.Variant != nil && ev.Variant.Err != nil:
		finding += " Let op: " + ev.Variant.Err.Message
	}
	if topic != WebhookTopic {
		finding += fmt.Sprintf(" (De testwebhook was voor %s; deze webhook had als onderwerp %q.)", WebhookTopic, truncate(topic, 60))
	}
	return true, finding, detail
}

// diagnoseSignature says what is wrong with a delivery's signature, with
// the common mistakes spelled out. It never reveals the right signature.
func diagnoseSignature(h http.Header, body []byte, secret []byte) (string, string) {
	sig := strings.TrimSpace(h.Get(woocommerce.HeaderSignature))
	detail := fmt.Sprintf("%d bytes, topic %q", len(body), truncate(h.Get(woocommerce.HeaderTopic), 60))
	const how = " Onderteken elke webhook met X-WC-Webhook-Signature = base64(HMAC-SHA256(ruwe body, geheim))."
	if sig == "" {
		return "Er kwam een webhook zonder header X-WC-Webhook-Signature binnen; die is geweigerd (401)." + how,
			"no X-WC-Webhook-Signature; " + detail
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	want := mac.Sum(nil)
	hexWant := hex.EncodeToString(want)
	detail = fmt.Sprintf("X-WC-Webhook-Signature of %d characters; %s", len(sig), detail)
	switch {
	case strings.EqualFold(sig, hexWant):
		return "De handtekening is hexadecimaal geschreven; gebruik de base64-codering van de ruwe HMAC-bytes (in PHP: base64_encode(hash_hmac('sha256', $body, $geheim, true)))." + " De webhook is geweigerd (401).",
			"hex encoded HMAC; " + detail
	case sig == base64.StdEncoding.EncodeToString([]byte(hexWant)):
		return "U codeert de hexadecimale HMAC in base64; codeer de ruwe bytes (in PHP het vierde argument true van hash_hmac). De webhook is geweigerd (401).",
			"base64 of the hex HMAC; " + detail
	case sig == base64.URLEncoding.EncodeToString(want) || sig == base64.RawURLEncoding.EncodeToString(want) || sig == base64.RawStdEncoding.EncodeToString(want):
		return "De handtekening gebruikt een andere base64-variant; gebruik standaard base64 met +, / en = (RFC 4648 §4). De webhook is geweigerd (401).",
			"non-standard base64 alphabet or padding; " + detail
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil || len(raw) != sha256.Size {
		return "De header X-WC-Webhook-Signature is geen base64-codering van een HMAC-SHA256 (32 bytes); de webhook is geweigerd (401)." + how,
			"not base64 of 32 bytes; " + detail
	}
	hint := ""
	if compact, ok := compactJSON(body); ok && !bytes.Equal(compact, body) {
		hint = " Onderteken precies de bytes die u verstuurt: formatteer de body na het ondertekenen niet opnieuw."
	}
	return "De handtekening klopt niet bij de body: gebruik het geheim van deze testwebhook en onderteken de ruwe body, precies zoals u hem verstuurt. De webhook is geweigerd (401)." + hint,
		"HMAC mismatch; " + detail
}

func compactJSON(b []byte) ([]byte, bool) {
	var out bytes.Buffer
	if json.Compact(&out, b) != nil {
		return nil, false
	}
	return out.Bytes(), true
}

// headerNote is a header value bounded for log lines.
func headerNote(h http.Header, name string) string {
	return truncate(h.Get(name), 100)
}
