package support

import (
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		used, allowance, minutes int
		wantFree, wantBillable   int
	}{
		{"boundary crossing", 470, 480, 30, 10, 20},
		{"fully free", 0, 480, 90, 90, 0},
		{"exactly fills allowance", 390, 480, 90, 90, 0},
		{"starts at boundary", 480, 480, 30, 0, 30},
		{"allowance exhausted", 600, 480, 15, 0, 15},
		{"zero allowance", 0, 0, 45, 0, 45},
		{"raised allowance", 480, 600, 200, 120, 80},
		{"negative used treated as 0", -10, 480, 30, 30, 0},
		{"zero minutes", 100, 480, 0, 0, 0},
		{"negative minutes", 100, 480, -5, 0, 0},
	} {
		free, billable := Split(tc.used, tc.allowance, tc.minutes)
		if free != tc.wantFree || billable != tc.wantBillable {
			t.Errorf("%s: Split(%d, %d, %d) = %d, %d; want %d, %d", tc.name, tc.used, tc.allowance, tc.minutes, free, billable, tc.wantFree, tc.wantBillable)
		}
	}
}

func TestLineAmount(t *testing.T) {
	for _, tc := range []struct {
		minutes int
		want    Cents
	}{
		{0, 0},
		{1, 167}, // 166,67
		{2, 333}, // 333,33
		{3, 500},
		{7, 1167},  // 1166,67
		{20, 3333}, // 3333,33
		{30, 5000},
		{60, 10000},
		{61, 10167},
		{90, 15000},
		{480, 80000},
		{1440, 240000},
	} {
		if got := LineAmount(tc.minutes); got != tc.want {
			t.Errorf("LineAmount(%d) = %d, want %d", tc.minutes, got, tc.want)
		}
	}
}

func TestVAT(t *testing.T) {
	for _, tc := range []struct {
		excl, want Cents
	}{
		{0, 0},
		{1, 0},    // 0,21
		{3, 1},    // 0,63
		{50, 11},  // 10,5 → half up
		{150, 32}, // 31,5 → half up
		{10000, 2100},
		{43179, 9068}, // 9067,59
		{-50, -11},    // credits round symmetrically
		{-10000, -2100},
	} {
		if got := VAT(tc.excl); got != tc.want {
			t.Errorf("VAT(%d) = %d, want %d", tc.excl, got, tc.want)
		}
	}
}

func TestDivRoundHalfUp(t *testing.T) {
	for _, tc := range []struct{ n, d, want int64 }{
		{0, 60, 0}, {29, 60, 0}, {30, 60, 1}, {89, 60, 1}, {90, 60, 2},
		{-29, 60, 0}, {-30, 60, -1}, {-90, 60, -2}, {5, 10, 1}, {4, 10, 0},
	} {
		if got := divRoundHalfUp(tc.n, tc.d); got != tc.want {
			t.Errorf("divRoundHalfUp(%d, %d) = %d, want %d", tc.n, tc.d, got, tc.want)
		}
	}
}

// TestRoundingOverManySmallEntries pins the documented rule: each line is
// rounded half up to cents, the total excl. VAT is the sum of the rounded
// lines (not the exact amount of all minutes), and VAT is computed once
// over that total.
func TestRoundingOverManySmallEntries(t *testing.T) {
	var entries []Entry
	for i := range 37 {
		entries = append(entries, Entry{ID: int64(i + 1), Date: day(2026, time.March, 1+i%28), Minutes: 7, Description: "kort", Category: CategoryIntegration})
	}
	alloc := Allocate(DefaultAllowance, DefaultAllowance, entries) // allowance already used up
	s := NewStatement("Leverancier", 2026, time.March, alloc)

	if len(s.Lines) != 37 || s.TotalMinutes != 259 || s.FreeMinutes != 0 {
		t.Fatalf("lines %d, minutes %d, free %d", len(s.Lines), s.TotalMinutes, s.FreeMinutes)
	}
	for _, l := range s.Lines {
		if l.Amount != 1167 {
			t.Fatalf("line %d amount %d, want 1167", l.EntryID, l.Amount)
		}
	}
	exact := LineAmount(259) // 43166,67 → 43167 if all minutes were priced at once
	if exact != 43167 {
		t.Fatalf("exact = %d", exact)
	}
	if s.TotalExcl != 43179 {
		t.Errorf("TotalExcl = %d, want sum of rounded lines 43179 (not exact %d)", s.TotalExcl, exact)
	}
	if s.TotalExcl-exact != 12 {
		t.Errorf("line rounding drift = %d cents, want 12", s.TotalExcl-exact)
	}
	if perLineVAT := 37 * VAT(1167); perLineVAT != 9065 || s.TotalVAT == perLineVAT {
		t.Errorf("VAT must be computed once over the total, not per line (per line %d, got %d)", perLineVAT, s.TotalVAT)
	}
	if s.TotalVAT != 9068 || s.TotalIncl != 52247 {
		t.Errorf("VAT %d, incl %d; want 9068, 52247", s.TotalVAT, s.TotalIncl)
	}
}

