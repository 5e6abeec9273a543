// Package connections holds the pages of suppliers' webshop connections:
// the list with each connection's health, adding one, its detail with live
// sync progress, history, check results and credentials, its errors, the
// supplier's synced products, and the staff's read-only views.
package connections

import (
	"strconv"

	"github.com/wujw/ohis/web/components"
)

// Incident is a connection's open incident as the start pages and the
// connection pages flag it.
type Incident struct {
	Kind  string // failing, auth, webhooks
	Title string // what is wrong, Dutch
	Text  string // what to do, Dutch
	Since string
	// Href leads to the connection; Label names it ("Productie · WooCommerce
	// · https://…", with the supplier for staff).
	Href  string
	Label string
}

// Health is a connection's state at a glance.
type Health struct {
	ID               int64
	Href             string
	SupplierName     string // staff views
	Environment      string
	EnvironmentLabel string
	PlatformLabel    string
	ShopURL          string
	Paused           bool
	// State is ok, new (never synced), failing, paused or incident;
	// StateLabel says it in Dutch.
	State         string
	StateLabel    string
	LastSuccess   string
	LastAttempt   string
	NextSync      string
	WebhookStatus string
	WebhookLabel  string
	OpenErrors    int
	ErrorsHref    string
	LastErrorText string // the last failed run's Dutch summary, if failing
	Incident      *Incident
	ShopName      string
	ShopVersion   string
	CreatedAt     string
}

// StateBadge is the badge class of the health state.
func (h Health) StateBadge() string {
	switch h.State {
	case "ok":
		return "badge badge-ok"
	case "failing", "incident":
		return "badge badge-error"
	case "paused":
		return "badge badge-neutral"
	}
	return "badge badge-warn"
}

// WebhookBadge is the badge class of the webhook status.
func (h Health) WebhookBadge() string {
	switch h.WebhookStatus {
	case "active":
		return "badge badge-ok"
	case "disabled", "error":
		return "badge badge-error"
	}
	return "badge badge-neutral"
}

// Option is one choice of a select or radio group.
type Option struct {
	Value string
	Label string
	Hint  string
	// Disabled options are shown but cannot be chosen ("binnenkort").
	Disabled bool
}

// ListView is the supplier's connections page.
type ListView struct {
	Rows []Health
	// CanAdd is false when every environment has a connection.
	CanAdd bool
}

// NewView is the add-connection form.
type NewView struct {
	Environments []Option
	Environment  string
	Platforms    []Option
	Platform     string
	ShopURL      components.Field
	Key          components.Field
	Secret       components.Field
	Errors       []components.FieldError
	EnvError     string
	PlatformErr  string
	Refused      string
}

// Run is one sync run in the history.
type Run struct {
	Kind         string
	Trigger      string
	Started      string
	Duration     string
	Outcome      string // running, succeeded, failed
	OutcomeLabel string
	Counts       string // "3 nieuw, 1 gewijzigd, …"
	ErrorMessage string
}

// OutcomeBadge is the badge class of the run's outcome.
func (r Run) OutcomeBadge() string {
	switch r.Outcome {
	case "succeeded":
		return "badge badge-ok"
	case "failed":
		return "badge badge-error"
	}
	return "badge badge-warn"
}

// Progress is the live progress region of a connection. While Polling,
// htmx fetches FragmentURL every second and replaces the region.
type Progress struct {
	State string // idle, waiting, running, finished, failed, not-started
	// Polling regions carry FragmentURL; without JavaScript ReloadHref
	// reloads the whole page.
	Polling     bool
	FragmentURL string
	ReloadHref  string
	Kind        string
	Started     string
	PagesDone   int
	PagesTotal  int
	ItemsDone   int
	ItemsTotal  int
	Counts      string
	Message     string
}

// PagesText says how far the pages are: "pagina 3 van 12".
func (p Progress) PagesText() string {
	if p.PagesTotal > 0 {
		return "pagina " + strconv.Itoa(p.PagesDone) + " van " + strconv.Itoa(p.PagesTotal)
	}
	return components.Count(p.PagesDone, "pagina", "pagina's") + " gelezen"
}

// ItemsText says how far the products are: "240 van 1.200 producten".
func (p Progress) ItemsText() string {
	if p.ItemsTotal > 0 {
		return Number(p.ItemsDone) + " van " + Number(p.ItemsTotal) + " producten"
	}
	return Number(p.ItemsDone) + " producten verwerkt"
}

// Percent is the share of products done, 0–100.
func (p Progress) Percent() int {
	if p.ItemsTotal <= 0 {
		return 0
	}
	return min(100, p.ItemsDone*100/p.ItemsTotal)
}

// CheckStep is one line of a connection test.
type CheckStep struct {
	Name    string
	OK      bool
	Message string
}

// CheckResult is the outcome of "Verbinding testen".
type CheckResult struct {
	OK      bool
	Summary string
	Steps   []CheckStep
}

// DetailView is one connection's page, for its supplier (Staff false) or
// staff (read-only).
type DetailView struct {
	Staff    bool
	Health   Health
	Progress Progress
	Runs     []Run
	Check    *CheckResult
	// Credentials as the supplier may see them: the masked key.
	KeyHint   string
	Key       components.Field
	Secret    components.Field
	CredsErrs []components.FieldError
	Webhooks  []Webhook
	Products  int // not deleted
	Refused   string
}

// Webhook is a webhook OHIS registered in the shop.
type Webhook struct {
	Topic  string
	Status string
}

// DeleteView is the confirmation before removing a connection.
type DeleteView struct {
	Health   Health
	Products int
	Error    string
}

// ErrorRow is one sync error.
type ErrorRow struct {
	At          string
	Product     string // name, or "" for the whole connection
	ProductID   string
	Code        string
	CodeLabel   string // the code in Dutch
	Message     string
	Detail      string // staff only
	Resolved    bool
	ResolvedAt  string
	ShowDetails bool
}

// ErrorsView is a connection's error list with its filter.
type ErrorsView struct {
	Staff    bool
	Health   Health
	Action   string // the filter form's action
	State    string
	States   []Option
	Code     string
	Codes    []Option
	Search   string
	Rows     []ErrorRow
	NextHref string
}

// ProductRow is one synced product.
type ProductRow struct {
	Name           string
	Permalink      string
	SKU            string
	Type           string
	Price          string
	PriceNote      string
	Stock          string
	ShopStatus     string
	Published      bool
	Deleted        bool
	Environment    string
	Curation       string // pending, approved, rejected, changed
	CurationLabel  string
	CurationReason string
}

// CurationBadge is the badge class of the curation status.
func (p ProductRow) CurationBadge() string {
	switch p.Curation {
	case "approved":
		return "badge badge-ok"
	case "rejected":
		return "badge badge-error"
	case "changed":
		return "badge badge-warn"
	}
	return "badge badge-neutral"
}

// ProductsView is the supplier's product list with its filter.
type ProductsView struct {
	Connections []Option
	Connection  string
	Search      string
	Curations   []Option
	Curation    string
	ShowDeleted bool
	Rows        []ProductRow
	Total       int
	Live        int
	NextHref    string
	FirstHref   string
}

// StaffListView is the staff overview of all connections.
type StaffListView struct {
	ProblemsOnly bool
	Rows         []Health
}

// Number formats an integer the Dutch way: 1.234.
func Number(n int) string {
	s := strconv.Itoa(n)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, '.')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
