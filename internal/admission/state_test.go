package admission

import (
	"errors"
	"testing"
)

func TestStateMachine(t *testing.T) {
	allowed := map[[2]State]bool{
		{Applied, InReview}:            true,
		{Applied, Rejected}:            true,
		{InReview, Admitted}:           true,
		{InReview, Rejected}:           true,
		{Admitted, IntegrationReady}:   true,
		{Admitted, Excluded}:           true,
		{IntegrationReady, TestBooked}: true,
		{IntegrationReady, Admitted}:   true,
		{IntegrationReady, Excluded}:   true,
		{TestBooked, Production}:       true,
		{TestBooked, Admitted}:         true, // failed test: back to step 3
		{TestBooked, IntegrationReady}: true, // booking cancelled
		{TestBooked, Excluded}:         true,
		{Production, Excluded}:         true,
	}
	// Every pair of states, so a transition added by accident fails here.
	for _, from := range States {
		for _, to := range States {
			want := allowed[[2]State{from, to}]
			if got := CanMove(from, to); got != want {
				t.Errorf("CanMove(%s, %s) = %v, want %v", from, to, got, want)
			}
			err := Move(from, to)
			var te ErrTransition
			if want && err != nil {
				t.Errorf("Move(%s, %s) = %v, want nil", from, to, err)
			}
			if !want && (!errors.As(err, &te) || te.From != from || te.To != to) {
				t.Errorf("Move(%s, %s) = %v, want ErrTransition", from, to, err)
			}
		}
	}
	for _, s := range []State{Rejected, Excluded} {
		if !s.Final() {
			t.Errorf("%s should be final", s)
		}
	}
	if State("bogus").Valid() || CanMove("bogus", Applied) {
		t.Error("unknown state accepted")
	}
}

func TestStateLabelsAndSteps(t *testing.T) {
	for _, s := range States {
		if s.Label() == string(s) {
			t.Errorf("%s has no Dutch label", s)
		}
	}
	if Applied.Step() != 1 || InReview.Step() != 2 || Admitted.Step() != 3 || TestBooked.Step() != 4 || Production.Step() != 6 {
		t.Error("steps do not follow the tender's six steps")
	}
}
