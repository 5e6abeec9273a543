package mailtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
)

// Attachment is a decoded attachment of a Received message.
type Attachment struct {
	Filename    string // from Content-Disposition, else the Content-Type name
	ContentType string // the full Content-Type value, parameters included
	Data        []byte // transfer-decoded
	Inline      bool   // Content-Disposition: inline
}

// parsed is what a test wants from a message, decoded once on receipt.
type parsed struct {
	header      mail.Header
	text, html  string
	attachments []Attachment
}

// ParseError reports why the message could not be decoded as MIME; the
// accessors return zero values then. Tests should check it first so a
// malformed message fails loudly instead of as an empty subject.
func (r Received) ParseError() error { return r.parseErr }

// Header returns the top-level header (net/mail); values are raw, so use
// DecodedHeader for encoded words.
func (r Received) Header() mail.Header { return r.parsed.header }

// DecodedHeader returns the first value of the named header with RFC 2047
// encoded words decoded, e.g. a Dutch Reply-To display name.
func (r Received) DecodedHeader(name string) string {
	v := r.parsed.header.Get(name)
	if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// Subject returns the decoded Subject.
func (r Received) Subject() string { return r.DecodedHeader("Subject") }

// Text returns the first text/plain body part, transfer-decoded, with CRLF
// turned into LF so tests can compare it with a Go string literal.
func (r Received) Text() string { return r.parsed.text }

// HTML returns the first text/html body part, decoded like Text.
func (r Received) HTML() string { return r.parsed.html }

// Attachments returns the parts that carry a filename or an attachment
// disposition, in message order.
func (r Received) Attachments() []Attachment { return r.parsed.attachments }

func parseMessage(data []byte) (parsed, error) {
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return parsed{}, fmt.Errorf("mailtest: read message: %w", err)
	}
	p := parsed{header: m.Header}
	h := textproto.MIMEHeader(m.Header)
	if err := p.walk(h, m.Body, 0); err != nil {
		return p, err
	}
	return p, nil
}

// walk descends multiparts depth-first and files each leaf as text, HTML
// or attachment. It uses NextRawPart and decodes transfer encodings itself
// so that a wrong Content-Transfer-Encoding shows up in tests.
func (p *parsed) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	if depth > 10 {
		return fmt.Errorf("mailtest: multipart nesting deeper than 10")
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain; charset=us-ascii" // RFC 2045 default
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("mailtest: Content-Type %q: %w", ct, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		if params["boundary"] == "" {
			return fmt.Errorf("mailtest: %s without boundary", mediaType)
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("mailtest: %s: %w", mediaType, err)
			}
			if err := p.walk(part.Header, part, depth+1); err != nil {
				return err
			}
		}
	}
	data, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	if err != nil {
		return err
	}
	disp, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	filename := dparams["filename"]
	if filename == "" {
		filename = params["name"]
	}
	switch {
	case disp == "attachment" || filename != "":
		p.attachments = append(p.attachments, Attachment{
			Filename: filename, ContentType: ct, Data: data, Inline: disp == "inline",
		})
	case mediaType == "text/plain" && p.text == "":
		p.text = strings.ReplaceAll(string(data), "\r\n", "\n")
	case mediaType == "text/html" && p.html == "":
		p.html = strings.ReplaceAll(string(data), "\r\n", "\n")
	}
	return nil
}

func decodeTransfer(cte string, r io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "", "7bit", "8bit", "binary":
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		// The decoder skips CR and LF, which MIME requires between lines.
		r = base64.NewDecoder(base64.StdEncoding, r)
	default:
		return nil, fmt.Errorf("mailtest: unknown Content-Transfer-Encoding %q", cte)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("mailtest: decode %s: %w", cte, err)
	}
	return data, nil
}
