// Package demoshop is a WooCommerce-compatible shop (REST API wc/v3) that
// OHIS's tests, benchmarks and `serve --demo` sync from. Its payloads follow
// the verbatim WooCommerce fixtures in testdata/ (money as strings, dates
// without zone plus _gmt variants, images, attributes, variations as ids…),
// its behaviour the WooCommerce semantics described in
// /work/shared/apis/CONNECTORS.md §1: HTTP Basic or query-string consumer
// keys, page/per_page paging with X-WP-Total(Pages) and Link headers,
// modified_after/_before with dates_are_gmt, trash vs permanent delete, and
// webhooks with a creation ping, HMAC-SHA256 signatures, no retries and
// disabling after more than 5 failures.
//
// The catalogue is computed lazily from (Seed, id): a 50,000-product shop
// costs almost no memory; only mutated, added and deleted items are stored.
// See catalog.go for the id layout. The site runs in Europe/Amsterdam.
package demoshop

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on systems without zoneinfo
)

var amsterdam = mustLoad("Europe/Amsterdam")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Errors returned by the mutation methods.
var (
	ErrNotFound = errors.New("demoshop: no such product or variation")
	ErrInvalid  = errors.New("demoshop: invalid value")
)

// Options configure a shop. Zero values take the defaults.
type Options struct {
	Products int // total generated products (default 50)
	// VariableEvery: every Nth product is variable (0 → default 5, i.e. a
	// fifth; negative → no variable products).
	VariableEvery int
	// VariationsPer: variations per variable product (0 → default 5;
	// negative → none).
	VariationsPer int
	Seed          int64
	// Brands serves /products/brands and product "brands"; false → 404
	// rest_no_route like a shop without brands.
	Brands bool
	// NoVariationsEndpoint: store-wide GET /variations returns 404
	// rest_no_route (WooCommerce before 10.3).
	NoVariationsEndpoint bool
	// ConsumerKey, ConsumerSecret default to DefaultConsumerKey/Secret.
	ConsumerKey, ConsumerSecret string
	Latency                     time.Duration    // added to every API request
	Now                         func() time.Time // shop clock (default time.Now)
	Version                     string           // WooCommerce version (default "9.6.1")
	// HTTPClient delivers webhooks (default: 10 s timeout, no redirects).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// AdminPage serves the demo admin page at /demoshop/ (no auth: loopback
	// demos only).
	AdminPage bool
	// BaseURL is the shop's own address (e.g. "http://127.0.0.1:8090"),
	// used in permalinks, image URLs, _links and X-WC-Webhook-Source. Empty:
	// taken from each request's Host (webhooks: from the request that
	// registered them). SetBaseURL changes it later.
	BaseURL string
	// SiteName is the name in GET /wp-json/ (default "Energiebespaarshop").
	SiteName string
	// Workers is the number of webhook delivery goroutines (default 4).
	Workers int
}

// Default credentials: ck_/cs_ + 40 characters like real keys ("demo" + 36 hex).
const (
	DefaultConsumerKey    = "ck_de00000000000000000000000000000000000001"
	DefaultConsumerSecret = "cs_de00000000000000000000000000000000000001"
)

// Faults make the shop misbehave; replace them at runtime with SetFaults.
type Faults struct {
	// Unauthorized: every API request → 401 woocommerce_rest_authentication_error.
	Unauthorized bool
	// RateLimitEvery: every Nth API request → 429 with Retry-After.
	RateLimitEvery    int
	RetryAfterSeconds int
	// FailPage: resource ("products", "variations", "categories",
	// "attributes", "terms", "brands", "webhooks") → page number that
	// returns 500 with an HTML body, every time.
	FailPage map[string]int
	// SlowPage: resource → page that takes SlowDelay longer.
	SlowPage  map[string]int
	SlowDelay time.Duration
	// Malformed: product/variation id → "price_type", "negative_stock",
	// "missing_price", "absurd_price", "bad_json" or "no_name".
	Malformed map[int64]string
}

// NewProduct describes a product for AddProduct.
type NewProduct struct {
	Type         string // simple (default), variable, grouped or external
	Name         string
	SKU          string
	Status       string // publish (default), draft, private, pending
	RegularCents int64  // simple/external; ignored for variable
	SaleCents    *int64
	ManageStock  bool
	StockQty     *int64
	StockStatus  string  // instock (default), outofstock, onbackorder
	CategoryIDs  []int64 // default: the first leaf category
	BrandIDs     []int64
	Images       int // number of images (default 1)
	// Variations are created right after a variable product (each fires
	// product.created like WooCommerce).
	Variations []NewVariation
}

