package store

import (
	"context"
	"time"

	"github.com/wujw/ohis/internal/admission"
	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// APIKey is a supplier's key for one environment; the secret itself is
// never stored.
type APIKey struct {
	ID          int64
	SupplierID  int64
	Environment admission.Environment
	Name        string
	Prefix      string
	CreatedAt   time.Time
	RevokedAt   *time.Time
	LastUsedAt  *time.Time
}

func apiKeyFromRow(r dbsqlc.ApiKey) APIKey {
	return APIKey{ID: r.ID, SupplierID: r.SupplierID, Environment: admission.Environment(r.Environment), Name: r.Name,
		Prefix: r.Prefix, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt, LastUsedAt: r.LastUsedAt}
}

// APIKeyCreate stores a new key by the hash of its secret.
func (s *Store) APIKeyCreate(ctx context.Context, k APIKey, secretHash []byte, createdBy *int64) (APIKey, error) {
	row, err := s.q.APIKeyCreate(ctx, dbsqlc.APIKeyCreateParams{
		SupplierID: k.SupplierID, Environment: string(k.Environment), Name: k.Name, Prefix: k.Prefix,
		SecretHash: secretHash, CreatedBy: createdBy,
	})
	if err != nil {
		return APIKey{}, interpret(err, "creating API key")
	}
	return apiKeyFromRow(row), nil
}

// APIKeyList returns a supplier's keys, revoked ones included.
func (s *Store) APIKeyList(ctx context.Context, supplierID int64) ([]APIKey, error) {
	rows, err := s.q.APIKeyList(ctx, supplierID)
	if err != nil {
		return nil, interpret(err, "listing API keys")
	}
	out := make([]APIKey, len(rows))
	for i, r := range rows {
		out[i] = apiKeyFromRow(r)
	}
	return out, nil
}

// APIKeyRevoke revokes one of the supplier's own live keys; ErrNotFound
// for another supplier's key or one already revoked.
func (s *Store) APIKeyRevoke(ctx context.Context, supplierID, id int64) (APIKey, error) {
	row, err := s.q.APIKeyRevoke(ctx, dbsqlc.APIKeyRevokeParams{ID: id, SupplierID: supplierID})
	if err != nil {
		return APIKey{}, interpret(err, "revoking API key")
	}
	return apiKeyFromRow(row), nil
}

// APIKeyByHash finds the live key with that secret hash (authentication of
// the supplier API).
func (s *Store) APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error) {
	row, err := s.q.APIKeyGetByHash(ctx, hash)
	if err != nil {
		return APIKey{}, interpret(err, "finding API key")
	}
	return apiKeyFromRow(row), nil
}

// APIKeyRevokeAllForSupplier revokes every live key of a supplier (on
// exclusion) and says how many.
func (s *Store) APIKeyRevokeAllForSupplier(ctx context.Context, supplierID int64) (int64, error) {
	n, err := s.q.APIKeyRevokeAllForSupplier(ctx, supplierID)
	return n, interpret(err, "revoking all API keys")
}
