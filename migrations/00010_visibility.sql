-- Visibility (SPEC §3 "Curation", issue 5): which synced products residents
-- see. This file is the ONE place the rule lives; every public query reads
-- visible_products (and public_variants for a product's variants), so the
-- rule cannot drift between pages. Package internal/visibility documents it
-- on the Go side and tests it against a truth table over every combination
-- of its conditions.
--
-- A product is visible iff all of these hold:
--   1. curation: approved, or changed (back in review after a significant
--      change) while curation_settings.keep_visible_on_change is on;
--   2. its supplier's application is in state 'production' (admitted to
--      production; a supplier without an application, or excluded later,
--      is not);
--   3. its connection is a 'production' connection (and so is the
--      product's own environment): test and acceptance products never reach
--      residents;
--   4. not deleted in the shop (deleted_at IS NULL);
--   5. the shop publishes it (shop_status 'publish');
--   6. sellable: a simple product has a current price above zero and is
--      available; a variable product has at least one sellable variant:
--      published, not deleted, priced above zero and available — all four
--      for the same variant (the parent's own price and stock columns are
--      the syncer's summaries and do not count).
-- Available (stock_available): in stock, or on backorder when the shop
-- allows it. Out of stock is never available; a managed stock with nothing
-- left (quantity ≤ 0 or unknown) is available only when backorders are
-- allowed ('notify' or 'yes'); 'onbackorder' on a managed stock needs
-- backorders allowed too, on an unmanaged stock it is the shop's own
-- statement that it sells on backorder.
-- A paused connection still shows its products: pausing stops the sync, it
-- does not withdraw the catalogue (SPEC: a failed or partial sync never
-- hides products). Connections are never soft-deleted; deleting one deletes
-- its products.
--
-- Speed without caching. Conditions 1 and 4–6 live on three big tables
-- (products, product_curation, product_variants); joining them for every
-- catalogue page costs hundreds of milliseconds at 100,000 products. So
-- public_listing keeps, per product, the facts those conditions need — its
-- curation status, whether it is sellable, the price a resident pays at
-- least — and what lists are filtered, sorted and searched by (a copy of
-- the search document of migration 00009), written by triggers in the same transaction as the change that
-- affects them. It is not a cache: it is never stale to anyone who can see
-- the change. Conditions 1 (the setting), 2 and 3 read the small tables at
-- query time in visible_products.
--
-- When and how it is written. Triggers note which products a statement
-- touched (public_listing_dirty); at COMMIT a deferred trigger recomputes
-- their listing rows in one set-based statement. So a long sync transaction
-- holds no listing locks while it runs and never makes a curator wait, and
-- each product is computed once per transaction, however many statements
-- touched it. The recompute first locks the listing rows and only then
-- reads, in a new statement and so (READ COMMITTED) with a fresh snapshot:
-- two transactions that changed different inputs of one product (the
-- syncer its stock, a curator its decision) recompute one after the other,
-- the second seeing what the first committed. Inside a writing transaction
-- the listing shows its changes only once it commits.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION stock_available(manage_stock boolean, stock_quantity integer, stock_status text, backorders text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE stock_status
        WHEN 'instock' THEN NOT manage_stock OR coalesce(stock_quantity, 0) > 0 OR backorders IN ('notify', 'yes')
        WHEN 'onbackorder' THEN NOT manage_stock OR backorders IN ('notify', 'yes')
        ELSE false
    END
$$;
-- +goose StatementEnd

-- A product or variant offer a resident could buy now: published, not
-- deleted, priced above zero, available.
-- +goose StatementBegin
CREATE FUNCTION offer_sellable(deleted_at timestamptz, shop_status text, price_cents bigint,
                               manage_stock boolean, stock_quantity integer, stock_status text, backorders text)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT deleted_at IS NULL AND shop_status = 'publish' AND coalesce(price_cents, 0) > 0
       AND stock_available(manage_stock, stock_quantity, stock_status, backorders)
$$;
-- +goose StatementEnd

-- Per product, what the public catalogue needs to decide visibility and to
-- list, filter and sort quickly. Kept by triggers; never written otherwise.
CREATE TABLE public_listing (
    product_id           bigint PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    connection_id        bigint NOT NULL,
    supplier_id          bigint NOT NULL,
    platform_category_id bigint,
    -- product_curation.status, '' without a curation row.
    curation_status      text NOT NULL,
    -- Conditions 4–6 and the product's own environment.
    sellable             boolean NOT NULL,
    -- What a resident pays at least: a simple product's current price; the
    -- lowest price among a variable product's sellable variants. With the
    -- regular price of that offer, for a struck-through sale.
    price_cents          bigint,
    regular_cents        bigint,
    name                 text NOT NULL,
    sku                  text NOT NULL,
    brand_ids            text[] NOT NULL,
    first_seen_at        timestamptz NOT NULL,
    -- products.search_vector (migration 00009 builds it) for products that
    -- can be visible, NULL for the others: searching here finds visible
    -- products among narrow rows without a join per hit.
    search_vector        tsvector
);

-- Recomputes the listing rows of the products (see "When and how it is
-- written" above). Products that no longer exist are skipped (their listing
-- rows went with them).
-- +goose StatementBegin
CREATE FUNCTION public_listing_refresh(ids bigint[]) RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    PERFORM 1 FROM public_listing WHERE product_id = ANY (ids) ORDER BY product_id FOR UPDATE;
    INSERT INTO public_listing AS l (product_id, connection_id, supplier_id, platform_category_id, curation_status,
                                     sellable, price_cents, regular_cents, name, sku, brand_ids, first_seen_at, search_vector)
    SELECT f.id, f.connection_id, f.supplier_id, f.platform_category_id, f.curation_status, f.sellable, f.price_cents,
           f.regular_cents, f.name, f.sku, f.brand_ids, f.first_seen_at,
           CASE WHEN f.sellable AND f.curation_status IN ('approved', 'changed') THEN f.search_vector END
    FROM (
        SELECT p.id, p.connection_id, p.supplier_id, p.platform_category_id, coalesce(pc.status, '') AS curation_status,
               p.environment = 'production' AND CASE p.type
                   WHEN 'simple' THEN offer_sellable(p.deleted_at, p.shop_status, p.price_cents, p.manage_stock,
                                                     p.stock_quantity, p.stock_status, p.backorders)
                   WHEN 'variable' THEN p.deleted_at IS NULL AND p.shop_status = 'publish' AND o.price_cents IS NOT NULL
                   ELSE false
               END AS sellable,
               CASE p.type WHEN 'variable' THEN o.price_cents ELSE p.price_cents END AS price_cents,
               CASE p.type WHEN 'variable' THEN o.regular_price_cents ELSE p.regular_price_cents END AS regular_cents,
               p.name, p.sku, p.brand_ids, p.first_seen_at, p.search_vector
        FROM products p
        LEFT JOIN product_curation pc ON pc.product_id = p.id
        LEFT JOIN LATERAL (
            SELECT v.price_cents, v.regular_price_cents
            FROM product_variants v
            WHERE v.product_id = p.id AND p.type = 'variable'
              AND offer_sellable(v.deleted_at, v.shop_status, v.price_cents, v.manage_stock, v.stock_quantity,
                                 v.stock_status, v.backorders)
            ORDER BY v.price_cents, v.position, v.id
            LIMIT 1
        ) o ON true
        WHERE p.id = ANY (ids)
    ) f
    ON CONFLICT (product_id) DO UPDATE
    SET connection_id = EXCLUDED.connection_id, supplier_id = EXCLUDED.supplier_id,
        platform_category_id = EXCLUDED.platform_category_id, curation_status = EXCLUDED.curation_status,
        sellable = EXCLUDED.sellable, price_cents = EXCLUDED.price_cents, regular_cents = EXCLUDED.regular_cents,
        name = EXCLUDED.name, sku = EXCLUDED.sku, brand_ids = EXCLUDED.brand_ids, first_seen_at = EXCLUDED.first_seen_at,
        search_vector = EXCLUDED.search_vector
    WHERE (l.connection_id, l.supplier_id, l.platform_category_id, l.curation_status, l.sellable, l.price_cents,
           l.regular_cents, l.name, l.sku, l.brand_ids, l.first_seen_at, l.search_vector)
          IS DISTINCT FROM
          (EXCLUDED.connection_id, EXCLUDED.supplier_id, EXCLUDED.platform_category_id, EXCLUDED.curation_status,
           EXCLUDED.sellable, EXCLUDED.price_cents, EXCLUDED.regular_cents, EXCLUDED.name, EXCLUDED.sku,
           EXCLUDED.brand_ids, EXCLUDED.first_seen_at, EXCLUDED.search_vector);
END
$$;
-- +goose StatementEnd

-- The products whose listing rows the current transaction must recompute
-- at commit, one row per statement that touched some. Transient: a
-- transaction empties its own rows when it commits (unlogged: nothing here
-- outlives a transaction worth keeping through a crash).
CREATE UNLOGGED TABLE public_listing_dirty (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ids  bigint[] NOT NULL
);
CREATE INDEX public_listing_dirty_txid_idx ON public_listing_dirty (txid);

-- At commit: recompute everything this transaction touched, once.
-- +goose StatementBegin
CREATE FUNCTION public_listing_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    WITH gone AS (DELETE FROM public_listing_dirty WHERE txid = pg_current_xact_id() RETURNING ids)
    SELECT array_agg(DISTINCT x) INTO touched FROM gone, unnest(gone.ids) AS x;
    PERFORM public_listing_refresh(touched);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER public_listing_flush AFTER INSERT ON public_listing_dirty
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public_listing_flush();

-- Statement-level triggers with transition tables note the products a
-- statement touched.
-- +goose StatementBegin
CREATE FUNCTION public_listing_products_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public_listing_dirty (ids)
    SELECT touched FROM (SELECT ARRAY(SELECT id FROM changed_rows) AS touched) t WHERE cardinality(touched) > 0;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER public_listing_products_insert AFTER INSERT ON products
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION public_listing_products_changed();
CREATE TRIGGER public_listing_products_update AFTER UPDATE ON products
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION public_listing_products_changed();

-- +goose StatementBegin
CREATE FUNCTION public_listing_children_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY(SELECT DISTINCT product_id FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        touched := ARRAY(SELECT product_id FROM new_rows UNION SELECT product_id FROM old_rows);
    ELSE
        touched := ARRAY(SELECT DISTINCT product_id FROM old_rows);
    END IF;
    IF cardinality(touched) > 0 THEN
        INSERT INTO public_listing_dirty (ids) VALUES (touched);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER public_listing_curation_insert AFTER INSERT ON product_curation
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public_listing_children_changed();
CREATE TRIGGER public_listing_curation_update AFTER UPDATE ON product_curation
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public_listing_children_changed();
CREATE TRIGGER public_listing_curation_delete AFTER DELETE ON product_curation
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public_listing_children_changed();
CREATE TRIGGER public_listing_variants_insert AFTER INSERT ON product_variants
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public_listing_children_changed();
CREATE TRIGGER public_listing_variants_update AFTER UPDATE ON product_variants
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public_listing_children_changed();
CREATE TRIGGER public_listing_variants_delete AFTER DELETE ON product_variants
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public_listing_children_changed();

SELECT public_listing_refresh(ARRAY(SELECT id FROM products));

-- Only listing rows that can be visible are ever read by the public pages;
-- both indexes cover every column those pages read, so lists, counts and
-- filters are index-only scans that never touch the listing's heap. By
-- category for browsing, by product for search hits and product pages.
CREATE INDEX public_listing_category_idx ON public_listing (platform_category_id)
    INCLUDE (product_id, connection_id, supplier_id, curation_status, price_cents, regular_cents, first_seen_at, name, brand_ids)
    WHERE sellable AND curation_status IN ('approved', 'changed');
CREATE INDEX public_listing_product_idx ON public_listing (product_id)
    INCLUDE (platform_category_id, connection_id, supplier_id, curation_status, price_cents, regular_cents, first_seen_at, name, brand_ids)
    WHERE sellable AND curation_status IN ('approved', 'changed');
-- Dutch full-text search among the products that can be visible.
CREATE INDEX public_listing_search_idx ON public_listing USING gin (search_vector)
    WHERE sellable AND curation_status IN ('approved', 'changed');

-- THE RULE. Every public query reads visible products through this view.
-- Conditions 2 and 3 are one small set: the production connections of
-- suppliers admitted to production (a connection belongs to one supplier,
-- and its products carry that supplier).
CREATE VIEW visible_products AS
SELECT l.product_id AS id, l.connection_id, l.supplier_id, l.platform_category_id, l.curation_status,
       l.price_cents, l.regular_cents, l.name, l.sku, l.brand_ids, l.first_seen_at, l.search_vector
FROM public_listing l
WHERE l.sellable
  AND l.curation_status IN ('approved', 'changed')
  AND (l.curation_status = 'approved' OR (SELECT s.keep_visible_on_change FROM curation_settings s))
  AND l.connection_id IN (
      SELECT c.id
      FROM connections c
      JOIN applications a ON a.supplier_id = c.supplier_id AND a.state = 'production'
      WHERE c.environment = 'production');

-- The variants residents see of a visible product: published, not deleted,
-- priced above zero; available says whether one can order it now (sold
-- out otherwise).
CREATE VIEW public_variants AS
SELECT v.*, stock_available(v.manage_stock, v.stock_quantity, v.stock_status, v.backorders) AS available
FROM product_variants v
WHERE v.deleted_at IS NULL AND v.shop_status = 'publish' AND v.price_cents > 0;

-- +goose Down
DROP VIEW public_variants;
DROP VIEW visible_products;
DROP TRIGGER public_listing_variants_delete ON product_variants;
DROP TRIGGER public_listing_variants_update ON product_variants;
DROP TRIGGER public_listing_variants_insert ON product_variants;
DROP TRIGGER public_listing_curation_delete ON product_curation;
DROP TRIGGER public_listing_curation_update ON product_curation;
DROP TRIGGER public_listing_curation_insert ON product_curation;
DROP FUNCTION public_listing_children_changed();
DROP TRIGGER public_listing_products_update ON products;
DROP TRIGGER public_listing_products_insert ON products;
DROP FUNCTION public_listing_products_changed();
DROP TRIGGER public_listing_flush ON public_listing_dirty;
DROP FUNCTION public_listing_flush();
DROP TABLE public_listing_dirty;
DROP FUNCTION public_listing_refresh(bigint[]);
DROP TABLE public_listing;
DROP FUNCTION offer_sellable(timestamptz, text, bigint, boolean, integer, text, text);
DROP FUNCTION stock_available(boolean, integer, text, text);
