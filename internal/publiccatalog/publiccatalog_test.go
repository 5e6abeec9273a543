package publiccatalog_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/publiccatalog"
)

func TestParseEuros(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"25": 2500, "12,50": 1250, "12.50": 1250, "12,5": 1250, "1.234,56": 123456, "1,234.56": 123456, "€ 7": 700,
		"€7,05": 705, "0": 0, "1.000": 100000, "1000000": 100000000, ",5": 50,
	} {
		got, ok := publiccatalog.ParseEuros(in)
		if !ok || got != want {
			t.Errorf("ParseEuros(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "abc", "-5", "1e3", "12,345,67x", "1000001", "99999999999999999999", "€", "12 50", "0x10"} {
		if got, ok := publiccatalog.ParseEuros(in); ok {
			t.Errorf("ParseEuros(%q) = %d, want refused", in, got)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	q, problems := publiccatalog.Parse(url.Values{
		"q": {"  led\x00lamp\t e27 "}, "merk": {"Philips", "philips", "OSRAM", ""}, "min": {"50"}, "max": {"10,5"},
		"sort": {"prijs-aflopend"}, "pagina": {"3"},
	})
	if q.Search != "led lamp e27" {
		t.Errorf("search %q", q.Search)
	}
	if !slices.Equal(q.Brands, []string{"philips", "osram"}) {
		t.Errorf("brands %q", q.Brands)
	}
	if q.MinCents == nil || *q.MinCents != 1050 || q.MaxCents == nil || *q.MaxCents != 5000 {
		t.Errorf("price range not swapped into order: %v %v", q.MinCents, q.MaxCents)
	}
	if q.Sort != publiccatalog.SortPriceDesc || q.Page != 3 || q.Offset() != 2*publiccatalog.PageSize || len(problems) != 0 {
		t.Errorf("sort %q page %d offset %d problems %v", q.Sort, q.Page, q.Offset(), problems)
	}
	round, _ := publiccatalog.Parse(q.Values())
	if round.Search != q.Search || !slices.Equal(round.Brands, q.Brands) || *round.MinCents != 1050 || round.Sort != q.Sort || round.Page != 3 {
		t.Errorf("Values does not round-trip: %v", q.Values())
	}

	q, problems = publiccatalog.Parse(url.Values{"sort": {"id; DROP TABLE products"}, "pagina": {"999999"}, "min": {"veel"}})
	if q.Sort != publiccatalog.SortRelevance || q.Page != publiccatalog.MaxPage || q.MinCents != nil || len(problems) != 2 {
		t.Errorf("bad input: sort %q page %d min %v problems %v", q.Sort, q.Page, q.MinCents, problems)
	}
	for _, p := range problems {
		if p.Message == "" || strings.Contains(p.Message, "error") {
			t.Errorf("problem without a Dutch message: %+v", p)
		}
	}
	if q, problems = publiccatalog.Parse(url.Values{"pagina": {"-1"}}); q.Page != 1 || len(problems) != 1 {
		t.Errorf("negative page: %d %v", q.Page, problems)
	}
	many := url.Values{}
	for i := range 100 {
		many.Add("merk", strings.Repeat("x", i+1))
	}
	if q, _ := publiccatalog.Parse(many); len(q.Brands) != publiccatalog.MaxBrands {
		t.Errorf("%d brands kept, want at most %d", len(q.Brands), publiccatalog.MaxBrands)
	}
}

func TestCleanSearch(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 10_000)
	for in, want := range map[string]string{
		`"ledlamp" -dimbaar`:        `"ledlamp" -dimbaar`,
		`100% _wol_ \ back\\slash`:  `100% _wol_ \ back\\slash`,
		"'; DROP TABLE products;--": "'; DROP TABLE products;--",
		"a\u200bb\u0000c\r\nd":      "a b c d",
		"\xff\xfeled":               "led",
		"   ":                       "",
	} {
		if got := publiccatalog.CleanSearch(in); got != want {
			t.Errorf("CleanSearch(%q) = %q, want %q", in, got, want)
		}
	}
	got := publiccatalog.CleanSearch(long)
	if utf8.RuneCountInString(got) != publiccatalog.MaxQueryRunes || !utf8.ValidString(got) {
		t.Errorf("a 10,000-character search becomes %d characters (valid %v)", utf8.RuneCountInString(got), utf8.ValidString(got))
	}
}

func TestSlugAndProductRef(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Philips Ledlamp E27 8,5 W warmwit": "philips-ledlamp-e27-8-5-w-warmwit",
		"Radiatorfolie 5 m² — reflecterend": "radiatorfolie-5-m2-reflecterend",
		"Crème brûlée & Ĳsselmeer":          "creme-brulee-ijsselmeer",
		"!!!":                               "product",
		strings.Repeat("isolatie ", 30):     "isolatie-isolatie-isolatie-isolatie-isolatie-isolatie-isolatie-isolatie",
	} {
		got := publiccatalog.Slug(in)
		if got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
		if len(got) > 80 || strings.HasPrefix(got, "-") || strings.HasSuffix(got, "-") || strings.Contains(got, "--") {
			t.Errorf("Slug(%q) = %q is not a clean slug", in, got)
		}
	}
	if p := publiccatalog.ProductPath(42, "Tochtstrip 6 m"); p != "/catalogus/product/42-tochtstrip-6-m" {
		t.Errorf("ProductPath: %s", p)
	}
	for ref, want := range map[string]int64{"42-tochtstrip-6-m": 42, "42": 42, "42-": 42, "0042-x": 42} {
		if id, ok := publiccatalog.ParseProductRef(ref); !ok || id != want {
			t.Errorf("ParseProductRef(%q) = %d, %v", ref, id, ok)
		}
	}
	for _, ref := range []string{"", "-42", "tochtstrip", "0", "42x-a", "99999999999999999999-a", "4 2"} {
		if id, ok := publiccatalog.ParseProductRef(ref); ok {
			t.Errorf("ParseProductRef(%q) = %d, want refused", ref, id)
		}
	}
}

func TestSafeHTML(t *testing.T) {
	t.Parallel()
	in := `<p style="color:red" onclick="alert(1)">Zuinig <strong>en</strong> <a href="https://shop.example/x" style="x">stil</a></p>` +
		`<script>alert("x")</script><img src="https://shop.example/a.jpg" onerror="alert(1)"><iframe src="https://evil.example"></iframe>` +
		`<h1>Kop</h1><ul><li>Een</li></ul><a href="javascript:alert(1)">klik</a><table><tr><td colspan="2">cel</td></tr></table>`
	got := publiccatalog.SafeHTML(in)
	for _, bad := range []string{"style", "onclick", "onerror", "<script", "alert(", "<img", "<iframe", "javascript:", "<h1"} {
		if strings.Contains(got, bad) {
			t.Errorf("SafeHTML kept %q: %s", bad, got)
		}
	}
	for _, good := range []string{"<strong>en</strong>", `href="https://shop.example/x"`, `rel="nofollow noreferrer noopener"`, "<li>Een</li>", "Kop", `colspan="2"`} {
		if !strings.Contains(got, good) {
			t.Errorf("SafeHTML lost %q: %s", good, got)
		}
	}
}

func TestMoney(t *testing.T) {
	t.Parallel()
	for cents, want := range map[int64]string{0: "€ 0,00", 5: "€ 0,05", 123456: "€ 1.234,56", 100000000: "€ 1.000.000,00", -250: "-€ 2,50"} {
		if got := publiccatalog.Euros(cents); got != want {
			t.Errorf("Euros(%d) = %q, want %q", cents, got, want)
		}
	}
	for cents, want := range map[int64]string{2500: "25", 1250: "12,50", 1205: "12,05"} {
		if got := publiccatalog.EurosInput(cents); got != want {
			t.Errorf("EurosInput(%d) = %q, want %q", cents, got, want)
		}
	}
	if got := publiccatalog.Number(1234567); got != "1.234.567" {
		t.Errorf("Number: %s", got)
	}
}

func TestTree(t *testing.T) {
	t.Parallel()
	id := func(n int64) *int64 { return &n }
	tree := publiccatalog.NewTree([]publiccatalog.Node{
		{ID: 1, Name: "Isolatie", Slug: "isolatie"},
		{ID: 2, ParentID: id(1), Name: "Tochtwering", Slug: "tochtwering"},
		{ID: 3, ParentID: id(2), Name: "Tochtstrips", Slug: "tochtstrips"},
		{ID: 4, Name: "Verlichting", Slug: "verlichting"},
		{ID: 5, ParentID: id(99), Name: "Wees", Slug: "wees"},
		{ID: 6, ParentID: id(7), Name: "Kring A", Slug: "kring-a"},
		{ID: 7, ParentID: id(6), Name: "Kring B", Slug: "kring-b"},
	})
	if got := tree.BySlug("isolatie").Subtree(); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("subtree of isolatie: %v", got)
	}
	var path []string
	for _, c := range tree.BySlug("tochtstrips").Path() {
		path = append(path, c.Slug)
	}
	if strings.Join(path, "/") != "isolatie/tochtwering/tochtstrips" {
		t.Errorf("path: %v", path)
	}
	tree.SetCounts(map[int64]int{1: 1, 2: 10, 3: 100, 4: 7})
	if c := tree.BySlug("isolatie").Count; c != 111 {
		t.Errorf("isolatie counts %d, want 111 (itself and its descendants)", c)
	}
	// Every category appears exactly once, however damaged the tree.
	seen := map[int64]int{}
	var walk func(cs []*publiccatalog.Category)
	walk = func(cs []*publiccatalog.Category) {
		for _, c := range cs {
			seen[c.ID]++
			walk(c.Children)
		}
	}
	walk(tree.Roots)
	for i := int64(1); i <= 7; i++ {
		if seen[i] != 1 {
			t.Errorf("category %d appears %d times", i, seen[i])
		}
	}
}
