package support

import (
	"time"
	_ "time/tzdata" // Europe/Amsterdam must resolve on machines without zoneinfo
)

// AnswerWorkingDays is the number of working days within which supplier
// questions are answered (SPEC §2 rule 10).
const AnswerWorkingDays = 5

// Amsterdam is the Europe/Amsterdam location in which working days are
// counted.
var Amsterdam = mustLoad("Europe/Amsterdam")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Calendar decides which days are working days: Monday to Friday, except
// Dutch public holidays (SPEC §3 "Working days"). The zero value follows
// government practice for Bevrijdingsdag (a day off only in lustrum years,
// years divisible by 5).
type Calendar struct {
	// LiberationDayEveryYear makes Bevrijdingsdag (5 May) a holiday every
	// year instead of only in years divisible by 5.
	LiberationDayEveryYear bool
}

// Holiday is a named public holiday on a civil date.
type Holiday struct {
	Name  string
	Month time.Month
	Day   int
}

// Easter returns the month and day of Easter Sunday in the Gregorian
// calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
func Easter(year int) (time.Month, int) {
	a := year % 19
	b := year / 100
	c := year % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i := c / 4
	k := c % 4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Month(month), day
}

// Holidays lists the Dutch public holidays of year in date order.
// Koningsdag is 27 April, or 26 April when 27 April is a Sunday (the rule
// since 2014).
func (c Calendar) Holidays(year int) []Holiday {
	em, ed := Easter(year)
	easter := time.Date(year, em, ed, 0, 0, 0, 0, time.UTC)
	rel := func(name string, days int) Holiday {
		t := easter.AddDate(0, 0, days)
		return Holiday{Name: name, Month: t.Month(), Day: t.Day()}
	}
	kingsDay := 27
	if time.Date(year, time.April, 27, 0, 0, 0, 0, time.UTC).Weekday() == time.Sunday {
		kingsDay = 26
	}
	hs := []Holiday{
		{"Nieuwjaarsdag", time.January, 1},
		rel("Goede Vrijdag", -2),
		rel("Eerste Paasdag", 0),
		rel("Tweede Paasdag", 1),
		{"Koningsdag", time.April, kingsDay},
	}
	if c.LiberationDayEveryYear || year%5 == 0 {
		hs = append(hs, Holiday{"Bevrijdingsdag", time.May, 5})
	}
	hs = append(hs,
		rel("Hemelvaartsdag", 39),
		rel("Eerste Pinksterdag", 49),
		rel("Tweede Pinksterdag", 50),
		Holiday{"Eerste Kerstdag", time.December, 25},
		Holiday{"Tweede Kerstdag", time.December, 26},
	)
	// Keep date order (Bevrijdingsdag can fall after Hemelvaartsdag when
	// Easter is early).
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && before(hs[j], hs[j-1]); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	return hs
}

func before(a, b Holiday) bool {
	return a.Month < b.Month || (a.Month == b.Month && a.Day < b.Day)
}

// IsHoliday reports whether the day of d in Europe/Amsterdam is a Dutch
// public holiday, and its name. Holidays that fall on a weekend (Eerste
// Paasdag, Eerste Pinksterdag, …) are still reported.
func (c Calendar) IsHoliday(d time.Time) (name string, ok bool) {
	y, m, day := d.In(Amsterdam).Date()
	for _, h := range c.Holidays(y) {
		if h.Month == m && h.Day == day {
			return h.Name, true
		}
	}
	return "", false
}

// IsWorkingDay reports whether the day of d in Europe/Amsterdam is a
// Monday–Friday that is not a public holiday.
func (c Calendar) IsWorkingDay(d time.Time) bool {
	local := d.In(Amsterdam)
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, hol := c.IsHoliday(local)
	return !hol
}

// AddWorkingDays returns the due moment for something received at
// received: the end (23:59:59.999999999, Europe/Amsterdam) of the n-th
// working day after the day of receipt. The day of receipt itself never
// counts: a question received on a working day counts from the next working
// day, and one received on a weekend or holiday likewise counts from the
// first working day after it. So a question received on Monday 6 July 2026
// at any hour is due at the end of Monday 13 July 2026. n ≤ 0 gives the end
// of the day of receipt.
func (c Calendar) AddWorkingDays(received time.Time, n int) time.Time {
	y, m, d := received.In(Amsterdam).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, Amsterdam) // noon: safe across DST
	for counted := 0; counted < n; {
		day = day.AddDate(0, 0, 1)
		if c.IsWorkingDay(day) {
			counted++
		}
	}
	y, m, d = day.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, Amsterdam).Add(-time.Nanosecond)
}

// DueDate is the answer deadline of a supplier question received at
// received: AddWorkingDays(received, AnswerWorkingDays).
func (c Calendar) DueDate(received time.Time) time.Time {
	return c.AddWorkingDays(received, AnswerWorkingDays)
}
