package supplier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
)

// The custom-API review (SPEC §2 rule 5): a supplier on the custom route
// submits its API, a reviewer finds it conform or not. The first "not
// conform" leaves exactly one correction; after a second one the supplier
// cannot submit again and an admin may exclude it.

// MaxNotConform is how many "not conform" verdicts end the submissions:
// the first leaves one correction, the second uses it up.
const MaxNotConform = 2

// Credentials are a custom API's WooCommerce-style consumer key and
// secret, as sealed in a review.
type Credentials struct {
	Key    string `json:"key"`
	Secret string `json:"secret"`
}

// ReviewHook is told of every new submission inside the submission's
// transaction (the conformance report queues its run there).
type ReviewHook interface {
	CustomAPISubmitted(ctx context.Context, tx *store.Store, r store.CustomAPIReview) error
}

// SetReviewHook sets the hook; call it before serving.
func (s *Service) SetReviewHook(h ReviewHook) { s.reviewHook = h }

// AllowPrivateAPIs lets suppliers submit plain http and private addresses
// (the demo and tests, with the demo shop as their API; never in
// production). Call it before serving.
func (s *Service) AllowPrivateAPIs(allow bool) { s.allowPrivateAPIs = allow }

// CustomAPIInput is the supplier's submission form as typed.
type CustomAPIInput struct {
	BaseURL, ConsumerKey, ConsumerSecret string
}

// CustomAPISubmission is one submission as shown to people: the review
// with its consumer key masked.
type CustomAPISubmission struct {
	store.CustomAPIReview
	// Number counts submissions from 1.
	Number int
	// MaskedKey is the start of the consumer key ("ck_1••••••••"), or "—"
	// when the key it was sealed with is no longer configured.
	MaskedKey string
}

// CustomAPIStatus is where an application stands in the custom-API review.
type CustomAPIStatus struct {
	Application admission.Application
	Submissions []CustomAPISubmission
	// NotConform counts "not conform" verdicts.
	NotConform int
	// Open is the submission awaiting review, if any.
	Open *CustomAPISubmission
	// Conform reports whether a submission was found conform.
	Conform bool
	// CorrectionsLeft is 1 while the one correction after a "not conform"
	// is still to be used, else 0.
	CorrectionsLeft int
	// Refusal is the Dutch reason a new submission would be refused; empty
	// when the supplier may submit.
	Refusal string
}

// CanSubmit reports whether the supplier may submit its API now.
func (st CustomAPIStatus) CanSubmit() bool { return st.Refusal == "" }

// ErrReviewDecided is a verdict on a submission that already has one.
var ErrReviewDecided = ErrNotAllowed{"Over deze inzending is al besloten; er is niets gewijzigd."}

// The refusals of a new submission.
const (
	refuseAutomatic     = "Uw webshop koppelt via de automatische route; u hoeft geen eigen API ter beoordeling aan te bieden."
	refuseExcluded      = "Uw deelname aan het inwisselplatform is beëindigd; u kunt geen API meer aanbieden."
	refuseState         = "U kunt uw API alleen ter beoordeling aanbieden in stap 3 (toegelaten tot test en acceptatie)."
	refuseOpen          = "Uw vorige inzending wordt nog beoordeeld. U kunt pas opnieuw inzenden als daarover is besloten."
	refuseConform       = "Uw API is al conform bevonden; opnieuw aanbieden is niet nodig."
	refuseTwice         = "U heeft uw ene correctiekans gebruikt: uw API is twee keer niet conform bevonden. U kunt hem niet opnieuw aanbieden; Winst uit je woning neemt contact met u op."
	refuseNoApplication = "Voor uw organisatie is geen aanmelding als aanbieder bekend. Neem contact op met support."
)

