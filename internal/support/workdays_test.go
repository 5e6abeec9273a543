package support

import (
	"testing"
	"time"
)

func TestEaster(t *testing.T) {
	for _, tc := range []struct {
		year  int
		month time.Month
		day   int
	}{
		{2019, time.April, 21}, {2024, time.March, 31}, {2025, time.April, 20},
		{2026, time.April, 5}, {2027, time.March, 28}, {2028, time.April, 16},
		{2038, time.April, 25}, {2285, time.March, 22}, {1943, time.April, 25},
	} {
		m, d := Easter(tc.year)
		if m != tc.month || d != tc.day {
			t.Errorf("Easter(%d) = %v %d, want %v %d", tc.year, m, d, tc.month, tc.day)
		}
	}
}

func TestIsHoliday(t *testing.T) {
	std := Calendar{}
	always := Calendar{LiberationDayEveryYear: true}
	for _, tc := range []struct {
		cal  Calendar
		date time.Time
		name string // "" = not a holiday
	}{
		{std, day(2026, 1, 1), "Nieuwjaarsdag"},
		{std, day(2026, 1, 2), ""},
		{std, day(2026, 4, 3), "Goede Vrijdag"},
		{std, day(2026, 4, 5), "Eerste Paasdag"},
		{std, day(2026, 4, 6), "Tweede Paasdag"},
		{std, day(2026, 4, 7), ""},
		{std, day(2027, 3, 26), "Goede Vrijdag"},
		{std, day(2027, 3, 28), "Eerste Paasdag"},
		{std, day(2027, 3, 29), "Tweede Paasdag"},
		{std, day(2026, 4, 27), "Koningsdag"}, // Monday
		{std, day(2026, 4, 26), ""},
		{std, day(2025, 4, 26), "Koningsdag"}, // 27 April 2025 is a Sunday
		{std, day(2025, 4, 27), ""},
		{std, day(2031, 4, 26), "Koningsdag"}, // 27 April 2031 is a Sunday
		{std, day(2031, 4, 27), ""},
		{std, day(2027, 4, 27), "Koningsdag"},
		{std, day(2025, 5, 5), "Bevrijdingsdag"}, // lustrum
		{std, day(2030, 5, 5), "Bevrijdingsdag"},
		{std, day(2026, 5, 5), ""},
		{always, day(2026, 5, 5), "Bevrijdingsdag"},
		{always, day(2027, 5, 5), "Bevrijdingsdag"},
		{std, day(2026, 5, 14), "Hemelvaartsdag"},
		{std, day(2027, 5, 6), "Hemelvaartsdag"},
		{std, day(2026, 5, 24), "Eerste Pinksterdag"},
		{std, day(2026, 5, 25), "Tweede Pinksterdag"},
		{std, day(2027, 5, 16), "Eerste Pinksterdag"},
		{std, day(2027, 5, 17), "Tweede Pinksterdag"},
		{std, day(2026, 12, 24), ""},
		{std, day(2026, 12, 25), "Eerste Kerstdag"},
		{std, day(2026, 12, 26), "Tweede Kerstdag"},
		{std, day(2026, 12, 31), ""},
		{std, day(2027, 1, 1), "Nieuwjaarsdag"},
		// An instant is judged by its Amsterdam date: 23:30 UTC on 31 Dec is
		// already New Year's Day in Amsterdam.
		{std, time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "Nieuwjaarsdag"},
	} {
		name, ok := tc.cal.IsHoliday(tc.date)
		if name != tc.name || ok != (tc.name != "") {
			t.Errorf("%+v IsHoliday(%s) = %q, %v; want %q", tc.cal, tc.date.Format(time.RFC3339), name, ok, tc.name)
		}
	}
}

