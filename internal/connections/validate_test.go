package connections

import (
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/config"
)

func testService(allowPrivate bool) *Service {
	cfg := &config.Config{Sync: config.Sync{AllowPrivateShops: allowPrivate}}
	return &Service{cfg: cfg, platforms: DefaultPlatforms(cfg)}
}

const (
	goodKey    = "ck_0123456789abcdef0123456789abcdef01234567"
	goodSecret = "cs_89abcdef0123456789abcdef0123456789abcdef"
)

// Every rule of the connection form has its own Dutch message, on its own
// field, and nothing else is reported.
func TestCheckInputMessages(t *testing.T) {
	t.Parallel()
	valid := Input{Environment: "test", Platform: "woocommerce", ShopURL: "https://www.winkel.nl", Key: goodKey, Secret: goodSecret}
	for _, tc := range []struct {
		name  string
		edit  func(*Input)
		field string
		msg   string
	}{
		{"no environment", func(in *Input) { in.Environment = "" }, FieldEnvironment, "Kies de omgeving"},
		{"unknown environment", func(in *Input) { in.Environment = "staging" }, FieldEnvironment, "Kies test, acceptatie of productie"},
		{"no platform", func(in *Input) { in.Platform = "" }, FieldPlatform, "Kies het platform van uw webshop."},
		{"shopify is coming", func(in *Input) { in.Platform = "shopify" }, FieldPlatform, "De koppeling met Shopify komt binnenkort beschikbaar"},
		{"magento is coming", func(in *Input) { in.Platform = "magento" }, FieldPlatform, "De koppeling met Magento komt binnenkort"},
		{"lightspeed is coming", func(in *Input) { in.Platform = "lightspeed" }, FieldPlatform, "Lightspeed komt binnenkort"},
		{"easypos is coming", func(in *Input) { in.Platform = "easypos" }, FieldPlatform, "EasyPOS komt binnenkort"},
		{"unknown platform", func(in *Input) { in.Platform = "prestashop" }, FieldPlatform, "Kies een platform uit de lijst."},
		{"no address", func(in *Input) { in.ShopURL = " " }, FieldShopURL, "Vul het adres van uw webshop in, bijvoorbeeld https://www.uwwinkel.nl."},
		{"plain http", func(in *Input) { in.ShopURL = "http://www.winkel.nl" }, FieldShopURL, "met https:// beginnen"},
		{"credentials in address", func(in *Input) { in.ShopURL = "https://ck:cs@www.winkel.nl" }, FieldShopURL, "Zet geen gebruikersnaam of wachtwoord"},
		{"query", func(in *Input) { in.ShopURL = "https://www.winkel.nl/?consumer_key=ck" }, FieldShopURL, "Laat het deel vanaf ? weg"},
		{"fragment", func(in *Input) { in.ShopURL = "https://www.winkel.nl/#top" }, FieldShopURL, "Laat het deel vanaf # weg"},
		{"loopback", func(in *Input) { in.ShopURL = "https://127.0.0.1" }, FieldShopURL, "geen IP-adres"},
		{"private name", func(in *Input) { in.ShopURL = "https://winkel.local" }, FieldShopURL, "eigen netwerk"},
		{"no key", func(in *Input) { in.Key = "" }, FieldKey, "Vul de consumer key in."},
		{"no secret", func(in *Input) { in.Secret = "" }, FieldSecret, "Vul het consumer secret in."},
		{"secret as key", func(in *Input) { in.Key = goodSecret }, FieldKey, "U heeft het consumer secret (begint met cs_) ingevuld bij de consumer key. Wissel de twee om."},
		{"key as secret", func(in *Input) { in.Secret = goodKey }, FieldSecret, "U heeft de consumer key (begint met ck_) ingevuld bij het consumer secret."},
		{"no prefix", func(in *Input) { in.Key = "0123456789abcdef0123456789abcdef01234567" }, FieldKey, "De consumer key begint met ck_"},
		{"key too short", func(in *Input) { in.Key = goodKey[:40] }, FieldKey, "bestaat uit ck_ en 40 tekens; u heeft er 37 na ck_ ingevuld"},
		{"secret too long", func(in *Input) { in.Secret = goodSecret + "0" }, FieldSecret, "bestaat uit cs_ en 40 tekens; u heeft er 41 na cs_ ingevuld"},
		{"not hex", func(in *Input) { in.Key = "ck_0123456789abcdef0123456789abcdef0123456z" }, FieldKey, "alleen cijfers en de letters a tot en met f, maar er staat “z” in"},
		{"space inside", func(in *Input) { in.Secret = "cs_89abcdef01234567 9abcdef0123456789abcdef" }, FieldSecret, "spaties of andere onzichtbare tekens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := valid
			tc.edit(&in)
			_, _, errs := testService(false).checkInput(in)
			if len(errs) != 1 || !strings.Contains(errs[tc.field], tc.msg) {
				t.Errorf("errors %v, want only %s containing %q", errs, tc.field, tc.msg)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		url, cred, errs := testService(false).checkInput(valid)
		if len(errs) != 0 || url != "https://www.winkel.nl" || cred.Key != goodKey || cred.Secret != goodSecret {
			t.Errorf("checkInput(valid) = %q, %+v, %v", url, cred, errs)
		}
	})
}

func TestCheckInputCustomRoute(t *testing.T) {
	t.Parallel()
	s := testService(false)
	in := Input{Environment: "acceptance", Platform: "custom", ShopURL: "https://api.winkel.nl/wp-json/wc/v3/", Key: "mijn-sleutel", Secret: "geheim"}
	url, _, errs := s.checkInput(in)
	if len(errs) != 0 || url != "https://api.winkel.nl/wp-json/wc/v3" {
		t.Errorf("custom route = %q, %v; want the API base kept and any key accepted", url, errs)
	}
	in.ShopURL = ""
	if _, _, errs := s.checkInput(in); !strings.Contains(errs[FieldShopURL], "Vul het basisadres van uw API in") {
		t.Errorf("empty API address: %v", errs)
	}
	in.ShopURL, in.Key, in.Secret = "https://api.winkel.nl", strings.Repeat("k", 201), ""
	_, _, errs = s.checkInput(in)
	if !strings.Contains(errs[FieldKey], "hoogstens 200 tekens") || !strings.Contains(errs[FieldSecret], "Vul het consumer secret van uw API in") {
		t.Errorf("custom credentials: %v", errs)
	}
}

// A pasted REST address of a WooCommerce shop is cut back to the shop.
func TestShopURLCutsRESTPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://www.winkel.nl/wp-json/wc/v3":       "https://www.winkel.nl",
		"https://www.winkel.nl/winkel/wp-json/":     "https://www.winkel.nl/winkel",
		"https://WWW.Winkel.nl:443/winkel/":         "https://www.winkel.nl/winkel",
		"https://www.winkel.nl/wp-json/wc/v3/extra": "https://www.winkel.nl/wp-json/wc/v3/extra",
	} {
		if got, msg := testService(false).normalizeShopURL("woocommerce", in); got != want || msg != "" {
			t.Errorf("normalizeShopURL(%q) = %q, %q; want %q", in, got, msg, want)
		}
	}
}

// Loopback and plain http are accepted only when private shops are
// allowed (demo and tests).
func TestShopURLPrivateOnlyWhenAllowed(t *testing.T) {
	t.Parallel()
	if _, msg := testService(false).normalizeShopURL("woocommerce", "http://127.0.0.1:8080"); msg == "" {
		t.Error("http://127.0.0.1 accepted without AllowPrivateShops")
	}
	if got, msg := testService(true).normalizeShopURL("woocommerce", "http://127.0.0.1:8080/"); msg != "" || got != "http://127.0.0.1:8080" {
		t.Errorf("with AllowPrivateShops: %q, %q", got, msg)
	}
}

func TestPlatformOptions(t *testing.T) {
	t.Parallel()
	var got []string
	for _, o := range testService(false).PlatformOptions() {
		s := o.Value
		if o.Soon {
			s += " (binnenkort)"
		}
		got = append(got, s)
	}
	want := "woocommerce custom shopify (binnenkort) magento (binnenkort) lightspeed (binnenkort) easypos (binnenkort)"
	if strings.Join(got, " ") != want {
		t.Errorf("platform options %q, want %q", strings.Join(got, " "), want)
	}
}
