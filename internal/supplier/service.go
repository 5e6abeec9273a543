// Package supplier runs the admission of suppliers (SPEC §2 rule 8, §3):
// applications, review, the state machine's moves with their trail, API
// keys per environment, custom-API reviews and integration-test bookings.
// Every change and its audit entry commit in one transaction.
package supplier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/secret"
	"github.com/wujw/ohis/internal/store"
)

// Mailer puts mail in the outbox on the caller's transaction.
type Mailer interface {
	Enqueue(ctx context.Context, tx *store.Store, to, subject, text string) error
}

// Service is the admission process.
type Service struct {
	store   *store.Store
	auth    *auth.Service
	mailer  Mailer
	box     *secret.Box
	logger  *slog.Logger
	baseURL *url.URL
	now     func() time.Time
	// custom-API review (review.go): told of each submission, and whether
	// private addresses may be submitted (demo and tests).
	reviewHook       ReviewHook
	allowPrivateAPIs bool
}

// NewService returns the admission service.
func NewService(st *store.Store, authSvc *auth.Service, mailer Mailer, box *secret.Box, logger *slog.Logger, baseURL *url.URL) *Service {
	return &Service{store: st, auth: authSvc, mailer: mailer, box: box, logger: logger, baseURL: baseURL, now: time.Now}
}

// FieldErrors are Dutch messages per form field.
type FieldErrors map[string]string

func (e FieldErrors) Error() string { return fmt.Sprintf("%d invalid fields", len(e)) }

// ErrNotAllowed is a step that does not fit where the supplier stands; its
// message is Dutch and shown as is.
type ErrNotAllowed struct{ Reason string }

func (e ErrNotAllowed) Error() string { return e.Reason }

// ApplicationInput is the public application form as typed.
type ApplicationInput struct {
	CompanyName, KvK, VATID, IBAN, ContactName, Email, Phone, Website, Platform string
	AcceptTerms                                                                 bool
}

// Apply validates and stores an application and e-mails the applicant a
// confirmation. Invalid input returns FieldErrors; a KvK number that
// applied before is refused on the KvK field.
func (s *Service) Apply(ctx context.Context, in ApplicationInput, ip string) (admission.Application, error) {
	errs := FieldErrors{}
	a := admission.Application{
		CompanyName: strings.TrimSpace(in.CompanyName), ContactName: strings.TrimSpace(in.ContactName),
		Platform: admission.Platform(in.Platform),
	}
	var msg string
	if a.CompanyName == "" {
		errs["company_name"] = "Vul de bedrijfsnaam in."
	} else if len(a.CompanyName) > 200 {
		errs["company_name"] = "De bedrijfsnaam mag hoogstens 200 tekens lang zijn."
	}
	if a.KvK, msg = admission.NormalizeKvK(in.KvK); msg != "" {
		errs["kvk"] = msg
	}
	if a.VATID, msg = admission.NormalizeVAT(in.VATID); msg != "" {
		errs["vat_id"] = msg
	}
	if a.IBAN, msg = admission.NormalizeIBAN(in.IBAN); msg != "" {
		errs["iban"] = msg
	}
	if a.ContactName == "" {
		errs["contact_name"] = "Vul de naam van de contactpersoon in."
	} else if len(a.ContactName) > 200 {
		errs["contact_name"] = "De naam mag hoogstens 200 tekens lang zijn."
	}
	email, err := account.NormalizeEmail(in.Email)
	if err != nil {
		errs["email"] = "Vul een geldig e-mailadres in, zoals naam@uwwinkel.nl."
	}
	a.Email = email
	if a.Phone, msg = admission.NormalizePhone(in.Phone); msg != "" {
		errs["phone"] = msg
	}
	if a.Website, msg = admission.NormalizeWebsite(in.Website); msg != "" {
		errs["website"] = msg
	}
	if !a.Platform.Valid() {
		errs["platform"] = "Kies het webshopplatform dat u gebruikt."
	}
	if !in.AcceptTerms {
		errs["accept_terms"] = "U kunt zich alleen aanmelden als u de voorwaarden accepteert."
	}
	if _, ok := errs["kvk"]; !ok && a.KvK != "" {
		if prev, err := s.store.ApplicationByKvK(ctx, a.KvK); err == nil {
			errs["kvk"] = kvkTaken(prev)
		} else if !errors.Is(err, store.ErrNotFound) {
			return admission.Application{}, err
		}
	}
	if len(errs) > 0 {
		return admission.Application{}, errs
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		created, err := tx.ApplicationCreate(ctx, a, ip)
		if errors.Is(err, store.ErrConflict) {
			// A double submit or a simultaneous application lost the race.
			return FieldErrors{"kvk": "Er is al een aanmelding met dit KvK-nummer ontvangen. U hoeft zich niet opnieuw aan te melden."}
		}
		if err != nil {
			return err
		}
		a = created
		body := fmt.Sprintf(`Beste %s,

Bedankt voor de aanmelding van %s als aanbieder op het inwisselplatform van Winst uit je woning.

Wij beoordelen uw aanmelding aan de hand van de toelatingseisen van de aanbesteding. U hoort van ons
zodra er een besluit is. Bij toelating ontvangt u een uitnodiging voor het portaal, waar u de
API-documentatie en toegang tot de test- en acceptatieomgeving vindt.

Uw gegevens:
  KvK-nummer:  %s
  Platform:    %s
  Webshop:     %s

Met vriendelijke groet,
Winst uit je woning`, a.ContactName, a.CompanyName, a.KvK, a.Platform.Label(), a.Website)
		if err := s.mailer.Enqueue(ctx, tx, a.Email, "Uw aanmelding bij Winst uit je woning is ontvangen", body); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: audit.Actor{Email: a.Email, IP: ip}, Action: audit.ApplicationSubmitted,
			SubjectType: "application", SubjectID: fmt.Sprint(a.ID), Detail: map[string]string{"name": a.CompanyName, "kvk": a.KvK}})
	})
	return a, err
}