// statusOf derives the review state from an application and its reviews.
func (s *Service) statusOf(a admission.Application, reviews []store.CustomAPIReview) CustomAPIStatus {
	st := CustomAPIStatus{Application: a}
	for i, r := range reviews {
		sub := CustomAPISubmission{CustomAPIReview: r, Number: i + 1, MaskedKey: "—"}
		if c, err := s.openCredentials(r); err == nil {
			sub.MaskedKey = secret.Mask(c.Key)
		}
		st.Submissions = append(st.Submissions, sub)
		switch r.Outcome {
		case store.CustomAPINotConform:
			st.NotConform++
		case store.CustomAPIConform:
			st.Conform = true
		case store.CustomAPIPending:
			st.Open = &st.Submissions[len(st.Submissions)-1]
		}
	}
	last := len(reviews) - 1
	if st.NotConform == 0 || (st.NotConform < MaxNotConform && reviews[last].Outcome == store.CustomAPINotConform) {
		st.CorrectionsLeft = 1
	}
	switch {
	case a.Route() != admission.RouteCustom:
		st.Refusal = refuseAutomatic
	case a.State == admission.Excluded:
		st.Refusal = refuseExcluded
	case st.Open != nil:
		st.Refusal = refuseOpen
	case st.Conform:
		st.Refusal = refuseConform
	case st.NotConform >= MaxNotConform:
		st.Refusal = refuseTwice
	case a.State != admission.Admitted:
		st.Refusal = refuseState
	}
	return st
}

// CustomAPIStatusOf returns the review state of an application.
func (s *Service) CustomAPIStatusOf(ctx context.Context, applicationID int64) (CustomAPIStatus, error) {
	a, err := s.store.ApplicationGet(ctx, applicationID)
	if err != nil {
		return CustomAPIStatus{}, err
	}
	reviews, err := s.store.CustomAPIReviewList(ctx, a.ID)
	if err != nil {
		return CustomAPIStatus{}, err
	}
	return s.statusOf(a, reviews), nil
}

// CustomAPIStatusForSupplier returns the review state of the application a
// supplier was admitted through; store.ErrNotFound when it has none.
func (s *Service) CustomAPIStatusForSupplier(ctx context.Context, supplierID int64) (CustomAPIStatus, error) {
	a, err := s.store.ApplicationBySupplier(ctx, supplierID)
	if err != nil {
		return CustomAPIStatus{}, err
	}
	return s.CustomAPIStatusOf(ctx, a.ID)
}

// credentialsContext binds sealed credentials to their application, so a
// sealed value copied to another supplier's row does not open. (The row id
// is not known before the insert.)
func credentialsContext(applicationID int64) string {
	return fmt.Sprintf("custom_api_review:%d", applicationID)
}

// openCredentials unseals a review's credentials (for the connector and to
// show the masked key).
func (s *Service) openCredentials(r store.CustomAPIReview) (Credentials, error) {
	plain, err := s.box.Open(r.Credentials, r.KeyID, credentialsContext(r.ApplicationID))
	if err != nil {
		return Credentials{}, err
	}
	var c Credentials
	if err := json.Unmarshal(plain, &c); err != nil {
		return Credentials{}, fmt.Errorf("decoding credentials of review %d: %w", r.ID, err)
	}
	return c, nil
}

// CustomAPICredentials opens the credentials of a submission, for code
// that calls the supplier's API. Never log or display the result.
func (s *Service) CustomAPICredentials(r store.CustomAPIReview) (Credentials, error) {
	return s.openCredentials(r)
}

