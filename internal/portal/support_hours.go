package portal

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/support"
	"github.com/wujw/ohis/web/components"
	supportweb "github.com/wujw/ohis/web/support"
)

var hoursMonthNames = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli",
	"augustus", "september", "oktober", "november", "december"}

func hoursMonthLabel(t time.Time) string {
	return hoursMonthNames[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// hoursEditPath is the edit form of a time entry (see routes.go).
func hoursEditPath(id int64) string {
	return "/beheer/uren/boeking/" + strconv.FormatInt(id, 10) + "/bewerken"
}

// hoursEntryPath is where a time entry's changes are posted.
func hoursEntryPath(id int64) string { return "/beheer/uren/boeking/" + strconv.FormatInt(id, 10) }

func (s *Server) hoursService() *support.HoursService { return support.NewHoursService(s.store, nil) }

func hoursCategoryOptions() []supportweb.HoursOption {
	out := make([]supportweb.HoursOption, len(support.Categories))
	for i, c := range support.Categories {
		out[i] = supportweb.HoursOption{Value: string(c), Label: c.Label()}
	}
	return out
}

// hoursFormInput is the time entry form as posted.
func hoursFormInput(r *http.Request) support.HoursInput {
	id, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("supplier_id")), 10, 64)
	return support.HoursInput{
		SupplierID: id, Date: r.PostFormValue("date"), Duration: r.PostFormValue("duration"),
		Category: r.PostFormValue("category"), Description: r.PostFormValue("description"),
	}
}

func (s *Server) hoursForm(r *http.Request, action string, edit bool, supplier string, in support.HoursInput, errs support.HoursInvalid) (supportweb.HoursForm, error) {
	f := supportweb.HoursForm{
		Action: action, Edit: edit, Supplier: supplier, SupError: errs["supplier_id"],
		Date:     components.Field{Name: "date", Label: "Datum", Type: "date", Value: in.Date, Error: errs["date"], Required: true},
		Duration: components.Field{Name: "duration", Label: "Duur", Value: in.Duration, Error: errs["duration"], Required: true, Hint: "Bijvoorbeeld 1:30, 1,5, 90m of 1u30.", Autocomplete: "off"},
		Category: in.Category, Categories: hoursCategoryOptions(), CatError: errs["category"],
		Description: components.Field{Name: "description", Label: "Omschrijving", Value: in.Description, Error: errs["description"], Required: true, Autocomplete: "off"},
		Errors:      components.Errors(errs).Summary("supplier_id", "date", "duration", "category", "description"),
	}
	if !edit {
		sups, err := s.store.SupplierList(r.Context())
		if err != nil {
			return f, err
		}
		for _, sp := range sups {
			f.Suppliers = append(f.Suppliers, supportweb.HoursOption{Value: strconv.FormatInt(sp.ID, 10), Label: sp.Name})
		}
	}
	return f, nil
}

func (s *Server) hoursOverviewPage(w http.ResponseWriter, r *http.Request, status int, in support.HoursInput, supplier string, errs support.HoursInvalid) error {
	svc := s.hoursService()
	u := currentUser(r)
	f, err := s.hoursForm(r, "/beheer/uren", false, supplier, in, errs)
	if err != nil {
		return err
	}
	accounts, err := svc.Accounts(r.Context())
	if err != nil {
		return err
	}
	today := svc.Today()
	monthStart := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	yearStart := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	next := monthStart.AddDate(0, 1, 0)
	v := supportweb.HoursOverviewView{
		Form: f, Month: hoursMonthLabel(today), Year: today.Year(), IsAdmin: u.Role == account.RoleAdmin,
		LastMonth: monthStart.AddDate(0, -1, 0).Format("2006-01"),
	}
	for _, a := range accounts {
		_, _, mb, ma := a.Totals(monthStart, next)
		_, _, yb, ya := a.Totals(yearStart, next)
		v.Rows = append(v.Rows, supportweb.HoursSummaryRow{
			SupplierID: a.SupplierID, Supplier: a.Supplier, Href: "/beheer/uren/aanbieder/" + strconv.FormatInt(a.SupplierID, 10),
			Allowance: support.FormatMinutes(a.Allowance), Used: support.FormatMinutes(a.Used), Remaining: support.FormatMinutes(a.Remaining),
			MonthBillable: support.FormatMinutes(mb), MonthAmount: support.FormatEUR(ma),
			YearBillable: support.FormatMinutes(yb), YearAmount: support.FormatEUR(ya),
		})
	}
	recent, err := svc.RecentByStaff(r.Context(), u.ID)
	if err != nil {
		return err
	}
	for _, e := range recent {
		v.Recent = append(v.Recent, supportweb.HoursEntryRow{
			ID: e.ID, Date: e.Date.Format("02-01-2006"), Supplier: e.Supplier, Category: support.Category(e.Category).Label(),
			Description: e.Description, Minutes: support.FormatMinutes(e.Minutes), Editable: true, EditHref: hoursEditPath(e.ID), DeleteHref: hoursEntryPath(e.ID) + "/verwijderen",
		})
	}
	closed, err := svc.ClosedMonths(r.Context())
	if err != nil {
		return err
	}
	closedSet := map[string]bool{}
	for _, c := range closed {
		closedSet[c.Format("2006-01")] = true
		v.Closed = append(v.Closed, hoursMonthLabel(c))
	}
	for i := range v.Recent {
		if closedSet[recent[i].Date.Format("2006-01")] {
			v.Recent[i].Editable = false
		}
	}
	p := s.withFlashes(w, r, s.pageFor(r, "Ondersteuningsuren"))
	return s.renderStatus(w, r, status, supportweb.HoursOverview(p, v))
}

