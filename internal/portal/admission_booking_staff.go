package portal

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
)

// Staff's side of the integration test: publishing and withdrawing slots,
// recording results per test case and variant, and the decision.

const slotsPath = "/beheer/testmomenten"

func (s *Server) slotsView(r *http.Request, in supplier.SlotInput, errs components.Errors) (admin.SlotsView, error) {
	ctx := r.Context()
	now := s.now()
	y, m, d := now.In(amsterdam()).Date()
	slots, err := s.store.TestSlotList(ctx, time.Date(y, m, d, 0, 0, 0, 0, amsterdam()))
	if err != nil {
		return admin.SlotsView{}, err
	}
	v := admin.SlotsView{
		Date: components.Field{Name: "date", Label: "Datum", Type: "date", Value: in.Date, Error: errs["date"], Required: true},
		Time: components.Field{Name: "time", Label: "Begintijd", Type: "time", Value: in.Time, Error: errs["time"],
			Hint: "Nederlandse tijd, bijvoorbeeld 14:30.", Required: true},
		Duration: components.Field{Name: "duration", Label: "Duur in minuten", Type: "number", Value: in.Duration, Error: errs["duration"],
			Hint: fmt.Sprintf("Van %d tot %d minuten.", supplier.MinSlotMinutes, supplier.MaxSlotMinutes), Required: true},
		StaffID: in.StaffID, StaffErr: errs["staff_id"],
		Errors: errs.Summary("date", "time", "duration", "staff_id"),
	}
	active := true
	for _, role := range []account.Role{account.RoleAdmin, account.RoleSupport} {
		users, err := s.store.UserList(ctx, store.UserFilter{Role: role, Active: &active})
		if err != nil {
			return v, err
		}
		for _, u := range users {
			v.Staff = append(v.Staff, admin.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.DisplayName() + " (" + role.Label() + ")"})
		}
	}
	for _, sl := range slots {
		row := admin.SlotRow{ID: sl.ID, Start: weekdayNL(sl.StartsAt) + " " + dateNL(sl.StartsAt) + " " + clockNL(sl.StartsAt),
			Duration: minutesNL(sl.DurationMin), Staff: cmp.Or(sl.StaffName, sl.StaffEmail)}
		switch {
		case sl.WithdrawnAt != nil:
			row.Status, row.StatusLabel = "withdrawn", "Ingetrokken"
		case sl.BookingID != nil:
			row.Status, row.StatusLabel = "booked", "Geboekt door"
			row.Company, row.BookingHref = sl.BookedByCompany, "/beheer/integratietests/"+strconv.FormatInt(*sl.BookingID, 10)
		case !sl.StartsAt.After(now):
			row.Status, row.StatusLabel = "past", "Voorbij, niet geboekt"
		default:
			row.Status, row.StatusLabel, row.CanWithdraw = "free", "Vrij", true
		}
		v.Rows = append(v.Rows, row)
	}
	return v, nil
}

func (s *Server) slotsList(w http.ResponseWriter, r *http.Request) error {
	in := supplier.SlotInput{Duration: "60", StaffID: strconv.FormatInt(currentUser(r).ID, 10)}
	v, err := s.slotsView(r, in, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, admin.Slots(s.withFlashes(w, r, s.pageFor(r, "Testmomenten")), v))
}

func (s *Server) slotCreate(w http.ResponseWriter, r *http.Request) error {
	in := supplier.SlotInput{Date: r.PostFormValue("date"), Time: r.PostFormValue("time"),
		Duration: r.PostFormValue("duration"), StaffID: r.PostFormValue("staff_id")}
	slot, err := s.supplier.CreateSlot(r.Context(), s.actor(r), in)
	var fe supplier.FieldErrors
	if errors.As(err, &fe) {
		v, verr := s.slotsView(r, in, components.Errors(fe))
		if verr != nil {
			return verr
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, admin.Slots(s.pageFor(r, "Testmomenten"), v))
	}
	if err != nil {
		return err
	}
	s.flash(w, r, "success", fmt.Sprintf("Het testmoment van %s %s om %s is gepubliceerd.",
		weekdayNL(slot.StartsAt), dateNL(slot.StartsAt), clockNL(slot.StartsAt)))
	return redirect(w, r, slotsPath)
}

func (s *Server) slotWithdraw(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.supplier.WithdrawSlot(r.Context(), s.actor(r), id)
	var na supplier.ErrNotAllowed
	switch {
	case errors.As(err, &na):
		s.flash(w, r, "error", na.Reason)
	case err != nil:
		return err
	default:
		s.flash(w, r, "success", "Het testmoment is ingetrokken; aanbieders kunnen het niet meer boeken.")
	}
	return redirect(w, r, slotsPath)
}

// testForm is what staff typed on an integration test's page, to show it
// again after a refusal.
type testForm struct {
	values     url.Values // the results form as posted; nil shows what is stored
	resultErrs components.Errors
	outcome    string
	findings   string
	decideErrs components.Errors
	refusal    string
}

