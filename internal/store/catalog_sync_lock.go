package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wujw/ohis/internal/store/dbsqlc"
)

// SyncerWithLock runs fn with a Store on a database connection of its own
// that holds the session-level advisory lock (namespace, key) for fn's
// whole duration. When another session holds the lock it returns false
// without running fn. The lock goes with the connection if the process
// dies; otherwise it is released before the connection returns to the
// pool (a connection whose unlock failed is closed, not reused).
func (s *Store) SyncerWithLock(ctx context.Context, namespace int32, key int64, fn func(conn *Store) error) (bool, error) {
	pool, ok := s.db.(*pgxpool.Pool)
	if !ok {
		return false, errors.New("store: SyncerWithLock needs a Store on the pool")
	}
	c, err := pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("acquiring a connection for the sync lock: %w", err)
	}
	k := int32(key) //nolint:gosec // connection ids stay far below 2^31
	var got bool
	if err := c.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", namespace, k).Scan(&got); err != nil {
		c.Release()
		return false, fmt.Errorf("taking the sync lock: %w", err)
	}
	if !got {
		c.Release()
		return false, nil
	}
	defer func() {
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		var released bool
		if err := c.QueryRow(unlockCtx, "SELECT pg_advisory_unlock($1, $2)", namespace, k).Scan(&released); err != nil || !released {
			// Never hand a connection that may still hold the lock back
			// to the pool: closing it releases the lock.
			_ = c.Conn().Close(unlockCtx)
		}
		c.Release()
	}()
	return true, fn(&Store{db: c, q: dbsqlc.New(c)})
}

// SyncerLockHeld reports whether some session holds the advisory lock
// (namespace, key), without taking it.
func (s *Store) SyncerLockHeld(ctx context.Context, namespace int32, key int64) (bool, error) {
	var held bool
	err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::int::oid AND objid = $2::int::oid AND objsubid = 2 AND granted)`,
		namespace, int32(key)).Scan(&held) //nolint:gosec // as above
	return held, interpret(err, "checking the sync lock")
}

// SyncerClock returns the database's current time (not the transaction's
// start).
func (s *Store) SyncerClock(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := s.db.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&t)
	return t, interpret(err, "reading the database clock")
}

// SyncerCustomPlans makes the current transaction plan every statement
// for its parameters (SET LOCAL plan_cache_mode): the syncer's statements
// take arrays of ids, and a generic plan for "external_id = ANY($2)" reads
// a connection's whole catalogue instead of probing the index.
func (s *Store) SyncerCustomPlans(ctx context.Context) error {
	_, err := s.db.Exec(ctx, "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)")
	return interpret(err, "setting plan cache mode")
}

// SyncerLockTimeout bounds how long the current transaction waits for a
// row lock (SET LOCAL lock_timeout).
func (s *Store) SyncerLockTimeout(ctx context.Context, d time.Duration) error {
	_, err := s.db.Exec(ctx, "SELECT set_config('lock_timeout', $1, true)", fmt.Sprintf("%dms", d.Milliseconds()))
	return interpret(err, "setting lock timeout")
}

// IsLockTimeout reports whether err is a lock wait that ran out
// (lock_timeout) or a deadlock the database broke.
func IsLockTimeout(err error) bool {
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) {
		switch pgErr.SQLState() {
		case "55P03", "40P01": // lock_not_available, deadlock_detected
			return true
		}
	}
	return false
}

// IsForeignKeyViolation reports whether err is a write that referred to a
// row that does not exist (any more).
func IsForeignKeyViolation(err error) bool {
	var pgErr interface{ SQLState() string }
	return errors.As(err, &pgErr) && pgErr.SQLState() == "23503"
}

// The seen sets of a reconciliation: temp tables of the transaction, so a
// catalogue of any size is never held in memory.
const (
	seenCreateProducts = `CREATE TEMP TABLE IF NOT EXISTS syncer_seen_products (external_id text NOT NULL) ON COMMIT DROP`
	seenCreateVariants = `CREATE TEMP TABLE IF NOT EXISTS syncer_seen_variants (parent_external_id text NOT NULL, external_id text NOT NULL) ON COMMIT DROP`

	reconcileProductsGone = `UPDATE products p SET deleted_at = now(), updated_at = now()
WHERE p.connection_id = $1 AND p.deleted_at IS NULL AND p.updated_at < $2
  AND NOT EXISTS (SELECT 1 FROM syncer_seen_products s WHERE s.external_id = p.external_id)
RETURNING p.id`
	reconcileProductsBack = `UPDATE products p SET deleted_at = NULL, updated_at = now()
WHERE p.connection_id = $1 AND p.deleted_at IS NOT NULL AND p.deleted_at < $2
  AND EXISTS (SELECT 1 FROM syncer_seen_products s WHERE s.external_id = p.external_id)
RETURNING p.id`
	reconcileVariantsGone = `UPDATE product_variants v SET deleted_at = now(), updated_at = now()
FROM products p
WHERE v.product_id = p.id AND p.connection_id = $1 AND v.deleted_at IS NULL AND v.updated_at < $2
  AND EXISTS (SELECT 1 FROM syncer_seen_products s WHERE s.external_id = p.external_id)
  AND NOT EXISTS (SELECT 1 FROM syncer_seen_variants sv WHERE sv.parent_external_id = p.external_id AND sv.external_id = v.external_id)
