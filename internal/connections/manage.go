package connections

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/syncer"
)

// Triggers of the sync runs this service requests.
const (
	TriggerConnect = "connect" // a new connection or new credentials
	TriggerManual  = "manual"  // the supplier's "Nu synchroniseren"
)

// newWebhookSecret is 32 random bytes, base64url-encoded: shops store the
// secret as text, so it must be printable.
func newWebhookSecret() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return []byte(base64.RawURLEncoding.EncodeToString(b))
}

// supplierMay checks the supplier's admission for a connection in env:
// an excluded supplier may not connect, and production needs admission to
// production (SPEC §3). An organisation without an application (added by
// an admin) may use test and acceptance.
func supplierMay(ctx context.Context, tx *store.Store, supplierID int64, env string) error {
	a, err := tx.ApplicationBySupplier(ctx, supplierID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if env == string(admission.EnvProduction) {
			return FieldErrors{FieldEnvironment: msgProductionBeforeAdmission}
		}
		return nil
	case err != nil:
		return err
	case a.State == admission.Excluded || a.State == admission.Rejected:
		return ErrNotAllowed{msgExcluded}
	case env == string(admission.EnvProduction) && a.State != admission.Production:
		return FieldErrors{FieldEnvironment: msgProductionBeforeAdmission}
	}
	return nil
}

// Create validates and stores a new connection and, on the same
// transaction, records it in the audit log and asks the syncer to register
// the shop's webhooks and run a first full sync. Invalid input returns
// FieldErrors; nothing is stored then.
func (s *Service) Create(ctx context.Context, supplierID int64, actor audit.Actor, in Input) (int64, error) {
	baseURL, cred, errs := s.checkInput(in)
	if len(errs) > 0 {
		return 0, errs
	}
	if s.syncer == nil {
		return 0, errNoSyncer
	}
	sealed, keyID, err := s.sealCredentials(cred, supplierID, in.Environment)
	if err != nil {
		return 0, err
	}
	hookSecret, hookKeyID := s.box.Seal(newWebhookSecret(), webhookSecretContext(supplierID, in.Environment))
	if hookKeyID != keyID {
		return 0, errors.New("connections: credentials and webhook secret sealed with different keys")
	}
	var id int64
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := supplierMay(ctx, tx, supplierID, in.Environment); err != nil {
			return err
		}
		if _, err := tx.ConnectionIDByEnvironment(ctx, supplierID, in.Environment); err == nil {
			return FieldErrors{FieldEnvironment: msgDuplicateEnvironment(in.Environment)}
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		id, err = tx.ConnectionCreate(ctx, store.NewConnection{
			SupplierID: supplierID, Environment: in.Environment, Platform: in.Platform, BaseURL: baseURL,
			Credentials: sealed, KeyID: keyID, CredentialsHint: secret.Mask(cred.Key), WebhookSecret: hookSecret,
			CreatedBy: actor.UserID,
		})
		if errors.Is(err, store.ErrConflict) {
			return FieldErrors{FieldEnvironment: msgDuplicateEnvironment(in.Environment)} // a concurrent double submit
		}
		if err != nil {
			return err
		}
		if err := tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.ConnectionCreated, SubjectType: "connection",
			SubjectID: strconv.FormatInt(id, 10), SupplierID: &supplierID,
			Detail: map[string]string{"environment": in.Environment, "platform": in.Platform, "shop_url": baseURL}}); err != nil {
			return err
		}
		if err := s.syncer.RequestWebhookSetup(ctx, tx, id); err != nil {
			return err
		}
		return s.syncer.RequestSync(ctx, tx, id, syncer.KindFull, TriggerConnect)
	})
	if err != nil {
		return 0, err
	}
	s.logger.Info("connection created", slog.Int64("connection_id", id), slog.Int64("supplier_id", supplierID),
		slog.String("environment", in.Environment), slog.String("platform", in.Platform))
	return id, nil
}

// CredentialsInput is the change-credentials form: a blank field keeps the
// stored value.
type CredentialsInput struct {
	Key    string
	Secret string
}

