// Package catalogue renders the residents' public catalogue: its own shell
// (no portal menu), the category overview, product lists (category and
// search) and product pages. View models are plain strings, formatted by
// the portal.
package catalogue

// Shell is the frame of every catalogue page.
type Shell struct {
	Title string // without the site name
	// Nav is the top level of the category tree.
	Nav []Link
	// Search is the text in the header's search box.
	Search string
}

// Link is a labelled address, optionally the current page.
type Link struct {
	Label   string
	Href    string
	Count   string // "" for none
	Current bool
}

// IndexView is /catalogus: the category tree with counts.
type IndexView struct {
	Total      string
	Categories []IndexCategory
}

// IndexCategory is a top-level category with its subcategories.
type IndexCategory struct {
	Link
	Children []Link
}

// ListView is a product list: a category page or search results.
type ListView struct {
	Crumbs  []Link
	Heading string
	Intro   string
	// Subcategories of a category page, with counts.
	Subcategories []Link
	Filters       Filters
	TotalN        int
	Total         string // "1.234 producten"
	Cards         []Card
	Pager         Pager
	// Empty explains an empty list.
	Empty string
	// NeedQuery: the search page without search text.
	NeedQuery bool
}

// Filters is the filter form of a list.
type Filters struct {
	Action    string
	Search    string
	HasSearch bool // the form carries the search text (search page)
	Brands    []BrandOption
	Min, Max  string
	Sorts     []SortOption
	Problems  []string
}

// BrandOption is a brand checkbox.
type BrandOption struct {
	ID, Value, Label, Count string
	Checked                 bool
}

// SortOption is an option of the sort menu.
type SortOption struct {
	Value, Label string
	Selected     bool
}

// Card is a product in a list.
type Card struct {
	Href, Name     string
	Price, Regular string // Regular: struck-through price on sale, "" otherwise
	From           bool   // variable product: "vanaf"
	Image, Alt     string
	Supplier       string
}

// Pager is the pagination of a list.
type Pager struct {
	Prev, Next string // "" when there is none
	Pages      []PageLink
	// Capped: there are more results than can be paged through.
	Capped bool
}

// PageLink is one page number, or a gap.
type PageLink struct {
	Number  string
	Href    string
	Current bool
	Gap     bool
}

// ProductView is a product page.
type ProductView struct {
	Crumbs       []Link
	Name         string
	Images       []Image
	Price        string
	Regular      string
	From         bool
	Availability Availability
	Supplier     string
	Brands       string
	SKU          string
	Short        string // sanitised HTML
	Description  string // sanitised HTML
	Variants     []VariantRow
}

// Image is a product image.
type Image struct {
	Src, Alt string
}

// Availability is an availability label with its kind (instock, backorder,
// soldout) for styling and tests.
type Availability struct {
	Kind, Label string
}

// VariantRow is one variant on a product page.
type VariantRow struct {
	Label        string
	SKU          string
	Price        string
	Regular      string
	Availability Availability
	Image        *Image
}
