package supplier_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/supplier"
)

var keySeq atomic.Int64

// keyHolder is a supplier admitted through the real flow, acting as one of
// its own users.
type keyHolder struct {
	App   admission.Application
	ID    int64
	Actor audit.Actor
}

func keyAdmit(t *testing.T, env *apptest.Env) keyHolder {
	t.Helper()
	ctx := context.Background()
	n := keySeq.Add(1)
	a, err := env.App.Supplier.Apply(ctx, supplier.ApplicationInput{
		CompanyName: fmt.Sprintf("Sleutelwinkel %d B.V.", n), KvK: fmt.Sprintf("%08d", 52000000+n), VATID: "NL123456789B01",
		IBAN: "NL91ABNA0417164300", ContactName: "Sam Sleutel", Email: fmt.Sprintf("contact%d@sleutel.example", n),
		Phone: "020 123 4567", Website: "https://sleutel.example", Platform: string(admission.WooCommerce), AcceptTerms: true,
	}, "192.0.2.1")
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	admin := env.Users[account.RoleAdmin]
	staff := audit.Actor{UserID: &admin.ID, Email: admin.Email}
	if err := env.App.Supplier.StartReview(ctx, staff, a.ID); err != nil {
		t.Fatalf("start review: %v", err)
	}
	if a, err = env.App.Supplier.Admit(ctx, staff, a.ID); err != nil {
		t.Fatalf("admit: %v", err)
	}
	u := env.CreateUser(t, fmt.Sprintf("medewerker%d@sleutel.example", n), account.RoleSupplier, a.SupplierID)
	return keyHolder{App: a, ID: *a.SupplierID, Actor: audit.Actor{UserID: &u.ID, Email: u.Email}}
}

// keyMove moves an application the way the booking and test steps do,
// for states this test does not drive through their own services.
func keyMove(t *testing.T, env *apptest.Env, appID int64, to admission.State) {
	t.Helper()
	ctx := context.Background()
	err := env.App.Store.InTx(ctx, func(tx *store.Store) error {
		a, err := tx.ApplicationGetForUpdate(ctx, appID)
		if err != nil {
			return err
		}
		_, err = tx.ApplicationMove(ctx, a, to, audit.Actor{Email: "test"}, "test")
		return err
	})
	if err != nil {
		t.Fatalf("moving application %d to %s: %v", appID, to, err)
	}
}

func keyCount(t *testing.T, env *apptest.Env, supplierID int64) int {
	t.Helper()
	keys, err := env.App.Store.APIKeyList(context.Background(), supplierID)
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

func TestCreateAPIKeyRules(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	s := keyAdmit(t, env)

	t.Run("bad input is refused per field and stores nothing", func(t *testing.T) {
		for _, tc := range []struct {
			env   admission.Environment
			name  string
			field string
		}{
			{"staging", "Koppeling", "environment"},
			{"", "Koppeling", "environment"},
			{admission.EnvAcceptance, "   ", "name"},
			{admission.EnvAcceptance, strings.Repeat("é", 101), "name"},
		} {
			_, err := env.App.Supplier.CreateAPIKey(ctx, s.Actor, s.ID, tc.env, tc.name)
			var fe supplier.FieldErrors
			if !errors.As(err, &fe) || fe[tc.field] == "" {
				t.Errorf("CreateAPIKey(%q, %q): %v, want a Dutch message on %s", tc.env, tc.name, err, tc.field)
			}
		}
		if n := keyCount(t, env, s.ID); n != 0 {
			t.Errorf("%d keys stored after refused input, want 0", n)
		}
	})

	t.Run("prefix per environment, secret shown once and stored hashed", func(t *testing.T) {
		seen := map[string]bool{}
		for _, e := range []admission.Environment{admission.EnvTest, admission.EnvAcceptance} {
			k, err := env.App.Supplier.CreateAPIKey(ctx, s.Actor, s.ID, e, "Koppeling "+string(e))
			if err != nil {
				t.Fatalf("create %s key: %v", e, err)
			}
			if !regexp.MustCompile(`^` + e.KeyPrefix() + `[0-9a-f]{6}$`).MatchString(k.Prefix) {
				t.Errorf("%s key prefix %q, want %s and 6 hex digits", e, k.Prefix, e.KeyPrefix())
			}
			if !strings.HasPrefix(k.Secret, k.Prefix+"_") || len(k.Secret) < len(k.Prefix)+30 {
				t.Errorf("%s secret %q does not start with its prefix %q or is short", e, k.Secret, k.Prefix)
			}
			if seen[k.Secret] {
				t.Errorf("secret %q handed out twice", k.Secret)
			}
			seen[k.Secret] = true
			var stored []byte
			if err := env.App.Pool.QueryRow(ctx, "SELECT secret_hash FROM api_keys WHERE id = $1", k.ID).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(stored, []byte(k.Secret)) || !bytes.Equal(stored, supplier.HashAPIKey(k.Secret)) {
				t.Errorf("stored %x, want the SHA-256 of the secret and never the secret itself", stored)
			}
			found, err := env.App.Store.APIKeyByHash(ctx, supplier.HashAPIKey(k.Secret))
			if err != nil || found.ID != k.ID {
				t.Errorf("looking the key up by its secret: %v (id %d), want key %d", err, found.ID, k.ID)
			}
		}
		entries, err := env.App.Store.AuditList(ctx, audit.Filter{Action: audit.APIKeyCreated})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 {
			t.Errorf("%d audit entries for created keys, want 2", len(entries))
		}
		for _, e := range entries {
			for secret := range seen {
				if strings.Contains(fmt.Sprint(e.Detail), secret) {
					t.Errorf("audit entry %v contains the secret", e.Detail)
				}
			}
		}
	})

	t.Run("production keys only after admission to production", func(t *testing.T) {
		before := keyCount(t, env, s.ID)
		_, err := env.App.Supplier.CreateAPIKey(ctx, s.Actor, s.ID, admission.EnvProduction, "Live")
		var na supplier.ErrNotAllowed
		if !errors.As(err, &na) || !strings.Contains(na.Reason, "tot productie bent toegelaten") {
			t.Fatalf("production key while admitted: %v, want the Dutch refusal", err)
		}
		if n := keyCount(t, env, s.ID); n != before {
			t.Errorf("%d keys after the refusal, want %d", n, before)
		}
		if err := env.App.Supplier.ReportReady(ctx, s.Actor, s.ID); err != nil {
			t.Fatalf("report ready: %v", err)
		}
		keyMove(t, env, s.App.ID, admission.TestBooked)
		keyMove(t, env, s.App.ID, admission.Production)
		k, err := env.App.Supplier.CreateAPIKey(ctx, s.Actor, s.ID, admission.EnvProduction, "Live")
		if err != nil {
			t.Fatalf("production key in production: %v", err)
		}
		if !strings.HasPrefix(k.Secret, "ohis_live_") {
			t.Errorf("production secret %q, want prefix ohis_live_", k.Secret)
		}
	})

	t.Run("no keys without admission or after exclusion", func(t *testing.T) {
		_, err := env.App.Supplier.CreateAPIKey(ctx, s.Actor, env.Supplier.ID, admission.EnvTest, "Koppeling")
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("key for an organisation without application: %v, want not found", err)
		}
		x := keyAdmit(t, env)
		admin := env.Users[account.RoleAdmin]
		if err := env.App.Supplier.Exclude(ctx, audit.Actor{UserID: &admin.ID, Email: admin.Email}, x.App.ID, "Twee keer niet conform"); err != nil {
			t.Fatal(err)
		}
		_, err = env.App.Supplier.CreateAPIKey(ctx, x.Actor, x.ID, admission.EnvTest, "Koppeling")
		var na supplier.ErrNotAllowed
		if !errors.As(err, &na) || !strings.Contains(na.Reason, "toegelaten") {
			t.Errorf("key after exclusion: %v, want the Dutch refusal", err)
		}
		if n := keyCount(t, env, x.ID) + keyCount(t, env, env.Supplier.ID); n != 0 {
			t.Errorf("%d keys stored for refused organisations, want 0", n)
		}
	})
}

