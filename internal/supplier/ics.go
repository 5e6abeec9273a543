package supplier

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Amsterdam must resolve on machines without zoneinfo
	"unicode/utf8"
)

// Calendar methods of an invitation (RFC 5546).
const (
	MethodRequest = "REQUEST"
	MethodCancel  = "CANCEL"
)

// Invitation is a calendar invitation for one integration-test meeting,
// rendered as an iCalendar object (RFC 5545) in Europe/Amsterdam time.
type Invitation struct {
	// UID stays the same for a booking however often it moves, so calendars
	// update the one event; Sequence orders the versions.
	UID      string
	Sequence int
	Method   string // MethodRequest or MethodCancel
	Stamp    time.Time
	Start    time.Time
	End      time.Time
	Summary  string
	// Description and URL are optional.
	Description string
	URL         string
	Organizer   Person
	Attendee    Person
}

// Person is an organizer or attendee: a name and an e-mail address.
type Person struct{ Name, Email string }

// icsTZID is the one time zone OHIS invitations use.
const icsTZID = "Europe/Amsterdam"

// amsterdamVTimezone describes Europe/Amsterdam as its rules have been since
// 1996 (EU summer time: last Sunday of March 02:00 → 03:00, last Sunday of
// October 03:00 → 02:00), so calendars resolve TZID without a database.
var amsterdamVTimezone = []string{
	"BEGIN:VTIMEZONE",
	"TZID:" + icsTZID,
	"X-LIC-LOCATION:" + icsTZID,
	"BEGIN:DAYLIGHT",
	"TZOFFSETFROM:+0100",
	"TZOFFSETTO:+0200",
	"TZNAME:CEST",
	"DTSTART:19700329T020000",
	"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
	"END:DAYLIGHT",
	"BEGIN:STANDARD",
	"TZOFFSETFROM:+0200",
	"TZOFFSETTO:+0100",
	"TZNAME:CET",
	"DTSTART:19701025T030000",
	"RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
	"END:STANDARD",
	"END:VTIMEZONE",
}

// ContentType is the MIME type of the rendered invitation, with the method
// parameter mail clients need to offer accept/decline.
func (inv Invitation) ContentType() string {
	return "text/calendar; method=" + inv.method() + "; charset=UTF-8"
}

func (inv Invitation) method() string {
	if inv.Method == MethodCancel {
		return MethodCancel
	}
	return MethodRequest
}

// Bytes renders the invitation: CRLF line endings, lines folded at 75
// octets without splitting a UTF-8 character, text values escaped.
func (inv Invitation) Bytes() []byte {
	lines := []string{
		"BEGIN:VCALENDAR",
		"PRODID:-//Winst uit je woning//OHIS//NL",
		"VERSION:2.0",
		"CALSCALE:GREGORIAN",
		"METHOD:" + inv.method(),
	}
	lines = append(lines, amsterdamVTimezone...)
	status := "CONFIRMED"
	if inv.method() == MethodCancel {
		status = "CANCELLED"
	}
	lines = append(lines,
		"BEGIN:VEVENT",
		"UID:"+icsText(inv.UID),
		"SEQUENCE:"+strconv.Itoa(inv.Sequence),
		"DTSTAMP:"+inv.Stamp.UTC().Format("20060102T150405Z"),
		"DTSTART;TZID="+icsTZID+":"+icsLocal(inv.Start),
		"DTEND;TZID="+icsTZID+":"+icsLocal(inv.End),
		"SUMMARY:"+icsText(inv.Summary),
	)
	if inv.Description != "" {
		lines = append(lines, "DESCRIPTION:"+icsText(inv.Description))
	}
	if inv.URL != "" {
		lines = append(lines, "URL:"+icsClean(inv.URL))
	}
	lines = append(lines,
		"ORGANIZER;CN="+icsParam(inv.Organizer.Name)+":mailto:"+icsClean(inv.Organizer.Email),
		"ATTENDEE;CN="+icsParam(inv.Attendee.Name)+";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:"+icsClean(inv.Attendee.Email),
		"STATUS:"+status,
		"TRANSP:OPAQUE",
		"END:VEVENT",
		"END:VCALENDAR",
	)
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(foldLine(l))
	}
	return b.Bytes()
}

// icsLocal is a moment as local Amsterdam time, the form DTSTART;TZID wants.
func icsLocal(t time.Time) string { return t.In(amsterdam).Format("20060102T150405") }

// icsText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon,
// comma and line breaks.
func icsText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n':
			b.WriteString(`\n`)
		default:
			if r < 0x20 || r == 0x7f {
				continue // other control characters are not allowed in TEXT
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsParam is a parameter value, always quoted; a double quote cannot
// appear inside one, so it is dropped with control characters.
func icsParam(s string) string {
	return `"` + strings.Map(func(r rune) rune {
		if r == '"' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s) + `"`
}

// icsClean drops control characters from a value that is not TEXT (an
// address or URL), so it cannot break the line structure.
func icsClean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// foldLine ends a content line with CRLF, folding it so no physical line
// is longer than 75 octets (RFC 5545 §3.1): a continuation starts with one
// space, which counts towards its 75. A UTF-8 character is never split.
func foldLine(l string) string {
	const limit = 75
	var b strings.Builder
	width := limit
	for len(l) > width {
		cut := width
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		b.WriteString(l[:cut])
		b.WriteString("\r\n ")
		l = l[cut:]
		width = limit - 1
	}
	b.WriteString(l)
	b.WriteString("\r\n")
	return b.String()
}
