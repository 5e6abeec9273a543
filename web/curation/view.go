// Package curation renders the curators' pages: the queue of products to
// review with its filters and bulk decisions, a product's review page, bulk
// progress, settings and rejection reasons, and the platform categories
// with the mapping of supplier categories.
package curation

import (
	"strconv"

	"github.com/a-h/templ"

	"github.com/wujw/ohis/web/components"
)

// Option is a value and label of a select.
type Option struct {
	Value    string
	Label    string
	Selected bool
}

// QueueFilter is the filter form as typed (all strings, for redisplay).
type QueueFilter struct {
	Query            string
	Status           string
	Supplier         string
	Environment      string
	PlatformCategory string
	SupplierCategory string
	Brand            string
	PriceFrom        string
	PriceTo          string
	InStock          bool
	Since            string
	Sort             string
}

// QueueRow is one product in the queue.
type QueueRow struct {
	ID           int64
	Href         string
	Pick         string // "id:version", the bulk checkbox value
	Name         string
	SKU          string
	Supplier     string
	Environment  string
	Price        string
	Stock        string
	InStock      bool
	Category     string
	Status       string
	StatusLabel  string
	Summary      string // first line of why it is back, or the rejection reason
	Thumbnail    string
	Variable     bool
	UpdatedLabel string
}

// QueueView is the curator queue.
type QueueView struct {
	Filter             QueueFilter
	Statuses           []Option
	Suppliers          []Option
	Environments       []Option
	PlatformCategories []Option
	SupplierCategories []Option // only with a supplier chosen
	Brands             []string
	Sorts              []Option
	// FilterErrors are Dutch messages about filter values that were
	// ignored.
	FilterErrors []string
	Rows         []QueueRow
	Total        int
	TotalMore    bool // more than Total match
	NextHref     string
	FirstHref    string // set when not on the first page
	// Hidden is the current filter as hidden inputs for the bulk form.
	Hidden  []Hidden
	Reasons []Option
	// Back is this page's URL, for links to products and back.
	Back string
	// Waiting counts for the page header.
	Pending, Changed int
	// Bulks are recent bulk decisions still running.
	Running []BulkView
}

// Hidden is a hidden form input.
type Hidden struct{ Name, Value string }

// TotalLabel is "1 product", "1.234 producten" or "meer dan 10.000
// producten".
func (v QueueView) TotalLabel() string {
	if v.TotalMore {
		return "meer dan " + countLabel(v.Total)
	}
	return countLabel(v.Total)
}

// TotalVerb agrees with TotalLabel: "voldoet" or "voldoen".
func (v QueueView) TotalVerb() string {
	if v.Total == 1 && !v.TotalMore {
		return "voldoet"
	}
	return "voldoen"
}

func countLabel(n int) string {
	if n == 1 {
		return "1 product"
	}
	return Thousands(n) + " producten"
}

// Thousands groups digits the Dutch way: 12.345.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// DiffRow is one line of the side-by-side comparison.
type DiffRow struct {
	Label    string
	Approved []string
	Current  []string
	Changed  bool
}

// VariantRow is one variant of a product under review.
type VariantRow struct {
	Options    string
	SKU        string
	Price      string
	SalePrice  string
	Stock      string
	ShopStatus string
	Image      string
	Deleted    bool
}

// HistoryRow is one entry of a product's curation history.
type HistoryRow struct {
	At     string
	Actor  string
	Action string
	Detail string
}

// Fact is a labelled value.
type Fact struct {
	Label string
	Value string
}

// ImageView is an image of the product.
type ImageView struct {
	Src string
	Alt string
}

// ProductView is a product's review page.
type ProductView struct {
	ID            int64
	Name          string
	Status        string
	StatusLabel   string
	Version       int64
	Supplier      string
	Environment   string
	Permalink     string
	Deleted       bool
	Facts         []Fact
	Images        []ImageView
	Variants      []VariantRow
	Attributes    []Fact
	ShortHTML     templ.Component
	DescHTML      templ.Component
	HasShort      bool
	HasDesc       bool
	Decision      string // who decided what, when
	Reason        string // the rejection reason shown to the supplier
	ChangeSummary []string
	Diff          []DiffRow
	History       []HistoryRow
	Reasons       []Option
	ReasonText    string
	Errors        []components.FieldError
	Back          string
	ApproveURL    templ.SafeURL
	RejectURL     templ.SafeURL
	// Stale is shown when a decision was refused because the product
	// changed meanwhile.
	Stale string
}

// BulkView is a bulk decision's progress.
type BulkView struct {
	ID             int64
	Href           string
	Action         string // Dutch: goedkeuren / afwijzen
	Reason         string
	By             string
	Started        string
	Total          int
	Done           int
	Decided        int
	SkippedChanged int
	SkippedDecided int
	Status         string // queued, running, done, failed
	StatusLabel    string
	Error          string
	Back           string
}

// Percent is how far the bulk is, 0–100.
func (b BulkView) Percent() int {
	if b.Total == 0 {
		return 100
	}
	return b.Done * 100 / b.Total
}

// Running reports whether the page should keep polling.
func (b BulkView) Running() bool { return b.Status == "queued" || b.Status == "running" }

// ReasonRow is a rejection reason in the managed list.
type ReasonRow struct {
	ID        int64
	Label     string
	Active    bool
	ToggleURL templ.SafeURL
}

// SettingsView is the curation settings page with the reasons.
type SettingsView struct {
	Percent     components.Field
	KeepVisible bool
	Updated     string
	Reasons     []ReasonRow
	NewReason   components.Field
	Errors      []components.FieldError
	Bulks       []BulkView
}

// CategoryRow is a platform category in the tree.
type CategoryRow struct {
	ID       int64
	Depth    int
	Name     string
	Slug     string
	Position string
	Parent   string
	Parents  []Option // possible parents (not itself or below)
	Mappings int
	Products int
	Action   templ.SafeURL
	Delete   templ.SafeURL
	Error    string
}

// MappingRow is a supplier category with its mapping.
type MappingRow struct {
	ID           int64
	Name         string
	Supplier     string
	SupplierHref string
	Environment  string
	Products     int
	Options      []Option // platform categories, the current one selected
	Indent       int
}

// CategoriesView is the platform category page.
type CategoriesView struct {
	Rows      []CategoryRow
	New       CategoryForm
	Unmapped  []MappingRow
	Suppliers []Option
	Errors    []components.FieldError
}

// CategoryForm is the form to add a platform category.
type CategoryForm struct {
	Name     components.Field
	Slug     components.Field
	Parent   string
	Parents  []Option
	Position components.Field
}

// SupplierMappingView lists one supplier's categories for mapping.
type SupplierMappingView struct {
	Supplier string
	Rows     []MappingRow
	Back     string
}

func intStr(n int) string { return strconv.Itoa(n) }

func int64Str(n int64) string { return strconv.FormatInt(n, 10) }
