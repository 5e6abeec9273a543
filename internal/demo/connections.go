package demo

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/connections"
	"github.com/wujw/ohis/internal/demoshop"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

// Shop is a demo webshop running in the portal's process on a loopback
// port, for a demo supplier to sync from.
type Shop struct {
	Name     string // the shop's name, e.g. "De Groene Woning"
	Supplier string // the demo supplier it belongs to
	Platform string // connections.PlatformWooCommerce or PlatformCustom
	// URL is the shop's address; APIURL what the supplier enters (the
	// shop's address for WooCommerce, the API base for the custom route).
	URL      string
	APIURL   string
	AdminURL string
	Key      string
	Secret   string
	// Environments the demo supplier connects the shop in.
	Environments []admission.Environment
	Shop         *demoshop.Shop
}

// shopSpec describes a demo shop.
type shopSpec struct {
	name, supplier, platform string
	opts                     demoshop.Options
	envs                     []admission.Environment
}

var shopSpecs = []shopSpec{
	{name: "De Groene Woning", supplier: "Groene Woning B.V.", platform: connections.PlatformWooCommerce,
		opts: demoshop.Options{Products: 120, Brands: true, Seed: 1, SiteName: "De Groene Woning", Latency: 40 * time.Millisecond},
		envs: []admission.Environment{admission.EnvProduction, admission.EnvTest}},
	{name: "Zonnig Wonen", supplier: "Zonnig Wonen", platform: connections.PlatformCustom,
		opts: demoshop.Options{Products: 40, Brands: false, Seed: 2, SiteName: "Zonnig Wonen", Latency: 40 * time.Millisecond},
		envs: []admission.Environment{admission.EnvTest}},
}

// demoKey is a stable WooCommerce-style key: prefix and 40 hex characters.
func demoKey(prefix, name string) string {
	sum := sha1.Sum([]byte("ohis demo " + prefix + name))
	return prefix + hex.EncodeToString(sum[:])
}

// StartShops starts the demo webshops on free loopback ports, with their
// admin pages on. stop shuts them down.
func StartShops(logger *slog.Logger) (shops []*Shop, stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	for _, spec := range shopSpecs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			stop()
			return nil, nil, fmt.Errorf("demo shop %s: %w", spec.name, err)
		}
		base := "http://" + ln.Addr().String()
		opts := spec.opts
		opts.AdminPage, opts.BaseURL, opts.Logger = true, base, logger
		opts.ConsumerKey, opts.ConsumerSecret = demoKey("ck_", spec.name), demoKey("cs_", spec.name)
		ds := demoshop.New(opts)
		srv := &http.Server{Handler: ds.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		stops = append(stops, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(ctx)
			ds.Close()
		})
		s := &Shop{Name: spec.name, Supplier: spec.supplier, Platform: spec.platform, URL: base, APIURL: base,
			AdminURL: base + "/demoshop/", Key: opts.ConsumerKey, Secret: opts.ConsumerSecret, Environments: spec.envs, Shop: ds}
		if spec.platform == connections.PlatformCustom {
			s.APIURL = base + "/wp-json/wc/v3"
		}
		shops = append(shops, s)
	}
	return shops, stop, nil
}

// SeedConnections connects the demo suppliers to their demo shops: Groene
// Woning is moved on to production (so the public catalogue has products)
// and connects in production and test, Zonnig Wonen in test. Idempotent:
// on every start existing connections get the shops' new addresses and a
// full sync. Runs after Seed and SeedAdmission.
func SeedConnections(ctx context.Context, st *store.Store, sup *supplier.Service, conns *connections.Service, shops []*Shop) error {
	system := audit.Actor{Email: "demo-data"}
	for _, shop := range shops {
		s, err := st.SupplierGetByName(ctx, shop.Supplier)
		if err != nil {
			return fmt.Errorf("demo supplier %s: %w", shop.Supplier, err)
		}
		for _, env := range shop.Environments {
			if env == admission.EnvProduction {
				if err := toProduction(ctx, st, sup, s.ID, system); err != nil {
					return fmt.Errorf("moving %s to production: %w", shop.Supplier, err)
				}
			}
			id, err := st.ConnectionIDByEnvironment(ctx, s.ID, string(env))
			switch {
			case errors.Is(err, store.ErrNotFound):
				_, err = conns.Create(ctx, s.ID, system, connections.Input{Environment: string(env), Platform: shop.Platform,
					ShopURL: shop.APIURL, Key: shop.Key, Secret: shop.Secret})
			case err == nil:
				err = conns.UpdateShopURL(ctx, s.ID, id, system, shop.APIURL)
			}
			if err != nil {
				return fmt.Errorf("demo connection %s (%s): %w", shop.Name, env, err)
			}
		}
	}
	return nil
}

// toProduction takes a demo supplier's admitted application through the
// rest of the admission: an acceptance key and "integration ready" through
// the admission service, then the integration test as passed.
func toProduction(ctx context.Context, st *store.Store, sup *supplier.Service, supplierID int64, actor audit.Actor) error {
	for range 4 {
		a, err := st.ApplicationBySupplier(ctx, supplierID)
		if err != nil {
			return err
		}
		switch a.State {
		case admission.Production:
			return nil
		case admission.Admitted:
			if _, err := sup.CreateAPIKey(ctx, actor, supplierID, admission.EnvAcceptance, "Demo acceptatie"); err != nil {
				return err
			}
			if err := sup.ReportReady(ctx, actor, supplierID); err != nil {
				return err
			}
		case admission.IntegrationReady, admission.TestBooked:
			next, reason := admission.TestBooked, "demo: integratietest gepland"
			if a.State == admission.TestBooked {
				next, reason = admission.Production, "demo: integratietest geslaagd"
			}
			err := st.InTx(ctx, func(tx *store.Store) error {
				locked, err := tx.ApplicationGetForUpdate(ctx, a.ID)
				if err != nil {
					return err
				}
				_, err = tx.ApplicationMove(ctx, locked, next, actor, reason)
				return err
			})
			if err != nil {
				return err
			}
		default:
			return fmt.Errorf("application in state %s cannot move to production", a.State)
		}
	}
	return errors.New("application did not reach production")
}
