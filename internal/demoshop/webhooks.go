package demoshop

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Webhook is a registered webhook as the shop keeps it.
type Webhook struct {
	ID           int64
	Name         string
	Status       string // active, paused, disabled
	Topic        string
	DeliveryURL  string
	Secret       string
	FailureCount int
	Created      time.Time // UTC
	Modified     time.Time // UTC
	source       string    // X-WC-Webhook-Source / payload base URL
}

var topicHooks = map[string][]string{
	"product.created":  {"woocommerce_process_product_meta", "woocommerce_new_product", "woocommerce_new_product_variation"},
	"product.updated":  {"woocommerce_process_product_meta", "woocommerce_update_product", "woocommerce_update_product_variation"},
	"product.deleted":  {"wp_trash_post"},
	"product.restored": {"untrashed_post"},
	"order.created":    {"woocommerce_new_order"},
	"order.updated":    {"woocommerce_process_shop_order_meta", "woocommerce_api_edit_order", "woocommerce_order_edit_status", "woocommerce_order_status_changed"},
	"order.deleted":    {"wp_trash_post"},
	"order.restored":   {"untrashed_post"},
}

// maxFailures: a webhook is disabled when failure_count exceeds it.
const maxFailures = 5

type job struct {
	hook  int64
	topic string
	id    int64
}

type hookState struct {
	mu      sync.Mutex
	cond    *sync.Cond
	hooks   map[int64]*Webhook
	nextID  int64
	queue   []job
	pending map[[2]int64]bool // (webhook, resource) queued, not yet started
	busy    int
	closed  bool
	wg      sync.WaitGroup
}

func newHookState() *hookState {
	h := &hookState{hooks: map[int64]*Webhook{}, nextID: 1, pending: map[[2]int64]bool{}}
	h.cond = sync.NewCond(&h.mu)
	return h
}

func (s *Shop) startWorkers(n int) {
	for i := 0; i < n; i++ {
		s.hooks.wg.Add(1)
		go s.worker()
	}
}

// Close stops the webhook delivery workers; queued deliveries are dropped.
func (s *Shop) Close() {
	h := s.hooks
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	h.queue = nil
	h.cond.Broadcast()
	h.mu.Unlock()
	h.wg.Wait()
}

