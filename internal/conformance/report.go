// Package conformance checks a supplier's own API against the contract of
// docs/integration-guide.md (the WooCommerce REST API wc/v3 shape) and
// produces a report of what conforms and what does not: endpoints, fields
// and types, money format, pagination headers, modified_after, and a
// signed test webhook. The report is attached to a submission of the
// custom-API review (SPEC §2 rule 5); the verdict itself stays a person's.
//
// Run performs the checks against an API; Service stores runs, runs them
// as River jobs and receives the test webhook.
package conformance

import (
	"strings"
	"time"
)

// Areas of the report, in the order they are shown.
const (
	AreaEndpoints = "Eindpunten"
	AreaFields    = "Velden en typen"
	AreaMoney     = "Geldbedragen"
	AreaPaging    = "Paginering"
	AreaModified  = "Wijzigingen sinds"
	AreaWebhooks  = "Webhooks"
)

// Areas lists the areas in display order.
var Areas = []string{AreaEndpoints, AreaFields, AreaMoney, AreaPaging, AreaModified, AreaWebhooks}

// Outcome is the result of one check.
type Outcome string

// The outcomes.
const (
	Conform    Outcome = "conform"
	NotConform Outcome = "not_conform"
	Warning    Outcome = "warning"
	NotTested  Outcome = "not_tested"
	// Waiting: the signed test webhook has not arrived yet.
	Waiting Outcome = "waiting"
)

// Label is the Dutch name of the outcome.
func (o Outcome) Label() string {
	switch o {
	case Conform:
		return "Conform"
	case NotConform:
		return "Niet conform"
	case Warning:
		return "Waarschuwing"
	case Waiting:
		return "Wacht op webhook"
	}
	return "Niet getest"
}

// Check is one line of the report. Finding is Dutch and says what was found
// and, when something is wrong, what to fix; the supplier sees it. Detail
// is technical (requests, statuses, offending values), for staff only.
type Check struct {
	ID       string  `json:"id"`
	Area     string  `json:"area"`
	Name     string  `json:"name"`
	Required bool    `json:"required"`
	Outcome  Outcome `json:"outcome"`
	Finding  string  `json:"finding,omitempty"`
	Detail   string  `json:"detail,omitempty"`
}

// Check ids that other code refers to.
const (
	CheckAddress     = "address"
	CheckReachable   = "reachable"
	CheckAuth        = "auth"
	CheckWebhookPost = "webhook_register"
	CheckWebhook     = "webhook_signed"
)

// Report is the outcome of one run.
type Report struct {
	BaseURL    string    `json:"base_url"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Checks     []Check   `json:"checks"`
	// Products and Variations count what was checked field by field.
	Products   int `json:"products"`
	Variations int `json:"variations"`
	// Webhook is the test webhook the run registered, if any.
	Webhook *RegisteredWebhook `json:"webhook,omitempty"`
}

// RegisteredWebhook is the temporary webhook a run created in the
// supplier's API.
type RegisteredWebhook struct {
	ID    string `json:"id"`
	Topic string `json:"topic"`
}

// Verdict is the report's suggestion for the reviewer.
type Verdict string

// The verdicts.
const (
	VerdictConform    Verdict = "conform"
	VerdictNotConform Verdict = "not_conform"
	// VerdictIncomplete: no required check failed, but some are not
	// tested yet (or could not be).
	VerdictIncomplete Verdict = "incomplete"
)

// Label is the Dutch suggestion.
func (v Verdict) Label() string {
	switch v {
	case VerdictConform:
		return "Conform"
	case VerdictNotConform:
		return "Niet conform"
	}
	return "Nog niet volledig"
}

// Verdict is conform only when every required check conforms, not conform
// when any required check does not.
func (r Report) Verdict() Verdict {
	if len(r.Checks) == 0 {
		return VerdictIncomplete
	}
	v := VerdictConform
	for _, c := range r.Checks {
		if !c.Required {
			continue
		}
		switch c.Outcome {
		case Conform:
		case NotConform:
			return VerdictNotConform
		default:
			v = VerdictIncomplete
		}
	}
	return v
}

// Check returns the check with the id, if the report has it.
func (r Report) Check(id string) (Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Counts counts the checks per outcome.
func (r Report) Counts() map[Outcome]int {
	out := map[Outcome]int{}
	for _, c := range r.Checks {
		out[c.Outcome]++
	}
	return out
}

// Findings is the Dutch text of every check that is not conform, or a
// warning, one per line, for the reviewer's findings form.
func (r Report) Findings() string {
	var b strings.Builder
	for _, area := range Areas {
		for _, c := range r.Checks {
			if c.Area != area || (c.Outcome != NotConform && c.Outcome != Warning) || c.Finding == "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString("- ")
			b.WriteString(c.Area + " – " + c.Name)
			if c.Outcome == Warning {
				b.WriteString(" (waarschuwing)")
			}
			b.WriteString(": ")
			b.WriteString(c.Finding)
		}
	}
	return b.String()
}
