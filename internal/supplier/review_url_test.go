package supplier_test

import (
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/supplier"
)

func TestNormalizeAPIBaseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want, msg string }{
		{"https://api.winkel.nl/wp-json/wc/v3/", "https://api.winkel.nl/wp-json/wc/v3", ""},
		{"  HTTPS://API.Winkel.NL  ", "https://api.winkel.nl", ""},
		{"https://winkel.nl:443/api", "https://winkel.nl/api", ""},
		{"https://winkel.nl:8443/api//", "https://winkel.nl:8443/api", ""},
		{"https://xn--wnkel-hsa.nl/", "https://xn--wnkel-hsa.nl", ""},
		{"", "", "Vul het basisadres"},
		{"api.winkel.nl", "", "Begin het adres met https://"},
		{"http://api.winkel.nl", "", "met https:// beginnen"},
		{"ftp://api.winkel.nl", "", "met https:// beginnen"},
		{"https://gebruiker:wachtwoord@api.winkel.nl", "", "geen gebruikersnaam of wachtwoord"},
		{"https://api.winkel.nl/#producten", "", "vanaf #"},
		{"https://api.winkel.nl/?consumer_key=ck", "", "vanaf ?"},
		{"https://localhost/api", "", "volledige domeinnaam"},
		{"https://127.0.0.1/api", "", "geen IP-adres"},
		{"https://[::1]/api", "", "geen IP-adres"},
		{"https://10.0.0.8/api", "", "geen IP-adres"},
		{"https://shop.local/api", "", "eigen netwerk"},
		{"https://api.internal", "", "eigen netwerk"},
		{"https://router.home.arpa", "", "eigen netwerk"},
		{"https://winkel.nl:99999", "", "poortnummer"},
		{"https://winkel.nl:", "", "poortnummer"},
		{"https://wínkel.nl", "", "punycode"},
		{"https://-winkel.nl", "", "klopt niet"},
		{"https://winkel.nl/a b", "", "spaties"},
		{"https://" + strings.Repeat("a", 500) + ".nl", "", "hoogstens 500"},
	} {
		got, msg := supplier.NormalizeAPIBaseURL(tc.in)
		if got != tc.want || !strings.Contains(msg, tc.msg) || (tc.msg == "") != (msg == "") {
			t.Errorf("NormalizeAPIBaseURL(%q) = %q, %q; want %q and a message containing %q", tc.in, got, msg, tc.want, tc.msg)
		}
	}
}

// With private addresses allowed (demo and tests only) plain http, IP
// addresses and local names pass; everything else is checked as before.
func TestNormalizeURLAllowPrivate(t *testing.T) {
	t.Parallel()
	rules := supplier.URLRules{What: "het adres van uw webshop", Example: "https://www.uwwinkel.nl", AllowPrivate: true}
	for _, tc := range []struct{ in, want, msg string }{
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080", ""},
		{"http://localhost:80/winkel", "http://localhost/winkel", ""},
		{"https://[::1]:8443", "https://[::1]:8443", ""},
		{"https://[::1]", "https://[::1]", ""},
		{"https://shop.local", "https://shop.local", ""},
		{"ftp://127.0.0.1", "", "met https:// beginnen"},
		{"http://u:p@127.0.0.1", "", "geen gebruikersnaam"},
		{"http://127.0.0.1/?a=b", "", "geef alleen het adres van uw webshop op"},
	} {
		got, msg := supplier.NormalizeURL(tc.in, rules)
		if got != tc.want || !strings.Contains(msg, tc.msg) || (tc.msg == "") != (msg == "") {
			t.Errorf("NormalizeURL(%q) = %q, %q; want %q and a message containing %q", tc.in, got, msg, tc.want, tc.msg)
		}
	}
	if _, msg := supplier.NormalizeURL("http://127.0.0.1", supplier.URLRules{What: "het adres", Example: "https://x.nl"}); msg == "" {
		t.Error("http to a loopback address passed without AllowPrivate")
	}
}
