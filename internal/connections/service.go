// Package connections manages suppliers' webshop connections: adding one
// per environment with its platform, shop address and credentials,
// changing the credentials, pausing, testing and removing it. Credentials
// and the webhook secret are sealed with package secret and never logged or
// shown in full. The service also opens connectors for the syncer (it is
// the syncer's Opener), so credentials are only ever unsealed here.
package connections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/syncer"
)

// Syncer requests sync work on the caller's transaction, so a connection
// and the work it starts commit together (package syncer's Service).
type Syncer interface {
	RequestSync(ctx context.Context, tx *store.Store, connectionID int64, kind syncer.Kind, trigger string) error
	RequestWebhookSetup(ctx context.Context, tx *store.Store, connectionID int64) error
}

// Deps are what the service needs.
type Deps struct {
	Store  *store.Store
	Box    *secret.Box
	Config *config.Config
	Logger *slog.Logger
	// Platforms are the implemented platforms by name; nil means
	// DefaultPlatforms(Config).
	Platforms map[string]connector.Platform
	// Client makes every request to a shop; nil means NewClient(Config).
	Client *http.Client
}

// Service manages connections. Build it with New, then hand it the syncer
// with SetSyncer (the syncer needs the service as its Opener first).
type Service struct {
	store     *store.Store
	box       *secret.Box
	cfg       *config.Config
	logger    *slog.Logger
	platforms map[string]connector.Platform
	client    *http.Client
	syncer    Syncer
	now       func() time.Time
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{store: d.Store, box: d.Box, cfg: d.Config, logger: d.Logger, platforms: d.Platforms, client: d.Client, now: time.Now}
	if s.platforms == nil {
		s.platforms = DefaultPlatforms(d.Config)
	}
	if s.client == nil {
		s.client = NewClient(d.Config)
	}
	return s
}

// SetSyncer gives the service the syncer it requests work from. Until it
// is set, changes that would start a sync are refused.
func (s *Service) SetSyncer(sy Syncer) { s.syncer = sy }

// FieldErrors are Dutch messages per form field; the form is shown again
// with the values as typed.
type FieldErrors map[string]string

func (e FieldErrors) Error() string { return fmt.Sprintf("%d invalid fields", len(e)) }

// ErrNotAllowed is an action that does not fit where the supplier stands;
// its Dutch reason is shown as is.
type ErrNotAllowed struct{ Reason string }

func (e ErrNotAllowed) Error() string { return e.Reason }

// errNoSyncer: the service was used before the app wired the syncer.
var errNoSyncer = errors.New("connections: no syncer set")

// credentialsContext binds sealed credentials to their connection: the
// supplier and environment identify it (one connection per supplier per
// environment) and are known before the row exists.
func credentialsContext(supplierID int64, env string) string {
	return "connection-credentials:" + strconv.FormatInt(supplierID, 10) + ":" + env
}

func webhookSecretContext(supplierID int64, env string) string {
	return "connection-webhook-secret:" + strconv.FormatInt(supplierID, 10) + ":" + env
}

// credentials unseals a connection's credentials.
func (s *Service) credentials(c store.Connection) (connector.Credentials, error) {
	plain, err := s.box.Open(c.Credentials, c.KeyID, credentialsContext(c.SupplierID, c.Environment))
	if err != nil {
		return connector.Credentials{}, fmt.Errorf("opening credentials of connection %d: %w", c.ID, err)
	}
	var cred connector.Credentials
	if err := json.Unmarshal(plain, &cred); err != nil {
		return connector.Credentials{}, fmt.Errorf("decoding credentials of connection %d: %w", c.ID, err)
	}
	return cred, nil
}

func (s *Service) sealCredentials(cred connector.Credentials, supplierID int64, env string) (sealed []byte, keyID string, err error) {
	plain, err := json.Marshal(cred)
	if err != nil {
		return nil, "", err
	}
	sealed, keyID = s.box.Seal(plain, credentialsContext(supplierID, env))
	return sealed, keyID, nil
}

// Get returns a connection of the supplier; another supplier's connection
// is store.ErrNotFound, exactly like one that does not exist.
func (s *Service) Get(ctx context.Context, supplierID, id int64) (store.Connection, error) {
	c, err := s.store.ConnectionGet(ctx, id)
	if err != nil {
		return store.Connection{}, err
	}
	if c.SupplierID != supplierID {
		return store.Connection{}, fmt.Errorf("connection %d of another supplier: %w", id, store.ErrNotFound)
	}
	return c, nil
}

// connectorFor builds the connector of a connection.
func (s *Service) connectorFor(c store.Connection) (connector.Connector, error) {
	p, ok := s.platforms[c.Platform]
	if !ok {
		return nil, fmt.Errorf("connection %d: platform %q is not implemented", c.ID, c.Platform)
	}
	cred, err := s.credentials(c)
	if err != nil {
		return nil, err
	}
	return p.New(connector.Options{BaseURL: c.BaseURL, Credentials: cred, Client: s.client, Concurrency: s.cfg.Sync.ShopConcurrency})
}

// Open returns the connector of a connection, for the syncer.
func (s *Service) Open(ctx context.Context, connectionID int64) (connector.Connector, error) {
	c, err := s.store.ConnectionGet(ctx, connectionID)
	if err != nil {
		return nil, err
	}
	return s.connectorFor(c)
}

// Platform returns an implemented platform by name, for the syncer and the
// webhook endpoint.
func (s *Service) Platform(name string) (connector.Platform, bool) {
	p, ok := s.platforms[name]
	return p, ok
}

// WebhookSecret unseals the secret the shop signs a connection's webhooks
// with.
func (s *Service) WebhookSecret(ctx context.Context, connectionID int64) ([]byte, error) {
	c, err := s.store.ConnectionGet(ctx, connectionID)
	if err != nil {
		return nil, err
	}
	secretBytes, err := s.box.Open(c.WebhookSecret, c.KeyID, webhookSecretContext(c.SupplierID, c.Environment))
	if err != nil {
		return nil, fmt.Errorf("opening webhook secret of connection %d: %w", c.ID, err)
	}
	return secretBytes, nil
}
