package publiccatalog

import (
	"strconv"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// ProductPath is the canonical address of a product page:
// /catalogus/product/{id}-{slug of its name}.
func ProductPath(id int64, name string) string {
	return "/catalogus/product/" + strconv.FormatInt(id, 10) + "-" + Slug(name)
}

// ParseProductRef reads the id from the last segment of a product address
// ("123-ledlamp-e27" or "123"); ok is false when it does not start with an
// id.
func ParseProductRef(ref string) (id int64, ok bool) {
	digits, _, _ := strings.Cut(ref, "-")
	if digits == "" || len(digits) > 18 || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil && id > 0
}

// maxSlug bounds a slug; it is cut at a word boundary.
const maxSlug = 80

// transliterations turns letters residents type with accents into plain
// ones for URLs.
var transliterations = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'æ': "ae", 'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n", 'ò': "o", 'ó': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o", 'œ': "oe",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss", 'ĳ': "ij", '²': "2", '³': "3", '€': "euro",
}

// Slug makes a URL slug of a name: lower case ASCII letters and digits,
// words joined by single hyphens, at most 80 characters; "product" when
// nothing is left.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		var part string
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			part = string(r)
		default:
			part = transliterations[r]
		}
		if part == "" {
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			dash = false
		}
		b.WriteString(part)
	}
	s := b.String()
	if len(s) > maxSlug {
		s = s[:maxSlug]
		if i := strings.LastIndexByte(s, '-'); i > maxSlug/2 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	if s == "" {
		return "product"
	}
	return s
}

// descriptionPolicy keeps the formatting of a shop's description and
// nothing else: no scripts, event handlers, styles (the CSP forbids inline
// styles), images (shop images are shown from the product's own list),
// forms or frames; links open outside with rel="nofollow noopener
// noreferrer".
var descriptionPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowStandardURLs()
	p.AllowAttrs("href").OnElements("a")
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowElements("p", "br", "hr", "ul", "ol", "li", "dl", "dt", "dd", "strong", "b", "em", "i", "u", "s", "sub", "sup",
		"small", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "span", "div")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Number).OnElements("td", "th")
	return p
})

// maxDescription bounds the shop HTML that is sanitised for one page.
const maxDescription = 256 << 10

// SafeHTML returns a shop's description HTML fit to show to residents.
// Never render shop HTML without it.
func SafeHTML(shopHTML string) string {
	if len(shopHTML) > maxDescription {
		shopHTML = shopHTML[:maxDescription]
	}
	return strings.TrimSpace(descriptionPolicy().Sanitize(shopHTML))
}

// Euros formats cents the Dutch way: "€ 1.234,56" (as support.FormatEUR,
// which this package cannot import: support depends on the store).
func Euros(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	c := cents % 100
	return sign + "€ " + Number(int(cents/100)) + "," + string(rune('0'+c/10)) + string(rune('0'+c%10))
}

// Number formats a count the Dutch way: "12.895".
func Number(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Number(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}
