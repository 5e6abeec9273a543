package supplier_test

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/supplier"
)

var amsterdamTZ = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return loc
}()

func sampleInvitation() supplier.Invitation {
	start := time.Date(2026, 7, 15, 10, 0, 0, 0, amsterdamTZ)
	return supplier.Invitation{
		UID: "booking-42@winstuitjewoning.nl", Sequence: 2, Method: supplier.MethodRequest,
		Stamp: time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC), Start: start, End: start.Add(90 * time.Minute),
		Summary: supplier.TestSummary, URL: "https://portaal.example/koppeling/integratietest",
		Organizer: supplier.Person{Name: "Sanne Support", Email: "sanne@wujw.example"},
		Attendee:  supplier.Person{Name: "Ada Aanbieder", Email: "ada@winkel.example"},
	}
}

// The whole invitation, as a calendar reads it: every line in its place.
func TestInvitationGolden(t *testing.T) {
	t.Parallel()
	want := strings.Join([]string{
		"BEGIN:VCALENDAR",
		"PRODID:-//Winst uit je woning//OHIS//NL",
		"VERSION:2.0",
		"CALSCALE:GREGORIAN",
		"METHOD:REQUEST",
		"BEGIN:VTIMEZONE",
		"TZID:Europe/Amsterdam",
		"X-LIC-LOCATION:Europe/Amsterdam",
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
		"BEGIN:VEVENT",
		"UID:booking-42@winstuitjewoning.nl",
		"SEQUENCE:2",
		"DTSTAMP:20260701T093000Z",
		"DTSTART;TZID=Europe/Amsterdam:20260715T100000",
		"DTEND;TZID=Europe/Amsterdam:20260715T113000",
		"SUMMARY:Integratietest Winst uit je woning",
		"URL:https://portaal.example/koppeling/integratietest",
		`ORGANIZER;CN="Sanne Support":mailto:sanne@wujw.example`,
		`ATTENDEE;CN="Ada Aanbieder";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP`,
		" =TRUE:mailto:ada@winkel.example",
		"STATUS:CONFIRMED",
		"TRANSP:OPAQUE",
		"END:VEVENT",
		"END:VCALENDAR",
		"",
	}, "\r\n")
	inv := sampleInvitation()
	if got := string(inv.Bytes()); got != want {
		t.Errorf("invitation differs from the golden one.\ngot:\n%s\nwant:\n%s", got, want)
	}
	if ct := inv.ContentType(); ct != "text/calendar; method=REQUEST; charset=UTF-8" {
		t.Errorf("content type %q", ct)
	}
}

// Every line ends in CRLF, no physical line is longer than 75 octets, a
// long Dutch value folds without splitting a character and unfolds back.
func TestInvitationFolding(t *testing.T) {
	t.Parallel()
	inv := sampleInvitation()
	inv.Summary = strings.Repeat("Integratietest met één aanbieder – € 1.234,56 ", 6)
	inv.Description = strings.Repeat("ééé", 60)
	data := inv.Bytes()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatal("the object does not end with CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets long: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 character: %q", i+1, l)
		}
	}
	props := parseICS(t, data)
	if got, want := props["SUMMARY"], escapedForTest(inv.Summary); got != want {
		t.Errorf("unfolded SUMMARY %q, want %q", got, want)
	}
	if got, want := props["DESCRIPTION"], inv.Description; got != want {
		t.Errorf("unfolded DESCRIPTION %q, want %q", got, want)
	}
}

