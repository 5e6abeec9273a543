package support

import (
	"cmp"
	"slices"
	"time"
)

// Rounding rule for support statements (SPEC §2 rule 6, issue 6):
//
//   - each statement line's amount excl. VAT is its billable minutes times
//     the hourly rate divided by 60, rounded half up to whole cents
//     (LineAmount);
//   - the statement's total excl. VAT is the sum of the rounded line amounts;
//   - VAT is computed once, over that total, at VATPercent, rounded half up
//     to whole cents (VAT) — never per line;
//   - total incl. VAT = total excl. VAT + VAT.
//
// All arithmetic is in integers. "Half up" rounds an exact half cent away
// from zero, so that a credit (negative amount) rounds symmetrically with
// the corresponding charge.

// Category classifies a time entry.
type Category string

// Time entry categories.
const (
	CategoryOnboarding      Category = "onboarding"
	CategoryIntegration     Category = "integration"
	CategoryIntegrationTest Category = "integration_test"
	CategoryOther           Category = "other"
)

// Categories lists the valid categories in display order.
var Categories = []Category{CategoryOnboarding, CategoryIntegration, CategoryIntegrationTest, CategoryOther}

// Label is the Dutch label of the category; unknown values are shown as is.
func (c Category) Label() string {
	switch c {
	case CategoryOnboarding:
		return "Onboarding"
	case CategoryIntegration:
		return "Integratie"
	case CategoryIntegrationTest:
		return "Integratietest"
	case CategoryOther:
		return "Overig"
	}
	return string(c)
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Entry is one logged block of support time for a supplier. Date is a civil
// date (only its year, month and day in its own location are used).
// FreeMinutes and BillableMinutes are filled in by Allocate and always sum
// to Minutes after allocation.
type Entry struct {
	ID              int64
	Date            time.Time
	Minutes         int
	Description     string
	Category        Category
	FreeMinutes     int
	BillableMinutes int
}

// Split divides one entry of minutes into free and billable minutes, given
// that usedBefore free minutes of allowance were already used. An entry that
// crosses the allowance boundary is split: with 470 of 480 used, an entry
// of 30 gives 10 free and 20 billable. Non-positive minutes give (0, 0).
func Split(usedBefore, allowance, minutes int) (free, billable int) {
	if minutes <= 0 {
		return 0, 0
	}
	remaining := max(allowance-max(usedBefore, 0), 0)
	free = min(minutes, remaining)
	return free, minutes - free
}

// Allocate assigns free and billable minutes to entries in chronological
// order (date, then ID). previous is the allowance already used by entries
// not in the slice (e.g. earlier months). It returns a new, sorted slice;
// the input is not modified. The free minutes of previous plus the result
// never exceed allowance, and every entry's free+billable equals its
// minutes.
func Allocate(allowance int, previous int, entries []Entry) []Entry {
	out := slices.Clone(entries)
	slices.SortStableFunc(out, compareEntries)
	used := previous
	for i := range out {
		out[i].FreeMinutes, out[i].BillableMinutes = Split(used, allowance, out[i].Minutes)
		used += out[i].FreeMinutes
	}
	return out
}

func compareEntries(a, b Entry) int {
	if c := cmp.Compare(dayKey(a.Date), dayKey(b.Date)); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func dayKey(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// LineAmount is the amount excl. VAT for billableMinutes at RatePerHour:
// minutes × 10000 / 60 cents, rounded half up.
func LineAmount(billableMinutes int) Cents {
	return Cents(divRoundHalfUp(int64(billableMinutes)*int64(RatePerHour), 60))
}

// VAT is VATPercent of excl, rounded half up to whole cents.
func VAT(excl Cents) Cents {
	return Cents(divRoundHalfUp(int64(excl)*VATPercent, 100))
}

// divRoundHalfUp divides n by the positive d, rounding halves away from zero.
func divRoundHalfUp(n, d int64) int64 {
	if n < 0 {
		return -((-n*2 + d) / (2 * d))
	}
	return (n*2 + d) / (2 * d)
}

// Line is one billable line of a statement.
type Line struct {
	EntryID     int64
	Date        time.Time
	Description string
	Category    Category
	Minutes     int   // billable minutes
	Amount      Cents // excl. VAT, LineAmount(Minutes)
}

// Statement is a supplier's support statement for one calendar month.
type Statement struct {
	Supplier     string
	Year         int
	Month        time.Month
	Lines        []Line
	FreeMinutes  int   // free minutes used in the month
	TotalMinutes int   // billable minutes, sum of Lines[i].Minutes
	TotalExcl    Cents // sum of Lines[i].Amount
	TotalVAT     Cents // VAT(TotalExcl)
	TotalIncl    Cents // TotalExcl + TotalVAT
}

// NewStatement builds the statement for supplier in year/month from
// entries that were already allocated (see Allocate). Entries dated outside
// the month are ignored; each entry with billable minutes becomes one line,
// in chronological order (date, then ID). See the rounding rule at the top
// of this file.
func NewStatement(supplier string, year int, month time.Month, entries []Entry) Statement {
	s := Statement{Supplier: supplier, Year: year, Month: month}
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, compareEntries)
	for _, e := range sorted {
		if y, m, _ := e.Date.Date(); y != year || m != month {
			continue
		}
		s.FreeMinutes += e.FreeMinutes
		if e.BillableMinutes <= 0 {
			continue
		}
		l := Line{
			EntryID:     e.ID,
			Date:        e.Date,
			Description: e.Description,
			Category:    e.Category,
			Minutes:     e.BillableMinutes,
			Amount:      LineAmount(e.BillableMinutes),
		}
		s.Lines = append(s.Lines, l)
		s.TotalMinutes += l.Minutes
		s.TotalExcl += l.Amount
	}
	s.TotalVAT = VAT(s.TotalExcl)
	s.TotalIncl = s.TotalExcl + s.TotalVAT
	return s
}
