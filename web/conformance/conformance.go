// Package conformance renders the custom-API conformance report: for staff
// with technical detail, for the supplier with the Dutch findings only.
package conformance

// View is one report as a page region.
type View struct {
	// ID is the region's HTML id (polling swaps it by id).
	ID    string
	Title string
	// State is none, queued, running, done or failed.
	State string
	// Staff shows technical detail and the staff's actions.
	Staff bool
	// Level is the heading level of the title (2 on a page of its own,
	// deeper inside another section); areas are one below. Embedded
	// regions are not cards of their own.
	Level    int
	Embedded bool
	// Verdict is the report's suggestion.
	Verdict, VerdictClass string
	Summary               string // "24 conform, 2 niet conform, …"
	Finished              string
	BaseURL               string
	Trigger               string // "automatisch na de inzending" / "opnieuw uitgevoerd door …"
	Error                 string
	Areas                 []Area
	// PollURL is set while the report may still change.
	PollURL string
	// RerunAction is where staff post to run the report again; empty when
	// that is not possible now. RerunNote says why not.
	RerunAction string
	RerunNote   string
	// PrefillHref opens the decision form with the report's findings.
	PrefillHref string
	// FullHref is the report on a page of its own.
	FullHref string
}

// Area is the checks of one area.
type Area struct {
	Name   string
	Checks []Check
}

// Check is one line of the report.
type Check struct {
	ID           string
	Name         string
	Required     bool
	Outcome      string
	OutcomeKey   string
	OutcomeClass string
	Finding      string
	Detail       string // staff only
}

// Running reports a report that is still being made.
func (v View) Running() bool { return v.State == "queued" || v.State == "running" }
