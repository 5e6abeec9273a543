package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/mail/mailtest"
)

const (
	testUser = "ohis-mailer"
	testPass = "Zeer-Geheim-Wachtwoord-42"
)

func newTestSender(t *testing.T, srv *mailtest.Server) *SMTPSender {
	t.Helper()
	host, port := srv.Addr()
	return NewSMTPSender(SMTPConfig{
		Host: host, Port: port, Username: testUser, Password: testPass,
		TLS: TLSNone, Timeout: 5 * time.Second, HeloName: "ohis.test",
	})
}

func TestSendRoundTrip(t *testing.T) {
	srv := mailtest.NewServer(t)
	srv.RequireAuth(testUser, testPass)
	s := newTestSender(t, srv)

	longLine := strings.Repeat("Dit is een erg lange regel met ë en é. ", 10)
	ics := []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nSUMMARY:Kennismaking – café\r\nEND:VCALENDAR\r\n")
	m := Message{
		From:    "OHIS <noreply@example.nl>",
		To:      []string{"Zoë de Vries <zoe@klant.nl>", "inkoop@klant.nl"},
		ReplyTo: "Support <support@example.nl>",
		Subject: "Welkom bij OHIS – uw uitnodiging",
		Text:    "Beste Zoë,\n\n" + longLine + "\n.\nEen regel met een punt hierboven.\nGroet,\nOHIS",
		HTML:    "<p>Beste Zoë,</p>",
		Attachments: []Attachment{
			{Filename: "uitnodiging.ics", ContentType: "text/calendar; method=REQUEST; charset=UTF-8", Data: ics},
			{Filename: "logo.png", Data: []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}, Inline: true},
		},
		Headers: map[string]string{"X-OHIS-Outbox-ID": "1234"},
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}

	msgs := srv.WaitFor(t, 1, time.Second)
	got := msgs[0]
	if err := got.ParseError(); err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, got.Data)
	}
	if got.Username != testUser {
		t.Errorf("authenticated as %q, want %q", got.Username, testUser)
	}
	if got.From != "noreply@example.nl" || fmt.Sprint(got.To) != "[zoe@klant.nl inkoop@klant.nl]" {
		t.Errorf("envelope = %s -> %v", got.From, got.To)
	}
	if got.Subject() != m.Subject {
		t.Errorf("Subject = %q, want %q", got.Subject(), m.Subject)
	}
	if want := m.Text + "\n"; got.Text() != want {
		t.Errorf("Text = %q, want %q", got.Text(), want)
	}
	if got.HTML() != m.HTML+"\n" {
		t.Errorf("HTML = %q", got.HTML())
	}
	if got.DecodedHeader("Reply-To") != `"Support" <support@example.nl>` {
		t.Errorf("Reply-To = %q", got.DecodedHeader("Reply-To"))
	}
	if got.Header().Get("X-OHIS-Outbox-ID") != "1234" {
		t.Errorf("X-OHIS-Outbox-ID = %q", got.Header().Get("X-OHIS-Outbox-ID"))
	}

	atts := got.Attachments()
	if len(atts) != 2 {
		t.Fatalf("got %d attachments, want 2", len(atts))
	}
	if a := atts[0]; a.Filename != "uitnodiging.ics" || !bytes.Equal(a.Data, ics) || a.Inline ||
		!strings.HasPrefix(a.ContentType, "text/calendar;") || !strings.Contains(a.ContentType, "method=REQUEST") {
		t.Errorf("ics attachment = %+v", a)
	}
	if a := atts[1]; a.Filename != "logo.png" || !bytes.Equal(a.Data, m.Attachments[1].Data) || !a.Inline ||
		!strings.HasPrefix(a.ContentType, "image/png") {
		t.Errorf("png attachment = %+v", a)
	}
}

func TestSendTextOnly(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newTestSender(t, srv)
	m := Message{From: "noreply@example.nl", To: []string{"piet@klant.nl"}, Subject: "Wachtwoord", Text: "Één regel."}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()[0]
	if got.ParseError() != nil || got.Text() != "Één regel.\n" || len(got.Attachments()) != 0 {
		t.Errorf("text = %q, attachments = %v, err = %v", got.Text(), got.Attachments(), got.ParseError())
	}
}

