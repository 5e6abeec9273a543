// Package support renders the support desk pages: time entries, support
// allowances and monthly statements (hours*), and supplier questions.
package support

import "github.com/wujw/ohis/web/components"

// HoursOption is one choice of a select.
type HoursOption struct {
	Value string
	Label string
}

// HoursSummaryRow is one supplier on the staff overview.
type HoursSummaryRow struct {
	SupplierID     int64
	Supplier       string
	Allowance      string
	Used           string
	Remaining      string
	MonthBillable  string
	MonthAmount    string
	YearBillable   string
	YearAmount     string
	Href           string
	AllowanceError bool
}

// HoursEntryRow is one time entry in a table.
type HoursEntryRow struct {
	ID          int64
	Date        string
	Supplier    string
	Staff       string
	Category    string
	Description string
	Minutes     string
	Free        string
	Billable    string
	Editable    bool
	EditHref    string
	DeleteHref  string
}

// HoursForm is the time entry form.
type HoursForm struct {
	Action      string
	Supplier    string
	Suppliers   []HoursOption
	SupError    string
	Date        components.Field
	Duration    components.Field
	Category    string
	Categories  []HoursOption
	CatError    string
	Description components.Field
	Errors      []components.FieldError
	Edit        bool
}

// HoursOverviewView is the staff page /beheer/uren.
type HoursOverviewView struct {
	Form      HoursForm
	Rows      []HoursSummaryRow
	Recent    []HoursEntryRow
	Month     string // e.g. "november 2026"
	Year      int
	IsAdmin   bool
	LastMonth string // jjjj-mm proposed for closing
	Closed    []string
}

// HoursStatementLine is one billable line.
type HoursStatementLine struct {
	Date        string
	Category    string
	Description string
	Minutes     string
	Amount      string
}

// HoursStatementView is a month's statement.
type HoursStatementView struct {
	Lines     []HoursStatementLine
	Free      string
	Billable  string
	TotalExcl string
	TotalVAT  string
	TotalIncl string
	CSVExcel  string
	CSVPlain  string
}

// HoursSupplierView is a supplier's month for staff, or the supplier's own
// page.
type HoursSupplierView struct {
	SupplierID  int64
	Supplier    string
	MonthKey    string // jjjj-mm
	MonthLabel  string
	PrevHref    string
	NextHref    string
	Closed      bool
	Allowance   string
	Used        string
	Remaining   string
	Entries     []HoursEntryRow
	Statement   HoursStatementView
	IsAdmin     bool
	Own         bool
	AllowField  components.Field
	Reason      components.Field
	AllowErrors []components.FieldError
}

func joinHours(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
