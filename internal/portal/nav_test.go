package portal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/supplier"
)

// navAdmitted admits an applicant on a platform through the real flow and
// gives its contact person the test password.
func navAdmitted(t *testing.T, env *apptest.Env, kvk, email string, platform admission.Platform) {
	t.Helper()
	ctx := context.Background()
	a, err := env.App.Supplier.Apply(ctx, supplier.ApplicationInput{
		CompanyName: "Nav " + kvk, KvK: kvk, VATID: "NL123456789B01", IBAN: "NL91ABNA0417164300", ContactName: "Nav",
		Email: email, Phone: "020 123 4567", Website: "https://nav" + kvk + ".example", Platform: string(platform), AcceptTerms: true,
	}, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{Email: "test"}
	if err := env.App.Supplier.StartReview(ctx, actor, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Supplier.Admit(ctx, actor, a.ID); err != nil {
		t.Fatal(err)
	}
	cred, err := env.App.Store.UserCredentialsByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(apptest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Store.UserSetPassword(ctx, cred.ID, hash); err != nil {
		t.Fatal(err)
	}
}

// Suppliers on the custom route find their API review in the menu; those
// on the automatic route and staff do not see it.
func TestNavEigenAPIOnlyForCustomRoute(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	navAdmitted(t, env, "11112222", "custom@nav.example", admission.CustomAPI)
	navAdmitted(t, env, "33334444", "woo@nav.example", admission.WooCommerce)
	for _, tc := range []struct {
		email string
		want  bool
	}{
		{"custom@nav.example", true},
		{"woo@nav.example", false},
		{env.Users[account.RoleSupplier].Email, false},
		{env.Users[account.RoleAdmin].Email, false},
	} {
		c := env.Login(t, tc.email)
		nav := parseHTML(t, apptest.Body(t, env.Get(t, c, "/"))).Find(`[data-testid="nav"]`).Text()
		if got := strings.Contains(nav, "Eigen API"); got != tc.want {
			t.Errorf("%s: menu %q has Eigen API = %v, want %v", tc.email, nav, got, tc.want)
		}
	}
}
