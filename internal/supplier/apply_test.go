package supplier_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/supplier"
)

func aplValid(n int) supplier.ApplicationInput {
	return supplier.ApplicationInput{
		CompanyName: fmt.Sprintf("Warmtewinkel %d", n), KvK: fmt.Sprintf("%08d", 52000000+n), VATID: "NL123456789B01",
		IBAN: "NL91ABNA0417164300", ContactName: "Bram Bakker", Email: fmt.Sprintf("bram%d@warmte.example", n),
		Phone: "06-12345678", Website: "https://warmte.example", Platform: "shopify", AcceptTerms: true,
	}
}

func aplCount(t *testing.T, env *apptest.Env, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := env.App.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func aplAdmin(env *apptest.Env) audit.Actor {
	u := env.Users[account.RoleAdmin]
	return audit.Actor{UserID: &u.ID, Email: u.Email}
}

func TestApplyNormalisesStoresAndConfirms(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	in := aplValid(1)
	in.KvK, in.VATID, in.IBAN, in.Website = "5200.0001", "nl123456789b01", "nl91 abna 0417 1643 00", "warmte.example"
	a, err := env.App.Supplier.Apply(ctx, in, "198.51.100.7")
	if err != nil {
		t.Fatal(err)
	}
	if a.KvK != "52000001" || a.VATID != "NL123456789B01" || a.IBAN != "NL91ABNA0417164300" ||
		a.Phone != "+31612345678" || a.Website != "https://warmte.example" || a.State != admission.Applied || a.Route() != admission.RouteAutomatic {
		t.Errorf("stored %+v", a)
	}
	if n, err := env.App.Store.ApplicationCountByClientIP(ctx, "198.51.100.7", a.CreatedAt.Add(-1)); err != nil || n != 1 {
		t.Errorf("count by address = %d, %v; want 1", n, err)
	}
	if n, _ := env.App.Store.ApplicationCountByClientIP(ctx, "198.51.100.7", a.CreatedAt); n != 0 {
		t.Errorf("count since the moment itself = %d, want 0", n)
	}
	if n := aplCount(t, env, "SELECT count(*) FROM mail_outbox WHERE to_addr = $1", in.Email); n != 1 {
		t.Errorf("%d confirmations, want 1", n)
	}
}

func TestApplyRefusesBadInputWithoutWriting(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	_, err := env.App.Supplier.Apply(context.Background(), supplier.ApplicationInput{Platform: "bogus"}, "")
	var fe supplier.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want FieldErrors", err)
	}
	want := []string{"accept_terms", "company_name", "contact_name", "email", "iban", "kvk", "phone", "platform", "vat_id", "website"}
	if got := slices.Sorted(maps.Keys(fe)); !slices.Equal(got, want) {
		t.Errorf("fields %q, want %q", got, want)
	}
	for f, msg := range fe {
		if msg == "" || strings.Contains(msg, "invalid") {
			t.Errorf("%s: message %q is not Dutch", f, msg)
		}
	}
	if n := aplCount(t, env, "SELECT count(*) FROM applications"); n != 0 {
		t.Errorf("%d applications stored", n)
	}
}

func TestApplyRefusesSameKvKTwice(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	if _, err := env.App.Supplier.Apply(ctx, aplValid(1), ""); err != nil {
		t.Fatal(err)
	}
	again := aplValid(2)
	again.KvK = "5200 0001"
	_, err := env.App.Supplier.Apply(ctx, again, "")
	var fe supplier.FieldErrors
	if !errors.As(err, &fe) || !strings.HasPrefix(fe["kvk"], "Er is al een aanmelding met dit KvK-nummer ontvangen op ") || len(fe) != 1 {
		t.Errorf("second application: %v %v", err, fe)
	}
}

