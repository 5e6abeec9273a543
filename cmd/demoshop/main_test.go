package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/demoshop"
)

// start runs the command and returns its base URL and a stop function that
// returns run's error and its full output.
func start(t *testing.T, args ...string) (string, func() (string, error)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), pw, io.Discard)
		pw.Close()
		errc <- err
	}()
	sc := bufio.NewScanner(pr)
	var out strings.Builder
	var base string
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if b, ok := strings.CutPrefix(line, "demoshop: "); ok {
			base = b
			break
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("no base URL; output %q, err %v", out.String(), <-errc)
	}
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(pr)
		rest <- string(b)
	}()
	stopped := false
	stop := func() (string, error) {
		stopped = true
		cancel()
		select {
		case err := <-errc:
			return out.String() + <-rest, err
		case <-time.After(10 * time.Second):
			t.Fatal("demoshop did not stop")
			return "", nil
		}
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	return base, stop
}

func TestRunServesAndStops(t *testing.T) {
	base, stop := start(t, "-products", "12", "-brands", "-key", "ck_0123456789abcdef0123456789abcdef01234567", "-secret", "cs_x", "-variable-every", "0")
	req, _ := http.NewRequest("GET", base+"/wp-json/wc/v3/products?per_page=100&_fields=id,type,brands", nil)
	req.SetBasicAuth("ck_0123456789abcdef0123456789abcdef01234567", "cs_x")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(list) != 12 || resp.Header.Get("X-WP-Total") != "12" {
		t.Fatalf("%d products", len(list))
	}
	for _, p := range list {
		if p["type"] != "simple" || p["brands"] == nil {
			t.Errorf("product %v: type %v brands %v (want simple with -variable-every 0 and -brands)", p["id"], p["type"], p["brands"])
		}
	}
	resp, err = http.Get(base + "/demoshop/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("admin page without -admin: %d", resp.StatusCode)
	}
	out, err := stop()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"consumer key:    ck_0123456789abcdef0123456789abcdef01234567", "consumer secret: cs_x", "catalogue: 12 simple", "demoshop: stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunTLSSelfSigned(t *testing.T) {
	base, stop := start(t, "-tls", "-admin", "-products", "3")
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("base %q", base)
	}
	// A normal client refuses the certificate.
	_, err := http.Get(base + "/wp-json/")
	var certErr *tls.CertificateVerificationError
	if err == nil || !errors.As(err, &certErr) {
		t.Errorf("self-signed certificate accepted or other error: %v", err)
	}
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	req, _ := http.NewRequest("GET", base+"/wp-json/wc/v3/system_status", nil)
	req.SetBasicAuth(demoshop.DefaultConsumerKey, demoshop.DefaultConsumerSecret)
	resp, err := insecure.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Environment struct {
			SiteURL string `json:"site_url"`
		} `json:"environment"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if st.Environment.SiteURL != base {
		t.Errorf("site_url %q, want %q", st.Environment.SiteURL, base)
	}
	resp, err = insecure.Get(base + "/demoshop/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("admin page with -admin: %d", resp.StatusCode)
	}
	out, err := stop()
	if err != nil || !strings.Contains(out, "self-signed certificate SHA-256: ") {
		t.Errorf("stop: %v\n%s", err, out)
	}
}

func TestRunBadFlags(t *testing.T) {
	if err := run(context.Background(), []string{"-products", "0"}, io.Discard, io.Discard); err == nil {
		t.Error("-products 0 accepted")
	}
	if err := run(context.Background(), []string{"-nope"}, io.Discard, io.Discard); err == nil {
		t.Error("unknown flag accepted")
	}
}
