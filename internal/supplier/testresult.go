package supplier

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// TestCase is one of the four cases of the integration test (SPEC §2 rule
// 9), each of which must succeed in TestVariants different ways.
type TestCase string

// The four test cases.
const (
	CaseCardFull      TestCase = "card_full"
	CaseCardIDEAL     TestCase = "card_ideal"
	CaseMultiSupplier TestCase = "multi_supplier"
	CaseReturnCredit  TestCase = "return_credit"
)

// TestCases lists the cases in the order of the tender.
var TestCases = []TestCase{CaseCardFull, CaseCardIDEAL, CaseMultiSupplier, CaseReturnCredit}

// TestVariants is how many different ways each case must succeed.
const TestVariants = 4

// Valid reports whether c is one of the four cases.
func (c TestCase) Valid() bool {
	for _, k := range TestCases {
		if c == k {
			return true
		}
	}
	return false
}

// Label is the Dutch name of the case.
func (c TestCase) Label() string {
	switch c {
	case CaseCardFull:
		return "Bestelling volledig betaald met de pas"
	case CaseCardIDEAL:
		return "Bestelling deels met de pas en deels met iDEAL"
	case CaseMultiSupplier:
		return "Bestelling bij meerdere aanbieders"
	case CaseReturnCredit:
		return "Retour met creditering aan WUJW"
	}
	return string(c)
}

func caseLabels() []string {
	out := make([]string, len(TestCases))
	for i, c := range TestCases {
		out[i] = c.Label()
	}
	return out
}

// Verdicts of one variant in the results form.
const (
	VerdictPassed = "passed"
	VerdictFailed = "failed"
)

// ResultInput is staff's entry for one variant of one case. An empty
// Verdict leaves the variant as it was.
type ResultInput struct {
	Case    TestCase
	Variant int
	Verdict string
	Note    string
}

// ResultField is the form field name of a variant's verdict; its note is
// NoteField.
func ResultField(c TestCase, variant int) string { return fmt.Sprintf("r_%s_%d", c, variant) }

// NoteField is the form field name of a variant's note.
func NoteField(c TestCase, variant int) string { return fmt.Sprintf("n_%s_%d", c, variant) }

// RecordResults saves staff's results of a booking's test cases, while it
// is undecided. Invalid entries return FieldErrors keyed by ResultField and
// NoteField; nothing is saved then.
func (s *Service) RecordResults(ctx context.Context, actor audit.Actor, bookingID int64, in []ResultInput) error {
	errs := FieldErrors{}
	var save []store.TestCaseResult
	for _, r := range in {
		if !r.Case.Valid() || r.Variant < 1 || r.Variant > TestVariants {
			continue // not a field of the form
		}
		note := strings.TrimSpace(r.Note)
		name := fmt.Sprintf("%s, variant %d", r.Case.Label(), r.Variant)
		if utf8.RuneCountInString(note) > 1000 {
			errs[NoteField(r.Case, r.Variant)] = "De toelichting bij " + name + " mag hoogstens 1000 tekens lang zijn."
		}
		switch r.Verdict {
		case VerdictPassed, VerdictFailed:
			save = append(save, store.TestCaseResult{BookingID: bookingID, TestCase: string(r.Case), Variant: r.Variant,
				Passed: r.Verdict == VerdictPassed, Note: note})
		case "":
			if note != "" {
				errs[ResultField(r.Case, r.Variant)] = "Kies bij " + name + " of die geslaagd is; de toelichting alleen wordt niet bewaard."
			}
		default:
			errs[ResultField(r.Case, r.Variant)] = "Kies bij " + name + " geslaagd of niet geslaagd."
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		b, err := tx.TestBookingGetForUpdate(ctx, bookingID)
		if err != nil {
			return err
		}
		if err := undecided(b); err != nil {
			return err
		}
		passed := 0
		for _, r := range save {
			if err := tx.TestCaseResultSet(ctx, r); err != nil {
				return err
			}
			if r.Passed {
				passed++
			}
		}
		a, err := tx.ApplicationGet(ctx, b.ApplicationID)
		if err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.TestResultsRecorded, SubjectType: "test_booking",
			SubjectID: fmt.Sprint(bookingID), SupplierID: a.SupplierID,
			Detail: map[string]string{"recorded": itoa(len(save)), "passed": itoa(passed)}})
	})
}

// undecided refuses a change to a booking that is cancelled or decided.
func undecided(b store.TestBooking) error {
	switch {
	case b.CancelledAt != nil:
		return ErrNotAllowed{"Deze boeking is geannuleerd door de aanbieder; er valt niets meer vast te leggen."}
	case b.Outcome != "":
		return ErrNotAllowed{"Over deze integratietest is al besloten; de resultaten en het besluit liggen vast."}
	}
	return nil
}