func TestAdmitIsAllOrNothing(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	in := aplValid(1)
	in.Email = env.Users[account.RoleCurator].Email // already a portal user
	a, err := env.App.Supplier.Apply(ctx, in, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Supplier.StartReview(ctx, aplAdmin(env), a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = env.App.Supplier.Admit(ctx, aplAdmin(env), a.ID)
	var na supplier.ErrNotAllowed
	if !errors.As(err, &na) || !strings.Contains(na.Reason, in.Email) {
		t.Fatalf("admit with a taken address: %v", err)
	}
	if n := aplCount(t, env, "SELECT count(*) FROM suppliers WHERE name = $1", in.CompanyName); n != 0 {
		t.Error("a supplier organisation was left behind")
	}
	got, err := env.App.Store.ApplicationGet(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != admission.InReview || got.SupplierID != nil {
		t.Errorf("application after the failed admit: %s %v", got.State, got.SupplierID)
	}
	if n := aplCount(t, env, "SELECT count(*) FROM admission_transitions WHERE application_id = $1", a.ID); n != 1 {
		t.Errorf("%d transitions, want only the start of the review", n)
	}
}

// Admitting is the decision on an application in review. The state machine
// also allows moving back to admitted (a failed test, a withdrawn "ready"),
// but that must never create a second organisation.
func TestAdmitOnlyFromReview(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	in := aplValid(1)
	a, err := env.App.Supplier.Apply(ctx, in, "")
	if err != nil {
		t.Fatal(err)
	}
	var te admission.ErrTransition
	if _, err := env.App.Supplier.Admit(ctx, aplAdmin(env), a.ID); !errors.As(err, &te) || te.From != admission.Applied {
		t.Errorf("admit from applied: %v", err)
	}
	if err := env.App.Supplier.StartReview(ctx, aplAdmin(env), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Supplier.Admit(ctx, aplAdmin(env), a.ID); err != nil {
		t.Fatal(err)
	}
	for _, st := range []admission.State{admission.Admitted, admission.IntegrationReady, admission.TestBooked} {
		if _, err := env.App.Pool.Exec(ctx, "UPDATE applications SET state = $1 WHERE id = $2", string(st), a.ID); err != nil {
			t.Fatal(err)
		}
		// Renamed, so a second organisation would not collide on the name.
		if _, err := env.App.Pool.Exec(ctx, "UPDATE suppliers SET name = name || ' (oud)' WHERE name = $1", in.CompanyName); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Supplier.Admit(ctx, aplAdmin(env), a.ID); !errors.As(err, &te) || te.From != st {
			t.Errorf("admit from %s: %v, want ErrTransition", st, err)
		}
	}
	if n := aplCount(t, env, "SELECT count(*) FROM suppliers WHERE name LIKE $1", in.CompanyName+"%"); n != 1 {
		t.Errorf("%d supplier organisations, want 1", n)
	}
}

func TestRejectAndExcludeNeedAReason(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	a, err := env.App.Supplier.Apply(ctx, aplValid(1), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Supplier.Reject(ctx, aplAdmin(env), a.ID, " \n"); !errors.Is(err, supplier.ErrReasonRequired) {
		t.Errorf("reject without reason: %v", err)
	}
	if err := env.App.Supplier.Exclude(ctx, aplAdmin(env), a.ID, ""); !errors.Is(err, supplier.ErrReasonRequired) {
		t.Errorf("exclude without reason: %v", err)
	}
	if err := env.App.Supplier.Reject(ctx, aplAdmin(env), a.ID, "Geen webshop."); err != nil {
		t.Fatal(err)
	}
	trail, err := env.App.Store.AdmissionTransitions(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 1 || trail[0].To != admission.Rejected || trail[0].Reason != "Geen webshop." || trail[0].ActorEmail != aplAdmin(env).Email {
		t.Errorf("trail %+v", trail)
	}
	// Rejected is final.
	var te admission.ErrTransition
	if err := env.App.Supplier.StartReview(ctx, aplAdmin(env), a.ID); !errors.As(err, &te) {
		t.Errorf("review after rejection: %v", err)
	}
}

func TestAlternativeWaivesTheDeadline(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	a, err := env.App.Supplier.Apply(ctx, aplValid(1), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Supplier.StartReview(ctx, aplAdmin(env), a.ID); err != nil {
		t.Fatal(err)
	}
	if a, err = env.App.Supplier.Admit(ctx, aplAdmin(env), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Deadline(); !ok {
		t.Fatal("an admitted automatic-route supplier has no deadline")
	}
	if err := env.App.Supplier.SetAlternative(ctx, aplAdmin(env), a.ID, "  Handmatige import afgesproken. "); err != nil {
		t.Fatal(err)
	}
	got, err := env.App.Store.ApplicationGet(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Deadline(); ok || got.AlternativeReason != "Handmatige import afgesproken." {
		t.Errorf("after agreeing: reason %q, deadline still running", got.AlternativeReason)
	}
	// The invited contact person is a supplier user of the new organisation.
	u, err := env.App.Store.UserCredentialsByEmail(ctx, a.Email)
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != account.RoleSupplier {
		t.Errorf("contact person role %s", u.Role)
	}
}
