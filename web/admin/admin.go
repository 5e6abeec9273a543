// Package admin renders the admin pages: users, suppliers, the audit log
// and the mail outbox.
package admin

import (
	"regexp"
	"strconv"
)

func intStr(n int) string { return strconv.Itoa(n) }

// segment is a piece of plain mail text: either text or a web link.
type segment struct {
	Text string
	Link bool
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify splits mail text so that web links (invitation and reset links in
// a demo without SMTP) can be clicked in the outbox.
func linkify(text string) []segment {
	var out []segment
	last := 0
	for _, m := range linkPattern.FindAllStringIndex(text, -1) {
		if m[0] > last {
			out = append(out, segment{Text: text[last:m[0]]})
		}
		out = append(out, segment{Text: text[m[0]:m[1]], Link: true})
		last = m[1]
	}
	if last < len(text) {
		out = append(out, segment{Text: text[last:]})
	}
	return out
}
