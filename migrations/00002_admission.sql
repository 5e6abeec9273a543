-- Supplier admission (SPEC §2 rules 1, 4, 5, 8, 9 and §3): applications and
-- their state machine with its trail, the review checklist, API keys per
-- environment, custom-API reviews, integration-test slots, bookings and
-- outcomes.

-- +goose Up
CREATE TABLE applications (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at         timestamptz NOT NULL DEFAULT now(),
    company_name       text NOT NULL CHECK (company_name <> ''),
    kvk                text NOT NULL CHECK (kvk ~ '^[0-9]{8}$'),
    vat_id             text NOT NULL CHECK (vat_id ~ '^NL[0-9]{9}B[0-9]{2}$'),
    iban               text NOT NULL,
    contact_name       text NOT NULL,
    email              text NOT NULL,
    phone              text NOT NULL,
    website            text NOT NULL,
    platform           text NOT NULL CHECK (platform IN ('woocommerce', 'shopify', 'magento', 'lightspeed', 'easypos', 'custom', 'other')),
    terms_accepted_at  timestamptz NOT NULL,
    client_ip          text NOT NULL DEFAULT '',
    state              text NOT NULL DEFAULT 'applied'
        CHECK (state IN ('applied', 'in_review', 'admitted', 'integration_ready', 'test_booked', 'production', 'rejected', 'excluded')),
    state_changed_at   timestamptz NOT NULL DEFAULT now(),
    -- Set when admitted: the organisation this application became.
    supplier_id        bigint UNIQUE REFERENCES suppliers (id),
    admitted_at        timestamptz,
    -- Custom route: when the supplier made its API available for review
    -- (the 4-week lead time counts from here).
    api_submitted_at   timestamptz,
    -- Non-empty: an alternative integration was agreed, which waives the
    -- connection requirement (SPEC §2 rule 1).
    alternative_reason text NOT NULL DEFAULT '',
    -- Reason of the last rejection or exclusion, shown to the supplier.
    decision_reason    text NOT NULL DEFAULT '',
    -- Review checklist: requirement id → checked.
    checklist          jsonb NOT NULL DEFAULT '{}'
);
-- One application per KvK number, ever: a second one is refused.
CREATE UNIQUE INDEX applications_kvk_key ON applications (kvk);
CREATE INDEX applications_state_idx ON applications (state, created_at);

CREATE TABLE admission_transitions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id bigint NOT NULL REFERENCES applications (id),
    from_state     text NOT NULL,
    to_state       text NOT NULL,
    actor_id       bigint REFERENCES users (id),
    actor_email    text NOT NULL DEFAULT '',
    reason         text NOT NULL DEFAULT '',
    at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX admission_transitions_application_idx ON admission_transitions (application_id, id);

-- The admission requirements admins tick during review; managed in the
-- portal, seeded with the tender's basics.
CREATE TABLE admission_requirements (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label    text NOT NULL CHECK (label <> ''),
    position integer NOT NULL DEFAULT 0,
    active   boolean NOT NULL DEFAULT true
);
INSERT INTO admission_requirements (label, position) VALUES
    ('Ingeschreven bij de KvK en gegevens komen overeen', 10),
    ('Assortiment bestaat uit energiebesparende producten', 20),
    ('Webshop is actief en levert in Nederland', 30),
    ('Retourbeleid en klantenservice zijn vindbaar op de webshop', 40),
    ('Algemene voorwaarden van de aanbesteding geaccepteerd', 50);

CREATE TABLE api_keys (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id  bigint NOT NULL REFERENCES suppliers (id),
    environment  text NOT NULL CHECK (environment IN ('test', 'acceptance', 'production')),
    name         text NOT NULL CHECK (name <> ''),
    -- The visible start of the key, e.g. "ohis_test_3fa9c2"; the rest is
    -- only ever shown once.
    prefix       text NOT NULL,
    secret_hash  bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   bigint REFERENCES users (id),
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_keys_supplier_idx ON api_keys (supplier_id, environment);

-- Custom route: each time the supplier submits its API for review.
CREATE TABLE custom_api_reviews (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id bigint NOT NULL REFERENCES applications (id),
    base_url       text NOT NULL,
    -- Credentials sealed with AES-256-GCM; key_id names the key used.
    credentials    bytea NOT NULL,
    key_id         text NOT NULL,
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    submitted_by   bigint REFERENCES users (id),
    outcome        text CHECK (outcome IN ('conform', 'not_conform')),
    findings       text NOT NULL DEFAULT '',
    reviewed_at    timestamptz,
    reviewed_by    bigint REFERENCES users (id)
);
CREATE INDEX custom_api_reviews_application_idx ON custom_api_reviews (application_id, id);

CREATE TABLE test_slots (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    starts_at    timestamptz NOT NULL,
    duration_min integer NOT NULL CHECK (duration_min BETWEEN 15 AND 480),
    staff_id     bigint NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz
);
CREATE INDEX test_slots_starts_idx ON test_slots (starts_at);

CREATE TABLE test_bookings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slot_id        bigint NOT NULL REFERENCES test_slots (id),
    application_id bigint NOT NULL REFERENCES applications (id),
    booked_at      timestamptz NOT NULL DEFAULT now(),
    booked_by      bigint REFERENCES users (id),
    cancelled_at   timestamptz,
    -- Set when staff decide: passed or failed, with findings.
    outcome        text CHECK (outcome IN ('passed', 'failed')),
    findings       text NOT NULL DEFAULT '',
    decided_at     timestamptz,
    decided_by     bigint REFERENCES users (id),
    -- Bumped when the booking moves, for the calendar invitation.
    ics_sequence   integer NOT NULL DEFAULT 0
);
-- The database, not the application, guarantees one live booking per slot
-- and per supplier, even when two book at the same instant.
CREATE UNIQUE INDEX test_bookings_slot_live_key ON test_bookings (slot_id) WHERE cancelled_at IS NULL;
CREATE UNIQUE INDEX test_bookings_application_live_key ON test_bookings (application_id)
    WHERE cancelled_at IS NULL AND outcome IS NULL;

-- Staff's result per test case and variant (SPEC §2 rule 9: four cases,
-- each at least four different ways).
CREATE TABLE test_case_results (
    booking_id bigint NOT NULL REFERENCES test_bookings (id),
    test_case  text NOT NULL CHECK (test_case IN ('card_full', 'card_ideal', 'multi_supplier', 'return_credit')),
    variant    integer NOT NULL CHECK (variant BETWEEN 1 AND 4),
    passed     boolean NOT NULL,
    note       text NOT NULL DEFAULT '',
    PRIMARY KEY (booking_id, test_case, variant)
);

-- +goose Down
DROP TABLE test_case_results;
DROP TABLE test_bookings;
DROP TABLE test_slots;
DROP TABLE custom_api_reviews;
DROP TABLE api_keys;
DROP TABLE admission_requirements;
DROP TABLE admission_transitions;
DROP TABLE applications;
