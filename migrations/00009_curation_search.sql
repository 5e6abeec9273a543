-- Curation (issue 5), part 2: searching the synced catalogue (Dutch full
-- text plus trigrams for SKUs and typos), each product's platform category
-- derived from the mappings of its supplier categories, the default
-- platform themes and rejection reasons, and bulk decisions.
--
-- Everything derived here is kept current by triggers, so it is right for
-- every writer (the syncer, curators, tests) without them having to know.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The parts of the words of a name that Dutch compounds hide: every
-- ending of four letters or more of each word ("ledlamp" → "edlamp dlamp
-- lamp"), so that a search for "lamp" finds a "Ledlamp" by full text.
-- +goose StatementBegin
CREATE FUNCTION name_word_endings(name text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(substr(w, i), ' '), '')
    FROM regexp_split_to_table(lower(left(coalesce(name, ''), 500)), '[^[:alnum:]]+') AS w,
         generate_series(2, greatest(length(w) - 3, 1)) AS i
    WHERE length(w) >= 5
$$;
-- +goose StatementEnd

-- Full-text document of a product, weighted: name and SKU (A), brand names
-- (B), short and long description stripped of HTML (C), the endings of the
-- name's words (D). Descriptions are capped so that no shop text can exceed
-- the tsvector size limit and fail a sync.
-- +goose StatementBegin
CREATE FUNCTION product_search_vector(conn bigint, name text, sku text, brand_ids text[], description text, short_description text)
RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('dutch', left(coalesce(name, ''), 2000)), 'A')
        || setweight(to_tsvector('dutch', left(coalesce(sku, ''), 500)), 'A')
        || setweight(to_tsvector('dutch', coalesce((
               SELECT string_agg(b.name, ' ')
               FROM catalog_brands b
               WHERE b.connection_id = conn AND b.external_id = ANY (brand_ids) AND b.deleted_at IS NULL), '')), 'B')
        || setweight(to_tsvector('dutch', left(regexp_replace(
               regexp_replace(coalesce(short_description, '') || ' ' || coalesce(description, ''), '<[^>]*>', ' ', 'g'),
               '&[#a-zA-Z0-9]+;', ' ', 'g'), 100000)), 'C')
        || setweight(to_tsvector('dutch', name_word_endings(name)), 'D')
$$;
-- +goose StatementEnd

-- The platform category a product follows: the mapping of the first of its
-- supplier categories (in the shop's order) that is mapped; NULL when none
-- is.
-- +goose StatementBegin
CREATE FUNCTION product_platform_category(conn bigint, category_ids text[])
RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT m.platform_category_id
    FROM unnest(category_ids) WITH ORDINALITY AS c (external_id, ord)
    JOIN catalog_categories cc ON cc.connection_id = conn AND cc.external_id = c.external_id
    JOIN category_mappings m ON m.catalog_category_id = cc.id
    ORDER BY c.ord
    LIMIT 1
$$;
-- +goose StatementEnd

ALTER TABLE products
    ADD COLUMN search_vector tsvector,
    ADD COLUMN platform_category_id bigint REFERENCES platform_categories (id);


-- Derives search_vector and platform_category_id on every write that could
-- change them. On INSERT … ON CONFLICT of a product that already exists the
-- BEFORE INSERT trigger fires too; it skips the work, since the conflict's
-- UPDATE (or nothing, for an unchanged product) follows.
-- +goose StatementBegin
CREATE FUNCTION products_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM products WHERE connection_id = NEW.connection_id AND external_id = NEW.external_id) THEN
            RETURN NEW;
        END IF;
        NEW.search_vector := product_search_vector(NEW.connection_id, NEW.name, NEW.sku, NEW.brand_ids, NEW.description, NEW.short_description);
        NEW.platform_category_id := product_platform_category(NEW.connection_id, NEW.category_ids);
        RETURN NEW;
    END IF;
    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.sku IS DISTINCT FROM OLD.sku OR NEW.brand_ids IS DISTINCT FROM OLD.brand_ids
       OR NEW.short_description IS DISTINCT FROM OLD.short_description OR NEW.description IS DISTINCT FROM OLD.description
       OR NEW.search_vector IS NULL THEN
        NEW.search_vector := product_search_vector(NEW.connection_id, NEW.name, NEW.sku, NEW.brand_ids, NEW.description, NEW.short_description);
    END IF;
    IF NEW.category_ids IS DISTINCT FROM OLD.category_ids THEN
        NEW.platform_category_id := product_platform_category(NEW.connection_id, NEW.category_ids);
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER products_derive BEFORE INSERT OR UPDATE OF name, sku, brand_ids, description, short_description, category_ids
    ON products FOR EACH ROW EXECUTE FUNCTION products_derive();

