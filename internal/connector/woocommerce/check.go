package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wujw/ohis/internal/connector"
)

// The steps of a connection check, in order.
const (
	StepReachable = "Adres bereikbaar"
	StepTLS       = "Beveiligde verbinding (TLS)"
	StepREST      = "REST API beschikbaar"
	StepKey       = "API-sleutel geaccepteerd"
	StepVersion   = "Versie"
)

// wpIndex is the WordPress REST index (GET /wp-json/).
type wpIndex struct {
	Name       string                     `json:"name"`
	Namespaces []string                   `json:"namespaces"`
	Routes     map[string]json.RawMessage `json:"routes"`
}

// route looks a route up in the index (absent when the index does not
// list routes at all, as some plugins and trimmed indexes do).
func (idx *wpIndex) route(r string) (json.RawMessage, bool) {
	if idx == nil || idx.Routes == nil {
		return nil, false
	}
	v, ok := idx.Routes[r]
	return v, ok
}

type checker struct {
	c   *conn
	rep connector.CheckReport
}

func (k *checker) ok(step, msg string) {
	k.rep.Steps = append(k.rep.Steps, connector.CheckStep{Name: step, OK: true, Message: msg})
}

func (k *checker) fail(step string, e *connector.Error) connector.CheckReport {
	k.rep.Steps = append(k.rep.Steps, connector.CheckStep{Name: step, Message: e.Message})
	k.rep.Err = e
	return k.rep
}

// asError turns any error into a *connector.Error (the context's end
// becomes a time-out).
func (c *conn) asError(err error) *connector.Error {
	var ce *connector.Error
	if errors.As(err, &ce) {
		return ce
	}
	return &connector.Error{Code: connector.CodeTimeout, Message: "De controle is afgebroken voordat " + c.objectShort() + " antwoordde. Probeer het opnieuw.", Detail: err.Error()}
}

// connected records the first two steps after the first request: a
// transport failure fails one of them; a response passes both. It returns
// false when the check must stop.
func (k *checker) connected(resp *response, err error) bool {
	c := k.c
	if err != nil {
		e := c.asError(err)
		switch e.Code {
		case connector.CodeTLS:
			k.ok(StepReachable, "Verbonden met "+c.host+".")
			k.fail(StepTLS, e)
			return false
		case connector.CodeRateLimited, connector.CodeServer:
			k.ok(StepReachable, "Verbonden met "+c.host+".")
			k.ok(StepTLS, k.tlsNote())
			k.fail(StepREST, e)
			return false
		}
		k.fail(StepReachable, e)
		return false
	}
	if resp.status >= 300 && resp.status < 400 {
		k.fail(StepReachable, c.statusError(resp))
		return false
	}
	k.ok(StepReachable, "Verbonden met "+c.host+".")
	k.ok(StepTLS, k.tlsNote())
	return true
}

func (k *checker) tlsNote() string {
	if strings.HasPrefix(k.c.base, "http://") {
		return "Geen versleuteling: http:// is alleen toegestaan in de demo- en testomgeving."
	}
	return "Het certificaat is geldig en de verbinding is versleuteld."
}

// Check tests the connection step by step and stops at the first failure.
func (c *conn) Check(ctx context.Context) connector.CheckReport {
	k := &checker{c: c}
	k.rep.Info.APIVersion = "wc/v3"
	if c.p.custom {
		return c.checkCustom(ctx, k)
	}
	return c.checkWoo(ctx, k)
}

