package conformance

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Europe/Amsterdam on machines without zoneinfo

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/config"
	"github.com/wujw/ohis/internal/connector"
	"github.com/wujw/ohis/internal/connector/woocommerce"
	"github.com/wujw/ohis/internal/netguard"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

// DefaultWebhookWait is how long a run waits for the signed test webhook.
const DefaultWebhookWait = 30 * time.Minute

// CredentialOpener opens the sealed credentials of a submission
// (supplier.Service does).
type CredentialOpener interface {
	CustomAPICredentials(r store.CustomAPIReview) (supplier.Credentials, error)
}

// Deps are what the service needs.
type Deps struct {
	Store       *store.Store
	Box         *secret.Box
	Credentials CredentialOpener
	// Platform reads the API and verifies the test webhook (the
	// WooCommerce connector's custom platform).
	Platform connector.Platform
	// Client makes the requests to the API (package netguard).
	Client *http.Client
	// BaseURL is OHIS's public address; the test webhook delivers below it.
	BaseURL *url.URL
	Logger  *slog.Logger
	// WebhookWait is how long a run waits for the test webhook (default
	// DefaultWebhookWait).
	WebhookWait time.Duration
	// RunTimeout bounds one run (default 15 minutes).
	RunTimeout time.Duration
	// Run tunes the checks (sample sizes, trial time-out, Sleep in tests);
	// Platform, Client and Webhook are set by the service.
	Run Options
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Service stores conformance reports, runs them as River jobs and
// receives their test webhooks.
type Service struct {
	d      Deps
	log    *slog.Logger
	client atomic.Pointer[river.Client[pgx.Tx]]
}

// New returns the service; call AddWorkers before the job client is
// built and SetClient after.
func New(d Deps) *Service {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.WebhookWait <= 0 {
		d.WebhookWait = DefaultWebhookWait
	}
	if d.RunTimeout <= 0 {
		d.RunTimeout = 15 * time.Minute
	}
	return &Service{d: d, log: d.Logger}
}

// DepsFromConfig are the service's dependencies as the configuration
// gives them: the custom platform and a netguard client (private addresses
// and plain http only where private shops are allowed), OHIS's public
// address. Box and Credentials follow with Wire.
func DepsFromConfig(cfg *config.Config, st *store.Store, logger *slog.Logger) Deps {
	return Deps{
		Store:    st,
		Platform: woocommerce.NewCustomPlatform(woocommerce.PlatformOptions{AllowInsecure: cfg.Sync.AllowPrivateShops}),
		Client:   netguard.NewClient(netguard.Options{AllowPrivate: cfg.Sync.AllowPrivateShops, Timeout: cfg.Sync.RequestTimeout}),
		BaseURL:  cfg.BaseURL,
		Logger:   logger,
	}
}

// Wire gives the service what exists only after its workers are
// registered: the secret box, the credentials' opener and the job client.
// Call it before jobs run.
func (s *Service) Wire(box *secret.Box, creds CredentialOpener, client *river.Client[pgx.Tx]) {
	s.d.Box, s.d.Credentials = box, creds
	s.SetClient(client)
}

// SetClient gives the service the job client, once it exists.
func (s *Service) SetClient(c *river.Client[pgx.Tx]) { s.client.Store(c) }

// Refusal is a request that does not fit the state of the review; Reason
// is Dutch and shown as is.
type Refusal struct{ Reason string }

func (r Refusal) Error() string { return r.Reason }

// Status of a run.
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Webhook results as stored.
const (
	webhookNone       = "none"
	webhookWaiting    = "waiting"
	webhookConform    = "conform"
	webhookNotConform = "not_conform"
	webhookExpired    = "expired"
	webhookNotTested  = "not_tested"
)

// Stored is a run as people see it: the report with the test webhook's
// current state folded in.
type Stored struct {
	ID, ReviewID int64
	CreatedAt    time.Time
	// Automatic: queued on submission, not by staff.
	Automatic  bool
	Status     string
	Error      string
	StartedAt  *time.Time
	FinishedAt *time.Time
	Report     Report
	// WebhookDeadline is when the wait for the test webhook ends.
	WebhookDeadline *time.Time
	WebhookPingAt   *time.Time
	// WebhookWaiting: the run is done and still waits for a delivery.
	WebhookWaiting bool
}

// Busy reports a run that has not finished.
func (s Stored) Busy() bool { return s.Status == StatusQueued || s.Status == StatusRunning }

// Live reports whether the report may still change (a page polls it).
func (s Stored) Live() bool { return s.Busy() || s.WebhookWaiting }

// Verdict is the report's suggestion; incomplete while it runs.
func (s Stored) Verdict() Verdict {
	if s.Status != StatusDone {
		return VerdictIncomplete
	}
	return s.Report.Verdict()
}

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

func dutchTime(t time.Time) string { return t.In(amsterdam).Format("02-01-2006 15:04") }

// stored decodes a row and folds the webhook state into its report.
func stored(row store.ConformanceReport) Stored {
	out := Stored{
		ID: row.ID, ReviewID: row.ReviewID, CreatedAt: row.CreatedAt, Automatic: row.RequestedBy == nil,
		Status: row.Status, Error: row.Error, StartedAt: row.StartedAt, FinishedAt: row.FinishedAt,
		WebhookDeadline: row.WebhookDeadline, WebhookPingAt: row.WebhookPingAt,
	}
	if len(row.Report) > 0 {
		_ = json.Unmarshal(row.Report, &out.Report) // written by this package; a bad one shows as empty
	}
	for i := range out.Report.Checks {
		c := &out.Report.Checks[i]
		if c.ID != CheckWebhook {
			continue
		}
		switch row.WebhookResult {
		case webhookWaiting:
			c.Outcome = Waiting
			out.WebhookWaiting = row.Status == StatusDone
			if row.WebhookPingAt != nil {
				c.Finding += " De ping bij het aanmaken is ontvangen (" + dutchTime(*row.WebhookPingAt) + ")."
			}
			if row.WebhookDeadline != nil {
				c.Finding += " Wij wachten tot " + dutchTime(*row.WebhookDeadline) + "."
			}
		case webhookConform:
			c.Outcome, c.Finding, c.Detail = Conform, row.WebhookFinding, row.WebhookDetail
		case webhookNotConform, webhookExpired:
			c.Outcome, c.Finding, c.Detail = NotConform, row.WebhookFinding, row.WebhookDetail
			if row.WebhookResult == webhookNotConform && row.WebhookDeadline != nil && row.Status == StatusDone && row.WebhookDeadline.After(time.Now()) {
				c.Finding += " Tot " + dutchTime(*row.WebhookDeadline) + " kunt u nog een correct ondertekende webhook sturen."
			}
		}
		if row.WebhookPingAt != nil && row.WebhookResult != webhookWaiting {
			c.Detail = appendDetail(c.Detail, "ping received "+row.WebhookPingAt.UTC().Format(time.RFC3339))
		}
		if row.WebhookDeliveries > 0 {
			c.Detail = appendDetail(c.Detail, strconv.Itoa(row.WebhookDeliveries)+" signed or unsigned deliveries")
		}
	}
	return out
}

func appendDetail(d, more string) string {
	if d == "" {
		return more
	}
	return d + "; " + more
}

// Latest returns the newest run for a submission; store.ErrNotFound when
// there is none.
func (s *Service) Latest(ctx context.Context, reviewID int64) (Stored, error) {
	row, err := s.d.Store.ConformanceReportLatest(ctx, reviewID)
	if err != nil {
		return Stored{}, err
	}
	return stored(row), nil
}

// LatestForApplication returns the newest run of every submission of an
// application, by submission id.
func (s *Service) LatestForApplication(ctx context.Context, applicationID int64) (map[int64]Stored, error) {
	rows, err := s.d.Store.ConformanceReportsLatestForApplication(ctx, applicationID)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Stored, len(rows))
	for id, row := range rows {
		out[id] = stored(row)
	}
	return out, nil
}

