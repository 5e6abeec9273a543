// Package store is OHIS's only door to PostgreSQL. It wraps the sqlc
// generated code, converts its rows to domain types and maps "no rows" to
// ErrNotFound, so no pgx or pgtype type leaks past it.
package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break a uniqueness rule.
var ErrConflict = errors.New("conflict")

// DB is what both a pool and a transaction offer.
type DB interface {
	dbsqlc.DBTX
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Store runs queries on a pool, or inside one transaction (see InTx).
type Store struct {
	db DB
	q  *dbsqlc.Queries
}

// New returns a Store on the pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{db: pool, q: dbsqlc.New(pool)}
}

// InTx runs fn with a Store bound to one transaction, committed when fn
// returns nil and rolled back otherwise. Inside a transaction it nests as a
// savepoint.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		return fn(&Store{db: tx, q: dbsqlc.New(tx)})
	})
}

// Tx is the transaction the Store runs in, for River's InsertTx; nil outside
// a transaction.
func (s *Store) Tx() pgx.Tx {
	tx, _ := s.db.(pgx.Tx)
	return tx
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// interpret maps driver errors onto the store's sentinels, keeping the
// original for logs.
func interpret(err error, doing string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", doing, ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%s: %w (%s)", doing, ErrConflict, pgErr.ConstraintName)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
