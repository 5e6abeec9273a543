package store

import (
	"context"
	"errors"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// ConformanceReport is one run of the conformance checks against a
// submission of a supplier's own API, with the state of its test webhook.
// Report is the checks as JSON (package conformance reads it); the webhook
// secret stays sealed.
type ConformanceReport struct {
	ID          int64
	ReviewID    int64
	CreatedAt   time.Time
	RequestedBy *int64 // nil: queued automatically on submission
	StartedAt   *time.Time
	FinishedAt  *time.Time
	Status      string // queued, running, done, failed
	Error       string
	Report      []byte // JSON

	WebhookTokenHash  []byte
	WebhookSecret     []byte // sealed
	WebhookKeyID      string
	WebhookRemoteID   string
	WebhookDeadline   *time.Time
	WebhookResult     string // none, waiting, conform, not_conform, expired, not_tested
	WebhookFinding    string
	WebhookDetail     string
	WebhookPingAt     *time.Time
	WebhookReceivedAt *time.Time
	WebhookDeliveries int
	WebhookRemovedAt  *time.Time
}

func conformanceReportFromRow(r dbsqlc.ConformanceReport) ConformanceReport {
	return ConformanceReport{
		ID: r.ID, ReviewID: r.ReviewID, CreatedAt: r.CreatedAt, RequestedBy: r.RequestedBy,
		StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Status: r.Status, Error: r.Error, Report: r.Report,
		WebhookTokenHash: r.WebhookTokenHash, WebhookSecret: r.WebhookSecret, WebhookKeyID: r.WebhookKeyID,
		WebhookRemoteID: r.WebhookRemoteID, WebhookDeadline: r.WebhookDeadline, WebhookResult: r.WebhookResult,
		WebhookFinding: r.WebhookFinding, WebhookDetail: r.WebhookDetail, WebhookPingAt: r.WebhookPingAt,
		WebhookReceivedAt: r.WebhookReceivedAt, WebhookDeliveries: int(r.WebhookDeliveries), WebhookRemovedAt: r.WebhookRemovedAt,
	}
}

// ConformanceReportCreate queues a run for a submission; requestedBy is
// nil for the automatic run on submission.
func (s *Store) ConformanceReportCreate(ctx context.Context, reviewID int64, requestedBy *int64) (int64, error) {
	id, err := s.q.ConformanceReportCreate(ctx, dbsqlc.ConformanceReportCreateParams{ReviewID: reviewID, RequestedBy: requestedBy})
	if err != nil {
		return 0, interpret(err, "creating conformance report")
	}
	return id, nil
}

// ConformanceReportGet returns one run.
func (s *Store) ConformanceReportGet(ctx context.Context, id int64) (ConformanceReport, error) {
	row, err := s.q.ConformanceReportGet(ctx, id)
	if err != nil {
		return ConformanceReport{}, interpret(err, "getting conformance report")
	}
	return conformanceReportFromRow(row), nil
}

// ConformanceReportLatest returns the newest run for a submission;
// ErrNotFound when it has none.
func (s *Store) ConformanceReportLatest(ctx context.Context, reviewID int64) (ConformanceReport, error) {
	row, err := s.q.ConformanceReportLatest(ctx, reviewID)
	if err != nil {
		return ConformanceReport{}, interpret(err, "getting latest conformance report")
	}
	return conformanceReportFromRow(row), nil
}

// ConformanceReportsLatestForApplication returns the newest run of every
// submission of an application, by submission id.
func (s *Store) ConformanceReportsLatestForApplication(ctx context.Context, applicationID int64) (map[int64]ConformanceReport, error) {
	rows, err := s.q.ConformanceReportLatestForApplication(ctx, applicationID)
	if err != nil {
		return nil, interpret(err, "listing conformance reports")
	}
	out := make(map[int64]ConformanceReport, len(rows))
	for _, r := range rows {
		out[r.ReviewID] = conformanceReportFromRow(r)
	}
	return out, nil
}

// ConformanceReportByTokenHash finds the run whose test webhook delivers
// to the token with this SHA-256.
func (s *Store) ConformanceReportByTokenHash(ctx context.Context, hash []byte) (ConformanceReport, error) {
	row, err := s.q.ConformanceReportByTokenHash(ctx, hash)
	if err != nil {
		return ConformanceReport{}, interpret(err, "finding conformance report by webhook token")
	}
	return conformanceReportFromRow(row), nil
}

// ConformanceStart is how a run begins: the test webhook's token hash and
// sealed secret (nil when there is no webhook test), and its result so far
// ("waiting" or "not_tested").
type ConformanceStart struct {
	TokenHash     []byte
	SealedSecret  []byte
	KeyID         string
	Deadline      *time.Time
	WebhookResult string
}

// ConformanceReportStart marks a run as running and resets what an earlier
// attempt of it left.
func (s *Store) ConformanceReportStart(ctx context.Context, id int64, st ConformanceStart) error {
	err := s.q.ConformanceReportStart(ctx, dbsqlc.ConformanceReportStartParams{
		ID: id, WebhookTokenHash: st.TokenHash, WebhookSecret: st.SealedSecret, WebhookKeyID: st.KeyID,
		WebhookDeadline: st.Deadline, WebhookResult: st.WebhookResult,
	})
	return interpret(err, "starting conformance report")
}

// ConformanceFinish is the end of a run: its report, the id of the test
// webhook in the supplier's API, and the webhook result the run itself
// reached ("waiting" when the webhook was registered; the receiver's
// verdict is never overwritten).
type ConformanceFinish struct {
	Status          string // done or failed
	Error           string
	Report          []byte
	WebhookRemoteID string
	WebhookDeadline *time.Time
	WebhookResult   string
	WebhookFinding  string
	WebhookDetail   string
}

// ConformanceReportFinish stores the outcome of a run.
func (s *Store) ConformanceReportFinish(ctx context.Context, id int64, f ConformanceFinish) error {
	err := s.q.ConformanceReportFinish(ctx, dbsqlc.ConformanceReportFinishParams{
		ID: id, Status: f.Status, Error: f.Error, Report: f.Report, WebhookRemoteID: f.WebhookRemoteID,
		WebhookDeadline: f.WebhookDeadline, WebhookResult: f.WebhookResult, WebhookFinding: f.WebhookFinding, WebhookDetail: f.WebhookDetail,
	})
	return interpret(err, "finishing conformance report")
}

// ConformanceReportFail marks a run that could not be carried out.
func (s *Store) ConformanceReportFail(ctx context.Context, id int64, reason string) error {
	return interpret(s.q.ConformanceReportFail(ctx, dbsqlc.ConformanceReportFailParams{ID: id, Error: reason}), "failing conformance report")
}

// ConformanceWebhookPing records the webhook's creation ping.
func (s *Store) ConformanceWebhookPing(ctx context.Context, id int64) error {
	return interpret(s.q.ConformanceWebhookPing(ctx, id), "recording conformance webhook ping")
}

// ConformanceWebhookConform records a correctly signed delivery; false
// when the outcome was settled already (conform, expired, not tested).
func (s *Store) ConformanceWebhookConform(ctx context.Context, id int64, finding, detail string) (bool, error) {
	_, err := s.q.ConformanceWebhookConform(ctx, dbsqlc.ConformanceWebhookConformParams{ID: id, WebhookFinding: finding, WebhookDetail: detail})
	return settled(err, "recording conform conformance webhook")
}

// ConformanceWebhookNotConform records a delivery with a missing or wrong
// signature; false when the outcome was settled already.
func (s *Store) ConformanceWebhookNotConform(ctx context.Context, id int64, finding, detail string) (bool, error) {
	_, err := s.q.ConformanceWebhookNotConform(ctx, dbsqlc.ConformanceWebhookNotConformParams{ID: id, WebhookFinding: finding, WebhookDetail: detail})
	return settled(err, "recording not conform conformance webhook")
}

// ConformanceWebhookCount counts a delivery that changes nothing.
func (s *Store) ConformanceWebhookCount(ctx context.Context, id int64) error {
	return interpret(s.q.ConformanceWebhookCount(ctx, id), "counting conformance webhook delivery")
}

// ConformanceWebhookExpire ends the wait of a run still waiting; false
// when a delivery settled it first.
func (s *Store) ConformanceWebhookExpire(ctx context.Context, id int64, finding, detail string) (bool, error) {
	_, err := s.q.ConformanceWebhookExpire(ctx, dbsqlc.ConformanceWebhookExpireParams{ID: id, WebhookFinding: finding, WebhookDetail: detail})
	return settled(err, "expiring conformance webhook")
}

// ConformanceWebhookRemoved records that the test webhook was deleted (or
// that deleting it was given up).
func (s *Store) ConformanceWebhookRemoved(ctx context.Context, id int64) error {
	return interpret(s.q.ConformanceWebhookRemoved(ctx, id), "recording conformance webhook removal")
}

// settled turns a conditional UPDATE … RETURNING into whether it matched.
func settled(err error, doing string) (bool, error) {
	err = interpret(err, doing)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	}
	return false, err
}

// ConformanceReview is a submission with the organisation it belongs to.
type ConformanceReview struct {
	CustomAPIReview
	SupplierID *int64
}

// ConformanceReviewGet returns a submission with its organisation.
func (s *Store) ConformanceReviewGet(ctx context.Context, id int64) (ConformanceReview, error) {
	row, err := s.q.ConformanceReviewGet(ctx, id)
	if err != nil {
		return ConformanceReview{}, interpret(err, "getting custom API review")
	}
	return ConformanceReview{
		CustomAPIReview: customAPIReviewFromRow(dbsqlc.CustomApiReview{
			ID: row.ID, ApplicationID: row.ApplicationID, BaseUrl: row.BaseUrl, Credentials: row.Credentials, KeyID: row.KeyID,
			SubmittedAt: row.SubmittedAt, SubmittedBy: row.SubmittedBy, Outcome: row.Outcome, Findings: row.Findings,
			ReviewedAt: row.ReviewedAt, ReviewedBy: row.ReviewedBy,
		}),
		SupplierID: row.SupplierID,
	}, nil
}
