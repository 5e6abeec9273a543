// Package woocommerce reads supplier webshops through the WooCommerce REST
// API (wc/v3). It also serves the "custom" route: suppliers with their own
// system build an API with the same shape (docs/integration-guide.md), and
// OHIS reads it with the same connector, minus the WordPress-specific
// checks.
//
// Facts about the API are in /work/shared/apis/CONNECTORS.md §1; the
// verbatim payloads it is tested against are in testdata/.
package woocommerce

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/netguard"
)

// Platform names as stored on connections.
const (
	PlatformName       = "woocommerce"
	CustomPlatformName = "custom"
)

// APIPath is where WordPress serves the WooCommerce REST API below the
// shop's address.
const APIPath = "/wp-json/wc/v3"

// Defaults of connector.Options.
const (
	DefaultConcurrency = 4
	DefaultMaxRetries  = 4
)

// PlatformOptions configure a platform.
type PlatformOptions struct {
	// AllowInsecure permits plain http:// addresses (demo and tests only).
	AllowInsecure bool
}

type platform struct {
	name   string
	custom bool
	opts   PlatformOptions
}

// NewPlatform is WooCommerce: the supplier gives the shop's address
// (https://shop.nl, possibly with a sub-path); the API is below it at
// /wp-json/wc/v3.
func NewPlatform(opts PlatformOptions) connector.Platform {
	return &platform{name: PlatformName, opts: opts}
}

// NewCustomPlatform is a supplier's own WooCommerce-shaped API: the
// supplier gives the API's base address itself (e.g.
// https://api.shop.nl/wc/v3); there is no WordPress index or system status.
func NewCustomPlatform(opts PlatformOptions) connector.Platform {
	return &platform{name: CustomPlatformName, custom: true, opts: opts}
}

func (p *platform) Name() string { return p.name }

// variations listing availability, learned once per connector.
const (
	variationsUnknown int32 = iota
	variationsYes
	variationsNo
)

// conn is a connector for one shop.
type conn struct {
	p          *platform
	base       string // API base, no trailing slash
	root       string // shop address (woocommerce only), no trailing slash
	host       string // host name for messages
	creds      connector.Credentials
	client     *http.Client
	sem        chan struct{}
	width      int // pages in flight
	maxRetries int
	sleep      func(ctx context.Context, d time.Duration) error

	variations atomic.Int32
}

// New makes a connector for one shop. It fails with a *connector.Error
// when the address is unusable.
func (p *platform) New(opts connector.Options) (connector.Connector, error) {
	base, root, host, err := p.addresses(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &conn{
		p: p, base: base, root: root, host: host,
		creds:      opts.Credentials,
		client:     opts.Client,
		width:      opts.Concurrency,
		maxRetries: opts.MaxRetries,
		sleep:      opts.Sleep,
	}
	if c.client == nil {
		c.client = netguard.NewClient(netguard.Options{AllowPrivate: p.opts.AllowInsecure})
	}
	if c.width <= 0 {
		c.width = DefaultConcurrency
	}
	if c.maxRetries == 0 {
		c.maxRetries = DefaultMaxRetries
	} else if c.maxRetries < 0 {
		c.maxRetries = 0
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	c.sem = make(chan struct{}, c.width)
	return c, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// addresses checks the address the supplier gave and derives the API base
// and (for WooCommerce) the shop's root.
func (p *platform) addresses(raw string) (base, root, host string, err error) {
	bad := func(msg, detail string) (string, string, string, error) {
		return "", "", "", &connector.Error{Code: connector.CodeUnreachable, Message: msg, Detail: detail}
	}
	u, perr := url.Parse(strings.TrimSpace(raw))
	if perr != nil || u.Host == "" || u.Opaque != "" {
		return bad("Het adres is geen volledig webadres; begin met https://, bijvoorbeeld https://www.uwwinkel.nl.", fmt.Sprintf("unparsable base URL (%d characters)", len(raw)))
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !p.opts.AllowInsecure {
			return "", "", "", &connector.Error{
				Code:    connector.CodeTLS,
				Message: "Het adres moet met https:// beginnen: OHIS koppelt alleen over een versleutelde verbinding, zodat uw API-sleutel niet onderweg kan worden afgeluisterd.",
				Detail:  "plain http refused: " + stripQuery(u.Redacted()),
			}
		}
	default:
		return bad("Het adres moet met https:// beginnen.", "scheme "+u.Scheme)
	}
	if u.User != nil {
		return bad("Zet geen gebruikersnaam of wachtwoord in het adres; vul de sleutel en het geheim in de velden daarvoor in.", "userinfo in base URL")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return bad("Laat het deel vanaf ? of # weg uit het adres.", "query or fragment in base URL")
	}
	host = strings.ToLower(u.Hostname())
	hostPort := host
	if port := u.Port(); port != "" {
		hostPort = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		hostPort = "[" + host + "]"
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	prefix := strings.ToLower(u.Scheme) + "://" + hostPort
	if p.custom {
		return prefix + path, "", host, nil
	}
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, APIPath):
		path = path[:len(path)-len(APIPath)]
	case strings.HasSuffix(lower, "/wp-json"):
		path = path[:len(path)-len("/wp-json")]
	}
	root = prefix + path
	return root + APIPath, root, host, nil
}

// Wording for messages: the WooCommerce shop or the supplier's own API.
func (c *conn) subject() string {
	if c.p.custom {
		return "Uw API"
	}
	return "De webshop"
}

func (c *conn) object() string {
	if c.p.custom {
		return "uw API"
	}
	return "uw webshop"
}

func (c *conn) objectShort() string {
	if c.p.custom {
		return "uw API"
	}
	return "de webshop"
}

func (c *conn) hostPort() string {
	u, err := url.Parse(c.base)
	if err != nil {
		return c.host
	}
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "http" {
		return net.JoinHostPort(u.Hostname(), "80")
	}
	return net.JoinHostPort(u.Hostname(), "443")
}
