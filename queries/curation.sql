-- Curation (issue 5): decisions on synced products, settings, rejection
-- reasons, platform categories and their mappings, bulk decisions. The
-- curator queue itself is built in internal/store/curation_queue.go, since
-- its filters and sort orders vary per request.

-- name: CurationSettingsGet :one
SELECT * FROM curation_settings WHERE id;

-- name: CurationSettingsUpdate :one
UPDATE curation_settings
SET price_increase_percent = @price_increase_percent, keep_visible_on_change = @keep_visible_on_change,
    updated_at = now(), updated_by = sqlc.narg('updated_by')
WHERE id
RETURNING *;

-- name: RejectionReasonList :many
SELECT * FROM rejection_reasons ORDER BY active DESC, label, id;

-- name: RejectionReasonGet :one
SELECT * FROM rejection_reasons WHERE id = @id;

-- name: RejectionReasonAdd :one
INSERT INTO rejection_reasons (label) VALUES (@label) RETURNING *;

-- name: RejectionReasonByLabel :one
SELECT * FROM rejection_reasons WHERE lower(label) = lower(@label) LIMIT 1;

-- name: RejectionReasonSetActive :one
UPDATE rejection_reasons SET active = @active WHERE id = @id RETURNING *;

-- name: ProductCurationGet :one
SELECT pc.*, coalesce(r.label, '')::text AS reason_label, coalesce(u.email, '')::text AS decided_by_email
FROM product_curation pc
LEFT JOIN rejection_reasons r ON r.id = pc.reason_id
LEFT JOIN users u ON u.id = pc.decided_by
WHERE pc.product_id = @product_id;

-- name: ProductCurationApprove :one
-- Only when the version is the one the curator saw; a concurrent decision
-- re-checks the version after the first one commits, so exactly one wins.
UPDATE product_curation
SET status = 'approved', version = version + 1, reason_id = NULL, reason_text = '',
    decided_by = sqlc.narg('decided_by'), decided_at = now(),
    approved_snapshot = product_curation_snapshot(product_id), change_summary = ''
WHERE product_id = @product_id AND version = @version
RETURNING product_id, version;

-- name: ProductCurationReject :one
UPDATE product_curation
SET status = 'rejected', version = version + 1, reason_id = @reason_id, reason_text = @reason_text,
    decided_by = sqlc.narg('decided_by'), decided_at = now(), change_summary = ''
WHERE product_id = @product_id AND version = @version
RETURNING product_id, version;

-- name: ProductCurationForChange :many
-- The curation state of products the syncer just changed, locked until its
-- transaction ends, with what the product looks like now.
SELECT pc.product_id, pc.status, pc.version, pc.approved_snapshot, pc.change_summary,
       product_curation_snapshot(pc.product_id)::jsonb AS current_snapshot,
       p.supplier_id, p.deleted_at
FROM product_curation pc
JOIN products p ON p.id = pc.product_id
WHERE pc.product_id = ANY (@product_ids::bigint[])
ORDER BY pc.product_id
FOR UPDATE OF pc;

-- name: ProductCurationMarkChanged :exec
UPDATE product_curation
SET status = 'changed', version = version + 1, change_summary = @change_summary, changed_at = now()
WHERE product_id = @product_id;

-- name: ProductCurationBump :exec
-- Any change to a product not (yet) approved makes a curator's open form
-- stale.
UPDATE product_curation SET version = version + 1 WHERE product_id = ANY (@product_ids::bigint[]);

-- name: CurationProductGet :one
SELECT p.id, p.connection_id, p.supplier_id, p.environment, p.external_id, p.type, p.shop_status, p.name, p.slug, p.permalink,
       p.sku, p.description, p.short_description, p.regular_price_cents, p.sale_price_cents, p.sale_from, p.sale_to,
       p.price_cents, p.manage_stock, p.stock_quantity, p.stock_status, p.backorders, p.category_ids, p.brand_ids,
       p.attributes, p.images, p.shop_modified_at, p.first_seen_at, p.updated_at, p.deleted_at, p.platform_category_id,
       s.name AS supplier_name, c.platform, c.base_url, coalesce(pcat.name, '')::text AS platform_category_name,
       product_curation_snapshot(p.id)::jsonb AS current_snapshot
FROM products p
JOIN suppliers s ON s.id = p.supplier_id
JOIN connections c ON c.id = p.connection_id
LEFT JOIN platform_categories pcat ON pcat.id = p.platform_category_id
WHERE p.id = @id;

