package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// Errors the portal turns into Dutch messages.
var (
	// ErrInvalidCredentials covers unknown e-mail, wrong password and an
	// inactive account alike, so a login never reveals which.
	ErrInvalidCredentials = errors.New("invalid credentials")
	// ErrSessionInvalid is an unknown, expired, idle or revoked session.
	ErrSessionInvalid = errors.New("session invalid")
	// ErrTokenInvalid is an unknown, used or expired one-time link.
	ErrTokenInvalid = errors.New("one-time link invalid")
	// ErrWrongPassword is a wrong current password when changing it.
	ErrWrongPassword = errors.New("current password wrong")
)

// Lifetimes of one-time links.
const (
	ResetLinkTTL  = time.Hour
	InviteLinkTTL = 7 * 24 * time.Hour
)

// Mailer puts an e-mail in the outbox on the caller's transaction, so a mail
// is sent exactly when the change that caused it commits.
type Mailer interface {
	Enqueue(ctx context.Context, tx *store.Store, to, subject, text string) error
}

// Options configures the Service.
type Options struct {
	BaseURL     *url.URL
	IdleTimeout time.Duration
	MaxAge      time.Duration
	// Sleep waits between throttled attempts; tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// Service implements logging in and managing accounts.
type Service struct {
	store  *store.Store
	mailer Mailer
	logger *slog.Logger
	opts   Options
}

// NewService returns a Service.
func NewService(st *store.Store, mailer Mailer, logger *slog.Logger, opts Options) *Service {
	if opts.Sleep == nil {
		opts.Sleep = sleepCtx
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{store: st, mailer: mailer, logger: logger, opts: opts}
}

// Login checks credentials under throttling and opens a session. It returns
// the cookie token of the new session.
func (s *Service) Login(ctx context.Context, emailTyped, password, ip, userAgent string) (string, account.User, error) {
	email, _ := account.NormalizeEmail(emailTyped)
	if email == "" {
		email = emailTyped // still count failures against what was typed
	}
	actor := audit.Actor{Email: email, IP: ip}
	dec, err := s.admitAttempt(ctx, email, ip)
	if err != nil {
		return "", account.User{}, err
	}
	if dec.blocked != nil {
		if err := s.store.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.LoginBlocked}); err != nil {
			return "", account.User{}, err
		}
		return "", account.User{}, dec.blocked
	}
	if err := s.opts.Sleep(ctx, dec.delay); err != nil {
		return "", account.User{}, err
	}

	cred, err := s.store.UserCredentialsByEmail(ctx, email)
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		_, _ = VerifyPassword(dummyHash, password) // same work as a real check
	case err != nil:
		return "", account.User{}, err
	case cred.PasswordHash == "":
		_, _ = VerifyPassword(dummyHash, password)
	default:
		if ok, err = VerifyPassword(cred.PasswordHash, password); err != nil {
			return "", account.User{}, fmt.Errorf("verifying password of user %d: %w", cred.ID, err)
		}
	}
	if !ok || !cred.Active {
		// The failure was counted by admitAttempt already.
		err := s.store.InTx(ctx, func(tx *store.Store) error {
			e := audit.Entry{Actor: actor, Action: audit.LoginFailed}
			if cred.ID != 0 {
				e.SubjectType, e.SubjectID = "user", fmt.Sprint(cred.ID)
				if !cred.Active && ok {
					e.Detail = map[string]string{"reason": "inactive"}
				}
			}
			return tx.AuditAdd(ctx, e)
		})
		if err != nil {
			return "", account.User{}, err
		}
		return "", account.User{}, ErrInvalidCredentials
	}

	token, hash := NewToken()
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.SessionCreate(ctx, hash, account.Session{
			UserID: cred.ID, ExpiresAt: s.opts.Now().Add(s.opts.MaxAge), IP: ip, UserAgent: truncate(userAgent, 300),
		}); err != nil {
			return err
		}
		if err := tx.UserTouchLogin(ctx, cred.ID); err != nil {
			return err
		}
		if err := tx.LoginFailureClearEmail(ctx, email); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{
			Actor:  audit.Actor{UserID: &cred.ID, Email: email, IP: ip},
			Action: audit.LoginSucceeded, SubjectType: "user", SubjectID: fmt.Sprint(cred.ID), SupplierID: cred.SupplierID,
		})
	})
	if err != nil {
		return "", account.User{}, err
	}
	return token, cred.User, nil
}