func kvkTaken(prev admission.Application) string {
	return fmt.Sprintf("Er is al een aanmelding met dit KvK-nummer ontvangen op %s. U hoeft zich niet opnieuw aan te melden; neem bij vragen contact op met support.",
		prev.CreatedAt.In(amsterdam).Format("02-01-2006"))
}

var amsterdam = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// move is the one way an application changes state: lock, check the state
// machine, write the state, the transition and the audit entry.
func (s *Service) move(ctx context.Context, tx *store.Store, id int64, to admission.State, actor audit.Actor, reason string) (admission.Application, admission.Application, error) {
	before, err := tx.ApplicationGetForUpdate(ctx, id)
	if err != nil {
		return admission.Application{}, admission.Application{}, err
	}
	after, err := tx.ApplicationMove(ctx, before, to, actor, reason)
	if err != nil {
		return admission.Application{}, admission.Application{}, err
	}
	detail := map[string]string{"from": string(before.State), "to": string(to)}
	if reason != "" {
		detail["reason"] = reason
	}
	err = tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.AdmissionMoved, SubjectType: "application",
		SubjectID: fmt.Sprint(id), SupplierID: after.SupplierID, Detail: detail})
	return before, after, err
}

// StartReview takes an application into review.
func (s *Service) StartReview(ctx context.Context, actor audit.Actor, id int64) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		_, _, err := s.move(ctx, tx, id, admission.InReview, actor, "")
		return err
	})
}

// ErrReasonRequired is returned for a rejection or exclusion without reason.
var ErrReasonRequired = errors.New("a reason is required")

// Reject refuses an application with a reason that is e-mailed to the
// applicant.
func (s *Service) Reject(ctx context.Context, actor audit.Actor, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrReasonRequired
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		_, a, err := s.move(ctx, tx, id, admission.Rejected, actor, reason)
		if err != nil {
			return err
		}
		body := fmt.Sprintf(`Beste %s,

Wij hebben de aanmelding van %s als aanbieder op het inwisselplatform van Winst uit je woning
beoordeeld. Helaas kunnen wij u niet toelaten, om de volgende reden:

%s

Heeft u vragen over dit besluit? Beantwoord dan dit bericht.

Met vriendelijke groet,
Winst uit je woning`, a.ContactName, a.CompanyName, reason)
		return s.mailer.Enqueue(ctx, tx, a.Email, "Besluit over uw aanmelding bij Winst uit je woning", body)
	})
}

// Admit admits an application in review: it creates the supplier
// organisation, links it, and invites the contact person as its first
// supplier user — all or nothing.
func (s *Service) Admit(ctx context.Context, actor audit.Actor, id int64) (admission.Application, error) {
	var a admission.Application
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var (
			before admission.Application
			err    error
		)
		if before, a, err = s.move(ctx, tx, id, admission.Admitted, actor, ""); err != nil {
			return err
		}
		// The state machine also allows moving back to admitted (a failed
		// test, a withdrawn "ready"); admitting creates an organisation and
		// is only the decision on an application in review.
		if before.State != admission.InReview {
			return admission.ErrTransition{From: before.State, To: admission.Admitted}
		}
		sup, err := tx.SupplierCreate(ctx, a.CompanyName)
		if errors.Is(err, store.ErrConflict) {
			return ErrNotAllowed{fmt.Sprintf("Er bestaat al een aanbieder met de naam %q. Pas de naam van de bestaande aanbieder aan of neem contact op met de aanvrager.", a.CompanyName)}
		}
		if err != nil {
			return err
		}
		if a, err = tx.ApplicationSetAdmitted(ctx, id, sup.ID); err != nil {
			return err
		}
		if err := tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.SupplierCreated, SubjectType: "supplier",
			SubjectID: fmt.Sprint(sup.ID), SupplierID: &sup.ID, Detail: map[string]string{"name": sup.Name}}); err != nil {
			return err
		}
		_, err = s.auth.CreateUserTx(ctx, tx, actor, auth.NewAccount{
			Email: a.Email, Name: a.ContactName, Role: account.RoleSupplier, SupplierID: &sup.ID, Invite: true,
		})
		if errors.Is(err, auth.ErrEmailTaken) {
			return ErrNotAllowed{"Het e-mailadres van de contactpersoon (" + a.Email + ") hoort al bij een gebruiker van het portaal. Los dat eerst op onder Gebruikers."}
		}
		return err
	})
	return a, err
}

