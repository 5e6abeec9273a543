package portal

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
)

// maxDecisionReason bounds the free-text reasons of decisions.
const maxDecisionReason = 2000

// admissionBadge is an admission state as a coloured badge.
func admissionBadge(st admission.State) admin.Badge {
	tone := "neutral"
	switch st {
	case admission.InReview, admission.IntegrationReady, admission.TestBooked:
		tone = "warn"
	case admission.Admitted, admission.Production:
		tone = "ok"
	case admission.Rejected, admission.Excluded:
		tone = "error"
	}
	return admin.Badge{Label: st.Label(), Tone: tone}
}

// formatIBAN writes an IBAN in groups of four, as on a bank card.
func formatIBAN(iban string) string {
	var b strings.Builder
	for i, r := range iban {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// queueFilters are the state filter of the review queue: by default the
// applications that wait for a decision.
func queueFilters() []admin.Option {
	out := []admin.Option{{Value: "", Label: "Te behandelen"}, {Value: "alle", Label: "Alle aanmeldingen"}}
	for _, st := range admission.States {
		out = append(out, admin.Option{Value: string(st), Label: st.Label()})
	}
	return out
}

func (s *Server) applicationsList(w http.ResponseWriter, r *http.Request) error {
	v := admin.ApplicationsView{Filters: queueFilters()}
	var state admission.State
	switch f := r.URL.Query().Get("status"); {
	case f == "alle":
		v.Filter = f
	case admission.State(f).Valid():
		v.Filter, state = f, admission.State(f)
	}
	items, err := s.store.ApplicationList(r.Context(), state)
	if err != nil {
		return err
	}
	for _, it := range items {
		if v.Filter == "" && it.State != admission.Applied && it.State != admission.InReview {
			continue
		}
		deadline := "—"
		if d, ok := it.Deadline(); ok {
			deadline = components.Date(d)
		}
		v.Rows = append(v.Rows, admin.ApplicationRow{
			ID: it.ID, Received: components.Date(it.CreatedAt), Company: it.CompanyName, KvK: it.KvK,
			Platform: it.Platform.Label(), Route: it.Route().Label(), State: admissionBadge(it.State), Deadline: deadline,
		})
	}
	if isHTMX(r) {
		return s.render(w, r, admin.ApplicationsResults(v))
	}
	return s.render(w, r, admin.Applications(s.withFlashes(w, r, s.pageFor(r, "Aanmeldingen")), v))
}

// decisionTexts are the decision forms' texts as typed, kept on a 422.
type decisionTexts struct{ reject, exclude, alternative string }

func (s *Server) applicationView(r *http.Request, id int64, typed *decisionTexts, errs components.Errors) (admin.ApplicationView, error) {
	ctx := r.Context()
	a, err := s.store.ApplicationGet(ctx, id)
	if err != nil {
		return admin.ApplicationView{}, err
	}
	reqs, err := s.store.AdmissionRequirements(ctx, true)
	if err != nil {
		return admin.ApplicationView{}, err
	}
	trail, err := s.store.AdmissionTransitions(ctx, id)
	if err != nil {
		return admin.ApplicationView{}, err
	}
	if typed == nil {
		typed = &decisionTexts{alternative: a.AlternativeReason}
	}
	clock, deadline, overdue := leadTime(a, s.now())
	v := admin.ApplicationView{
		ID: a.ID, Company: a.CompanyName, Received: components.DateTime(a.CreatedAt), KvK: a.KvK, VATID: a.VATID,
		IBAN: formatIBAN(a.IBAN), ContactName: a.ContactName, Email: a.Email, Phone: admission.FormatPhone(a.Phone), Website: a.Website,
		Platform: a.Platform.Label(), Route: a.Route().Label(), State: admissionBadge(a.State),
		ClockStart: clock, Deadline: deadline, Overdue: overdue,
		Alternative: a.AlternativeReason, DecisionReason: a.DecisionReason,
		ChecklistEditable: a.State == admission.Applied || a.State == admission.InReview,
		ReadOnly:          currentUser(r).Role != account.RoleAdmin,
		CanStartReview:    admission.CanMove(a.State, admission.InReview),
		CanAdmit:          a.State == admission.InReview,
		CanReject:         admission.CanMove(a.State, admission.Rejected),
		CanExclude:        admission.CanMove(a.State, admission.Excluded),
		CanAlternative:    !a.State.Final(),
		RejectReason: components.Field{Name: "reject_reason", Label: "Reden van afwijzing", Value: typed.reject,
			Hint: "De aanvrager ontvangt deze reden per e-mail.", Required: true, Error: errs["reject_reason"]},
		ExcludeReason: components.Field{Name: "exclude_reason", Label: "Reden van uitsluiting", Value: typed.exclude,
			Hint:     "De aanbieder ontvangt deze reden per e-mail, bijvoorbeeld dat de eigen API ook na de verbetering niet voldeed.",
			Required: true, Error: errs["exclude_reason"]},
		AltReason: components.Field{Name: "alternative_reason", Label: "Wat is afgesproken", Value: typed.alternative,
			Hint: "Laat het veld leeg en sla op om een eerdere afspraak in te trekken.", Error: errs["alternative_reason"]},
		Errors: errs.Summary("reject_reason", "exclude_reason", "alternative_reason"),
	}
	// The custom-API review's own section (admission_review.go); nil on the
	// automatic route.
	if v.CustomAPI, err = s.customAPISection(r, a); err != nil {
		return admin.ApplicationView{}, err
	}
	if a.SupplierID != nil {
		if sup, err := s.store.SupplierGet(ctx, *a.SupplierID); err == nil {
			v.SupplierName = sup.Name
		} else if !errors.Is(err, store.ErrNotFound) {
			return admin.ApplicationView{}, err
		}
	}
	for _, req := range reqs {
		key := strconv.FormatInt(req.ID, 10)
		v.Checklist = append(v.Checklist, admin.CheckItem{ID: req.ID, Label: req.Label, Checked: a.Checklist[key]})
		if !a.Checklist[key] {
			v.ChecklistOpen++
		}
	}
	for _, t := range trail {
		v.Transitions = append(v.Transitions, admin.TransitionRow{At: components.DateTime(t.At),
			Actor: cmp.Or(t.ActorEmail, "systeem"), From: t.From.Label(), To: t.To.Label(), Reason: t.Reason})
	}
	return v, nil
}

func (s *Server) applicationShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.applicationView(r, id, nil, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, admin.Application(s.withFlashes(w, r, s.pageFor(r, v.Company)), v))
}

// applicationPath is the page of one application.
func applicationPath(id int64) string { return "/beheer/aanmeldingen/" + strconv.FormatInt(id, 10) }

// decided answers a decision: a step the state machine or the service
// refuses becomes a Dutch flash on the application's page, never a 500.
func (s *Server) decided(w http.ResponseWriter, r *http.Request, id int64, err error, success string) error {
	var te admission.ErrTransition
	var na supplier.ErrNotAllowed
	switch {
	case errors.As(err, &te):
		s.flash(w, r, "error", fmt.Sprintf("Deze stap is niet mogelijk in de huidige status (%s). Ververs de pagina om te zien wat er is veranderd.", te.From.Label()))
	case errors.As(err, &na):
		s.flash(w, r, "error", na.Reason)
	case err != nil:
		return err
	default:
		s.flash(w, r, "success", success)
	}
	return redirect(w, r, applicationPath(id))
}

func (s *Server) applicationStartReview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	err = s.supplier.StartReview(r.Context(), s.actor(r), id)
	return s.decided(w, r, id, err, "De aanmelding is in behandeling genomen.")
}

