package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// SupportQuestion is a supplier's question with who asked it.
type SupportQuestion struct {
	ID           int64
	SupplierID   int64
	AskedBy      int64
	Subject      string
	ReceivedAt   time.Time
	DueAt        time.Time
	Status       string // open, answered, closed_not_answerable
	ClosedReason string
	AnsweredAt   *time.Time
	UpdatedAt    time.Time
	AskerEmail   string
	AskerName    string
	SupplierName string
}

// SupportMessage is one message in a question's thread.
type SupportMessage struct {
	ID          int64
	QuestionID  int64
	AuthorID    int64
	Body        string
	CreatedAt   time.Time
	FromStaff   bool
	AuthorName  string
	AuthorEmail string
}

// NewSupportQuestion is a question as asked.
type NewSupportQuestion struct {
	SupplierID int64
	AskedBy    int64
	Subject    string
	Body       string
	ReceivedAt time.Time
	DueAt      time.Time
}

// SupportQuestionAsk stores a question with its first message. An identical
// subject and text from the same user within the last minute is a double
// submit: it returns that question and created false. Call it inside InTx;
// it locks the asking user's row so concurrent double submits serialise.
func (s *Store) SupportQuestionAsk(ctx context.Context, n NewSupportQuestion) (id int64, created bool, err error) {
	if err := s.q.SupportQuestionLockAsker(ctx, n.AskedBy); err != nil {
		return 0, false, interpret(err, "locking asker")
	}
	dup, err := s.q.SupportQuestionRecentDuplicate(ctx, dbsqlc.SupportQuestionRecentDuplicateParams{
		AskedBy: n.AskedBy, Subject: n.Subject, Body: n.Body,
	})
	switch {
	case err == nil:
		return dup, false, nil
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, false, interpret(err, "checking for a double submit")
	}
	row, err := s.q.SupportQuestionAdd(ctx, dbsqlc.SupportQuestionAddParams{
		SupplierID: n.SupplierID, AskedBy: n.AskedBy, Subject: n.Subject, ReceivedAt: n.ReceivedAt, DueAt: n.DueAt,
	})
	if err != nil {
		return 0, false, interpret(err, "adding question")
	}
	if _, err := s.SupportMessageAdd(ctx, row.ID, n.AskedBy, n.Body, false); err != nil {
		return 0, false, err
	}
	return row.ID, true, nil
}

// SupportQuestionGet returns one question.
func (s *Store) SupportQuestionGet(ctx context.Context, id int64) (SupportQuestion, error) {
	r, err := s.q.SupportQuestionGet(ctx, id)
	if err != nil {
		return SupportQuestion{}, interpret(err, "getting question")
	}
	return SupportQuestion(r), nil
}

// SupportQuestionLock locks a question's row for the rest of the
// transaction and returns its current state (without the joined names).
func (s *Store) SupportQuestionLock(ctx context.Context, id int64) (SupportQuestion, error) {
	r, err := s.q.SupportQuestionGetForUpdate(ctx, id)
	if err != nil {
		return SupportQuestion{}, interpret(err, "locking question")
	}
	return SupportQuestion{
		ID: r.ID, SupplierID: r.SupplierID, AskedBy: r.AskedBy, Subject: r.Subject, ReceivedAt: r.ReceivedAt,
		DueAt: r.DueAt, Status: r.Status, ClosedReason: r.ClosedReason, AnsweredAt: r.AnsweredAt, UpdatedAt: r.UpdatedAt,
	}, nil
}

// SupportQuestionsBySupplier lists a supplier's questions, newest first.
func (s *Store) SupportQuestionsBySupplier(ctx context.Context, supplierID int64) ([]SupportQuestion, error) {
	rows, err := s.q.SupportQuestionListBySupplier(ctx, supplierID)
	if err != nil {
		return nil, interpret(err, "listing questions")
	}
	out := make([]SupportQuestion, len(rows))
	for i, r := range rows {
		out[i] = SupportQuestion(r)
	}
	return out, nil
}

// SupportQuestionQueue lists questions for staff: open ones first, each
// group by due date. status "" means all.
func (s *Store) SupportQuestionQueue(ctx context.Context, status string) ([]SupportQuestion, error) {
	var st *string
	if status != "" {
		st = &status
	}
	rows, err := s.q.SupportQuestionQueue(ctx, st)
	if err != nil {
		return nil, interpret(err, "listing question queue")
	}
	out := make([]SupportQuestion, len(rows))
	for i, r := range rows {
		out[i] = SupportQuestion(r)
	}
	return out, nil
}

// SupportQuestionSetStatus changes a question's status, closing reason and
// answered moment.
func (s *Store) SupportQuestionSetStatus(ctx context.Context, id int64, status, reason string, answeredAt *time.Time) error {
	return interpret(s.q.SupportQuestionSetStatus(ctx, dbsqlc.SupportQuestionSetStatusParams{
		ID: id, Status: status, ClosedReason: reason, AnsweredAt: answeredAt,
	}), "setting question status")
}

// SupportMessageAdd adds a message to a question's thread.
func (s *Store) SupportMessageAdd(ctx context.Context, questionID, authorID int64, body string, fromStaff bool) (SupportMessage, error) {
	r, err := s.q.SupportMessageAdd(ctx, dbsqlc.SupportMessageAddParams{
		QuestionID: questionID, AuthorID: authorID, Body: body, FromStaff: fromStaff,
	})
	if err != nil {
		return SupportMessage{}, interpret(err, "adding message")
	}
	return SupportMessage{ID: r.ID, QuestionID: r.QuestionID, AuthorID: r.AuthorID, Body: r.Body, CreatedAt: r.CreatedAt, FromStaff: r.FromStaff}, nil
}

// SupportMessages returns a question's thread, oldest first.
func (s *Store) SupportMessages(ctx context.Context, questionID int64) ([]SupportMessage, error) {
	rows, err := s.q.SupportMessageList(ctx, questionID)
	if err != nil {
		return nil, interpret(err, "listing messages")
	}
	out := make([]SupportMessage, len(rows))
	for i, r := range rows {
		out[i] = SupportMessage(r)
	}
	return out, nil
}
