package netguard

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestBlocked(t *testing.T) {
	cases := []struct {
		addr    string
		blocked bool
	}{
		// Public unicast.
		{"93.184.215.14", false},
		{"1.1.1.1", false},
		{"8.8.8.8", false},
		{"2a00:1450:400e:80f::200e", false},
		{"2606:4700:4700::1111", false},
		{"100.63.255.255", false}, // just below CGNAT
		{"100.128.0.0", false},    // just above CGNAT
		{"172.32.0.1", false},     // just above 172.16/12
		{"198.20.0.1", false},     // just above benchmarking
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", false},  // 6to4 of 8.8.8.8

		// IPv4 special purpose.
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"10.0.0.1", true},
		{"10.255.255.255", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"127.0.0.1", true},
		{"127.8.9.10", true},
		{"169.254.169.254", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.0.0.8", true},
		{"192.0.2.1", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},

		// IPv6 special purpose.
		{"::", true},
		{"::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fc00::1", true},
		{"fd12:3456:789a::1", true},
		{"ff02::1", true},
		{"ff05::2", true},
		{"2001:db8::1", true},
		{"3fff::1", true},
		{"2001::1", true}, // Teredo
		{"100::1", true},
		{"fec0::1", true},

		// IPv6 forms embedding blocked IPv4 addresses.
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"::ffff:169.254.169.254", true},
		{"::127.0.0.1", true}, // IPv4-compatible
		{"::10.1.2.3", true},
		{"64:ff9b::7f00:1", true},    // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", true}, // NAT64 of 169.254.169.254
		{"64:ff9b:1::1", true},
		{"2002:7f00:1::1", true}, // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", true},
		{"::ffff:0:a00:1", true}, // SIIT of 10.0.0.1
	}
	for _, c := range cases {
		a, err := netip.ParseAddr(c.addr)
		if err != nil {
			t.Fatalf("parse %s: %v", c.addr, err)
		}
		if got := Blocked(a); got != c.blocked {
			t.Errorf("Blocked(%s) = %v, want %v", c.addr, got, c.blocked)
		}
		err = Check(a)
		if c.blocked != (err != nil) || (err != nil && !errors.Is(err, ErrBlocked)) {
			t.Errorf("Check(%s) = %v", c.addr, err)
		}
	}
	if !Blocked(netip.Addr{}) {
		t.Error("the zero Addr must be blocked")
	}
}

func TestControlFailsClosed(t *testing.T) {
	if err := control("tcp", "not-an-address", nil); !errors.Is(err, ErrBlocked) {
		t.Fatalf("control on garbage = %v", err)
	}
	if err := control("tcp", "[::1]:443", nil); !errors.Is(err, ErrBlocked) {
		t.Fatalf("control on ::1 = %v", err)
	}
	if err := control("tcp", "8.8.8.8:443", nil); err != nil {
		t.Fatalf("control on 8.8.8.8 = %v", err)
	}
}

func TestLocalListener(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hallo")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	guarded := NewClient(Options{Timeout: 5 * time.Second})
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/"} {
		resp, err := guarded.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET %s succeeded through the guard", u)
		}
		if !errors.Is(err, ErrBlocked) {
			t.Fatalf("GET %s: %v, want ErrBlocked", u, err)
		}
	}

	open := NewClient(Options{AllowPrivate: true, Timeout: 5 * time.Second})
	resp, err := open.Get(srv.URL)
	if err != nil {
		t.Fatalf("with AllowPrivate: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hallo" {
		t.Fatalf("body %q", body)
	}
}

func TestNoRedirectsNoProxy(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://127.0.0.1:1")
	t.Setenv("HTTPS_PROXY", "http://127.0.0.1:1")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/elders", http.StatusMovedPermanently)
			return
		}
		fmt.Fprint(w, "doel")
	}))
	defer srv.Close()
	c := NewClient(Options{AllowPrivate: true})
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/elders" {
		t.Fatalf("status %d location %q: redirect was followed", resp.StatusCode, resp.Header.Get("Location"))
	}
	tr := c.Transport.(*http.Transport)
	if tr.Proxy != nil {
		t.Fatal("proxy from environment")
	}
	if tr.TLSClientConfig.MinVersion < 0x0303 {
		t.Fatal("TLS below 1.2 allowed")
	}
	if c.Timeout != DefaultTimeout || tr.ResponseHeaderTimeout != DefaultTimeout {
		t.Fatalf("timeouts %v %v", c.Timeout, tr.ResponseHeaderTimeout)
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := NewClient(Options{AllowPrivate: true, Timeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := c.Get(srv.URL)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatal("timeout not honoured")
	}
}
