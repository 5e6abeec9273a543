package store

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// SessionCreate stores a new session under the hash of its cookie token.
func (s *Store) SessionCreate(ctx context.Context, tokenHash []byte, sess account.Session) error {
	return interpret(s.q.SessionCreate(ctx, dbsqlc.SessionCreateParams{
		TokenHash: tokenHash, UserID: sess.UserID, ExpiresAt: sess.ExpiresAt, IP: sess.IP, UserAgent: sess.UserAgent,
	}), "creating session")
}

// SessionWithUser returns a session and its user in one query.
func (s *Store) SessionWithUser(ctx context.Context, tokenHash []byte) (account.Session, account.User, error) {
	row, err := s.q.SessionGetWithUser(ctx, tokenHash)
	if err != nil {
		return account.Session{}, account.User{}, interpret(err, "getting session")
	}
	ss := row.Session
	u := userFromRow(row.User)
	u.SupplierName, u.SupplierPlatform = row.SupplierName, row.SupplierPlatform
	return account.Session{
		UserID: ss.UserID, CreatedAt: ss.CreatedAt, LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.ExpiresAt,
		IP: ss.IP, UserAgent: ss.UserAgent,
	}, u, nil
}

// SessionTouch records activity on a session (for the idle timeout).
func (s *Store) SessionTouch(ctx context.Context, tokenHash []byte) error {
	return interpret(s.q.SessionTouch(ctx, tokenHash), "touching session")
}

// SessionDelete ends one session.
func (s *Store) SessionDelete(ctx context.Context, tokenHash []byte) error {
	return interpret(s.q.SessionDelete(ctx, tokenHash), "deleting session")
}

// SessionDeleteForUser ends every session of a user and says how many.
func (s *Store) SessionDeleteForUser(ctx context.Context, userID int64) (int64, error) {
	n, err := s.q.SessionDeleteForUser(ctx, userID)
	return n, interpret(err, "deleting user sessions")
}

// SessionDeleteExpired removes sessions past their lifetime or idle longer
// than the idle timeout.
func (s *Store) SessionDeleteExpired(ctx context.Context, idle time.Duration) (int64, error) {
	n, err := s.q.SessionDeleteExpired(ctx, time.Now().Add(-idle))
	return n, interpret(err, "deleting expired sessions")
}

// SessionCountForUser counts a user's open sessions.
func (s *Store) SessionCountForUser(ctx context.Context, userID int64) (int64, error) {
	n, err := s.q.SessionCountForUser(ctx, userID)
	return n, interpret(err, "counting sessions")
}
