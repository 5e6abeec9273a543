package conformance

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/connector/woocommerce"
)

// The diagnosis of a bad signature names the usual mistakes, and never
// the signature that would have been right.
func TestDiagnoseSignature(t *testing.T) {
	secret := []byte("geheim-van-de-test")
	body := []byte(`{"id":42,"name":"Radiatorfolie"}`)
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	raw := mac.Sum(nil)
	right := woocommerce.Sign(body, secret)
	other := hmac.New(sha256.New, []byte("ander geheim"))
	other.Write(body)

	for _, tc := range []struct {
		name, sig, want, detail string
	}{
		{"missing", "", "zonder header X-WC-Webhook-Signature", "no X-WC-Webhook-Signature"},
		{"hex", hex.EncodeToString(raw), "hexadecimaal", "hex encoded"},
		{"base64 of hex", base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(raw))), "vierde argument true", "base64 of the hex"},
		{"url alphabet", base64.RawURLEncoding.EncodeToString(raw), "andere base64-variant", "non-standard"},
		{"wrong secret", base64.StdEncoding.EncodeToString(other.Sum(nil)), "klopt niet bij de body", "HMAC mismatch"},
		{"garbage", "niet-base64!", "geen base64-codering", "not base64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.sig != "" {
				h.Set(woocommerce.HeaderSignature, tc.sig)
			}
			h.Set(woocommerce.HeaderTopic, "product.updated")
			if err := woocommerce.NewCustomPlatform(woocommerce.PlatformOptions{}).VerifyWebhook(h, body, secret); err == nil {
				t.Fatal("the platform accepts this signature")
			}
			finding, detail := diagnoseSignature(h, body, secret)
			if !strings.Contains(finding, tc.want) || !strings.Contains(detail, tc.detail) {
				t.Errorf("got %q / %q, want %q / %q", finding, detail, tc.want, tc.detail)
			}
			if strings.Contains(finding+detail, right) || strings.Contains(finding+detail, hex.EncodeToString(raw)) && tc.name != "hex" {
				t.Errorf("the diagnosis reveals the right signature: %q %q", finding, detail)
			}
		})
	}
}
