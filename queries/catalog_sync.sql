-- The syncer's reads and writes (issue 4): a connection's sync state, runs
-- and their progress, errors, the set-based catalogue upserts (one
-- statement per page, rows as a JSON array), taxonomies, webhook deliveries
-- and webhook registrations. Temp tables for reconciliation and the
-- advisory lock live in internal/store/catalog_sync_lock.go (not
-- expressible in sqlc).

-- name: SyncerConnection :one
SELECT id, supplier_id, environment, platform, paused, watermark, last_success_at, last_attempt_at,
       last_reconcile_at, next_sync_at, failing_since, last_error_code, auth_failed, webhook_status,
       webhook_checked_at, incident_kind, incident_since, incident_mailed_at
FROM connections WHERE id = @id;

-- name: SyncerConnectionForUpdate :one
SELECT id, supplier_id, environment, platform, paused, watermark, last_success_at, last_attempt_at,
       last_reconcile_at, next_sync_at, failing_since, last_error_code, auth_failed, webhook_status,
       webhook_checked_at, incident_kind, incident_since, incident_mailed_at
FROM connections WHERE id = @id FOR NO KEY UPDATE; -- a running sync holds KEY SHARE (foreign keys) all along

-- name: SyncerConnectionPlatform :one
SELECT platform FROM connections WHERE id = @id;

-- name: SyncerConnectionSucceeded :exec
-- A run committed. watermark is NULL for a reconciliation, which leaves it.
UPDATE connections
SET watermark         = coalesce(sqlc.narg('watermark')::timestamptz, watermark),
    last_success_at   = clock_timestamp(),
    last_attempt_at   = clock_timestamp(),
    last_reconcile_at = CASE WHEN @reconciled::boolean THEN clock_timestamp() ELSE last_reconcile_at END,
    next_sync_at      = coalesce(sqlc.narg('next_sync_at')::timestamptz, next_sync_at),
    failing_since     = NULL,
    auth_failed       = false,
    last_error_code   = ''
WHERE id = @id;

-- name: SyncerConnectionFailed :exec
UPDATE connections
SET last_attempt_at = clock_timestamp(),
    failing_since   = coalesce(failing_since, clock_timestamp()),
    auth_failed     = @auth_failed,
    last_error_code = @code,
    next_sync_at    = @next_sync_at
WHERE id = @id;

-- name: SyncerConnectionSetNextSync :exec
UPDATE connections SET next_sync_at = @next_sync_at WHERE id = @id;

-- name: SyncerConnectionsDue :many
-- Connections whose next incremental sync is due, locked so that two
-- schedulers (a leader change mid-tick) do not both queue them. A
-- connection in the middle of a run is skipped (its run holds KEY SHARE);
-- the run sets its next sync when it ends.
SELECT id, watermark FROM connections
WHERE NOT paused AND (next_sync_at IS NULL OR next_sync_at <= now())
ORDER BY next_sync_at NULLS FIRST, id
LIMIT 1000
FOR UPDATE SKIP LOCKED;

-- name: SyncerConnectionsReconcileDue :many
SELECT id FROM connections
WHERE NOT paused AND watermark IS NOT NULL
  AND (last_reconcile_at IS NULL OR last_reconcile_at < now() - make_interval(secs => @every_seconds::float8))
ORDER BY id
LIMIT 1000;

-- name: SyncerConnectionsWebhookDue :many
SELECT id FROM connections
WHERE NOT paused AND webhook_status <> 'none'
  AND (webhook_checked_at IS NULL OR webhook_checked_at < now() - make_interval(secs => @every_seconds::float8))
ORDER BY id
LIMIT 1000;

-- name: SyncerConnectionsIncidentDue :many
-- Connections whose state calls for an incident that is not open yet, or
-- whose open incident no longer applies.
SELECT id FROM connections
WHERE (incident_kind = '' AND (auth_failed OR webhook_status = 'disabled'
                               OR failing_since < now() - make_interval(secs => @failing_seconds::float8)))
   OR (incident_kind <> '' AND NOT auth_failed AND webhook_status <> 'disabled' AND failing_since IS NULL)