func (s *Server) applicationAdmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.supplier.Admit(r.Context(), s.actor(r), id)
	return s.decided(w, r, id, err, fmt.Sprintf("%s is toegelaten. %s heeft een uitnodiging voor het portaal ontvangen.", a.CompanyName, a.Email))
}

// stepAllowed answers a step the state machine refuses before its form is
// checked: a missing reason on a step that cannot happen anyway would
// point at a field the page does not show. ok is false when it answered.
func (s *Server) stepAllowed(w http.ResponseWriter, r *http.Request, id int64, to admission.State) (bool, error) {
	a, err := s.store.ApplicationGet(r.Context(), id)
	if err != nil {
		return false, err
	}
	if err := admission.Move(a.State, to); err != nil {
		return false, s.decided(w, r, id, err, "")
	}
	return true, nil
}

// reasonOrError reads a required reason and returns the Dutch message when
// it is missing or too long.
func reasonOrError(r *http.Request, name, missing string) (string, string) {
	reason := strings.TrimSpace(r.PostFormValue(name))
	switch {
	case reason == "":
		return reason, missing
	case utf8.RuneCountInString(reason) > maxDecisionReason:
		return reason, fmt.Sprintf("De reden mag hoogstens %d tekens lang zijn.", maxDecisionReason)
	}
	return reason, ""
}

