package store

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// UserTokenCreate stores a one-time link token (by hash) for a purpose
// ("reset" or "invite").
func (s *Store) UserTokenCreate(ctx context.Context, tokenHash []byte, userID int64, purpose string, expires time.Time) error {
	return interpret(s.q.UserTokenCreate(ctx, dbsqlc.UserTokenCreateParams{
		TokenHash: tokenHash, UserID: userID, Purpose: purpose, ExpiresAt: expires,
	}), "creating one-time token")
}

// UserTokenValid returns the user id a still valid token belongs to,
// without using it up; ErrNotFound for unknown, used or expired tokens.
func (s *Store) UserTokenValid(ctx context.Context, tokenHash []byte, purpose string) (int64, error) {
	row, err := s.q.UserTokenGetValid(ctx, dbsqlc.UserTokenGetValidParams{TokenHash: tokenHash, Purpose: purpose})
	if err != nil {
		return 0, interpret(err, "checking one-time token")
	}
	return row.UserID, nil
}

// UserTokenConsume uses a token up and returns its user id; ErrNotFound
// when it is unknown, used or expired. Concurrent consumers: one wins.
func (s *Store) UserTokenConsume(ctx context.Context, tokenHash []byte, purpose string) (int64, error) {
	row, err := s.q.UserTokenConsume(ctx, dbsqlc.UserTokenConsumeParams{TokenHash: tokenHash, Purpose: purpose})
	if err != nil {
		return 0, interpret(err, "using one-time token")
	}
	return row.UserID, nil
}

// UserTokenRevokeForUser invalidates a user's open tokens of one purpose, so
// only the newest link works.
func (s *Store) UserTokenRevokeForUser(ctx context.Context, userID int64, purpose string) error {
	return interpret(s.q.UserTokenRevokeForUser(ctx, dbsqlc.UserTokenRevokeForUserParams{UserID: userID, Purpose: purpose}), "revoking tokens")
}