ORDER BY id
LIMIT 1000;

-- name: SyncerConnectionSetWebhookStatus :exec
UPDATE connections SET webhook_status = @webhook_status, webhook_checked_at = clock_timestamp() WHERE id = @id;

-- name: SyncerConnectionSetIncident :exec
UPDATE connections
SET incident_kind = @incident_kind, incident_since = sqlc.narg('incident_since'),
    incident_mailed_at = sqlc.narg('incident_mailed_at')
WHERE id = @id;

-- name: SyncerSupplierRecipients :many
SELECT email, name FROM users
WHERE supplier_id = @supplier_id AND role = 'supplier' AND active
ORDER BY id;

-- name: SyncerWebhookSave :exec
INSERT INTO connection_webhooks (connection_id, topic, external_id, status, checked_at)
VALUES (@connection_id, @topic, @external_id, @status, clock_timestamp())
ON CONFLICT (connection_id, topic) DO UPDATE
SET external_id = EXCLUDED.external_id, status = EXCLUDED.status, checked_at = EXCLUDED.checked_at;

-- name: SyncerRunStart :one
INSERT INTO sync_runs (connection_id, kind, trigger, started_at)
VALUES (@connection_id, @kind, @trigger, clock_timestamp())
RETURNING id, started_at;

-- name: SyncerRunProgress :exec
UPDATE sync_runs
SET pages_done = @pages_done, pages_total = @pages_total, items_done = @items_done, items_total = @items_total,
    created = @created, updated = @updated, deleted = @deleted, unchanged = @unchanged, skipped = @skipped, failed = @failed
WHERE id = @id AND outcome = 'running';

-- name: SyncerRunFinish :one
UPDATE sync_runs
SET finished_at = clock_timestamp(), outcome = @outcome, error_message = @error_message,
    pages_done = @pages_done, pages_total = @pages_total, items_done = @items_done, items_total = @items_total,
    created = @created, updated = @updated, deleted = @deleted, unchanged = @unchanged, skipped = @skipped, failed = @failed
WHERE id = @id
RETURNING finished_at;

-- name: SyncerRunsAbandon :exec
-- Runs left 'running' by a process that died: only called while holding
-- the connection's sync lock, so none of them is really running.
UPDATE sync_runs
SET finished_at = clock_timestamp(), outcome = 'failed', error_message = @error_message
WHERE connection_id = @connection_id AND outcome = 'running';

-- name: SyncerRunGet :one
SELECT * FROM sync_runs WHERE id = @id;

-- name: SyncerRunsByConnection :many
SELECT * FROM sync_runs WHERE connection_id = @connection_id ORDER BY id;

-- name: SyncerErrorsRefresh :exec
-- Per-product (or connection-level, product_external_id '') errors: an
-- identical open error (connection, product, code) is refreshed by this,
-- the others are added by SyncerErrorsAdd. rows: [{product_external_id,
-- product_name, code, message, detail}], each (product, code) once.
UPDATE sync_errors e
SET run_id = sqlc.narg('run_id'), product_name = r.product_name, message = r.message, detail = r.detail
FROM jsonb_to_recordset(@rows::jsonb) AS r(product_external_id text, product_name text, code text, message text, detail text)
WHERE e.connection_id = @connection_id AND e.resolved_at IS NULL
  AND e.product_external_id = r.product_external_id AND e.code = r.code;

-- name: SyncerErrorsAdd :exec
INSERT INTO sync_errors (connection_id, run_id, product_external_id, product_name, code, message, detail)
SELECT @connection_id, sqlc.narg('run_id'), r.product_external_id, r.product_name, r.code, r.message, r.detail
FROM jsonb_to_recordset(@rows::jsonb) AS r(product_external_id text, product_name text, code text, message text, detail text)
WHERE NOT EXISTS (SELECT 1 FROM sync_errors e
                  WHERE e.connection_id = @connection_id AND e.resolved_at IS NULL
                    AND e.product_external_id = r.product_external_id AND e.code = r.code);