func TestHolidaysCount(t *testing.T) {
	for _, tc := range []struct {
		cal  Calendar
		year int
		want int
	}{
		{Calendar{}, 2026, 10}, {Calendar{}, 2025, 11}, {Calendar{LiberationDayEveryYear: true}, 2026, 11},
	} {
		hs := tc.cal.Holidays(tc.year)
		if len(hs) != tc.want {
			t.Errorf("%d: %d holidays, want %d: %+v", tc.year, len(hs), tc.want, hs)
		}
		for i := 1; i < len(hs); i++ {
			if before(hs[i], hs[i-1]) {
				t.Errorf("%d: holidays out of order: %+v", tc.year, hs)
			}
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := Calendar{}
	for _, tc := range []struct {
		date time.Time
		want bool
	}{
		{day(2026, 4, 2), true},   // Thursday
		{day(2026, 4, 3), false},  // Goede Vrijdag
		{day(2026, 4, 4), false},  // Saturday
		{day(2026, 4, 5), false},  // Sunday, Easter
		{day(2026, 4, 6), false},  // Easter Monday
		{day(2026, 4, 7), true},   // Tuesday
		{day(2026, 4, 27), false}, // Koningsdag
		{day(2025, 4, 25), true},  // Friday before Koningsdag on Saturday
		{day(2026, 5, 5), true},   // Bevrijdingsdag, not a lustrum
		{day(2025, 5, 5), false},  // Bevrijdingsdag 2025, lustrum
		{day(2026, 5, 14), false}, // Hemelvaartsdag
		{day(2026, 5, 15), true},
		{day(2026, 5, 25), false}, // Whit Monday
		{day(2026, 12, 25), false},
		{day(2026, 12, 28), true},
		{day(2027, 1, 1), false},
	} {
		if got := c.IsWorkingDay(tc.date); got != tc.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.date.Format("2006-01-02 Mon"), got, tc.want)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	ams := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, Amsterdam) }
	std := Calendar{}
	always := Calendar{LiberationDayEveryYear: true}
	for _, tc := range []struct {
		name     string
		cal      Calendar
		received time.Time
		n        int
		due      time.Time // date only; the due moment is its last nanosecond
	}{
		{"plain week", std, ams(2026, 7, 6, 9, 0), 5, day(2026, 7, 13)},
		{"received late on a working day", std, ams(2026, 7, 6, 23, 59), 5, day(2026, 7, 13)},
		{"received on Saturday", std, ams(2026, 7, 4, 10, 0), 5, day(2026, 7, 10)},
		{"received on Sunday", std, ams(2026, 7, 5, 10, 0), 5, day(2026, 7, 10)},
		{"Easter 2026 (Goede Vrijdag + Tweede Paasdag)", std, ams(2026, 4, 2, 14, 0), 5, day(2026, 4, 13)},
		{"received on Easter Sunday 2026", std, ams(2026, 4, 5, 14, 0), 5, day(2026, 4, 13)},
		{"received on Goede Vrijdag 2026", std, ams(2026, 4, 3, 14, 0), 5, day(2026, 4, 13)},
		{"Easter 2027", std, ams(2027, 3, 24, 11, 0), 5, day(2027, 4, 2)},
		{"Koningsdag 2026 (Monday)", std, ams(2026, 4, 24, 11, 0), 5, day(2026, 5, 4)},
		{"Koningsdag 2027 (Tuesday)", std, ams(2027, 4, 26, 11, 0), 5, day(2027, 5, 4)},
		{"Koningsdag 2025 moved to Saturday costs no working day", std, ams(2025, 4, 24, 11, 0), 5, day(2025, 5, 1)},
		{"Bevrijdingsdag 2025 lustrum", std, ams(2025, 5, 2, 11, 0), 5, day(2025, 5, 12)},
		{"Bevrijdingsdag 2026 not a holiday", std, ams(2026, 4, 29, 11, 0), 5, day(2026, 5, 6)},
		{"Bevrijdingsdag 2026 configured", always, ams(2026, 4, 29, 11, 0), 5, day(2026, 5, 7)},
		{"Ascension 2026", std, ams(2026, 5, 11, 11, 0), 5, day(2026, 5, 19)},
		{"Ascension 2027", std, ams(2027, 5, 3, 11, 0), 5, day(2027, 5, 11)},
		{"Ascension 2027 with Bevrijdingsdag configured", always, ams(2027, 5, 3, 11, 0), 5, day(2027, 5, 12)},
		{"Whit Monday 2026", std, ams(2026, 5, 21, 11, 0), 5, day(2026, 5, 29)},
		{"Whit Monday 2027", std, ams(2027, 5, 14, 11, 0), 5, day(2027, 5, 24)},
		{"before Christmas 2026", std, ams(2026, 12, 23, 11, 0), 5, day(2026, 12, 31)},
		{"Christmas and New Year 2026-2027", std, ams(2026, 12, 24, 11, 0), 5, day(2027, 1, 4)},
		{"received on Christmas 2026", std, ams(2026, 12, 25, 11, 0), 5, day(2027, 1, 4)},
		// 22:30 UTC on Wednesday 1 April is 00:30 on Thursday 2 April in
		// Amsterdam (CEST): counted from the Amsterdam day.
		{"UTC instant, Amsterdam date", std, time.Date(2026, 4, 1, 22, 30, 0, 0, time.UTC), 5, day(2026, 4, 13)},
		{"n = 1", std, ams(2026, 4, 2, 9, 0), 1, day(2026, 4, 7)},
		{"n = 0: end of day of receipt", std, ams(2026, 4, 4, 9, 0), 0, day(2026, 4, 4)},
		{"across DST start and Easter", std, ams(2026, 3, 27, 9, 0), 5, day(2026, 4, 7)},
		{"across DST end", std, ams(2026, 10, 23, 9, 0), 5, day(2026, 10, 30)},
	} {
		got := tc.cal.AddWorkingDays(tc.received, tc.n)
		want := time.Date(tc.due.Year(), tc.due.Month(), tc.due.Day(), 23, 59, 59, 999999999, Amsterdam)
		if !got.Equal(want) || got.Location() != Amsterdam {
			t.Errorf("%s: AddWorkingDays(%s, %d) = %s, want %s", tc.name, tc.received.Format(time.RFC3339), tc.n, got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
		}
	}
}

func TestDueDate(t *testing.T) {
	got := Calendar{}.DueDate(time.Date(2026, 4, 2, 14, 0, 0, 0, Amsterdam))
	if want := time.Date(2026, 4, 13, 23, 59, 59, 999999999, Amsterdam); !got.Equal(want) {
		t.Errorf("DueDate = %s, want %s", got, want)
	}
}