func (s *Server) hoursOverview(w http.ResponseWriter, r *http.Request) error {
	today := s.hoursService().Today()
	in := support.HoursInput{Date: today.Format("2006-01-02"), Category: string(support.CategoryOther)}
	return s.hoursOverviewPage(w, r, http.StatusOK, in, r.URL.Query().Get("aanbieder"), nil)
}

func (s *Server) hoursCreate(w http.ResponseWriter, r *http.Request) error {
	in := hoursFormInput(r)
	e, err := s.hoursService().Log(r.Context(), s.actor(r), currentUser(r).ID, in)
	var inv support.HoursInvalid
	switch {
	case errors.As(err, &inv):
		return s.hoursOverviewPage(w, r, http.StatusUnprocessableEntity, in, r.PostFormValue("supplier_id"), inv)
	case err != nil:
		return err
	}
	s.flash(w, r, "success", support.FormatMinutes(e.Minutes)+" geboekt op "+e.Date.Format("02-01-2006")+".")
	return redirect(w, r, "/beheer/uren")
}

// hoursEditable loads the current user's own entry in an open month; any
// other entry is a 404 (someone else's) or a flash (closed month).
func (s *Server) hoursEditable(w http.ResponseWriter, r *http.Request) (store.TimeEntry, bool, error) {
	id, err := pathID(r)
	if err != nil {
		return store.TimeEntry{}, false, err
	}
	e, err := s.hoursService().Editable(r.Context(), currentUser(r).ID, id)
	var inv support.HoursInvalid
	switch {
	case errors.Is(err, support.ErrHoursNotOwn):
		return e, false, errForbidden
	case errors.As(err, &inv):
		s.flash(w, r, "error", support.MsgHoursClosed)
		return e, false, redirect(w, r, "/beheer/uren")
	case err != nil:
		return e, false, err
	}
	return e, true, nil
}

func (s *Server) hoursEditForm(w http.ResponseWriter, r *http.Request) error {
	e, ok, err := s.hoursEditable(w, r)
	if !ok {
		return err
	}
	in := support.HoursInput{Date: e.Date.Format("2006-01-02"), Duration: support.FormatMinutes(e.Minutes), Category: e.Category, Description: e.Description}
	f, err := s.hoursForm(r, hoursEntryPath(e.ID), true, "", in, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, supportweb.HoursEdit(s.pageFor(r, "Boeking wijzigen"), f))
}

func (s *Server) hoursUpdate(w http.ResponseWriter, r *http.Request) error {
	e, ok, err := s.hoursEditable(w, r)
	if !ok {
		return err
	}
	in := hoursFormInput(r)
	_, err = s.hoursService().Update(r.Context(), s.actor(r), currentUser(r).ID, e.ID, in)
	var inv support.HoursInvalid
	switch {
	case errors.Is(err, support.ErrHoursNotOwn):
		return errForbidden
	case errors.As(err, &inv):
		f, ferr := s.hoursForm(r, hoursEntryPath(e.ID), true, "", in, inv)
		if ferr != nil {
			return ferr
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, supportweb.HoursEdit(s.pageFor(r, "Boeking wijzigen"), f))
	case err != nil:
		return err
	}
	s.flash(w, r, "success", "De boeking is gewijzigd.")
	return redirect(w, r, "/beheer/uren")
}

