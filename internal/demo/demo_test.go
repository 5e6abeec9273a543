package demo_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/apptest"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/auth"
	"github.com/wujw/ohis/internal/demo"
	"github.com/wujw/ohis/internal/outbox"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/testdb"
)

// newService wires the real auth service on a fresh database, with an
// outbox that keeps mail (no SMTP, no job runner), as a demo portal
// without mail settings does.
func newService(t *testing.T) (*store.Store, *auth.Service) {
	t.Helper()
	st := store.New(testdb.New(t))
	svc := auth.NewService(st, outbox.New(nil, false), slog.New(slog.NewTextHandler(io.Discard, nil)), auth.Options{
		BaseURL:     &url.URL{Scheme: "http", Host: "localhost:8080"},
		IdleTimeout: 2 * time.Hour,
		MaxAge:      12 * time.Hour,
	})
	return st, svc
}

type snapshot struct {
	users     []account.User
	suppliers []account.Supplier
	created   int // user.created audit entries
}

func take(t *testing.T, st *store.Store) snapshot {
	t.Helper()
	ctx := context.Background()
	users, err := st.UserList(ctx, store.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sups, err := st.SupplierList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := st.AuditList(ctx, audit.Filter{Action: audit.UserCreated, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return snapshot{users: users, suppliers: sups, created: len(entries)}
}

func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, svc := newService(t)

	if err := demo.Seed(ctx, st, svc); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	first := take(t, st)

	t.Run("both suppliers", func(t *testing.T) {
		var names []string
		for _, s := range first.suppliers {
			names = append(names, s.Name)
		}
		want := slices.Clone(demo.Suppliers)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("suppliers = %v, want %v", names, want)
		}
	})

	t.Run("a user for every role", func(t *testing.T) {
		perRole := map[account.Role]int{}
		for _, u := range first.users {
			perRole[u.Role]++
			if !u.Active || !u.PasswordSet {
				t.Errorf("demo user %s: active %v, password set %v", u.Email, u.Active, u.PasswordSet)
			}
			if (u.Role == account.RoleSupplier) != (u.SupplierName != "") {
				t.Errorf("demo user %s (%s) has supplier %q", u.Email, u.Role, u.SupplierName)
			}
		}
		for _, r := range account.Roles {
			if perRole[r] == 0 {
				t.Errorf("no demo user with role %s", r)
			}
		}
		if len(first.users) != len(demo.Logins()) {
			t.Errorf("%d users, %d demo logins shown", len(first.users), len(demo.Logins()))
		}
		// Every supplier organisation has a user to show its side with.
		for _, s := range demo.Suppliers {
			found := false
			for _, u := range first.users {
				found = found || u.SupplierName == s
			}
			if !found {
				t.Errorf("no demo user for supplier %s", s)
			}
		}
	})

	t.Run("every demo login logs in", func(t *testing.T) {
		byEmail := map[string]account.User{}
		for _, u := range first.users {
			byEmail[u.Email] = u
		}
		for _, l := range demo.Logins() {
			if l.Password != demo.Password {
				t.Errorf("%s: login page shows password %q, want %q", l.Email, l.Password, demo.Password)
			}
			token, u, err := svc.Login(ctx, l.Email, demo.Password, "127.0.0.1", "demo-test")
			if err != nil {
				t.Errorf("login %s: %v", l.Email, err)
				continue
			}
			if u.Email != l.Email || token == "" {
				t.Errorf("login %s returned user %s", l.Email, u.Email)
			}
			if !strings.HasPrefix(l.Role, byEmail[l.Email].Role.Label()) {
				t.Errorf("login %s is labelled %q, but the user is %s", l.Email, l.Role, byEmail[l.Email].Role.Label())
			}
			if got, err := svc.Authenticate(ctx, token); err != nil || got.ID != u.ID {
				t.Errorf("session of %s: %v", l.Email, err)
			}
		}
	})

	t.Run("seeding again creates nothing twice", func(t *testing.T) {
		if err := demo.Seed(ctx, st, svc); err != nil {
			t.Fatalf("second Seed: %v", err)
		}
		second := take(t, st)
		if len(second.users) != len(first.users) || len(second.suppliers) != len(first.suppliers) {
			t.Errorf("after a second Seed: %d users, %d suppliers; before %d and %d",
				len(second.users), len(second.suppliers), len(first.users), len(first.suppliers))
		}
		for i := range second.suppliers {
			if second.suppliers[i].ID != first.suppliers[i].ID {
				t.Errorf("supplier %s was recreated", second.suppliers[i].Name)
			}
		}
		if second.created != first.created {
			t.Errorf("user.created audit entries went from %d to %d", first.created, second.created)
		}
	})

	t.Run("a changed demo password is kept on the next start", func(t *testing.T) {
		cred, err := st.UserCredentialsByEmail(ctx, demo.Logins()[0].Email)
		if err != nil {
			t.Fatal(err)
		}
		hash, err := auth.HashPassword("een-eigen-wachtwoord")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.UserSetPassword(ctx, cred.ID, hash); err != nil {
			t.Fatal(err)
		}
		if err := demo.Seed(ctx, st, svc); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Login(ctx, cred.Email, "een-eigen-wachtwoord", "127.0.0.1", "demo-test"); err != nil {
			t.Errorf("own password after reseeding: %v", err)
		}
		if _, _, err := svc.Login(ctx, cred.Email, demo.Password, "127.0.0.1", "demo-test"); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Errorf("demo password after it was changed: %v, want refused", err)
		}
	})

	t.Run("no mail is sent for demo users", func(t *testing.T) {
		if ms, err := st.MailOutboxList(ctx, 10); err != nil || len(ms) != 0 {
			t.Errorf("outbox after seeding: %d mails (%v)", len(ms), err)
		}
	})
}

