package admission

import (
	"fmt"
	"slices"
)

// State is where a supplier is in the admission process (SPEC §3).
type State string

// The admission states, in the order of the process.
const (
	Applied          State = "applied"           // step 1: application received
	InReview         State = "in_review"         // step 2: WUJW reviews it
	Admitted         State = "admitted"          // step 3: test and acceptance environments
	IntegrationReady State = "integration_ready" // step 4: supplier reports its integration works
	TestBooked       State = "test_booked"       // step 4–5: integration test booked
	Production       State = "production"        // step 6: admitted to production
	Rejected         State = "rejected"          // application refused
	Excluded         State = "excluded"          // excluded after review (e.g. twice not conform)
)

// States lists every state in process order.
var States = []State{Applied, InReview, Admitted, IntegrationReady, TestBooked, Production, Rejected, Excluded}

// transitions is the whole state machine: from each state, the states it may
// move to. Nothing else in OHIS decides this.
var transitions = map[State][]State{
	Applied:          {InReview, Rejected},
	InReview:         {Admitted, Rejected},
	Admitted:         {IntegrationReady, Excluded},
	IntegrationReady: {TestBooked, Admitted, Excluded},                   // Admitted: the supplier withdraws "ready"
	TestBooked:       {Production, Admitted, IntegrationReady, Excluded}, // Admitted: test failed; IntegrationReady: booking cancelled
	Production:       {Excluded},
	Rejected:         nil,
	Excluded:         nil,
}

// ErrTransition is returned for a move the state machine does not allow.
type ErrTransition struct{ From, To State }

func (e ErrTransition) Error() string {
	return fmt.Sprintf("admission: cannot move from %s to %s", e.From, e.To)
}

// CanMove reports whether the state machine allows from → to.
func CanMove(from, to State) bool { return slices.Contains(transitions[from], to) }

// Move returns nil when from → to is allowed and ErrTransition otherwise.
func Move(from, to State) error {
	if !CanMove(from, to) {
		return ErrTransition{From: from, To: to}
	}
	return nil
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := transitions[s]; return ok }

// Final reports whether no move leaves s.
func (s State) Final() bool { return len(transitions[s]) == 0 }

// Label is the Dutch name of the state.
func (s State) Label() string {
	switch s {
	case Applied:
		return "Aangemeld"
	case InReview:
		return "In beoordeling"
	case Admitted:
		return "Toegelaten (test en acceptatie)"
	case IntegrationReady:
		return "Koppeling gereed gemeld"
	case TestBooked:
		return "Integratietest gepland"
	case Production:
		return "Toegelaten tot productie"
	case Rejected:
		return "Afgewezen"
	case Excluded:
		return "Uitgesloten"
	}
	return string(s)
}

// Step is the step (1–6) of the tender's admission process the state
// belongs to, for the supplier's progress indicator; 0 for rejected and
// excluded.
func (s State) Step() int {
	switch s {
	case Applied:
		return 1
	case InReview:
		return 2
	case Admitted:
		return 3
	case IntegrationReady, TestBooked:
		return 4
	case Production:
		return 6
	}
	return 0
}
