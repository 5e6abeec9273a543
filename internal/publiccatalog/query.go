// Package publiccatalog is the residents' catalogue: what they may ask for
// (category, brands, price range, search text, sort order, page), read from
// the URL and made safe; the platform category tree with its counts; clean
// product URLs; and shop HTML made fit to show.
//
// Which products residents see is decided in exactly one place, the
// visible_products view (package visibility documents it); this package
// and the store's PublicCatalog* methods only ever read through it.
package publiccatalog

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sort is a whitelisted order of a product list.
type Sort string

// The sort orders residents can choose.
const (
	SortRelevance Sort = "relevantie" // search rank; without search text the newest first
	SortPriceAsc  Sort = "prijs-oplopend"
	SortPriceDesc Sort = "prijs-aflopend"
	SortName      Sort = "naam"
	SortNew       Sort = "nieuw"
)

// Sorts lists the orders with their Dutch labels, in menu order.
var Sorts = []struct {
	Key   Sort
	Label string
}{
	{SortRelevance, "Relevantie"},
	{SortNew, "Nieuwste eerst"},
	{SortPriceAsc, "Prijs oplopend"},
	{SortPriceDesc, "Prijs aflopend"},
	{SortName, "Naam (A–Z)"},
}

// ParseSort returns the sort order named s, or the relevance order for
// anything else.
func ParseSort(s string) Sort {
	for _, o := range Sorts {
		if string(o.Key) == s {
			return o.Key
		}
	}
	return SortRelevance
}

const (
	// PageSize is how many products a page shows.
	PageSize = 24
	// MaxPage bounds pagination: deeper than this residents refine their
	// filters instead (and no request can ask for an unbounded offset).
	MaxPage = 200
	// MaxQueryRunes caps a search text; longer input is cut, not refused.
	MaxQueryRunes = 100
	// MaxBrands caps the brands one request filters on.
	MaxBrands = 20
	// maxEuros bounds a price filter (one million euros).
	maxEuros = 1_000_000
)

// Query is one request for a list of visible products. Zero values mean
// "any".
type Query struct {
	// CategoryIDs are the platform category and its descendants; nil for
	// all products.
	CategoryIDs []int64
	// Brands are brand names in lower case; a product matches any of them.
	Brands []string
	// MinCents and MaxCents bound the price a resident pays at least.
	MinCents, MaxCents *int64
	// Search is cleaned text (CleanSearch); "" for none.
	Search string
	Sort   Sort
	// Page counts from 1 and is at most MaxPage.
	Page int
}

// Offset is the number of products before the page.
func (q Query) Offset() int { return (q.Page - 1) * PageSize }

// Problem is a Dutch explanation of a filter value that was ignored.
type Problem struct {
	Field, Message string
}

// Parse reads a product list request from URL query values: q, merk
// (repeated), min and max (euros, Dutch or plain notation), sort and
// pagina. Nothing in it can fail the request: invalid values are ignored
// with a Dutch note on what was wrong.
func Parse(v url.Values) (Query, []Problem) {
	q := Query{Search: CleanSearch(v.Get("q")), Sort: ParseSort(v.Get("sort")), Page: 1}
	var problems []Problem
	seen := map[string]bool{}
	for _, b := range v["merk"] {
		b = strings.ToLower(CleanSearch(b))
		if b != "" && !seen[b] && len(q.Brands) < MaxBrands {
			seen[b] = true
			q.Brands = append(q.Brands, b)
		}
	}
	for _, f := range []struct {
		name string
		dst  **int64
	}{{"min", &q.MinCents}, {"max", &q.MaxCents}} {
		raw := strings.TrimSpace(v.Get(f.name))
		if raw == "" {
			continue
		}
		cents, ok := ParseEuros(raw)
		if !ok {
			problems = append(problems, Problem{f.name, "Vul een bedrag in euro's in, bijvoorbeeld 25 of 12,50."})
			continue
		}
		*f.dst = &cents
	}
	if q.MinCents != nil && q.MaxCents != nil && *q.MinCents > *q.MaxCents {
		q.MinCents, q.MaxCents = q.MaxCents, q.MinCents
	}
	if p := strings.TrimSpace(v.Get("pagina")); p != "" {
		n, err := strconv.Atoi(p)
		switch {
		case err != nil || n < 1:
			problems = append(problems, Problem{"pagina", "Dat paginanummer bestaat niet; u ziet de eerste pagina."})
		case n > MaxPage:
			q.Page = MaxPage
			problems = append(problems, Problem{"pagina", "Zo ver kunt u niet bladeren; verfijn uw zoekopdracht met de filters."})
		default:
			q.Page = n
		}
	}
	return q, problems
}

// ParseEuros reads a non-negative amount in euros as residents type it:
// "25", "12,50", "12.50", "1.234,56", "€ 7". At most a million euros.
func ParseEuros(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	if s == "" || len(s) > 16 {
		return 0, false
	}
	whole, frac := s, ""
	if i := strings.LastIndexAny(s, ",."); i >= 0 && len(s)-i-1 <= 2 && len(s)-i-1 > 0 {
		whole, frac = s[:i], s[i+1:]
	}
	whole = strings.ReplaceAll(strings.ReplaceAll(whole, ".", ""), ",", "")
	if whole == "" {
		whole = "0"
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	euros, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || euros > maxEuros {
		return 0, false
	}
	cents := int64(0)
	if frac != "" {
		c, _ := strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			c *= 10
		}
		cents = c
	}
	return euros*100 + cents, true
}

// CleanSearch makes any typed text a safe, bounded search string: valid
// UTF-8, no control or format characters (PostgreSQL refuses NUL), single
// spaces, at most MaxQueryRunes characters. Quotes, %, _ and backslashes
// stay: the store passes the text as a parameter and escapes it for LIKE.
func CleanSearch(s string) string {
	if len(s) > 4*MaxQueryRunes*4 {
		s = s[:4*MaxQueryRunes*4] // don't walk megabytes of input
	}
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > MaxQueryRunes {
		s = strings.TrimSpace(string([]rune(s)[:MaxQueryRunes]))
	}
	return s
}

// Values is the URL query of q, for links to other pages and orders of
// the same list: only what differs from the defaults.
func (q Query) Values() url.Values {
	v := url.Values{}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	for _, b := range q.Brands {
		v.Add("merk", b)
	}
	if q.MinCents != nil {
		v.Set("min", EurosInput(*q.MinCents))
	}
	if q.MaxCents != nil {
		v.Set("max", EurosInput(*q.MaxCents))
	}
	if q.Sort != SortRelevance && q.Sort != "" {
		v.Set("sort", string(q.Sort))
	}
	if q.Page > 1 {
		v.Set("pagina", strconv.Itoa(q.Page))
	}
	return v
}

// EurosInput renders cents for a price input: "25" or "12,50".
func EurosInput(cents int64) string {
	if cents%100 == 0 {
		return strconv.FormatInt(cents/100, 10)
	}
	c := cents % 100
	return strconv.FormatInt(cents/100, 10) + "," + string(rune('0'+c/10)) + string(rune('0'+c%10))
}
