-- Supplier webshop connections as the portal manages them, and the read
-- side of what the syncer writes (runs, errors, products) for the
-- connection screens. The syncer's own writes live in catalog_sync.sql.

-- name: ConnectionCreate :one
INSERT INTO connections (supplier_id, environment, platform, base_url, credentials, key_id, credentials_hint, webhook_secret, created_by)
VALUES (@supplier_id, @environment, @platform, @base_url, @credentials, @key_id, @credentials_hint, @webhook_secret, sqlc.narg('created_by'))
RETURNING id;

-- name: ConnectionGet :one
SELECT c.*, s.name AS supplier_name,
       (SELECT count(*) FROM sync_errors e WHERE e.connection_id = c.id AND e.resolved_at IS NULL)::int AS open_errors
FROM connections c
JOIN suppliers s ON s.id = c.supplier_id
WHERE c.id = @id;

-- name: ConnectionGetByEnvironment :one
SELECT id FROM connections WHERE supplier_id = @supplier_id AND environment = @environment;

-- name: ConnectionGetForUpdate :one
SELECT id, supplier_id FROM connections WHERE id = @id FOR NO KEY UPDATE;

-- name: ConnectionListBySupplier :many
SELECT c.*, s.name AS supplier_name,
       (SELECT count(*) FROM sync_errors e WHERE e.connection_id = c.id AND e.resolved_at IS NULL)::int AS open_errors
FROM connections c
JOIN suppliers s ON s.id = c.supplier_id
WHERE c.supplier_id = @supplier_id
ORDER BY CASE c.environment WHEN 'production' THEN 0 WHEN 'acceptance' THEN 1 ELSE 2 END, c.id;

-- name: ConnectionListAll :many
-- Staff overview. With problems_only, only connections that need a look:
-- an open incident, failing, refused keys, webhooks not working, or open
-- errors.
SELECT c.*, s.name AS supplier_name,
       (SELECT count(*) FROM sync_errors e WHERE e.connection_id = c.id AND e.resolved_at IS NULL)::int AS open_errors
FROM connections c
JOIN suppliers s ON s.id = c.supplier_id
WHERE NOT @problems_only::boolean
   OR c.incident_kind <> '' OR c.failing_since IS NOT NULL OR c.auth_failed
   OR c.webhook_status IN ('disabled', 'error')
   OR EXISTS (SELECT 1 FROM sync_errors e WHERE e.connection_id = c.id AND e.resolved_at IS NULL)
ORDER BY (c.incident_kind <> '') DESC, s.name, c.environment, c.id
LIMIT 1000;

-- name: ConnectionIncidents :many
-- Connections with an open incident, for the start pages: one supplier's
-- (supplier_id set) or everyone's.
SELECT c.id, c.supplier_id, c.environment, c.platform, c.base_url, c.incident_kind, c.incident_since, s.name AS supplier_name
FROM connections c
JOIN suppliers s ON s.id = c.supplier_id
WHERE c.incident_kind <> ''
  AND (sqlc.narg('supplier_id')::bigint IS NULL OR c.supplier_id = sqlc.narg('supplier_id'))
ORDER BY c.incident_since, c.id
LIMIT 50;

-- name: ConnectionSetCredentials :exec
-- The webhook secret is re-sealed with the credentials: both use key_id.
UPDATE connections
SET credentials = @credentials, webhook_secret = @webhook_secret, key_id = @key_id, credentials_hint = @credentials_hint,
    updated_at = now()
WHERE id = @id;

-- name: ConnectionSetBaseURL :exec
UPDATE connections SET base_url = @base_url, updated_at = now() WHERE id = @id;

-- name: ConnectionSetPaused :exec
UPDATE connections SET paused = @paused, updated_at = now() WHERE id = @id;

-- name: ConnectionSetShopInfo :exec
UPDATE connections SET shop_info = @shop_info WHERE id = @id;

-- name: ConnectionDelete :exec
DELETE FROM connections WHERE id = @id;

-- name: ConnectionWebhookList :many
SELECT * FROM connection_webhooks WHERE connection_id = @connection_id ORDER BY topic;

-- name: SyncRunHistory :many
SELECT * FROM sync_runs WHERE connection_id = @connection_id ORDER BY id DESC LIMIT @max_rows;

-- name: SyncRunLatest :one
SELECT * FROM sync_runs WHERE connection_id = @connection_id ORDER BY id DESC LIMIT 1;

-- name: SyncErrorPage :many
-- A connection's errors, newest first, keyset-paginated on id. state is
-- open, resolved or empty for both; search matches the product's name or
-- the shop's product id.
SELECT * FROM sync_errors
WHERE connection_id = @connection_id
  AND (@state::text = '' OR (@state = 'open' AND resolved_at IS NULL) OR (@state = 'resolved' AND resolved_at IS NOT NULL))
  AND (@code::text = '' OR code = @code)
  AND (@search::text = '' OR product_name ILIKE '%' || @search || '%' OR product_external_id = @search)
  AND (sqlc.narg('before_id')::bigint IS NULL OR id < sqlc.narg('before_id'))
ORDER BY id DESC
LIMIT @max_rows;

-- name: SyncErrorCodes :many
SELECT DISTINCT code FROM sync_errors WHERE connection_id = @connection_id ORDER BY code;

-- name: ProductSupplierPage :many
-- A supplier's synced products with their curation decision, by name,
-- keyset-paginated on (name, id). environment and connection_id narrow
-- it; search matches name or SKU (also of variants).
SELECT p.id, p.connection_id, p.environment, p.external_id, p.type, p.shop_status, p.name, p.sku,
       p.price_cents, p.regular_price_cents, p.sale_price_cents, p.manage_stock, p.stock_quantity, p.stock_status,
       p.permalink, p.updated_at, p.deleted_at,
       (SELECT count(*) FROM product_variants v WHERE v.product_id = p.id AND v.deleted_at IS NULL)::int AS variant_count,
       coalesce(pc.status, 'pending')::text AS curation_status,
       coalesce(pc.reason_text, '')::text AS curation_reason_text,
       coalesce(rr.label, '')::text AS curation_reason_label,
       pc.decided_at AS curation_decided_at
FROM products p
LEFT JOIN product_curation pc ON pc.product_id = p.id
LEFT JOIN rejection_reasons rr ON rr.id = pc.reason_id
WHERE p.supplier_id = @supplier_id
  AND (@environment::text = '' OR p.environment = @environment)
  AND (sqlc.narg('connection_id')::bigint IS NULL OR p.connection_id = sqlc.narg('connection_id'))
  AND (@search::text = '' OR p.name ILIKE '%' || @search || '%' OR p.sku ILIKE '%' || @search || '%'
       OR EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.sku ILIKE '%' || @search || '%'))
  AND (@curation::text = '' OR coalesce(pc.status, 'pending') = @curation)
  AND (NOT @hide_deleted::boolean OR p.deleted_at IS NULL)
  AND (sqlc.narg('after_name')::text IS NULL OR (p.name, p.id) > (sqlc.narg('after_name')::text, sqlc.narg('after_id')::bigint))
ORDER BY p.name, p.id
LIMIT @max_rows;

-- name: ProductSupplierCount :one
SELECT count(*)::int AS total,
       count(*) FILTER (WHERE p.deleted_at IS NULL)::int AS live
FROM products p
WHERE p.supplier_id = @supplier_id
  AND (sqlc.narg('connection_id')::bigint IS NULL OR p.connection_id = sqlc.narg('connection_id'));
