// Package mail composes OHIS e-mails and delivers them over SMTP.
//
// The outbox job renders a Message with Message.Bytes and hands it to a
// Sender; IsPermanent tells the job whether a failure is worth retrying.
package mail

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalidMessage is wrapped by every validation error of Message.Bytes.
// Such a message can never be delivered as it is, so IsPermanent reports it
// as permanent: retrying would only repeat the same refusal.
var ErrInvalidMessage = errors.New("mail: invalid message")

// Message is one e-mail as OHIS composes it.
type Message struct {
	From        string            // "OHIS <noreply@example.nl>"
	To          []string          // one address per entry, display names allowed
	ReplyTo     string            // optional
	Subject     string            // may contain non-ASCII (Dutch); Q-encoded on output
	Text        string            // plain text body (required)
	HTML        string            // optional HTML alternative
	Attachments []Attachment      // optional files, e.g. an .ics invitation
	MessageID   string            // if empty, generated: <random@domain-of-From>
	Headers     map[string]string // extra headers, e.g. "X-OHIS-Outbox-ID"
}

// Attachment is a file attached to a Message, e.g. an .ics invitation
// ("text/calendar; method=REQUEST; charset=UTF-8"). An empty ContentType is
// guessed from the Filename extension. Inline marks it for display in the
// body (Content-Disposition: inline) rather than as a download.
type Attachment struct {
	Filename, ContentType string
	Data                  []byte
	Inline                bool
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...))
}

// Envelope returns the SMTP envelope (MAIL FROM and RCPT TO addresses) of m,
// taken from the From and To headers because OHIS sends no Bcc.
func (m Message) Envelope() (from string, to []string, err error) {
	f, err := parseAddr("From", m.From)
	if err != nil {
		return "", nil, err
	}
	rcpts, err := m.recipients()
	if err != nil {
		return "", nil, err
	}
	for _, r := range rcpts {
		to = append(to, r.Address)
	}
	return f.Address, to, nil
}

// Bytes renders the message as RFC 5322 with MIME: multipart/mixed around a
// multipart/alternative when needed, CRLF line endings, quoted-printable
// text parts, base64 attachments, a Date header taken from now (a parameter
// so tests and retries are reproducible) and headers folded at 78 columns.
//
// Text is ended with a line break when it has none, because the message
// must end in CRLF anyway; doing it here keeps single-part and multipart
// bodies identical for the receiver.
func (m Message) Bytes(now time.Time) ([]byte, error) {
	from, err := parseAddr("From", m.From)
	if err != nil {
		return nil, err
	}
	rcpts, err := m.recipients()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	h := &headerWriter{buf: &b}
	h.add("From", from.String())
	h.add("To", joinAddrs(rcpts))
	if m.ReplyTo != "" {
		rt, err := parseAddr("Reply-To", m.ReplyTo)
		if err != nil {
			return nil, err
		}
		h.add("Reply-To", rt.String())
	}
	if err := checkHeaderValue("Subject", m.Subject); err != nil {
		return nil, err
	}
	h.add("Subject", mime.QEncoding.Encode("UTF-8", m.Subject))
	h.add("Date", now.Format(time.RFC1123Z))
	id, err := messageID(m.MessageID, from.Address)
	if err != nil {
		return nil, err
	}
	h.add("Message-ID", id)
	h.add("MIME-Version", "1.0")
	if err := m.extraHeaders(h); err != nil {
		return nil, err
	}

	body, err := m.body()
	if err != nil {
		return nil, err
	}
	for _, kv := range body.header {
		h.add(kv[0], kv[1])
	}
	if h.err != nil {
		return nil, h.err
	}
	b.WriteString("\r\n")
	b.Write(body.content)
	return b.Bytes(), nil
}