// NewVariation describes a variation for AddVariation.
type NewVariation struct {
	SKU          string
	RegularCents int64
	SaleCents    *int64
	ManageStock  bool
	StockQty     *int64
	StockStatus  string
	// Attributes (optional): one option per parent attribute by name, e.g.
	// {"Kleur": "Wit", "Uitvoering": "Set van 3"}; new options are added to
	// the parent. Empty: the next free combination.
	Attributes map[string]string
}

// Stats counts the current catalogue.
type Stats struct {
	Simple, Variable, Grouped, External int // products, any status but trash
	Trashed                             int
	Variations                          int // of products that are not trashed
}

type shopState struct {
	overlay       map[int64]*item
	deleted       map[int64]bool
	addedProducts []int64 // ascending
	addedVars     []int64 // ascending
	nextID        int64
	gen           int64 // bumped on every mutation
	countsGen     int64
	catCounts     map[int64]int
	brandCounts   map[int64]int
	termCounts    map[int64]int
}

// Shop is a running demo shop.
type Shop struct {
	opts   Options
	l      layout
	now    func() time.Time
	log    *slog.Logger
	client *http.Client

	mu sync.RWMutex
	st shopState

	faultsMu sync.RWMutex
	faults   Faults

	baseMu  sync.RWMutex
	baseURL string

	requests   atomic.Int64
	deliveries atomic.Int64
	pings      atomic.Int64

	hooks *hookState
	order orderCache
}