-- A brand that appears, is renamed or deleted changes the documents of the
-- products of that connection that carry it.
-- +goose StatementBegin
CREATE FUNCTION catalog_brands_reindex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE products p
    SET search_vector = product_search_vector(p.connection_id, p.name, p.sku, p.brand_ids, p.description, p.short_description)
    WHERE p.connection_id = NEW.connection_id AND NEW.external_id = ANY (p.brand_ids);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER catalog_brands_reindex_insert AFTER INSERT ON catalog_brands
    FOR EACH ROW EXECUTE FUNCTION catalog_brands_reindex();
CREATE TRIGGER catalog_brands_reindex_update AFTER UPDATE OF name, deleted_at ON catalog_brands
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION catalog_brands_reindex();

-- A mapping that is added, changed or removed (also by a cascade when the
-- supplier category goes) moves the products that follow it, in the same
-- transaction. Added or changed: the products carrying that supplier
-- category; removed: the products that were in the old platform category.
-- +goose StatementBegin
CREATE FUNCTION category_mappings_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.catalog_category_id <> NEW.catalog_category_id) THEN
        UPDATE products p
        SET platform_category_id = product_platform_category(p.connection_id, p.category_ids)
        WHERE p.platform_category_id = OLD.platform_category_id
          AND p.platform_category_id IS DISTINCT FROM product_platform_category(p.connection_id, p.category_ids);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE products p
        SET platform_category_id = product_platform_category(p.connection_id, p.category_ids)
        FROM catalog_categories cc
        WHERE cc.id = NEW.catalog_category_id AND p.connection_id = cc.connection_id AND cc.external_id = ANY (p.category_ids)
          AND p.platform_category_id IS DISTINCT FROM product_platform_category(p.connection_id, p.category_ids);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER category_mappings_apply AFTER INSERT OR UPDATE OR DELETE ON category_mappings
    FOR EACH ROW EXECUTE FUNCTION category_mappings_apply();

-- The words of all product names, for correcting typos: a search that
-- finds nothing is retried with the closest known words (trigram
-- similarity), by full text again. A materialised view, refreshed by a
-- periodic job (curation.SearchWordsWorker), so that the syncer's writes
-- never wait on it; a word new since the last refresh is still found
-- exactly, only not yet as a correction.
CREATE MATERIALIZED VIEW search_words AS
SELECT DISTINCT w AS word
FROM products, regexp_split_to_table(lower(left(name, 500)), '[^[:alnum:]]+') AS w
WHERE length(w) BETWEEN 4 AND 40;
CREATE UNIQUE INDEX search_words_word_key ON search_words (word);
CREATE INDEX search_words_trgm_idx ON search_words USING gin (word gin_trgm_ops);

