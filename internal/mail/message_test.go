package mail

import (
	"bytes"
	"errors"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

var fixedNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.FixedZone("CET", 3600))

func baseMessage() Message {
	return Message{
		From:    "OHIS <noreply@example.nl>",
		To:      []string{"Piet Jansen <piet@klant.nl>"},
		Subject: "Hallo",
		Text:    "Hallo Piet,\n",
	}
}

// The raw message must be 7-bit, CRLF-only and within line limits, or
// strict relays reject or mangle it.
func TestBytesWireFormat(t *testing.T) {
	m := baseMessage()
	m.Subject = "Welkom bij OHIS – uw uitnodiging voor het portaal van uw groothandel, met een lange onderwerpregel"
	m.Text = "Beste Zoë,\n" + strings.Repeat("lange regel ", 40) + "\nGroet"
	m.HTML = "<p>Beste Zoë</p>"
	m.To = append(m.To, "Zoë de Vries <zoe@klant.nl>", "inkoop@klant.nl")
	m.Attachments = []Attachment{{Filename: "uitnodiging.ics", ContentType: "text/calendar; method=REQUEST; charset=UTF-8", Data: bytes.Repeat([]byte("BEGIN:VCALENDAR\r\n"), 20)}}
	m.Headers = map[string]string{"X-OHIS-Outbox-ID": "42"}
	raw, err := m.Bytes(fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range raw {
		if c >= 0x80 {
			t.Fatalf("non-ASCII byte %#x at %d", c, i)
		}
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			t.Fatalf("bare LF at %d", i)
		}
	}
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("message does not end in CRLF")
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		// Headers are folded at 78; QP and base64 bodies wrap at 76.
		if len(line) > foldAt {
			t.Errorf("line of %d characters: %q", len(line), line)
		}
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := parsed.Header.Get("Date"), "Sat, 14 Mar 2026 09:30:00 +0100"; got != want {
		t.Errorf("Date = %q, want %q", got, want)
	}
	to, err := parsed.Header.AddressList("To")
	if err != nil || len(to) != 3 || to[1].Name != "Zoë de Vries" {
		t.Errorf("To = %v, %v", to, err)
	}
	if got, err := new(mime.WordDecoder).DecodeHeader(parsed.Header.Get("Subject")); err != nil || got != m.Subject {
		t.Errorf("Subject decodes to %q (%v), want %q", got, err, m.Subject)
	}
	if got := parsed.Header.Get("X-Ohis-Outbox-Id"); got != "42" {
		t.Errorf("X-OHIS-Outbox-ID = %q", got)
	}
	if got := parsed.Header.Get("Mime-Version"); got != "1.0" {
		t.Errorf("MIME-Version = %q", got)
	}
	if ct := parsed.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/mixed;") {
		t.Errorf("Content-Type = %q, want multipart/mixed", ct)
	}
	if !bytes.Contains(raw, []byte("multipart/alternative")) {
		t.Error("no multipart/alternative for text+HTML")
	}
}

func TestBytesSinglePartAndMessageID(t *testing.T) {
	raw, err := baseMessage().Bytes(fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if ct := parsed.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cte := parsed.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Errorf("Content-Transfer-Encoding = %q", cte)
	}
	id := parsed.Header.Get("Message-Id")
	if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.nl>") || len(id) < 20 {
		t.Errorf("generated Message-ID = %q", id)
	}
	raw2, _ := baseMessage().Bytes(fixedNow)
	if bytes.Equal(raw, raw2) {
		t.Error("two renders share a Message-ID")
	}

	m := baseMessage()
	m.MessageID = "outbox-42@ohis.example.nl"
	raw, err = m.Bytes(fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("\r\nMessage-ID: <outbox-42@ohis.example.nl>\r\n")) {
		t.Errorf("explicit Message-ID not used:\n%s", raw)
	}
}

func TestBytesValidation(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Message)
		want   string
	}{
		{"subject CRLF injection", func(m *Message) { m.Subject = "Hallo\r\nBcc: evil@attacker.example" }, "header injection"},
		{"subject LF injection", func(m *Message) { m.Subject = "Hallo\nBcc: evil@attacker.example" }, "header injection"},
		{"header value injection", func(m *Message) { m.Headers = map[string]string{"X-OHIS-Outbox-ID": "1\r\nBcc: x@y.nl"} }, "header injection"},
		{"to injection", func(m *Message) { m.To = []string{"piet@klant.nl\r\nBcc: x@y.nl"} }, "header injection"},
		{"reply-to injection", func(m *Message) { m.ReplyTo = "a@b.nl\nX: y" }, "header injection"},
		{"filename injection", func(m *Message) { m.Attachments = []Attachment{{Filename: "a.ics\r\nX: y"}} }, "header injection"},
		{"no recipients", func(m *Message) { m.To = nil }, "no recipients"},
		{"bad recipient", func(m *Message) { m.To = []string{"not an address"} }, "To address"},
		{"bad from", func(m *Message) { m.From = "OHIS" }, "From address"},
		{"empty text", func(m *Message) { m.Text = " \n" }, "plain text body is required"},
		{"reserved header", func(m *Message) { m.Headers = map[string]string{"bcc": "x@y.nl"} }, "cannot be overridden"},
		{"bad header name", func(m *Message) { m.Headers = map[string]string{"X Bad": "1"} }, "not a valid field name"},
		{"bad message id", func(m *Message) { m.MessageID = "no-at-sign" }, "Message-ID"},
		{"attachment without name", func(m *Message) { m.Attachments = []Attachment{{Data: []byte("x")}} }, "no filename"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := baseMessage()
			tt.modify(&m)
			_, err := m.Bytes(fixedNow)
			if err == nil {
				t.Fatal("Bytes succeeded, want error")
			}
			if !errors.Is(err, ErrInvalidMessage) || !IsPermanent(err) {
				t.Errorf("error %v: want ErrInvalidMessage and permanent", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestHeaderFolding(t *testing.T) {
	var b bytes.Buffer
	h := &headerWriter{buf: &b}
	value := strings.TrimSpace(strings.Repeat("woord ", 40))
	h.add("Subject", value)
	if h.err != nil {
		t.Fatal(h.err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")
	if len(lines) < 3 {
		t.Fatalf("not folded: %q", b.String())
	}
	for _, l := range lines {
		if len(l) > foldAt {
			t.Errorf("line of %d > %d: %q", len(l), foldAt, l)
		}
	}
	// Unfolding (removing CRLF) must restore the value exactly.
	if got := strings.ReplaceAll(b.String(), "\r\n", ""); got != "Subject: "+value {
		t.Errorf("unfolded = %q", got)
	}

	h.add("X-Long", strings.Repeat("x", maxLine))
	if !errors.Is(h.err, ErrInvalidMessage) {
		t.Errorf("unfoldable header: err = %v", h.err)
	}
}