-- name: SyncerErrorsResolveItems :exec
-- Products or variants that synced fine: their open errors are resolved,
-- except the codes they got again in the same page.
UPDATE sync_errors
SET resolved_at = clock_timestamp()
WHERE connection_id = @connection_id AND resolved_at IS NULL
  AND product_external_id = ANY(@external_ids::text[]) AND product_external_id <> '';

-- name: SyncerErrorsResolveUnlisted :exec
-- After a complete listing: per-item errors the run did not report again
-- are gone (the item synced fine or left the shop).
UPDATE sync_errors
SET resolved_at = clock_timestamp()
WHERE connection_id = @connection_id AND resolved_at IS NULL AND product_external_id <> ''
  AND run_id IS DISTINCT FROM @run_id::bigint;

-- name: SyncerErrorsOpenItemCount :one
SELECT count(*)::int FROM sync_errors
WHERE connection_id = @connection_id AND resolved_at IS NULL AND product_external_id <> '';

-- name: SyncerErrorsResolveConnection :exec
UPDATE sync_errors
SET resolved_at = clock_timestamp()
WHERE connection_id = @connection_id AND resolved_at IS NULL AND product_external_id = '';

-- name: SyncerErrorsOpen :many
SELECT * FROM sync_errors WHERE connection_id = @connection_id AND resolved_at IS NULL ORDER BY id;

-- name: SyncerProductsExisting :many
-- One unique-index probe per id (the LATERAL ... LIMIT 1 keeps it so):
-- during a first sync every row is the transaction's own and the
-- statistics think the connection has none, which makes the planner scan
-- the whole connection for "external_id = ANY(...)" on every page.
SELECT p.id, p.external_id, p.type, p.content_hash, p.shop_modified_at, p.deleted_at, p.price_cents
FROM unnest(@external_ids::text[]) AS k(external_id)
CROSS JOIN LATERAL (
    SELECT x.id, x.external_id, x.type, x.content_hash, x.shop_modified_at, x.deleted_at, x.price_cents
    FROM products x
    WHERE x.connection_id = @connection_id AND x.external_id = k.external_id
    LIMIT 1
) p;

