package woocommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/netguard"
)

func steps(rep connector.CheckReport) string {
	var s []string
	for _, st := range rep.Steps {
		mark := "ok"
		if !st.OK {
			mark = "FOUT"
		}
		s = append(s, st.Name+": "+mark)
	}
	return strings.Join(s, "; ")
}

func TestCheckWooCommerce(t *testing.T) {
	f := newFakeShop(t)
	f.storeWide = true
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL+"/", connector.Options{})
	rep := c.Check(context.Background())
	if rep.Err != nil {
		t.Fatalf("%+v", rep.Err)
	}
	want := "Adres bereikbaar: ok; Beveiligde verbinding (TLS): ok; REST API beschikbaar: ok; API-sleutel geaccepteerd: ok; Versie: ok"
	if steps(rep) != want {
		t.Fatalf("steps %s", steps(rep))
	}
	info := rep.Info
	if info.Version != "WooCommerce 9.6.1" || info.APIVersion != "wc/v3" || !info.VariationsListing || info.BrandsSupported || info.Name != "Testwinkel" {
		t.Fatalf("info %+v", info)
	}
	if !strings.Contains(rep.Steps[4].Message, "alle variaties in één lijst, geen merken") {
		t.Fatalf("version step %q", rep.Steps[4].Message)
	}
	if f.count("GET /system_status") != 1 {
		t.Fatal("system status not asked")
	}
}

func TestCheckWrongKey(t *testing.T) {
	f := newFakeShop(t)
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{Credentials: connector.Credentials{Key: "ck_x", Secret: "cs_y"}})
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeAuth {
		t.Fatalf("%+v", rep.Err)
	}
	if steps(rep) != "Adres bereikbaar: ok; Beveiligde verbinding (TLS): ok; REST API beschikbaar: ok; API-sleutel geaccepteerd: FOUT" {
		t.Fatal(steps(rep))
	}
}

func TestCheckUntrustedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c := testConn(t, NewPlatform(PlatformOptions{}), srv.URL, connector.Options{})
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeTLS {
		t.Fatalf("%+v", rep.Err)
	}
	if steps(rep) != "Adres bereikbaar: ok; Beveiligde verbinding (TLS): FOUT" {
		t.Fatal(steps(rep))
	}
	if !strings.Contains(rep.Err.Message, "niet ondertekend door een bekende certificaatautoriteit") {
		t.Fatalf("message %q", rep.Err.Message)
	}
}

func TestCheckCertificateForOtherHost(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	// Trust the test certificate (valid for example.com and 127.0.0.1), but
	// connect by another name.
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	c := testConn(t, NewPlatform(PlatformOptions{}), url, connector.Options{Client: client})
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeTLS || !strings.Contains(rep.Err.Message, "niet uitgegeven voor localhost maar voor example.com") {
		t.Fatalf("%+v", rep.Err)
	}
}

func TestCheckHTMLSite(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<!DOCTYPE html><html><body>Welkom bij onze winkel</body></html>")
	}))
	c := testConn(t, woo, srv.URL, connector.Options{})
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeNoREST {
		t.Fatalf("%+v", rep.Err)
	}
	if steps(rep) != "Adres bereikbaar: ok; Beveiligde verbinding (TLS): ok; REST API beschikbaar: FOUT" {
		t.Fatal(steps(rep))
	}
	if !strings.Contains(rep.Err.Message, "gewone webpagina") {
		t.Fatalf("message %q", rep.Err.Message)
	}
}

func TestCheckPlainPermalinks(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && r.URL.Query().Get("rest_route") == "/" {
			writeTestJSON(w, 200, map[string]any{"name": "Winkel", "namespaces": []string{"wc/v3"}})
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(404)
		fmt.Fprint(w, "<html>Pagina niet gevonden</html>")
	}))
	c := testConn(t, woo, srv.URL, connector.Options{})
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeNoREST || !strings.Contains(rep.Err.Message, "permalinks staan op 'Eenvoudig'") {
		t.Fatalf("%+v", rep.Err)
	}
}

