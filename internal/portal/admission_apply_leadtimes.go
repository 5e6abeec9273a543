package portal

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
)

// leadTime describes an application's clock: when it started, the
// deadline, and whether it has passed while the supplier is still working
// towards production.
func leadTime(a admission.Application, now time.Time) (clockStart, deadline string, overdue bool) {
	clockStart, deadline = "—", "—"
	switch {
	case a.Route() == admission.RouteAutomatic && a.AdmittedAt != nil:
		clockStart = components.Date(*a.AdmittedAt)
	case a.Route() == admission.RouteCustom && a.APISubmittedAt != nil:
		clockStart = components.Date(*a.APISubmittedAt)
	}
	if d, ok := a.Deadline(); ok {
		deadline = components.Date(d)
	} else if a.AlternativeReason != "" {
		deadline = "geen (alternatieve koppeling)"
	}
	return clockStart, deadline, a.Overdue(now)
}

// daysLeft counts calendar days in Dutch time from today to the deadline;
// negative once the deadline has passed.
func daysLeft(deadline, now time.Time) int {
	day := func(t time.Time) time.Time {
		t = t.In(amsterdam())
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	}
	return int(day(deadline).Sub(day(now)).Hours() / 24)
}

// leadTimeStates are the states of suppliers that were admitted.
var leadTimeStates = []admission.State{admission.Admitted, admission.IntegrationReady, admission.TestBooked, admission.Production, admission.Excluded}

// leadTimeEntry is one row with what it sorts by.
type leadTimeEntry struct {
	row      admin.LeadTimeRow
	name     string
	state    int
	deadline *time.Time
}

func (s *Server) leadTimes(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := admin.LeadTimesView{OnlyOverdue: q.Get("te-laat") == "1"}
	for _, st := range leadTimeStates {
		v.States = append(v.States, admin.Option{Value: string(st), Label: st.Label()})
		if q.Get("status") == string(st) {
			v.State = string(st)
		}
	}
	for _, rt := range []admission.Route{admission.RouteAutomatic, admission.RouteCustom} {
		v.Routes = append(v.Routes, admin.Option{Value: string(rt), Label: rt.Label()})
		if q.Get("route") == string(rt) {
			v.Route = string(rt)
		}
	}
	// Sort keys are whitelisted; anything else is the default.
	v.Sort, v.Dir = "deadline", "op"
	switch q.Get("sorteer") {
	case "naam", "status", "deadline":
		v.Sort = q.Get("sorteer")
	}
	if q.Get("richting") == "af" {
		v.Dir = "af"
	}

	items, err := s.store.ApplicationList(r.Context(), admission.State(v.State))
	if err != nil {
		return err
	}
	now := s.now()
	var entries []leadTimeEntry
	for _, it := range items {
		if it.SupplierID == nil || !slices.Contains(leadTimeStates, it.State) {
			continue
		}
		if v.Route != "" && string(it.Route()) != v.Route {
			continue
		}
		clock, deadline, overdue := leadTime(it.Application, now)
		if v.OnlyOverdue && !overdue {
			continue
		}
		e := leadTimeEntry{name: cmp.Or(it.SupplierName, it.CompanyName), state: slices.Index(admission.States, it.State)}
		e.row = admin.LeadTimeRow{ApplicationID: it.ID, Company: e.name, Route: it.Route().Label(), State: admissionBadge(it.State),
			ClockStart: clock, Deadline: deadline, DaysLeft: "—", Overdue: overdue, Alternative: it.AlternativeReason}
		if d, ok := it.Deadline(); ok {
			e.deadline = &d
			e.row.DaysLeft = strconv.Itoa(daysLeft(d, now))
		}
		if overdue {
			v.Overdue++
		}
		entries = append(entries, e)
	}
	slices.SortStableFunc(entries, func(a, b leadTimeEntry) int { return compareLeadTimes(a, b, v.Sort, v.Dir == "af") })
	for _, e := range entries {
		v.Rows = append(v.Rows, e.row)
	}
	v.ByName = sortHeader(v, "naam", "Aanbieder")
	v.ByState = sortHeader(v, "status", "Status")
	v.ByDeadline = sortHeader(v, "deadline", "Uiterste datum")
	if isHTMX(r) {
		return s.render(w, r, admin.LeadTimesResults(v))
	}
	return s.render(w, r, admin.LeadTimes(s.withFlashes(w, r, s.pageFor(r, "Doorlooptijden")), v))
}

// compareLeadTimes orders two rows by a whitelisted key, falling back to
// the name; rows without a deadline always come last.
func compareLeadTimes(a, b leadTimeEntry, key string, desc bool) int {
	var c int
	switch key {
	case "naam":
		c = cmp.Compare(a.name, b.name)
	case "status":
		c = cmp.Compare(a.state, b.state)
	default:
		switch {
		case a.deadline == nil && b.deadline == nil:
		case a.deadline == nil:
			return 1
		case b.deadline == nil:
			return -1
		default:
			c = a.deadline.Compare(*b.deadline)
		}
	}
	if desc {
		c = -c
	}
	return cmp.Or(c, cmp.Compare(a.name, b.name))
}

// sortHeader is a column heading that sorts by key, or reverses the order
// when it already does.
func sortHeader(v admin.LeadTimesView, key, label string) admin.SortHeader {
	h := admin.SortHeader{Label: label, AriaSort: "none"}
	dir := "op"
	if v.Sort == key {
		h.AriaSort = "ascending"
		if v.Dir == "af" {
			h.AriaSort = "descending"
		} else {
			dir = "af"
		}
	}
	q := url.Values{"sorteer": {key}, "richting": {dir}}
	if v.State != "" {
		q.Set("status", v.State)
	}
	if v.Route != "" {
		q.Set("route", v.Route)
	}
	if v.OnlyOverdue {
		q.Set("te-laat", "1")
	}
	h.Href = "/beheer/doorlooptijden?" + q.Encode()
	return h
}
