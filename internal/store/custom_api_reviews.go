package store

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// CustomAPIOutcome is a reviewer's verdict on a submitted custom API
// (SPEC §2 rule 5); empty while the submission awaits review.
type CustomAPIOutcome string

// The verdicts.
const (
	CustomAPIPending    CustomAPIOutcome = ""
	CustomAPIConform    CustomAPIOutcome = "conform"
	CustomAPINotConform CustomAPIOutcome = "not_conform"
)

// Valid reports whether o is a verdict a reviewer can record.
func (o CustomAPIOutcome) Valid() bool { return o == CustomAPIConform || o == CustomAPINotConform }

// Label is the Dutch name of the verdict.
func (o CustomAPIOutcome) Label() string {
	switch o {
	case CustomAPIConform:
		return "Conform"
	case CustomAPINotConform:
		return "Niet conform"
	}
	return "In beoordeling"
}

// CustomAPIReview is one submission of a supplier's custom API and, once
// reviewed, its verdict. Credentials stay sealed; only the supplier
// service opens them.
type CustomAPIReview struct {
	ID            int64
	ApplicationID int64
	BaseURL       string
	Credentials   []byte // sealed with secret.Box
	KeyID         string
	SubmittedAt   time.Time
	SubmittedBy   *int64
	Outcome       CustomAPIOutcome
	Findings      string
	ReviewedAt    *time.Time
	ReviewedBy    *int64
}

// Decided reports whether a reviewer recorded a verdict.
func (r CustomAPIReview) Decided() bool { return r.Outcome != CustomAPIPending }

func customAPIReviewFromRow(r dbsqlc.CustomApiReview) CustomAPIReview {
	out := CustomAPIReview{
		ID: r.ID, ApplicationID: r.ApplicationID, BaseURL: r.BaseUrl, Credentials: r.Credentials, KeyID: r.KeyID,
		SubmittedAt: r.SubmittedAt, SubmittedBy: r.SubmittedBy, Findings: r.Findings,
		ReviewedAt: r.ReviewedAt, ReviewedBy: r.ReviewedBy,
	}
	if r.Outcome != nil {
		out.Outcome = CustomAPIOutcome(*r.Outcome)
	}
	return out
}

// CustomAPIReviewCreate stores a new, undecided submission.
func (s *Store) CustomAPIReviewCreate(ctx context.Context, r CustomAPIReview) (CustomAPIReview, error) {
	row, err := s.q.CustomAPIReviewCreate(ctx, dbsqlc.CustomAPIReviewCreateParams{
		ApplicationID: r.ApplicationID, BaseUrl: r.BaseURL, Credentials: r.Credentials, KeyID: r.KeyID, SubmittedBy: r.SubmittedBy,
	})
	if err != nil {
		return CustomAPIReview{}, interpret(err, "creating custom API review")
	}
	return customAPIReviewFromRow(row), nil
}

// CustomAPIReviewList returns an application's submissions, oldest first.
func (s *Store) CustomAPIReviewList(ctx context.Context, applicationID int64) ([]CustomAPIReview, error) {
	rows, err := s.q.CustomAPIReviewList(ctx, applicationID)
	if err != nil {
		return nil, interpret(err, "listing custom API reviews")
	}
	out := make([]CustomAPIReview, len(rows))
	for i, r := range rows {
		out[i] = customAPIReviewFromRow(r)
	}
	return out, nil
}

// CustomAPIReviewGetForUpdate returns one submission and locks it until
// the transaction ends.
func (s *Store) CustomAPIReviewGetForUpdate(ctx context.Context, id int64) (CustomAPIReview, error) {
	row, err := s.q.CustomAPIReviewGetForUpdate(ctx, id)
	if err != nil {
		return CustomAPIReview{}, interpret(err, "locking custom API review")
	}
	return customAPIReviewFromRow(row), nil
}

// CustomAPIReviewDecide records the verdict on an undecided submission;
// ErrNotFound when it does not exist or was decided already, so a verdict
// is never overwritten.
func (s *Store) CustomAPIReviewDecide(ctx context.Context, id int64, outcome CustomAPIOutcome, findings string, reviewedBy *int64) (CustomAPIReview, error) {
	o := string(outcome)
	row, err := s.q.CustomAPIReviewDecide(ctx, dbsqlc.CustomAPIReviewDecideParams{
		ID: id, Outcome: &o, Findings: findings, ReviewedBy: reviewedBy,
	})
	if err != nil {
		return CustomAPIReview{}, interpret(err, "deciding custom API review")
	}
	return customAPIReviewFromRow(row), nil
}
