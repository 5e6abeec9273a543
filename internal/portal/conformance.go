package portal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/wujw/ohis/internal/conformance"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
	webconf "github.com/wujw/ohis/web/conformance"
	websupplier "github.com/wujw/ohis/web/supplier"
)

// The custom-API conformance report (issue 4): shown with each submission
// of the custom-API review, to staff with technical detail and to the
// supplier with its Dutch findings; staff can run it again; the supplier's
// API delivers its signed test webhook to the public receiver.

// registerConformanceRoutes registers the routes of this area (see routes.go).
func (s *Server) registerConformanceRoutes(mux *http.ServeMux) {
	s.public(mux, "POST "+conformance.ReceiverPrefix+"{token}", s.conformanceWebhook)
	s.handle(mux, "GET /beheer/aanmeldingen/{id}/api-beoordeling/{review}/rapport", s.conformanceStaffPage, adminsAndSupport...)
	s.handle(mux, "POST /beheer/aanmeldingen/{id}/api-beoordeling/{review}/rapport", s.conformanceRerun, adminsAndSupport...)
	s.handle(mux, "GET /koppeling/eigen-api/rapport/{review}", s.conformanceSupplierPage, suppliers...)
}

// conformanceWebhook receives a delivery of a test webhook. The supplier's
// server calls it without a session; the signature over the raw body
// decides, checked by the conformance service.
func (s *Server) conformanceWebhook(w http.ResponseWriter, r *http.Request) error {
	if s.conform == nil {
		return conformanceAnswer(w, http.StatusServiceUnavailable)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, conformance.MaxWebhookBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return conformanceAnswer(w, http.StatusRequestEntityTooLarge)
	case err != nil:
		return conformanceAnswer(w, http.StatusBadRequest)
	}
	return conformanceAnswer(w, s.conform.ReceiveWebhook(r.Context(), r.PathValue("token"), r.Header, body))
}

func conformanceAnswer(w http.ResponseWriter, status int) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := io.WriteString(w, http.StatusText(status)+"\n")
	return err
}

func reviewPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("review"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

func conformanceStaffHref(appID, reviewID int64) string {
	return fmt.Sprintf("/beheer/aanmeldingen/%d/api-beoordeling/%d/rapport", appID, reviewID)
}

func conformanceSupplierHref(reviewID int64) string {
	return fmt.Sprintf("%s/rapport/%d", customAPIPath, reviewID)
}

// submissionOf finds a submission in the review state.
func submissionOf(st supplier.CustomAPIStatus, reviewID int64) (supplier.CustomAPISubmission, bool) {
	for _, sub := range st.Submissions {
		if sub.ID == reviewID {
			return sub, true
		}
	}
	return supplier.CustomAPISubmission{}, false
}

// latestReport is the newest run of a submission; found is false when
// there is none.
func (s *Server) latestReport(ctx context.Context, reviewID int64) (conformance.Stored, bool, error) {
	if s.conform == nil {
		return conformance.Stored{}, false, nil
	}
	st, err := s.conform.Latest(ctx, reviewID)
	if errors.Is(err, store.ErrNotFound) {
		return conformance.Stored{}, false, nil
	}
	return st, err == nil, err
}

// conformanceStaffPage is one submission's report for staff; the region on
// the application page polls it while the report may still change.
func (s *Server) conformanceStaffPage(w http.ResponseWriter, r *http.Request) error {
	appID, err := pathID(r)
	if err != nil {
		return err
	}
	reviewID, err := reviewPathID(r)
	if err != nil {
		return err
	}
	st, err := s.supplier.CustomAPIStatusOf(r.Context(), appID)
	if err != nil {
		return err
	}
	sub, ok := submissionOf(st, reviewID)
	if !ok {
		return errNotFound
	}
	rep, found, err := s.latestReport(r.Context(), reviewID)
	if err != nil {
		return err
	}
	v := s.conformanceView(appID, sub, rep, found, true, embeddedRequest(r))
	p := s.pageFor(r, "Conformiteitsrapport eigen API")
	if !isHTMX(r) {
		p = s.withFlashes(w, r, p)
	}
	return s.render(w, r, webconf.Page(p, v, fmt.Sprintf("/beheer/aanmeldingen/%d", appID), "Terug naar de aanmelding"))
}

// conformanceRerun runs the report of an open submission again.
func (s *Server) conformanceRerun(w http.ResponseWriter, r *http.Request) error {
	appID, err := pathID(r)
	if err != nil {
		return err
	}
	reviewID, err := reviewPathID(r)
	if err != nil {
		return err
	}
	if s.conform == nil {
		return errNotFound
	}
	_, err = s.conform.Rerun(r.Context(), s.actor(r), appID, reviewID)
	var refused conformance.Refusal
	switch {
	case errors.As(err, &refused):
		s.flash(w, r, "error", refused.Reason)
	case err != nil:
		return err
	default:
		s.flash(w, r, "success", "Het conformiteitsrapport wordt opnieuw uitgevoerd; het staat bij de beoordeling van de eigen API zodra het klaar is.")
	}
	return redirect(w, r, fmt.Sprintf("/beheer/aanmeldingen/%d", appID))
}

// conformanceSupplierPage is one of the supplier's own submissions' report,
// with the Dutch findings only. Another organisation's submission is a 404.
func (s *Server) conformanceSupplierPage(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u.SupplierID == nil {
		return errForbidden
	}
	reviewID, err := reviewPathID(r)
	if err != nil {
		return err
	}
	if s.conform == nil {
		return errNotFound
	}
	if _, err := s.conform.ReviewForSupplier(r.Context(), *u.SupplierID, reviewID); err != nil {
		return err
	}
	st, err := s.supplier.CustomAPIStatusForSupplier(r.Context(), *u.SupplierID)
	if err != nil {
		return err
	}
	sub, ok := submissionOf(st, reviewID)
	if !ok {
		return errNotFound
	}
	rep, found, err := s.latestReport(r.Context(), reviewID)
	if err != nil {
		return err
	}
	v := s.conformanceView(st.Application.ID, sub, rep, found, false, embeddedRequest(r))
	p := s.pageFor(r, "Conformiteitsrapport eigen API")
	if !isHTMX(r) {
		p = s.withFlashes(w, r, p)
	}
	return s.render(w, r, webconf.Page(p, v, customAPIPath, "Terug naar eigen API"))
}

// embeddedQuery asks a report page for the region as it sits inside the
// application's or the supplier's page (the region polls with it).
const embeddedQuery = "weergave=ingebed"

func embeddedRequest(r *http.Request) bool { return r.URL.Query().Get("weergave") == "ingebed" }

// conformanceView builds the report region. embedded: it sits on the
// application's page (staff, below a level-2 section) or in a submission
// on the supplier's page (below a level-3 heading), and links to its own
// page.
func (s *Server) conformanceView(appID int64, sub supplier.CustomAPISubmission, rep conformance.Stored, found, staff, embedded bool) webconf.View {
	v := webconf.View{
		ID:    fmt.Sprintf("conformance-%d", sub.ID),
		Title: fmt.Sprintf("Conformiteitsrapport bij inzending %d", sub.Number),
		State: "none", Staff: staff, BaseURL: sub.BaseURL, Level: 2, Embedded: embedded,
	}
	self := conformanceSupplierHref(sub.ID)
	if staff {
		self = conformanceStaffHref(appID, sub.ID)
	}
	poll := self
	if embedded {
		v.FullHref = self
		poll = self + "?" + embeddedQuery
		v.Level = 4
		if staff {
			v.Level = 3
		}
	}
	if staff && !sub.Decided() {
		switch {
		case found && rep.Busy():
			v.RerunNote = "Het rapport wordt nu uitgevoerd; daarna kunt u het opnieuw laten uitvoeren."
		case s.conform != nil:
			v.RerunAction = conformanceStaffHref(appID, sub.ID)
		}
	}
	if !found {
		return v
	}
	v.State, v.Error = rep.Status, rep.Error
	if rep.Live() {
		v.PollURL = poll
	}
	v.Trigger = "automatisch na de inzending"
	if !rep.Automatic {
		v.Trigger = "opnieuw uitgevoerd op verzoek van een medewerker"
	}
	v.Finished = components.DateTimePtr(rep.FinishedAt)
	if rep.Report.BaseURL != "" {
		v.BaseURL = rep.Report.BaseURL
	}
	verdict := rep.Verdict()
	v.Verdict, v.VerdictClass = verdict.Label(), verdictClass(verdict)
	v.Summary = outcomeSummary(rep.Report)
	for _, area := range conformance.Areas {
		a := webconf.Area{Name: area}
		for _, c := range rep.Report.Checks {
			if c.Area != area {
				continue
			}
			cv := webconf.Check{ID: c.ID, Name: c.Name, Required: c.Required, Outcome: c.Outcome.Label(),
				OutcomeKey: string(c.Outcome), OutcomeClass: outcomeClass(c.Outcome), Finding: c.Finding}
			if staff {
				cv.Detail = c.Detail
			}
			a.Checks = append(a.Checks, cv)
		}
		if len(a.Checks) > 0 {
			v.Areas = append(v.Areas, a)
		}
	}
	if staff && embedded && !sub.Decided() && rep.Status == conformance.StatusDone && rep.Report.Findings() != "" {
		v.PrefillHref = fmt.Sprintf("/beheer/aanmeldingen/%d?bevindingen=rapport#api-beoordeling", appID)
	}
	return v
}

func verdictClass(v conformance.Verdict) string {
	switch v {
	case conformance.VerdictConform:
		return "badge-ok"
	case conformance.VerdictNotConform:
		return "badge-error"
	}
	return "badge-warn"
}

func outcomeClass(o conformance.Outcome) string {
	switch o {
	case conformance.Conform:
		return "badge-ok"
	case conformance.NotConform:
		return "badge-error"
	case conformance.Warning, conformance.Waiting:
		return "badge-warn"
	}
	return "badge-neutral"
}

// outcomeSummary counts the checks: "24 conform, 2 niet conform en 3 niet
// getest".
func outcomeSummary(rep conformance.Report) string {
	counts := rep.Counts()
	var parts []string
	for _, o := range []conformance.Outcome{conformance.Conform, conformance.NotConform, conformance.Warning, conformance.Waiting, conformance.NotTested} {
		if n := counts[o]; n > 0 {
			label := strings.ToLower(o.Label())
			if o == conformance.Warning && n > 1 {
				label = "waarschuwingen"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, label))
		}
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0] + "."
	}
	return "(" + strings.Join(parts[:len(parts)-1], ", ") + " en " + parts[len(parts)-1] + ")."
}