-- Whether a search finds anything by full text or SKU anywhere (if not,
-- it is retried with corrected words). Sequential scans are off inside:
-- for an unknown word the planner would otherwise walk the whole table
-- looking for a first match that the indexes show at once does not exist.
-- +goose StatementBegin
CREATE FUNCTION product_search_known(query text, sku_pattern text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET enable_seqscan = off AS $$
    SELECT EXISTS (SELECT 1 FROM products WHERE search_vector @@ websearch_to_tsquery('dutch', query))
        OR EXISTS (SELECT 1 FROM products WHERE sku ILIKE sku_pattern)
$$;
-- +goose StatementEnd

-- Search: the document, and trigrams on SKU and name for partial SKUs and
-- typos.
CREATE INDEX products_search_idx ON products USING gin (search_vector);
CREATE INDEX products_sku_trgm_idx ON products USING gin (sku gin_trgm_ops);
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);
-- Browsing and filtering by platform category (curators and the public
-- catalogue); also what a removed mapping recomputes.
CREATE INDEX products_platform_category_idx ON products (platform_category_id, id) WHERE platform_category_id IS NOT NULL;
-- The queue ("te beoordelen"), walked in product order; with the status,
-- so that counting it per status reads the index only.
CREATE INDEX product_curation_queue_idx ON product_curation (product_id) INCLUDE (status) WHERE status IN ('pending', 'changed');
-- Sorting the queue by name or price without sorting all of it.
CREATE INDEX products_name_idx ON products (lower(name), id);
CREATE INDEX products_price_idx ON products ((coalesce(price_cents, -1)), id);
-- Products gone from their shop (few), to leave them out of counts cheaply.
CREATE INDEX products_deleted_idx ON products (id) WHERE deleted_at IS NOT NULL;
-- Supplier categories by name for the mapping screens.
CREATE INDEX catalog_categories_connection_name_idx ON catalog_categories (connection_id, name);
-- A product's curation history is its audit trail.
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, id DESC);

-- What a curator approves: name, current price, supplier categories and the
-- variants with their prices. Changes after approval are measured against
-- it (internal/curation decodes this shape).
-- +goose StatementBegin
CREATE FUNCTION product_curation_snapshot(pid bigint) RETURNS jsonb LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT jsonb_build_object(
        'name', p.name,
        'type', p.type,
        'price_cents', p.price_cents,
        'category_ids', to_jsonb(p.category_ids),
        'variants', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'external_id', v.external_id,
                       'sku', v.sku,
                       'price_cents', v.price_cents,
                       'label', coalesce((SELECT string_agg((o ->> 'name') || ': ' || (o ->> 'option'), ', ')
                                          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v.options) = 'array' THEN v.options ELSE '[]'::jsonb END) o), ''))
                   ORDER BY v.position, v.external_id)
            FROM product_variants v
            WHERE v.product_id = p.id AND v.deleted_at IS NULL), '[]'::jsonb))
    FROM products p
    WHERE p.id = pid
$$;
-- +goose StatementEnd

-- Bulk decisions: a selection of products (picked, or everything matching a
-- queue filter) approved or rejected together. The selection is fixed when
-- the bulk starts, with each product's curation version then, so that a
-- product that changed meanwhile is skipped instead of decided unseen.
-- Large bulks run as a job in batches; last_id is where the next batch
-- starts, so a job that stopped resumes where it was.
CREATE TABLE bulk_decisions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id        bigint REFERENCES users (id),
    actor_email     text NOT NULL DEFAULT '',
    actor_ip        text NOT NULL DEFAULT '',
    action          text NOT NULL CHECK (action IN ('approve', 'reject')),
    reason_id       bigint REFERENCES rejection_reasons (id),
    reason_text     text NOT NULL DEFAULT '',
    -- The queue filter (JSON) for "everything matching this filter", or the
    -- picked product ids.
    filter          jsonb,
    product_ids     bigint[],
    total           integer NOT NULL DEFAULT 0,
    -- done = decided + skipped_changed + skipped_decided.
    done            integer NOT NULL DEFAULT 0,
    decided         integer NOT NULL DEFAULT 0,
    skipped_changed integer NOT NULL DEFAULT 0,
    skipped_decided integer NOT NULL DEFAULT 0,
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    last_id         bigint NOT NULL DEFAULT 0,
    error           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz,
    CHECK (action = 'approve' OR reason_id IS NOT NULL)
);
CREATE INDEX bulk_decisions_created_idx ON bulk_decisions (created_at DESC, id DESC);