// SubmitCustomAPI offers the supplier's own API for review. Only an
// admitted supplier on the custom route may submit, never while a previous
// submission awaits review, after one was found conform, or after two were
// found not conform. The first submission starts the 4-week lead time.
func (s *Service) SubmitCustomAPI(ctx context.Context, actor audit.Actor, supplierID int64, in CustomAPIInput) (store.CustomAPIReview, error) {
	baseURL, creds, errs := checkCustomAPIInput(in, s.allowPrivateAPIs)
	if len(errs) > 0 {
		return store.CustomAPIReview{}, errs
	}
	var out store.CustomAPIReview
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		found, err := tx.ApplicationBySupplier(ctx, supplierID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotAllowed{refuseNoApplication}
		}
		if err != nil {
			return err
		}
		// The lock serialises submissions and verdicts of one supplier, so
		// a double submit finds the first one open.
		a, err := tx.ApplicationGetForUpdate(ctx, found.ID)
		if err != nil {
			return err
		}
		reviews, err := tx.CustomAPIReviewList(ctx, a.ID)
		if err != nil {
			return err
		}
		if st := s.statusOf(a, reviews); !st.CanSubmit() {
			return ErrNotAllowed{st.Refusal}
		}
		plain, err := json.Marshal(creds)
		if err != nil {
			return fmt.Errorf("encoding credentials: %w", err)
		}
		sealed, keyID := s.box.Seal(plain, credentialsContext(a.ID))
		out, err = tx.CustomAPIReviewCreate(ctx, store.CustomAPIReview{
			ApplicationID: a.ID, BaseURL: baseURL, Credentials: sealed, KeyID: keyID, SubmittedBy: actor.UserID,
		})
		if err != nil {
			return err
		}
		if err := tx.ApplicationSetAPISubmitted(ctx, a.ID); err != nil {
			return err
		}
		if s.reviewHook != nil {
			if err := s.reviewHook.CustomAPISubmitted(ctx, tx, out); err != nil {
				return err
			}
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.CustomAPISubmitted, SubjectType: "application",
			SubjectID: fmt.Sprint(a.ID), SupplierID: a.SupplierID, Detail: map[string]string{
				"review": fmt.Sprint(out.ID), "submission": fmt.Sprint(len(reviews) + 1), "base_url": baseURL, "key_id": keyID,
			}})
	})
	return out, err
}

// DecideCustomAPI records a reviewer's verdict on the open submission of
// an application and e-mails it, with the findings, to the supplier's
// contact. Findings are required for "not conform". A submission that was
// decided already is ErrReviewDecided: of two reviewers deciding at once,
// exactly one wins.
func (s *Service) DecideCustomAPI(ctx context.Context, actor audit.Actor, applicationID, reviewID int64, outcome store.CustomAPIOutcome, findings string) (store.CustomAPIReview, error) {
	findings = strings.TrimSpace(strings.ReplaceAll(findings, "\r\n", "\n"))
	errs := FieldErrors{}
	if !outcome.Valid() {
		errs["outcome"] = "Kies of de API conform of niet conform is."
	}
	switch {
	case outcome == store.CustomAPINotConform && findings == "":
		errs["findings"] = "Beschrijf bij “niet conform” wat er niet klopt; de aanbieder ziet deze bevindingen en moet ze kunnen oplossen."
	case utf8.RuneCountInString(findings) > 10000:
		errs["findings"] = "De bevindingen mogen hoogstens 10.000 tekens lang zijn."
	}
	if len(errs) > 0 {
		return store.CustomAPIReview{}, errs
	}
	var out store.CustomAPIReview
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		a, err := tx.ApplicationGetForUpdate(ctx, applicationID)
		if err != nil {
			return err
		}
		r, err := tx.CustomAPIReviewGetForUpdate(ctx, reviewID)
		if err != nil {
			return err
		}
		if r.ApplicationID != a.ID {
			return fmt.Errorf("review %d belongs to another application: %w", reviewID, store.ErrNotFound)
		}
		if r.Decided() {
			return ErrReviewDecided
		}
		out, err = tx.CustomAPIReviewDecide(ctx, r.ID, outcome, findings, actor.UserID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrReviewDecided
		}
		if err != nil {
			return err
		}
		reviews, err := tx.CustomAPIReviewList(ctx, a.ID)
		if err != nil {
			return err
		}
		st := s.statusOf(a, reviews)
		number := 0
		for _, sub := range st.Submissions {
			if sub.ID == out.ID {
				number = sub.Number
			}
		}
		subject, body := s.verdictMail(a, st, out)
		if err := s.mailer.Enqueue(ctx, tx, a.Email, subject, body); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.CustomAPIReviewed, SubjectType: "application",
			SubjectID: fmt.Sprint(a.ID), SupplierID: a.SupplierID, Detail: map[string]string{
				"review": fmt.Sprint(out.ID), "submission": fmt.Sprint(number), "outcome": string(outcome),
				"findings": truncate(findings, 500),
			}})
	})
	return out, err
}

