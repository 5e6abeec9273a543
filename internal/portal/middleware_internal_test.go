package portal

import (
	"net/http/httptest"
	"testing"

	"github.com/wujw/ohis/internal/config"
)

// One-time tokens never reach the request log.
func TestLogPathHidesTokens(t *testing.T) {
	for in, want := range map[string]string{
		"/uitnodiging/abcDEF123":           "/uitnodiging/…",
		"/wachtwoord-herstellen/xyz":       "/wachtwoord-herstellen/…",
		"/beheer/gebruikers/12":            "/beheer/gebruikers/12",
		"/uitnodiging/":                    "/uitnodiging/",
		"/koppeling/integratietest/uitnod": "/koppeling/integratietest/uitnod",
	} {
		if got := logPath(in); got != want {
			t.Errorf("logPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// Behind a trusted proxy the client address is the one the proxy appended,
// not whatever the client put in front of it.
func TestClientIPTakesTheProxysEntry(t *testing.T) {
	s := &Server{cfg: &config.Config{TrustProxyHeaders: true}}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.0.0.5:4242"
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 203.0.113.9")
	if got := s.clientIP(r); got != "203.0.113.9" {
		t.Errorf("clientIP = %s, want the right-most 203.0.113.9", got)
	}
	s.cfg.TrustProxyHeaders = false
	if got := s.clientIP(r); got != "10.0.0.5" {
		t.Errorf("untrusted header used: clientIP = %s, want the peer 10.0.0.5", got)
	}
}