// ReviewForSupplier returns a submission only when it belongs to the
// supplier; store.ErrNotFound otherwise, so another organisation's
// submission looks like none at all.
func (s *Service) ReviewForSupplier(ctx context.Context, supplierID, reviewID int64) (store.CustomAPIReview, error) {
	r, err := s.d.Store.ConformanceReviewGet(ctx, reviewID)
	if err != nil {
		return store.CustomAPIReview{}, err
	}
	if r.SupplierID == nil || *r.SupplierID != supplierID {
		return store.CustomAPIReview{}, fmt.Errorf("review %d belongs to another supplier: %w", reviewID, store.ErrNotFound)
	}
	return r.CustomAPIReview, nil
}

// ReviewOfApplication returns a submission only when it belongs to the
// application.
func (s *Service) ReviewOfApplication(ctx context.Context, applicationID, reviewID int64) (store.CustomAPIReview, error) {
	r, err := s.d.Store.ConformanceReviewGet(ctx, reviewID)
	if err != nil {
		return store.CustomAPIReview{}, err
	}
	if r.ApplicationID != applicationID {
		return store.CustomAPIReview{}, fmt.Errorf("review %d belongs to another application: %w", reviewID, store.ErrNotFound)
	}
	return r.CustomAPIReview, nil
}

