package supplier_test

import (
	"context"
	"testing"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/store"
)

// A supplier on the custom route cannot skip the API review: reporting
// ready needs a conform verdict, not only an acceptance key.
func TestCustomRouteReadyNeedsConformAPI(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := revAdmit(t, env, admission.CustomAPI)
	if _, err := env.App.Supplier.CreateAPIKey(ctx, s.Actor, *s.App.SupplierID, admission.EnvAcceptance, "Koppeling"); err != nil {
		t.Fatal(err)
	}
	revWantRefusal(t, env.App.Supplier.ReportReady(ctx, s.Actor, *s.App.SupplierID), "conform")

	r := revSubmit(t, env, s, "geheim-1234567890")
	revWantRefusal(t, env.App.Supplier.ReportReady(ctx, s.Actor, *s.App.SupplierID), "conform")

	revDecide(t, env, s, r, store.CustomAPIConform, "")
	if err := env.App.Supplier.ReportReady(ctx, s.Actor, *s.App.SupplierID); err != nil {
		t.Fatalf("ready after a conform verdict: %v", err)
	}
	a, err := env.App.Store.ApplicationBySupplier(ctx, *s.App.SupplierID)
	if err != nil || a.State != admission.IntegrationReady {
		t.Fatalf("state %s (%v), want integration_ready", a.State, err)
	}
}
