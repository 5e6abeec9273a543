// Package syncer keeps every supplier's catalogue current: full,
// incremental and reconciliation runs as River jobs (or in the foreground
// for the CLI), webhook deliveries, webhook registration and checks, and
// the incidents that make a broken connection loud.
//
// The rules it keeps (SPEC §3 "Sync"):
//   - one run writes in one transaction, committed only when its listing
//     finished: a failed or partial run changes nothing in the catalogue;
//   - nothing is deleted unless a complete id listing lacks it;
//   - unchanged items cause no writes (content hashes), older payloads
//     never overwrite newer data (the shop's modification time);
//   - one run per connection at a time, across any number of processes
//     (a session advisory lock on a dedicated database connection);
//   - a connection that keeps failing, whose keys are refused or whose
//     webhooks the shop disabled opens an incident and mails the supplier
//     once.
package syncer

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/store"
)

// Kind is what a run does.
type Kind string

// The kinds of run.
const (
	// KindFull lists the whole catalogue, then reconciles ids.
	KindFull Kind = "full"
	// KindIncremental lists what changed since the watermark minus the
	// safety margin (a full run when there is no watermark yet).
	KindIncremental Kind = "incremental"
	// KindReconcile lists all ids and marks what the shop no longer has
	// deleted.
	KindReconcile Kind = "reconcile"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindFull || k == KindIncremental || k == KindReconcile }

// Queues of the syncer's jobs (app.go configures their workers).
const (
	// QueueSync runs sync runs and webhook registration: long jobs, few
	// at a time.
	QueueSync = "sync"
	// QueueEvents runs webhook deliveries and the scheduler: short jobs
	// that must not wait behind long runs.
	QueueEvents = "sync_events"
)

// Opener gives the syncer a ready connector for a connection (implemented
// by internal/connections).
type Opener interface {
	Open(ctx context.Context, connectionID int64) (connector.Connector, error)
	Platform(name string) (connector.Platform, bool)
	WebhookSecret(ctx context.Context, connectionID int64) ([]byte, error)
}

// ChangeHook lets curation react to changed products inside the sync's
// data transaction (implemented by internal/curation; may be nil).
type ChangeHook interface {
	ProductsChanged(ctx context.Context, tx *store.Store, productIDs []int64) error
}

// Mailer puts mail in the outbox on the caller's transaction (the outbox,
// as internal/supplier uses it).
type Mailer interface {
	Enqueue(ctx context.Context, tx *store.Store, to, subject, text string) error
}

// Deps are what the syncer needs.
type Deps struct {
	Store   *store.Store
	Pool    *pgxpool.Pool
	Opener  Opener
	Hook    ChangeHook
	Mailer  Mailer
	Logger  *slog.Logger
	Config  config.Sync
	BaseURL *url.URL

	// BusyRetry is how long a sync job waits before trying again when
	// another run holds the connection (default 15 s).
	BusyRetry time.Duration
	// Now is the OHIS clock (default time.Now).
	Now func() time.Time
}

// Service is the syncer.
type Service struct {
	d      Deps
	store  *store.Store
	log    *slog.Logger
	now    func() time.Time
	client atomic.Pointer[river.Client[pgx.Tx]]

	// recv keeps connections' webhook platform and secret (see receiver).
	recvMu sync.Mutex
	recv   map[int64]receiverEntry
}

// New returns the syncer.
func New(d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.BusyRetry <= 0 {
		d.BusyRetry = 15 * time.Second
	}
	if d.Config.Interval <= 0 {
		d.Config.Interval = 5 * time.Minute
	}
	if d.Config.ReconcileInterval <= 0 {
		d.Config.ReconcileInterval = 24 * time.Hour
	}
	if d.Store == nil && d.Pool != nil {
		d.Store = store.New(d.Pool)
	}
	return &Service{d: d, store: d.Store, log: d.Logger, now: d.Now}
}

// SetClient gives the syncer the job client, once it exists.
func (s *Service) SetClient(c *river.Client[pgx.Tx]) { s.client.Store(c) }

// SetOpener sets Deps.Opener when it is built after the syncer (the app
// registers the syncer's workers before the job client exists, and the
// opener needs more than that). Call it before jobs run.
func (s *Service) SetOpener(o Opener) { s.d.Opener = o }

// SetMailer sets Deps.Mailer (see SetOpener).
func (s *Service) SetMailer(m Mailer) { s.d.Mailer = m }

// SetHook sets Deps.Hook (see SetOpener).
func (s *Service) SetHook(h ChangeHook) { s.d.Hook = h }

// Counts are what a run did, over products and variants.
type Counts struct {
	Created, Updated, Deleted, Unchanged, Skipped, Failed int
}

// Progress is a running run's state, for the CLI and the portal.
type Progress struct {
	RunID                                        int64
	Phase                                        string // what the run is doing (for operators, English)
	PagesDone, PagesTotal, ItemsDone, ItemsTotal int
	Counts
}

// Summary is a finished run.
type Summary struct {
	RunID int64
	// Kind is what the run did: an incremental without a watermark runs
	// as a full one.
	Kind       Kind
	Trigger    string
	StartedAt  time.Time
	FinishedAt time.Time
	Pages      int
	Items      int
	// Reconciled: a complete id listing was compared with the catalogue.
	Reconciled bool
	Counts
}

// Duration is how long the run took.
func (s Summary) Duration() time.Duration { return s.FinishedAt.Sub(s.StartedAt) }

// ErrBusy is returned by Run when another run holds the connection.
var ErrBusy = errors.New("er loopt al een synchronisatie voor deze koppeling")

// RunError is why a run failed: a code (connector.Code or one of the
// syncer's), a Dutch message that says what to do, technical detail for
// staff.
type RunError struct {
	Code    string
	Message string
	Detail  string
	Err     error
}

func (e *RunError) Error() string { return e.Message }
func (e *RunError) Unwrap() error { return e.Err }

// The syncer's own failure codes (beside connector.Code).
const (
	CodeInternal     = "internal"      // a fault in OHIS itself
	CodeInterrupted  = "interrupted"   // OHIS stopped during the run
	CodeEmptyListing = "empty_listing" // the shop listed no products at all while OHIS has some
	CodeNoConnection = "no_connection" // the connection cannot be opened (credentials unreadable, platform unknown)
)

// Codes of per-product notes that are not errors in the shop's data.
const (
	CodeSkippedType = "skipped_type" // grouped/external: not sold through the platform
)

func lockKey(connectionID int64) int64 { return connectionID }

// lockNamespace is the first key of the per-connection advisory lock
// ('SY').
const lockNamespace int32 = 0x5359

func (s *Service) deliveryURL(connectionID int64) string {
	if s.d.BaseURL == nil {
		return "/webhooks/" + strconv.FormatInt(connectionID, 10)
	}
	return s.d.BaseURL.JoinPath("webhooks", strconv.FormatInt(connectionID, 10)).String()
}

func (s *Service) connectionURL(connectionID int64) string {
	if s.d.BaseURL == nil {
		return "/koppelingen/" + strconv.FormatInt(connectionID, 10)
	}
	return s.d.BaseURL.JoinPath("koppelingen", strconv.FormatInt(connectionID, 10)).String()
}