func TestSeedCompletesPartialData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, svc := newService(t)
	// A database where one demo supplier and one demo user already exist,
	// e.g. created by hand: Seed fills in the rest around them.
	sup, err := st.SupplierCreate(ctx, demo.Suppliers[0])
	if err != nil {
		t.Fatal(err)
	}
	existing := demo.Logins()[1].Email
	if _, err := svc.CreateUser(ctx, audit.Actor{Email: "test"}, auth.NewAccount{
		Email: existing, Role: account.RoleCurator, Password: "eigen-wachtwoord-1",
	}); err != nil {
		t.Fatal(err)
	}

	if err := demo.Seed(ctx, st, svc); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	s := take(t, st)
	if len(s.suppliers) != len(demo.Suppliers) || len(s.users) != len(demo.Logins()) {
		t.Errorf("after Seed: %d suppliers, %d users", len(s.suppliers), len(s.users))
	}
	for _, u := range s.users {
		if u.Role == account.RoleSupplier && u.SupplierName == demo.Suppliers[0] && *u.SupplierID != sup.ID {
			t.Errorf("supplier user %s attached to a new %s instead of the existing one", u.Email, demo.Suppliers[0])
		}
	}
	if _, _, err := svc.Login(ctx, existing, "eigen-wachtwoord-1", "127.0.0.1", "demo-test"); err != nil {
		t.Errorf("existing user's own password no longer works: %v", err)
	}
}

// The demo's admission data: the demo suppliers are admitted through an
// application, two applicants wait for review, and there are slots to book.
// Seeding twice adds nothing.
func TestSeedAdmission(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	if err := demo.Seed(ctx, env.App.Store, env.App.Auth); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := demo.SeedAdmission(ctx, env.App.Store, env.App.Supplier); err != nil {
			t.Fatal(err)
		}
	}
	apps, err := env.App.Store.ApplicationList(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	states := map[admission.State]int{}
	for _, a := range apps {
		states[a.State]++
		if a.State == admission.Admitted && a.SupplierName == "" {
			t.Errorf("admitted demo application %s is not linked to its supplier", a.CompanyName)
		}
	}
	if len(apps) != 4 || states[admission.Admitted] != 2 || states[admission.Applied] != 1 || states[admission.InReview] != 1 {
		t.Errorf("demo applications by state %v (of %d), want 2 admitted, 1 applied, 1 in review", states, len(apps))
	}
	slots, err := env.App.Store.TestSlotList(ctx, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != 4 {
		t.Errorf("%d demo slots, want 4", len(slots))
	}
}

// The demo's support desk: one question waiting and 3:30 of logged time
// for Groene Woning; seeding twice adds nothing.
func TestSeedSupport(t *testing.T) {
	t.Parallel()
	env := apptest.New(t)
	ctx := context.Background()
	if err := demo.Seed(ctx, env.App.Store, env.App.Auth); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := demo.SeedSupport(ctx, env.App.Store); err != nil {
			t.Fatal(err)
		}
	}
	sup, err := env.App.Store.SupplierGetByName(ctx, "Groene Woning B.V.")
	if err != nil {
		t.Fatal(err)
	}
	qs, err := env.App.Store.SupportQuestionsBySupplier(ctx, sup.ID)
	if err != nil || len(qs) != 1 || qs[0].Status != "open" {
		t.Fatalf("demo questions %+v (%v), want one open question", qs, err)
	}
	var minutes int
	if err := env.App.Pool.QueryRow(ctx, "SELECT coalesce(sum(minutes), 0) FROM time_entries WHERE supplier_id = $1", sup.ID).Scan(&minutes); err != nil {
		t.Fatal(err)
	}
	if minutes != 210 {
		t.Errorf("demo time logged: %d minutes, want 210", minutes)
	}
}

