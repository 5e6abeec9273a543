package supplier_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

// bookedSupplier is a ready supplier with a booked test.
func bookedSupplier(t *testing.T, env *apptest.Env) (readySupplier, store.TestBooking) {
	t.Helper()
	s := newReadySupplier(t, env)
	b, err := env.App.Supplier.Book(context.Background(), s.Actor, s.SupplierID, newSlot(t, env, time.Duration(48+bookingSeq.Load())*time.Hour).ID)
	if err != nil {
		t.Fatal(err)
	}
	return s, b
}

// allResults is every case and variant with one verdict.
func allResults(verdict string) []supplier.ResultInput {
	var in []supplier.ResultInput
	for _, c := range supplier.TestCases {
		for v := 1; v <= supplier.TestVariants; v++ {
			in = append(in, supplier.ResultInput{Case: c, Variant: v, Verdict: verdict, Note: "bon " + string(c)})
		}
	}
	return in
}

// "Passed" needs all 16 variants recorded as passed; then the supplier is
// in production, gets told so, and the decision cannot be taken twice.
func TestDecidePassed(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s, b := bookedSupplier(t, env)
	admin := staff(env, account.RoleAdmin)

	partial := allResults(supplier.VerdictPassed)[:14]
	partial[3].Verdict = supplier.VerdictFailed
	if err := env.App.Supplier.RecordResults(ctx, admin, b.ID, partial); err != nil {
		t.Fatal(err)
	}
	err := env.App.Supplier.DecideTest(ctx, admin, b.ID, supplier.VerdictPassed, "")
	var missing supplier.ErrResultsIncomplete
	if !errors.As(err, &missing) || len(missing.Missing) != 2 {
		t.Fatalf("passing with missing results: %v", err)
	}
	msg := missing.Error()
	for _, want := range []string{"Bestelling volledig betaald met de pas: variant 4 niet geslaagd", "Retour met creditering aan WUJW: variant 3 niet vastgelegd, variant 4 niet vastgelegd"} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal %q does not say %q", msg, want)
		}
	}
	if st := appState(t, env, s.ApplicationID); st != admission.TestBooked {
		t.Fatalf("state after a refused pass %s", st)
	}

	if err := env.App.Supplier.RecordResults(ctx, admin, b.ID, allResults(supplier.VerdictPassed)); err != nil {
		t.Fatal(err)
	}
	results, _ := env.App.Store.TestCaseResultList(ctx, b.ID)
	if len(results) != 16 || len(supplier.MissingResults(results)) != 0 {
		t.Fatalf("%d results stored, missing %v", len(results), supplier.MissingResults(results))
	}
	if err := env.App.Supplier.DecideTest(ctx, admin, b.ID, supplier.VerdictPassed, ""); err != nil {
		t.Fatal(err)
	}
	if st := appState(t, env, s.ApplicationID); st != admission.Production {
		t.Errorf("state %s, want production", st)
	}
	mails := mailsTo(t, env, s.Email)
	if last := mails[len(mails)-1]; !strings.Contains(last.Subject, "geslaagd") {
		t.Errorf("last mail %q, want the pass notice", last.Subject)
	}
	var na supplier.ErrNotAllowed
	if err := env.App.Supplier.DecideTest(ctx, admin, b.ID, supplier.VerdictFailed, "toch niet"); !errors.As(err, &na) {
		t.Errorf("a second decision: %v", err)
	}
	if err := env.App.Supplier.RecordResults(ctx, admin, b.ID, allResults(supplier.VerdictFailed)); !errors.As(err, &na) {
		t.Errorf("results after the decision: %v", err)
	}
}

// "Failed" needs findings, sends the supplier back to step 3 and mails it
// the findings.
func TestDecideFailed(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s, b := bookedSupplier(t, env)
	support := staff(env, account.RoleSupport)
	var fe supplier.FieldErrors
	if err := env.App.Supplier.DecideTest(ctx, support, b.ID, supplier.VerdictFailed, "  "); !errors.As(err, &fe) || fe["findings"] == "" {
		t.Errorf("failing without findings: %v", err)
	}
	if err := env.App.Supplier.DecideTest(ctx, support, b.ID, "misschien", ""); !errors.As(err, &fe) || fe["outcome"] == "" {
		t.Errorf("an unknown outcome: %v", err)
	}
	findings := "Retouren komen niet door: de creditnota mist het ordernummer."
	if err := env.App.Supplier.DecideTest(ctx, support, b.ID, supplier.VerdictFailed, findings); err != nil {
		t.Fatal(err)
	}
	if st := appState(t, env, s.ApplicationID); st != admission.Admitted {
		t.Errorf("state %s, want admitted (back to step 3)", st)
	}
	mails := mailsTo(t, env, s.Email)
	last := mails[len(mails)-1]
	if !strings.Contains(last.Text, findings) || !strings.Contains(last.Subject, "niet geslaagd") {
		t.Errorf("last mail %q does not carry the findings:\n%s", last.Subject, last.Text)
	}
	got, err := env.App.Store.TestBookingGet(ctx, b.ID)
	if err != nil || got.Outcome != "failed" || got.Findings != findings {
		t.Errorf("booking after failing: %+v, %v", got, err)
	}
}

// A note without a verdict is refused with a Dutch message naming the
// variant, and nothing is saved.
func TestRecordResultsErrors(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	_, b := bookedSupplier(t, env)
	in := allResults(supplier.VerdictPassed)
	in[5].Verdict = ""
	err := env.App.Supplier.RecordResults(context.Background(), staff(env, account.RoleAdmin), b.ID, in)
	var fe supplier.FieldErrors
	field := supplier.ResultField(supplier.CaseCardIDEAL, 2)
	if !errors.As(err, &fe) || !strings.Contains(fe[field], "Bestelling deels met de pas en deels met iDEAL, variant 2") {
		t.Fatalf("got %v, want an error on %s", err, field)
	}
	if results, _ := env.App.Store.TestCaseResultList(context.Background(), b.ID); len(results) != 0 {
		t.Errorf("%d results saved after a refusal", len(results))
	}
}