func (s *Server) testView(r *http.Request, id int64, f testForm) (admin.TestView, error) {
	ctx := r.Context()
	d, err := s.store.TestBookingDetail(ctx, id)
	if err != nil {
		return admin.TestView{}, err
	}
	results, err := s.store.TestCaseResultList(ctx, id)
	if err != nil {
		return admin.TestView{}, err
	}
	v := admin.TestView{
		BookingID: id, Company: d.CompanyName, Contact: d.ContactName + " <" + d.ContactEmail + ">",
		ApplicationHref: "/beheer/aanmeldingen/" + strconv.FormatInt(d.ApplicationID, 10), State: d.ApplicationState.Label(),
		Start:    weekdayNL(d.Slot.StartsAt) + " " + dateNL(d.Slot.StartsAt) + " " + clockNL(d.Slot.StartsAt),
		Duration: minutesNL(d.Slot.DurationMin), Staff: cmp.Or(d.StaffName, d.StaffEmail),
		Status: bookingStatus(d.TestBooking), Editable: d.Live(), CanDecide: currentUser(r).Role == account.RoleAdmin, Decided: d.Outcome != "", Findings: d.Findings,
		Missing: supplier.MissingResults(results), Total: len(supplier.TestCases) * supplier.TestVariants,
		DecideOutcome: f.outcome, DecideFinding: f.findings, DecideErrors: f.decideErrs,
		ResultErrors: f.resultErrs.Summary(), Refusal: f.refusal,
	}
	if d.DecidedAt != nil {
		v.DecidedAt = components.DateTime(*d.DecidedAt)
	}
	stored := map[string]store.TestCaseResult{}
	for _, res := range results {
		stored[supplier.ResultField(supplier.TestCase(res.TestCase), res.Variant)] = res
		if res.Passed {
			v.Passed++
		}
	}
	for _, c := range supplier.TestCases {
		cv := admin.TestCaseView{Label: c.Label()}
		for n := 1; n <= supplier.TestVariants; n++ {
			vv := admin.TestVariantView{Variant: n, Field: supplier.ResultField(c, n), NoteField: supplier.NoteField(c, n)}
			if res, ok := stored[vv.Field]; ok {
				vv.Verdict, vv.Note = supplier.VerdictFailed, res.Note
				if res.Passed {
					vv.Verdict = supplier.VerdictPassed
				}
			}
			if f.values != nil {
				vv.Verdict, vv.Note = cmp.Or(f.values.Get(vv.Field), vv.Verdict), f.values.Get(vv.NoteField)
			}
			vv.Error = cmp.Or(f.resultErrs[vv.Field], f.resultErrs[vv.NoteField])
			cv.Variants = append(cv.Variants, vv)
		}
		v.Cases = append(v.Cases, cv)
	}
	return v, nil
}

func (s *Server) testShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.testView(r, id, testForm{})
	if err != nil {
		return err
	}
	return s.render(w, r, admin.TestResult(s.withFlashes(w, r, s.pageFor(r, "Integratietest "+v.Company)), v))
}

func (s *Server) testResults(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	var in []supplier.ResultInput
	for _, c := range supplier.TestCases {
		for n := 1; n <= supplier.TestVariants; n++ {
			in = append(in, supplier.ResultInput{Case: c, Variant: n,
				Verdict: r.PostForm.Get(supplier.ResultField(c, n)), Note: r.PostForm.Get(supplier.NoteField(c, n))})
		}
	}
	err = s.supplier.RecordResults(r.Context(), s.actor(r), id, in)
	if err == nil {
		s.flash(w, r, "success", "De resultaten zijn opgeslagen.")
		return redirect(w, r, "/beheer/integratietests/"+strconv.FormatInt(id, 10))
	}
	f := testForm{values: r.PostForm}
	var fe supplier.FieldErrors
	if errors.As(err, &fe) {
		f.resultErrs = components.Errors(fe)
	} else if f.refusal = testRefusal(err); f.refusal == "" {
		return err
	}
	return s.testRefused(w, r, id, f)
}

func (s *Server) testDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	outcome, findings := r.PostFormValue("outcome"), r.PostFormValue("findings")
	err = s.supplier.DecideTest(r.Context(), s.actor(r), id, outcome, findings)
	if err == nil {
		msg := "De integratietest is als geslaagd vastgelegd; de aanbieder is toegelaten tot productie en ontvangt bericht."
		if outcome == supplier.VerdictFailed {
			msg = "De integratietest is als niet geslaagd vastgelegd; de aanbieder is terug in stap 3 en ontvangt de bevindingen per e-mail."
		}
		s.flash(w, r, "success", msg)
		return redirect(w, r, "/beheer/integratietests/"+strconv.FormatInt(id, 10))
	}
	f := testForm{outcome: outcome, findings: findings}
	var fe supplier.FieldErrors
	if errors.As(err, &fe) {
		f.decideErrs = components.Errors(fe)
	} else if f.refusal = testRefusal(err); f.refusal == "" {
		return err
	}
	return s.testRefused(w, r, id, f)
}

// testRefusal is the Dutch reason of a refused result or decision, or ""
// for an error that is the server's.
func testRefusal(err error) string {
	var (
		na      supplier.ErrNotAllowed
		missing supplier.ErrResultsIncomplete
		trans   admission.ErrTransition
	)
	switch {
	case errors.As(err, &na):
		return na.Reason
	case errors.As(err, &missing):
		return missing.Error()
	case errors.As(err, &trans):
		return "De aanbieder staat niet meer op ‘integratietest gepland’ (" + trans.From.Label() + "), dus dit besluit kan niet worden vastgelegd."
	}
	return ""
}

func (s *Server) testRefused(w http.ResponseWriter, r *http.Request, id int64, f testForm) error {
	v, err := s.testView(r, id, f)
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, http.StatusUnprocessableEntity, admin.TestResult(s.pageFor(r, "Integratietest "+v.Company), v))
}
