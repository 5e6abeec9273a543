-- Catalogue sync (issue 4): supplier webshop connections, the synced
-- catalogue keyed by the shop's own ids, sync runs and their errors, and
-- webhook deliveries waiting to be processed.

-- +goose Up
CREATE TABLE connections (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id        bigint NOT NULL REFERENCES suppliers (id),
    environment        text NOT NULL CHECK (environment IN ('test', 'acceptance', 'production')),
    platform           text NOT NULL CHECK (platform IN ('woocommerce', 'custom', 'shopify', 'magento', 'lightspeed', 'easypos')),
    -- The shop's address as the supplier gave it, normalised (https, no
    -- query); the connector derives its API base from it.
    base_url           text NOT NULL,
    -- Credentials (JSON, platform specific) sealed with AES-256-GCM;
    -- key_id names the key used, so keys can rotate.
    credentials        bytea NOT NULL,
    key_id             text NOT NULL,
    -- What the supplier may see of the credentials, e.g. "ck_1…f3a9".
    credentials_hint   text NOT NULL DEFAULT '',
    -- Secret OHIS gives the shop for signing webhooks, sealed like the
    -- credentials (same key id).
    webhook_secret     bytea NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by         bigint REFERENCES users (id),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    -- A paused connection is not synced on schedule.
    paused             boolean NOT NULL DEFAULT false,

    -- Sync state. The watermark is the start time of the last successful
    -- full or incremental listing; the next incremental lists from it minus
    -- a safety margin.
    watermark          timestamptz,
    last_success_at    timestamptz,
    last_attempt_at    timestamptz,
    last_reconcile_at  timestamptz,
    next_sync_at       timestamptz,
    -- Set at the first failure after a success, cleared by the next success.
    failing_since      timestamptz,
    last_error_code    text NOT NULL DEFAULT '',
    -- The shop refused the credentials (401/403) at the last attempt.
    auth_failed        boolean NOT NULL DEFAULT false,
    -- none: not registered yet; active; disabled: the shop disabled (some
    -- of) them and re-activation failed; error: registration failed.
    webhook_status     text NOT NULL DEFAULT 'none' CHECK (webhook_status IN ('none', 'active', 'disabled', 'error')),
    webhook_checked_at timestamptz,
    -- An open incident (failing > 1 h, 401s, webhooks disabled) and whether
    -- the supplier was mailed about it: once per incident.
    incident_kind      text NOT NULL DEFAULT '' CHECK (incident_kind IN ('', 'failing', 'auth', 'webhooks')),
    incident_since     timestamptz,
    incident_mailed_at timestamptz,
    -- What the last connection check found (version, shop name, ...).
    shop_info          jsonb NOT NULL DEFAULT '{}'
);
-- One connection per supplier per environment.
CREATE UNIQUE INDEX connections_supplier_env_key ON connections (supplier_id, environment);
CREATE INDEX connections_next_sync_idx ON connections (next_sync_at) WHERE NOT paused;

-- Webhooks OHIS registered in the shop.
CREATE TABLE connection_webhooks (
    connection_id bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    topic         text NOT NULL,
    external_id   text NOT NULL,
    status        text NOT NULL,
    checked_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, topic)
);

-- Taxonomies, per connection, keyed by the shop's id. parent_external_id is
-- '' for a root.
CREATE TABLE catalog_categories (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id      bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id        text NOT NULL,
    parent_external_id text NOT NULL DEFAULT '',
    name               text NOT NULL,
    slug               text NOT NULL DEFAULT '',
    content_hash       bytea NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    UNIQUE (connection_id, external_id)
);

CREATE TABLE catalog_brands (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id      bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id        text NOT NULL,
    parent_external_id text NOT NULL DEFAULT '',
    name               text NOT NULL,
    slug               text NOT NULL DEFAULT '',
    content_hash       bytea NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    deleted_at         timestamptz,
    UNIQUE (connection_id, external_id)
);

-- Global attributes with their terms (terms as a JSON array of
-- {external_id, name, slug}).
CREATE TABLE catalog_attributes (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    external_id   text NOT NULL,
    name          text NOT NULL,
    slug          text NOT NULL DEFAULT '',
    terms         jsonb NOT NULL DEFAULT '[]',
    content_hash  bytea NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz,
    UNIQUE (connection_id, external_id)
);