// MissingResults lists, in Dutch, every variant that keeps a test from
// passing: not recorded, or recorded as not passed. Empty means all
// TestCases × TestVariants passed.
func MissingResults(results []store.TestCaseResult) []string {
	got := map[string]store.TestCaseResult{}
	for _, r := range results {
		got[ResultField(TestCase(r.TestCase), r.Variant)] = r
	}
	var out []string
	for _, c := range TestCases {
		var parts []string
		for v := 1; v <= TestVariants; v++ {
			r, ok := got[ResultField(c, v)]
			switch {
			case !ok:
				parts = append(parts, fmt.Sprintf("variant %d niet vastgelegd", v))
			case !r.Passed:
				parts = append(parts, fmt.Sprintf("variant %d niet geslaagd", v))
			}
		}
		if len(parts) > 0 {
			out = append(out, c.Label()+": "+strings.Join(parts, ", "))
		}
	}
	return out
}

// ErrResultsIncomplete refuses "passed" while variants are missing or
// failed; Missing lists them in Dutch.
type ErrResultsIncomplete struct{ Missing []string }

func (e ErrResultsIncomplete) Error() string {
	return fmt.Sprintf("Geslaagd kan pas als alle %d varianten als geslaagd zijn vastgelegd. Nog niet in orde: %s.",
		len(TestCases)*TestVariants, strings.Join(e.Missing, "; "))
}

// DecideTest records staff's one decision on an integration test (step
// 5–6): passed admits the supplier to production and needs every variant
// recorded as passed; failed needs findings, sends the supplier back to
// step 3 and mails it the findings.
func (s *Service) DecideTest(ctx context.Context, actor audit.Actor, bookingID int64, outcome, findings string) error {
	findings = strings.TrimSpace(findings)
	switch {
	case outcome != VerdictPassed && outcome != VerdictFailed:
		return FieldErrors{"outcome": "Kies of de integratietest geslaagd is of niet."}
	case outcome == VerdictFailed && findings == "":
		return FieldErrors{"findings": "Beschrijf de bevindingen: wat moet de aanbieder verbeteren voordat het opnieuw kan?"}
	case utf8.RuneCountInString(findings) > 5000:
		return FieldErrors{"findings": "De bevindingen mogen hoogstens 5000 tekens lang zijn."}
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		b, err := tx.TestBookingGet(ctx, bookingID)
		if err != nil {
			return err
		}
		// The application first, then the booking: the order in which the
		// supplier's cancel takes them, so the two cannot deadlock.
		if _, err := tx.ApplicationGetForUpdate(ctx, b.ApplicationID); err != nil {
			return err
		}
		if b, err = tx.TestBookingGetForUpdate(ctx, bookingID); err != nil {
			return err
		}
		if err := undecided(b); err != nil {
			return err
		}
		if outcome == VerdictPassed {
			results, err := tx.TestCaseResultList(ctx, bookingID)
			if err != nil {
				return err
			}
			if missing := MissingResults(results); len(missing) > 0 {
				return ErrResultsIncomplete{Missing: missing}
			}
		}
		if _, err := tx.TestBookingDecide(ctx, bookingID, outcome, findings, actor.UserID); errors.Is(err, store.ErrNotFound) {
			return ErrNotAllowed{"Over deze integratietest is al besloten."}
		} else if err != nil {
			return err
		}
		to, reason := admission.Production, "integratietest geslaagd"
		if outcome == VerdictFailed {
			to, reason = admission.Admitted, "integratietest niet geslaagd: "+findings
		}
		_, a, err := s.move(ctx, tx, b.ApplicationID, to, actor, reason)
		if err != nil {
			return err
		}
		if err := s.mailDecision(ctx, tx, a, outcome, findings); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.TestDecided, SubjectType: "test_booking",
			SubjectID: fmt.Sprint(bookingID), SupplierID: a.SupplierID, Detail: map[string]string{"result": outcome}})
	})
}

func (s *Service) mailDecision(ctx context.Context, tx *store.Store, a admission.Application, outcome, findings string) error {
	link := "het portaal"
	if s.baseURL != nil {
		link = s.baseURL.String()
	}
	if outcome == VerdictPassed {
		body := fmt.Sprintf(`Beste %s,

Gefeliciteerd: %s is geslaagd voor de integratietest en is toegelaten tot de productieomgeving van
het inwisselplatform van Winst uit je woning.

U kunt nu in het portaal API-sleutels voor de productieomgeving aanmaken:
%s
%s
Met vriendelijke groet,
Winst uit je woning`, a.ContactName, a.CompanyName, link, optionalNote(findings))
		return s.mailer.Enqueue(ctx, tx, a.Email, "Integratietest geslaagd: toegelaten tot productie", body)
	}
	body := fmt.Sprintf(`Beste %s,

De integratietest van %s is nog niet geslaagd. Dit zijn onze bevindingen:

%s

U bent terug in stap 3: pas uw koppeling aan en test die in de acceptatieomgeving. Meld de koppeling
daarna opnieuw gereed in het portaal en boek een nieuw moment voor de integratietest:
%s

Met vriendelijke groet,
Winst uit je woning`, a.ContactName, a.CompanyName, findings, link)
	return s.mailer.Enqueue(ctx, tx, a.Email, "Uitslag integratietest: nog niet geslaagd", body)
}

func optionalNote(note string) string {
	if note == "" {
		return ""
	}
	return "\nOpmerkingen bij de test:\n\n" + note + "\n"
}
