package auth

// Service-level tests on a real PostgreSQL (testdb): password hashing and
// policy, login throttling with a recorded sleep, one-time links under
// concurrency, and session expiry. Internal package, so the throttle policy
// itself (decideThrottle) can be checked where the service cannot reach it.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
	"github.com/wujw/ohis/internal/testdb"
)

const testPassword = "correct-horse-battery"

// sleepRecorder replaces Options.Sleep: it records each requested delay
// and returns at once.
type sleepRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (r *sleepRecorder) sleep(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delays = append(r.delays, d)
	return nil
}

func (r *sleepRecorder) take() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.delays
	r.delays = nil
	return out
}

// captureMailer records mails instead of queueing them.
type captureMailer struct {
	mu    sync.Mutex
	mails []capturedMail
}

type capturedMail struct{ to, subject, text string }

func (m *captureMailer) Enqueue(_ context.Context, _ *store.Store, to, subject, text string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mails = append(m.mails, capturedMail{to, subject, text})
	return nil
}

// lastLink returns the token of the newest link with that path prefix in a
// mail to the address.
func (m *captureMailer) lastLink(t *testing.T, to, prefix string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	re := regexp.MustCompile(regexp.QuoteMeta("https://portal.test.example"+prefix) + `([A-Za-z0-9_-]+)`)
	for i := len(m.mails) - 1; i >= 0; i-- {
		if m.mails[i].to != to {
			continue
		}
		if mm := re.FindStringSubmatch(m.mails[i].text); mm != nil {
			return mm[1]
		}
	}
	t.Fatalf("no mail to %s with a %s link", to, prefix)
	return ""
}

type fixture struct {
	svc    *Service
	store  *store.Store
	pool   *pgxpool.Pool
	sleeps *sleepRecorder
	mailer *captureMailer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := testdb.New(t)
	base, _ := url.Parse("https://portal.test.example")
	f := &fixture{store: store.New(pool), pool: pool, sleeps: &sleepRecorder{}, mailer: &captureMailer{}}
	f.svc = NewService(f.store, f.mailer, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{
		BaseURL: base, IdleTimeout: 2 * time.Hour, MaxAge: 12 * time.Hour, Sleep: f.sleeps.sleep,
	})
	return f
}

func (f *fixture) user(t *testing.T, email string) account.User {
	t.Helper()
	u, err := f.svc.CreateUser(context.Background(), audit.Actor{Email: "test"}, NewAccount{
		Email: email, Name: "Test", Role: account.RoleCurator, Password: testPassword,
	})
	if err != nil {
		t.Fatalf("creating %s: %v", email, err)
	}
	return u
}

func (f *fixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := f.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func TestHashAndVerifyPassword(t *testing.T) {
	t.Parallel()
	h1, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string with the OWASP parameters", h1)
	}
	if ok, err := VerifyPassword(h1, testPassword); err != nil || !ok {
		t.Errorf("right password: ok=%v err=%v, want true, nil", ok, err)
	}
	if ok, err := VerifyPassword(h1, testPassword+"!"); err != nil || ok {
		t.Errorf("wrong password: ok=%v err=%v, want false, nil", ok, err)
	}
	if ok, _ := VerifyPassword(h1, ""); ok {
		t.Error("empty password verified")
	}
	h2, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if h1 == h2 {
		t.Error("two hashes of the same password are equal: no random salt")
	}
	if ok, err := VerifyPassword(h2, testPassword); err != nil || !ok {
		t.Errorf("second hash: ok=%v err=%v", ok, err)
	}

	for _, bad := range []string{
		"",
		"plain-text",
		"$2a$10$abcdefghijklmnopqrstuv", // bcrypt
		"$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5", // argon2i, not id
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=x,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$!!!",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA",
	} {
		if ok, err := VerifyPassword(bad, testPassword); err == nil || ok {
			t.Errorf("VerifyPassword(%q) = %v, %v; want false and an error", bad, ok, err)
		}
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	t.Parallel()
	const email = "piet@test.example"
	tests := []struct {
		name, password, want string // want: part of the Dutch reason, "" for accepted
	}{
		{"empty", "", "minstens 10 tekens"},
		{"too short", "kort-ww", "minstens 10 tekens"},
		{"nine characters", "123456789", "minstens 10 tekens"},
		{"ten characters", "1234567890", ""},
		{"too long", strings.Repeat("ab", 65), "hoogstens 128 tekens"},
		{"128 characters", strings.Repeat("ab", 64), ""},
		{"length counts characters, not bytes", strings.Repeat("é", 10) + "x", ""},
		{"equals e-mail", email, "e-mailadres"},
		{"equals e-mail in other case", "Piet@Test.Example", "e-mailadres"},
		{"one repeated character", "aaaaaaaaaaaa", "herhaald teken"},
		{"one repeated multibyte character", strings.Repeat("é", 12), "herhaald teken"},
		{"ok", "een zin van woorden", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPasswordPolicy(tt.password, email)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var weak ErrWeakPassword
			if !errors.As(err, &weak) {
				t.Fatalf("err = %v, want ErrWeakPassword", err)
			}
			if !strings.Contains(weak.Reason, tt.want) || !strings.HasSuffix(weak.Reason, ".") {
				t.Errorf("reason %q, want a Dutch sentence containing %q", weak.Reason, tt.want)
			}
		})
	}
}