-- Products as the shop has them. Prices are integer cents incl. VAT; for a
-- variable product the price columns hold the lowest current variant price
-- (derived by the syncer), the variants hold their own.
CREATE TABLE products (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id        bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    -- Denormalised from the connection for scoping and filtering.
    supplier_id          bigint NOT NULL REFERENCES suppliers (id),
    environment          text NOT NULL,
    external_id          text NOT NULL,
    type                 text NOT NULL CHECK (type IN ('simple', 'variable')),
    -- The shop's status: publish, draft, pending, private. Only publish is
    -- for sale.
    shop_status          text NOT NULL,
    name                 text NOT NULL,
    slug                 text NOT NULL DEFAULT '',
    permalink            text NOT NULL DEFAULT '',
    sku                  text NOT NULL DEFAULT '',
    description          text NOT NULL DEFAULT '',
    short_description    text NOT NULL DEFAULT '',
    regular_price_cents  bigint,
    sale_price_cents     bigint,
    sale_from            timestamptz,
    sale_to              timestamptz,
    price_cents          bigint,
    manage_stock         boolean NOT NULL DEFAULT false,
    stock_quantity       integer,
    stock_status         text NOT NULL DEFAULT 'instock' CHECK (stock_status IN ('instock', 'outofstock', 'onbackorder')),
    backorders           text NOT NULL DEFAULT 'no' CHECK (backorders IN ('no', 'notify', 'yes')),
    category_ids         text[] NOT NULL DEFAULT '{}',
    brand_ids            text[] NOT NULL DEFAULT '{}',
    -- [{external_id, name, options[], visible, variation}]
    attributes           jsonb NOT NULL DEFAULT '[]',
    -- [{external_id, src, alt, position}]; the first is the main image.
    images               jsonb NOT NULL DEFAULT '[]',
    -- The shop's date_modified (GMT). Older payloads never overwrite newer.
    shop_modified_at     timestamptz NOT NULL,
    content_hash         bytea NOT NULL,
    first_seen_at        timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- Set when the shop no longer has the product (webhook or a complete
    -- reconciliation); cleared when it comes back.
    deleted_at           timestamptz,
    UNIQUE (connection_id, external_id),
    CHECK (regular_price_cents IS NULL OR regular_price_cents >= 0),
    CHECK (sale_price_cents IS NULL OR sale_price_cents >= 0),
    CHECK (price_cents IS NULL OR price_cents >= 0)
);
CREATE INDEX products_supplier_idx ON products (supplier_id, environment, id);

CREATE TABLE product_variants (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id          bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    external_id         text NOT NULL,
    shop_status         text NOT NULL DEFAULT 'publish',
    sku                 text NOT NULL DEFAULT '',
    regular_price_cents bigint,
    sale_price_cents    bigint,
    sale_from           timestamptz,
    sale_to             timestamptz,
    price_cents         bigint,
    manage_stock        boolean NOT NULL DEFAULT false,
    stock_quantity      integer,
    stock_status        text NOT NULL DEFAULT 'instock' CHECK (stock_status IN ('instock', 'outofstock', 'onbackorder')),
    backorders          text NOT NULL DEFAULT 'no' CHECK (backorders IN ('no', 'notify', 'yes')),
    -- [{external_id, name, option}]
    options             jsonb NOT NULL DEFAULT '[]',
    -- {external_id, src, alt} or null
    image               jsonb,
    position            integer NOT NULL DEFAULT 0,
    shop_modified_at    timestamptz NOT NULL,
    content_hash        bytea NOT NULL,
    first_seen_at       timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz,
    UNIQUE (product_id, external_id),
    CHECK (regular_price_cents IS NULL OR regular_price_cents >= 0),
    CHECK (sale_price_cents IS NULL OR sale_price_cents >= 0),
    CHECK (price_cents IS NULL OR price_cents >= 0)
);

-- One execution of a sync job. Counters are written while it runs (from
-- outside its data transaction) so the portal can show live progress.
CREATE TABLE sync_runs (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id  bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('full', 'incremental', 'reconcile', 'webhook')),
    -- schedule, manual (portal button), cli, webhook, connect
    trigger        text NOT NULL,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    outcome        text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed')),
    pages_done     integer NOT NULL DEFAULT 0,
    pages_total    integer NOT NULL DEFAULT 0,
    items_done     integer NOT NULL DEFAULT 0,
    items_total    integer NOT NULL DEFAULT 0,
    created        integer NOT NULL DEFAULT 0,
    updated        integer NOT NULL DEFAULT 0,
    deleted        integer NOT NULL DEFAULT 0,
    unchanged      integer NOT NULL DEFAULT 0,
    skipped        integer NOT NULL DEFAULT 0,
    failed         integer NOT NULL DEFAULT 0,
    -- Dutch one-line summary of why the run failed ('' on success).
    error_message  text NOT NULL DEFAULT ''
);
CREATE INDEX sync_runs_connection_idx ON sync_runs (connection_id, id DESC);

-- What went wrong: for the whole connection (product_external_id '') or one
-- product. message is Dutch and says what to do; detail is technical and
-- shown to staff only.
CREATE TABLE sync_errors (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id       bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    run_id              bigint REFERENCES sync_runs (id) ON DELETE SET NULL,
    product_external_id text NOT NULL DEFAULT '',
    product_name        text NOT NULL DEFAULT '',
    code                text NOT NULL,
    message             text NOT NULL,
    detail              text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- Set when a later sync handled the product (or connection) fine.
    resolved_at         timestamptz
);
CREATE INDEX sync_errors_connection_idx ON sync_errors (connection_id, id DESC);
CREATE INDEX sync_errors_open_idx ON sync_errors (connection_id, product_external_id) WHERE resolved_at IS NULL;

-- Webhook deliveries, stored verbatim (after the signature check) and
-- processed by a job. The same payload delivered twice is one row.
CREATE TABLE webhook_deliveries (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id bigint NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    topic         text NOT NULL,
    resource_id   text NOT NULL DEFAULT '',
    body_sha256   bytea NOT NULL,
    body          bytea,
    received_at   timestamptz NOT NULL DEFAULT now(),
    processed_at  timestamptz,
    -- applied, stale, duplicate, ignored, failed
    result        text NOT NULL DEFAULT '',
    UNIQUE (connection_id, topic, body_sha256)
);
CREATE INDEX webhook_deliveries_received_idx ON webhook_deliveries (received_at);

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE sync_errors;
DROP TABLE sync_runs;
DROP TABLE product_variants;
DROP TABLE products;
DROP TABLE catalog_attributes;
DROP TABLE catalog_brands;
DROP TABLE catalog_categories;
DROP TABLE connection_webhooks;
DROP TABLE connections;
