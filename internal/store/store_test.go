package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/testdb"
)

func newStore(t *testing.T) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	pool := testdb.New(t)
	return store.New(pool), pool
}

func mustUser(t *testing.T, st *store.Store, email string, role account.Role, supplierID *int64) account.User {
	t.Helper()
	u, err := st.UserCreate(context.Background(), store.NewUser{
		Email: email, Name: "Naam " + email, Role: role, SupplierID: supplierID, PasswordHash: "$argon2id$fake",
	})
	if err != nil {
		t.Fatalf("creating %s: %v", email, err)
	}
	return u
}

func TestUserCreateAndGet(t *testing.T) {
	ctx := context.Background()
	st, _ := newStore(t)

	sup, err := st.SupplierCreate(ctx, "Groene Woning B.V.")
	if err != nil {
		t.Fatal(err)
	}
	u := mustUser(t, st, "anouk@groenewoning.example", account.RoleSupplier, &sup.ID)

	got, err := st.UserGet(ctx, u.ID)
	if err != nil {
		t.Fatalf("UserGet: %v", err)
	}
	if got.Email != u.Email || got.Role != account.RoleSupplier || got.SupplierID == nil || *got.SupplierID != sup.ID ||
		!got.Active || !got.PasswordSet {
		t.Errorf("UserGet = %+v", got)
	}
	cred, err := st.UserCredentialsByEmail(ctx, "anouk@groenewoning.example")
	if err != nil || cred.ID != u.ID || cred.PasswordHash != "$argon2id$fake" {
		t.Errorf("UserCredentialsByEmail = %+v, %v", cred, err)
	}

	t.Run("duplicate e-mail is ErrConflict", func(t *testing.T) {
		_, err := st.UserCreate(ctx, store.NewUser{Email: u.Email, Role: account.RoleCurator})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("second user with %s: %v, want ErrConflict", u.Email, err)
		}
	})

	t.Run("unknown id is ErrNotFound", func(t *testing.T) {
		if _, err := st.UserGet(ctx, u.ID+1000); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UserGet(unknown) = %v, want ErrNotFound", err)
		}
		if _, err := st.UserCredentialsByEmail(ctx, "niemand@example.nl"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UserCredentialsByEmail(unknown) = %v, want ErrNotFound", err)
		}
		if _, err := st.SupplierGet(ctx, sup.ID+1000); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SupplierGet(unknown) = %v, want ErrNotFound", err)
		}
	})

	t.Run("invited user has no password", func(t *testing.T) {
		inv, err := st.UserCreate(ctx, store.NewUser{Email: "nieuw@example.nl", Role: account.RoleSupport})
		if err != nil {
			t.Fatal(err)
		}
		if inv.PasswordSet {
			t.Error("a user created without password hash reports PasswordSet")
		}
	})

	t.Run("users_supplier_role: supplier users need a supplier, staff none", func(t *testing.T) {
		_, err := st.UserCreate(ctx, store.NewUser{Email: "zonder@example.nl", Role: account.RoleSupplier})
		if err == nil {
			t.Error("created a supplier user without supplier")
		} else if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
			t.Errorf("constraint violation mapped to a sentinel: %v", err)
		}
		if _, err := st.UserCreate(ctx, store.NewUser{Email: "staf@example.nl", Role: account.RoleAdmin, SupplierID: &sup.ID}); err == nil {
			t.Error("created an admin that belongs to a supplier")
		}
		if _, err := st.UserCredentialsByEmail(ctx, "zonder@example.nl"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("refused user exists anyway: %v", err)
		}
	})
}