-- name: CurationVariantList :many
SELECT id, external_id, shop_status, sku, regular_price_cents, sale_price_cents, sale_from, sale_to, price_cents,
       manage_stock, stock_quantity, stock_status, backorders, options, image, position, deleted_at
FROM product_variants
WHERE product_id = @product_id
ORDER BY (deleted_at IS NOT NULL), position, external_id;

-- name: CatalogCategoryNames :many
SELECT external_id, name FROM catalog_categories
WHERE connection_id = @connection_id AND external_id = ANY (@external_ids::text[]);

-- name: CatalogBrandNames :many
SELECT external_id, name FROM catalog_brands
WHERE connection_id = @connection_id AND external_id = ANY (@external_ids::text[]);

-- name: CurationHistory :many
SELECT * FROM audit_log
WHERE subject_type = 'product' AND subject_id = @subject_id
ORDER BY id DESC
LIMIT 50;

-- name: CurationSupplierOptions :many
-- Suppliers that have synced products, for the queue's filter.
SELECT s.id, s.name FROM suppliers s
WHERE EXISTS (SELECT 1 FROM connections c WHERE c.supplier_id = s.id)
ORDER BY s.name;

-- name: CurationSupplierCategories :many
-- A supplier's categories over all its connections, for the queue filter.
SELECT cc.id, cc.name, c.environment FROM catalog_categories cc
JOIN connections c ON c.id = cc.connection_id
WHERE c.supplier_id = @supplier_id AND cc.deleted_at IS NULL
ORDER BY cc.name, c.environment, cc.id
LIMIT 2000;

-- name: CurationBrandNames :many
-- Distinct brand names over all shops, for the queue filter.
SELECT DISTINCT b.name FROM catalog_brands b
WHERE b.deleted_at IS NULL
ORDER BY b.name
LIMIT 2000;

-- name: CatalogCategoryRef :one
SELECT cc.id, cc.connection_id, cc.external_id, cc.name, c.supplier_id, c.environment
FROM catalog_categories cc JOIN connections c ON c.id = cc.connection_id
WHERE cc.id = @id;

-- name: CurationBrandRefs :many
-- The brands of every shop with this name, ignoring case (a brand filter
-- spans shops).
SELECT connection_id, external_id FROM catalog_brands
WHERE lower(name) = lower(@name) AND deleted_at IS NULL
ORDER BY connection_id, external_id
LIMIT 1000;

-- name: CurationSearchKnown :one
-- Whether a search finds anything by full text or SKU anywhere; if not, the
-- queue searches names for close words (typos).
SELECT product_search_known(@query::text, @sku_pattern::text)::boolean AS known;

-- name: PlatformCategoryDescendants :many
-- A platform category with everything below it.
WITH RECURSIVE tree AS (
    SELECT pc.id FROM platform_categories pc WHERE pc.id = @id::bigint
    UNION
    SELECT c.id FROM platform_categories c JOIN tree ON c.parent_id = tree.id
)
SELECT tree.id FROM tree;

-- name: CurationQueueStats :one
-- What waits, without products gone from their shop: the queue counted
-- from its index, less the (few) deleted products in it.
WITH waiting AS (
    SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
           count(*) FILTER (WHERE status = 'changed') AS changed
    FROM product_curation
    WHERE status IN ('pending', 'changed')
), gone AS (
    SELECT count(*) FILTER (WHERE pc.status = 'pending') AS pending,
           count(*) FILTER (WHERE pc.status = 'changed') AS changed
    FROM products p
    JOIN product_curation pc ON pc.product_id = p.id
    WHERE p.deleted_at IS NOT NULL AND pc.status IN ('pending', 'changed')
)
SELECT (waiting.pending - gone.pending)::int AS pending, (waiting.changed - gone.changed)::int AS changed
FROM waiting, gone;

-- Platform categories and mappings.

