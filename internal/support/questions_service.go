package support

import (
	"strconv"
	"time"
)

// QuestionStatus is where a supplier question stands.
type QuestionStatus string

// The states of a supplier question. A follow-up message from the supplier
// puts an answered question back to open; it keeps its original due date.
// A question closed as not answerable stays closed.
const (
	QuestionOpen          QuestionStatus = "open"
	QuestionAnswered      QuestionStatus = "answered"
	QuestionNotAnswerable QuestionStatus = "closed_not_answerable"
)

// QuestionStatuses lists the states in display order.
var QuestionStatuses = []QuestionStatus{QuestionOpen, QuestionAnswered, QuestionNotAnswerable}

// Valid reports whether s is a known state.
func (s QuestionStatus) Valid() bool {
	return s == QuestionOpen || s == QuestionAnswered || s == QuestionNotAnswerable
}

// Label is the Dutch name of the state.
func (s QuestionStatus) Label() string {
	switch s {
	case QuestionOpen:
		return "Open"
	case QuestionAnswered:
		return "Beantwoord"
	case QuestionNotAnswerable:
		return "Gesloten (niet te beantwoorden)"
	}
	return string(s)
}

// AcceptsFollowUp reports whether the supplier may add a message.
func (s QuestionStatus) AcceptsFollowUp() bool { return s == QuestionOpen || s == QuestionAnswered }

// AcceptsStaffAction reports whether staff may still answer or close.
func (s QuestionStatus) AcceptsStaffAction() bool { return s == QuestionOpen || s == QuestionAnswered }

// Limits of a question's fields (also enforced by the database).
const (
	QuestionSubjectMax = 200
	QuestionBodyMax    = 10000
)

// QuestionBadge marks a question in the staff queue.
type QuestionBadge string

// Badges: past the due moment, or due within one working day.
const (
	QuestionBadgeNone QuestionBadge = ""
	QuestionBadgeLate QuestionBadge = "late"
	QuestionBadgeSoon QuestionBadge = "soon"
)

// Label is the badge's Dutch text.
func (b QuestionBadge) Label() string {
	switch b {
	case QuestionBadgeLate:
		return "Te laat"
	case QuestionBadgeSoon:
		return "Bijna"
	}
	return ""
}

// QuestionDaysLeft counts the working days after the day of now up to and
// including the day of due (both in Europe/Amsterdam). It is 0 when due is
// today or past.
func (c Calendar) QuestionDaysLeft(now, due time.Time) int {
	return c.questionDaysBetween(now, due)
}

// QuestionDaysLate counts the working days after the day of due up to and
// including the day of now; at least 1 once now is past due.
func (c Calendar) QuestionDaysLate(now, due time.Time) int {
	if !now.After(due) {
		return 0
	}
	return max(1, c.questionDaysBetween(due, now))
}

func (c Calendar) questionDaysBetween(from, until time.Time) int {
	y, m, d := from.In(Amsterdam).Date()
	day := time.Date(y, m, d, 12, 0, 0, 0, Amsterdam)
	uy, um, ud := until.In(Amsterdam).Date()
	end := time.Date(uy, um, ud, 12, 0, 0, 0, Amsterdam)
	n := 0
	for day.Before(end) {
		day = day.AddDate(0, 0, 1)
		if c.IsWorkingDay(day) {
			n++
		}
	}
	return n
}

// QuestionBadgeAt is the queue badge of an open question: late once past due, soon
// when at most one working day is left.
func (c Calendar) QuestionBadgeAt(status QuestionStatus, now, due time.Time) QuestionBadge {
	if status != QuestionOpen {
		return QuestionBadgeNone
	}
	if now.After(due) {
		return QuestionBadgeLate
	}
	if c.QuestionDaysLeft(now, due) <= 1 {
		return QuestionBadgeSoon
	}
	return QuestionBadgeNone
}

// QuestionDueText says how the due moment relates to now in Dutch: "nog 3
// werkdagen", "nog 1 werkdag", "vandaag", "2 werkdagen te laat".
func (c Calendar) QuestionDueText(now, due time.Time) string {
	if now.After(due) {
		return questionWorkdays(c.QuestionDaysLate(now, due)) + " te laat"
	}
	left := c.QuestionDaysLeft(now, due)
	if left == 0 {
		return "vandaag"
	}
	return "nog " + questionWorkdays(left)
}

func questionWorkdays(n int) string {
	if n == 1 {
		return "1 werkdag"
	}
	return strconv.Itoa(n) + " werkdagen"
}

// QuestionDate is a date as dd-mm-jjjj in Europe/Amsterdam.
func QuestionDate(t time.Time) string { return t.In(Amsterdam).Format("02-01-2006") }

// QuestionDateTime is a moment as dd-mm-jjjj uu:mm in Europe/Amsterdam.
func QuestionDateTime(t time.Time) string { return t.In(Amsterdam).Format("02-01-2006 15:04") }
