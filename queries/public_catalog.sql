-- The public catalogue for residents (issue 5) and the reproducible catalogue
-- seed (internal/catalogseed). Every public query reads visible_products
-- (migrations/00010_visibility.sql), the one place that decides visibility.

-- Seed: set-based inserts, one statement per table and batch.

-- name: CatalogSeedSuppliers :many
INSERT INTO suppliers (name)
SELECT unnest(@names::text[])
RETURNING id, name;

-- name: CatalogSeedApplications :exec
INSERT INTO applications (company_name, kvk, vat_id, iban, contact_name, email, phone, website, platform,
                          terms_accepted_at, state, supplier_id, admitted_at)
SELECT a.company_name, a.kvk, a.vat_id, a.iban, a.contact_name, a.email, a.phone, a.website, 'woocommerce',
       @at::timestamptz, a.state, a.supplier_id, @at::timestamptz
FROM (SELECT unnest(@company_names::text[]) AS company_name,
        unnest(@kvks::text[]) AS kvk,
        unnest(@vat_ids::text[]) AS vat_id,
        unnest(@ibans::text[]) AS iban,
        unnest(@contact_names::text[]) AS contact_name,
        unnest(@emails::text[]) AS email,
        unnest(@phones::text[]) AS phone,
        unnest(@websites::text[]) AS website,
        unnest(@states::text[]) AS state,
        unnest(@supplier_ids::bigint[]) AS supplier_id) AS a;

-- name: CatalogSeedConnections :many
INSERT INTO connections (supplier_id, environment, platform, base_url, credentials, key_id, credentials_hint,
                         webhook_secret, paused, shop_info)
SELECT c.supplier_id, c.environment, 'woocommerce', c.base_url, c.credentials, @key_id::text, 'ck_seed…',
       c.webhook_secret, true, '{"seed": true}'::jsonb
FROM (SELECT unnest(@supplier_ids::bigint[]) AS supplier_id,
        unnest(@environments::text[]) AS environment,
        unnest(@base_urls::text[]) AS base_url,
        unnest(@credentials::bytea[]) AS credentials,
        unnest(@webhook_secrets::bytea[]) AS webhook_secret) AS c
RETURNING id, supplier_id, environment;

-- name: CatalogSeedCategories :many
INSERT INTO catalog_categories (connection_id, external_id, parent_external_id, name, slug, content_hash)
SELECT c.connection_id, c.external_id, c.parent_external_id, c.name, c.slug, sha256(convert_to(c.name, 'UTF8'))
FROM (SELECT unnest(@connection_ids::bigint[]) AS connection_id,
        unnest(@external_ids::text[]) AS external_id,
        unnest(@parent_external_ids::text[]) AS parent_external_id,
        unnest(@names::text[]) AS name,
        unnest(@slugs::text[]) AS slug) AS c
RETURNING id, connection_id, external_id;

-- name: CatalogSeedBrands :exec
INSERT INTO catalog_brands (connection_id, external_id, name, slug, content_hash)
SELECT b.connection_id, b.external_id, b.name, b.slug, sha256(convert_to(b.name, 'UTF8'))
FROM (SELECT unnest(@connection_ids::bigint[]) AS connection_id,
        unnest(@external_ids::text[]) AS external_id,
        unnest(@names::text[]) AS name,
        unnest(@slugs::text[]) AS slug) AS b;

-- name: CatalogSeedPlatformCategory :one
-- Creates the platform category or returns the existing one with its slug.
INSERT INTO platform_categories (parent_id, name, slug, position)
VALUES (sqlc.narg('parent_id'), @name, @slug, @position)
ON CONFLICT (slug) DO UPDATE SET slug = EXCLUDED.slug
RETURNING id;

-- name: CatalogSeedMappings :exec
INSERT INTO category_mappings (catalog_category_id, platform_category_id)
SELECT unnest(@catalog_category_ids::bigint[]), unnest(@platform_category_ids::bigint[])
ON CONFLICT (catalog_category_id) DO NOTHING;

-- name: CatalogSeedProducts :many
-- Nullable numbers travel as -1 (NULLIF), the empty brand as no brand.
INSERT INTO products (connection_id, supplier_id, environment, external_id, type, shop_status, name, slug, permalink,
                      sku, description, short_description, regular_price_cents, sale_price_cents, price_cents,
                      manage_stock, stock_quantity, stock_status, backorders, category_ids, brand_ids, attributes,
                      images, shop_modified_at, content_hash, first_seen_at, updated_at, deleted_at)
SELECT p.connection_id, p.supplier_id, p.environment, p.external_id, p.type, p.shop_status, p.name, p.slug,
       p.permalink, p.sku, p.description, p.short_description, nullif(p.regular_price_cents, -1),
       nullif(p.sale_price_cents, -1), nullif(p.price_cents, -1), p.manage_stock, nullif(p.stock_quantity, -1),
       p.stock_status, p.backorders, ARRAY[p.category_id], CASE WHEN p.brand_id = '' THEN '{}'::text[] ELSE ARRAY[p.brand_id] END,
       p.attributes::jsonb, p.images::jsonb, p.modified_at, sha256(convert_to(p.name || p.sku, 'UTF8')),
       p.first_seen_at, p.modified_at, CASE WHEN p.deleted THEN p.modified_at END