RETURNING v.product_id`
	reconcileVariantsBack = `UPDATE product_variants v SET deleted_at = NULL, updated_at = now()
FROM products p
WHERE v.product_id = p.id AND p.connection_id = $1 AND v.deleted_at IS NOT NULL AND v.deleted_at < $2
  AND EXISTS (SELECT 1 FROM syncer_seen_variants sv WHERE sv.parent_external_id = p.external_id AND sv.external_id = v.external_id)
RETURNING v.product_id`
	seenProductCount = `SELECT count(DISTINCT external_id) FROM syncer_seen_products`
)

func (s *Store) copier() (interface {
	CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
}, error) {
	c, ok := s.db.(interface {
		CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
	})
	if !ok || s.Tx() == nil {
		return nil, errors.New("store: the seen sets need a transaction")
	}
	return c, nil
}

// SyncerSeenBegin creates the transaction's seen sets.
func (s *Store) SyncerSeenBegin(ctx context.Context) error {
	if _, err := s.copier(); err != nil {
		return err
	}
	for _, sql := range []string{seenCreateProducts, seenCreateVariants} {
		if _, err := s.db.Exec(ctx, sql); err != nil {
			return interpret(err, "creating seen sets")
		}
	}
	return nil
}

// SyncerSeenProducts adds listed product ids to the seen set.
func (s *Store) SyncerSeenProducts(ctx context.Context, ids []string) error {
	c, err := s.copier()
	if err != nil || len(ids) == 0 {
		return err
	}
	_, err = c.CopyFrom(ctx, pgx.Identifier{"syncer_seen_products"}, []string{"external_id"},
		pgx.CopyFromSlice(len(ids), func(i int) ([]any, error) { return []any{ids[i]}, nil }))
	return interpret(err, "adding seen products")
}

// SyncerSeenVariants adds listed variants (parent and own id) to the seen
// set.
func (s *Store) SyncerSeenVariants(ctx context.Context, refs [][2]string) error {
	c, err := s.copier()
	if err != nil || len(refs) == 0 {
		return err
	}
	_, err = c.CopyFrom(ctx, pgx.Identifier{"syncer_seen_variants"}, []string{"parent_external_id", "external_id"},
		pgx.CopyFromSlice(len(refs), func(i int) ([]any, error) { return []any{refs[i][0], refs[i][1]}, nil }))
	return interpret(err, "adding seen variants")
}

// SyncerSeenProductCount counts the distinct products in the seen set.
func (s *Store) SyncerSeenProductCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, seenProductCount).Scan(&n)
	return n, interpret(err, "counting seen products")
}

// Reconciled is what a reconciliation changed.
type Reconciled struct {
	ProductsDeleted  []int64
	ProductsRestored []int64
	// VariantParents are the products whose variants were deleted or
	// restored, once per variant.
	VariantParents   []int64
	VariantsDeleted  int
	VariantsRestored int
}

// SyncerReconcile compares the connection's catalogue with the complete
// seen sets: products and variants missing from them are marked deleted,
// deleted ones present in them are restored. Rows written since
// listedFrom (database clock; by webhooks while the ids were listed) are
// left alone.
func (s *Store) SyncerReconcile(ctx context.Context, connectionID int64, listedFrom time.Time) (Reconciled, error) {
	var r Reconciled
	// Indexed, so that the anti-joins below stay index probes even when
	// the planner believes the catalogue tiny: in a first sync every row
	// was inserted by this transaction and the statistics do not know
	// them (a nested loop over an unindexed seen set is quadratic).
	for _, sql := range []string{
		"CREATE INDEX syncer_seen_products_idx ON syncer_seen_products (external_id)",
		"CREATE INDEX syncer_seen_variants_idx ON syncer_seen_variants (parent_external_id, external_id)",
		"ANALYZE syncer_seen_products", "ANALYZE syncer_seen_variants",
	} {
		if _, err := s.db.Exec(ctx, sql); err != nil {
			return r, interpret(err, "indexing seen sets")
		}
	}
	var err error
	if r.ProductsDeleted, err = s.ids(ctx, reconcileProductsGone, connectionID, listedFrom); err != nil {
		return r, interpret(err, "marking vanished products deleted")
	}
	if r.ProductsRestored, err = s.ids(ctx, reconcileProductsBack, connectionID, listedFrom); err != nil {
		return r, interpret(err, "restoring listed products")
	}
	gone, err := s.ids(ctx, reconcileVariantsGone, connectionID, listedFrom)
	if err != nil {
		return r, interpret(err, "marking vanished variants deleted")
	}
	back, err := s.ids(ctx, reconcileVariantsBack, connectionID, listedFrom)
	if err != nil {
		return r, interpret(err, "restoring listed variants")
	}
	r.VariantsDeleted, r.VariantsRestored = len(gone), len(back)
	r.VariantParents = append(gone, back...)
	return r, nil
}

func (s *Store) ids(ctx context.Context, sql string, args ...any) ([]int64, error) {
	rows, err := s.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}
