// Package outbox sends OHIS's e-mail reliably: a mail is written to the
// outbox table in the transaction of the change that caused it, and a River
// job delivers it over SMTP afterwards, with retries. Without SMTP the mail
// is only kept, and admins read it in the portal.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/wujw/ohis/internal/mail"
	"github.com/wujw/ohis/internal/store"
)

// DeliverArgs is the job that delivers one outbox mail.
type DeliverArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind names the job type.
func (DeliverArgs) Kind() string { return "mail_deliver" }

// InsertOpts: its own queue, so a slow mail server never holds up syncs;
// one job per mail.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Queue is the River queue of mail jobs.
const Queue = "mail"

// Outbox puts mail in the outbox. It implements auth.Mailer.
type Outbox struct {
	client  *river.Client[pgx.Tx]
	deliver bool
}

// New returns an Outbox. With deliver false (no SMTP configured) mails are
// kept with status "stored" and no job is queued.
func New(client *river.Client[pgx.Tx], deliver bool) *Outbox {
	return &Outbox{client: client, deliver: deliver}
}

// Enqueue stores a mail on the caller's transaction and, when delivery is
// on, queues its delivery job on the same transaction.
func (o *Outbox) Enqueue(ctx context.Context, tx *store.Store, to, subject, text string) error {
	status := "stored"
	if o.deliver {
		status = "pending"
		// Checked before storing: outside a transaction the mail would be
		// committed on its own and stay pending forever without its job.
		if tx.Tx() == nil {
			return errors.New("outbox: Enqueue needs a transaction")
		}
	}
	m, err := tx.MailOutboxAdd(ctx, to, subject, text, status)
	if err != nil {
		return err
	}
	if !o.deliver {
		return nil
	}
	if _, err := o.client.InsertTx(ctx, tx.Tx(), DeliverArgs{OutboxID: m.ID}, nil); err != nil {
		return fmt.Errorf("queueing mail delivery: %w", err)
	}
	return nil
}

// DeliverWorker sends one outbox mail.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Store  *store.Store
	Sender mail.Sender
	From   string
	Logger *slog.Logger
}

// Timeout bounds one delivery attempt.
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return time.Minute }

// Work delivers the mail. A mail already sent is not sent again (a retried
// job after a lost acknowledgement); a permanent refusal stops retrying.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	m, err := w.Store.MailOutboxGet(ctx, job.Args.OutboxID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("outbox mail %d does not exist", job.Args.OutboxID))
	}
	if err != nil {
		return err
	}
	if m.Status == "sent" {
		return nil
	}
	atts, err := w.attachments(ctx, m.ID)
	if err != nil {
		return err
	}
	err = w.Sender.Send(ctx, mail.Message{
		From: w.From, To: []string{m.To}, Subject: m.Subject, Text: m.Text, Attachments: atts,
		Headers: map[string]string{"X-OHIS-Outbox-ID": strconv.FormatInt(m.ID, 10)},
	})
	if err == nil {
		if err := w.Store.MailOutboxMarkSent(ctx, m.ID); err != nil {
			return err
		}
		return w.Store.MailOutboxSetBody(ctx, m.ID, RedactLinks(m.Text))
	}
	permanent := mail.IsPermanent(err)
	status := "pending"
	if permanent || job.Attempt >= job.MaxAttempts {
		status = "failed"
	}
	w.Logger.Warn("mail delivery failed", slog.Int64("outbox_id", m.ID), slog.Int("attempt", job.Attempt),
		slog.Bool("permanent", permanent), slog.Any("error", err))
	if markErr := w.Store.MailOutboxMarkAttempt(ctx, m.ID, status, err.Error()); markErr != nil {
		return errors.Join(err, markErr)
	}
	if permanent {
		return river.JobCancel(err)
	}
	return err
}