func TestDecideThrottle(t *testing.T) {
	t.Parallel()
	now := time.Now()
	recent := now.Add(-time.Minute)
	tests := []struct {
		name      string
		c         store.LoginFailureCounts
		delay     time.Duration
		blockedAt time.Time // zero: not blocked
	}{
		{"no failures", store.LoginFailureCounts{}, 0, time.Time{}},
		{"2 failures", store.LoginFailureCounts{Email: 2, EmailLast: recent}, 0, time.Time{}},
		{"3 failures", store.LoginFailureCounts{Email: 3, EmailLast: recent}, time.Second, time.Time{}},
		{"5 failures", store.LoginFailureCounts{Email: 5, EmailLast: recent}, 3 * time.Second, time.Time{}},
		{"6 failures", store.LoginFailureCounts{Email: 6, EmailLast: recent}, 0, recent.Add(15 * time.Minute)},
		// A block that has run out leaves only the (capped) slow-down.
		{"20 failures, block over", store.LoginFailureCounts{Email: 20, EmailLast: now.Add(-16 * time.Minute)}, maxSlowdown, time.Time{}},
		{"29 from the address", store.LoginFailureCounts{IP: 29, IPLast: recent}, 0, time.Time{}},
		{"30 from the address", store.LoginFailureCounts{IP: 30, IPLast: recent}, 0, recent.Add(15 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decideThrottle(tt.c, now)
			if tt.blockedAt.IsZero() {
				if d.blocked != nil {
					t.Fatalf("blocked until %v", d.blocked.Until)
				}
				if d.delay != tt.delay {
					t.Errorf("delay %v, want %v", d.delay, tt.delay)
				}
				return
			}
			if d.blocked == nil || !d.blocked.Until.Equal(tt.blockedAt) {
				t.Fatalf("decision %+v, want blocked until %v", d, tt.blockedAt)
			}
			if m := d.blocked.Minutes(now); m != 14 {
				t.Errorf("Minutes = %d, want 14", m)
			}
		})
	}
	if m := (&ThrottledError{Until: now.Add(10 * time.Second)}).Minutes(now); m != 1 {
		t.Errorf("Minutes for 10s left = %d, want at least 1", m)
	}
}

func TestLoginThrottlePerAccount(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "piet@test.example")
	const ip = "192.0.2.1"

	// Six wrong passwords: the first three attempts run at full speed, then
	// each attempt waits longer.
	for i := 1; i <= 6; i++ {
		if _, _, err := f.svc.Login(ctx, "piet@test.example", "wrong-password", ip, "test"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("attempt %d: err = %v, want ErrInvalidCredentials", i, err)
		}
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 3 * time.Second}
	if got := f.sleeps.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delays before attempts 1-6 = %v, want %v", got, want)
	}

	// The 7th attempt is refused before the password is even looked at,
	// even the right one, without waiting.
	_, _, err := f.svc.Login(ctx, "PIET@test.example ", testPassword, ip, "test")
	var thr *ThrottledError
	if !errors.As(err, &thr) {
		t.Fatalf("7th attempt with the right password: err = %v, want ThrottledError", err)
	}
	if d := f.sleeps.take(); len(d) != 0 {
		t.Errorf("a blocked attempt slept %v", d)
	}
	var last time.Time
	if err := f.pool.QueryRow(ctx, "SELECT max(at) FROM login_failures WHERE email = $1", u.Email).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if diff := thr.Until.Sub(last.Add(15 * time.Minute)); diff < -time.Millisecond || diff > time.Millisecond {
		t.Errorf("blocked until %v, want last failure %v + 15m", thr.Until, last)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE action = 'login.blocked' AND actor_email = $1", u.Email); n != 1 {
		t.Errorf("%d login.blocked audit entries, want 1", n)
	}
	if n := f.count(t, "SELECT count(*) FROM sessions"); n != 0 {
		t.Errorf("%d sessions exist after a blocked login", n)
	}

	// Another account from the same address is not affected.
	f.user(t, "jan@test.example")
	if _, _, err := f.svc.Login(ctx, "jan@test.example", testPassword, ip, "test"); err != nil {
		t.Errorf("other account from the same address: %v", err)
	}
}

