-- Curation (issue 5): WUJW's decisions on synced products, the platform's
-- own category tree and the mapping of supplier categories onto it.

-- +goose Up
-- The platform's category tree (energy-saving themes).
CREATE TABLE platform_categories (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id  bigint REFERENCES platform_categories (id),
    name       text NOT NULL CHECK (name <> ''),
    slug       text NOT NULL CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    position   integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX platform_categories_slug_key ON platform_categories (slug);

-- A supplier category (per connection) mapped onto a platform category.
-- Products follow their category's mapping.
CREATE TABLE category_mappings (
    catalog_category_id  bigint PRIMARY KEY REFERENCES catalog_categories (id) ON DELETE CASCADE,
    platform_category_id bigint NOT NULL REFERENCES platform_categories (id),
    mapped_by            bigint REFERENCES users (id),
    mapped_at            timestamptz NOT NULL DEFAULT now()
);

-- The managed list of rejection reasons.
CREATE TABLE rejection_reasons (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label  text NOT NULL CHECK (label <> ''),
    active boolean NOT NULL DEFAULT true
);

-- One row per synced product, created with it: the curation state.
-- status: pending (never decided), approved, rejected, changed (approved,
-- then changed significantly: back in the queue). version counts decisions
-- and significant changes, so a decision on a product that changed since the
-- curator opened it is refused.
CREATE TABLE product_curation (
    product_id         bigint PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'changed')),
    version            bigint NOT NULL DEFAULT 1,
    reason_id          bigint REFERENCES rejection_reasons (id),
    reason_text        text NOT NULL DEFAULT '',
    decided_by         bigint REFERENCES users (id),
    decided_at         timestamptz,
    -- What was approved (name, price, categories, variants), to detect and
    -- show significant changes.
    approved_snapshot  jsonb,
    -- Why the product is back in the queue (Dutch, one line per change).
    change_summary     text NOT NULL DEFAULT '',
    changed_at         timestamptz
);
CREATE INDEX product_curation_status_idx ON product_curation (status, product_id);

-- Curator settings (one row).
CREATE TABLE curation_settings (
    id                      boolean PRIMARY KEY DEFAULT true CHECK (id),
    -- A price increase above this percentage sends a product back.
    price_increase_percent  integer NOT NULL DEFAULT 10 CHECK (price_increase_percent BETWEEN 0 AND 1000),
    -- While back in review: keep showing the approved product (true) or hide it.
    keep_visible_on_change  boolean NOT NULL DEFAULT true,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    updated_by              bigint REFERENCES users (id)
);
INSERT INTO curation_settings DEFAULT VALUES;

-- +goose Down
DROP TABLE curation_settings;
DROP TABLE product_curation;
DROP TABLE rejection_reasons;
DROP TABLE category_mappings;
DROP TABLE platform_categories;