func TestSessionWithUser(t *testing.T) {
	ctx := context.Background()
	st, _ := newStore(t)
	u := mustUser(t, st, "cas@demo.example", account.RoleCurator, nil)
	hash := bytes.Repeat([]byte{0xab}, 32)
	expires := time.Now().Add(12 * time.Hour).Truncate(time.Microsecond)

	if err := st.SessionCreate(ctx, hash, account.Session{UserID: u.ID, ExpiresAt: expires, IP: "192.0.2.7", UserAgent: "Firefox"}); err != nil {
		t.Fatalf("SessionCreate: %v", err)
	}
	sess, user, err := st.SessionWithUser(ctx, hash)
	if err != nil {
		t.Fatalf("SessionWithUser: %v", err)
	}
	if sess.UserID != u.ID || !sess.ExpiresAt.Equal(expires) || sess.IP != "192.0.2.7" || sess.UserAgent != "Firefox" {
		t.Errorf("session = %+v", sess)
	}
	if sess.CreatedAt.IsZero() || sess.LastSeenAt.IsZero() {
		t.Errorf("session timestamps not filled: %+v", sess)
	}
	if user.ID != u.ID || user.Email != "cas@demo.example" || user.Role != account.RoleCurator || !user.Active {
		t.Errorf("joined user = %+v", user)
	}

	// Deactivation must be visible through the join (Authenticate relies on it).
	if _, err := st.UserSetActive(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, user, _ := st.SessionWithUser(ctx, hash); user.Active {
		t.Error("session join still shows a deactivated user as active")
	}

	if _, _, err := st.SessionWithUser(ctx, bytes.Repeat([]byte{0xcd}, 32)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown session: %v, want ErrNotFound", err)
	}
	if n, err := st.SessionDeleteForUser(ctx, u.ID); err != nil || n != 1 {
		t.Errorf("SessionDeleteForUser = %d, %v; want 1", n, err)
	}
	if _, _, err := st.SessionWithUser(ctx, hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted session: %v, want ErrNotFound", err)
	}
}

func TestUserTokens(t *testing.T) {
	ctx := context.Background()
	st, _ := newStore(t)
	u := mustUser(t, st, "sam@demo.example", account.RoleSupport, nil)
	hash := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

	t.Run("single use", func(t *testing.T) {
		if err := st.UserTokenCreate(ctx, hash(1), u.ID, "reset", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// Checking a link does not use it up.
		for range 2 {
			if id, err := st.UserTokenValid(ctx, hash(1), "reset"); err != nil || id != u.ID {
				t.Fatalf("UserTokenValid = %d, %v", id, err)
			}
		}
		// The wrong purpose never matches: a reset link is no invitation.
		if _, err := st.UserTokenConsume(ctx, hash(1), "invite"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("consuming a reset token as invite: %v, want ErrNotFound", err)
		}
		id, err := st.UserTokenConsume(ctx, hash(1), "reset")
		if err != nil || id != u.ID {
			t.Fatalf("first UserTokenConsume = %d, %v", id, err)
		}
		if _, err := st.UserTokenConsume(ctx, hash(1), "reset"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second UserTokenConsume: %v, want ErrNotFound", err)
		}
		if _, err := st.UserTokenValid(ctx, hash(1), "reset"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("used token still valid: %v", err)
		}
	})

	t.Run("expired tokens are refused", func(t *testing.T) {
		if err := st.UserTokenCreate(ctx, hash(2), u.ID, "reset", time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UserTokenValid(ctx, hash(2), "reset"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired token valid: %v", err)
		}
		if _, err := st.UserTokenConsume(ctx, hash(2), "reset"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired token consumed: %v, want ErrNotFound", err)
		}
	})

	t.Run("revoking leaves only newer links working", func(t *testing.T) {
		if err := st.UserTokenCreate(ctx, hash(3), u.ID, "invite", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := st.UserTokenRevokeForUser(ctx, u.ID, "invite"); err != nil {
			t.Fatal(err)
		}
		if err := st.UserTokenCreate(ctx, hash(4), u.ID, "invite", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UserTokenConsume(ctx, hash(3), "invite"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked token consumed: %v", err)
		}
		if _, err := st.UserTokenConsume(ctx, hash(4), "invite"); err != nil {
			t.Errorf("new token after revoke: %v", err)
		}
	})

	t.Run("concurrent consumers: exactly one wins", func(t *testing.T) {
		if err := st.UserTokenCreate(ctx, hash(5), u.ID, "reset", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		const n = 8
		errs := make(chan error, n)
		for range n {
			go func() {
				_, err := st.UserTokenConsume(ctx, hash(5), "reset")
				errs <- err
			}()
		}
		wins := 0
		for range n {
			err := <-errs
			switch {
			case err == nil:
				wins++
			case !errors.Is(err, store.ErrNotFound):
				t.Errorf("consumer error: %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d concurrent consumers succeeded, want 1", wins)
		}
	})
}

func TestLoginFailureCounts(t *testing.T) {
	ctx := context.Background()
	st, pool := newStore(t)

	add := func(email, ip string, n int) {
		t.Helper()
		for range n {
			if err := st.LoginFailureAdd(ctx, email, ip); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("bea@example.nl", "192.0.2.1", 2)
	add("bea@example.nl", "192.0.2.2", 1)
	add("cas@example.nl", "192.0.2.1", 4)
	// Three old failures of Bea, outside any recent window.
	add("bea@example.nl", "192.0.2.9", 3)
	if _, err := pool.Exec(ctx, `UPDATE login_failures SET at = now() - interval '2 hours' WHERE ip = '192.0.2.9'`); err != nil {
		t.Fatal(err)
	}

	since := time.Now().Add(-15 * time.Minute)
	c, err := st.LoginFailureCounts(ctx, "bea@example.nl", "192.0.2.1", since)
	if err != nil {
		t.Fatal(err)
	}
	if c.Email != 3 {
		t.Errorf("failures for bea in window = %d, want 3 (2 + 1, not the 3 old ones)", c.Email)
	}
	if c.IP != 6 {
		t.Errorf("failures from 192.0.2.1 in window = %d, want 6 (bea 2 + cas 4)", c.IP)
	}
	if time.Since(c.EmailLast) > time.Minute || time.Since(c.IPLast) > time.Minute {
		t.Errorf("last failures = %v / %v, want just now", c.EmailLast, c.IPLast)
	}

	// The wider window takes the old ones in.
	if c, _ := st.LoginFailureCounts(ctx, "bea@example.nl", "192.0.2.9", time.Now().Add(-3*time.Hour)); c.Email != 6 || c.IP != 3 {
		t.Errorf("3h window: email %d ip %d, want 6 and 3", c.Email, c.IP)
	}

	none, err := st.LoginFailureCounts(ctx, "niemand@example.nl", "198.51.100.1", since)
	if err != nil {
		t.Fatal(err)
	}
	if none.Email != 0 || none.IP != 0 || !none.EmailLast.Equal(time.Unix(0, 0)) || !none.IPLast.Equal(time.Unix(0, 0)) {
		t.Errorf("no failures = %+v, want zero counts and the epoch", none)
	}

	// A successful login clears the account's failures, not the address's.
	if err := st.LoginFailureClearEmail(ctx, "bea@example.nl"); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.LoginFailureCounts(ctx, "bea@example.nl", "192.0.2.1", since); c.Email != 0 || c.IP != 4 {
		t.Errorf("after clearing bea: email %d ip %d, want 0 and 4", c.Email, c.IP)
	}
	if n, err := st.LoginFailurePrune(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("prune found %d old rows (%v); bea's old rows were cleared already", n, err)
	}
}

func TestAuditList(t *testing.T) {
	ctx := context.Background()
	st, pool := newStore(t)
	admin := mustUser(t, st, "bea@beheer.example", account.RoleAdmin, nil)

	// Ten entries, one a day, oldest first: entry i happened on 2025-03-(i+1).
	day := func(i int) time.Time { return time.Date(2025, 3, 1+i, 12, 0, 0, 0, time.UTC) }
	var ids []int64
	for i := range 10 {
		e := audit.Entry{Action: audit.LoginFailed, Actor: audit.Actor{Email: "onbekend@example.nl", IP: "192.0.2.1"}}
		if i%2 == 0 {
			e = audit.Entry{Action: audit.UserCreated, Actor: audit.Actor{UserID: &admin.ID, Email: admin.Email, IP: "192.0.2.2"},
				SubjectType: "user", SubjectID: fmt.Sprint(100 + i), Detail: map[string]string{"role": "curator"}}
		}
		if err := st.AuditAdd(ctx, e); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := pool.QueryRow(ctx, `UPDATE audit_log SET at = $1 WHERE id = (SELECT max(id) FROM audit_log) RETURNING id`, day(i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}

	list := func(f audit.Filter) []audit.Entry {
		t.Helper()
		es, err := st.AuditList(ctx, f)
		if err != nil {
			t.Fatalf("AuditList(%+v): %v", f, err)
		}
		return es
	}

	all := list(audit.Filter{})
	if len(all) != 10 || all[0].ID != ids[9] || all[9].ID != ids[0] {
		t.Fatalf("unfiltered: %d entries, want 10 newest first", len(all))
	}
	newest := all[1] // day 8, a user.created entry
	if newest.Action != audit.UserCreated || newest.Actor.UserID == nil || *newest.Actor.UserID != admin.ID ||
		newest.SubjectID != "108" || newest.Detail["role"] != "curator" || !newest.At.Equal(day(8)) {
		t.Errorf("entry read back as %+v", newest)
	}

	t.Run("by action", func(t *testing.T) {
		es := list(audit.Filter{Action: audit.LoginFailed})
		if len(es) != 5 {
			t.Fatalf("%d login.failed entries, want 5", len(es))
		}
		for _, e := range es {
			if e.Action != audit.LoginFailed || e.Actor.UserID != nil {
				t.Errorf("filtered entry %+v", e)
			}
		}
	})

	t.Run("by actor substring, case-insensitive", func(t *testing.T) {
		if es := list(audit.Filter{Actor: "BEHEER"}); len(es) != 5 {
			t.Errorf("actor 'BEHEER': %d entries, want 5", len(es))
		}
		if es := list(audit.Filter{Actor: "niemand"}); len(es) != 0 {
			t.Errorf("actor 'niemand': %d entries, want 0", len(es))
		}
	})

	t.Run("from inclusive, until exclusive", func(t *testing.T) {
		from, until := day(3), day(6)
		es := list(audit.Filter{From: &from, Until: &until})
		if len(es) != 3 || es[0].ID != ids[5] || es[2].ID != ids[3] {
			t.Errorf("days 3..6: got %d entries, want days 3, 4, 5", len(es))
		}
		if es := list(audit.Filter{From: &from, Until: &until, Action: audit.UserCreated}); len(es) != 1 || es[0].ID != ids[4] {
			t.Errorf("combined filter: %d entries, want only day 4", len(es))
		}
	})

	t.Run("keyset pages do not overlap", func(t *testing.T) {
		seen := map[int64]bool{}
		var pages [][]audit.Entry
		var before int64
		for {
			page := list(audit.Filter{Limit: 4, BeforeID: before})
			if len(page) == 0 {
				break
			}
			pages = append(pages, page)
			for _, e := range page {
				if seen[e.ID] {
					t.Errorf("entry %d on two pages", e.ID)
				}
				seen[e.ID] = true
			}
			before = page[len(page)-1].ID
			if len(pages) > 5 {
				t.Fatal("paging does not end")
			}
		}
		if len(pages) != 3 || len(pages[0]) != 4 || len(pages[2]) != 2 || len(seen) != 10 {
			t.Errorf("pages of 4: %d pages, %d entries; want 4+4+2", len(pages), len(seen))
		}
		// Paging within a filter stays within it.
		p1 := list(audit.Filter{Action: audit.UserCreated, Limit: 2})
		p2 := list(audit.Filter{Action: audit.UserCreated, Limit: 2, BeforeID: p1[1].ID})
		if len(p2) != 2 || p2[0].ID >= p1[1].ID || p2[0].Action != audit.UserCreated {
			t.Errorf("filtered second page = %+v", p2)
		}
	})

	t.Run("actions for the filter", func(t *testing.T) {
		acts, err := st.AuditActions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(acts) != 2 || acts[0] != audit.LoginFailed || acts[1] != audit.UserCreated {
			t.Errorf("AuditActions = %v", acts)
		}
	})
}

func TestInTx(t *testing.T) {
	ctx := context.Background()
	st, _ := newStore(t)
	boom := errors.New("boom")

	suppliers := func() []string {
		t.Helper()
		list, err := st.SupplierList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range list {
			names = append(names, s.Name)
		}
		return names
	}

	t.Run("an error rolls everything back", func(t *testing.T) {
		err := st.InTx(ctx, func(tx *store.Store) error {
			if tx.Tx() == nil {
				t.Error("Tx() is nil inside InTx")
			}
			if _, err := tx.SupplierCreate(ctx, "Weg B.V."); err != nil {
				return err
			}
			if _, err := tx.UserCreate(ctx, store.NewUser{Email: "weg@example.nl", Role: account.RoleCurator}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("InTx returned %v, want fn's error", err)
		}
		if names := suppliers(); len(names) != 0 {
			t.Errorf("suppliers after rollback: %v", names)
		}
		if _, err := st.UserCredentialsByEmail(ctx, "weg@example.nl"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("user after rollback: %v", err)
		}
	})

	t.Run("a database error inside also rolls back", func(t *testing.T) {
		mustUser(t, st, "bestaat@example.nl", account.RoleCurator, nil)
		err := st.InTx(ctx, func(tx *store.Store) error {
			if _, err := tx.SupplierCreate(ctx, "Ook weg"); err != nil {
				return err
			}
			_, err := tx.UserCreate(ctx, store.NewUser{Email: "bestaat@example.nl", Role: account.RoleCurator})
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("InTx = %v, want ErrConflict passed through", err)
		}
		if names := suppliers(); len(names) != 0 {
			t.Errorf("suppliers after rollback: %v", names)
		}
	})

	t.Run("nested InTx is a savepoint", func(t *testing.T) {
		err := st.InTx(ctx, func(tx *store.Store) error {
			if _, err := tx.SupplierCreate(ctx, "Blijft"); err != nil {
				return err
			}
			inner := tx.InTx(ctx, func(tx2 *store.Store) error {
				if _, err := tx2.SupplierCreate(ctx, "Teruggedraaid"); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(inner, boom) {
				t.Errorf("inner InTx = %v", inner)
			}
			// The outer transaction is still usable after the inner rollback.
			return tx.InTx(ctx, func(tx2 *store.Store) error {
				_, err := tx2.SupplierCreate(ctx, "Ook blijvend")
				return err
			})
		})
		if err != nil {
			t.Fatalf("outer InTx: %v", err)
		}
		names := suppliers()
		if len(names) != 2 || names[0] != "Blijft" || names[1] != "Ook blijvend" {
			t.Errorf("suppliers = %v, want [Blijft Ook blijvend]", names)
		}
	})

	t.Run("outside a transaction Tx is nil", func(t *testing.T) {
		if st.Tx() != nil {
			t.Error("pool store reports a transaction")
		}
	})
}

func TestMailOutbox(t *testing.T) {
	ctx := context.Background()
	st, _ := newStore(t)
	m, err := st.MailOutboxAdd(ctx, "bea@example.nl", "Wachtwoord herstellen", "Beste Bea, …", "pending")
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == 0 || m.Status != "pending" || m.Attempts != 0 || m.SentAt != nil {
		t.Errorf("new mail = %+v", m)
	}
	if err := st.MailOutboxMarkAttempt(ctx, m.ID, "pending", "451 try later"); err != nil {
		t.Fatal(err)
	}
	if err := st.MailOutboxMarkSent(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	got, err := st.MailOutboxGet(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "sent" || got.Attempts != 2 || got.LastError != "" || got.SentAt == nil {
		t.Errorf("after a failed and a good attempt: %+v", got)
	}
	if _, err := st.MailOutboxAdd(ctx, "x@example.nl", "s", "t", "verzonden"); err == nil {
		t.Error("an unknown status was accepted")
	}
	if _, err := st.MailOutboxGet(ctx, m.ID+100); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown mail: %v", err)
	}
}

func TestMigrationsCurrent(t *testing.T) {
	ctx := context.Background()
	_, pool := newStore(t)
	ok, err := store.MigrationsCurrent(ctx, pool)
	if err != nil || !ok {
		t.Fatalf("MigrationsCurrent on a migrated database = %v, %v; want true", ok, err)
	}
	// Forget the newest migration: readiness must notice.
	if _, err := pool.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)`); err != nil {
		t.Fatal(err)
	}
	if ok, err := store.MigrationsCurrent(ctx, pool); err != nil || ok {
		t.Errorf("MigrationsCurrent with a migration missing = %v, %v; want false", ok, err)
	}
}
