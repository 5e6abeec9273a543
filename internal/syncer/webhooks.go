package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/store"
)

type ctxRemoteAddr struct{}

// WithRemoteAddr returns ctx carrying the address a webhook came from, for
// ReceiveWebhook's log lines.
func WithRemoteAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, ctxRemoteAddr{}, addr)
}

func remoteAddr(ctx context.Context) string {
	a, _ := ctx.Value(ctxRemoteAddr{}).(string)
	return a
}

// Delivery results (webhook_deliveries.result).
const (
	ResultApplied   = "applied"   // written
	ResultStale     = "stale"     // older than what OHIS has: not written
	ResultDuplicate = "duplicate" // nothing new: not written
	ResultIgnored   = "ignored"   // a topic or item OHIS does not use (or a sync was requested instead)
	ResultFailed    = "failed"    // the payload could not be used
)

// webhookLockWait bounds how long a delivery waits for a product a run
// is writing. It is below PostgreSQL's deadlock_timeout (1 s), so a
// delivery always gives way to a run, never the other way round.
const webhookLockWait = 500 * time.Millisecond

// headerNote picks a header for log lines, bounded.
func headerNote(h http.Header, name string) string {
	v := h.Get(name)
	if len(v) > 100 {
		v = v[:100]
	}
	return v
}

// ReceiveWebhook handles a delivery to /webhooks/{connection}: it returns
// the HTTP status to answer. It checks the signature over the raw body,
// stores the delivery once (the same payload twice is one row) and queues
// its processing on the same transaction; it never calls the shop.
func (s *Service) ReceiveWebhook(ctx context.Context, connectionID int64, h http.Header, body []byte) int {
	log := s.log.With(slog.Int64("connection_id", connectionID), slog.String("topic", headerNote(h, "X-WC-Webhook-Topic")),
		slog.String("delivery_id", headerNote(h, "X-WC-Webhook-Delivery-ID")), slog.String("remote_addr", remoteAddr(ctx)))
	rc, status := s.receiver(ctx, connectionID, false, log)
	if status != 0 {
		return status
	}
	err := rc.platform.VerifyWebhook(h, body, rc.secret)
	if errors.Is(err, connector.ErrSignature) && rc.cached {
		// The secret may have changed since it was cached: ask again.
		if rc, status = s.receiver(ctx, connectionID, true, log); status != 0 {
			return status
		}
		err = rc.platform.VerifyWebhook(h, body, rc.secret)
	}
	platform := rc.platform
	switch {
	case errors.Is(err, connector.ErrPing):
		log.Info("webhook ping")
		return http.StatusOK
	case err != nil:
		// Never the body: it is unauthenticated input.
		log.Warn("webhook refused: signature missing or wrong", slog.Int("bytes", len(body)))
		return http.StatusUnauthorized
	}
	ev, perr := platform.ParseWebhook(h, body)
	topic, result := ev.Topic, ""
	switch {
	case perr != nil:
		log.Warn("webhook payload not usable", slog.Any("error", perr))
		result = ResultFailed
	case ev.Kind == connector.EventIgnored:
		result = ResultIgnored
	}
	if topic == "" {
		topic = "unknown"
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		id, fresh, err := tx.SyncerDeliveryAdd(ctx, connectionID, topic, cleanText(ev.ResourceID), body, result)
		if err != nil || !fresh || result != "" {
			return err
		}
		return s.insert(ctx, tx, WebhookDeliveryArgs{DeliveryID: id, Headers: deliveryHeaders(h)})
	})
	switch {
	case store.IsForeignKeyViolation(err): // the connection was removed meanwhile
		s.forgetReceiver(connectionID)
		return http.StatusNotFound
	case err != nil:
		log.Error("webhook: storing delivery", slog.Any("error", err))
		return http.StatusInternalServerError
	}
	return http.StatusOK
}

// receiverTTL is how long a connection's platform and webhook secret are
// kept in memory for the webhook endpoint; a signature that does not
// verify with a kept secret is checked again with a fresh one, so a new
// secret works at once.
const receiverTTL = 5 * time.Minute

// receiverLimit bounds the kept entries.
const receiverLimit = 10_000

type receiverEntry struct {
	platform connector.Platform
	secret   []byte
	at       time.Time
	cached   bool
}

