package outbox_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/mail"
	"github.com/wujw/ohis/internal/mail/mailtest"
	"github.com/wujw/ohis/internal/outbox"
	"github.com/wujw/ohis/internal/store"
)

var invite = mail.Attachment{
	Filename:    "integratietest.ics",
	ContentType: "text/calendar; method=REQUEST; charset=UTF-8",
	Data:        []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Integratietest – één\r\nEND:VCALENDAR\r\n"),
}

// A mail enqueued with an attachment is delivered with exactly that file.
func TestAttachmentDelivered(t *testing.T) {
	t.Parallel()
	srv := mailtest.NewServer(t)
	srv.RequireAuth(smtpUser, smtpPass)
	env := withSMTP(t, srv)
	ob := outbox.New(env.App.River, true)
	err := env.App.Store.InTx(context.Background(), func(tx *store.Store) error {
		return ob.EnqueueWithAttachments(context.Background(), tx, "ada@winkel.example", "Uitnodiging", "Zie de bijlage.", []mail.Attachment{invite})
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs := srv.WaitFor(t, 1, 20*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(msgs))
	}
	if err := msgs[0].ParseError(); err != nil {
		t.Fatal(err)
	}
	atts := msgs[0].Attachments()
	if len(atts) != 1 {
		t.Fatalf("%d attachments delivered, want 1", len(atts))
	}
	a := atts[0]
	if a.Filename != invite.Filename || !bytes.Equal(a.Data, invite.Data) || a.Inline {
		t.Errorf("attachment %q (inline %v):\n%q", a.Filename, a.Inline, a.Data)
	}
	if a.ContentType != `text/calendar; charset=UTF-8; method=REQUEST; name=integratietest.ics` {
		t.Errorf("content type %q", a.ContentType)
	}
	if msgs[0].Text() != "Zie de bijlage.\r\n" && msgs[0].Text() != "Zie de bijlage.\n" {
		t.Errorf("text %q", msgs[0].Text())
	}
	waitMailStatus(t, env.App.Store, "sent", 1)
}

// Without SMTP the mail and its attachment are kept for admins to read.
func TestAttachmentStoredWithoutSMTP(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ob := outbox.New(env.App.River, false)
	err := env.App.Store.InTx(context.Background(), func(tx *store.Store) error {
		return ob.EnqueueWithAttachments(context.Background(), tx, "ada@winkel.example", "Uitnodiging", "Zie de bijlage.", []mail.Attachment{invite})
	})
	if err != nil {
		t.Fatal(err)
	}
	m := onlyMail(t, env.App.Store)
	if m.Status != "stored" {
		t.Errorf("status %q, want stored", m.Status)
	}
	atts, err := env.App.Store.MailOutboxAttachments(context.Background(), m.ID)
	if err != nil || len(atts) != 1 || atts[0].Filename != invite.Filename || atts[0].ContentType != invite.ContentType || !bytes.Equal(atts[0].Data, invite.Data) {
		t.Errorf("stored attachments %+v, %v", atts, err)
	}
	names, err := env.App.Store.MailOutboxAttachmentNames(context.Background(), []int64{m.ID, m.ID + 1000})
	if err != nil || len(names) != 1 || len(names[m.ID]) != 1 || names[m.ID][0] != invite.Filename {
		t.Errorf("attachment names %v, %v", names, err)
	}
}
