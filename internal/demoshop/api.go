package demoshop

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	img "image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Handler serves /wp-json/…, /wp-content/uploads/… and (with
// Options.AdminPage) the demo admin page at /demoshop/.
func (s *Shop) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Shop) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if (p == "/" || p == "/index.php") && r.URL.Query().Has("rest_route") {
		p = "/wp-json" + r.URL.Query().Get("rest_route")
	}
	switch {
	case p == "/wp-json" || p == "/wp-json/":
		s.countAndWait(r)
		s.index(w, r)
	case strings.HasPrefix(p, "/wp-json/"):
		s.api(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/wp-json"), "/"))
	case strings.HasPrefix(p, "/wp-content/uploads/") && strings.HasSuffix(p, ".png"):
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(tinyPNG)
	case s.opts.AdminPage && (p == "/demoshop" || strings.HasPrefix(p, "/demoshop/")):
		s.admin(w, r)
	case p == "/":
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		fmt.Fprintf(w, "<!doctype html><html lang=\"nl\"><head><title>%s</title></head><body><h1>%s</h1><p>Demowebwinkel (WooCommerce-compatibel).</p></body></html>", htmlEsc(s.opts.SiteName), htmlEsc(s.opts.SiteName))
	default:
		http.NotFound(w, r)
	}
}

