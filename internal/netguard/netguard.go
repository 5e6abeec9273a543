// Package netguard builds the HTTP client OHIS uses for every request to an
// address a supplier gave (webshop URLs, API base URLs). It refuses to
// connect to loopback, private, link-local and other special-purpose
// addresses. The check runs on the address actually dialled, after DNS
// resolution, so a host name that resolves (or re-resolves, DNS rebinding)
// to an internal address cannot reach it.
package netguard

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrBlocked is wrapped in the error of a connection refused because it
// would reach an internal or special-purpose address. Callers test it with
// errors.Is and report connector.CodeBlocked.
var ErrBlocked = errors.New("netguard: address is not public")

// Options configure the client.
type Options struct {
	// AllowPrivate permits loopback and private addresses (demo and tests
	// only; configuration forbids it in production). It also lets
	// connectors accept plain http:// addresses.
	AllowPrivate bool
	// Timeout bounds each request, from dialling to the end of the body
	// (default 30 s). It is also the response header timeout.
	Timeout time.Duration
}

// AllowsInsecure reports whether plain http:// addresses may be used: only
// together with private addresses, for the demo and tests.
func (o Options) AllowsInsecure() bool { return o.AllowPrivate }

// DefaultTimeout is used when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Timeouts of the parts of a connection.
const (
	DialTimeout         = 10 * time.Second
	TLSHandshakeTimeout = 10 * time.Second
	// MaxIdleConnsPerHost is at least the largest shop concurrency the
	// configuration allows (32), so parallel page fetches reuse connections.
	MaxIdleConnsPerHost = 32
)

// NewClient returns an HTTP client that dials only public addresses (unless
// opts.AllowPrivate), ignores proxy settings from the environment, never
// follows redirects (the caller gets the 3xx response and reports its
// Location), requires TLS 1.2 or newer and bounds every phase with a
// timeout.
func NewClient(opts Options) *http.Client {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{
		Timeout:   DialTimeout,
		KeepAlive: 30 * time.Second,
	}
	if !opts.AllowPrivate {
		dialer.Control = control
	}
	transport := &http.Transport{
		Proxy:                  nil, // never from the environment
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    TLSHandshakeTimeout,
		ResponseHeaderTimeout:  timeout,
		ExpectContinueTimeout:  time.Second,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    MaxIdleConnsPerHost,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// control runs after DNS resolution for every address the dialer tries.
func control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		// Fail closed: the dialer always passes a literal ip:port.
		return fmt.Errorf("%w: %q is not an IP address", ErrBlocked, address)
	}
	return Check(ap.Addr())
}

// Check returns nil for a public unicast address and an error wrapping
// ErrBlocked otherwise.
func Check(addr netip.Addr) error {
	if Blocked(addr) {
		return fmt.Errorf("%w: %s", ErrBlocked, addr.WithZone(""))
	}
	return nil
}

// blockedV4 are IPv4 ranges that are not globally reachable unicast
// (IANA IPv4 Special-Purpose Address Registry, plus multicast and the
// reserved block).
var blockedV4 = prefixes(
	"0.0.0.0/8",       // "this network", unspecified
	"10.0.0.0/8",      // private (RFC 1918)
	"100.64.0.0/10",   // shared address space, carrier-grade NAT (RFC 6598)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local (cloud metadata services live here)
	"172.16.0.0/12",   // private (RFC 1918)
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // documentation TEST-NET-1
	"192.31.196.0/24", // AS112-v4
	"192.52.193.0/24", // AMT
	"192.88.99.0/24",  // deprecated 6to4 relay anycast
	"192.168.0.0/16",  // private (RFC 1918)
	"192.175.48.0/24", // direct delegation AS112
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // documentation TEST-NET-2
	"203.0.113.0/24",  // documentation TEST-NET-3
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, includes 255.255.255.255 broadcast
)

// blockedV6 are IPv6 ranges that are not globally reachable unicast. The
// ranges that embed an IPv4 address are handled in Blocked.
var blockedV6 = prefixes(
	"::/128",         // unspecified
	"::1/128",        // loopback
	"64:ff9b:1::/48", // local-use IPv4/IPv6 translation
	"100::/64",       // discard-only
	"2001::/23",      // IETF protocol assignments (Teredo, ORCHID, benchmarking…)
	"2001:db8::/32",  // documentation
	"3fff::/20",      // documentation (RFC 9637)
	"5f00::/16",      // segment routing SIDs
	"fc00::/7",       // unique local addresses
	"fe80::/10",      // link-local
	"fec0::/10",      // deprecated site-local
	"ff00::/8",       // multicast
)

var (
	mappedV4  = netip.MustParsePrefix("::ffff:0:0/96")   // IPv4-mapped
	compatV4  = netip.MustParsePrefix("::/96")           // deprecated IPv4-compatible
	nat64     = netip.MustParsePrefix("64:ff9b::/96")    // well-known NAT64 prefix
	sixToFour = netip.MustParsePrefix("2002::/16")       // 6to4, embeds IPv4 in bits 16–47
	translat  = netip.MustParsePrefix("::ffff:0:0:0/96") // SIIT IPv4-translated
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// Blocked reports whether addr must not be dialled: anything but a
// globally reachable unicast address, including IPv6 forms that embed a
// blocked IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
func Blocked(addr netip.Addr) bool {
	if !addr.IsValid() {
		return true
	}
	addr = addr.WithZone("")
	if addr.Is4In6() {
		return blocked4(addr.Unmap())
	}
	if addr.Is4() {
		return blocked4(addr)
	}
	for _, p := range blockedV6 {
		if p.Contains(addr) {
			return true
		}
	}
	b := addr.As16()
	switch {
	case compatV4.Contains(addr), nat64.Contains(addr), translat.Contains(addr):
		return blocked4(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	case sixToFour.Contains(addr):
		return blocked4(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
	}
	if addr.IsLoopback() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsPrivate() || addr.IsUnspecified() {
		return true
	}
	return false
}

func blocked4(addr netip.Addr) bool {
	for _, p := range blockedV4 {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