func TestLoginThrottleUnknownAccountBehavesTheSame(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for i := 1; i <= 6; i++ {
		if _, _, err := f.svc.Login(ctx, "niemand@test.example", "wrong-password", "192.0.2.9", "test"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("attempt %d: err = %v, want ErrInvalidCredentials", i, err)
		}
	}
	want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 3 * time.Second}
	if got := f.sleeps.take(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("delays = %v, want %v (same as for a real account)", got, want)
	}
	var thr *ThrottledError
	if _, _, err := f.svc.Login(ctx, "niemand@test.example", "wrong-password", "192.0.2.9", "test"); !errors.As(err, &thr) {
		t.Errorf("7th attempt on an unknown address: err = %v, want ThrottledError", err)
	}
}

func TestLoginSuccessClearsAccountFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "piet@test.example")
	for range 4 {
		if _, _, err := f.svc.Login(ctx, u.Email, "wrong-password", "192.0.2.1", "test"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatal(err)
		}
	}
	token, got, err := f.svc.Login(ctx, u.Email, testPassword, "192.0.2.1", "test")
	if err != nil || token == "" || got.ID != u.ID {
		t.Fatalf("login after 4 failures: %q, %+v, %v", token, got, err)
	}
	f.sleeps.take()
	if n := f.count(t, "SELECT count(*) FROM login_failures WHERE email = $1", u.Email); n != 0 {
		t.Errorf("%d failures left for the account after a successful login", n)
	}
	if _, _, err := f.svc.Login(ctx, u.Email, "wrong-password", "192.0.2.1", "test"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatal(err)
	}
	if d := f.sleeps.take(); len(d) != 1 || d[0] != 0 {
		t.Errorf("first failure after a successful login waited %v, want no delay", d)
	}
}