// CustomAPISubmitted queues the report of a new submission on the
// submission's own transaction (supplier.ReviewHook).
func (s *Service) CustomAPISubmitted(ctx context.Context, tx *store.Store, r store.CustomAPIReview) error {
	_, err := s.queue(ctx, tx, r.ID, nil)
	return err
}

// queue creates a run and its job on tx.
func (s *Service) queue(ctx context.Context, tx *store.Store, reviewID int64, requestedBy *int64) (int64, error) {
	id, err := tx.ConformanceReportCreate(ctx, reviewID, requestedBy)
	if err != nil {
		return 0, err
	}
	c := s.client.Load()
	if c == nil {
		return 0, errors.New("conformance: no job client")
	}
	if tx.Tx() == nil {
		return 0, errors.New("conformance: queueing a run needs a transaction")
	}
	if _, err := c.InsertTx(ctx, tx.Tx(), RunArgs{ReportID: id}, nil); err != nil {
		return 0, fmt.Errorf("queueing conformance run: %w", err)
	}
	return id, nil
}

// Rerun queues a new run for an open submission, at staff's request.
func (s *Service) Rerun(ctx context.Context, actor audit.Actor, applicationID, reviewID int64) (int64, error) {
	var id int64
	err := s.d.Store.InTx(ctx, func(tx *store.Store) error {
		r, err := tx.CustomAPIReviewGetForUpdate(ctx, reviewID)
		if err != nil {
			return err
		}
		if r.ApplicationID != applicationID {
			return fmt.Errorf("review %d belongs to another application: %w", reviewID, store.ErrNotFound)
		}
		if r.Decided() {
			return Refusal{"Over deze inzending is al besloten; een nieuw rapport is niet meer nodig. Er is niets gewijzigd."}
		}
		latest, err := tx.ConformanceReportLatest(ctx, reviewID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case latest.Status == StatusQueued || latest.Status == StatusRunning:
			return Refusal{"Het rapport voor deze inzending wordt al uitgevoerd; wacht tot het klaar is."}
		}
		if id, err = s.queue(ctx, tx, reviewID, actor.UserID); err != nil {
			return err
		}
		a, err := tx.ApplicationGet(ctx, applicationID)
		if err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.ConformanceRerun, SubjectType: "application",
			SubjectID: strconv.FormatInt(applicationID, 10), SupplierID: a.SupplierID,
			Detail: map[string]string{"review": strconv.FormatInt(reviewID, 10), "report": strconv.FormatInt(id, 10)}})
	})
	return id, err
}

// secretContext binds a sealed webhook secret to its run.
func secretContext(reportID int64) string { return fmt.Sprintf("conformance_report:%d", reportID) }

// newToken is a random URL-safe token.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// validToken reports whether s can be a token newToken made.
func validToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}

// ReceiverPrefix is where the test webhooks deliver (POST
// ReceiverPrefix+token).
const ReceiverPrefix = "/webhooks/conformance/"

func (s *Service) deliveryURL(token string) string {
	if s.d.BaseURL == nil {
		return ReceiverPrefix + token
	}
	return s.d.BaseURL.JoinPath("webhooks", "conformance", token).String()
}
