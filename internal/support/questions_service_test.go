package support

import (
	"testing"
	"time"
)

func TestQuestionDueDateOverEaster2026(t *testing.T) {
	t.Parallel()
	// Thursday 2 April 2026; Goede Vrijdag (3 Apr) and Tweede Paasdag
	// (6 Apr) are no working days. Counting from the next working day:
	// Tue 7, Wed 8, Thu 9, Fri 10, Mon 13 April.
	received := time.Date(2026, time.April, 2, 10, 30, 0, 0, Amsterdam)
	got := Calendar{}.DueDate(received)
	want := time.Date(2026, time.April, 14, 0, 0, 0, 0, Amsterdam).Add(-time.Nanosecond)
	if !got.Equal(want) {
		t.Fatalf("due date = %v, want %v", got, want)
	}
	if QuestionDate(got) != "13-04-2026" {
		t.Errorf("QuestionDate = %q", QuestionDate(got))
	}
}

func TestQuestionDueTextAndBadge(t *testing.T) {
	t.Parallel()
	c := Calendar{}
	received := time.Date(2026, time.April, 2, 10, 30, 0, 0, Amsterdam)
	due := c.DueDate(received) // end of Monday 13 April 2026
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, Amsterdam) }
	tests := []struct {
		now   time.Time
		text  string
		badge QuestionBadge
	}{
		{received, "nog 5 werkdagen", QuestionBadgeNone},
		{at(time.April, 3, 9), "nog 5 werkdagen", QuestionBadgeNone}, // Goede Vrijdag
		{at(time.April, 9, 9), "nog 2 werkdagen", QuestionBadgeNone},
		{at(time.April, 10, 9), "nog 1 werkdag", QuestionBadgeSoon},
		{at(time.April, 11, 9), "nog 1 werkdag", QuestionBadgeSoon}, // Saturday
		{at(time.April, 13, 23), "vandaag", QuestionBadgeSoon},
		{at(time.April, 14, 9), "1 werkdag te laat", QuestionBadgeLate},
		{at(time.April, 16, 9), "3 werkdagen te laat", QuestionBadgeLate},
	}
	for _, tt := range tests {
		if got := c.QuestionDueText(tt.now, due); got != tt.text {
			t.Errorf("QuestionDueText(%v) = %q, want %q", tt.now, got, tt.text)
		}
		if got := c.QuestionBadgeAt(QuestionOpen, tt.now, due); got != tt.badge {
			t.Errorf("QuestionBadgeAt(%v) = %q, want %q", tt.now, got, tt.badge)
		}
	}
	if got := c.QuestionBadgeAt(QuestionAnswered, at(time.April, 16, 9), due); got != QuestionBadgeNone {
		t.Errorf("answered question badge = %q, want none", got)
	}
}

func TestQuestionStatus(t *testing.T) {
	t.Parallel()
	for _, s := range QuestionStatuses {
		if !s.Valid() || s.Label() == "" {
			t.Errorf("%q: invalid or unlabelled", s)
		}
	}
	if QuestionStatus("x").Valid() {
		t.Error(`"x" is valid`)
	}
	if !QuestionAnswered.AcceptsFollowUp() || QuestionNotAnswerable.AcceptsFollowUp() {
		t.Error("follow-up rules wrong")
	}
}
