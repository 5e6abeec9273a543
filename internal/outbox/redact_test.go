package outbox

import (
	"strings"
	"testing"
)

func TestRedactLinks(t *testing.T) {
	in := "Kies via deze link uw wachtwoord:\n\nhttps://portal.example/uitnodiging/AbC-12_x\n" +
		"of herstel: https://portal.example/wachtwoord-herstellen/ZZZ9 en https://portal.example/beheer/e-mail/3"
	got := RedactLinks(in)
	for _, secret := range []string{"AbC-12_x", "ZZZ9"} {
		if strings.Contains(got, secret) {
			t.Errorf("token %s still in %q", secret, got)
		}
	}
	if !strings.Contains(got, "/uitnodiging/[verborgen]") || !strings.Contains(got, "/beheer/e-mail/3") {
		t.Errorf("redacted text %q", got)
	}
}
