package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// MailAttachment is a file attached to an outbox mail. In the database it
// is one element of the mail's attachments JSON array, Data base64-encoded.
type MailAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// MailOutboxAddWithAttachments puts a mail with attached files in the
// outbox with an initial status and returns its id.
func (s *Store) MailOutboxAddWithAttachments(ctx context.Context, to, subject, text, status string, atts []MailAttachment) (int64, error) {
	if atts == nil {
		atts = []MailAttachment{}
	}
	b, err := json.Marshal(atts)
	if err != nil {
		return 0, fmt.Errorf("encoding mail attachments: %w", err)
	}
	id, err := s.q.MailOutboxAddWithAttachments(ctx, dbsqlc.MailOutboxAddWithAttachmentsParams{
		ToAddr: to, Subject: subject, BodyText: text, Status: status, Attachments: b,
	})
	if err != nil {
		return 0, interpret(err, "adding mail with attachments to outbox")
	}
	return id, nil
}

// MailOutboxAttachments returns the files attached to one mail, in order.
func (s *Store) MailOutboxAttachments(ctx context.Context, id int64) ([]MailAttachment, error) {
	b, err := s.q.MailOutboxAttachmentsGet(ctx, id)
	if err != nil {
		return nil, interpret(err, "getting mail attachments")
	}
	var atts []MailAttachment
	if err := json.Unmarshal(b, &atts); err != nil {
		return nil, fmt.Errorf("decoding attachments of mail %d: %w", id, err)
	}
	return atts, nil
}

// MailOutboxAttachmentNames returns, per mail id, the names of the files
// attached to it; mails without attachments are absent.
func (s *Store) MailOutboxAttachmentNames(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.q.MailOutboxAttachmentNames(ctx, ids)
	if err != nil {
		return nil, interpret(err, "listing mail attachment names")
	}
	for _, r := range rows {
		out[r.ID] = append(out[r.ID], r.Filename)
	}
	return out, nil
}