// UpdateCredentials replaces the key and/or secret of a connection (blank
// keeps), checks them like Create, re-seals them and the webhook secret
// with the current key, and asks for webhook setup and a sync with them.
func (s *Service) UpdateCredentials(ctx context.Context, supplierID, id int64, actor audit.Actor, in CredentialsInput) error {
	c, err := s.Get(ctx, supplierID, id)
	if err != nil {
		return err
	}
	typed := connector.Credentials{Key: strings.TrimSpace(in.Key), Secret: strings.TrimSpace(in.Secret)}
	if typed.Key == "" && typed.Secret == "" {
		return FieldErrors{FieldKey: msgNoNewKeys}
	}
	errs := FieldErrors{}
	checkCredentials(c.Platform, typed, false, errs)
	if len(errs) > 0 {
		return errs
	}
	if s.syncer == nil {
		return errNoSyncer
	}
	cred, err := s.credentials(c)
	if err != nil {
		return err
	}
	if typed.Key != "" {
		cred.Key = typed.Key
	}
	if typed.Secret != "" {
		cred.Secret = typed.Secret
	}
	hook, err := s.WebhookSecret(ctx, c.ID)
	if err != nil {
		return err
	}
	sealed, keyID, err := s.sealCredentials(cred, c.SupplierID, c.Environment)
	if err != nil {
		return err
	}
	sealedHook, _ := s.box.Seal(hook, webhookSecretContext(c.SupplierID, c.Environment))
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := s.lockOwned(ctx, tx, supplierID, id); err != nil {
			return err
		}
		if err := supplierMay(ctx, tx, supplierID, c.Environment); err != nil {
			return err
		}
		if err := tx.ConnectionSetCredentials(ctx, id, sealed, sealedHook, keyID, secret.Mask(cred.Key)); err != nil {
			return err
		}
		changed := "key"
		switch {
		case typed.Key != "" && typed.Secret != "":
			changed = "key,secret"
		case typed.Key == "":
			changed = "secret"
		}
		if err := tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.ConnectionCredentialsChanged, SubjectType: "connection",
			SubjectID: strconv.FormatInt(id, 10), SupplierID: &supplierID, Detail: map[string]string{"changed": changed}}); err != nil {
			return err
		}
		if err := s.syncer.RequestWebhookSetup(ctx, tx, id); err != nil {
			return err
		}
		return s.syncer.RequestSync(ctx, tx, id, syncer.KindIncremental, TriggerConnect)
	})
}

// lockOwned locks the connection's row and checks it is the supplier's.
func (s *Service) lockOwned(ctx context.Context, tx *store.Store, supplierID, id int64) error {
	owner, err := tx.ConnectionLock(ctx, id)
	if err != nil {
		return err
	}
	if owner != supplierID {
		return store.ErrNotFound
	}
	return nil
}

// SetPaused pauses or resumes a connection's scheduled syncs.
func (s *Service) SetPaused(ctx context.Context, supplierID, id int64, actor audit.Actor, paused bool) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := s.lockOwned(ctx, tx, supplierID, id); err != nil {
			return err
		}
		if err := tx.ConnectionSetPaused(ctx, id, paused); err != nil {
			return err
		}
		action := audit.ConnectionResumed
		if paused {
			action = audit.ConnectionPaused
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: action, SubjectType: "connection",
			SubjectID: strconv.FormatInt(id, 10), SupplierID: &supplierID})
	})
}

// SyncNow asks for a sync at once: incremental once a sync succeeded,
// full before that or when full is asked for.
func (s *Service) SyncNow(ctx context.Context, supplierID, id int64, actor audit.Actor, full bool) error {
	if s.syncer == nil {
		return errNoSyncer
	}
	c, err := s.Get(ctx, supplierID, id)
	if err != nil {
		return err
	}
	kind := syncer.KindIncremental
	if full || c.LastSuccessAt == nil {
		kind = syncer.KindFull
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := s.lockOwned(ctx, tx, supplierID, id); err != nil {
			return err
		}
		if err := supplierMay(ctx, tx, supplierID, c.Environment); err != nil {
			return err
		}
		if err := tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.ConnectionSyncRequested, SubjectType: "connection",
			SubjectID: strconv.FormatInt(id, 10), SupplierID: &supplierID, Detail: map[string]string{"kind": string(kind)}}); err != nil {
			return err
		}
		return s.syncer.RequestSync(ctx, tx, id, kind, TriggerManual)
	})
}

// webhookCleanupTimeout bounds removing a deleted connection's webhooks
// from the shop.
const webhookCleanupTimeout = 15 * time.Second

