// Package connector is the one interface OHIS talks to supplier webshops
// through. Each platform (WooCommerce — which also serves suppliers' own
// WooCommerce-shaped APIs —, later Shopify, Magento, Lightspeed) implements
// Platform and Connector; the syncer only ever sees the normalised model of
// package catalog.
//
// Order creation and refund reading will be separate interfaces
// (OrderCreator, RefundReader) that a Connector may also implement, found by
// type assertion, so a platform without them still syncs its catalogue.
package connector

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/wujw/ohis/internal/catalog"
)

// Credentials are what a supplier enters to let OHIS read its shop. For
// WooCommerce: consumer key and consumer secret. Stored sealed as JSON.
type Credentials struct {
	Key    string `json:"key"`
	Secret string `json:"secret"`
}

// Options configure a connector for one shop.
type Options struct {
	// BaseURL is the shop address the supplier gave (normalised).
	BaseURL     string
	Credentials Credentials
	// Client makes every request; build it with package netguard so
	// supplier-given addresses cannot reach internal networks. Its Timeout
	// bounds each request.
	Client *http.Client
	// Concurrency is how many requests OHIS may have open to one shop at a
	// time (default 4).
	Concurrency int
	// MaxRetries bounds retries of one request after 429/5xx/timeouts
	// (default 4). Retries honour Retry-After and back off exponentially.
	MaxRetries int
	// Sleep waits between retries; tests replace it. Default: a timer that
	// ends early when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Platform is a webshop platform: it makes connectors and handles the
// platform's webhooks (which need only the per-connection secret, not the
// credentials).
type Platform interface {
	// Name is the platform's id as stored on connections (e.g. "woocommerce").
	Name() string
	New(opts Options) (Connector, error)
	// VerifyWebhook checks the delivery's signature over the raw body in
	// constant time. A creation ping (no signature) returns ErrPing.
	VerifyWebhook(h http.Header, body []byte, secret []byte) error
	// ParseWebhook turns a verified delivery into an event.
	ParseWebhook(h http.Header, body []byte) (Event, error)
}

// Connector reads one shop.
type Connector interface {
	// Check tests reachability, TLS, credentials, REST availability and
	// version. The report lists each step; Err is the first failure.
	Check(ctx context.Context) CheckReport
	// Taxonomies reads the category tree, global attributes with terms and
	// brands (a shop without brands is not an error).
	Taxonomies(ctx context.Context) (catalog.Taxonomies, error)
	// ListCatalog streams products and variants modified at or after since
	// (everything when since is nil) into sink, page by page. It returns the
	// first error that stops the listing; per-item problems are reported as
	// item errors and do not stop it.
	ListCatalog(ctx context.Context, since *time.Time, sink Sink) error
	// ListIDs streams the ids of every product and variant the shop has
	// (any status but trash), for reconciling deletions. Only a nil return
	// means the listing was complete.
	ListIDs(ctx context.Context, sink IDSink) error
	// Webhooks lists the webhooks registered in the shop.
	Webhooks(ctx context.Context) ([]Webhook, error)
	// RegisterWebhook creates a webhook for topic delivering to deliveryURL,
	// signed with secret.
	RegisterWebhook(ctx context.Context, topic, deliveryURL string, secret []byte) (Webhook, error)
	// ActivateWebhook re-enables a webhook the shop disabled or paused.
	ActivateWebhook(ctx context.Context, id string) (Webhook, error)
	// DeleteWebhook removes a webhook (when a connection is removed).
	DeleteWebhook(ctx context.Context, id string) error
}

// ProductTopics are the webhook topics OHIS registers for the catalogue.
var ProductTopics = []string{"product.created", "product.updated", "product.deleted", "product.restored"}

// Webhook is a webhook registered in a shop. Status is the platform's
// (WooCommerce: active, paused, disabled).
type Webhook struct {
	ID          string
	Topic       string
	DeliveryURL string
	Status      string
}

// Active reports whether the shop delivers the webhook.
func (w Webhook) Active() bool { return w.Status == "active" }

// Page says where a listing is: Resource is "products" or "variations",
// Number counts from 1, Total is the number of pages of that resource as the
// shop reported it (0 when unknown), TotalItems likewise.
type Page struct {
	Resource   string
	Number     int
	Total      int
	TotalItems int
}

// ProductItem is one listed product, or why it could not be used: exactly
// one of Err and Skipped is set when Product is not usable. Skipped is a
// Dutch note for products OHIS does not sell (grouped, external).
type ProductItem struct {
	Product catalog.Product
	Err     *ItemError
	Skipped string
}

// VariantItem is one listed variant or its error.
type VariantItem struct {
	Variant catalog.Variant
	Err     *ItemError
}

// Sink receives a listing. Its methods are never called concurrently; an
// error stops the listing.
type Sink interface {
	Products(ctx context.Context, page Page, items []ProductItem) error
	Variants(ctx context.Context, page Page, items []VariantItem) error
}

// VariantRef names a variant and its parent.
type VariantRef struct {
	ParentExternalID string
	ExternalID       string
}

// IDSink receives an id listing; never called concurrently.
type IDSink interface {
	ProductIDs(ctx context.Context, page Page, ids []string) error
	VariantIDs(ctx context.Context, page Page, refs []VariantRef) error
}

// ItemError is a problem with one product or variant: the rest of the
// listing goes on. Message is Dutch and says what to do; Detail is
// technical, for staff.
type ItemError struct {
	ExternalID string
	Name       string
	Code       string
	Message    string
	Detail     string
}

// Item error codes.
const (
	ItemMalformed   = "item_malformed"   // not a JSON object, or wrong field types
	ItemNoPrice     = "item_no_price"    // no usable price
	ItemBadPrice    = "item_bad_price"   // price not a decimal with at most 2 digits, negative or absurd
	ItemBadStock    = "item_bad_stock"   // negative or absurd stock
	ItemNoName      = "item_no_name"     // empty name
	ItemOrphan      = "item_orphan"      // variant of a product that is not listed
	ItemUnsupported = "item_unsupported" // a type OHIS does not sell (also reported as Skipped)
)

// Code classifies a connection-level failure.
type Code string

// Connection-level failure codes.
const (
	CodeUnreachable    Code = "unreachable"     // DNS, refused, reset
	CodeTimeout        Code = "timeout"         // no answer in time
	CodeTLS            Code = "tls"             // certificate problem
	CodeBlocked        Code = "blocked_address" // resolves to a private/loopback address
	CodeAuth           Code = "auth"            // 401/403: wrong or revoked keys
	CodeNoREST         Code = "no_rest"         // no WP REST API (permalinks off, blocked)
	CodeNotWooCommerce Code = "not_woocommerce" // REST answers, but no wc/v3
	CodeRateLimited    Code = "rate_limited"    // 429 after retries
	CodeServer         Code = "server_error"    // 5xx after retries
	CodeBadResponse    Code = "bad_response"    // not JSON, wrong shape, broken paging
	CodeNotFound       Code = "not_found"
)

// Error is a connection-level failure with a Dutch message that says what
// the supplier can do, and technical detail for staff. Detail never holds
// credentials.
type Error struct {
	Code       Code
	Message    string
	Detail     string
	Status     int           // HTTP status, 0 if none
	RetryAfter time.Duration // from Retry-After, when the shop sent one
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, e.Detail)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// CheckStep is one line of a connection check, shown to the supplier.
type CheckStep struct {
	Name    string // Dutch, e.g. "Bereikbaar", "Beveiligde verbinding (TLS)"
	OK      bool
	Message string // Dutch; what was found or what to do
}

// ShopInfo is what a successful check learned about the shop.
type ShopInfo struct {
	Name              string `json:"name,omitempty"`
	Version           string `json:"version,omitempty"`     // platform version, e.g. WooCommerce 9.6.0
	APIVersion        string `json:"api_version,omitempty"` // e.g. wc/v3
	VariationsListing bool   `json:"variations_listing"`    // store-wide /variations available
	BrandsSupported   bool   `json:"brands_supported"`
}

// CheckReport is the outcome of Connector.Check. Err is nil when the
// connection works.
type CheckReport struct {
	Steps []CheckStep
	Info  ShopInfo
	Err   *Error
}

// ErrPing is returned by VerifyWebhook for a shop's creation ping, which
// carries no signature and must be answered with 200.
var ErrPing = fmt.Errorf("webhook creation ping")

// ErrSignature is returned by VerifyWebhook for a missing or wrong signature.
var ErrSignature = fmt.Errorf("webhook signature missing or invalid")

// EventKind is what a webhook delivery means.
type EventKind string

// The webhook event kinds.
const (
	EventProduct        EventKind = "product"         // a product was created, updated or restored
	EventVariant        EventKind = "variant"         // a variation was created or updated
	EventProductDeleted EventKind = "product_deleted" // {"id": …}: trashed
	EventIgnored        EventKind = "ignored"         // a topic OHIS does not use
)

// Event is a parsed webhook delivery. ResourceID is the shop's id of the
// product or variation; Item/Variant carry the payload for upserts.
type Event struct {
	Kind       EventKind
	Topic      string
	ResourceID string
	Product    *ProductItem
	Variant    *VariantItem
}