var tinyPNG = func() []byte {
	pic := img.NewRGBA(img.Rect(0, 0, 8, 8))
	for x := 0; x < 8; x++ {
		for y := 0; y < 8; y++ {
			pic.Set(x, y, color.RGBA{0x2e, 0x7d, 0x32, 0xff})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, pic); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

// base is the shop's own URL for links in a response.
func (s *Shop) base(r *http.Request) string {
	if b := s.fixedBase(); b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Shop) countAndWait(r *http.Request) int64 {
	n := s.requests.Add(1)
	if s.opts.Latency > 0 {
		sleepCtx(r.Context(), s.opts.Latency)
	}
	return n
}

func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

type wpError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"code":"internal_error","message":"encoding failed","data":{"status":500}}`)
	}
	_, _ = w.Write(b)
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, wpError{code, msg, map[string]any{"status": status}})
}

func noRoute(w http.ResponseWriter) {
	writeErr(w, http.StatusNotFound, "rest_no_route", "No route was found matching the URL and request method.")
}

func invalidParam(w http.ResponseWriter, name, msg string) {
	writeJSON(w, http.StatusBadRequest, wpError{
		"rest_invalid_param", "Invalid parameter(s): " + name,
		map[string]any{"status": 400, "params": map[string]string{name: msg}},
	})
}

func (s *Shop) index(w http.ResponseWriter, r *http.Request) {
	base := s.base(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"name":            s.opts.SiteName,
		"description":     "Energiebesparende producten",
		"url":             base,
		"home":            base,
		"gmt_offset":      offsetHours(s.now()),
		"timezone_string": "Europe/Amsterdam",
		"namespaces":      []string{"oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wp/v2"},
		"authentication":  map[string]any{},
		"routes":          map[string]any{},
		"_links":          map[string]any{"help": []href{{"https://developer.wordpress.org/rest-api/"}}},
	})
}

func offsetHours(t time.Time) string {
	_, off := t.In(amsterdam).Zone()
	return strconv.Itoa(off / 3600)
}

// credentials extracts the consumer key/secret: HTTP Basic, else the query.
func credentials(r *http.Request) (key, secret string, ok bool) {
	if k, sec, ok := r.BasicAuth(); ok {
		return k, sec, true
	}
	q := r.URL.Query()
	if q.Has("consumer_key") {
		return q.Get("consumer_key"), q.Get("consumer_secret"), true
	}
	return "", "", false
}

func eq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

func (s *Shop) api(w http.ResponseWriter, r *http.Request, route string) {
	n := s.countAndWait(r)
	f := s.getFaults()
	if f.Unauthorized {
		writeErr(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
		return
	}
	if f.RateLimitEvery > 0 && n%int64(f.RateLimitEvery) == 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfterSeconds))
		writeErr(w, http.StatusTooManyRequests, "rest_too_many_requests", "Too many requests, please slow down.")
		return
	}
	seg := strings.Split(strings.TrimPrefix(route, "/"), "/")
	if len(seg) < 2 || seg[0] != "wc" || seg[1] != "v3" {
		noRoute(w)
		return
	}
	seg = seg[2:]
	key, secret, ok := credentials(r)
	if !ok {
		if r.Method == http.MethodGet {
			writeErr(w, http.StatusUnauthorized, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")
		} else {
			writeErr(w, http.StatusUnauthorized, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
		}
		return
	}
	if !eq(key, s.opts.ConsumerKey) {
		writeErr(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
		return
	}
	if !eq(secret, s.opts.ConsumerSecret) {
		writeErr(w, http.StatusUnauthorized, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
		return
	}
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case len(seg) == 1 && seg[0] == "system_status" && get:
		s.systemStatus(w, r)
	case len(seg) == 1 && seg[0] == "products" && get:
		s.listProducts(w, r)
	case len(seg) == 1 && seg[0] == "variations" && get:
		if s.opts.NoVariationsEndpoint {
			noRoute(w)
			return
		}
		s.listVariations(w, r, 0)
	case len(seg) == 2 && seg[0] == "products" && seg[1] == "categories" && get:
		s.listTerms(w, r, "categories", s.categoryObjects(r))
	case len(seg) == 2 && seg[0] == "products" && seg[1] == "brands" && get:
		if !s.opts.Brands {
			noRoute(w)
			return
		}
		s.listTerms(w, r, "brands", s.brandObjects(r))
	case len(seg) == 2 && seg[0] == "products" && seg[1] == "attributes" && get:
		s.listAttributes(w, r)
	case len(seg) == 3 && seg[0] == "products" && seg[1] == "categories" && get:
		s.getTerm(w, seg[2], s.categoryObjects(r))
	case len(seg) == 3 && seg[0] == "products" && seg[1] == "brands" && get:
		if !s.opts.Brands {
			noRoute(w)
			return
		}
		s.getTerm(w, seg[2], s.brandObjects(r))
	case len(seg) == 3 && seg[0] == "products" && seg[1] == "attributes" && get:
		s.getAttribute(w, r, seg[2])
	case len(seg) == 4 && seg[0] == "products" && seg[1] == "attributes" && seg[3] == "terms" && get:
		s.listAttributeTerms(w, r, seg[2])
	case len(seg) == 2 && seg[0] == "products" && get:
		s.getProduct(w, r, seg[1])
	case len(seg) == 3 && seg[0] == "products" && seg[2] == "variations" && get:
		id, err := strconv.ParseInt(seg[1], 10, 64)
		if err != nil || id <= 0 {
			noRoute(w)
			return
		}
		s.listVariations(w, r, id)
	case len(seg) == 4 && seg[0] == "products" && seg[2] == "variations" && get:
		s.getVariation(w, r, seg[1], seg[3])
	case len(seg) >= 1 && seg[0] == "webhooks":
		s.webhooksAPI(w, r, seg[1:])
	default:
		noRoute(w)
	}
}

func (s *Shop) systemStatus(w http.ResponseWriter, r *http.Request) {
	base := s.base(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"environment": map[string]any{
			"home_url":              base,
			"site_url":              base,
			"version":               s.opts.Version,
			"wp_version":            "6.7",
			"wp_multisite":          false,
			"language":              "nl_NL",
			"server_info":           "demoshop",
			"php_version":           "8.3.0",
			"default_timezone":      "UTC",
			"external_object_cache": nil,
		},
		"database": map[string]any{"wc_database_version": s.opts.Version},
		"active_plugins": []map[string]any{
			{"plugin": "woocommerce/woocommerce.php", "name": "WooCommerce", "version": s.opts.Version},
		},
		"theme": map[string]any{"name": "Storefront", "version": "4.6.0"},
		"settings": map[string]any{
			"api_enabled":         true,
			"force_ssl":           false,
			"currency":            "EUR",
			"currency_symbol":     "&euro;",
			"currency_position":   "left_space",
			"thousand_separator":  ".",
			"decimal_separator":   ",",
			"number_of_decimals":  2,
			"geolocation_enabled": false,
			"taxonomies": map[string]string{
				"external": "external", "grouped": "grouped", "simple": "simple", "variable": "variable",
			},
		},
		"security": map[string]any{"secure_connection": r.TLS != nil, "hide_errors": true},
		"pages":    []any{},
	})
}

// ---- query parameters ----

type listParams struct {
	resource      string // cache key prefix for sorted listings; "" = no cache
	page, perPage int
	offset        int
	status        string
	types         map[string]bool
	include       map[int64]bool
	exclude       map[int64]bool
	parents       map[int64]bool
	after, before *time.Time
	orderby       string
	desc          bool
	fields        []string
	sku           string
	category      int64
	brand         int64
	stockStatus   string
}

func parseIDList(v string) (map[int64]bool, bool) {
	out := map[int64]bool{}
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id < 0 {
			return nil, false
		}
		out[id] = true
	}
	return out, true
}

// parseWPDate parses an ISO8601 date; without a zone it is wall-clock time
// in loc.
func parseWPDate(v string, loc *time.Location) (time.Time, bool) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (s *Shop) parseList(w http.ResponseWriter, r *http.Request, orderbys []string, defOrder string) (*listParams, bool) {
	q := r.URL.Query()
	lp := &listParams{page: 1, perPage: 10, orderby: defOrder, desc: true, status: "any"}
	intParam := func(name string, min, max int, dst *int) bool {
		v := q.Get(name)
		if !q.Has(name) {
			return true
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			invalidParam(w, name, name+" is not of type integer.")
			return false
		}
		if n < min || n > max {
			if max == math.MaxInt32 {
				invalidParam(w, name, fmt.Sprintf("%s must be greater than or equal to %d", name, min))
			} else {
				invalidParam(w, name, fmt.Sprintf("%s must be between %d (inclusive) and %d (inclusive)", name, min, max))
			}
			return false
		}
		*dst = n
		return true
	}
	if !intParam("page", 1, math.MaxInt32, &lp.page) || !intParam("per_page", 1, 100, &lp.perPage) || !intParam("offset", 0, math.MaxInt32, &lp.offset) {
		return nil, false
	}
	if q.Has("order") {
		switch q.Get("order") {
		case "asc":
			lp.desc = false
		case "desc":
		default:
			invalidParam(w, "order", "order is not one of asc and desc.")
			return nil, false
		}
	}
	if q.Has("orderby") {
		ob := q.Get("orderby")
		if !contains(orderbys, ob) {
			invalidParam(w, "orderby", "orderby is not one of "+strings.Join(orderbys, ", ")+".")
			return nil, false
		}
		lp.orderby = ob
	}
	for _, name := range []string{"include", "exclude", "parent"} {
		if !q.Has(name) {
			continue
		}
		ids, ok := parseIDList(q.Get(name))
		if !ok {
			invalidParam(w, name, name+"[0] is not of type integer.")
			return nil, false
		}
		switch name {
		case "include":
			lp.include = ids
		case "exclude":
			lp.exclude = ids
		case "parent":
			lp.parents = ids
		}
	}
	gmt := q.Get("dates_are_gmt") == "true" || q.Get("dates_are_gmt") == "1"
	loc := amsterdam
	if gmt {
		loc = time.UTC
	}
	for _, name := range []string{"modified_after", "modified_before"} {
		if !q.Has(name) {
			continue
		}
		t, ok := parseWPDate(q.Get(name), loc)
		if !ok {
			invalidParam(w, name, "Invalid date.")
			return nil, false
		}
		if name == "modified_after" {
			lp.after = &t
		} else {
			lp.before = &t
		}
	}
	if q.Has("status") {
		lp.status = q.Get("status")
	}
	if q.Has("type") {
		lp.types = map[string]bool{}
		for _, t := range strings.Split(q.Get("type"), ",") {
			lp.types[t] = true
		}
	}
	if v := q.Get("_fields"); v != "" {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if i := strings.IndexByte(f, '.'); i >= 0 {
				f = f[:i]
			}
			if f != "" {
				lp.fields = append(lp.fields, f)
			}
		}
	}
	lp.sku = q.Get("sku")
	if v := q.Get("category"); v != "" {
		lp.category, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := q.Get("brand"); v != "" {
		lp.brand, _ = strconv.ParseInt(v, 10, 64)
	}
	lp.stockStatus = q.Get("stock_status")
	return lp, true
}

// writePaged writes headers X-WP-Total, X-WP-TotalPages, Link and the items.
func (s *Shop) writePaged(w http.ResponseWriter, r *http.Request, lp *listParams, total int, items []json.RawMessage) {
	pages := 0
	if lp.perPage > 0 {
		pages = (total + lp.perPage - 1) / lp.perPage
	}
	h := w.Header()
	h.Set("X-WP-Total", strconv.Itoa(total))
	h.Set("X-WP-TotalPages", strconv.Itoa(pages))
	link := func(page int, rel string) {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(page))
		q.Del("consumer_key")
		q.Del("consumer_secret")
		u := s.base(r) + r.URL.Path + "?" + q.Encode()
		if r.URL.Query().Has("rest_route") {
			u = s.base(r) + "/?" + q.Encode()
		}
		h.Add("Link", "<"+u+">; rel=\""+rel+"\"")
	}
	if lp.page > 1 {
		prev := lp.page - 1
		if prev > pages {
			prev = pages
		}
		if prev >= 1 {
			link(prev, "prev")
		}
	}
	if lp.page < pages {
		link(lp.page+1, "next")
	}
	h.Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	size := 2
	for i, it := range items {
		it = filterFields(it, lp.fields)
		items[i] = it
		size += len(it) + 1
	}
	b := make([]byte, 0, size)
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, it...)
	}
	b = append(b, ']')
	_, _ = w.Write(b)
}

// filterFields keeps only the named top-level fields of a JSON object.
func filterFields(raw json.RawMessage, fields []string) json.RawMessage {
	if len(fields) == 0 || len(raw) == 0 || raw[0] != '{' {
		return raw
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return raw
	}
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	seen := map[string]bool{}
	for _, f := range fields {
		v, ok := m[f]
		if !ok || seen[f] {
			continue
		}
		seen[f] = true
		if n > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f)
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
		n++
	}
	b.WriteByte('}')
	return b.Bytes()
}

// pageFault applies FailPage/SlowPage; false means the response is written.
func (s *Shop) pageFault(w http.ResponseWriter, r *http.Request, resource string, page int) bool {
	f := s.getFaults()
	if p, ok := f.SlowPage[resource]; ok && p == page && f.SlowDelay > 0 {
		sleepCtx(r.Context(), f.SlowDelay)
	}
	if p, ok := f.FailPage[resource]; ok && p == page {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<!DOCTYPE html>\n<html><head><title>WordPress &rsaquo; Fout</title></head><body id=\"error-page\"><div class=\"wp-die-message\"><p>Er heeft zich een kritieke fout voorgedaan op deze website.</p></div></body></html>"))
		return false
	}
	return true
}

// ---- products & variations ----

type sortKey struct {
	id  int64
	t   int64
	str string
}

// selectIDs filters candidate ids (from each) with match and returns the
// total and the ids of the requested page. orderby=id needs no sorting;
// the resulting id list is cached (orderCache), never the items.
func (s *Shop) selectIDs(lp *listParams, each func(desc bool, f func(int64) bool), match func(meta) bool) (int, []int64) {
	start := (lp.page-1)*lp.perPage + lp.offset
	if lp.include != nil && lp.orderby == "include" {
		var keys []int64
		for id := range lp.include {
			if m, ok := s.metaOf(id); ok && match(m) {
				keys = append(keys, id)
			}
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		return len(keys), window(keys, start, lp.perPage)
	}
	if cached, ok := s.cachedOrder(lp); ok {
		return len(cached), window(cached, start, lp.perPage)
	}
	needTimes := lp.after != nil || lp.before != nil || lp.orderby == "date" || lp.orderby == "modified" ||
		(lp.orderby != "id" && lp.orderby != "title" && lp.orderby != "slug" && lp.orderby != "menu_order")
	if lp.orderby == "id" {
		var ordered []int64
		each(lp.desc, func(id int64) bool {
			if m, ok := s.metaOfT(id, needTimes); ok && match(m) {
				ordered = append(ordered, id)
			}
			return true
		})
		s.storeOrder(lp, ordered)
		return len(ordered), window(ordered, start, lp.perPage)
	}
	var keys []sortKey
	each(false, func(id int64) bool {
		m, ok := s.metaOfT(id, needTimes)
		if !ok || !match(m) {
			return true
		}
		k := sortKey{id: id}
		switch lp.orderby {
		case "modified":
			k.t = m.modified.Unix()
		case "title", "slug":
			if it := s.get(id); it != nil {
				k.str = strings.ToLower(it.Name)
				if lp.orderby == "slug" {
					k.str = it.Slug
				}
			}
		case "menu_order":
		default: // date
			k.t = m.created.Unix()
		}
		keys = append(keys, k)
		return true
	})
	less := func(a, b sortKey) bool {
		if a.t != b.t {
			return a.t < b.t
		}
		if a.str != b.str {
			return a.str < b.str
		}
		return a.id < b.id
	}
	sort.Slice(keys, func(i, j int) bool {
		if lp.desc {
			return less(keys[j], keys[i])
		}
		return less(keys[i], keys[j])
	})
	ordered := make([]int64, len(keys))
	for i, k := range keys {
		ordered[i] = k.id
	}
	s.storeOrder(lp, ordered)
	return len(ordered), window(ordered, start, lp.perPage)
}

// orderCache keeps sorted/filtered id lists per query shape while the
// catalogue (s.st.gen) does not change, so paging through a large listing
// scans and sorts once, not for every page. An id list is 8 bytes per item.
type orderCache struct {
	mu      sync.Mutex
	gen     int64
	entries map[string][]int64
}

const orderCacheEntries = 16

func (lp *listParams) cacheKey() string {
	return fmt.Sprintf("%s|%v|%v|%v|%v|%v|%v|%v|%v|%s|%d|%d|%s|%s", lp.resource, lp.status, lp.types, lp.include, lp.exclude, lp.parents, lp.after, lp.before, lp.desc, lp.orderby, lp.category, lp.brand, lp.stockStatus, lp.sku)
}

// cachedOrder and storeOrder run under s.mu (read).
func (s *Shop) cachedOrder(lp *listParams) ([]int64, bool) {
	if lp.resource == "" {
		return nil, false
	}
	s.order.mu.Lock()
	defer s.order.mu.Unlock()
	if s.order.gen != s.st.gen {
		return nil, false
	}
	ids, ok := s.order.entries[lp.cacheKey()]
	return ids, ok
}

func (s *Shop) storeOrder(lp *listParams, ids []int64) {
	if lp.resource == "" {
		return
	}
	s.order.mu.Lock()
	defer s.order.mu.Unlock()
	if s.order.gen != s.st.gen || len(s.order.entries) >= orderCacheEntries {
		s.order.gen, s.order.entries = s.st.gen, map[string][]int64{}
	}
	s.order.entries[lp.cacheKey()] = ids
}

func window(ids []int64, start, n int) []int64 {
	if start >= len(ids) {
		return nil
	}
	end := start + n
	if end > len(ids) {
		end = len(ids)
	}
	return ids[start:end]
}

func (lp *listParams) matchCommon(m meta) bool {
	if lp.include != nil && !lp.include[m.id] {
		return false
	}
	if lp.exclude != nil && lp.exclude[m.id] {
		return false
	}
	if lp.after != nil && !m.modified.After(*lp.after) {
		return false
	}
	if lp.before != nil && !m.modified.Before(*lp.before) {
		return false
	}
	return true
}

func statusMatch(filter, status string) bool {
	switch filter {
	case "", "any":
		return status != "trash"
	}
	for _, f := range strings.Split(filter, ",") {
		if f == status {
			return true
		}
	}
	return false
}

var productOrderbys = []string{"date", "id", "include", "title", "slug", "modified", "menu_order", "price", "popularity", "rating"}

func (s *Shop) listProducts(w http.ResponseWriter, r *http.Request) {
	lp, ok := s.parseList(w, r, productOrderbys, "date")
	if !ok {
		return
	}
	for _, st := range strings.Split(lp.status, ",") {
		if !contains([]string{"any", "future", "trash", "draft", "pending", "private", "publish"}, st) {
			invalidParam(w, "status", "status is not one of any, future, trash, draft, pending, private, and publish.")
			return
		}
	}
	if lp.types != nil {
		for t := range lp.types {
			if !contains([]string{TypeSimple, TypeGrouped, TypeExternal, TypeVariable}, t) {
				invalidParam(w, "type", "type is not one of simple, grouped, external, and variable.")
				return
			}
		}
	}
	if !s.pageFault(w, r, "products", lp.page) {
		return
	}
	base, now := s.base(r), s.now()
	faults := s.getFaults()
	s.mu.RLock()
	needItem := lp.sku != "" || lp.category != 0 || lp.brand != 0 || lp.stockStatus != ""
	lp.resource = "products"
	total, ids := s.selectIDs(lp, s.eachProduct, func(m meta) bool {
		if !lp.matchCommon(m) || !statusMatch(lp.status, m.status) {
			return false
		}
		if lp.types != nil && !lp.types[m.typ] {
			return false
		}
		if lp.parents != nil && !lp.parents[m.parent] {
			return false
		}
		if needItem {
			it := s.get(m.id)
			if lp.sku != "" && !contains(strings.Split(lp.sku, ","), it.SKU) {
				return false
			}
			if lp.category != 0 && !containsID(it.Categories, lp.category) {
				return false
			}
			if lp.brand != 0 && !containsID(it.Brands, lp.brand) {
				return false
			}
			if lp.stockStatus != "" && it.StockStatus != lp.stockStatus {
				return false
			}
		}
		return true
	})
	items := make([]json.RawMessage, 0, len(ids))
	for _, id := range ids {
		items = append(items, s.productRaw(s.get(id), base, now, faults))
	}
	s.mu.RUnlock()
	s.writePaged(w, r, lp, total, items)
}

func containsID(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

func (s *Shop) productRaw(it *item, base string, now time.Time, f Faults) json.RawMessage {
	p := s.renderProduct(it, base, now)
	b, err := applyMalformed(f.Malformed[it.ID], p)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

func (s *Shop) variationRaw(it *item, base string, now time.Time, f Faults, withParent bool) json.RawMessage {
	v := s.renderVariation(it, base, now, withParent)
	b, err := applyMalformed(f.Malformed[it.ID], v)
	if err != nil {
		return json.RawMessage("null")
	}
	return b
}

var variationOrderbys = []string{"date", "id", "include", "title", "slug", "modified", "menu_order"}

// listVariations serves /products/{parent}/variations (parent > 0) and the
// store-wide /variations (parent 0).
func (s *Shop) listVariations(w http.ResponseWriter, r *http.Request, parent int64) {
	lp, ok := s.parseList(w, r, variationOrderbys, "date")
	if !ok {
		return
	}
	if !s.pageFault(w, r, "variations", lp.page) {
		return
	}
	base, now := s.base(r), s.now()
	faults := s.getFaults()
	s.mu.RLock()
	each := s.eachVariation
	if parent > 0 {
		p := s.get(parent)
		if p == nil || p.Type == TypeVariation {
			s.mu.RUnlock()
			writeErr(w, http.StatusNotFound, "woocommerce_rest_product_invalid_id", "Invalid ID.")
			return
		}
		vids := append([]int64(nil), p.Variations...)
		sort.Slice(vids, func(i, j int) bool { return vids[i] < vids[j] })
		each = func(desc bool, f func(int64) bool) {
			for i := range vids {
				id := vids[i]
				if desc {
					id = vids[len(vids)-1-i]
				}
				if !f(id) {
					return
				}
			}
		}
	}
	lp.resource = "variations:" + strconv.FormatInt(parent, 10)
	total, ids := s.selectIDs(lp, each, func(m meta) bool {
		if !lp.matchCommon(m) || !statusMatch(lp.status, m.status) {
			return false
		}
		if lp.parents != nil && !lp.parents[m.parent] {
			return false
		}
		if parent == 0 && !s.parentLive(m.parent) {
			return false
		}
		if lp.sku != "" || lp.stockStatus != "" {
			it := s.get(m.id)
			if lp.sku != "" && !contains(strings.Split(lp.sku, ","), it.SKU) {
				return false
			}
			if lp.stockStatus != "" && it.StockStatus != lp.stockStatus {
				return false
			}
		}
		return true
	})
	items := make([]json.RawMessage, 0, len(ids))
	for _, id := range ids {
		items = append(items, s.variationRaw(s.get(id), base, now, faults, parent == 0))
	}
	s.mu.RUnlock()
	s.writePaged(w, r, lp, total, items)
}

func parseID(v string) (int64, bool) {
	id, err := strconv.ParseInt(v, 10, 64)
	return id, err == nil && id > 0
}

func (s *Shop) getProduct(w http.ResponseWriter, r *http.Request, idStr string) {
	id, ok := parseID(idStr)
	if !ok {
		noRoute(w)
		return
	}
	base, now, f := s.base(r), s.now(), s.getFaults()
	s.mu.RLock()
	it := s.get(id)
	var raw json.RawMessage
	if it != nil {
		raw = filterFields(s.productRaw(it, base, now, f), fieldsOf(r))
	}
	s.mu.RUnlock()
	if it == nil {
		writeErr(w, http.StatusNotFound, "woocommerce_rest_product_invalid_id", "Invalid ID.")
		return
	}
	writeRaw(w, raw)
}

func fieldsOf(r *http.Request) []string {
	v := r.URL.Query().Get("_fields")
	if v == "" {
		return nil
	}
	var out []string
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if i := strings.IndexByte(f, '.'); i >= 0 {
			f = f[:i]
		}
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

func writeRaw(w http.ResponseWriter, raw json.RawMessage) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(raw)
}

func (s *Shop) getVariation(w http.ResponseWriter, r *http.Request, pStr, vStr string) {
	pid, ok1 := parseID(pStr)
	vid, ok2 := parseID(vStr)
	if !ok1 || !ok2 {
		noRoute(w)
		return
	}
	base, now, f := s.base(r), s.now(), s.getFaults()
	s.mu.RLock()
	it := s.get(vid)
	var raw json.RawMessage
	if it != nil && it.Type == TypeVariation && it.ParentID == pid {
		raw = filterFields(s.variationRaw(it, base, now, f, false), fieldsOf(r))
	}
	s.mu.RUnlock()
	if raw == nil {
		writeErr(w, http.StatusNotFound, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
		return
	}
	writeRaw(w, raw)
}

// ---- taxonomies ----

type termImage struct {
	ID              int64  `json:"id"`
	DateCreated     string `json:"date_created"`
	DateCreatedGMT  string `json:"date_created_gmt"`
	DateModified    string `json:"date_modified"`
	DateModifiedGMT string `json:"date_modified_gmt"`
	Src             string `json:"src"`
	Name            string `json:"name"`
	Alt             string `json:"alt"`
}

type termJSON struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Slug        string     `json:"slug"`
	Parent      int64      `json:"parent"`
	Description string     `json:"description"`
	Display     string     `json:"display"`
	Image       *termImage `json:"image"`
	MenuOrder   int        `json:"menu_order"`
	Count       int        `json:"count"`
	Links       linksJSON  `json:"_links"`
}

// counts recomputes term counts (published products) when the catalogue
// changed. Callers hold no lock.
func (s *Shop) counts() (cats, brs, trms map[int64]int) {
	s.mu.RLock()
	if s.st.countsGen == s.st.gen && s.st.catCounts != nil {
		cats, brs, trms = s.st.catCounts, s.st.brandCounts, s.st.termCounts
		s.mu.RUnlock()
		return
	}
	gen := s.st.gen
	cats, brs, trms = map[int64]int{}, map[int64]int{}, map[int64]int{}
	s.eachProduct(false, func(id int64) bool {
		it := s.get(id)
		if it == nil || it.Status != "publish" {
			return true
		}
		for _, c := range it.Categories {
			cats[c]++
		}
		for _, b := range it.Brands {
			brs[b]++
		}
		for _, a := range it.Attributes {
			if a.ID == 0 {
				continue
			}
			g := globalAttrByID(a.ID)
			for _, t := range g.Terms {
				if contains(a.Options, t.Name) {
					trms[t.ID]++
				}
			}
		}
		return true
	})
	s.mu.RUnlock()
	s.mu.Lock()
	if s.st.gen == gen {
		s.st.catCounts, s.st.brandCounts, s.st.termCounts, s.st.countsGen = cats, brs, trms, gen
	}
	s.mu.Unlock()
	return
}

func (s *Shop) termObjects(r *http.Request, list []category, path string, counts map[int64]int, images bool) []termJSON {
	base := s.base(r)
	out := make([]termJSON, 0, len(list))
	for i, c := range list {
		t := termJSON{
			ID: c.ID, Name: c.Name, Slug: c.Slug, Parent: c.Parent,
			Description: "", Display: "default", MenuOrder: i, Count: counts[c.ID],
			Links: linksJSON{
				Self:       []href{{base + "/wp-json/wc/v3/products/" + path + "/" + strconv.FormatInt(c.ID, 10)}},
				Collection: []href{{base + "/wp-json/wc/v3/products/" + path}},
			},
		}
		if c.Parent != 0 {
			t.Links.Up = []href{{base + "/wp-json/wc/v3/products/" + path + "/" + strconv.FormatInt(c.Parent, 10)}}
		}
		if images && c.Parent == 0 {
			created := genEpoch.Add(-time.Duration(c.ID) * time.Hour)
			t.Image = &termImage{
				ID: 9_000_000 + c.ID, DateCreated: localTime(created), DateCreatedGMT: gmtTime(created),
				DateModified: localTime(created), DateModifiedGMT: gmtTime(created),
				Src:  base + "/wp-content/uploads/" + created.Format("2006/01") + "/" + c.Slug + ".png",
				Name: c.Slug, Alt: c.Name,
			}
		}
		out = append(out, t)
	}
	return out
}

func (s *Shop) categoryObjects(r *http.Request) []termJSON {
	cats, _, _ := s.counts()
	return s.termObjects(r, categories, "categories", cats, true)
}

func (s *Shop) brandObjects(r *http.Request) []termJSON {
	_, brs, _ := s.counts()
	return s.termObjects(r, brands, "brands", brs, false)
}

func (s *Shop) listTerms(w http.ResponseWriter, r *http.Request, resource string, all []termJSON) {
	lp, ok := s.parseList(w, r, []string{"id", "include", "name", "slug", "term_group", "description", "count"}, "name")
	if !ok {
		return
	}
	if !r.URL.Query().Has("order") {
		lp.desc = false
	}
	if !s.pageFault(w, r, resource, lp.page) {
		return
	}
	q := r.URL.Query()
	var sel []termJSON
	for _, t := range all {
		if lp.include != nil && !lp.include[t.ID] {
			continue
		}
		if lp.exclude != nil && lp.exclude[t.ID] {
			continue
		}
		if q.Has("parent") {
			p, _ := strconv.ParseInt(q.Get("parent"), 10, 64)
			if t.Parent != p {
				continue
			}
		}
		if q.Get("hide_empty") == "true" && t.Count == 0 {
			continue
		}
		if v := q.Get("slug"); v != "" && t.Slug != v {
			continue
		}
		sel = append(sel, t)
	}
	less := func(a, b termJSON) bool {
		switch lp.orderby {
		case "id", "include":
			return a.ID < b.ID
		case "slug":
			return a.Slug < b.Slug
		case "count":
			if a.Count != b.Count {
				return a.Count < b.Count
			}
			return a.ID < b.ID
		}
		return strings.ToLower(a.Name) < strings.ToLower(b.Name)
	}
	sort.SliceStable(sel, func(i, j int) bool {
		if lp.desc {
			return less(sel[j], sel[i])
		}
		return less(sel[i], sel[j])
	})
	s.writeTermPage(w, r, lp, sel)
}

func (s *Shop) writeTermPage(w http.ResponseWriter, r *http.Request, lp *listParams, sel any) {
	b, _ := json.Marshal(sel)
	var all []json.RawMessage
	_ = json.Unmarshal(b, &all)
	start := (lp.page-1)*lp.perPage + lp.offset
	var page []json.RawMessage
	if start < len(all) {
		end := start + lp.perPage
		if end > len(all) {
			end = len(all)
		}
		page = all[start:end]
	}
	s.writePaged(w, r, lp, len(all), page)
}

func (s *Shop) getTerm(w http.ResponseWriter, idStr string, all []termJSON) {
	id, ok := parseID(idStr)
	if ok {
		for _, t := range all {
			if t.ID == id {
				writeJSON(w, http.StatusOK, t)
				return
			}
		}
	}
	writeErr(w, http.StatusNotFound, "woocommerce_rest_term_invalid", "Resource does not exist.")
}

type attributeJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	Type        string    `json:"type"`
	OrderBy     string    `json:"order_by"`
	HasArchives bool      `json:"has_archives"`
	Links       linksJSON `json:"_links"`
}

func (s *Shop) attributeObject(r *http.Request, g *globalAttr) attributeJSON {
	base := s.base(r)
	return attributeJSON{
		ID: g.ID, Name: g.Name, Slug: g.Slug, Type: "select", OrderBy: "menu_order",
		Links: linksJSON{
			Self:       []href{{base + "/wp-json/wc/v3/products/attributes/" + strconv.FormatInt(g.ID, 10)}},
			Collection: []href{{base + "/wp-json/wc/v3/products/attributes"}},
		},
	}
}

func (s *Shop) listAttributes(w http.ResponseWriter, r *http.Request) {
	// WooCommerce returns all attributes unpaged; page/per_page are
	// accepted and applied here so paging connectors terminate.
	lp, ok := s.parseList(w, r, []string{"id", "name", "menu_order"}, "menu_order")
	if !ok {
		return
	}
	if !s.pageFault(w, r, "attributes", lp.page) {
		return
	}
	list := make([]attributeJSON, 0, len(globalAttrs))
	for i := range globalAttrs {
		list = append(list, s.attributeObject(r, &globalAttrs[i]))
	}
	s.writeTermPage(w, r, lp, list)
}

func (s *Shop) getAttribute(w http.ResponseWriter, r *http.Request, idStr string) {
	id, _ := parseID(idStr)
	g := globalAttrByID(id)
	if g == nil {
		writeErr(w, http.StatusNotFound, "woocommerce_rest_attribute_invalid", "Resource does not exist.")
		return
	}
	writeJSON(w, http.StatusOK, s.attributeObject(r, g))
}

type attrTermJSON struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	Description string    `json:"description"`
	MenuOrder   int       `json:"menu_order"`
	Count       int       `json:"count"`
	Links       linksJSON `json:"_links"`
}

func (s *Shop) listAttributeTerms(w http.ResponseWriter, r *http.Request, idStr string) {
	id, _ := parseID(idStr)
	g := globalAttrByID(id)
	if g == nil {
		writeErr(w, http.StatusNotFound, "woocommerce_rest_taxonomy_invalid", "Resource does not exist.")
		return
	}
	lp, ok := s.parseList(w, r, []string{"id", "include", "name", "slug", "term_group", "description", "count"}, "name")
	if !ok {
		return
	}
	if !s.pageFault(w, r, "terms", lp.page) {
		return
	}
	_, _, trms := s.counts()
	base := s.base(r)
	list := make([]attrTermJSON, 0, len(g.Terms))
	for i, t := range g.Terms {
		list = append(list, attrTermJSON{
			ID: t.ID, Name: t.Name, Slug: t.Slug, MenuOrder: i, Count: trms[t.ID],
			Links: linksJSON{
				Self:       []href{{base + "/wp-json/wc/v3/products/attributes/" + idStr + "/terms/" + strconv.FormatInt(t.ID, 10)}},
				Collection: []href{{base + "/wp-json/wc/v3/products/attributes/" + idStr + "/terms"}},
			},
		})
	}
	s.writeTermPage(w, r, lp, list)
}

func htmlEsc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace(s)
}
