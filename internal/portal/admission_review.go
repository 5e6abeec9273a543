package portal

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/a-h/templ"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
	"github.com/wujw/ohis/web/admin"
	"github.com/wujw/ohis/web/components"
	websupplier "github.com/wujw/ohis/web/supplier"
)

// The custom-API review (SPEC §2 rule 5): the supplier's page and
// submission, and the staff's verdict.

const customAPIPath = "/koppeling/eigen-api"

// customAPIForm is the supplier's submission as typed; the secret is never
// put back into a page.
type customAPIForm struct {
	BaseURL, ConsumerKey string
}

func (s *Server) customAPIShow(w http.ResponseWriter, r *http.Request) error {
	v, err := s.customAPIView(r, customAPIForm{}, nil)
	if err != nil {
		return err
	}
	return s.render(w, r, websupplier.CustomAPI(s.withFlashes(w, r, s.pageFor(r, "Eigen API")), v))
}

func (s *Server) customAPISubmit(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	if u.SupplierID == nil {
		return errForbidden
	}
	f := customAPIForm{BaseURL: strings.TrimSpace(r.PostFormValue("base_url")), ConsumerKey: strings.TrimSpace(r.PostFormValue("consumer_key"))}
	_, err := s.supplier.SubmitCustomAPI(r.Context(), s.actor(r), *u.SupplierID, supplier.CustomAPIInput{
		BaseURL: f.BaseURL, ConsumerKey: f.ConsumerKey, ConsumerSecret: r.PostFormValue("consumer_secret"),
	})
	var fieldErrs supplier.FieldErrors
	var refused supplier.ErrNotAllowed
	switch {
	case errors.As(err, &fieldErrs):
		v, err := s.customAPIView(r, f, components.Errors(fieldErrs))
		if err != nil {
			return err
		}
		return s.renderStatus(w, r, http.StatusUnprocessableEntity, websupplier.CustomAPI(s.pageFor(r, "Eigen API"), v))
	case errors.As(err, &refused):
		s.flash(w, r, "error", refused.Reason)
	case err != nil:
		return err
	default:
		s.flash(w, r, "success", "Uw API is ter beoordeling aangeboden. U ontvangt de uitkomst met onze bevindingen per e-mail.")
	}
	return redirect(w, r, customAPIPath)
}

// customAPIView builds the supplier's page from its own application only.
func (s *Server) customAPIView(r *http.Request, f customAPIForm, errs components.Errors) (websupplier.CustomAPIView, error) {
	u := currentUser(r)
	if u.SupplierID == nil {
		return websupplier.CustomAPIView{}, errForbidden
	}
	st, err := s.supplier.CustomAPIStatusForSupplier(r.Context(), *u.SupplierID)
	if errors.Is(err, store.ErrNotFound) {
		return websupplier.CustomAPIView{Notice: "Voor uw organisatie is geen aanmelding als aanbieder bekend, dus ook geen eigen API om te beoordelen. Neem bij vragen contact op met support."}, nil
	}
	if err != nil {
		return websupplier.CustomAPIView{}, err
	}
	a := st.Application
	v := websupplier.CustomAPIView{Applicable: a.Route() == admission.RouteCustom, AlternativeAgreed: a.AlternativeReason != ""}
	if !v.Applicable {
		v.Notice = "Uw webshop draait op " + a.Platform.Label() + " en koppelt via de automatische route. U hoeft geen eigen API ter beoordeling aan te bieden; de handleiding beschrijft hoe de automatische koppeling werkt."
	}
	if a.APISubmittedAt != nil {
		v.FirstSubmitted = components.Date(*a.APISubmittedAt)
		if d, ok := a.Deadline(); ok {
			v.Deadline, v.Overdue = components.Date(d), a.Overdue(s.now())
		}
	}
	v.CanSubmit, v.Refusal, v.Chances = st.CanSubmit(), st.Refusal, chancesText(st)
	v.BaseURL = components.Field{Name: "base_url", Label: "Basisadres van uw API", Type: "url", Value: f.BaseURL, Error: errs["base_url"],
		Required: true, Autocomplete: "off", Hint: "Het adres waaronder de endpoints staan, beginnend met https://, bijvoorbeeld https://www.uwwinkel.nl/wp-json/wc/v3."}
	v.ConsumerKey = components.Field{Name: "consumer_key", Label: "Consumer key", Value: f.ConsumerKey, Error: errs["consumer_key"],
		Required: true, Autocomplete: "off", Hint: "De sleutel waarmee wij uw API aanroepen (bij WooCommerce begint hij met ck_)."}
	v.ConsumerSecret = components.Field{Name: "consumer_secret", Label: "Consumer secret", Type: "password", Error: errs["consumer_secret"],
		Required: true, Autocomplete: "off", Hint: "Het geheim bij de consumer key (bij WooCommerce begint het met cs_). Vul het bij elke inzending opnieuw in."}
	v.Errors = errs.Summary("base_url", "consumer_key", "consumer_secret")
	for i := len(st.Submissions) - 1; i >= 0; i-- {
		sub := st.Submissions[i]
		label, class := outcomeBadge(sub.Outcome)
		v.Submissions = append(v.Submissions, websupplier.CustomAPISubmission{
			Number: sub.Number, SubmittedAt: components.DateTime(sub.SubmittedAt), BaseURL: sub.BaseURL, MaskedKey: sub.MaskedKey,
			Outcome: label, OutcomeClass: class, Findings: findingLines(sub.Findings), ReviewedAt: components.DateTimePtr(sub.ReviewedAt),
			Open: !sub.Decided(),
		})
	}
	if err := s.attachConformanceSupplier(r.Context(), &v, st); err != nil {
		return v, err
	}
	return v, nil
}

