-- Support hours (SPEC §2 rule 6, §3 "Support hours"): time entries that
-- staff log per supplier, per-supplier allowances and closed months. Free
-- and billable minutes are derived from the entries in chronological order
-- (support.Allocate) and never stored.

-- +goose Up
CREATE TABLE time_entries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    supplier_id bigint NOT NULL REFERENCES suppliers (id),
    staff_id    bigint NOT NULL REFERENCES users (id),
    entry_date  date NOT NULL,
    minutes     integer NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    category    text NOT NULL CHECK (category IN ('onboarding', 'integration', 'integration_test', 'other')),
    description text NOT NULL CHECK (description <> ''),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX time_entries_supplier_idx ON time_entries (supplier_id, entry_date, id);

-- A missing row means the default allowance (support.DefaultAllowance).
CREATE TABLE support_allowances (
    supplier_id bigint PRIMARY KEY REFERENCES suppliers (id),
    minutes     integer NOT NULL CHECK (minutes >= 0),
    reason      text NOT NULL DEFAULT '',
    changed_by  bigint REFERENCES users (id),
    changed_at  timestamptz NOT NULL DEFAULT now()
);

-- A closed month takes no new entries, edits or deletions.
CREATE TABLE closed_months (
    month     date PRIMARY KEY CHECK (extract(day FROM month) = 1),
    closed_by bigint REFERENCES users (id),
    closed_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE closed_months;
DROP TABLE support_allowances;
DROP TABLE time_entries;