// The demo's webshops: Groene Woning reaches production and syncs its
// production and test connections, Zonnig Wonen its test connection (on
// the custom route). A restart (new shops on new ports) updates the
// addresses instead of adding connections.
func TestSeedConnections(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, apptest.WithEnv("OHIS_SHOP_ALLOW_PRIVATE", "true"), apptest.WithEnv("OHIS_SYNC_DISABLED", "true"))
	ctx := context.Background()
	if err := demo.Seed(ctx, env.App.Store, env.App.Auth); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedAdmission(ctx, env.App.Store, env.App.Supplier); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"Groene Woning B.V.": {"production", "test"}, "Zonnig Wonen": {"test"}}
	runs := map[int64]int{} // successful runs per connection after each start
	for start := 1; start <= 2; start++ {
		shops, stop, err := demo.StartShops(slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedConnections(ctx, env.App.Store, env.App.Supplier, env.App.Connections, shops); err != nil {
			t.Fatalf("start %d: %v", start, err)
		}
		for _, shop := range shops {
			if !strings.HasPrefix(shop.AdminURL, shop.URL) || !strings.HasPrefix(shop.URL, "http://127.0.0.1:") {
				t.Errorf("%s: shop %s, admin page %s", shop.Name, shop.URL, shop.AdminURL)
			}
			sup, err := env.App.Store.SupplierGetByName(ctx, shop.Supplier)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := env.App.Store.ConnectionsBySupplier(ctx, sup.ID)
			if err != nil {
				t.Fatal(err)
			}
			var envs []string
			for _, c := range cs {
				envs = append(envs, c.Environment)
				if c.BaseURL != shop.APIURL || c.Platform != shop.Platform {
					t.Errorf("start %d, %s %s: %s at %s, want %s at %s", start, shop.Supplier, c.Environment, c.Platform, c.BaseURL, shop.Platform, shop.APIURL)
				}
				// Every start syncs the catalogue from the shop's new address.
				deadline := time.Now().Add(30 * time.Second)
				for {
					_, live, err := env.App.Store.SupplierProductCounts(ctx, sup.ID, &c.ID)
					rs, _ := env.App.Store.ConnectionRuns(ctx, c.ID, 10)
					ok := 0
					for _, r := range rs {
						if r.Outcome == "succeeded" {
							ok++
						}
					}
					// The job behind the run is done too, so the next start's
					// request is not merged into it.
					var busy bool
					if err := env.App.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM river_job WHERE kind = 'sync_connection'
						AND state IN ('available', 'running', 'retryable', 'scheduled', 'pending') AND (args->>'connection_id')::bigint = $1)`,
						c.ID).Scan(&busy); err != nil {
						t.Fatal(err)
					}
					if err == nil && live > 0 && ok > runs[c.ID] && rs[0].Outcome != "running" && !busy {
						runs[c.ID] = ok
						break
					}
					if time.Now().After(deadline) {
						t.Fatalf("start %d, %s %s: %d products, runs %+v", start, shop.Supplier, c.Environment, live, rs)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}
			slices.Sort(envs)
			if !slices.Equal(envs, want[shop.Supplier]) {
				t.Errorf("start %d: %s has connections %v, want %v", start, shop.Supplier, envs, want[shop.Supplier])
			}
		}
		stop()
	}
	gw, err := env.App.Store.SupplierGetByName(ctx, "Groene Woning B.V.")
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Store.ApplicationBySupplier(ctx, gw.ID)
	if err != nil || a.State != admission.Production {
		t.Errorf("Groene Woning's application: %s (%v), want production", a.State, err)
	}
}