// chancesText tells the supplier where it stands with its one correction.
func chancesText(st supplier.CustomAPIStatus) string {
	switch {
	case st.Conform:
		return "Uw API is conform bevonden. Test uw koppeling in de acceptatieomgeving en meld hem daarna gereed."
	case st.NotConform >= supplier.MaxNotConform:
		return "Uw API is twee keer niet conform bevonden; u heeft geen correctiekansen meer."
	case st.NotConform == 1 && st.CorrectionsLeft == 1:
		return "Uw API is niet conform bevonden. U heeft nog 1 correctiekans: los de bevindingen op en bied uw API opnieuw aan."
	case st.NotConform == 1:
		return "U heeft uw ene correctiekans gebruikt; uw gecorrigeerde API wordt beoordeeld."
	}
	return "Wordt uw API niet conform bevonden, dan krijgt u één kans om hem te corrigeren. Is hij daarna nog niet conform, dan kan Winst uit je woning u uitsluiten."
}

func outcomeBadge(o store.CustomAPIOutcome) (label, class string) {
	switch o {
	case store.CustomAPIConform:
		return o.Label(), "badge-ok"
	case store.CustomAPINotConform:
		return o.Label(), "badge-error"
	}
	return o.Label(), "badge-warn"
}

// findingLines splits findings into lines for display.
func findingLines(findings string) []string {
	if strings.TrimSpace(findings) == "" {
		return nil
	}
	return strings.Split(strings.ReplaceAll(findings, "\r\n", "\n"), "\n")
}

