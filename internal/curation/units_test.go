package curation_test

import (
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/curation"
	"github.com/wujw/ohis/internal/store"
)

func TestParseEuros(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"12": 1200, "12,5": 1250, "12,50": 1250, "€ 12,50": 1250, "1.234,56": 123456, "12.50": 1250, "1.234": 123400,
		",99": 99, " 0 ": 0, "10000000": 1_000_000_000,
	} {
		if got, err := curation.ParseEuros(in); err != nil || got != want {
			t.Errorf("ParseEuros(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "-5", "1,234", "12,5,0", "1e3", "10000001", "99999999999999999999", "€"} {
		if got, err := curation.ParseEuros(in); err == nil {
			t.Errorf("ParseEuros(%q) = %d, want an error", in, got)
		}
	}
}

func TestSlugify(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Slimme thermostaten & meters": "slimme-thermostaten-meters",
		"Zonne-energie":                "zonne-energie",
		"  Één  café ":                 "een-cafe",
		"LED / Halogeen 2025":          "led-halogeen-2025",
		"!!!":                          "",
	} {
		if got := curation.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSafeHTML(t *testing.T) {
	t.Parallel()
	in := `<p style="color:red" onclick="x()">Goed <b>isolerend</b></p><script>alert(1)</script>` +
		`<img src="https://shop.example/a.jpg" onerror="x()"><a href="javascript:alert(1)">klik</a>` +
		`<a href="https://shop.example/info">meer</a><iframe src="https://evil.example"></iframe><style>p{}</style>`
	out := curation.SafeHTML(in)
	for _, bad := range []string{"style", "onclick", "onerror", "<script", "alert", "javascript:", "<iframe", "evil.example"} {
		if strings.Contains(out, bad) {
			t.Errorf("sanitised HTML still contains %q: %s", bad, out)
		}
	}
	for _, good := range []string{"<b>isolerend</b>", `src="https://shop.example/a.jpg"`, `href="https://shop.example/info"`, "nofollow"} {
		if !strings.Contains(out, good) {
			t.Errorf("sanitised HTML lost %q: %s", good, out)
		}
	}
}

func TestCompareSnapshots(t *testing.T) {
	t.Parallel()
	p := func(c int64) *int64 { return &c }
	base := store.CurationSnapshot{Name: "A", PriceCents: p(1000), CategoryIDs: []string{"1"}}
	for name, tc := range map[string]struct {
		cur  store.CurationSnapshot
		want []curation.ChangeKind
	}{
		"same":                  {base, nil},
		"price appears":         {store.CurationSnapshot{Name: "A", PriceCents: p(1000), CategoryIDs: []string{"1"}}, nil},
		"price removed":         {store.CurationSnapshot{Name: "A", CategoryIDs: []string{"1"}}, nil},
		"price +10 %":           {store.CurationSnapshot{Name: "A", PriceCents: p(1100), CategoryIDs: []string{"1"}}, nil},
		"price +10.01 %":        {store.CurationSnapshot{Name: "A", PriceCents: p(1101), CategoryIDs: []string{"1"}}, []curation.ChangeKind{curation.ChangePrice}},
		"name and category":     {store.CurationSnapshot{Name: "B", PriceCents: p(1000), CategoryIDs: []string{"2"}}, []curation.ChangeKind{curation.ChangeName, curation.ChangeCategories}},
		"became variable":       {store.CurationSnapshot{Name: "A", PriceCents: p(1000), CategoryIDs: []string{"1"}, Variants: []store.SnapshotVariant{{ExternalID: "v"}}}, []curation.ChangeKind{curation.ChangeVariantAdded}},
		"duplicate category id": {store.CurationSnapshot{Name: "A", PriceCents: p(1000), CategoryIDs: []string{"1", "1"}}, nil},
	} {
		var got []curation.ChangeKind
		for _, c := range curation.Compare(base, tc.cur, 10) {
			got = append(got, c.Kind)
		}
		if strings.Join(kinds(got), ",") != strings.Join(kinds(tc.want), ",") {
			t.Errorf("%s: %v, want %v", name, got, tc.want)
		}
	}
	// A product approved without a price counts a new price as a rise.
	free := store.CurationSnapshot{Name: "A"}
	if got := curation.Compare(free, store.CurationSnapshot{Name: "A", PriceCents: p(1)}, 10); len(got) != 1 || got[0].Kind != curation.ChangePrice {
		t.Errorf("price from none: %v", got)
	}
}

func kinds(ks []curation.ChangeKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}
