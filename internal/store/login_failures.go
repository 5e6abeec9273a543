package store

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// LoginFailureCounts is how many logins failed recently for one account and
// one client address, and when the last of each was.
type LoginFailureCounts struct {
	Email     int64
	EmailLast time.Time // zero-valued (the epoch) when there were none
	IP        int64
	IPLast    time.Time
}

// LoginFailureAdd records a failed login.
func (s *Store) LoginFailureAdd(ctx context.Context, email, ip string) error {
	return interpret(s.q.LoginFailureAdd(ctx, dbsqlc.LoginFailureAddParams{Email: email, IP: ip}), "recording failed login")
}

// LoginFailureCounts counts failures since a moment.
func (s *Store) LoginFailureCounts(ctx context.Context, email, ip string, since time.Time) (LoginFailureCounts, error) {
	r, err := s.q.LoginFailureCounts(ctx, dbsqlc.LoginFailureCountsParams{Email: email, IP: ip, Since: since})
	if err != nil {
		return LoginFailureCounts{}, interpret(err, "counting failed logins")
	}
	return LoginFailureCounts{Email: r.EmailFailures, EmailLast: r.EmailLast, IP: r.IpFailures, IPLast: r.IpLast}, nil
}

// LoginFailureClearEmail forgets an account's failures after a successful
// login.
func (s *Store) LoginFailureClearEmail(ctx context.Context, email string) error {
	return interpret(s.q.LoginFailureClearEmail(ctx, email), "clearing failed logins")
}

// LoginFailurePrune deletes failures older than a moment.
func (s *Store) LoginFailurePrune(ctx context.Context, before time.Time) (int64, error) {
	n, err := s.q.LoginFailurePrune(ctx, before)
	return n, interpret(err, "pruning failed logins")
}

// LoginAttemptLock serialises login attempts on an account and an address
// until the transaction ends.
func (s *Store) LoginAttemptLock(ctx context.Context, email, ip string) error {
	return interpret(s.q.LoginAttemptLock(ctx, dbsqlc.LoginAttemptLockParams{Email: email, IP: ip}), "locking login attempts")
}
