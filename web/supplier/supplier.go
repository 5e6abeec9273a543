// Package supplier holds the supplier's pages of the admission process:
// its progress through the six steps, API keys per environment, the
// integration guide, the custom-API review and the integration-test
// booking.
package supplier

import (
	"strconv"

	"github.com/a-h/templ"

	"github.com/wujw/ohis/web/components"
)

// StepState is how far one step of the admission process is.
type StepState string

// The states of a step.
const (
	StepDone    StepState = "done"
	StepCurrent StepState = "current"
	StepTodo    StepState = "todo"
	StepStopped StepState = "stopped" // rejected or excluded at this step
)

// Label is the Dutch name of the state, shown next to each step so the
// indicator does not rely on colour.
func (s StepState) Label() string {
	switch s {
	case StepDone:
		return "Afgerond"
	case StepCurrent:
		return "Huidige stap"
	case StepStopped:
		return "Gestopt"
	}
	return "Nog te doen"
}

// Badge is the badge class of the state.
func (s StepState) Badge() string {
	switch s {
	case StepDone:
		return "badge badge-ok"
	case StepCurrent:
		return "badge badge-warn"
	case StepStopped:
		return "badge badge-error"
	}
	return "badge badge-neutral"
}

// Step is one of the six steps of the admission process (SPEC §2 rule 8).
type Step struct {
	Number int
	Title  string
	Text   string
	State  StepState
	// Current marks where the supplier is (aria-current="step"); in
	// production that is the last step, which is also done.
	Current bool
}

// Link is a link or a form button with its label.
type Link struct {
	Href  string
	Label string
}

// URL is the link as a templ URL.
func (l Link) URL() templ.SafeURL { return templ.SafeURL(l.Href) }

// NextAction is what the supplier must do now.
type NextAction struct {
	// Kind names the action for tests and styling: wait, submit-api,
	// create-key, report-ready, book-test, test-booked, production, stopped.
	Kind  string
	Title string
	Text  string
	Link  *Link // the main action as a link, or
	Post  *Link // the main action as a form post
	More  []Link
	// Withdraw offers taking back "integration ready".
	Withdraw bool
}

// Deadline is the lead-time deadline of the integration.
type Deadline struct {
	Date     string // 11-12-2026
	Note     string // "nog 14 dagen", "3 dagen te laat", "vandaag"
	Overdue  bool
	LeadTime string // how the deadline came about
}

// Progress is where a supplier stands in the admission process.
type Progress struct {
	State      string // the admission state, for tests
	StateLabel string
	Route      string
	Steps      []Step
	// Alternative is the reason of an agreed alternative integration,
	// which waives the connection requirement and its deadline.
	Alternative string
	// Stopped names a rejection or exclusion; Reason says why.
	Stopped string
	Reason  string
	// Deadline is nil when no lead time runs; DeadlineNote then may say
	// when it will start.
	Deadline     *Deadline
	DeadlineNote string
	Next         NextAction
}

// KeyRow is one API key in the list.
type KeyRow struct {
	ID        int64
	Name      string
	Prefix    string
	Created   string
	LastUsed  string
	Revoked   bool
	RevokedAt string
}

// RevokeURL is where the key's revoke form posts.
func (k KeyRow) RevokeURL() templ.SafeURL {
	return templ.SafeURL("/koppeling/sleutels/" + strconv.FormatInt(k.ID, 10) + "/intrekken")
}

// KeyGroup is the keys of one environment.
type KeyGroup struct {
	Environment string
	Label       string
	Prefix      string
	Keys        []KeyRow
}

// EnvOption is one environment to choose in the form.
type EnvOption struct {
	Value  string
	Label  string
	Prefix string
	Hint   string
}

// CreatedKey is a key just created, with its secret shown this once.
type CreatedKey struct {
	Name     string
	EnvLabel string
	Secret   string
}

// KeysView is the API keys page.
type KeysView struct {
	// Blocked says why no keys can be created (not admitted); the form is
	// then hidden.
	Blocked string
	// ProductionBlocked says why production keys cannot be created yet.
	ProductionBlocked string
	Groups            []KeyGroup
	Created           *CreatedKey
	// Refused is why the last attempt was not allowed.
	Refused      string
	Environments []EnvOption
	Environment  string
	EnvError     string
	Name         components.Field
	Errors       []components.FieldError
}

// TOCEntry is one section of the integration guide, with its subsections.
type TOCEntry struct {
	ID    string
	Title string
	Sub   []TOCEntry
}

// Anchor is the entry's in-page link.
func (e TOCEntry) Anchor() templ.SafeURL { return templ.SafeURL("#" + e.ID) }

// GuideView is the integration guide page.
type GuideView struct {
	// Unavailable says why the guide is not shown (not admitted); empty
	// when it is.
	Unavailable string
	TOC         []TOCEntry
	// HTML is the guide rendered from the repository's Markdown without
	// raw HTML.
	HTML string
}
