package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/wujw/ohis/internal/mail"
	"github.com/wujw/ohis/internal/store"
)

// EnqueueWithAttachments is Enqueue for a mail with attached files, such as
// the .ics invitation of an integration test. The files are stored with the
// mail, so delivery (and a retry of it) attaches exactly what was enqueued.
func (o *Outbox) EnqueueWithAttachments(ctx context.Context, tx *store.Store, to, subject, text string, atts []mail.Attachment) error {
	status := "stored"
	if o.deliver {
		status = "pending"
		if tx.Tx() == nil {
			return errors.New("outbox: EnqueueWithAttachments needs a transaction")
		}
	}
	stored := make([]store.MailAttachment, len(atts))
	for i, a := range atts {
		if a.Filename == "" {
			return fmt.Errorf("outbox: attachment %d has no filename", i)
		}
		stored[i] = store.MailAttachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data}
	}
	id, err := tx.MailOutboxAddWithAttachments(ctx, to, subject, text, status, stored)
	if err != nil {
		return err
	}
	if !o.deliver {
		return nil
	}
	if _, err := o.client.InsertTx(ctx, tx.Tx(), DeliverArgs{OutboxID: id}, nil); err != nil {
		return fmt.Errorf("queueing mail delivery: %w", err)
	}
	return nil
}

// attachments loads the files stored with an outbox mail for sending.
func (w *DeliverWorker) attachments(ctx context.Context, id int64) ([]mail.Attachment, error) {
	stored, err := w.Store.MailOutboxAttachments(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []mail.Attachment
	for _, a := range stored {
		out = append(out, mail.Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
	}
	return out, nil
}