// receiver returns what verifying a connection's webhooks needs, from
// memory unless fresh; status is non-zero when the delivery must be
// answered with it.
func (s *Service) receiver(ctx context.Context, connectionID int64, fresh bool, log *slog.Logger) (receiverEntry, int) {
	now := s.now()
	if !fresh {
		s.recvMu.Lock()
		e, ok := s.recv[connectionID]
		s.recvMu.Unlock()
		if ok && now.Sub(e.at) < receiverTTL {
			e.cached = true
			return e, 0
		}
	}
	name, err := s.store.SyncerConnectionPlatform(ctx, connectionID)
	if errors.Is(err, store.ErrNotFound) {
		s.forgetReceiver(connectionID)
		return receiverEntry{}, http.StatusNotFound
	}
	if err != nil {
		log.Error("webhook: reading connection", slog.Any("error", err))
		return receiverEntry{}, http.StatusInternalServerError
	}
	platform, ok := s.d.Opener.Platform(name)
	if !ok {
		log.Warn("webhook for a platform without connector", slog.String("platform", name))
		return receiverEntry{}, http.StatusNotFound
	}
	secret, err := s.d.Opener.WebhookSecret(ctx, connectionID)
	if errors.Is(err, store.ErrNotFound) {
		s.forgetReceiver(connectionID)
		return receiverEntry{}, http.StatusNotFound
	}
	if err != nil {
		log.Error("webhook: opening secret", slog.Any("error", err))
		return receiverEntry{}, http.StatusInternalServerError
	}
	e := receiverEntry{platform: platform, secret: secret, at: now}
	s.recvMu.Lock()
	if s.recv == nil || len(s.recv) >= receiverLimit {
		s.recv = map[int64]receiverEntry{}
	}
	s.recv[connectionID] = e
	s.recvMu.Unlock()
	return e, 0
}

func (s *Service) forgetReceiver(connectionID int64) {
	s.recvMu.Lock()
	delete(s.recv, connectionID)
	s.recvMu.Unlock()
}

// deliveryHeaders keeps the X- headers a parser may need; signatures are
// checked already and not kept.
func deliveryHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-") || strings.Contains(lk, "signature") || strings.Contains(lk, "hmac") || len(v) == 0 {
			continue
		}
		if len(v[0]) <= 512 {
			out[k] = v[0]
		}
	}
	return out
}

// processDelivery applies a stored delivery: the webhook_delivery job.
func (s *Service) processDelivery(ctx context.Context, deliveryID int64, headers map[string]string) error {
	d, err := s.store.SyncerDelivery(ctx, deliveryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // cleaned up
	}
	if err != nil {
		return err
	}
	if d.ProcessedAt != nil {
		return nil
	}
	conn, err := s.store.SyncerConnection(ctx, d.ConnectionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	log := s.log.With(slog.Int64("connection_id", d.ConnectionID), slog.Int64("delivery_id", d.ID), slog.String("topic", d.Topic))
	platform, ok := s.d.Opener.Platform(conn.Platform)
	if !ok {
		return s.store.SyncerDeliveryDone(ctx, d.ID, ResultIgnored)
	}
	h := http.Header{}
	for k, v := range headers {
		h.Set(k, v)
	}
	ev, err := platform.ParseWebhook(h, d.Body)
	if err != nil {
		log.Warn("webhook payload not usable", slog.Any("error", err))
		return s.store.SyncerDeliveryDone(ctx, d.ID, ResultFailed)
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.SyncerLockTimeout(ctx, webhookLockWait); err != nil {
			return err
		}
		if err := tx.SyncerCustomPlans(ctx); err != nil {
			return err
		}
		result, err := s.applyEvent(ctx, tx, conn, ev)
		if err != nil {
			return err
		}
		log.Debug("webhook applied", slog.String("result", result), slog.String("resource", ev.ResourceID))
		return tx.SyncerDeliveryDone(ctx, d.ID, result)
	})
}

// applyEvent writes one webhook event on tx and returns the delivery's
// result.
func (s *Service) applyEvent(ctx context.Context, tx *store.Store, conn store.SyncState, ev connector.Event) (string, error) {
	a := newApplier(tx, conn, nil, s.now())
	switch ev.Kind {
	case connector.EventProduct:
		if ev.Product == nil {
			return ResultFailed, nil
		}
		res, err := a.products(ctx, []connector.ProductItem{*ev.Product})
		if err != nil {
			return "", err
		}
		r := res[0]
		result := resultOf(r.outcome)
		if r.outcome == outcomeFailed || r.outcome == outcomeSkipped {
			return result, nil
		}
		if r.variable && r.id != 0 {
			// The payload names the product, not its variations: when
			// OHIS has none yet, a sync fetches them.
			n, err := tx.SyncerProductVariantCount(ctx, r.id)
			if err != nil {
				return "", err
			}
			if r.outcome == outcomeCreated || n == 0 {
				if err := s.RequestSync(ctx, tx, conn.ID, KindIncremental, "webhook"); err != nil {
					return "", err
				}
			}
		}
		if err := a.derive(ctx); err != nil {
			return "", err
		}
		return result, s.hook(ctx, tx, a)
	case connector.EventVariant:
		if ev.Variant == nil {
			return ResultFailed, nil
		}
		res, err := a.variants(ctx, []connector.VariantItem{*ev.Variant}, true)
		if err != nil {
			return "", err
		}
		if len(a.orphans) > 0 {
			// The parent is not known yet: a sync brings both.
			if err := s.RequestSync(ctx, tx, conn.ID, KindIncremental, "webhook"); err != nil {
				return "", err
			}
			return ResultIgnored, nil
		}
		if err := a.derive(ctx); err != nil {
			return "", err
		}
		return resultOf(res[0].outcome), s.hook(ctx, tx, a)
	case connector.EventProductDeleted:
		id, ok, err := tx.SyncerProductMarkDeleted(ctx, conn.ID, ev.ResourceID)
		if err != nil {
			return "", err
		}
		if !ok {
			return ResultDuplicate, nil // unknown or already deleted
		}
		a.changed[id] = true
		return ResultApplied, s.hook(ctx, tx, a)
	}
	return ResultIgnored, nil
}