-- The products of a bulk with their curation version when it started.
CREATE TABLE bulk_decision_items (
    bulk_id    bigint NOT NULL REFERENCES bulk_decisions (id) ON DELETE CASCADE,
    product_id bigint NOT NULL,
    version    bigint NOT NULL,
    PRIMARY KEY (bulk_id, product_id)
);

-- The platform's energy-saving themes.
INSERT INTO platform_categories (name, slug, position) VALUES
    ('Isolatie', 'isolatie', 10),
    ('Verlichting', 'verlichting', 20),
    ('Verwarming', 'verwarming', 30),
    ('Water', 'water', 40),
    ('Ventilatie', 'ventilatie', 50),
    ('Slimme thermostaten en meters', 'slimme-thermostaten-en-meters', 60),
    ('Zonne-energie', 'zonne-energie', 70);

-- Common reasons to refuse a product; curators manage the list.
INSERT INTO rejection_reasons (label) VALUES
    ('Geen energiebesparend product'),
    ('Onvolledige of onduidelijke productinformatie'),
    ('Afbeelding ontbreekt of is ongeschikt'),
    ('Prijs is niet marktconform'),
    ('Valt buiten het assortiment van het platform'),
    ('Anders (zie toelichting)');

-- +goose Down
DROP TABLE bulk_decision_items;
DROP TABLE bulk_decisions;
DROP FUNCTION product_curation_snapshot(bigint);
DROP MATERIALIZED VIEW search_words;
DROP FUNCTION product_search_known(text, text);
DROP INDEX audit_log_subject_idx;
DROP INDEX catalog_categories_connection_name_idx;
DROP INDEX products_deleted_idx;
DROP INDEX products_price_idx;
DROP INDEX products_name_idx;
DROP INDEX products_name_trgm_idx;
DROP INDEX products_sku_trgm_idx;
DROP INDEX product_curation_queue_idx;
DROP TRIGGER category_mappings_apply ON category_mappings;
DROP FUNCTION category_mappings_apply();
DROP TRIGGER catalog_brands_reindex_update ON catalog_brands;
DROP TRIGGER catalog_brands_reindex_insert ON catalog_brands;
DROP FUNCTION catalog_brands_reindex();
DROP TRIGGER products_derive ON products;
DROP FUNCTION products_derive();
ALTER TABLE products DROP COLUMN platform_category_id, DROP COLUMN search_vector;
DROP FUNCTION product_platform_category(bigint, text[]);
DROP FUNCTION product_search_vector(bigint, text, text, text[], text, text);
DROP FUNCTION name_word_endings(text);
-- The seeded rows, unless decisions or mappings use them.
DELETE FROM rejection_reasons r
WHERE r.label IN ('Geen energiebesparend product', 'Onvolledige of onduidelijke productinformatie', 'Afbeelding ontbreekt of is ongeschikt',
                  'Prijs is niet marktconform', 'Valt buiten het assortiment van het platform', 'Anders (zie toelichting)')
  AND NOT EXISTS (SELECT 1 FROM product_curation pc WHERE pc.reason_id = r.id);
DELETE FROM platform_categories c
WHERE c.slug IN ('isolatie', 'verlichting', 'verwarming', 'water', 'ventilatie', 'slimme-thermostaten-en-meters', 'zonne-energie')
  AND NOT EXISTS (SELECT 1 FROM category_mappings m WHERE m.platform_category_id = c.id)
  AND NOT EXISTS (SELECT 1 FROM platform_categories child WHERE child.parent_id = c.id);
