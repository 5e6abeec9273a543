package connections

import (
	"net/http"

	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/connector/woocommerce"
	"github.com/wujw/ohis/internal/netguard"
)

// DefaultPlatforms are the implemented platforms: WooCommerce, and the
// custom route (a supplier's own API in the WooCommerce structure) on the
// same connector. Plain http is accepted only where private shops are
// (the demo and tests).
func DefaultPlatforms(cfg *config.Config) map[string]connector.Platform {
	opts := woocommerce.PlatformOptions{AllowInsecure: cfg.Sync.AllowPrivateShops}
	out := map[string]connector.Platform{}
	for _, p := range []connector.Platform{woocommerce.NewPlatform(opts), woocommerce.NewCustomPlatform(opts)} {
		out[p.Name()] = p
	}
	return out
}

// NewClient is the HTTP client for supplier shops: public addresses only
// (unless private shops are allowed), every request bounded by the
// configured timeout.
func NewClient(cfg *config.Config) *http.Client {
	return netguard.NewClient(netguard.Options{AllowPrivate: cfg.Sync.AllowPrivateShops, Timeout: cfg.Sync.RequestTimeout})
}