-- name: PlatformCategoryList :many
-- With how many supplier categories map onto each and how many products
-- follow (one pass over the products' category index).
WITH counts AS (
    SELECT p.platform_category_id AS id, count(*) AS products
    FROM products p
    WHERE p.platform_category_id IS NOT NULL AND p.deleted_at IS NULL
    GROUP BY 1
)
SELECT pc.*,
       (SELECT count(*) FROM category_mappings m WHERE m.platform_category_id = pc.id)::int AS mappings,
       coalesce(counts.products, 0)::int AS products
FROM platform_categories pc
LEFT JOIN counts ON counts.id = pc.id
ORDER BY pc.position, pc.name, pc.id;

-- name: PlatformCategoryOptions :many
-- The tree without counts, for choices.
SELECT * FROM platform_categories ORDER BY position, name, id;

-- name: PlatformCategoryGet :one
SELECT * FROM platform_categories WHERE id = @id;

-- name: PlatformCategoryCreate :one
INSERT INTO platform_categories (parent_id, name, slug, position)
VALUES (sqlc.narg('parent_id'), @name, @slug, @position)
RETURNING *;

-- name: PlatformCategoryUpdate :one
UPDATE platform_categories
SET parent_id = sqlc.narg('parent_id'), name = @name, slug = @slug, position = @position
WHERE id = @id
RETURNING *;

-- name: PlatformCategoryDelete :exec
DELETE FROM platform_categories WHERE id = @id;

-- name: PlatformCategoryInUse :one
SELECT EXISTS (SELECT 1 FROM platform_categories c WHERE c.parent_id = @id::bigint)
    OR EXISTS (SELECT 1 FROM category_mappings m WHERE m.platform_category_id = @id::bigint) AS in_use;

-- name: PlatformCategoryNextPosition :one
SELECT (coalesce(max(position), 0) + 10)::int FROM platform_categories
WHERE parent_id IS NOT DISTINCT FROM sqlc.narg('parent_id')::bigint;

-- name: CategoryMappingSet :exec
INSERT INTO category_mappings (catalog_category_id, platform_category_id, mapped_by)
VALUES (@catalog_category_id, @platform_category_id, sqlc.narg('mapped_by'))
ON CONFLICT (catalog_category_id) DO UPDATE
SET platform_category_id = EXCLUDED.platform_category_id, mapped_by = EXCLUDED.mapped_by, mapped_at = now()
WHERE category_mappings.platform_category_id <> EXCLUDED.platform_category_id;

-- name: CategoryMappingDelete :execrows
DELETE FROM category_mappings WHERE catalog_category_id = @catalog_category_id;

-- name: CategoryMappingList :many
-- A supplier's categories with their mapping and how many products carry
-- them.
WITH counts AS (
    SELECT p.connection_id, x.external_id, count(*)::int AS products
    FROM products p, unnest(p.category_ids) AS x (external_id)
    WHERE p.supplier_id = @supplier_id AND p.deleted_at IS NULL
    GROUP BY 1, 2
)
SELECT cc.id, cc.name, cc.external_id, cc.parent_external_id, c.environment, cc.connection_id,
       m.platform_category_id, coalesce(counts.products, 0)::int AS products
FROM catalog_categories cc
JOIN connections c ON c.id = cc.connection_id
LEFT JOIN category_mappings m ON m.catalog_category_id = cc.id
LEFT JOIN counts ON counts.connection_id = cc.connection_id AND counts.external_id = cc.external_id
WHERE c.supplier_id = @supplier_id AND cc.deleted_at IS NULL
ORDER BY c.environment DESC, cc.name, cc.id;

-- name: CategoryUnmappedList :many
-- Supplier categories with products and no mapping, most products first.
WITH counts AS (
    SELECT p.connection_id, x.external_id, count(*)::int AS products
    FROM products p, unnest(p.category_ids) AS x (external_id)
    WHERE p.deleted_at IS NULL
    GROUP BY 1, 2
)
SELECT cc.id, cc.name, cc.external_id, c.environment, c.supplier_id, s.name AS supplier_name, counts.products
FROM counts
JOIN catalog_categories cc ON cc.connection_id = counts.connection_id AND cc.external_id = counts.external_id
JOIN connections c ON c.id = cc.connection_id
JOIN suppliers s ON s.id = c.supplier_id
WHERE cc.deleted_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM category_mappings m WHERE m.catalog_category_id = cc.id)
ORDER BY counts.products DESC, s.name, cc.name, cc.id
LIMIT @max_rows;

-- Bulk decisions.

-- name: BulkDecisionCreate :one
INSERT INTO bulk_decisions (actor_id, actor_email, actor_ip, action, reason_id, reason_text, filter, product_ids)
VALUES (sqlc.narg('actor_id'), @actor_email, @actor_ip, @action, sqlc.narg('reason_id'), @reason_text, sqlc.narg('filter'), sqlc.narg('product_ids'))
RETURNING id;

