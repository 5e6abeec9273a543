// Package support holds the pure domain rules of the support desk: parsing
// and formatting durations, the support-hours allowance and billing
// (integer euro cents, never floats), monthly statements with their CSV
// export, and the Dutch working-day calendar used for question due dates
// (SPEC §2 rules 6 and 10, §3 "Support hours", "Working days", "Money").
package support

import (
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// MaxEntryMinutes is the longest duration one time entry may have: 24 hours.
const MaxEntryMinutes = 24 * 60

// Dutch messages returned by ParseDuration. Messages that depend on the
// input are built with fmt from the templates below.
const (
	MsgDurationEmpty    = "Vul een duur in, bijvoorbeeld 1:30, 1,5 of 90."
	MsgDurationNegative = "Een duur kan niet negatief zijn."
	MsgDurationZero     = "Een duur van 0 minuten kan niet worden geboekt."
	MsgDurationTooLong  = "Een duur van meer dan 24 uur kan niet in één boeking worden vastgelegd."
	MsgDurationTooSmall = "Een duur moet minstens 1 minuut zijn."
	MsgDurationMinutes  = "De minuten na de dubbele punt moeten tussen 00 en 59 liggen, bijvoorbeeld 1:30."
	msgUnparseable      = "%q is geen geldige duur. Gebruik bijvoorbeeld 1:30, 1,5, 90, 90m of 1u30."
	msgNotWhole         = "%s uur is %s minuten; boek hele minuten, bijvoorbeeld %s."
)

const maxDurationInput = 40

var (
	reClock   = regexp.MustCompile(`^(\d+):(\d+)$`)
	reDecimal = regexp.MustCompile(`^(\d+[.,]\d+|[.,]\d+) ?(u|uur|h)?$`)
	reHours   = regexp.MustCompile(`^(\d+) ?(?:u|uur|h)(?: ?(\d+) ?(?:m|min|mins|minuut|minuten)?)?$`)
	reMinutes = regexp.MustCompile(`^(\d+) ?(?:m|min|mins|minuut|minuten)?$`)
	reSpaces  = regexp.MustCompile(`\s+`)
)

// ParseDuration parses a duration typed by support staff and returns it in
// whole minutes. Accepted forms (surrounding spaces are ignored, case does
// not matter):
//
//	1:30         hours and minutes (minutes 00–59)
//	1,5  1.5     decimal hours; must come to a whole number of minutes
//	1,5u         decimal hours with a unit
//	90  90m  90 min  90 minuten   minutes
//	2u  2 uur  2h                 hours
//	1u30  1u 30m  1 uur 30 min    hours and minutes
//
// On failure minutes is 0 and msg is a specific Dutch message for the user;
// on success msg is "". Empty, unparseable, zero, negative, longer than 24
// hours and non-whole minutes (e.g. "1,33" = 79,8 minutes) are refused.
func ParseDuration(s string) (minutes int, msg string) {
	in := strings.TrimSpace(s)
	if in == "" {
		return 0, MsgDurationEmpty
	}
	if len(in) > maxDurationInput {
		return 0, fmt.Sprintf(msgUnparseable, truncate(in))
	}
	norm := reSpaces.ReplaceAllString(strings.ToLower(in), " ")
	if strings.HasPrefix(norm, "-") || strings.HasPrefix(norm, "−") {
		rest := strings.TrimLeft(norm, "-− ")
		if rest != "" && strings.ContainsAny(rest[:1], "0123456789.,") {
			return 0, MsgDurationNegative
		}
		return 0, fmt.Sprintf(msgUnparseable, in)
	}
	if strings.HasPrefix(norm, "+") {
		norm = strings.TrimSpace(norm[1:])
	}

	var total *big.Int // exact minutes when whole
	switch {
	case reClock.MatchString(norm):
		g := reClock.FindStringSubmatch(norm)
		if len(g[2]) != 2 {
			return 0, MsgDurationMinutes
		}
		h, ok1 := atoi(g[1])
		m, ok2 := atoi(g[2])
		if !ok1 || !ok2 {
			return 0, MsgDurationTooLong
		}
		if m > 59 {
			return 0, MsgDurationMinutes
		}
		total = big.NewInt(int64(h)*60 + int64(m))
	case reDecimal.MatchString(norm):
		g := reDecimal.FindStringSubmatch(norm)
		num := strings.Replace(g[1], ",", ".", 1)
		if strings.HasPrefix(num, ".") {
			num = "0" + num
		}
		hours, ok := new(big.Rat).SetString(num)
		if !ok {
			return 0, fmt.Sprintf(msgUnparseable, in)
		}
		mins := new(big.Rat).Mul(hours, big.NewRat(60, 1))
		if mins.Sign() == 0 {
			return 0, MsgDurationZero
		}
		if mins.Cmp(big.NewRat(MaxEntryMinutes, 1)) > 0 {
			return 0, MsgDurationTooLong
		}
		if !mins.IsInt() {
			// Round half up to suggest the nearest whole minute.
			half := new(big.Rat).Add(mins, big.NewRat(1, 2))
			suggest := new(big.Int).Quo(half.Num(), half.Denom())
			if suggest.Sign() == 0 {
				return 0, MsgDurationTooSmall
			}
			return 0, fmt.Sprintf(msgNotWhole, strings.Replace(g[1], ".", ",", 1), ratDutch(mins), FormatMinutes(int(suggest.Int64())))
		}
		total = mins.Num()
	case reHours.MatchString(norm):
		g := reHours.FindStringSubmatch(norm)
		h, ok := atoi(g[1])
		if !ok {
			return 0, MsgDurationTooLong
		}
		m := 0
		if g[2] != "" {
			if m, ok = atoi(g[2]); !ok || m > 59 {
				return 0, MsgDurationMinutes
			}
		}
		total = big.NewInt(int64(h)*60 + int64(m))
	case reMinutes.MatchString(norm):
		g := reMinutes.FindStringSubmatch(norm)
		m, ok := atoi(g[1])
		if !ok {
			return 0, MsgDurationTooLong
		}
		total = big.NewInt(int64(m))
	default:
		return 0, fmt.Sprintf(msgUnparseable, in)
	}
	switch {
	case total.Sign() == 0:
		return 0, MsgDurationZero
	case total.Cmp(big.NewInt(MaxEntryMinutes)) > 0:
		return 0, MsgDurationTooLong
	}
	return int(total.Int64()), ""
}

// FormatMinutes formats minutes as hours:minutes, e.g. 90 → "1:30",
// 5 → "0:05", -90 → "-1:30".
func FormatMinutes(m int) string {
	sign := ""
	u := uint64(m)
	if m < 0 {
		sign = "-"
		u = -u
	}
	return fmt.Sprintf("%s%d:%02d", sign, u/60, u%60)
}

// atoi parses a run of ASCII digits; ok is false when it does not fit in a
// day's worth of minutes many times over (values that large are "too long").
func atoi(s string) (int, bool) {
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return 0, true
	}
	if len(s) > 9 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// ratDutch renders r with at most two decimals and a decimal comma,
// prefixed with "ca. " when that is not exact.
func ratDutch(r *big.Rat) string {
	s := r.FloatString(2)
	exact := new(big.Rat)
	exact.SetString(s)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	s = strings.Replace(s, ".", ",", 1)
	if exact.Cmp(r) != 0 {
		return "ca. " + s
	}
	return s
}

func truncate(s string) string {
	r := []rune(s)
	if len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return s
}