-- name: SyncerProductsUpsert :many
-- One page of new or changed products. A row is written only when it is
-- not older than the stored one (shop_modified_at) and differs from it;
-- unchanged rows are left alone (no new row version). For variable
-- products price_cents and stock_status are derived from the variants
-- (SyncerProductsDerive) and kept here. New products start pending in the
-- curation queue, in the same statement.
WITH written AS (
INSERT INTO products (connection_id, supplier_id, environment, external_id, type, shop_status, name, slug, permalink, sku,
                      description, short_description, regular_price_cents, sale_price_cents, sale_from, sale_to, price_cents,
                      manage_stock, stock_quantity, stock_status, backorders, category_ids, brand_ids, attributes, images,
                      shop_modified_at, content_hash, deleted_at)
SELECT @connection_id, @supplier_id, @environment, r.external_id, r.type, r.shop_status, r.name, r.slug, r.permalink, r.sku,
       r.description, r.short_description, r.regular_price_cents, r.sale_price_cents, r.sale_from, r.sale_to, r.price_cents,
       r.manage_stock, r.stock_quantity, r.stock_status, r.backorders, r.category_ids, r.brand_ids, r.attributes, r.images,
       r.shop_modified_at, r.content_hash, CASE WHEN r.deleted THEN now() END
FROM jsonb_to_recordset(@rows::jsonb) AS r(
    external_id text, type text, shop_status text, name text, slug text, permalink text, sku text,
    description text, short_description text, regular_price_cents bigint, sale_price_cents bigint,
    sale_from timestamptz, sale_to timestamptz, price_cents bigint, manage_stock boolean, stock_quantity integer,
    stock_status text, backorders text, category_ids text[], brand_ids text[], attributes jsonb, images jsonb,
    shop_modified_at timestamptz, content_hash bytea, deleted boolean)
ON CONFLICT (connection_id, external_id) DO UPDATE
SET type = EXCLUDED.type, shop_status = EXCLUDED.shop_status, name = EXCLUDED.name, slug = EXCLUDED.slug,
    permalink = EXCLUDED.permalink, sku = EXCLUDED.sku, description = EXCLUDED.description,
    short_description = EXCLUDED.short_description, regular_price_cents = EXCLUDED.regular_price_cents,
    sale_price_cents = EXCLUDED.sale_price_cents, sale_from = EXCLUDED.sale_from, sale_to = EXCLUDED.sale_to,
    price_cents = CASE WHEN EXCLUDED.type = 'variable' AND products.type = 'variable' THEN products.price_cents ELSE EXCLUDED.price_cents END,
    manage_stock = EXCLUDED.manage_stock, stock_quantity = EXCLUDED.stock_quantity,
    stock_status = CASE WHEN EXCLUDED.type = 'variable' AND products.type = 'variable' THEN products.stock_status ELSE EXCLUDED.stock_status END,
    backorders = EXCLUDED.backorders, category_ids = EXCLUDED.category_ids, brand_ids = EXCLUDED.brand_ids,
    attributes = EXCLUDED.attributes, images = EXCLUDED.images, shop_modified_at = EXCLUDED.shop_modified_at,
    content_hash = EXCLUDED.content_hash,
    deleted_at = CASE WHEN EXCLUDED.deleted_at IS NULL THEN NULL ELSE coalesce(products.deleted_at, EXCLUDED.deleted_at) END,
    updated_at = now()
WHERE products.shop_modified_at <= EXCLUDED.shop_modified_at
  AND (products.content_hash <> EXCLUDED.content_hash
       OR (products.deleted_at IS NULL) <> (EXCLUDED.deleted_at IS NULL)
       OR (EXCLUDED.type <> 'variable' AND products.price_cents IS DISTINCT FROM EXCLUDED.price_cents))
RETURNING id, external_id, type, (xmax = 0)::boolean AS inserted
), curation AS (
    INSERT INTO product_curation (product_id)
    SELECT w.id FROM written w WHERE w.inserted
    ON CONFLICT (product_id) DO NOTHING
)
SELECT w.id, w.external_id, w.type, w.inserted FROM written w;

-- name: SyncerProductsLock :many
-- Locks parents before their variants are written: every writer (sync
-- runs and webhook deliveries) takes a product before its variants, so
-- they never deadlock.
SELECT id FROM products WHERE id = ANY(@ids::bigint[]) ORDER BY id FOR UPDATE;

-- name: SyncerProductsDerive :many
-- Variable products take the lowest current price of their published,
-- live variants and the best stock status among them. Rows already right
-- are not written.
WITH agg AS (
    SELECT p.id,
           min(v.price_cents) FILTER (WHERE v.id IS NOT NULL AND v.deleted_at IS NULL AND v.shop_status = 'publish') AS price,
           CASE WHEN bool_or(v.stock_status = 'instock') FILTER (WHERE v.deleted_at IS NULL AND v.shop_status = 'publish') THEN 'instock'
                WHEN bool_or(v.stock_status = 'onbackorder') FILTER (WHERE v.deleted_at IS NULL AND v.shop_status = 'publish') THEN 'onbackorder'
                ELSE 'outofstock' END AS stock
    FROM products p
    LEFT JOIN product_variants v ON v.product_id = p.id
    WHERE p.id = ANY(@ids::bigint[]) AND p.type = 'variable'
    GROUP BY p.id
)
UPDATE products p
SET price_cents = agg.price, stock_status = agg.stock, updated_at = now()
FROM agg
WHERE p.id = agg.id AND (p.price_cents IS DISTINCT FROM agg.price OR p.stock_status <> agg.stock)
RETURNING p.id;

-- name: SyncerProductMarkDeleted :many
UPDATE products
SET deleted_at = now(), updated_at = now()
WHERE connection_id = @connection_id AND external_id = @external_id AND deleted_at IS NULL
RETURNING id;