-- name: BulkDecisionItemsFromPairs :execrows
-- The picked products with the version the curator saw; unknown ids drop
-- out.
INSERT INTO bulk_decision_items (bulk_id, product_id, version)
SELECT @bulk_id, x.product_id, x.version
FROM (SELECT unnest(@product_ids::bigint[]) AS product_id, unnest(@versions::bigint[]) AS version) x
JOIN product_curation pc ON pc.product_id = x.product_id
ON CONFLICT DO NOTHING;

-- name: BulkDecisionSetTotal :exec
UPDATE bulk_decisions SET total = @total WHERE id = @id;

-- name: BulkDecisionGet :one
SELECT b.*, coalesce(r.label, '')::text AS reason_label
FROM bulk_decisions b
LEFT JOIN rejection_reasons r ON r.id = b.reason_id
WHERE b.id = @id;

-- name: BulkDecisionLock :one
SELECT b.*, coalesce(r.label, '')::text AS reason_label
FROM bulk_decisions b
LEFT JOIN rejection_reasons r ON r.id = b.reason_id
WHERE b.id = @id
FOR UPDATE OF b;

-- name: BulkDecisionRecent :many
SELECT b.*, coalesce(r.label, '')::text AS reason_label
FROM bulk_decisions b
LEFT JOIN rejection_reasons r ON r.id = b.reason_id
ORDER BY b.created_at DESC, b.id DESC
LIMIT @max_rows;

-- name: BulkDecisionProgress :exec
UPDATE bulk_decisions
SET last_id = @last_id, done = done + @done, decided = decided + @decided,
    skipped_changed = skipped_changed + @skipped_changed, skipped_decided = skipped_decided + @skipped_decided,
    status = CASE WHEN @finished::boolean THEN 'done' ELSE 'running' END,
    started_at = coalesce(started_at, now()),
    finished_at = CASE WHEN @finished::boolean THEN now() ELSE NULL END
WHERE id = @id;

-- name: BulkDecisionFail :exec
UPDATE bulk_decisions SET status = 'failed', error = @error, finished_at = now() WHERE id = @id;

-- name: BulkDecisionBatch :many
-- The next batch of a bulk's products, with the version each had when the
-- bulk started.
SELECT product_id, version FROM bulk_decision_items
WHERE bulk_id = @bulk_id AND product_id > @after_id
ORDER BY product_id
LIMIT @batch_size;

-- name: ProductCurationLockMany :many
-- Locks curation rows in product order (as the syncer's hook does, so the
-- two never deadlock) and returns their state.
SELECT product_id, status, version FROM product_curation
WHERE product_id = ANY (@product_ids::bigint[])
ORDER BY product_id
FOR UPDATE;

-- name: ProductCurationDecideMany :exec
-- Decides locked, checked products set-based; an approval stores each
-- product's snapshot.
UPDATE product_curation
SET status = @status::text, version = version + 1, reason_id = sqlc.narg('reason_id'), reason_text = @reason_text::text,
    decided_by = sqlc.narg('actor_id'), decided_at = now(), change_summary = '',
    approved_snapshot = CASE WHEN @status::text = 'approved' THEN product_curation_snapshot(product_id) ELSE approved_snapshot END
WHERE product_id = ANY (@product_ids::bigint[]);

-- name: AuditAddForProducts :exec
-- One audit entry per product, set-based (bulk decisions).
INSERT INTO audit_log (actor_id, actor_email, action, subject_type, subject_id, supplier_id, ip, detail)
SELECT sqlc.narg('actor_id'), @actor_email::text, @action::text, 'product', p.id::text, p.supplier_id, @actor_ip::text, @detail::jsonb
FROM products p
WHERE p.id = ANY (@product_ids::bigint[])
ORDER BY p.id;

-- name: SearchWordCorrections :many
-- The known name word(s) closest to a word that found nothing (a typo):
-- the best match, and others exactly as close.
WITH close AS (
    SELECT word, similarity(word, @word::text) AS score FROM search_words
    WHERE word % @word::text
)
SELECT word FROM close
WHERE score = (SELECT max(score) FROM close)
ORDER BY word
LIMIT 3;

-- name: SearchWordsRefresh :exec
REFRESH MATERIALIZED VIEW CONCURRENTLY search_words;