// attachConformanceStaff adds the reports to the staff's custom-API review:
// a link per submission, the newest submission's report in full, and its
// findings for the decision form.
func (s *Server) attachConformanceStaff(ctx context.Context, v *admin.CustomAPIReviewView, st supplier.CustomAPIStatus) error {
	if s.conform == nil || len(st.Submissions) == 0 {
		return nil
	}
	reports, err := s.conform.LatestForApplication(ctx, st.Application.ID)
	if err != nil {
		return err
	}
	for i := range v.Rows {
		for _, sub := range st.Submissions {
			if sub.Number != v.Rows[i].Number {
				continue
			}
			if rep, ok := reports[sub.ID]; ok {
				v.Rows[i].ReportHref = conformanceStaffHref(st.Application.ID, sub.ID)
				v.Rows[i].ReportLabel = rep.Verdict().Label()
				if rep.Busy() {
					v.Rows[i].ReportLabel = "wordt uitgevoerd"
				}
			}
		}
	}
	newest := st.Submissions[len(st.Submissions)-1]
	rep, found := reports[newest.ID]
	v.Report = webconf.Section(s.conformanceView(st.Application.ID, newest, rep, found, true, true))
	if found && rep.Status == conformance.StatusDone && !newest.Decided() {
		v.ReportFindings = rep.Report.Findings()
	}
	return nil
}

// prefillConformance fills an untouched decision form with the report's
// findings when staff asked for it (?bevindingen=rapport).
func prefillConformance(r *http.Request, v *admin.CustomAPIReviewView) {
	if r.URL.Query().Get("bevindingen") == "rapport" && v.OpenID != 0 && v.Findings == "" && v.ReportFindings != "" {
		v.Findings = v.ReportFindings
	}
}

// attachConformanceSupplier adds the reports to the supplier's own
// submissions (listed newest first): the newest in full, links for the
// rest.
func (s *Server) attachConformanceSupplier(ctx context.Context, v *websupplier.CustomAPIView, st supplier.CustomAPIStatus) error {
	if s.conform == nil || len(st.Submissions) == 0 {
		return nil
	}
	reports, err := s.conform.LatestForApplication(ctx, st.Application.ID)
	if err != nil {
		return err
	}
	newest := st.Submissions[len(st.Submissions)-1]
	for i := range v.Submissions {
		for _, sub := range st.Submissions {
			if sub.Number != v.Submissions[i].Number {
				continue
			}
			rep, found := reports[sub.ID]
			switch {
			case sub.ID == newest.ID:
				v.Submissions[i].Report = webconf.Section(s.conformanceView(st.Application.ID, sub, rep, found, false, true))
			case found:
				v.Submissions[i].ReportHref = conformanceSupplierHref(sub.ID)
			}
		}
	}
	return nil
}