// touchEvery limits how often a session's last activity is written: the
// idle timeout is hours, so a minute of imprecision costs nothing and saves
// a write on nearly every request.
const touchEvery = time.Minute

// Authenticate returns the user of a live session. Sessions of deactivated
// users, idle sessions and expired sessions are ended on the spot.
func (s *Service) Authenticate(ctx context.Context, token string) (account.User, error) {
	if token == "" {
		return account.User{}, ErrSessionInvalid
	}
	hash := HashToken(token)
	sess, user, err := s.store.SessionWithUser(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return account.User{}, ErrSessionInvalid
	}
	if err != nil {
		return account.User{}, err
	}
	now := s.opts.Now()
	if !user.Active || now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.opts.IdleTimeout {
		if err := s.store.SessionDelete(ctx, hash); err != nil {
			return account.User{}, err
		}
		return account.User{}, ErrSessionInvalid
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if err := s.store.SessionTouch(ctx, hash); err != nil {
			return account.User{}, err
		}
	}
	return user, nil
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, token string, actor audit.Actor) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.SessionDelete(ctx, HashToken(token)); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.Logout})
	})
}

// LogoutEverywhere ends every session of the acting user.
func (s *Service) LogoutEverywhere(ctx context.Context, actor audit.Actor) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		n, err := tx.SessionDeleteForUser(ctx, *actor.UserID)
		if err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.LogoutEverywhere,
			Detail: map[string]string{"sessions": fmt.Sprint(n)}})
	})
}

// ChangePassword sets a new password after checking the current one, and
// ends the user's other sessions (keepToken stays valid).
func (s *Service) ChangePassword(ctx context.Context, actor audit.Actor, current, next, keepToken string) error {
	cred, err := s.store.UserCredentials(ctx, *actor.UserID)
	if err != nil {
		return err
	}
	// Guesses of the current password count as failed logins, so a stolen
	// session cannot be used to find the password.
	dec, err := s.admitAttempt(ctx, cred.Email, actor.IP)
	if err != nil {
		return err
	}
	if dec.blocked != nil {
		return dec.blocked
	}
	ok, err := VerifyPassword(cred.PasswordHash, current)
	if err != nil || !ok {
		return ErrWrongPassword
	}
	if err := CheckPasswordPolicy(next, cred.Email); err != nil {
		return err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.UserSetPassword(ctx, cred.ID, hash); err != nil {
			return err
		}
		if err := endOtherSessions(ctx, tx, cred.ID, keepToken); err != nil {
			return err
		}
		if err := tx.LoginFailureClearEmail(ctx, cred.Email); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.PasswordChanged, SubjectType: "user", SubjectID: fmt.Sprint(cred.ID)})
	})
}

// endOtherSessions ends every session of a user except the one named by
// token, so changing a password logs out the others but not the one doing
// it. The kept session keeps its expiry (the maximum age still counts from
// the login) and its origin; a session that is already gone stays gone.
func endOtherSessions(ctx context.Context, tx *store.Store, userID int64, token string) error {
	var keep *account.Session
	if token != "" {
		sess, _, err := tx.SessionWithUser(ctx, HashToken(token))
		switch {
		case err == nil && sess.UserID == userID:
			keep = &sess
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	if _, err := tx.SessionDeleteForUser(ctx, userID); err != nil {
		return err
	}
	if keep == nil {
		return nil
	}
	return tx.SessionCreate(ctx, HashToken(token), *keep)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// admitAttempt decides whether a password may be checked now and counts the
// attempt as failed in advance: a correct password removes the count again.
// Counting first, under a lock per account and address, is what keeps
// parallel guesses from all passing the same count.
func (s *Service) admitAttempt(ctx context.Context, email, ip string) (throttleDecision, error) {
	var dec throttleDecision
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		if err := tx.LoginAttemptLock(ctx, email, ip); err != nil {
			return err
		}
		now := s.opts.Now()
		counts, err := tx.LoginFailureCounts(ctx, email, ip, now.Add(-throttleWindow))
		if err != nil {
			return err
		}
		if dec = decideThrottle(counts, now); dec.blocked != nil {
			return nil
		}
		return tx.LoginFailureAdd(ctx, email, ip)
	})
	return dec, err
}
