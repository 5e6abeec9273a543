// Command demoshop runs the WooCommerce-compatible demo shop of package
// internal/demoshop on its own, e.g. to connect a local OHIS to it:
//
//	go run ./cmd/demoshop -products 500 -brands -admin
//
// It prints its base URL and REST API keys and stops gracefully on
// SIGINT/SIGTERM. -tls serves HTTPS with a self-signed certificate made at
// start (for certificate-error tests).
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/wujw/ohis/internal/demoshop"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "demoshop:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. It writes "demoshop: <base URL>" and the keys to
// out once listening.
func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	fs := flag.NewFlagSet("demoshop", flag.ContinueOnError)
	fs.SetOutput(errOut)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	products := fs.Int("products", 50, "number of generated products")
	every := fs.Int("variable-every", 5, "every Nth product is variable (0: none)")
	per := fs.Int("variations-per", 5, "variations per variable product (0: none)")
	seed := fs.Int64("seed", 1, "catalogue seed")
	latency := fs.Duration("latency", 0, "added to every API request, e.g. 50ms")
	brands := fs.Bool("brands", false, "serve product brands (/products/brands)")
	noVariations := fs.Bool("no-variations-endpoint", false, "store-wide /variations answers 404 (WooCommerce < 10.3)")
	key := fs.String("key", demoshop.DefaultConsumerKey, "consumer key")
	secret := fs.String("secret", demoshop.DefaultConsumerSecret, "consumer secret")
	admin := fs.Bool("admin", false, "serve the demo admin page at /demoshop/")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a self-signed certificate")
	verbose := fs.Bool("v", false, "log webhook deliveries")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	if *products < 1 {
		return errors.New("-products must be at least 1")
	}
	// The library treats 0 as "default"; on the command line 0 means none.
	if *every == 0 {
		*every = -1
	}
	if *per == 0 {
		*per = -1
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: level}))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	scheme := "http"
	var fingerprint string
	if *useTLS {
		cert, fp, err := selfSigned()
		if err != nil {
			ln.Close()
			return err
		}
		fingerprint = fp
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	base := scheme + "://" + ln.Addr().String()

	shop := demoshop.New(demoshop.Options{
		Products:             *products,
		VariableEvery:        *every,
		VariationsPer:        *per,
		Seed:                 *seed,
		Brands:               *brands,
		NoVariationsEndpoint: *noVariations,
		ConsumerKey:          *key,
		ConsumerSecret:       *secret,
		Latency:              *latency,
		AdminPage:            *admin,
		BaseURL:              base,
		Logger:               logger,
	})
	defer shop.Close()
	srv := &http.Server{Handler: shop.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}

	st := shop.Stats()
	fmt.Fprintf(out, "demoshop: %s\n", base)
	fmt.Fprintf(out, "consumer key:    %s\nconsumer secret: %s\n", *key, *secret)
	fmt.Fprintf(out, "catalogue: %d simple, %d variable (%d variations), %d grouped, %d external\n", st.Simple, st.Variable, st.Variations, st.Grouped, st.External)
	if fingerprint != "" {
		fmt.Fprintf(out, "self-signed certificate SHA-256: %s\n", fingerprint)
	}
	if *admin {
		fmt.Fprintf(out, "admin page: %s/demoshop/\n", base)
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	fmt.Fprintln(out, "demoshop: stopped")
	return nil
}

// selfSigned makes a certificate for localhost/127.0.0.1/::1 valid 24 h.
func selfSigned() (tls.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, "", err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "demoshop self-signed", Organization: []string{"OHIS demoshop"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	sum := sha256.Sum256(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, fmt.Sprintf("%X", sum), nil
}