// New builds a shop and starts its webhook delivery workers.
func New(opts Options) *Shop {
	if opts.Products == 0 {
		opts.Products = 50
	}
	if opts.Products < 0 {
		opts.Products = 0
	}
	if opts.VariableEvery == 0 {
		opts.VariableEvery = 5
	}
	if opts.VariationsPer == 0 {
		opts.VariationsPer = 5
	}
	if opts.ConsumerKey == "" {
		opts.ConsumerKey = DefaultConsumerKey
	}
	if opts.ConsumerSecret == "" {
		opts.ConsumerSecret = DefaultConsumerSecret
	}
	if opts.Version == "" {
		opts.Version = "9.6.1"
	}
	if opts.SiteName == "" {
		opts.SiteName = "Energiebespaarshop"
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	s := &Shop{opts: opts, now: opts.Now, log: opts.Logger, client: opts.HTTPClient}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.client == nil {
		s.client = &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	s.l = newLayout(opts.Seed, opts.Products, opts.VariableEvery, opts.VariationsPer)
	s.st = shopState{
		overlay: map[int64]*item{},
		deleted: map[int64]bool{},
		nextID:  s.l.maxGen + 1,
		gen:     1,
	}
	s.baseURL = trimSlash(opts.BaseURL)
	s.hooks = newHookState()
	s.startWorkers(opts.Workers)
	return s
}

// SetBaseURL sets the shop's own address (see Options.BaseURL).
func (s *Shop) SetBaseURL(u string) {
	s.baseMu.Lock()
	s.baseURL = trimSlash(u)
	s.baseMu.Unlock()
}

func (s *Shop) fixedBase() string {
	s.baseMu.RLock()
	defer s.baseMu.RUnlock()
	return s.baseURL
}

func trimSlash(u string) string {
	for len(u) > 0 && u[len(u)-1] == '/' {
		u = u[:len(u)-1]
	}
	return u
}

// ConsumerKey and ConsumerSecret are the shop's credentials.
func (s *Shop) ConsumerKey() string    { return s.opts.ConsumerKey }
func (s *Shop) ConsumerSecret() string { return s.opts.ConsumerSecret }

// SetFaults replaces the faults (thread-safe).
func (s *Shop) SetFaults(f Faults) {
	s.faultsMu.Lock()
	s.faults = f
	s.faultsMu.Unlock()
}

func (s *Shop) getFaults() Faults {
	s.faultsMu.RLock()
	defer s.faultsMu.RUnlock()
	return s.faults
}

// Requests is the number of API requests served so far.
func (s *Shop) Requests() int64 { return s.requests.Load() }

// Deliveries is the number of webhook deliveries attempted (pings excluded).
func (s *Shop) Deliveries() int64 { return s.deliveries.Load() }

// Pings is the number of webhook creation pings sent.
func (s *Shop) Pings() int64 { return s.pings.Load() }

func (s *Shop) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

// get returns the current item (nil if gone). Callers hold s.mu.
func (s *Shop) get(id int64) *item {
	if s.st.deleted[id] {
		return nil
	}
	if it, ok := s.st.overlay[id]; ok {
		return it
	}
	it, ok := s.l.gen(id)
	if !ok {
		return nil
	}
	return it
}

// mutable returns the overlay copy of id for writing. Callers hold s.mu.
func (s *Shop) mutable(id int64) *item {
	if s.st.deleted[id] {
		return nil
	}
	if it, ok := s.st.overlay[id]; ok {
		return it
	}
	it, ok := s.l.gen(id)
	if !ok {
		return nil
	}
	s.st.overlay[id] = it
	return it
}

// meta is what listings filter and sort on, cheap for generated items.
type meta struct {
	id       int64
	parent   int64
	typ      string
	status   string
	created  time.Time
	modified time.Time
}

func (s *Shop) metaOf(id int64) (meta, bool) { return s.metaOfT(id, true) }

// metaOfT is metaOf; withTimes=false leaves created/modified of generated
// items zero (listings that neither filter nor sort by date skip them).
func (s *Shop) metaOfT(id int64, withTimes bool) (meta, bool) {
	if s.st.deleted[id] {
		return meta{}, false
	}
	if it, ok := s.st.overlay[id]; ok {
		return meta{it.ID, it.ParentID, it.Type, it.Status, it.Created, it.Modified}, true
	}
	var m meta
	if id >= 1 && id <= s.l.products {
		m = meta{id: id, typ: s.l.genProductType(id), status: "publish"}
	} else if p, _, ok := s.l.genVariation(id); ok {
		m = meta{id: id, parent: p, typ: TypeVariation, status: "publish"}
	} else {
		return meta{}, false
	}
	if withTimes {
		m.created, m.modified = s.l.genCreated(id), s.l.genModified(id)
	}
	return m, true
}

// eachProduct calls f for every product id (not variations) in ascending
// (or descending) id order until f returns false. Callers hold s.mu.
func (s *Shop) eachProduct(desc bool, f func(id int64) bool) {
	if !desc {
		for id := int64(1); id <= s.l.products; id++ {
			if !f(id) {
				return
			}
		}
		for _, id := range s.st.addedProducts {
			if !f(id) {
				return
			}
		}
		return
	}
	for i := len(s.st.addedProducts) - 1; i >= 0; i-- {
		if !f(s.st.addedProducts[i]) {
			return
		}
	}
	for id := s.l.products; id >= 1; id-- {
		if !f(id) {
			return
		}
	}
}

// eachVariation is eachProduct for variations.
func (s *Shop) eachVariation(desc bool, f func(id int64) bool) {
	if !desc {
		for id := s.l.products + 1; id <= s.l.maxGen; id++ {
			if !f(id) {
				return
			}
		}
		for _, id := range s.st.addedVars {
			if !f(id) {
				return
			}
		}
		return
	}
	for i := len(s.st.addedVars) - 1; i >= 0; i-- {
		if !f(s.st.addedVars[i]) {
			return
		}
	}
	for id := s.l.maxGen; id > s.l.products; id-- {
		if !f(id) {
			return
		}
	}
}

// ---- mutations ----

type event struct {
	topic string // product.created|updated|deleted|restored
	id    int64
}

func (s *Shop) mutate(fn func() ([]event, error)) error {
	s.mu.Lock()
	evs, err := fn()
	if err == nil {
		s.st.gen++
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	for _, e := range evs {
		s.fire(e)
	}
	return nil
}

func (s *Shop) touch(it *item) { it.Modified = s.clock() }

func validStockStatus(st string) bool {
	return st == "instock" || st == "outofstock" || st == "onbackorder"
}

// SetPrice sets the regular price and (optional) sale price of a simple or
// external product or a variation; a sale price must be below the regular
// price. A sale period is cleared. Fires product.updated.
func (s *Shop) SetPrice(id int64, regularCents int64, saleCents *int64) error {
	if regularCents < 0 || (saleCents != nil && (*saleCents < 0 || *saleCents >= regularCents)) {
		return fmt.Errorf("%w: sale price must be below the regular price, prices not negative", ErrInvalid)
	}
	return s.mutate(func() ([]event, error) {
		it := s.mutable(id)
		if it == nil {
			return nil, ErrNotFound
		}
		if it.Type == TypeVariable || it.Type == TypeGrouped {
			return nil, fmt.Errorf("%w: %s products have no own price", ErrInvalid, it.Type)
		}
		it.RegularCents, it.HasRegular = regularCents, true
		it.SaleCents = nil
		if saleCents != nil {
			v := *saleCents
			it.SaleCents = &v
		}
		it.SaleFrom, it.SaleTo = nil, nil
		s.touch(it)
		return []event{{"product.updated", id}}, nil
	})
}

// SetStock sets stock management of a product or variation. manage=true
// needs qty; status "" then follows from qty (≤0 → outofstock, or
// onbackorder when backorders are allowed). manage=false ignores qty and
// sets status (default instock). Fires product.updated.
func (s *Shop) SetStock(id int64, manage bool, qty *int64, status string) error {
	if status != "" && !validStockStatus(status) {
		return fmt.Errorf("%w: stock status %q", ErrInvalid, status)
	}
	if manage && qty == nil {
		return fmt.Errorf("%w: managed stock needs a quantity", ErrInvalid)
	}
	return s.mutate(func() ([]event, error) {
		it := s.mutable(id)
		if it == nil {
			return nil, ErrNotFound
		}
		if it.Type == TypeGrouped || it.Type == TypeExternal {
			return nil, fmt.Errorf("%w: %s products have no stock", ErrInvalid, it.Type)
		}
		it.ManageStock = manage
		if manage {
			q := *qty
			it.StockQty = &q
			if status == "onbackorder" {
				it.Backorders = "notify"
			}
			switch {
			case status != "":
				it.StockStatus = status
			case q > 0:
				it.StockStatus = "instock"
			case it.Backorders != "no":
				it.StockStatus = "onbackorder"
			default:
				it.StockStatus = "outofstock"
			}
		} else {
			it.StockQty = nil
			if status == "" {
				status = "instock"
			}
			it.StockStatus = status
		}
		s.touch(it)
		return []event{{"product.updated", id}}, nil
	})
}

// Rename renames a product or variation. Fires product.updated.
func (s *Shop) Rename(id int64, name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", ErrInvalid)
	}
	return s.mutate(func() ([]event, error) {
		it := s.mutable(id)
		if it == nil {
			return nil, ErrNotFound
		}
		it.Name = name
		s.touch(it)
		return []event{{"product.updated", id}}, nil
	})
}

// SetStatus sets publish/draft/private/pending on a product (variations:
// publish/private). Trashing goes through Trash. Fires product.updated.
func (s *Shop) SetStatus(id int64, status string) error {
	return s.mutate(func() ([]event, error) {
		it := s.mutable(id)
		if it == nil {
			return nil, ErrNotFound
		}
		ok := status == "publish" || status == "private"
		if it.Type != TypeVariation {
			ok = ok || status == "draft" || status == "pending"
		}
		if !ok {
			return nil, fmt.Errorf("%w: status %q", ErrInvalid, status)
		}
		if it.Status == "trash" {
			return nil, fmt.Errorf("%w: product is in the trash; restore it first", ErrInvalid)
		}
		it.Status = status
		s.touch(it)
		return []event{{"product.updated", id}}, nil
	})
}

// Trash moves a product to the trash (listed only with status=trash). Fires
// product.deleted with body {"id":N}.
func (s *Shop) Trash(id int64) error {
	return s.mutate(func() ([]event, error) {
		it := s.mutable(id)
		if it == nil {
			return nil, ErrNotFound
		}
		if it.Type == TypeVariation {
			return nil, fmt.Errorf("%w: variations cannot be trashed", ErrInvalid)
		}
		if it.Status == "trash" {
			return nil, nil
		}
		it.PrevStatus, it.Status = it.Status, "trash"
		s.touch(it)
		return []event{{"product.deleted", id}}, nil
	})
}

// Restore takes a product out of the trash (back to its status before,
// publish for generated products). Fires product.restored.
func (s *Shop) Restore(id int64) error {
	return s.mutate(func() ([]event, error) {
		it := s.mutable(id)
		if it == nil {
			return nil, ErrNotFound
		}
		if it.Status != "trash" {
			return nil, fmt.Errorf("%w: product is not in the trash", ErrInvalid)
		}
		it.Status = it.PrevStatus
		if it.Status == "" {
			it.Status = "publish"
		}
		it.PrevStatus = ""
		s.touch(it)
		return []event{{"product.restored", id}}, nil
	})
}

// DeletePermanently removes a product (and its variations). No webhook,
// like WooCommerce's force=true.
func (s *Shop) DeletePermanently(id int64) error {
	return s.mutate(func() ([]event, error) {
		it := s.get(id)
		if it == nil {
			return nil, ErrNotFound
		}
		if it.Type == TypeVariation {
			return nil, fmt.Errorf("%w: use DeleteVariation for variations", ErrInvalid)
		}
		for _, v := range it.Variations {
			s.remove(v)
		}
		s.remove(id)
		return nil, nil
	})
}

// DeleteVariation removes a variation. No webhook; the parent's variations
// list shrinks without a change of its date_modified.
func (s *Shop) DeleteVariation(id int64) error {
	return s.mutate(func() ([]event, error) {
		it := s.get(id)
		if it == nil || it.Type != TypeVariation {
			return nil, ErrNotFound
		}
		if p := s.mutable(it.ParentID); p != nil {
			p.Variations = removeID(p.Variations, id)
		}
		s.remove(id)
		return nil, nil
	})
}

func (s *Shop) remove(id int64) {
	delete(s.st.overlay, id)
	s.st.deleted[id] = true
	s.st.addedProducts = removeID(s.st.addedProducts, id)
	s.st.addedVars = removeID(s.st.addedVars, id)
}

func removeID(ids []int64, id int64) []int64 {
	for i, v := range ids {
		if v == id {
			return append(ids[:i:i], ids[i+1:]...)
		}
	}
	return ids
}

// AddProduct creates a product (and, for a variable one, its variations).
// Fires product.created for the product and each variation.
func (s *Shop) AddProduct(p NewProduct) (int64, error) {
	if p.Type == "" {
		p.Type = TypeSimple
	}
	if p.Status == "" {
		p.Status = "publish"
	}
	if p.StockStatus == "" {
		p.StockStatus = "instock"
	}
	switch {
	case p.Name == "":
		return 0, fmt.Errorf("%w: empty name", ErrInvalid)
	case p.Type != TypeSimple && p.Type != TypeVariable && p.Type != TypeGrouped && p.Type != TypeExternal:
		return 0, fmt.Errorf("%w: type %q", ErrInvalid, p.Type)
	case p.Status != "publish" && p.Status != "draft" && p.Status != "private" && p.Status != "pending":
		return 0, fmt.Errorf("%w: status %q", ErrInvalid, p.Status)
	case !validStockStatus(p.StockStatus):
		return 0, fmt.Errorf("%w: stock status %q", ErrInvalid, p.StockStatus)
	case p.RegularCents < 0 || (p.SaleCents != nil && (*p.SaleCents < 0 || *p.SaleCents >= p.RegularCents)):
		return 0, fmt.Errorf("%w: sale price must be below the regular price, prices not negative", ErrInvalid)
	case p.ManageStock && p.StockQty == nil:
		return 0, fmt.Errorf("%w: managed stock needs a quantity", ErrInvalid)
	case p.Type != TypeVariable && len(p.Variations) > 0:
		return 0, fmt.Errorf("%w: only variable products have variations", ErrInvalid)
	}
	for _, c := range p.CategoryIDs {
		if categoryByID(categories, c) == nil {
			return 0, fmt.Errorf("%w: category %d", ErrInvalid, c)
		}
	}
	for _, b := range p.BrandIDs {
		if categoryByID(brands, b) == nil {
			return 0, fmt.Errorf("%w: brand %d", ErrInvalid, b)
		}
	}
	for _, v := range p.Variations {
		if err := checkVariation(v); err != nil {
			return 0, err
		}
	}
	var id int64
	err := s.mutate(func() ([]event, error) {
		now := s.clock()
		id = s.st.nextID
		s.st.nextID++
		it := &item{
			ID: id, Type: p.Type, Name: p.Name, Status: p.Status,
			Created: now, Modified: now, SKU: p.SKU,
			StockStatus: p.StockStatus, Backorders: "no",
			Categories: append([]int64(nil), p.CategoryIDs...),
			Brands:     append([]int64(nil), p.BrandIDs...),
		}
		it.Slug = slugify(p.Name) + fmt.Sprintf("-%d", id)
		if len(it.Categories) == 0 {
			it.Categories = []int64{categories[1].ID}
		}
		n := p.Images
		if n <= 0 {
			n = 1
		}
		it.Images = s.l.genImages(id, n, it.Slug, now)
		switch p.Type {
		case TypeSimple, TypeExternal:
			it.RegularCents, it.HasRegular = p.RegularCents, true
			if p.SaleCents != nil {
				v := *p.SaleCents
				it.SaleCents = &v
			}
			if p.Type == TypeSimple {
				it.ManageStock = p.ManageStock
				if p.ManageStock {
					q := *p.StockQty
					it.StockQty = &q
				}
			} else {
				it.ExternalURL = "https://www.energiepartner.example/product/" + it.Slug
				it.ButtonText = "Bekijk bij partner"
			}
		case TypeVariable:
			it.Attributes = []prodAttr{
				{1, "Kleur", true, true, nil},
				{0, "Uitvoering", true, true, nil},
			}
		}
		s.st.overlay[id] = it
		s.st.addedProducts = append(s.st.addedProducts, id)
		evs := []event{{"product.created", id}}
		for _, v := range p.Variations {
			vid, err := s.addVariationLocked(it, v, now)
			if err != nil {
				return nil, err
			}
			evs = append(evs, event{"product.created", vid})
		}
		return evs, nil
	})
	return id, err
}

func checkVariation(v NewVariation) error {
	switch {
	case v.RegularCents < 0 || (v.SaleCents != nil && (*v.SaleCents < 0 || *v.SaleCents >= v.RegularCents)):
		return fmt.Errorf("%w: sale price must be below the regular price, prices not negative", ErrInvalid)
	case v.ManageStock && v.StockQty == nil:
		return fmt.Errorf("%w: managed stock needs a quantity", ErrInvalid)
	case v.StockStatus != "" && !validStockStatus(v.StockStatus):
		return fmt.Errorf("%w: stock status %q", ErrInvalid, v.StockStatus)
	}
	return nil
}

// AddVariation adds a variation to a variable product. Fires
// product.created (the variation) and product.updated (the parent, whose
// variations and date_modified change).
func (s *Shop) AddVariation(parentID int64, v NewVariation) (int64, error) {
	if err := checkVariation(v); err != nil {
		return 0, err
	}
	var id int64
	err := s.mutate(func() ([]event, error) {
		p := s.mutable(parentID)
		if p == nil {
			return nil, ErrNotFound
		}
		if p.Type != TypeVariable {
			return nil, fmt.Errorf("%w: product %d is not variable", ErrInvalid, parentID)
		}
		now := s.clock()
		var err error
		id, err = s.addVariationLocked(p, v, now)
		if err != nil {
			return nil, err
		}
		p.Modified = now
		return []event{{"product.created", id}, {"product.updated", parentID}}, nil
	})
	return id, err
}

func (s *Shop) addVariationLocked(p *item, v NewVariation, now time.Time) (int64, error) {
	attrs := make([]varAttr, 0, len(p.Attributes))
	idx := p.NextVarIndex
	p.NextVarIndex++
	first, n := true, 1
	for ai := range p.Attributes {
		a := &p.Attributes[ai]
		if !a.Variation {
			continue
		}
		opt, ok := v.Attributes[a.Name]
		if !ok {
			// next free combination: the first attribute cycles fastest
			if first {
				choices := a.Options
				if len(choices) == 0 && a.ID != 0 {
					for _, t := range globalAttrByID(a.ID).Terms {
						choices = append(choices, t.Name)
					}
				}
				if len(choices) == 0 {
					choices = []string{"Standaard"}
				}
				n = len(choices)
				opt = choices[idx%n]
			} else if k := idx / n; k < len(a.Options) {
				opt = a.Options[k]
			} else {
				opt = fmt.Sprintf("Variant %d", k+1)
			}
		}
		first = false
		if a.ID != 0 {
			g := globalAttrByID(a.ID)
			found := false
			for _, t := range g.Terms {
				if t.Name == opt {
					found = true
				}
			}
			if !found {
				return 0, fmt.Errorf("%w: %q is not a term of %s", ErrInvalid, opt, a.Name)
			}
		}
		if !contains(a.Options, opt) {
			a.Options = append(a.Options, opt)
		}
		attrs = append(attrs, varAttr{a.ID, a.Name, opt})
	}
	id := s.st.nextID
	s.st.nextID++
	it := &item{
		ID: id, ParentID: p.ID, Type: TypeVariation, Status: "publish",
		Created: now, Modified: now, SKU: v.SKU,
		RegularCents: v.RegularCents, HasRegular: true,
		ManageStock: v.ManageStock, StockStatus: v.StockStatus, Backorders: "no",
		VarAttrs: attrs,
	}
	if it.StockStatus == "" {
		it.StockStatus = "instock"
	}
	if v.SaleCents != nil {
		c := *v.SaleCents
		it.SaleCents = &c
	}
	if v.ManageStock {
		q := *v.StockQty
		it.StockQty = &q
	}
	it.Name = p.Name + " - " + joinOptions(attrs)
	it.Slug = slugify(it.Name) + fmt.Sprintf("-%d", id)
	it.Images = s.l.genImages(id, 1, it.Slug, now)
	s.st.overlay[id] = it
	s.st.addedVars = append(s.st.addedVars, id)
	p.Variations = append(p.Variations, id)
	if len(p.Defaults) == 0 {
		for _, a := range attrs {
			o := a.Option
			if a.ID != 0 {
				o = slugify(o)
			}
			p.Defaults = append(p.Defaults, varAttr{a.ID, a.Name, o})
		}
	}
	return id, nil
}

func joinOptions(a []varAttr) string {
	out := ""
	for i, v := range a {
		if i > 0 {
			out += ", "
		}
		out += v.Option
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Product is a read-only summary of a product or variation.
type Product struct {
	ID, ParentID int64
	Type         string
	Name, SKU    string
	Status       string
	RegularCents int64
	SaleCents    *int64
	ManageStock  bool
	StockQty     *int64
	StockStatus  string
	Variations   []int64
	Modified     time.Time // UTC
}

// Product returns the current state of a product or variation.
func (s *Shop) Product(id int64) (Product, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it := s.get(id)
	if it == nil {
		return Product{}, false
	}
	it = it.clone()
	return Product{
		ID: it.ID, ParentID: it.ParentID, Type: it.Type, Name: it.Name, SKU: it.SKU,
		Status: it.Status, RegularCents: it.RegularCents, SaleCents: it.SaleCents,
		ManageStock: it.ManageStock, StockQty: it.StockQty, StockStatus: it.StockStatus,
		Variations: it.Variations, Modified: it.Modified,
	}, true
}

// ProductIDs lists product ids (not variations) of the given type ("" =
// all) whose status is not trash, ascending.
func (s *Shop) ProductIDs(typ string) []int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []int64
	s.eachProduct(false, func(id int64) bool {
		m, ok := s.metaOf(id)
		if ok && m.status != "trash" && (typ == "" || m.typ == typ) {
			ids = append(ids, id)
		}
		return true
	})
	return ids
}

// VariationIDs lists the variation ids of products that are not trashed,
// ascending.
func (s *Shop) VariationIDs() []int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var ids []int64
	s.eachVariation(false, func(id int64) bool {
		if m, ok := s.metaOf(id); ok && s.parentLive(m.parent) {
			ids = append(ids, id)
		}
		return true
	})
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func (s *Shop) parentLive(p int64) bool {
	m, ok := s.metaOf(p)
	return ok && m.status != "trash" && m.typ == TypeVariable
}

// Stats counts the catalogue.
func (s *Shop) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var st Stats
	s.eachProduct(false, func(id int64) bool {
		m, ok := s.metaOf(id)
		if !ok {
			return true
		}
		if m.status == "trash" {
			st.Trashed++
			return true
		}
		switch m.typ {
		case TypeSimple:
			st.Simple++
		case TypeVariable:
			st.Variable++
		case TypeGrouped:
			st.Grouped++
		case TypeExternal:
			st.External++
		}
		return true
	})
	s.eachVariation(false, func(id int64) bool {
		if m, ok := s.metaOf(id); ok && s.parentLive(m.parent) {
			st.Variations++
		}
		return true
	})
	return st
}