func TestAllocate(t *testing.T) {
	type want struct {
		id             int64
		free, billable int
	}
	for _, tc := range []struct {
		name      string
		allowance int
		previous  int
		entries   []Entry
		want      []want
	}{
		{
			name:      "out of order input, boundary split",
			allowance: 480,
			previous:  400,
			entries: []Entry{
				{ID: 3, Date: day(2026, 3, 20), Minutes: 60},
				{ID: 1, Date: day(2026, 3, 5), Minutes: 50},
				{ID: 2, Date: day(2026, 3, 5), Minutes: 45}, // same day, higher id: after id 1
				{ID: 4, Date: day(2026, 3, 1), Minutes: 20},
			},
			want: []want{{4, 20, 0}, {1, 50, 0}, {2, 10, 35}, {3, 0, 60}},
		},
		{
			name:      "same day ordered by id regardless of time of day",
			allowance: 480,
			previous:  470,
			entries: []Entry{
				{ID: 9, Date: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), Minutes: 30},
				{ID: 7, Date: time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC), Minutes: 30},
			},
			want: []want{{7, 10, 20}, {9, 0, 30}},
		},
		{
			name:      "all free",
			allowance: 480,
			entries:   []Entry{{ID: 1, Date: day(2026, 1, 5), Minutes: 240}, {ID: 2, Date: day(2026, 1, 6), Minutes: 240}},
			want:      []want{{1, 240, 0}, {2, 240, 0}},
		},
		{
			name:      "previous exceeds allowance",
			allowance: 480,
			previous:  500,
			entries:   []Entry{{ID: 1, Date: day(2026, 1, 5), Minutes: 15}},
			want:      []want{{1, 0, 15}},
		},
		{
			name:      "overwrites stale allocation",
			allowance: 60,
			entries:   []Entry{{ID: 1, Date: day(2026, 1, 5), Minutes: 90, FreeMinutes: 90}},
			want:      []want{{1, 60, 30}},
		},
		{name: "empty", allowance: 480, entries: nil, want: nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]Entry(nil), tc.entries...)
			got := Allocate(tc.allowance, tc.previous, tc.entries)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d entries, want %d", len(got), len(tc.want))
			}
			free := 0
			for i, w := range tc.want {
				g := got[i]
				if g.ID != w.id || g.FreeMinutes != w.free || g.BillableMinutes != w.billable {
					t.Errorf("entry %d = id %d free %d billable %d; want %+v", i, g.ID, g.FreeMinutes, g.BillableMinutes, w)
				}
				if g.FreeMinutes+g.BillableMinutes != g.Minutes {
					t.Errorf("entry %d: free+billable != minutes", g.ID)
				}
				free += g.FreeMinutes
			}
			if tc.previous+free > max(tc.allowance, tc.previous) {
				t.Errorf("free minutes %d + previous %d exceed allowance %d", free, tc.previous, tc.allowance)
			}
			for i := range in {
				if in[i] != tc.entries[i] {
					t.Errorf("input modified at %d", i)
				}
			}
		})
	}
}

func TestNewStatement(t *testing.T) {
	entries := Allocate(DefaultAllowance, 0, []Entry{
		{ID: 1, Date: day(2026, 2, 27), Minutes: 400, Description: "februari", Category: CategoryOnboarding},
		{ID: 4, Date: day(2026, 3, 10), Minutes: 45, Description: "webhooks", Category: CategoryIntegration},
		{ID: 2, Date: day(2026, 3, 2), Minutes: 90, Description: "grens", Category: CategoryIntegration},
		{ID: 3, Date: day(2026, 3, 5), Minutes: 1, Description: "telefoontje", Category: CategoryOther},
		{ID: 5, Date: day(2026, 4, 1), Minutes: 60, Description: "april", Category: CategoryOther},
	})
	s := NewStatement("Fietsen BV", 2026, time.March, entries)
	wantLines := []Line{
		{EntryID: 2, Date: day(2026, 3, 2), Description: "grens", Category: CategoryIntegration, Minutes: 10, Amount: 1667},
		{EntryID: 3, Date: day(2026, 3, 5), Description: "telefoontje", Category: CategoryOther, Minutes: 1, Amount: 167},
		{EntryID: 4, Date: day(2026, 3, 10), Description: "webhooks", Category: CategoryIntegration, Minutes: 45, Amount: 7500},
	}
	if len(s.Lines) != len(wantLines) {
		t.Fatalf("lines = %+v", s.Lines)
	}
	for i := range wantLines {
		if s.Lines[i] != wantLines[i] {
			t.Errorf("line %d = %+v, want %+v", i, s.Lines[i], wantLines[i])
		}
	}
	if s.FreeMinutes != 80 || s.TotalMinutes != 56 || s.TotalExcl != 9334 || s.TotalVAT != 1960 || s.TotalIncl != 11294 {
		t.Errorf("totals = free %d, minutes %d, excl %d, vat %d, incl %d", s.FreeMinutes, s.TotalMinutes, s.TotalExcl, s.TotalVAT, s.TotalIncl)
	}
	if empty := NewStatement("X", 2026, time.January, entries); len(empty.Lines) != 0 || empty.TotalIncl != 0 {
		t.Errorf("empty month = %+v", empty)
	}
}

func TestCategory(t *testing.T) {
	for _, tc := range []struct {
		c     Category
		label string
		valid bool
	}{
		{CategoryOnboarding, "Onboarding", true},
		{CategoryIntegration, "Integratie", true},
		{CategoryIntegrationTest, "Integratietest", true},
		{CategoryOther, "Overig", true},
		{"nonsense", "nonsense", false},
	} {
		if tc.c.Label() != tc.label || tc.c.Valid() != tc.valid {
			t.Errorf("%q: label %q valid %v", tc.c, tc.c.Label(), tc.c.Valid())
		}
	}
}