func (c *conn) checkWoo(ctx context.Context, k *checker) connector.CheckReport {
	resp, err := c.do(ctx, request{method: http.MethodGet, abs: c.root + "/wp-json/", anonymous: true, quick: true})
	if !k.connected(resp, err) {
		return k.rep
	}

	var index *wpIndex
	switch {
	case resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden:
		// A plugin hides the index from anonymous visitors; the
		// authenticated request below tells whether wc/v3 answers.
		k.ok(StepREST, "De REST API is afgeschermd voor bezoekers; wij controleren hem hieronder met de API-sleutel.")
	case resp.status >= 200 && resp.status < 300 && isJSONObject(resp.body):
		var idx wpIndex
		if err := json.Unmarshal(trimJSON(resp.body), &idx); err != nil || idx.Namespaces == nil {
			return k.fail(StepREST, c.noREST(ctx, resp))
		}
		index = &idx
		k.rep.Info.Name = cleanText(idx.Name)
		if !contains(idx.Namespaces, "wc/v3") {
			return k.fail(StepREST, &connector.Error{
				Code:    connector.CodeNotWooCommerce,
				Status:  resp.status,
				Message: "Dit is wel een WordPress-site, maar WooCommerce (REST API wc/v3) is niet actief. Controleer of de plugin WooCommerce is geïnstalleerd en ingeschakeld (versie 3.5 of nieuwer), en of dit het adres van de webshop is.",
				Detail:  fmt.Sprintf("GET %s/wp-json/: namespaces %s", c.root, strings.Join(firstN(idx.Namespaces, 20), ", ")),
			})
		}
		k.ok(StepREST, "De WooCommerce REST API (wc/v3) is beschikbaar.")
	default:
		return k.fail(StepREST, c.noREST(ctx, resp))
	}

	// The key: system status (also gives the version); a key whose user may
	// not see it is tried on the product list.
	var status struct {
		Environment struct {
			Version string `json:"version"`
			SiteURL string `json:"site_url"`
		} `json:"environment"`
		Settings struct {
			Currency string `json:"currency"`
		} `json:"settings"`
	}
	version := ""
	_, err = c.getJSON(ctx, request{method: http.MethodGet, path: "/system_status", query: url.Values{"_fields": {"environment,settings"}}, quick: true}, &status)
	if err != nil {
		e := c.asError(err)
		if e.Code != connector.CodeAuth || e.Status != http.StatusForbidden && !strings.Contains(e.Detail, "cannot_view") {
			return k.fail(StepKey, e)
		}
		// The key works but its user may not see the system status: read
		// one product instead; the version stays unknown.
		presp, perr := c.do(ctx, request{method: http.MethodGet, path: "/products", query: url.Values{"per_page": {"1"}, "_fields": {"id"}}, quick: true})
		if perr != nil {
			return k.fail(StepKey, c.asError(perr))
		}
		if presp.status < 200 || presp.status > 299 {
			return k.fail(StepKey, c.statusError(presp))
		}
		k.ok(StepKey, "De sleutel werkt en mag producten lezen.")
	} else {
		version = strings.TrimSpace(status.Environment.Version)
		k.ok(StepKey, "De sleutel werkt.")
	}

	major, minor, known := parseVersion(version)
	if known && (major < 3 || major == 3 && minor < 5) {
		return k.fail(StepVersion, &connector.Error{
			Code:    connector.CodeNotWooCommerce,
			Message: fmt.Sprintf("WooCommerce %s is te oud: OHIS heeft versie 3.5 of nieuwer nodig (REST API wc/v3). Werk WooCommerce bij.", version),
			Detail:  "environment.version=" + version,
		})
	}
	if known {
		k.rep.Info.Version = "WooCommerce " + version
	}
	if _, listed := index.route("/wc/v3/products"); listed {
		// The index lists the routes: no need to probe.
		_, k.rep.Info.VariationsListing = index.Routes["/wc/v3/variations"]
		_, k.rep.Info.BrandsSupported = index.Routes["/wc/v3/products/brands"]
	} else {
		k.rep.Info.VariationsListing = c.probe(ctx, "/variations")
		k.rep.Info.BrandsSupported = c.probe(ctx, "/products/brands")
	}
	c.learnVariations(k.rep.Info.VariationsListing)
	msg := "Versie onbekend (de sleutel mag de systeemstatus niet lezen)"
	if known {
		msg = "WooCommerce " + version
	}
	k.ok(StepVersion, msg+"; "+featureNote(k.rep.Info))
	return k.rep
}