// Delete removes a connection: first, best effort, OHIS's webhooks in the
// shop (a shop that is down or refuses must not keep a supplier from
// disconnecting), then the row, which takes its catalogue, runs and errors
// with it.
func (s *Service) Delete(ctx context.Context, supplierID, id int64, actor audit.Actor) error {
	c, err := s.Get(ctx, supplierID, id)
	if err != nil {
		return err
	}
	s.removeWebhooks(ctx, c)
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := s.lockOwned(ctx, tx, supplierID, id); err != nil {
			return err
		}
		if err := tx.ConnectionDelete(ctx, id); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.ConnectionDeleted, SubjectType: "connection",
			SubjectID: strconv.FormatInt(id, 10), SupplierID: &supplierID,
			Detail: map[string]string{"environment": c.Environment, "platform": c.Platform, "shop_url": c.BaseURL}})
	})
}

// removeWebhooks deletes the webhooks OHIS registered in the shop. Failures
// are logged (without credentials) and otherwise ignored.
func (s *Service) removeWebhooks(ctx context.Context, c store.Connection) {
	hooks, err := s.store.ConnectionWebhooks(ctx, c.ID)
	if err != nil || len(hooks) == 0 {
		return
	}
	conn, err := s.connectorFor(c)
	if err != nil {
		s.logger.Warn("removing webhooks of a deleted connection", slog.Int64("connection_id", c.ID), slog.Any("error", err))
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), webhookCleanupTimeout)
	defer cancel()
	for _, h := range hooks {
		if err := conn.DeleteWebhook(ctx, h.ExternalID); err != nil {
			s.logger.Warn("removing a webhook of a deleted connection", slog.Int64("connection_id", c.ID),
				slog.String("topic", h.Topic), slog.String("webhook_id", h.ExternalID), slog.Any("error", err))
		}
	}
}

// Check tests the connection step by step (reachability, TLS, keys, REST
// API, version) and stores what it learned about the shop when it works.
func (s *Service) Check(ctx context.Context, supplierID, id int64) (connector.CheckReport, error) {
	c, err := s.Get(ctx, supplierID, id)
	if err != nil {
		return connector.CheckReport{}, err
	}
	conn, err := s.connectorFor(c)
	if err != nil {
		return connector.CheckReport{}, err
	}
	report := conn.Check(ctx)
	if report.Err == nil {
		info, err := json.Marshal(report.Info)
		if err != nil {
			return report, err
		}
		if err := s.store.ConnectionSetShopInfo(ctx, id, info); err != nil {
			return report, err
		}
	}
	return report, nil
}

// ShopInfo decodes what the last successful check stored.
func ShopInfo(c store.Connection) connector.ShopInfo {
	var info connector.ShopInfo
	_ = json.Unmarshal(c.ShopInfo, &info)
	return info
}

// UpdateShopURL moves a connection to another shop address (a shop that
// moved, or the demo's shops, which get new ports on every start),
// checked like Create, and asks for webhook setup and a full sync there.
func (s *Service) UpdateShopURL(ctx context.Context, supplierID, id int64, actor audit.Actor, raw string) error {
	c, err := s.Get(ctx, supplierID, id)
	if err != nil {
		return err
	}
	baseURL, msg := s.normalizeShopURL(c.Platform, raw)
	if msg != "" {
		return FieldErrors{FieldShopURL: msg}
	}
	if s.syncer == nil {
		return errNoSyncer
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := s.lockOwned(ctx, tx, supplierID, id); err != nil {
			return err
		}
		if err := supplierMay(ctx, tx, supplierID, c.Environment); err != nil {
			return err
		}
		if baseURL != c.BaseURL {
			if err := tx.ConnectionSetBaseURL(ctx, id, baseURL); err != nil {
				return err
			}
			if err := tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.ConnectionURLChanged, SubjectType: "connection",
				SubjectID: strconv.FormatInt(id, 10), SupplierID: &supplierID,
				Detail: map[string]string{"from": c.BaseURL, "to": baseURL}}); err != nil {
				return err
			}
		}
		if err := s.syncer.RequestWebhookSetup(ctx, tx, id); err != nil {
			return err
		}
		return s.syncer.RequestSync(ctx, tx, id, syncer.KindFull, TriggerConnect)
	})
}
