package components

import (
	"strconv"
	"time"
	_ "time/tzdata" // Europe/Amsterdam must work on machines without zoneinfo
)

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err) // embedded tzdata makes this impossible
	}
	return loc
}()

// DateTime formats a moment the Dutch way in Dutch time: 27-11-2026 14:03.
func DateTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(amsterdam).Format("02-01-2006 15:04")
}

// DateTimePtr is DateTime for an optional moment.
func DateTimePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return DateTime(*t)
}

// Date formats a day the Dutch way: 27-11-2026.
func Date(t time.Time) string { return t.In(amsterdam).Format("02-01-2006") }

// Count is a number with the singular or plural noun: "1 bericht",
// "3 berichten".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