// customAPIDecide records a reviewer's verdict on the open submission.
func (s *Server) customAPIDecide(w http.ResponseWriter, r *http.Request) error {
	appID, err := pathID(r)
	if err != nil {
		return err
	}
	reviewID, err := strconv.ParseInt(r.PathValue("review"), 10, 64)
	if err != nil || reviewID <= 0 {
		return errNotFound
	}
	outcome, findings := store.CustomAPIOutcome(r.PostFormValue("outcome")), r.PostFormValue("findings")
	back := "/beheer/aanmeldingen/" + strconv.FormatInt(appID, 10)
	_, err = s.supplier.DecideCustomAPI(r.Context(), s.actor(r), appID, reviewID, outcome, findings)
	var fieldErrs supplier.FieldErrors
	var refused supplier.ErrNotAllowed
	switch {
	case errors.As(err, &fieldErrs):
		st, err := s.supplier.CustomAPIStatusOf(r.Context(), appID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(st.Submissions, func(sub supplier.CustomAPISubmission) bool { return sub.ID == reviewID }) {
			return errNotFound
		}
		if st.Open == nil || st.Open.ID != reviewID {
			s.flash(w, r, "error", supplier.ErrReviewDecided.Reason)
			return redirect(w, r, back)
		}
		v, err := s.customAPIReviewView(r.Context(), currentUser(r), st)
		if err != nil {
			return err
		}
		v.Outcome, v.Findings = string(outcome), findings
		v.OutcomeError, v.FindingsError = fieldErrs["outcome"], fieldErrs["findings"]
		errs := components.Errors(fieldErrs)
		v.Errors = errs.Summary("outcome", "findings")
		return s.renderStatus(w, r, http.StatusUnprocessableEntity,
			admin.CustomAPIReviewPage(s.pageFor(r, "Beoordeling eigen API"), v))
	case errors.As(err, &refused):
		s.flash(w, r, "error", refused.Reason)
	case err != nil:
		return err
	case outcome == store.CustomAPIConform:
		s.flash(w, r, "success", "De API is conform bevonden. De aanbieder is per e-mail ingelicht.")
	default:
		s.flash(w, r, "success", "De API is niet conform bevonden. De aanbieder heeft de bevindingen per e-mail ontvangen.")
	}
	return redirect(w, r, back)
}

// customAPISection is the custom-API review on an application's page for
// staff; nil for applications on the automatic route.
func (s *Server) customAPISection(r *http.Request, app admission.Application) (templ.Component, error) {
	if app.Route() != admission.RouteCustom {
		return nil, nil
	}
	st, err := s.supplier.CustomAPIStatusOf(r.Context(), app.ID)
	if err != nil {
		return nil, err
	}
	v, err := s.customAPIReviewView(r.Context(), currentUser(r), st)
	if err != nil {
		return nil, err
	}
	prefillConformance(r, &v)
	return admin.CustomAPIReviewSection(v), nil
}

func (s *Server) customAPIReviewView(ctx context.Context, viewer *account.User, st supplier.CustomAPIStatus) (admin.CustomAPIReviewView, error) {
	a := st.Application
	v := admin.CustomAPIReviewView{
		ApplicationID: a.ID, CompanyName: a.CompanyName,
		TwiceNotConform: st.NotConform >= supplier.MaxNotConform,
		Excluded:        a.State == admission.Excluded,
	}
	v.CanExclude = viewer != nil && viewer.Role == account.RoleAdmin && admission.CanMove(a.State, admission.Excluded)
	if a.APISubmittedAt != nil {
		v.FirstSubmitted = components.Date(*a.APISubmittedAt)
		if d, ok := a.Deadline(); ok {
			v.Deadline, v.Overdue = components.Date(d), a.Overdue(s.now())
		}
	}
	if st.Open != nil {
		v.OpenID, v.OpenNumber = st.Open.ID, st.Open.Number
	}
	names := map[int64]string{}
	name := func(id *int64) (string, error) {
		if id == nil {
			return "", nil
		}
		if n, ok := names[*id]; ok {
			return n, nil
		}
		u, err := s.store.UserGet(ctx, *id)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		names[*id] = u.Email
		return u.Email, nil
	}
	for _, sub := range st.Submissions {
		by, err := name(sub.SubmittedBy)
		if err != nil {
			return v, err
		}
		reviewer, err := name(sub.ReviewedBy)
		if err != nil {
			return v, err
		}
		label, class := outcomeBadge(sub.Outcome)
		v.Rows = append(v.Rows, admin.CustomAPIReviewRow{
			Number: sub.Number, SubmittedAt: components.DateTime(sub.SubmittedAt), SubmittedBy: by, BaseURL: sub.BaseURL,
			MaskedKey: sub.MaskedKey, Outcome: label, OutcomeClass: class, Findings: findingLines(sub.Findings),
			ReviewedAt: components.DateTimePtr(sub.ReviewedAt), ReviewedBy: reviewer, Open: !sub.Decided(),
		})
	}
	if err := s.attachConformanceStaff(ctx, &v, st); err != nil {
		return v, err
	}
	return v, nil
}