func TestCheckWordPressWithoutWooCommerce(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeTestJSON(w, 200, map[string]any{"name": "Blog", "namespaces": []string{"oembed/1.0", "wp/v2"}, "routes": map[string]any{}})
	}))
	c := testConn(t, woo, srv.URL, connector.Options{})
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeNotWooCommerce || !strings.Contains(rep.Err.Message, "Dit is wel een WordPress-site, maar WooCommerce") {
		t.Fatalf("%+v", rep.Err)
	}
}

func TestCheckOldWooCommerce(t *testing.T) {
	f := newFakeShop(t)
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/wp-json/wc/v3/system_status" {
			writeTestJSON(w, 200, map[string]any{"environment": map[string]any{"version": "3.4.7"}})
			return true
		}
		return false
	}
	srv := serve(t, f)
	rep := testConn(t, woo, srv.URL, connector.Options{}).Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeNotWooCommerce || !strings.Contains(rep.Err.Message, "WooCommerce 3.4.7 is te oud") {
		t.Fatalf("%+v", rep.Err)
	}
	if rep.Steps[len(rep.Steps)-1].Name != StepVersion {
		t.Fatal(steps(rep))
	}
}

func TestCheckKeyWithoutSystemStatus(t *testing.T) {
	f := newFakeShop(t)
	f.brands = true
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/wp-json/wc/v3/system_status" {
			writeTestJSON(w, 403, map[string]any{"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources."})
			return true
		}
		return false
	}
	srv := serve(t, f)
	rep := testConn(t, woo, srv.URL, connector.Options{}).Check(context.Background())
	if rep.Err != nil || rep.Info.Version != "" || !rep.Info.BrandsSupported {
		t.Fatalf("%+v %+v", rep.Err, rep.Info)
	}
	if !strings.Contains(rep.Steps[4].Message, "Versie onbekend") {
		t.Fatal(rep.Steps[4].Message)
	}
}

func TestCheckBlockedAddress(t *testing.T) {
	f := newFakeShop(t)
	srv := serve(t, f)
	c := testConn(t, woo, srv.URL, connector.Options{Client: netguard.NewClient(netguard.Options{Timeout: 5 * time.Second})})
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeBlocked || !strings.HasPrefix(rep.Err.Message, "Dit adres verwijst naar een intern netwerk") {
		t.Fatalf("%+v", rep.Err)
	}
	if steps(rep) != "Adres bereikbaar: FOUT" || len(f.log()) != 0 {
		t.Fatalf("%s, %d requests arrived", steps(rep), len(f.log()))
	}
}

func TestCheckUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens any more
	c := testConn(t, woo, url, connector.Options{})
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeUnreachable || !strings.Contains(rep.Err.Message, "weigert de verbinding") {
		t.Fatalf("%+v", rep.Err)
	}
}

func TestCheckTimeout(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(3 * time.Second):
		}
	}))
	c := testConn(t, woo, srv.URL, connector.Options{Client: netguardClient(t, time.Second)})
	start := time.Now()
	rep := c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeTimeout || !strings.Contains(rep.Err.Message, "antwoordde niet binnen 1 seconden") {
		t.Fatalf("%+v", rep.Err)
	}
	if time.Since(start) > 2500*time.Millisecond {
		t.Fatalf("check took %v: timeouts retried", time.Since(start))
	}
}

func TestCheckRedirect(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://www.winkel.example"+r.URL.Path, http.StatusMovedPermanently)
	}))
	c := testConn(t, woo, srv.URL, connector.Options{})
	rep := c.Check(context.Background())
	if rep.Err == nil || !strings.Contains(rep.Err.Message, "stuurt ons door naar https://www.winkel.example/wp-json/ (301)") || !strings.Contains(rep.Err.Message, "met https://") {
		t.Fatalf("%+v", rep.Err)
	}
	if steps(rep) != "Adres bereikbaar: FOUT" {
		t.Fatal(steps(rep))
	}
}