func TestLoginThrottlePerAddress(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	f.user(t, "piet@test.example")
	// 30 failures from one address, spread over many accounts so that no
	// single account is blocked or slowed: 28 recorded directly (each real
	// attempt costs an argon2 hash), the last two through Login.
	for i := range 28 {
		f.exec(t, "INSERT INTO login_failures (email, ip) VALUES ($1, '198.51.100.7')", fmt.Sprintf("gok%d@test.example", i))
	}
	for i := 28; i < 30; i++ {
		if _, _, err := f.svc.Login(ctx, fmt.Sprintf("gok%d@test.example", i), "wrong-password", "198.51.100.7", "test"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	for _, d := range f.sleeps.take() {
		if d != 0 {
			t.Fatalf("failures on distinct accounts were slowed: %v", d)
		}
	}
	var thr *ThrottledError
	if _, _, err := f.svc.Login(ctx, "piet@test.example", testPassword, "198.51.100.7", "test"); !errors.As(err, &thr) {
		t.Fatalf("right password from a blocked address: err = %v, want ThrottledError", err)
	}
	if left := time.Until(thr.Until); left < 14*time.Minute || left > 15*time.Minute {
		t.Errorf("address blocked for %v, want about 15m", left)
	}
	if _, _, err := f.svc.Login(ctx, "piet@test.example", testPassword, "198.51.100.8", "test"); err != nil {
		t.Errorf("same account from another address: %v", err)
	}
}

func TestLoginRefusesInactiveAndInvitedUsers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "piet@test.example")
	f.exec(t, "UPDATE users SET active = false WHERE id = $1", u.ID)
	if _, _, err := f.svc.Login(ctx, u.Email, testPassword, "192.0.2.1", "test"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("inactive user with the right password: err = %v, want ErrInvalidCredentials", err)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE action = 'login.failed' AND detail->>'reason' = 'inactive'`); n != 1 {
		t.Errorf("audit entries with reason inactive: %d, want 1", n)
	}

	inv, err := f.svc.CreateUser(ctx, audit.Actor{Email: "test"}, NewAccount{Email: "nieuw@test.example", Role: account.RoleSupport, Invite: true})
	if err != nil {
		t.Fatal(err)
	}
	if inv.PasswordSet {
		t.Error("invited user has a password")
	}
	for _, pw := range []string{"", testPassword} {
		if _, _, err := f.svc.Login(ctx, inv.Email, pw, "192.0.2.1", "test"); !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("invited user, password %q: err = %v, want ErrInvalidCredentials", pw, err)
		}
	}
}

func TestResetTokenIsSingleUseUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "piet@test.example")
	if err := f.svc.RequestReset(ctx, " Piet@Test.example", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	token := f.mailer.lastLink(t, u.Email, "/wachtwoord-herstellen/")

	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = f.svc.ResetPassword(ctx, token, fmt.Sprintf("nieuw-wachtwoord-%d", i), "192.0.2.1")
		})
	}
	close(start)
	wg.Wait()

	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Errorf("goroutines %d and %d both reset the password with one link", winner, i)
			}
			winner = i
		case !errors.Is(err, ErrTokenInvalid):
			t.Errorf("goroutine %d: err = %v, want ErrTokenInvalid", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no goroutine could use the link")
	}
	if _, _, err := f.svc.Login(ctx, u.Email, fmt.Sprintf("nieuw-wachtwoord-%d", winner), "192.0.2.1", "test"); err != nil {
		t.Errorf("the winner's password does not log in: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE action = 'password.reset'"); n != 1 {
		t.Errorf("%d password.reset audit entries, want 1", n)
	}
}

func TestResetPasswordEndsSessionsAndClearsFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "piet@test.example")
	token, _, err := f.svc.Login(ctx, u.Email, testPassword, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	for range 6 {
		_, _, _ = f.svc.Login(ctx, u.Email, "wrong-password", "192.0.2.1", "test")
	}
	if err := f.svc.RequestReset(ctx, u.Email, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	link := f.mailer.lastLink(t, u.Email, "/wachtwoord-herstellen/")
	if _, err := f.svc.ResetPassword(ctx, link, "nieuw-wachtwoord", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, token); !errors.Is(err, ErrSessionInvalid) {
		t.Errorf("session from before the reset: err = %v, want ErrSessionInvalid", err)
	}
	// The reset unblocks the account: the block message tells users to
	// reset their password.
	if _, _, err := f.svc.Login(ctx, u.Email, "nieuw-wachtwoord", "192.0.2.1", "test"); err != nil {
		t.Errorf("login with the new password after the reset: %v", err)
	}
}

func TestResetPolicyFailureKeepsLinkValid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "piet@test.example")
	if err := f.svc.RequestReset(ctx, u.Email, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	link := f.mailer.lastLink(t, u.Email, "/wachtwoord-herstellen/")
	var weak ErrWeakPassword
	if _, err := f.svc.ResetPassword(ctx, link, u.Email, "192.0.2.1"); !errors.As(err, &weak) {
		t.Fatalf("e-mail address as password: err = %v, want ErrWeakPassword", err)
	}
	if _, err := f.svc.ResetUser(ctx, link); err != nil {
		t.Errorf("link after a refused password: %v, want still valid", err)
	}
	if _, err := f.svc.InviteUser(ctx, link); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("a reset link used as an invitation: err = %v, want ErrTokenInvalid", err)
	}
	if err := f.svc.RequestReset(ctx, "niemand@test.example", "192.0.2.1"); err != nil {
		t.Errorf("reset for an unknown address: %v, want the same quiet answer", err)
	}
	f.mailer.mu.Lock()
	mails := len(f.mailer.mails)
	f.mailer.mu.Unlock()
	if mails != 1 {
		t.Errorf("%d mails, want only the one to the known address", mails)
	}
}

func TestAuthenticateSessionLifetime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "piet@test.example")
	login := func(t *testing.T) (string, []byte) {
		t.Helper()
		token, _, err := f.svc.Login(ctx, u.Email, testPassword, "192.0.2.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		return token, HashToken(token)
	}
	alive := func(t *testing.T, hash []byte) bool {
		t.Helper()
		return f.count(t, "SELECT count(*) FROM sessions WHERE token_hash = $1", hash) == 1
	}

	t.Run("fresh session", func(t *testing.T) {
		token, _ := login(t)
		got, err := f.svc.Authenticate(ctx, token)
		if err != nil || got.ID != u.ID {
			t.Errorf("Authenticate = %+v, %v", got, err)
		}
		if _, err := f.svc.Authenticate(ctx, ""); !errors.Is(err, ErrSessionInvalid) {
			t.Errorf("empty token: %v", err)
		}
		if _, err := f.svc.Authenticate(ctx, token+"x"); !errors.Is(err, ErrSessionInvalid) {
			t.Errorf("unknown token: %v", err)
		}
	})
	t.Run("activity is recorded", func(t *testing.T) {
		token, hash := login(t)
		f.exec(t, "UPDATE sessions SET last_seen_at = now() - interval '90 minutes' WHERE token_hash = $1", hash)
		if _, err := f.svc.Authenticate(ctx, token); err != nil {
			t.Fatalf("session idle 90m (limit 2h): %v", err)
		}
		if n := f.count(t, "SELECT count(*) FROM sessions WHERE token_hash = $1 AND last_seen_at > now() - interval '1 minute'", hash); n != 1 {
			t.Error("last_seen_at was not refreshed by use")
		}
	})
	t.Run("idle timeout", func(t *testing.T) {
		token, hash := login(t)
		f.exec(t, "UPDATE sessions SET last_seen_at = now() - interval '2 hours 1 minute' WHERE token_hash = $1", hash)
		if _, err := f.svc.Authenticate(ctx, token); !errors.Is(err, ErrSessionInvalid) {
			t.Errorf("idle session: err = %v, want ErrSessionInvalid", err)
		}
		if alive(t, hash) {
			t.Error("idle session row was not deleted")
		}
	})
	t.Run("max age", func(t *testing.T) {
		token, hash := login(t)
		f.exec(t, "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = $1", hash)
		if _, err := f.svc.Authenticate(ctx, token); !errors.Is(err, ErrSessionInvalid) {
			t.Errorf("expired session: err = %v, want ErrSessionInvalid", err)
		}
		if alive(t, hash) {
			t.Error("expired session row was not deleted")
		}
	})
	t.Run("inactive user", func(t *testing.T) {
		token, hash := login(t)
		f.exec(t, "UPDATE users SET active = false WHERE id = $1", u.ID)
		defer f.exec(t, "UPDATE users SET active = true WHERE id = $1", u.ID)
		if _, err := f.svc.Authenticate(ctx, token); !errors.Is(err, ErrSessionInvalid) {
			t.Errorf("session of an inactive user: err = %v, want ErrSessionInvalid", err)
		}
		if alive(t, hash) {
			t.Error("session of an inactive user was not deleted")
		}
	})
}

func TestChangePasswordKeepsOnlyCurrentSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	u := f.user(t, "piet@test.example")
	keep, _, err := f.svc.Login(ctx, u.Email, testPassword, "192.0.2.1", "browser A")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := f.svc.Login(ctx, u.Email, testPassword, "192.0.2.2", "browser B")
	if err != nil {
		t.Fatal(err)
	}
	var expBefore time.Time
	if err := f.pool.QueryRow(ctx, "SELECT expires_at FROM sessions WHERE token_hash = $1", HashToken(keep)).Scan(&expBefore); err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{UserID: &u.ID, Email: u.Email}

	if err := f.svc.ChangePassword(ctx, actor, "wrong-password", "nieuw-wachtwoord", keep); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong current password: err = %v, want ErrWrongPassword", err)
	}
	var weak ErrWeakPassword
	if err := f.svc.ChangePassword(ctx, actor, testPassword, "kort", keep); !errors.As(err, &weak) {
		t.Errorf("short new password: err = %v, want ErrWeakPassword", err)
	}
	if err := f.svc.ChangePassword(ctx, actor, testPassword, "nieuw-wachtwoord", keep); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Authenticate(ctx, keep); err != nil {
		t.Errorf("current session after the change: %v", err)
	}
	if _, err := f.svc.Authenticate(ctx, other); !errors.Is(err, ErrSessionInvalid) {
		t.Errorf("other session after the change: err = %v, want ErrSessionInvalid", err)
	}
	// Changing the password must not stretch the session's absolute
	// lifetime, nor forget where it came from.
	var expAfter time.Time
	var ip, ua string
	if err := f.pool.QueryRow(ctx, "SELECT expires_at, ip, user_agent FROM sessions WHERE token_hash = $1", HashToken(keep)).Scan(&expAfter, &ip, &ua); err != nil {
		t.Fatal(err)
	}
	if !expAfter.Equal(expBefore) {
		t.Errorf("session expiry moved from %v to %v by a password change", expBefore, expAfter)
	}
	if ip != "192.0.2.1" || ua != "browser A" {
		t.Errorf("kept session lost its origin: ip %q, user agent %q", ip, ua)
	}
	if _, _, err := f.svc.Login(ctx, u.Email, "nieuw-wachtwoord", "192.0.2.1", "test"); err != nil {
		t.Errorf("new password: %v", err)
	}
	if _, _, err := f.svc.Login(ctx, u.Email, testPassword, "192.0.2.1", "test"); !errors.Is(err, ErrInvalidCredentials) {
		t.Errorf("old password: err = %v, want ErrInvalidCredentials", err)
	}
}

func TestInviteLink(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	admin := f.user(t, "admin@test.example")
	actor := audit.Actor{UserID: &admin.ID, Email: admin.Email}
	u, err := f.svc.CreateUser(ctx, actor, NewAccount{Email: "Nieuw@Test.Example", Name: "Nieuw", Role: account.RoleSupport, Invite: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "nieuw@test.example" {
		t.Errorf("stored e-mail %q, want it normalised", u.Email)
	}
	var expires time.Time
	if err := f.pool.QueryRow(ctx, "SELECT expires_at FROM user_tokens WHERE user_id = $1 AND purpose = 'invite'", u.ID).Scan(&expires); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(expires) - 7*24*time.Hour; d < -time.Minute || d > time.Minute {
		t.Errorf("invitation expires at %v, want about 7 days from now", expires)
	}
	first := f.mailer.lastLink(t, u.Email, "/uitnodiging/")
	if err := f.svc.Reinvite(ctx, actor, u.ID); err != nil {
		t.Fatal(err)
	}
	second := f.mailer.lastLink(t, u.Email, "/uitnodiging/")
	if _, err := f.svc.InviteUser(ctx, first); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("older invitation after a new one: err = %v, want ErrTokenInvalid", err)
	}
	if _, err := f.svc.AcceptInvite(ctx, second, "mijn-eerste-wachtwoord", "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AcceptInvite(ctx, second, "mijn-tweede-wachtwoord", "192.0.2.1"); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("second use: err = %v, want ErrTokenInvalid", err)
	}
	if _, _, err := f.svc.Login(ctx, u.Email, "mijn-eerste-wachtwoord", "192.0.2.1", "test"); err != nil {
		t.Errorf("login after accepting: %v", err)
	}

	if _, err := f.svc.CreateUser(ctx, actor, NewAccount{Email: "NIEUW@test.example", Role: account.RoleCurator, Invite: true}); !errors.Is(err, ErrEmailTaken) {
		t.Errorf("duplicate e-mail in other case: err = %v, want ErrEmailTaken", err)
	}
	sup, err := f.store.SupplierCreate(ctx, "Winkel")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateUser(ctx, actor, NewAccount{Email: "a@test.example", Role: account.RoleSupplier, Invite: true}); !errors.Is(err, ErrSupplierRequired) {
		t.Errorf("supplier without supplier: err = %v", err)
	}
	if _, err := f.svc.CreateUser(ctx, actor, NewAccount{Email: "a@test.example", Role: account.RoleCurator, SupplierID: &sup.ID, Invite: true}); !errors.Is(err, ErrSupplierRequired) {
		t.Errorf("curator with supplier: err = %v", err)
	}
	if _, err := f.svc.SetRole(ctx, actor, admin.ID, account.RoleCurator, nil); !errors.Is(err, ErrSelf) {
		t.Errorf("demoting oneself: err = %v, want ErrSelf", err)
	}
	if _, err := f.svc.SetActive(ctx, actor, admin.ID, false); !errors.Is(err, ErrSelf) {
		t.Errorf("deactivating oneself: err = %v, want ErrSelf", err)
	}
}
