package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Headers the composer owns. Letting Headers override them would produce
// duplicate or contradictory fields (two Subjects, a wrong Content-Type).
var reservedHeaders = []string{
	"Bcc", "Cc", "Content-Transfer-Encoding", "Content-Type", "Date", "From",
	"Message-Id", "Mime-Version", "Reply-To", "Subject", "To",
}

// maxLine is the hard RFC 5322 limit on a line, excluding CRLF; foldAt is
// the recommended soft limit.
const (
	maxLine = 998
	foldAt  = 78
)

func parseAddr(field, s string) (*mail.Address, error) {
	if err := checkHeaderValue(field, s); err != nil {
		return nil, err
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, invalid("%s address %q: %v", field, s, err)
	}
	return a, nil
}

func joinAddrs(as []*mail.Address) string {
	ss := make([]string, len(as))
	for i, a := range as {
		ss[i] = a.String()
	}
	return strings.Join(ss, ", ")
}

// checkHeaderValue refuses CR, LF and NUL. A CR or LF in user input (a
// subject typed into a form) would otherwise end the header and let the
// sender inject fields such as Bcc; NUL is never legal in a message.
func checkHeaderValue(field, v string) error {
	if i := strings.IndexAny(v, "\r\n\x00"); i >= 0 {
		return invalid("%s contains a forbidden control character %q at byte %d (header injection refused)", field, v[i], i)
	}
	if !utf8.ValidString(v) {
		return invalid("%s is not valid UTF-8", field)
	}
	return nil
}

func validFieldName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// messageID returns id in angle brackets, or a fresh one whose right-hand
// side is the sender's domain, as RFC 5322 suggests for global uniqueness.
func messageID(id, fromAddr string) (string, error) {
	if id != "" {
		if err := checkHeaderValue("Message-ID", id); err != nil {
			return "", err
		}
		id = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">")
		if strings.ContainsAny(id, " \t<>") || !strings.Contains(id, "@") {
			return "", invalid("Message-ID %q is not of the form left@right", id)
		}
		return "<" + id + ">", nil
	}
	domain := fromAddr[strings.LastIndexByte(fromAddr, '@')+1:]
	var r [16]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails on supported platforms
	return "<" + hex.EncodeToString(r[:]) + "@" + domain + ">", nil
}

// headerWriter writes folded header fields and remembers the first error.
type headerWriter struct {
	buf *bytes.Buffer
	err error
}

// add writes one folded header field.
func (h *headerWriter) add(name, value string) {
	if h.err != nil {
		return
	}
	line, err := fold(name, value)
	if err != nil {
		h.err = err
		return
	}
	h.buf.WriteString(line + "\r\n")
}

// fold renders "name: value", breaking at spaces so lines stay near 78
// columns. Folding inserts CRLF before existing whitespace, so unfolding
// restores the value exactly. Encoded words are at most 75 characters, so
// only an unbroken run of ASCII longer than 998 characters can fail.
//
// The first word may move to a continuation line too ("Subject:" CRLF
// " =?UTF-8?q?...?="): a 75-character encoded word after the field name
// would break the 76-column limit RFC 2047 sets for such lines.
func fold(name, value string) (string, error) {
	var b strings.Builder
	line := name + ":"
	for _, word := range strings.Split(value, " ") {
		if len(line)+1+len(word) > foldAt && strings.TrimSpace(line) != "" {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + word
		if len(line) > maxLine {
			return "", invalid("header %s has a word too long to fold within %d characters", name, maxLine)
		}
	}
	b.WriteString(line)
	return b.String(), nil
}