// Drain waits until no webhook delivery is queued or running (or ctx ends).
func (s *Shop) Drain(ctx context.Context) error {
	h := s.hooks
	for {
		h.mu.Lock()
		idle := (len(h.queue) == 0 && h.busy == 0) || h.closed
		h.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Webhooks lists the registered webhooks with status and failure count.
func (s *Shop) Webhooks() []Webhook {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Webhook, 0, len(h.hooks))
	for _, wh := range h.hooks {
		out = append(out, *wh)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// fire queues deliveries of an event to every active webhook of its topic.
// At most one delivery per (webhook, resource) waits in the queue, like
// WooCommerce's Action Scheduler uniqueness; payloads are built at delivery.
func (s *Shop) fire(e event) {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	ids := make([]int64, 0, len(h.hooks))
	for id := range h.hooks {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		wh := h.hooks[id]
		if wh.Status != "active" || wh.Topic != e.topic {
			continue
		}
		k := [2]int64{wh.ID, e.id}
		if h.pending[k] {
			continue
		}
		h.pending[k] = true
		h.queue = append(h.queue, job{wh.ID, e.topic, e.id})
	}
	h.cond.Broadcast()
}

func (s *Shop) worker() {
	h := s.hooks
	defer h.wg.Done()
	for {
		h.mu.Lock()
		for len(h.queue) == 0 && !h.closed {
			h.cond.Wait()
		}
		if h.closed {
			h.mu.Unlock()
			return
		}
		j := h.queue[0]
		h.queue = h.queue[1:]
		delete(h.pending, [2]int64{j.hook, j.id})
		h.busy++
		wh, ok := h.hooks[j.hook]
		var snap Webhook
		if ok {
			snap = *wh
		}
		h.mu.Unlock()
		if ok && snap.Status == "active" {
			s.deliver(snap, j)
		}
		h.mu.Lock()
		h.busy--
		h.mu.Unlock()
	}
}

// payload builds the delivery body at delivery time; nil when the resource
// no longer exists.
func (s *Shop) payload(wh Webhook, j job) []byte {
	if strings.HasSuffix(j.topic, ".deleted") {
		b, _ := json.Marshal(map[string]int64{"id": j.id})
		return b
	}
	base := wh.source
	if b := s.fixedBase(); b != "" {
		base = b
	}
	f := s.getFaults()
	s.mu.RLock()
	defer s.mu.RUnlock()
	it := s.get(j.id)
	if it == nil {
		return nil
	}
	return s.productRaw(it, base, s.now(), f)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Sign is the WooCommerce webhook signature: base64(HMAC-SHA256(body, secret)).
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (s *Shop) userAgent() string {
	return "WooCommerce/" + s.opts.Version + " Hookshot (WordPress/6.7)"
}

func (s *Shop) deliver(wh Webhook, j job) {
	body := s.payload(wh, j)
	if body == nil {
		return
	}
	s.deliveries.Add(1)
	resource, ev, _ := strings.Cut(j.topic, ".")
	req, err := http.NewRequest(http.MethodPost, wh.DeliveryURL, bytes.NewReader(body))
	ok := false
	code := 0
	if err == nil {
		source := wh.source
		if b := s.fixedBase(); b != "" {
			source = b
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", s.userAgent())
		req.Header.Set("X-WC-Webhook-Source", source+"/")
		req.Header.Set("X-WC-Webhook-Topic", j.topic)
		req.Header.Set("X-WC-Webhook-Resource", resource)
		req.Header.Set("X-WC-Webhook-Event", ev)
		req.Header.Set("X-WC-Webhook-Signature", Sign(body, wh.Secret))
		req.Header.Set("X-WC-Webhook-ID", strconv.FormatInt(wh.ID, 10))
		req.Header.Set("X-WC-Webhook-Delivery-ID", randomHex(16))
		resp, err := s.client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			code = resp.StatusCode
			ok = code >= 200 && code <= 302
		} else {
			s.log.Info("demoshop: webhook delivery failed", "webhook", wh.ID, "topic", j.topic, "resource", j.id, "err", err)
		}
	}
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	cur, exists := h.hooks[wh.ID]
	if !exists {
		return
	}
	if ok {
		cur.FailureCount = 0
		return
	}
	cur.FailureCount++
	s.log.Info("demoshop: webhook delivery unsuccessful", "webhook", wh.ID, "status", code, "failures", cur.FailureCount)
	if cur.FailureCount > maxFailures && cur.Status == "active" {
		cur.Status = "disabled"
		cur.Modified = s.clock()
	}
}

// ping sends the creation ping: form body webhook_id=<id>, no signature.
func (s *Shop) ping(wh Webhook) {
	s.pings.Add(1)
	body := "webhook_id=" + strconv.FormatInt(wh.ID, 10)
	req, err := http.NewRequest(http.MethodPost, wh.DeliveryURL, strings.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", s.userAgent())
	resp, err := s.client.Do(req)
	if err != nil {
		s.log.Info("demoshop: webhook ping failed", "webhook", wh.ID, "err", err)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}

// ---- REST ----

type webhookJSON struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	Status          string    `json:"status"`
	Topic           string    `json:"topic"`
	Resource        string    `json:"resource"`
	Event           string    `json:"event"`
	Hooks           []string  `json:"hooks"`
	DeliveryURL     string    `json:"delivery_url"`
	DateCreated     string    `json:"date_created"`
	DateCreatedGMT  string    `json:"date_created_gmt"`
	DateModified    string    `json:"date_modified"`
	DateModifiedGMT string    `json:"date_modified_gmt"`
	Links           linksJSON `json:"_links"`
}

func webhookObject(base string, wh *Webhook) webhookJSON {
	res, ev, _ := strings.Cut(wh.Topic, ".")
	hooks := append([]string{}, topicHooks[wh.Topic]...)
	return webhookJSON{
		ID: wh.ID, Name: wh.Name, Status: wh.Status, Topic: wh.Topic,
		Resource: res, Event: ev, Hooks: hooks, DeliveryURL: wh.DeliveryURL,
		DateCreated: localTime(wh.Created), DateCreatedGMT: gmtTime(wh.Created),
		DateModified: localTime(wh.Modified), DateModifiedGMT: gmtTime(wh.Modified),
		Links: linksJSON{
			Self:       []href{{base + "/wp-json/wc/v3/webhooks/" + strconv.FormatInt(wh.ID, 10)}},
			Collection: []href{{base + "/wp-json/wc/v3/webhooks"}},
		},
	}
}

type webhookInput struct {
	Name        *string `json:"name"`
	Status      *string `json:"status"`
	Topic       *string `json:"topic"`
	DeliveryURL *string `json:"delivery_url"`
	Secret      *string `json:"secret"`
}

// readInput reads a JSON body, or form values as WordPress also accepts.
func readInput(r *http.Request) (webhookInput, bool) {
	var in webhookInput
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return in, false
	}
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return in, false
		}
		get := func(k string) *string {
			if v.Has(k) {
				s := v.Get(k)
				return &s
			}
			return nil
		}
		return webhookInput{get("name"), get("status"), get("topic"), get("delivery_url"), get("secret")}, true
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return in, true
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return in, false
	}
	return in, true
}

func validWebhookStatus(s string) bool {
	return s == "active" || s == "paused" || s == "disabled"
}

func validDeliveryURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

func (s *Shop) webhooksAPI(w http.ResponseWriter, r *http.Request, seg []string) {
	base := s.base(r)
	h := s.hooks
	switch {
	case len(seg) == 0 && r.Method == http.MethodGet:
		lp, ok := s.parseList(w, r, []string{"date", "id", "title"}, "date")
		if !ok {
			return
		}
		status := r.URL.Query().Get("status")
		if status != "" && status != "all" && !validWebhookStatus(status) {
			invalidParam(w, "status", "status is not one of all, active, paused, and disabled.")
			return
		}
		if !s.pageFault(w, r, "webhooks", lp.page) {
			return
		}
		h.mu.Lock()
		var list []webhookJSON
		for _, wh := range h.hooks {
			if status == "" || status == "all" || wh.Status == status {
				list = append(list, webhookObject(base, wh))
			}
		}
		h.mu.Unlock()
		sort.Slice(list, func(i, j int) bool {
			if lp.desc {
				return list[i].ID > list[j].ID
			}
			return list[i].ID < list[j].ID
		})
		if list == nil {
			list = []webhookJSON{}
		}
		s.writeTermPage(w, r, lp, list)
	case len(seg) == 0 && r.Method == http.MethodPost:
		in, ok := readInput(r)
		if !ok {
			writeErr(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
			return
		}
		var missing []string
		if in.Topic == nil || *in.Topic == "" {
			missing = append(missing, "topic")
		}
		if in.DeliveryURL == nil || *in.DeliveryURL == "" {
			missing = append(missing, "delivery_url")
		}
		if len(missing) > 0 {
			writeJSON(w, http.StatusBadRequest, wpError{"rest_missing_callback_param", "Missing parameter(s): " + strings.Join(missing, ", "),
				map[string]any{"status": 400, "params": missing}})
			return
		}
		if _, ok := topicHooks[*in.Topic]; !ok {
			writeErr(w, http.StatusBadRequest, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.")
			return
		}
		if !validDeliveryURL(*in.DeliveryURL) {
			writeErr(w, http.StatusBadRequest, "woocommerce_rest_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL starting with http:// or https://.")
			return
		}
		status := "active"
		if in.Status != nil {
			if !validWebhookStatus(*in.Status) {
				invalidParam(w, "status", "status is not one of active, paused, and disabled.")
				return
			}
			status = *in.Status
		}
		now := s.clock()
		wh := &Webhook{Status: status, Topic: *in.Topic, DeliveryURL: *in.DeliveryURL, Created: now, Modified: now, source: base}
		if in.Name != nil && *in.Name != "" {
			wh.Name = *in.Name
		} else {
			wh.Name = "Webhook created on " + now.In(amsterdam).Format("Jan 02, 2006 @ 15:04")
		}
		if in.Secret != nil && *in.Secret != "" {
			wh.Secret = *in.Secret
		} else {
			wh.Secret = randomHex(16)
		}
		h.mu.Lock()
		wh.ID = h.nextID
		h.nextID++
		h.hooks[wh.ID] = wh
		obj := webhookObject(base, wh)
		snap := *wh
		h.mu.Unlock()
		if snap.Status == "active" {
			s.ping(snap)
		}
		writeJSON(w, http.StatusCreated, obj)
	case len(seg) == 1:
		id, ok := parseID(seg[0])
		if !ok {
			noRoute(w)
			return
		}
		h.mu.Lock()
		wh, exists := h.hooks[id]
		h.mu.Unlock()
		if !exists && (r.Method == http.MethodGet || r.Method == http.MethodPut || r.Method == http.MethodPatch || r.Method == http.MethodPost || r.Method == http.MethodDelete) {
			writeErr(w, http.StatusNotFound, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
			return
		}
		switch r.Method {
		case http.MethodGet:
			h.mu.Lock()
			obj := webhookObject(base, wh)
			h.mu.Unlock()
			writeJSON(w, http.StatusOK, obj)
		case http.MethodPut, http.MethodPatch, http.MethodPost:
			in, ok := readInput(r)
			if !ok {
				writeErr(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
				return
			}
			if in.Topic != nil {
				if _, ok := topicHooks[*in.Topic]; !ok {
					writeErr(w, http.StatusBadRequest, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.")
					return
				}
			}
			if in.DeliveryURL != nil && !validDeliveryURL(*in.DeliveryURL) {
				writeErr(w, http.StatusBadRequest, "woocommerce_rest_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL starting with http:// or https://.")
				return
			}
			if in.Status != nil && !validWebhookStatus(*in.Status) {
				invalidParam(w, "status", "status is not one of active, paused, and disabled.")
				return
			}
			h.mu.Lock()
			if in.Name != nil {
				wh.Name = *in.Name
			}
			if in.Topic != nil {
				wh.Topic = *in.Topic
			}
			if in.DeliveryURL != nil {
				wh.DeliveryURL = *in.DeliveryURL
			}
			if in.Secret != nil && *in.Secret != "" {
				wh.Secret = *in.Secret
			}
			if in.Status != nil {
				if *in.Status == "active" {
					wh.FailureCount = 0
				}
				wh.Status = *in.Status
			}
			wh.Modified = s.clock()
			obj := webhookObject(base, wh)
			h.mu.Unlock()
			writeJSON(w, http.StatusOK, obj)
		case http.MethodDelete:
			if f := r.URL.Query().Get("force"); f != "true" && f != "1" {
				writeErr(w, http.StatusNotImplemented, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
				return
			}
			h.mu.Lock()
			obj := webhookObject(base, wh)
			delete(h.hooks, id)
			h.mu.Unlock()
			writeJSON(w, http.StatusOK, obj)
		default:
			noRoute(w)
		}
	default:
		noRoute(w)
	}
}