func (s *Server) hoursDelete(w http.ResponseWriter, r *http.Request) error {
	e, ok, err := s.hoursEditable(w, r)
	if !ok {
		return err
	}
	_, err = s.hoursService().Delete(r.Context(), s.actor(r), currentUser(r).ID, e.ID)
	var inv support.HoursInvalid
	switch {
	case errors.Is(err, support.ErrHoursNotOwn):
		return errForbidden
	case errors.As(err, &inv):
		s.flash(w, r, "error", support.MsgHoursClosed)
		return redirect(w, r, "/beheer/uren")
	case err != nil:
		return err
	}
	s.flash(w, r, "success", "De boeking is verwijderd.")
	return redirect(w, r, "/beheer/uren")
}

// hoursMonth reads ?maand=jjjj-mm, defaulting to the current month.
func (s *Server) hoursMonth(r *http.Request) time.Time {
	if m, ok := support.ParseHoursMonth(r.URL.Query().Get("maand")); ok && m.Year() >= 2000 && m.Year() <= 2200 {
		return m
	}
	t := s.hoursService().Today()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func (s *Server) hoursSupplierView(r *http.Request, supplierID int64, base string, own bool) (supportweb.HoursSupplierView, error) {
	svc := s.hoursService()
	a, err := svc.Account(r.Context(), supplierID)
	if err != nil {
		return supportweb.HoursSupplierView{}, err
	}
	m := s.hoursMonth(r)
	key := m.Format("2006-01")
	st := a.Statement(m.Year(), m.Month())
	u := currentUser(r)
	v := supportweb.HoursSupplierView{
		SupplierID: supplierID, Supplier: a.Supplier, MonthKey: key, MonthLabel: hoursMonthLabel(m),
		PrevHref: base + "?maand=" + m.AddDate(0, -1, 0).Format("2006-01"), NextHref: base + "?maand=" + m.AddDate(0, 1, 0).Format("2006-01"),
		Allowance: support.FormatMinutes(a.Allowance), Used: support.FormatMinutes(a.Used), Remaining: support.FormatMinutes(a.Remaining),
		IsAdmin: !own && u.Role == account.RoleAdmin, Own: own,
		Statement: supportweb.HoursStatementView{
			Free: support.FormatMinutes(st.FreeMinutes), Billable: support.FormatMinutes(st.TotalMinutes),
			TotalExcl: support.FormatEUR(st.TotalExcl), TotalVAT: support.FormatEUR(st.TotalVAT), TotalIncl: support.FormatEUR(st.TotalIncl),
			CSVExcel: base + "/overzicht.csv?maand=" + key + "&formaat=excel", CSVPlain: base + "/overzicht.csv?maand=" + key + "&formaat=rfc4180",
		},
		AllowField: components.Field{Name: "minutes", Label: "Nieuw tegoed (uren)", Value: support.FormatMinutes(a.Allowance), Required: true, Hint: "Bijvoorbeeld 8, 12:30 of 600m.", Autocomplete: "off"},
		Reason:     components.Field{Name: "reason", Label: "Reden", Required: true, Autocomplete: "off"},
	}
	closed, err := svc.ClosedMonths(r.Context())
	if err != nil {
		return v, err
	}
	for _, c := range closed {
		if c.Equal(m) {
			v.Closed = true
		}
	}
	for _, l := range st.Lines {
		v.Statement.Lines = append(v.Statement.Lines, supportweb.HoursStatementLine{
			Date: l.Date.Format("02-01-2006"), Category: l.Category.Label(), Description: l.Description,
			Minutes: support.FormatMinutes(l.Minutes), Amount: support.FormatEUR(l.Amount),
		})
	}
	for _, e := range a.Month(m.Year(), m.Month()) {
		v.Entries = append(v.Entries, supportweb.HoursEntryRow{
			ID: e.ID, Date: e.Date.Format("02-01-2006"), Staff: e.StaffName, Category: e.Category.Label(), Description: e.Description,
			Minutes: support.FormatMinutes(e.Minutes), Free: support.FormatMinutes(e.FreeMinutes), Billable: support.FormatMinutes(e.BillableMinutes),
			Editable: !v.Closed && e.StaffID == u.ID, EditHref: hoursEditPath(e.ID), DeleteHref: hoursEntryPath(e.ID) + "/verwijderen",
		})
	}
	return v, nil
}

func (s *Server) hoursSupplier(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.hoursSupplierView(r, id, "/beheer/uren/aanbieder/"+strconv.FormatInt(id, 10), false)
	if err != nil {
		return err
	}
	return s.render(w, r, supportweb.HoursSupplier(s.withFlashes(w, r, s.pageFor(r, "Uren van "+v.Supplier)), v))
}

var hoursFileUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

// hoursCSV writes a supplier's statement for ?maand= as CSV.
func (s *Server) hoursCSV(w http.ResponseWriter, r *http.Request, supplierID int64) error {
	a, err := s.hoursService().Account(r.Context(), supplierID)
	if err != nil {
		return err
	}
	m := s.hoursMonth(r)
	dialect := support.ExcelNL
	switch r.URL.Query().Get("formaat") {
	case "", "excel":
	case "rfc4180":
		dialect = support.RFC4180
	default:
		return errNotFound
	}
	var buf bytes.Buffer
	if err := support.WriteStatementCSV(&buf, a.Statement(m.Year(), m.Month()), dialect); err != nil {
		return err
	}
	name := strings.Trim(hoursFileUnsafe.ReplaceAllString(strings.ToLower(a.Supplier), "-"), "-")
	if name == "" {
		name = strconv.FormatInt(supplierID, 10)
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ohis-uren-%s-%s.csv"`, name, m.Format("2006-01")))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) hoursSupplierCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.hoursCSV(w, r, id)
}

func (s *Server) hoursAllowance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	minutes, err := s.hoursService().SetAllowance(r.Context(), s.actor(r), id, r.PostFormValue("minutes"), r.PostFormValue("reason"))
	var inv support.HoursInvalid
	switch {
	case errors.As(err, &inv):
		v, verr := s.hoursSupplierView(r, id, "/beheer/uren/aanbieder/"+strconv.FormatInt(id, 10), false)
		if verr != nil {
			return verr
		}
		v.AllowField.Value, v.AllowField.Error = r.PostFormValue("minutes"), inv["minutes"]
		v.Reason.Value, v.Reason.Error = r.PostFormValue("reason"), inv["reason"]
		v.AllowErrors = components.Errors(inv).Summary("minutes", "reason")
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, supportweb.HoursSupplier(s.pageFor(r, "Uren van "+v.Supplier), v))
	case err != nil:
		return err
	}
	s.flash(w, r, "success", "Het tegoed is gewijzigd naar "+support.FormatMinutes(minutes)+" uur.")
	return redirect(w, r, "/beheer/uren/aanbieder/"+strconv.FormatInt(id, 10))
}