func resultOf(o outcome) string {
	switch o {
	case outcomeCreated, outcomeUpdated:
		return ResultApplied
	case outcomeStale:
		return ResultStale
	case outcomeUnchanged:
		return ResultDuplicate
	case outcomeSkipped:
		return ResultIgnored
	}
	return ResultFailed
}

func (s *Service) hook(ctx context.Context, tx *store.Store, a *applier) error {
	if s.d.Hook == nil {
		return nil
	}
	if ids := a.changedIDs(); len(ids) > 0 {
		if err := s.d.Hook.ProductsChanged(ctx, tx, ids); err != nil {
			return fmt.Errorf("curation hook: %w", err)
		}
	}
	return nil
}

// EnsureWebhooks makes sure the shop has exactly one active webhook per
// product topic delivering to OHIS (the webhook_setup job, also run every
// WebhookCheckEvery): ours that are missing are created, disabled or paused
// ones re-activated, duplicates removed. The connection's webhook status
// becomes active, or — when that fails — error (never set up) or disabled
// (the shop disabled them and OHIS could not repair them), which is an
// incident.
func (s *Service) EnsureWebhooks(ctx context.Context, connectionID int64) error {
	st, err := s.store.SyncerConnection(ctx, connectionID)
	if err != nil {
		return err
	}
	log := s.log.With(slog.Int64("connection_id", connectionID))
	fail := func(cause error) error {
		status := "error"
		if st.WebhookStatus == "active" || st.WebhookStatus == "disabled" {
			status = "disabled"
		}
		log.Warn("webhooks not in order", slog.String("status", status), slog.Any("error", cause))
		return s.store.InTx(ctx, func(tx *store.Store) error {
			if err := tx.SyncerSetWebhookStatus(ctx, connectionID, status); err != nil {
				return err
			}
			return s.evaluateIncident(ctx, tx, connectionID, "")
		})
	}
	cn, err := s.d.Opener.Open(ctx, connectionID)
	if err != nil {
		return fail(err)
	}
	secret, err := s.d.Opener.WebhookSecret(ctx, connectionID)
	if err != nil {
		return err
	}
	hooks, err := cn.Webhooks(ctx)
	if err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) && (ce.Code == connector.CodeTimeout || ce.Code == connector.CodeUnreachable || ce.Code == connector.CodeServer) && st.WebhookStatus != "none" {
			// The shop is down: that is the sync's incident, not the
			// webhooks'. Look again next time.
			log.Info("webhook check: shop unreachable", slog.Any("error", err))
			return s.store.SyncerSetWebhookStatus(ctx, connectionID, st.WebhookStatus)
		}
		return fail(err)
	}
	url := s.deliveryURL(connectionID)
	var failures []error
	for _, topic := range connector.ProductTopics {
		var ours []connector.Webhook
		for _, w := range hooks {
			if w.Topic == topic && sameURL(w.DeliveryURL, url) {
				ours = append(ours, w)
			}
		}
		var w connector.Webhook
		switch {
		case len(ours) == 0:
			if w, err = cn.RegisterWebhook(ctx, topic, url, secret); err != nil {
				failures = append(failures, fmt.Errorf("registering %s: %w", topic, err))
				continue
			}
			log.Info("webhook registered", slog.String("topic", topic), slog.String("webhook_id", w.ID))
		default:
			// Prefer an active one; remove the others.
			w = ours[0]
			for _, o := range ours {
				if o.Active() {
					w = o
					break
				}
			}
			for _, o := range ours {
				if o.ID != w.ID {
					if err := cn.DeleteWebhook(ctx, o.ID); err != nil {
						log.Warn("removing duplicate webhook", slog.String("webhook_id", o.ID), slog.Any("error", err))
					}
				}
			}
			if !w.Active() {
				was := w.Status
				if w, err = cn.ActivateWebhook(ctx, w.ID); err != nil {
					failures = append(failures, fmt.Errorf("re-activating %s (%s): %w", topic, was, err))
					_ = s.store.SyncerWebhookSave(ctx, connectionID, topic, ours[0].ID, was)
					continue
				}
				log.Info("webhook re-activated", slog.String("topic", topic), slog.String("was", was))
			}
		}
		if err := s.store.SyncerWebhookSave(ctx, connectionID, topic, w.ID, w.Status); err != nil {
			return err
		}
		if !w.Active() {
			failures = append(failures, fmt.Errorf("%s is %s after activation", topic, w.Status))
		}
	}
	if len(failures) > 0 {
		return fail(errors.Join(failures...))
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.SyncerSetWebhookStatus(ctx, connectionID, "active"); err != nil {
			return err
		}
		return s.evaluateIncident(ctx, tx, connectionID, "")
	})
}

func sameURL(a, b string) bool {
	return strings.TrimRight(a, "/") == strings.TrimRight(b, "/")
}