func escapedForTest(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`).Replace(s)
}

// Text values escape backslash, semicolon, comma and line breaks; a
// parameter cannot be broken out of with a quote or a line break.
func TestInvitationEscaping(t *testing.T) {
	t.Parallel()
	inv := sampleInvitation()
	inv.Summary = "Test; met, tekens\\ en\r\neen nieuwe regel"
	inv.Organizer.Name = "Sanne \"de baas\"\r\nX-INJECT:1"
	props := parseICS(t, inv.Bytes())
	if got, want := props["SUMMARY"], `Test\; met\, tekens\\ en\neen nieuwe regel`; got != want {
		t.Errorf("SUMMARY %q, want %q", got, want)
	}
	if got, want := props[`ORGANIZER;CN="Sanne de baasX-INJECT:1"`], "mailto:sanne@wujw.example"; got != want {
		t.Errorf("ORGANIZER not sanitised: %v", props)
	}
	if _, injected := props["X-INJECT"]; injected {
		t.Error("a line break in a name started a new property")
	}
}

// The event carries local Amsterdam time with its TZID, and the VTIMEZONE
// rules give a July meeting +02:00 and a January one +01:00, so both land
// at the right instant.
func TestInvitationSummerAndWinterTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		start      time.Time
		wantLocal  string
		wantOffset time.Duration
	}{
		{"july", time.Date(2026, 7, 15, 8, 0, 0, 0, time.UTC), "20260715T100000", 2 * time.Hour},
		{"january", time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC), "20260115T100000", time.Hour},
		{"day after the October change", time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC), "20261026T100000", time.Hour},
		{"day after the March change", time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC), "20260330T100000", 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := sampleInvitation()
			inv.Start, inv.End = tc.start, tc.start.Add(time.Hour)
			props := parseICS(t, inv.Bytes())
			local := props["DTSTART;TZID=Europe/Amsterdam"]
			if local != tc.wantLocal {
				t.Fatalf("DTSTART %q, want %q", local, tc.wantLocal)
			}
			wall, err := time.Parse("20060102T150405", local)
			if err != nil {
				t.Fatal(err)
			}
			offset := vtimezoneOffset(t, props, wall)
			if offset != tc.wantOffset {
				t.Errorf("the VTIMEZONE gives %s offset %v, want %v", local, offset, tc.wantOffset)
			}
			if got := wall.Add(-offset); !got.Equal(tc.start) {
				t.Errorf("DTSTART resolves to %v, want %v", got, tc.start)
			}
		})
	}
}

// A cancellation names the same event and says it is cancelled.
func TestInvitationCancel(t *testing.T) {
	t.Parallel()
	inv := sampleInvitation()
	inv.Method = supplier.MethodCancel
	props := parseICS(t, inv.Bytes())
	if props["METHOD"] != "CANCEL" || props["STATUS"] != "CANCELLED" || props["UID"] != "booking-42@winstuitjewoning.nl" {
		t.Errorf("cancellation: METHOD %q STATUS %q UID %q", props["METHOD"], props["STATUS"], props["UID"])
	}
	if ct := inv.ContentType(); ct != "text/calendar; method=CANCEL; charset=UTF-8" {
		t.Errorf("content type %q", ct)
	}
}

// parseICS unfolds an iCalendar object and returns its properties by name
// with parameters ("DTSTART;TZID=Europe/Amsterdam"); within the VTIMEZONE
// the names are prefixed with the block ("DAYLIGHT/TZOFFSETTO").
func parseICS(t *testing.T, data []byte) map[string]string {
	t.Helper()
	s := string(data)
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Fatalf("bare LF in %q", s)
	}
	s = strings.ReplaceAll(s, "\r\n ", "")
	props := map[string]string{}
	block := ""
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		name, value := splitProperty(l)
		switch {
		case name == "BEGIN" && (value == "DAYLIGHT" || value == "STANDARD"):
			block = value + "/"
			continue
		case name == "END" && (value == "DAYLIGHT" || value == "STANDARD"):
			block = ""
			continue
		}
		if name == "BEGIN" || name == "END" {
			props[name+":"+value] = "present"
			continue
		}
		props[block+name] = value
	}
	for _, want := range []string{"BEGIN:VCALENDAR", "BEGIN:VTIMEZONE", "BEGIN:VEVENT", "END:VEVENT", "END:VCALENDAR"} {
		if props[want] == "" {
			t.Errorf("no %s in\n%s", want, s)
		}
	}
	return props
}

// splitProperty splits at the first colon outside a quoted parameter.
func splitProperty(l string) (name, value string) {
	quoted := false
	for i, r := range l {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ':' && !quoted:
			return l[:i], l[i+1:]
		}
	}
	return l, ""
}

// vtimezoneOffset applies the VTIMEZONE's yearly rules (last Sunday of the
// month at the given hour) to a local wall time.
func vtimezoneOffset(t *testing.T, props map[string]string, wall time.Time) time.Duration {
	t.Helper()
	change := func(block string) time.Time {
		rule := props[block+"/RRULE"]
		var month int
		switch {
		case strings.Contains(rule, "BYMONTH=3;BYDAY=-1SU"):
			month = 3
		case strings.Contains(rule, "BYMONTH=10;BYDAY=-1SU"):
			month = 10
		default:
			t.Fatalf("%s rule %q not understood", block, rule)
		}
		start, err := time.Parse("20060102T150405", props[block+"/DTSTART"])
		if err != nil {
			t.Fatal(err)
		}
		d := time.Date(wall.Year(), time.Month(month)+1, 1, start.Hour(), 0, 0, 0, time.UTC).AddDate(0, 0, -1)
		for d.Weekday() != time.Sunday {
			d = d.AddDate(0, 0, -1)
		}
		return d
	}
	offset := func(s string) time.Duration {
		v, err := time.Parse("-0700", s)
		if err != nil {
			t.Fatalf("offset %q: %v", s, err)
		}
		_, off := v.Zone()
		return time.Duration(off) * time.Second
	}
	if !wall.Before(change("DAYLIGHT")) && wall.Before(change("STANDARD")) {
		return offset(props["DAYLIGHT/TZOFFSETTO"])
	}
	return offset(props["STANDARD/TZOFFSETTO"])
}