func (s *Server) hoursCloseMonth(w http.ResponseWriter, r *http.Request) error {
	m, err := s.hoursService().CloseMonth(r.Context(), s.actor(r), r.PostFormValue("maand"))
	var inv support.HoursInvalid
	switch {
	case errors.As(err, &inv):
		s.flash(w, r, "error", inv["maand"])
	case err != nil:
		return err
	default:
		s.flash(w, r, "success", "De maand "+hoursMonthLabel(m)+" is afgesloten.")
	}
	return redirect(w, r, "/beheer/uren")
}

// hoursOwnSupplier is the logged-in supplier's own organisation — always
// from the session, never from the request.
func hoursOwnSupplier(r *http.Request) (int64, error) {
	u := currentUser(r)
	if u == nil || u.SupplierID == nil {
		return 0, errForbidden
	}
	return *u.SupplierID, nil
}

func (s *Server) hoursOwn(w http.ResponseWriter, r *http.Request) error {
	id, err := hoursOwnSupplier(r)
	if err != nil {
		return err
	}
	v, err := s.hoursSupplierView(r, id, "/ondersteuning/uren", true)
	if err != nil {
		return err
	}
	return s.render(w, r, supportweb.HoursSupplier(s.withFlashes(w, r, s.pageFor(r, "Ondersteuningsuren")), v))
}

func (s *Server) hoursOwnCSV(w http.ResponseWriter, r *http.Request) error {
	id, err := hoursOwnSupplier(r)
	if err != nil {
		return err
	}
	return s.hoursCSV(w, r, id)
}
