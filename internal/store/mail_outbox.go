package store

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// OutboxMail is one e-mail in the outbox.
type OutboxMail struct {
	ID        int64
	CreatedAt time.Time
	To        string
	Subject   string
	Text      string
	Status    string // pending, sent, failed, stored
	Attempts  int
	LastError string
	SentAt    *time.Time
}

func outboxFromRow(r dbsqlc.MailOutbox) OutboxMail {
	return OutboxMail{
		ID: r.ID, CreatedAt: r.CreatedAt, To: r.ToAddr, Subject: r.Subject, Text: r.BodyText,
		Status: r.Status, Attempts: int(r.Attempts), LastError: r.LastError, SentAt: r.SentAt,
	}
}

// MailOutboxAdd puts a mail in the outbox with an initial status.
func (s *Store) MailOutboxAdd(ctx context.Context, to, subject, text, status string) (OutboxMail, error) {
	row, err := s.q.MailOutboxAdd(ctx, dbsqlc.MailOutboxAddParams{ToAddr: to, Subject: subject, BodyText: text, Status: status})
	if err != nil {
		return OutboxMail{}, interpret(err, "adding mail to outbox")
	}
	return outboxFromRow(row), nil
}

// MailOutboxGet returns one mail.
func (s *Store) MailOutboxGet(ctx context.Context, id int64) (OutboxMail, error) {
	row, err := s.q.MailOutboxGet(ctx, id)
	if err != nil {
		return OutboxMail{}, interpret(err, "getting outbox mail")
	}
	return outboxFromRow(row), nil
}

// MailOutboxList returns the newest mails.
func (s *Store) MailOutboxList(ctx context.Context, limit int) ([]OutboxMail, error) {
	rows, err := s.q.MailOutboxList(ctx, int32(limit))
	if err != nil {
		return nil, interpret(err, "listing outbox")
	}
	out := make([]OutboxMail, len(rows))
	for i, r := range rows {
		out[i] = outboxFromRow(r)
	}
	return out, nil
}

// MailOutboxMarkSent records a delivery.
func (s *Store) MailOutboxMarkSent(ctx context.Context, id int64) error {
	return interpret(s.q.MailOutboxMarkSent(ctx, id), "marking mail sent")
}

// MailOutboxMarkAttempt records a failed attempt; status stays pending for
// a retry or becomes failed.
func (s *Store) MailOutboxMarkAttempt(ctx context.Context, id int64, status, lastError string) error {
	return interpret(s.q.MailOutboxMarkAttempt(ctx, dbsqlc.MailOutboxMarkAttemptParams{ID: id, Status: status, LastError: lastError}), "recording mail attempt")
}

// MailOutboxSetBody replaces a mail's stored text (to redact live links
// once the mail has been delivered).
func (s *Store) MailOutboxSetBody(ctx context.Context, id int64, text string) error {
	return interpret(s.q.MailOutboxSetBody(ctx, dbsqlc.MailOutboxSetBodyParams{ID: id, BodyText: text}), "redacting mail")
}
