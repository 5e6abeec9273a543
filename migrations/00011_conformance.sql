-- Custom-API conformance reports (issue 4): each run of the connector's
-- conformance checks against one submission of a supplier's own API
-- (custom_api_reviews), with the signed test webhook it waits for.
--
-- A table of its own rather than columns on custom_api_reviews: one
-- submission can be checked more than once (staff re-run the report, the
-- earlier runs stay as they were), and the webhook receiver updates the
-- webhook state of a run while the run itself may still be writing its
-- report.

-- +goose Up
CREATE TABLE conformance_reports (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id           bigint NOT NULL REFERENCES custom_api_reviews (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- NULL: queued automatically when the API was submitted.
    requested_by        bigint REFERENCES users (id),
    started_at          timestamptz,
    finished_at         timestamptz,
    status              text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    -- Why a run failed as a whole (Dutch, for staff); the report then
    -- holds what was found before.
    error               text NOT NULL DEFAULT '',
    -- The checks (conformance.Report as JSON).
    report              jsonb NOT NULL DEFAULT '{}',
    -- The test webhook: the receiver's URL carries a random token of which
    -- only the SHA-256 is kept; the webhook's secret is sealed with
    -- AES-256-GCM (webhook_key_id names the key).
    webhook_token_hash  bytea UNIQUE,
    webhook_secret      bytea,
    webhook_key_id      text NOT NULL DEFAULT '',
    -- The webhook's id in the supplier's API, to delete it afterwards.
    webhook_remote_id   text NOT NULL DEFAULT '',
    webhook_deadline    timestamptz,
    webhook_result      text NOT NULL DEFAULT 'none'
        CHECK (webhook_result IN ('none', 'waiting', 'conform', 'not_conform', 'expired', 'not_tested')),
    -- What the receiver found (Dutch) and technical detail for staff.
    webhook_finding     text NOT NULL DEFAULT '',
    webhook_detail      text NOT NULL DEFAULT '',
    webhook_ping_at     timestamptz,
    webhook_received_at timestamptz,
    webhook_deliveries  integer NOT NULL DEFAULT 0,
    webhook_removed_at  timestamptz
);
CREATE INDEX conformance_reports_review_idx ON conformance_reports (review_id, id);

-- +goose Down
DROP TABLE conformance_reports;