// verdictMail is the e-mail telling the supplier the verdict and what
// follows from it.
func (s *Service) verdictMail(a admission.Application, st CustomAPIStatus, r store.CustomAPIReview) (subject, body string) {
	link := s.baseURL.JoinPath("/koppeling/eigen-api").String()
	findings := r.Findings
	if findings == "" {
		findings = "(geen bevindingen)"
	}
	var verdict, next string
	switch {
	case r.Outcome == store.CustomAPIConform:
		subject = "Uw eigen API is conform bevonden"
		verdict = "Wij hebben uw API beoordeeld en conform bevonden."
		next = "U kunt uw koppeling nu in de acceptatieomgeving testen en daarna in het portaal gereed melden."
	case st.NotConform >= MaxNotConform:
		subject = "Uw eigen API is opnieuw niet conform bevonden"
		verdict = "Wij hebben uw gecorrigeerde API beoordeeld en opnieuw niet conform bevonden."
		next = "Daarmee is uw ene correctiekans gebruikt. Winst uit je woning kan besluiten u van deelname uit te sluiten; wij nemen contact met u op."
	default:
		subject = "Uw eigen API is niet conform bevonden"
		verdict = "Wij hebben uw API beoordeeld en niet conform bevonden."
		next = "U krijgt één kans om uw API te corrigeren. Los de bevindingen op en bied uw API daarna opnieuw aan via " + link + "."
	}
	body = fmt.Sprintf(`Beste %s,

%s

Bevindingen:
%s

%s

Basisadres van de beoordeelde API: %s
Alle inzendingen en bevindingen staan in het portaal: %s

Met vriendelijke groet,
Winst uit je woning`, a.ContactName, verdict, findings, next, r.BaseURL, link)
	return subject, body
}

// checkCustomAPIInput validates the submission form and returns the
// normalised base URL and the credentials.
func checkCustomAPIInput(in CustomAPIInput, allowPrivate bool) (string, Credentials, FieldErrors) {
	errs := FieldErrors{}
	baseURL, msg := NormalizeAPIBaseURL(in.BaseURL)
	if allowPrivate {
		baseURL, msg = NormalizeURL(in.BaseURL, URLRules{What: "het basisadres van uw API", Example: "https://www.uwwinkel.nl/wp-json/wc/v3", AllowPrivate: true})
	}
	if msg != "" {
		errs["base_url"] = msg
	}
	c := Credentials{Key: strings.TrimSpace(in.ConsumerKey), Secret: strings.TrimSpace(in.ConsumerSecret)}
	if msg := checkCredential(c.Key, "de consumer key"); msg != "" {
		errs["consumer_key"] = msg
	}
	if msg := checkCredential(c.Secret, "het consumer secret"); msg != "" {
		errs["consumer_secret"] = msg
	}
	return baseURL, c, errs
}

func checkCredential(v, name string) string {
	switch {
	case v == "":
		return "Vul " + name + " in."
	case utf8.RuneCountInString(v) > 200:
		return capitalise(name) + " mag hoogstens 200 tekens lang zijn."
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }):
		return capitalise(name) + " bevat spaties of andere onzichtbare tekens; kopieer hem opnieuw uit uw webshop."
	}
	return ""
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
