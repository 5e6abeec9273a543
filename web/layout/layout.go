// Package layout holds the page shell every portal page renders in.
package layout

// Page is the view model of the shell around a page.
type Page struct {
	Title   string    // page title, without the site name
	User    *UserBox  // nil on public pages
	Nav     []NavItem // the role's navigation
	Current string    // path of the current page, to mark the nav item
	Flashes []Flash
	Demo    bool
}

// UserBox is what the top bar shows about the logged-in user.
type UserBox struct {
	Name         string
	RoleLabel    string
	SupplierName string
}

// NavItem is one navigation link.
type NavItem struct {
	Label string
	Href  string
	// Prefix marks the item current for every path below Href too.
	Prefix bool
}

// IsCurrent reports whether the item is the current page.
func (n NavItem) IsCurrent(path string) bool {
	if n.Href == path {
		return true
	}
	return n.Prefix && len(path) > len(n.Href) && path[:len(n.Href)] == n.Href && path[len(n.Href)] == '/'
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind string // success, error, info
	Text string
}

// Role returns the ARIA role fitting the flash's urgency.
func (f Flash) Role() string {
	if f.Kind == "error" {
		return "alert"
	}
	return "status"
}