-- name: SyncerProductVariantCount :one
SELECT count(*)::int FROM product_variants WHERE product_id = @product_id;

-- name: SyncerVariantsExisting :many
-- The stored variants of (parent, external id) pairs: one unique-index
-- probe each (see SyncerProductsExisting).
SELECT v.id, v.product_id, v.external_id, v.content_hash, v.shop_modified_at, v.deleted_at, v.price_cents
FROM (SELECT unnest(@product_ids::bigint[]) AS product_id, unnest(@external_ids::text[]) AS external_id) k
CROSS JOIN LATERAL (
    SELECT x.id, x.product_id, x.external_id, x.content_hash, x.shop_modified_at, x.deleted_at, x.price_cents
    FROM product_variants x
    WHERE x.product_id = k.product_id AND x.external_id = k.external_id
    LIMIT 1
) v;

-- name: SyncerVariantsUpsert :many
INSERT INTO product_variants (product_id, external_id, shop_status, sku, regular_price_cents, sale_price_cents, sale_from, sale_to,
                              price_cents, manage_stock, stock_quantity, stock_status, backorders, options, image, position,
                              shop_modified_at, content_hash)
SELECT r.product_id, r.external_id, r.shop_status, r.sku, r.regular_price_cents, r.sale_price_cents, r.sale_from, r.sale_to,
       r.price_cents, r.manage_stock, r.stock_quantity, r.stock_status, r.backorders, r.options, r.image, r.position,
       r.shop_modified_at, r.content_hash
FROM jsonb_to_recordset(@variant_rows::jsonb) AS r(
    product_id bigint, external_id text, shop_status text, sku text, regular_price_cents bigint, sale_price_cents bigint,
    sale_from timestamptz, sale_to timestamptz, price_cents bigint, manage_stock boolean, stock_quantity integer,
    stock_status text, backorders text, options jsonb, image jsonb, position integer, shop_modified_at timestamptz,
    content_hash bytea)
ON CONFLICT (product_id, external_id) DO UPDATE
SET shop_status = EXCLUDED.shop_status, sku = EXCLUDED.sku, regular_price_cents = EXCLUDED.regular_price_cents,
    sale_price_cents = EXCLUDED.sale_price_cents, sale_from = EXCLUDED.sale_from, sale_to = EXCLUDED.sale_to,
    price_cents = EXCLUDED.price_cents, manage_stock = EXCLUDED.manage_stock, stock_quantity = EXCLUDED.stock_quantity,
    stock_status = EXCLUDED.stock_status, backorders = EXCLUDED.backorders, options = EXCLUDED.options,
    image = EXCLUDED.image, position = EXCLUDED.position, shop_modified_at = EXCLUDED.shop_modified_at,
    content_hash = EXCLUDED.content_hash, deleted_at = NULL, updated_at = now()
WHERE product_variants.shop_modified_at <= EXCLUDED.shop_modified_at
  AND (product_variants.content_hash <> EXCLUDED.content_hash
       OR product_variants.deleted_at IS NOT NULL
       OR product_variants.price_cents IS DISTINCT FROM EXCLUDED.price_cents)
RETURNING id, product_id, external_id, (xmax = 0)::boolean AS inserted;

-- name: SyncerCategoriesUpsert :execrows
INSERT INTO catalog_categories (connection_id, external_id, parent_external_id, name, slug, content_hash)
SELECT @connection_id, r.external_id, r.parent_external_id, r.name, r.slug, r.content_hash
FROM jsonb_to_recordset(@rows::jsonb) AS r(external_id text, parent_external_id text, name text, slug text, content_hash bytea)
ON CONFLICT (connection_id, external_id) DO UPDATE
SET parent_external_id = EXCLUDED.parent_external_id, name = EXCLUDED.name, slug = EXCLUDED.slug,
    content_hash = EXCLUDED.content_hash, deleted_at = NULL, updated_at = now()
WHERE catalog_categories.content_hash <> EXCLUDED.content_hash OR catalog_categories.deleted_at IS NOT NULL;