func TestSendRejectedRecipientIsPermanent(t *testing.T) {
	srv := mailtest.NewServer(t)
	srv.RejectRecipient("weg@klant.nl")
	s := newTestSender(t, srv)
	m := baseMessage()
	m.To = []string{"weg@klant.nl"}
	err := s.Send(context.Background(), m)
	if err == nil {
		t.Fatal("Send succeeded, want 550")
	}
	if !IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = false, want true", err)
	}
	if !strings.Contains(err.Error(), "550") || !strings.Contains(err.Error(), "RCPT TO") {
		t.Errorf("error %q should name the step and code", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server stored %d messages", n)
	}
}

func TestSendTemporaryFailure(t *testing.T) {
	srv := mailtest.NewServer(t)
	srv.FailTemporarily(1)
	s := newTestSender(t, srv)
	err := s.Send(context.Background(), baseMessage())
	if err == nil {
		t.Fatal("Send succeeded, want 451")
	}
	if IsPermanent(err) || !strings.Contains(err.Error(), "451") {
		t.Errorf("err = %v, IsPermanent = %v; want temporary 451", err, IsPermanent(err))
	}
	// The retry the job would make goes through.
	if err := s.Send(context.Background(), baseMessage()); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server stored %d messages, want 1", n)
	}
}

func TestSendWrongPassword(t *testing.T) {
	srv := mailtest.NewServer(t)
	srv.RequireAuth(testUser, "een-ander-wachtwoord")
	s := newTestSender(t, srv)
	err := s.Send(context.Background(), baseMessage())
	if err == nil {
		t.Fatal("Send succeeded with a wrong password")
	}
	if strings.Contains(err.Error(), testPass) {
		t.Errorf("error leaks the password: %v", err)
	}
	// A configuration problem: retrying after the fix must still deliver.
	if IsPermanent(err) || !strings.Contains(err.Error(), "AUTH") {
		t.Errorf("err = %v, IsPermanent = %v; want temporary AUTH error", err, IsPermanent(err))
	}
}

func TestSendNeverAnswers(t *testing.T) {
	host, port := mailtest.NewSilentListener(t)
	cases := []struct {
		name    string
		timeout time.Duration // SMTPConfig.Timeout
		ctx     func() (context.Context, context.CancelFunc)
		want    error
	}{
		{"ctx deadline", time.Minute, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 300*time.Millisecond)
		}, context.DeadlineExceeded},
		{"ctx cancel", time.Minute, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"config timeout", 300 * time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, context.DeadlineExceeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSMTPSender(SMTPConfig{Host: host, Port: port, TLS: TLSNone, Timeout: tc.timeout})
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			err := s.Send(ctx, baseMessage())
			elapsed := time.Since(start)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if IsPermanent(err) {
				t.Errorf("IsPermanent(%v) = true", err)
			}
			if elapsed > 2*time.Second {
				t.Errorf("Send took %v against a silent server", elapsed)
			}
		})
	}
}

func TestSendConnectionRefusedIsTemporary(t *testing.T) {
	srv := mailtest.NewServer(t)
	s := newTestSender(t, srv)
	srv.Close()
	err := s.Send(context.Background(), baseMessage())
	if err == nil || IsPermanent(err) {
		t.Errorf("err = %v, IsPermanent = %v; want temporary error", err, IsPermanent(err))
	}
}

func TestSendInvalidMessageDoesNotConnect(t *testing.T) {
	s := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: TLSNone})
	m := baseMessage()
	m.Subject = "x\r\nBcc: y@z.nl"
	if err := s.Send(context.Background(), m); !errors.Is(err, ErrInvalidMessage) || !IsPermanent(err) {
		t.Errorf("err = %v, want permanent ErrInvalidMessage", err)
	}
}

func TestConfigSafety(t *testing.T) {
	cfg := SMTPConfig{Host: "smtp.example.nl", Username: "u", Password: testPass, TLS: TLSNone}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if out := fmt.Sprintf(f, cfg); strings.Contains(out, testPass) {
			t.Errorf("%s leaks the password: %s", f, out)
		}
	}
	// Clear-text AUTH to a remote host is refused before dialling.
	err := NewSMTPSender(cfg).Send(context.Background(), baseMessage())
	if err == nil || !strings.Contains(err.Error(), "without TLS") || strings.Contains(err.Error(), testPass) {
		t.Errorf("err = %v", err)
	}
	if err := NewSMTPSender(SMTPConfig{Host: "x", TLS: "ssl"}).Send(context.Background(), baseMessage()); err == nil || IsPermanent(err) {
		t.Errorf("unknown TLS mode: err = %v", err)
	}
}

func TestIsPermanent(t *testing.T) {
	if IsPermanent(nil) || IsPermanent(errors.New("boom")) || IsPermanent(context.DeadlineExceeded) {
		t.Error("plain errors must be temporary")
	}
}