// Exclude excludes a supplier (or a pending applicant) with a reason, e.g.
// after its custom API was twice found not conform.
func (s *Service) Exclude(ctx context.Context, actor audit.Actor, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return ErrReasonRequired
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		_, a, err := s.move(ctx, tx, id, admission.Excluded, actor, reason)
		if err != nil {
			return err
		}
		// Exclusion ends access: keys stop working, a booked test is off.
		if a.SupplierID != nil {
			if _, err := tx.APIKeyRevokeAllForSupplier(ctx, *a.SupplierID); err != nil {
				return err
			}
		}
		if _, err := tx.TestBookingCancelLiveForApplication(ctx, a.ID); err != nil {
			return err
		}
		body := fmt.Sprintf(`Beste %s,

Wij hebben besloten %s uit te sluiten van deelname aan het inwisselplatform van Winst uit je woning,
om de volgende reden:

%s

Heeft u vragen over dit besluit? Beantwoord dan dit bericht.

Met vriendelijke groet,
Winst uit je woning`, a.ContactName, a.CompanyName, reason)
		return s.mailer.Enqueue(ctx, tx, a.Email, "Besluit over uw deelname aan Winst uit je woning", body)
	})
}

// SetAlternative records that an alternative integration was agreed (with
// the reason), which waives the connection requirement and its deadline;
// an empty reason withdraws it.
func (s *Service) SetAlternative(ctx context.Context, actor audit.Actor, id int64, reason string) error {
	reason = strings.TrimSpace(reason)
	return s.store.InTx(ctx, func(tx *store.Store) error {
		a, err := tx.ApplicationGetForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.ApplicationSetAlternative(ctx, id, reason); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.AlternativeAgreed, SubjectType: "application",
			SubjectID: fmt.Sprint(id), SupplierID: a.SupplierID, Detail: map[string]string{"reason": cmpOr(reason, "ingetrokken")}})
	})
}

// SetChecklist stores which admission requirements the reviewer found met.
func (s *Service) SetChecklist(ctx context.Context, actor audit.Actor, id int64, checked map[string]bool) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		a, err := tx.ApplicationGetForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.ApplicationSetChecklist(ctx, id, checked); err != nil {
			return err
		}
		n := 0
		for _, ok := range checked {
			if ok {
				n++
			}
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.ChecklistSaved, SubjectType: "application",
			SubjectID: fmt.Sprint(id), SupplierID: a.SupplierID, Detail: map[string]string{"checked": fmt.Sprint(n)}})
	})
}

// ReportReady is the supplier saying its integration works (step 4): it
// needs an active acceptance API key, unless an alternative integration
// was agreed.
func (s *Service) ReportReady(ctx context.Context, actor audit.Actor, supplierID int64) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		a, err := tx.ApplicationBySupplier(ctx, supplierID)
		if err != nil {
			return err
		}
		if a, err = tx.ApplicationGetForUpdate(ctx, a.ID); err != nil {
			return err
		}
		if a.State != admission.Admitted {
			return ErrNotAllowed{"U kunt de koppeling alleen gereed melden in stap 3 (toegelaten tot test en acceptatie)."}
		}
		if a.AlternativeReason == "" && a.Route() == admission.RouteCustom {
			// The custom route passes the API review before the test.
			reviews, err := tx.CustomAPIReviewList(ctx, a.ID)
			if err != nil {
				return err
			}
			if !s.statusOf(a, reviews).Conform {
				return ErrNotAllowed{"Uw eigen API moet eerst conform zijn bevonden. Bied hem aan of wacht de beoordeling af onder Eigen API."}
			}
		}
		if a.AlternativeReason == "" {
			ok, err := s.hasLiveKey(ctx, tx, supplierID, admission.EnvAcceptance)
			if err != nil {
				return err
			}
			if !ok {
				return ErrNotAllowed{"Maak eerst een API-sleutel voor de acceptatieomgeving aan en test uw koppeling daarmee."}
			}
		}
		_, _, err = s.move(ctx, tx, a.ID, admission.IntegrationReady, actor, "")
		return err
	})
}

// WithdrawReady takes back "integration ready" before a test is booked.
func (s *Service) WithdrawReady(ctx context.Context, actor audit.Actor, supplierID int64) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		a, err := tx.ApplicationBySupplier(ctx, supplierID)
		if err != nil {
			return err
		}
		if a.State != admission.IntegrationReady {
			return ErrNotAllowed{"Er is niets in te trekken: uw koppeling staat niet als gereed gemeld, of er is al een test geboekt."}
		}
		_, _, err = s.move(ctx, tx, a.ID, admission.Admitted, actor, "gereedmelding ingetrokken")
		return err
	})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