FROM (SELECT unnest(@connection_ids::bigint[]) AS connection_id,
        unnest(@supplier_ids::bigint[]) AS supplier_id,
        unnest(@environments::text[]) AS environment,
        unnest(@external_ids::text[]) AS external_id,
        unnest(@types::text[]) AS type,
        unnest(@shop_statuses::text[]) AS shop_status,
        unnest(@names::text[]) AS name,
        unnest(@slugs::text[]) AS slug,
        unnest(@permalinks::text[]) AS permalink,
        unnest(@skus::text[]) AS sku,
        unnest(@descriptions::text[]) AS description,
        unnest(@short_descriptions::text[]) AS short_description,
        unnest(@regular_price_cents::bigint[]) AS regular_price_cents,
        unnest(@sale_price_cents::bigint[]) AS sale_price_cents,
        unnest(@price_cents::bigint[]) AS price_cents,
        unnest(@manage_stocks::boolean[]) AS manage_stock,
        unnest(@stock_quantities::integer[]) AS stock_quantity,
        unnest(@stock_statuses::text[]) AS stock_status,
        unnest(@backorders::text[]) AS backorders,
        unnest(@category_ids::text[]) AS category_id,
        unnest(@brand_ids::text[]) AS brand_id,
        unnest(@attributes::text[]) AS attributes,
        unnest(@images::text[]) AS images,
        unnest(@modified_ats::timestamptz[]) AS modified_at,
        unnest(@first_seen_ats::timestamptz[]) AS first_seen_at,
        unnest(@deleted::boolean[]) AS deleted) AS p
RETURNING id, external_id;

-- name: CatalogSeedVariants :exec
INSERT INTO product_variants (product_id, external_id, shop_status, sku, regular_price_cents, sale_price_cents,
                              price_cents, manage_stock, stock_quantity, stock_status, backorders, options, position,
                              shop_modified_at, content_hash, updated_at, deleted_at)
SELECT v.product_id, v.external_id, v.shop_status, v.sku, nullif(v.regular_price_cents, -1),
       nullif(v.sale_price_cents, -1), nullif(v.price_cents, -1), v.manage_stock, nullif(v.stock_quantity, -1),
       v.stock_status, v.backorders, v.options::jsonb, v.position, v.modified_at,
       sha256(convert_to(v.sku, 'UTF8')), v.modified_at, CASE WHEN v.deleted THEN v.modified_at END
FROM (SELECT unnest(@product_ids::bigint[]) AS product_id,
        unnest(@external_ids::text[]) AS external_id,
        unnest(@shop_statuses::text[]) AS shop_status,
        unnest(@skus::text[]) AS sku,
        unnest(@regular_price_cents::bigint[]) AS regular_price_cents,
        unnest(@sale_price_cents::bigint[]) AS sale_price_cents,
        unnest(@price_cents::bigint[]) AS price_cents,
        unnest(@manage_stocks::boolean[]) AS manage_stock,
        unnest(@stock_quantities::integer[]) AS stock_quantity,
        unnest(@stock_statuses::text[]) AS stock_status,
        unnest(@backorders::text[]) AS backorders,
        unnest(@options::text[]) AS options,
        unnest(@positions::integer[]) AS position,
        unnest(@modified_ats::timestamptz[]) AS modified_at,
        unnest(@deleted::boolean[]) AS deleted) AS v;

-- name: CatalogSeedCuration :exec
-- Inserts or replaces the curation rows (the syncer may have created pending
-- ones already).
INSERT INTO product_curation (product_id, status, reason_text, decided_at, change_summary, changed_at)
SELECT c.product_id, c.status, c.reason_text,
       CASE WHEN c.status <> 'pending' THEN @at::timestamptz END, c.change_summary,
       CASE WHEN c.status = 'changed' THEN @at::timestamptz END
FROM (SELECT unnest(@product_ids::bigint[]) AS product_id,
        unnest(@statuses::text[]) AS status,
        unnest(@reason_texts::text[]) AS reason_text,
        unnest(@change_summaries::text[]) AS change_summary) AS c
ON CONFLICT (product_id) DO UPDATE
SET status = EXCLUDED.status, reason_text = EXCLUDED.reason_text, decided_at = EXCLUDED.decided_at,
    change_summary = EXCLUDED.change_summary, changed_at = EXCLUDED.changed_at;

-- name: PublicCatalogVisibleCount :one
SELECT count(*) FROM visible_products;

-- name: PublicCatalogVisibleIDs :many
SELECT id FROM visible_products ORDER BY id;

-- name: PublicCatalogCategories :many
SELECT id, parent_id, name, slug, position
FROM platform_categories
ORDER BY position, name, id;

-- name: PublicCatalogProduct :one
-- A visible product; no row when residents may not see it.
SELECT vp.id, p.name, p.type, p.sku, p.description, p.short_description, vp.price_cents,
       vp.regular_cents, p.manage_stock, p.stock_quantity, p.stock_status, p.images, su.name AS supplier_name,
       vp.platform_category_id, p.first_seen_at, p.updated_at,
       ARRAY(SELECT cb.name FROM catalog_brands cb
             WHERE cb.connection_id = p.connection_id AND cb.external_id = ANY (p.brand_ids) AND cb.deleted_at IS NULL
             ORDER BY cb.name)::text[] AS brands
FROM visible_products vp
JOIN products p ON p.id = vp.id
JOIN suppliers su ON su.id = vp.supplier_id
WHERE vp.id = @id;

-- name: PublicCatalogVariants :many
SELECT v.id, v.sku, v.price_cents, v.regular_price_cents, v.manage_stock, v.stock_quantity, v.stock_status,
       v.available, v.options, v.image
FROM public_variants v
WHERE v.product_id = @product_id
ORDER BY v.position, v.id;

-- name: PublicCatalogAllCounts :many
-- The number of visible products directly in each category; id NULL counts
-- those in none (findable by search only).
SELECT platform_category_id AS id, count(*)::int AS visible
FROM visible_products
GROUP BY platform_category_id;