func (c *conn) checkCustom(ctx context.Context, k *checker) connector.CheckReport {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: "/products", query: url.Values{"per_page": {"1"}}, quick: true})
	if !k.connected(resp, err) {
		return k.rep
	}
	switch {
	case resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden:
		k.ok(StepREST, "Uw API antwoordt op "+c.base+"/products.")
		return k.fail(StepKey, c.statusError(resp))
	case resp.status < 200 || resp.status > 299:
		return k.fail(StepREST, c.statusError(resp))
	case !isJSONArray(resp.body):
		return k.fail(StepREST, c.badJSON(resp, "array"))
	}
	note := ""
	if resp.header.Get("X-WP-Total") == "" || resp.header.Get("X-WP-TotalPages") == "" {
		note = " Let op: de headers X-WP-Total en X-WP-TotalPages ontbreken; die zijn nodig om zeker te weten dat wij alle producten hebben."
	}
	k.ok(StepREST, "Uw API geeft de productlijst als JSON."+note)
	k.ok(StepKey, "De sleutel werkt.")
	k.rep.Info.VariationsListing = c.probe(ctx, "/variations")
	k.rep.Info.BrandsSupported = c.probe(ctx, "/products/brands")
	c.learnVariations(k.rep.Info.VariationsListing)
	k.ok(StepVersion, "Eigen API volgens WooCommerce REST API wc/v3; "+featureNote(k.rep.Info))
	return k.rep
}

// learnVariations remembers what the check found about /variations.
func (c *conn) learnVariations(available bool) {
	if available {
		c.variations.Store(variationsYes)
	} else {
		c.variations.Store(variationsNo)
	}
}

func featureNote(info connector.ShopInfo) string {
	v := "variaties per product opgehaald"
	if info.VariationsListing {
		v = "alle variaties in één lijst"
	}
	b := "geen merken"
	if info.BrandsSupported {
		b = "merken beschikbaar"
	}
	return v + ", " + b + "."
}

// probe reports whether an optional list endpoint exists (2xx with a JSON
// array); any failure counts as absent.
func (c *conn) probe(ctx context.Context, path string) bool {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: path, query: url.Values{"per_page": {"1"}, "_fields": {"id"}}, quick: true})
	return err == nil && resp.status >= 200 && resp.status < 300 && isJSONArray(resp.body)
}

// noREST explains a missing WordPress REST index; it asks
// ?rest_route=/ to tell plain permalinks from a blocked API.
func (c *conn) noREST(ctx context.Context, resp *response) *connector.Error {
	e := &connector.Error{Code: connector.CodeNoREST, Status: resp.status, Detail: c.detail(resp), Message: noRESTMessage}
	alt, err := c.do(ctx, request{method: http.MethodGet, abs: c.root + "/", query: url.Values{"rest_route": {"/"}}, anonymous: true, quick: true})
	if err == nil && alt.status >= 200 && alt.status < 300 && isJSONObject(alt.body) {
		e.Message = "De REST API werkt alleen via ?rest_route=: de permalinks staan op 'Eenvoudig'. Kies onder Instellingen › Permalinks een andere structuur, bijvoorbeeld 'Berichtnaam', zodat /wp-json/ bereikbaar wordt."
		e.Detail += "; ?rest_route=/ answers"
	} else if !isJSONObject(resp.body) && resp.status >= 200 && resp.status < 300 {
		e.Message = "Op " + c.root + "/wp-json/ staat een gewone webpagina in plaats van de REST API. Is dit het adres van de WordPress-site? Anders staan de permalinks op 'Eenvoudig' of blokkeert een beveiligingsplugin of firewall de REST API. Kies onder Instellingen › Permalinks een andere structuur (bijvoorbeeld 'Berichtnaam') en zorg dat /wp-json/ bereikbaar is."
	}
	return e
}

func isJSONObject(b []byte) bool {
	b = trimJSON(b)
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

func isJSONArray(b []byte) bool {
	b = trimJSON(b)
	return len(b) > 0 && b[0] == '[' && json.Valid(b)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func firstN(list []string, n int) []string {
	if len(list) > n {
		return list[:n]
	}
	return list
}

// parseVersion reads "9.6.1" (also "3.5", "10.3.0-beta.1").
func parseVersion(v string) (int, int, bool) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minorStr := parts[1]
	if i := strings.IndexFunc(minorStr, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minorStr = minorStr[:i]
	}
	minor, err2 := strconv.Atoi(minorStr)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return major, minor, true
}