// reasonInvalid re-renders the application with the reason's message.
func (s *Server) reasonInvalid(w http.ResponseWriter, r *http.Request, id int64, typed decisionTexts, field, msg string) error {
	v, err := s.applicationView(r, id, &typed, components.Errors{field: msg})
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, http.StatusUnprocessableEntity, admin.Application(s.pageFor(r, v.Company), v))
}

func (s *Server) applicationReject(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if ok, err := s.stepAllowed(w, r, id, admission.Rejected); !ok || err != nil {
		return err
	}
	reason, msg := reasonOrError(r, "reject_reason", "Vul de reden van de afwijzing in; de aanvrager ontvangt deze per e-mail.")
	if msg == "" {
		err = s.supplier.Reject(r.Context(), s.actor(r), id, reason)
		if errors.Is(err, supplier.ErrReasonRequired) {
			msg = "Vul de reden van de afwijzing in; de aanvrager ontvangt deze per e-mail."
		}
	}
	if msg != "" {
		return s.reasonInvalid(w, r, id, decisionTexts{reject: reason}, "reject_reason", msg)
	}
	return s.decided(w, r, id, err, "De aanmelding is afgewezen. De aanvrager is per e-mail op de hoogte gebracht.")
}

func (s *Server) applicationExclude(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if ok, err := s.stepAllowed(w, r, id, admission.Excluded); !ok || err != nil {
		return err
	}
	reason, msg := reasonOrError(r, "exclude_reason", "Vul de reden van de uitsluiting in; de aanbieder ontvangt deze per e-mail.")
	if msg == "" {
		err = s.supplier.Exclude(r.Context(), s.actor(r), id, reason)
		if errors.Is(err, supplier.ErrReasonRequired) {
			msg = "Vul de reden van de uitsluiting in; de aanbieder ontvangt deze per e-mail."
		}
	}
	if msg != "" {
		return s.reasonInvalid(w, r, id, decisionTexts{exclude: reason}, "exclude_reason", msg)
	}
	return s.decided(w, r, id, err, "De aanbieder is uitgesloten en per e-mail op de hoogte gebracht.")
}

func (s *Server) applicationAlternative(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("alternative_reason"))
	if utf8.RuneCountInString(reason) > maxDecisionReason {
		return s.reasonInvalid(w, r, id, decisionTexts{alternative: reason}, "alternative_reason",
			fmt.Sprintf("De beschrijving mag hoogstens %d tekens lang zijn.", maxDecisionReason))
	}
	a, err := s.store.ApplicationGet(r.Context(), id)
	if err != nil {
		return err
	}
	switch {
	case a.State.Final():
		s.flash(w, r, "error", fmt.Sprintf("Deze stap is niet mogelijk in de huidige status (%s).", a.State.Label()))
		return redirect(w, r, applicationPath(id))
	case reason == a.AlternativeReason:
		// Nothing changes (also a double submit): no audit entry.
		s.flash(w, r, "info", "Er is niets gewijzigd aan de afspraak over een alternatieve koppeling.")
		return redirect(w, r, applicationPath(id))
	}
	success := "De alternatieve koppeling is vastgelegd; de koppelingseis en de deadline vervallen."
	if reason == "" {
		success = "De afspraak over een alternatieve koppeling is ingetrokken; de deadline geldt weer."
	}
	return s.decided(w, r, id, s.supplier.SetAlternative(r.Context(), s.actor(r), id, reason), success)
}

func (s *Server) applicationChecklist(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	a, err := s.store.ApplicationGet(r.Context(), id)
	if err != nil {
		return err
	}
	if a.State != admission.Applied && a.State != admission.InReview {
		s.flash(w, r, "error", fmt.Sprintf("De checklist kan alleen tijdens de beoordeling worden aangepast; de status is nu %s.", a.State.Label()))
		return redirect(w, r, applicationPath(id))
	}
	reqs, err := s.store.AdmissionRequirements(r.Context(), true)
	if err != nil {
		return err
	}
	// Requirements switched off since keep what was ticked for them; ids
	// that are no active requirement are ignored.
	checked := map[string]bool{}
	for k, ok := range a.Checklist {
		checked[k] = ok
	}
	ticked := r.PostForm["eis"]
	for _, req := range reqs {
		key := strconv.FormatInt(req.ID, 10)
		checked[key] = slices.Contains(ticked, key)
	}
	err = s.supplier.SetChecklist(r.Context(), s.actor(r), id, checked)
	return s.decided(w, r, id, err, "De checklist is opgeslagen.")
}