func TestRevokeAPIKeyIsScopedToTheSupplier(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	mine, theirs := keyAdmit(t, env), keyAdmit(t, env)
	k, err := env.App.Supplier.CreateAPIKey(ctx, mine.Actor, mine.ID, admission.EnvAcceptance, "Koppeling")
	if err != nil {
		t.Fatal(err)
	}

	if _, err := env.App.Supplier.RevokeAPIKey(ctx, theirs.Actor, theirs.ID, k.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another supplier revoking my key: %v, want not found", err)
	}
	if _, err := env.App.Store.APIKeyByHash(ctx, supplier.HashAPIKey(k.Secret)); err != nil {
		t.Errorf("my key stopped working after another supplier tried to revoke it: %v", err)
	}
	others, err := env.App.Store.APIKeyList(ctx, theirs.ID)
	if err != nil || len(others) != 0 {
		t.Errorf("the other supplier lists %d keys (%v), want none of mine", len(others), err)
	}

	revoked, err := env.App.Supplier.RevokeAPIKey(ctx, mine.Actor, mine.ID, k.ID)
	if err != nil {
		t.Fatalf("revoking my own key: %v", err)
	}
	if revoked.RevokedAt == nil {
		t.Error("revoked key has no revocation time")
	}
	if _, err := env.App.Store.APIKeyByHash(ctx, supplier.HashAPIKey(k.Secret)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a revoked key still authenticates: %v", err)
	}
	if _, err := env.App.Supplier.RevokeAPIKey(ctx, mine.Actor, mine.ID, k.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("revoking twice: %v, want not found (nothing to revoke)", err)
	}
	entries, err := env.App.Store.AuditList(ctx, audit.Filter{Action: audit.APIKeyRevoked})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].SupplierID == nil || *entries[0].SupplierID != mine.ID {
		t.Errorf("audit entries for revocations: %+v, want exactly one for supplier %d", entries, mine.ID)
	}
}

func TestHashAPIKey(t *testing.T) {
	t.Parallel()
	a, b := "ohis_acc_3fa9c2_abc", "ohis_acc_3fa9c2_abd"
	want := sha256.Sum256([]byte(a))
	if got := supplier.HashAPIKey(a); !bytes.Equal(got, want[:]) {
		t.Errorf("HashAPIKey(%q) = %x, want its SHA-256 %x", a, got, want)
	}
	if !bytes.Equal(supplier.HashAPIKey(a), supplier.HashAPIKey(a)) {
		t.Error("HashAPIKey is not deterministic, so keys could not be looked up")
	}
	if bytes.Equal(supplier.HashAPIKey(a), supplier.HashAPIKey(b)) {
		t.Error("two secrets one character apart hash the same")
	}
}