func TestCheckCustom(t *testing.T) {
	f := newFakeShop(t)
	f.addSimple(1, 3)
	f.brands = true
	srv := serve(t, f)
	c := testConn(t, custom, srv.URL+"/wp-json/wc/v3", connector.Options{})
	rep := c.Check(context.Background())
	if rep.Err != nil || !rep.Info.BrandsSupported || rep.Info.VariationsListing {
		t.Fatalf("%+v %+v", rep.Err, rep.Info)
	}
	if f.count("GET /system_status") != 0 {
		t.Fatal("custom API asked for system status")
	}
	for _, r := range f.log() {
		if strings.HasPrefix(r, "GET /wp-json/?") {
			t.Fatal("custom API asked for the WordPress index")
		}
	}
	// Wrong key.
	c = testConn(t, custom, srv.URL+"/wp-json/wc/v3", connector.Options{Credentials: connector.Credentials{Key: "a", Secret: "b"}})
	rep = c.Check(context.Background())
	if rep.Err == nil || rep.Err.Code != connector.CodeAuth || steps(rep) != "Adres bereikbaar: ok; Beveiligde verbinding (TLS): ok; REST API beschikbaar: ok; API-sleutel geaccepteerd: FOUT" {
		t.Fatalf("%+v %s", rep.Err, steps(rep))
	}
	if !strings.HasPrefix(rep.Err.Message, "Uw API weigert de sleutel") {
		t.Fatal(rep.Err.Message)
	}
}

func TestNewAddresses(t *testing.T) {
	secure := NewPlatform(PlatformOptions{})
	cases := []struct {
		platform connector.Platform
		in       string
		base     string
		root     string
		code     connector.Code
	}{
		{secure, "https://shop.nl", "https://shop.nl/wp-json/wc/v3", "https://shop.nl", ""},
		{secure, "https://Shop.NL/", "https://shop.nl/wp-json/wc/v3", "https://shop.nl", ""},
		{secure, "https://shop.nl/winkel/", "https://shop.nl/winkel/wp-json/wc/v3", "https://shop.nl/winkel", ""},
		{secure, "https://shop.nl/wp-json/wc/v3/", "https://shop.nl/wp-json/wc/v3", "https://shop.nl", ""},
		{secure, "https://shop.nl/wp-json", "https://shop.nl/wp-json/wc/v3", "https://shop.nl", ""},
		{secure, "https://shop.nl:8443", "https://shop.nl:8443/wp-json/wc/v3", "https://shop.nl:8443", ""},
		{secure, "http://shop.nl", "", "", connector.CodeTLS},
		{woo, "http://127.0.0.1:8090", "http://127.0.0.1:8090/wp-json/wc/v3", "http://127.0.0.1:8090", ""},
		{secure, "ftp://shop.nl", "", "", connector.CodeUnreachable},
		{secure, "https://ck:cs@shop.nl", "", "", connector.CodeUnreachable},
		{secure, "https://shop.nl/?consumer_key=ck", "", "", connector.CodeUnreachable},
		{secure, "shop.nl", "", "", connector.CodeUnreachable},
		{NewCustomPlatform(PlatformOptions{}), "https://api.shop.nl/wc/v3/", "https://api.shop.nl/wc/v3", "", ""},
		{NewCustomPlatform(PlatformOptions{}), "http://api.shop.nl/wc/v3", "", "", connector.CodeTLS},
	}
	for _, c := range cases {
		got, err := c.platform.New(connector.Options{BaseURL: c.in})
		if c.code != "" {
			if ce := asConnErr(t, err); ce.Code != c.code {
				t.Errorf("%s: %+v", c.in, ce)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		cn := got.(*conn)
		if cn.base != c.base || cn.root != c.root {
			t.Errorf("%s: base %q root %q", c.in, cn.base, cn.root)
		}
	}
	if woo.Name() != "woocommerce" || custom.Name() != "custom" {
		t.Fatal("platform names")
	}
}
