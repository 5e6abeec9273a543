package store

import (
	"context"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// Connection is a supplier's webshop connection with its sync state. The
// credentials and webhook secret are sealed (package secret); only the
// connections service opens them.
type Connection struct {
	ID               int64
	SupplierID       int64
	SupplierName     string
	Environment      string // test, acceptance, production
	Platform         string
	BaseURL          string
	Credentials      []byte // sealed
	KeyID            string
	CredentialsHint  string
	WebhookSecret    []byte // sealed, same key id
	CreatedAt        time.Time
	CreatedBy        *int64
	UpdatedAt        time.Time
	Paused           bool
	Watermark        *time.Time
	LastSuccessAt    *time.Time
	LastAttemptAt    *time.Time
	LastReconcileAt  *time.Time
	NextSyncAt       *time.Time
	FailingSince     *time.Time
	LastErrorCode    string
	AuthFailed       bool
	WebhookStatus    string // none, active, disabled, error
	WebhookCheckedAt *time.Time
	IncidentKind     string // '', failing, auth, webhooks
	IncidentSince    *time.Time
	IncidentMailedAt *time.Time
	ShopInfo         []byte // JSON
	// OpenErrors counts the connection's unresolved sync errors.
	OpenErrors int
}

// NewConnection is a connection as the supplier creates it.
type NewConnection struct {
	SupplierID      int64
	Environment     string
	Platform        string
	BaseURL         string
	Credentials     []byte
	KeyID           string
	CredentialsHint string
	WebhookSecret   []byte
	CreatedBy       *int64
}

// connectionRow is the shape every connection query returns.
type connectionRow = dbsqlc.ConnectionGetRow

func connectionFrom(r connectionRow) Connection {
	return Connection{
		ID: r.ID, SupplierID: r.SupplierID, SupplierName: r.SupplierName, Environment: r.Environment, Platform: r.Platform,
		BaseURL: r.BaseUrl, Credentials: r.Credentials, KeyID: r.KeyID, CredentialsHint: r.CredentialsHint,
		WebhookSecret: r.WebhookSecret, CreatedAt: r.CreatedAt, CreatedBy: r.CreatedBy, UpdatedAt: r.UpdatedAt,
		Paused: r.Paused, Watermark: r.Watermark, LastSuccessAt: r.LastSuccessAt, LastAttemptAt: r.LastAttemptAt,
		LastReconcileAt: r.LastReconcileAt, NextSyncAt: r.NextSyncAt, FailingSince: r.FailingSince,
		LastErrorCode: r.LastErrorCode, AuthFailed: r.AuthFailed, WebhookStatus: r.WebhookStatus,
		WebhookCheckedAt: r.WebhookCheckedAt, IncidentKind: r.IncidentKind, IncidentSince: r.IncidentSince,
		IncidentMailedAt: r.IncidentMailedAt, ShopInfo: r.ShopInfo, OpenErrors: int(r.OpenErrors),
	}
}

// ConnectionCreate stores a new connection. A second connection of the
// supplier in the same environment is ErrConflict.
func (s *Store) ConnectionCreate(ctx context.Context, n NewConnection) (int64, error) {
	id, err := s.q.ConnectionCreate(ctx, dbsqlc.ConnectionCreateParams{
		SupplierID: n.SupplierID, Environment: n.Environment, Platform: n.Platform, BaseUrl: n.BaseURL,
		Credentials: n.Credentials, KeyID: n.KeyID, CredentialsHint: n.CredentialsHint,
		WebhookSecret: n.WebhookSecret, CreatedBy: n.CreatedBy,
	})
	return id, interpret(err, "creating connection")
}

// ConnectionGet returns one connection, whoever it belongs to; callers on
// behalf of a supplier check SupplierID.
func (s *Store) ConnectionGet(ctx context.Context, id int64) (Connection, error) {
	r, err := s.q.ConnectionGet(ctx, id)
	if err != nil {
		return Connection{}, interpret(err, "getting connection")
	}
	return connectionFrom(r), nil
}

// ConnectionIDByEnvironment returns the id of the supplier's connection in
// an environment, or ErrNotFound.
func (s *Store) ConnectionIDByEnvironment(ctx context.Context, supplierID int64, env string) (int64, error) {
	id, err := s.q.ConnectionGetByEnvironment(ctx, dbsqlc.ConnectionGetByEnvironmentParams{SupplierID: supplierID, Environment: env})
	return id, interpret(err, "finding connection by environment")
}

// ConnectionLock locks a connection's row for the rest of the transaction
// and returns its supplier.
func (s *Store) ConnectionLock(ctx context.Context, id int64) (supplierID int64, err error) {
	r, err := s.q.ConnectionGetForUpdate(ctx, id)
	if err != nil {
		return 0, interpret(err, "locking connection")
	}
	return r.SupplierID, nil
}

// ConnectionsBySupplier lists a supplier's connections, production first.
func (s *Store) ConnectionsBySupplier(ctx context.Context, supplierID int64) ([]Connection, error) {
	rows, err := s.q.ConnectionListBySupplier(ctx, supplierID)
	if err != nil {
		return nil, interpret(err, "listing connections")
	}
	out := make([]Connection, len(rows))
	for i, r := range rows {
		out[i] = connectionFrom(connectionRow(r))
	}
	return out, nil
}

// ConnectionsAll lists every connection for staff, open incidents first;
// problemsOnly keeps those that need a look.
func (s *Store) ConnectionsAll(ctx context.Context, problemsOnly bool) ([]Connection, error) {
	rows, err := s.q.ConnectionListAll(ctx, problemsOnly)
	if err != nil {
		return nil, interpret(err, "listing all connections")
	}
	out := make([]Connection, len(rows))
	for i, r := range rows {
		out[i] = connectionFrom(connectionRow(r))
	}
	return out, nil
}

// ConnectionIncident is a connection with an open incident, for the start
// pages.
type ConnectionIncident struct {
	ID           int64
	SupplierID   int64
	SupplierName string
	Environment  string
	Platform     string
	BaseURL      string
	Kind         string // failing, auth, webhooks
	Since        *time.Time
}

// ConnectionIncidents lists connections with an open incident: one
// supplier's, or everyone's when supplierID is nil.
func (s *Store) ConnectionIncidents(ctx context.Context, supplierID *int64) ([]ConnectionIncident, error) {
	rows, err := s.q.ConnectionIncidents(ctx, supplierID)
	if err != nil {
		return nil, interpret(err, "listing connection incidents")
	}
	out := make([]ConnectionIncident, len(rows))
	for i, r := range rows {
		out[i] = ConnectionIncident{ID: r.ID, SupplierID: r.SupplierID, SupplierName: r.SupplierName, Environment: r.Environment,
			Platform: r.Platform, BaseURL: r.BaseUrl, Kind: r.IncidentKind, Since: r.IncidentSince}
	}
	return out, nil
}

// ConnectionSetCredentials replaces the sealed credentials and webhook
// secret, both sealed with the key keyID names.
func (s *Store) ConnectionSetCredentials(ctx context.Context, id int64, credentials, webhookSecret []byte, keyID, hint string) error {
	return interpret(s.q.ConnectionSetCredentials(ctx, dbsqlc.ConnectionSetCredentialsParams{
		ID: id, Credentials: credentials, WebhookSecret: webhookSecret, KeyID: keyID, CredentialsHint: hint,
	}), "setting connection credentials")
}

// ConnectionSetBaseURL changes the shop address (the demo's shops move
// ports on every start).
func (s *Store) ConnectionSetBaseURL(ctx context.Context, id int64, baseURL string) error {
	return interpret(s.q.ConnectionSetBaseURL(ctx, dbsqlc.ConnectionSetBaseURLParams{ID: id, BaseUrl: baseURL}), "setting connection address")
}

// ConnectionSetPaused pauses or resumes scheduled syncs.
func (s *Store) ConnectionSetPaused(ctx context.Context, id int64, paused bool) error {
	return interpret(s.q.ConnectionSetPaused(ctx, dbsqlc.ConnectionSetPausedParams{ID: id, Paused: paused}), "pausing connection")
}

// ConnectionSetShopInfo stores what the last connection check learned.
func (s *Store) ConnectionSetShopInfo(ctx context.Context, id int64, info []byte) error {
	return interpret(s.q.ConnectionSetShopInfo(ctx, dbsqlc.ConnectionSetShopInfoParams{ID: id, ShopInfo: info}), "storing shop info")
}

// ConnectionDelete removes a connection; its catalogue, runs and errors go
// with it.
func (s *Store) ConnectionDelete(ctx context.Context, id int64) error {
	return interpret(s.q.ConnectionDelete(ctx, id), "deleting connection")
}

// ConnectionWebhook is a webhook OHIS registered in a shop.
type ConnectionWebhook struct {
	Topic      string
	ExternalID string
	Status     string
	CheckedAt  time.Time
}

// ConnectionWebhooks lists the webhooks registered for a connection.
func (s *Store) ConnectionWebhooks(ctx context.Context, connectionID int64) ([]ConnectionWebhook, error) {
	rows, err := s.q.ConnectionWebhookList(ctx, connectionID)
	if err != nil {
		return nil, interpret(err, "listing connection webhooks")
	}
	out := make([]ConnectionWebhook, len(rows))
	for i, r := range rows {
		out[i] = ConnectionWebhook{Topic: r.Topic, ExternalID: r.ExternalID, Status: r.Status, CheckedAt: r.CheckedAt}
	}
	return out, nil
}

// connectionsLike escapes typed text for use inside an ILIKE pattern, so it is
// matched literally.
func connectionsLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}