-- name: SyncerCategoriesDeleteMissing :execrows
UPDATE catalog_categories
SET deleted_at = now(), updated_at = now()
WHERE connection_id = @connection_id AND deleted_at IS NULL AND NOT (external_id = ANY(@external_ids::text[]));

-- name: SyncerBrandsUpsert :execrows
INSERT INTO catalog_brands (connection_id, external_id, parent_external_id, name, slug, content_hash)
SELECT @connection_id, r.external_id, r.parent_external_id, r.name, r.slug, r.content_hash
FROM jsonb_to_recordset(@rows::jsonb) AS r(external_id text, parent_external_id text, name text, slug text, content_hash bytea)
ON CONFLICT (connection_id, external_id) DO UPDATE
SET parent_external_id = EXCLUDED.parent_external_id, name = EXCLUDED.name, slug = EXCLUDED.slug,
    content_hash = EXCLUDED.content_hash, deleted_at = NULL, updated_at = now()
WHERE catalog_brands.content_hash <> EXCLUDED.content_hash OR catalog_brands.deleted_at IS NOT NULL;

-- name: SyncerBrandsDeleteMissing :execrows
UPDATE catalog_brands
SET deleted_at = now(), updated_at = now()
WHERE connection_id = @connection_id AND deleted_at IS NULL AND NOT (external_id = ANY(@external_ids::text[]));

-- name: SyncerAttributesUpsert :execrows
INSERT INTO catalog_attributes (connection_id, external_id, name, slug, terms, content_hash)
SELECT @connection_id, r.external_id, r.name, r.slug, r.terms, r.content_hash
FROM jsonb_to_recordset(@rows::jsonb) AS r(external_id text, name text, slug text, terms jsonb, content_hash bytea)
ON CONFLICT (connection_id, external_id) DO UPDATE
SET name = EXCLUDED.name, slug = EXCLUDED.slug, terms = EXCLUDED.terms,
    content_hash = EXCLUDED.content_hash, deleted_at = NULL, updated_at = now()
WHERE catalog_attributes.content_hash <> EXCLUDED.content_hash OR catalog_attributes.deleted_at IS NOT NULL;

-- name: SyncerAttributesDeleteMissing :execrows
UPDATE catalog_attributes
SET deleted_at = now(), updated_at = now()
WHERE connection_id = @connection_id AND deleted_at IS NULL AND NOT (external_id = ANY(@external_ids::text[]));

-- name: SyncerLiveProductCount :one
SELECT count(*)::int FROM products WHERE connection_id = @connection_id AND deleted_at IS NULL;

-- name: SyncerDeliveryAdd :one
-- A verified webhook delivery; the same payload twice is one row (no id
-- returned the second time).
INSERT INTO webhook_deliveries (connection_id, topic, resource_id, body_sha256, body, processed_at, result)
VALUES (@connection_id, @topic, @resource_id, @body_sha256, @body, sqlc.narg('processed_at'), @result)
ON CONFLICT (connection_id, topic, body_sha256) DO NOTHING
RETURNING id;

-- name: SyncerDeliveryGet :one
SELECT id, connection_id, topic, resource_id, body, received_at, processed_at, result
FROM webhook_deliveries WHERE id = @id;

-- name: SyncerDeliveryDone :exec
UPDATE webhook_deliveries SET processed_at = clock_timestamp(), result = @result WHERE id = @id;

-- name: SyncerDeliveriesByConnection :many
SELECT id, connection_id, topic, resource_id, received_at, processed_at, result
FROM webhook_deliveries WHERE connection_id = @connection_id ORDER BY id;

-- name: SyncerDeliveriesCleanup :execrows
-- Bodies are kept a day after processing (for staff to look into a
-- delivery); rows a month, for deduplication.
WITH cleared AS (
    UPDATE webhook_deliveries SET body = NULL
    WHERE body IS NOT NULL AND processed_at < now() - interval '1 day'
    RETURNING id
)
DELETE FROM webhook_deliveries
WHERE received_at < now() - interval '30 days' AND processed_at IS NOT NULL AND id NOT IN (SELECT id FROM cleared);
