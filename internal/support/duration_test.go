package support

import (
	"strings"
	"testing"
)

func TestParseDuration(t *testing.T) {
	ok := []struct {
		in   string
		want int
	}{
		{"1:30", 90},
		{"0:05", 5},
		{"24:00", 1440},
		{"1,5", 90},
		{"1.5", 90},
		{",5", 30},
		{"0,25", 15},
		{"1,50", 90},
		{"2,05", 123},
		{"1,5u", 90},
		{"1.5 uur", 90},
		{"90", 90},
		{"090", 90},
		{"90m", 90},
		{"90 min", 90},
		{"90 MIN", 90},
		{"90 minuten", 90},
		{"1 minuut", 1},
		{"2u", 120},
		{"2 uur", 120},
		{"2h", 120},
		{"1u30", 90},
		{"1u 30m", 90},
		{"1 uur 30 min", 90},
		{"1U05", 65},
		{"  1:30\t", 90},
		{"+45", 45},
		{"1440", 1440},
	}
	for _, tc := range ok {
		got, msg := ParseDuration(tc.in)
		if msg != "" || got != tc.want {
			t.Errorf("ParseDuration(%q) = %d, %q; want %d", tc.in, got, msg, tc.want)
		}
	}

	bad := []struct {
		in   string
		want string // exact message, or a fragment when prefixed with "~"
	}{
		{"", MsgDurationEmpty},
		{"   ", MsgDurationEmpty},
		{"abc", `~"abc" is geen geldige duur`},
		{"1:3:0", `~is geen geldige duur`},
		{"1,5,5", `~is geen geldige duur`},
		{"1 30", `~is geen geldige duur`},
		{"90 sec", `~is geen geldige duur`},
		{"u30", `~is geen geldige duur`},
		{"-", `~is geen geldige duur`},
		{strings.Repeat("9", 50), `~is geen geldige duur`},
		{"0", MsgDurationZero},
		{"0:00", MsgDurationZero},
		{"0,0", MsgDurationZero},
		{"0u", MsgDurationZero},
		{"0m", MsgDurationZero},
		{"-30", MsgDurationNegative},
		{"-1:30", MsgDurationNegative},
		{"- 1,5", MsgDurationNegative},
		{"1441", MsgDurationTooLong},
		{"24:01", MsgDurationTooLong},
		{"25u", MsgDurationTooLong},
		{"24,5", MsgDurationTooLong},
		{"99999999999999", MsgDurationTooLong},
		{"1:60", MsgDurationMinutes},
		{"1:5", MsgDurationMinutes},
		{"1u75", MsgDurationMinutes},
		{"1,33", "1,33 uur is 79,8 minuten; boek hele minuten, bijvoorbeeld 1:20."},
		{"1.33", "1,33 uur is 79,8 minuten; boek hele minuten, bijvoorbeeld 1:20."},
		{"0,1234", "0,1234 uur is ca. 7,4 minuten; boek hele minuten, bijvoorbeeld 0:07."},
		{"0,025", "0,025 uur is 1,5 minuten; boek hele minuten, bijvoorbeeld 0:02."},
		{"0,001", MsgDurationTooSmall},
	}
	for _, tc := range bad {
		got, msg := ParseDuration(tc.in)
		if got != 0 {
			t.Errorf("ParseDuration(%q) minutes = %d, want 0", tc.in, got)
		}
		if frag, isFrag := strings.CutPrefix(tc.want, "~"); isFrag {
			if !strings.Contains(msg, frag) {
				t.Errorf("ParseDuration(%q) msg = %q, want it to contain %q", tc.in, msg, frag)
			}
		} else if msg != tc.want {
			t.Errorf("ParseDuration(%q) msg = %q, want %q", tc.in, msg, tc.want)
		}
	}
}

func TestFormatMinutes(t *testing.T) {
	for _, tc := range []struct {
		in   int
		want string
	}{
		{0, "0:00"}, {5, "0:05"}, {59, "0:59"}, {60, "1:00"}, {90, "1:30"},
		{480, "8:00"}, {1440, "24:00"}, {6001, "100:01"}, {-90, "-1:30"},
	} {
		if got := FormatMinutes(tc.in); got != tc.want {
			t.Errorf("FormatMinutes(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseFormatRoundTrip(t *testing.T) {
	for m := 1; m <= MaxEntryMinutes; m++ {
		got, msg := ParseDuration(FormatMinutes(m))
		if msg != "" || got != m {
			t.Fatalf("round trip %d via %q = %d, %q", m, FormatMinutes(m), got, msg)
		}
	}
}
