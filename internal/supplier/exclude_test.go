package supplier_test

import (
	"context"
	"sync"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
)

// Excluding a supplier ends its access in the same transaction: every API
// key is revoked.
func TestExcludeRevokesKeys(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := revAdmit(t, env, admission.WooCommerce)
	for _, name := range []string{"Webshop", "Test"} {
		if _, err := env.App.Supplier.CreateAPIKey(ctx, s.Actor, *s.App.SupplierID, admission.EnvAcceptance, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.App.Supplier.Exclude(ctx, revStaff(env, account.RoleAdmin), s.App.ID, "Voldoet niet aan de voorwaarden"); err != nil {
		t.Fatal(err)
	}
	keys, err := env.App.Store.APIKeyList(ctx, *s.App.SupplierID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k.RevokedAt == nil {
			t.Errorf("key %s still live after exclusion", k.Prefix)
		}
	}
}

// Simultaneous "new key" submits with one name leave one live key; the
// others get the Dutch name error.
func TestAPIKeyNameUniqueUnderConcurrency(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := revAdmit(t, env, admission.WooCommerce)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 8 {
		wg.Go(func() {
			<-start
			_, _ = env.App.Supplier.CreateAPIKey(ctx, s.Actor, *s.App.SupplierID, admission.EnvTest, "Dubbel")
		})
	}
	close(start)
	wg.Wait()
	keys, err := env.App.Store.APIKeyList(ctx, *s.App.SupplierID)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 {
		t.Errorf("%d keys named Dubbel after 8 simultaneous submits, want 1", len(keys))
	}
}