func (m Message) recipients() ([]*mail.Address, error) {
	if len(m.To) == 0 {
		return nil, invalid("no recipients")
	}
	out := make([]*mail.Address, 0, len(m.To))
	for _, to := range m.To {
		a, err := parseAddr("To", to)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (m Message) extraHeaders(h *headerWriter) error {
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	slices.Sort(keys) // deterministic output makes the raw message diffable
	for _, k := range keys {
		if !validFieldName(k) {
			return invalid("header name %q is not a valid field name", k)
		}
		if slices.Contains(reservedHeaders, textproto.CanonicalMIMEHeaderKey(k)) {
			return invalid("header %q is set by the composer and cannot be overridden", k)
		}
		v := m.Headers[k]
		if err := checkHeaderValue(k, v); err != nil {
			return err
		}
		h.add(k, mime.QEncoding.Encode("UTF-8", v))
	}
	return nil
}

// part is a MIME entity: its own header fields in order and its encoded body.
type part struct {
	header  [][2]string
	content []byte
}

func (m Message) body() (part, error) {
	if strings.TrimSpace(m.Text) == "" {
		return part{}, invalid("plain text body is required")
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
		return part{}, invalid("body is not valid UTF-8")
	}
	text := ensureNewline(m.Text)
	body := textPart("text/plain", text)
	if m.HTML != "" {
		// Plain text first: clients show the last alternative they support.
		var err error
		body, err = multipartOf("alternative", body, textPart("text/html", ensureNewline(m.HTML)))
		if err != nil {
			return part{}, err
		}
	}
	if len(m.Attachments) == 0 {
		return body, nil
	}
	parts := []part{body}
	for i, a := range m.Attachments {
		p, err := attachmentPart(a)
		if err != nil {
			return part{}, fmt.Errorf("attachment %d: %w", i, err)
		}
		parts = append(parts, p)
	}
	return multipartOf("mixed", parts...)
}

func ensureNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// textPart encodes s as quoted-printable: it keeps Dutch text readable in
// the raw message, survives 7-bit relays and breaks long lines softly so the
// reader gets them back unbroken. The encoder also turns LF into CRLF.
func textPart(mediaType, s string) part {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(s)) // writes to a bytes.Buffer cannot fail
	_ = w.Close()
	return part{
		header: [][2]string{
			{"Content-Type", mediaType + "; charset=UTF-8"},
			{"Content-Transfer-Encoding", "quoted-printable"},
		},
		content: b.Bytes(),
	}
}

func attachmentPart(a Attachment) (part, error) {
	if a.Filename == "" {
		return part{}, invalid("attachment has no filename")
	}
	if err := checkHeaderValue("attachment filename", a.Filename); err != nil {
		return part{}, err
	}
	ct := a.ContentType
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(a.Filename))
		if ct == "" {
			ct = "application/octet-stream"
		}
	}
	if err := checkHeaderValue("attachment content type", ct); err != nil {
		return part{}, err
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return part{}, invalid("attachment %q content type %q: %v", a.Filename, ct, err)
	}
	// The name parameter is obsolete but some clients (Outlook) still read it.
	params["name"] = a.Filename
	disposition := "attachment"
	if a.Inline {
		disposition = "inline"
	}
	return part{
		header: [][2]string{
			{"Content-Type", mime.FormatMediaType(mediaType, params)},
			{"Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename})},
			{"Content-Transfer-Encoding", "base64"},
		},
		content: base64Lines(a.Data),
	}, nil
}

// base64Lines wraps base64 at 76 characters as MIME requires (RFC 2045).
func base64Lines(data []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(data)
	var b bytes.Buffer
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
	return b.Bytes()
}

// multipartOf wraps parts in a multipart/<subtype> entity.
func multipartOf(subtype string, parts ...part) (part, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b) // random boundary from crypto/rand
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		for _, kv := range p.header {
			// mime/multipart does not fold, so fold here: a boundary or a
			// long filename would otherwise exceed 78 columns.
			folded, err := fold(kv[0], kv[1])
			if err != nil {
				return part{}, err
			}
			h.Set(kv[0], strings.TrimPrefix(strings.TrimPrefix(folded, kv[0]+":"), " "))
		}
		pw, _ := w.CreatePart(h) // writes to a bytes.Buffer cannot fail
		_, _ = pw.Write(p.content)
	}
	_ = w.Close()
	return part{
		header: [][2]string{{"Content-Type",
			mime.FormatMediaType("multipart/"+subtype, map[string]string{"boundary": w.Boundary()})}},
		content: b.Bytes(),
	}, nil
}
