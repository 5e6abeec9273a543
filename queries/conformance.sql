-- Custom-API conformance reports: runs of the conformance checks against a
-- submission (custom_api_reviews) and the state of their test webhook.

-- name: ConformanceReportCreate :one
INSERT INTO conformance_reports (review_id, requested_by)
VALUES (@review_id, sqlc.narg('requested_by'))
RETURNING id;

-- name: ConformanceReportGet :one
SELECT * FROM conformance_reports WHERE id = @id;

-- name: ConformanceReportLatest :one
-- The newest run for a submission.
SELECT * FROM conformance_reports WHERE review_id = @review_id ORDER BY id DESC LIMIT 1;

-- name: ConformanceReportLatestForApplication :many
-- The newest run of every submission of an application.
SELECT DISTINCT ON (r.review_id) r.*
FROM conformance_reports r
JOIN custom_api_reviews c ON c.id = r.review_id
WHERE c.application_id = @application_id
ORDER BY r.review_id, r.id DESC;

-- name: ConformanceReportByTokenHash :one
SELECT * FROM conformance_reports WHERE webhook_token_hash = @webhook_token_hash;

-- name: ConformanceReportStart :exec
-- A run begins (again, after a crash): the report so far is dropped, the
-- test webhook gets a fresh token and secret.
UPDATE conformance_reports
SET status = 'running', started_at = now(), finished_at = NULL, error = '', report = '{}',
    webhook_token_hash = sqlc.narg('webhook_token_hash'), webhook_secret = sqlc.narg('webhook_secret'),
    webhook_key_id = @webhook_key_id, webhook_remote_id = '', webhook_deadline = sqlc.narg('webhook_deadline'),
    webhook_result = @webhook_result, webhook_finding = '', webhook_detail = '',
    webhook_ping_at = NULL, webhook_received_at = NULL, webhook_deliveries = 0, webhook_removed_at = NULL
WHERE id = @id;

-- name: ConformanceReportFinish :exec
-- The run is over. The webhook's result and finding are only changed
-- while the receiver has not decided yet; its deadline counts from now.
UPDATE conformance_reports
SET status = @status, finished_at = now(), error = @error, report = @report,
    webhook_remote_id = @webhook_remote_id,
    webhook_deadline = coalesce(sqlc.narg('webhook_deadline'), webhook_deadline),
    webhook_finding = CASE WHEN webhook_result = 'waiting' AND @webhook_result::text <> 'waiting' THEN @webhook_finding ELSE webhook_finding END,
    webhook_detail = CASE WHEN webhook_result = 'waiting' AND @webhook_result::text <> 'waiting' THEN @webhook_detail ELSE webhook_detail END,
    webhook_result = CASE WHEN webhook_result = 'waiting' THEN @webhook_result ELSE webhook_result END
WHERE id = @id;

-- name: ConformanceReportFail :exec
-- A run that could not be carried out at all.
UPDATE conformance_reports
SET status = 'failed', finished_at = now(), error = @error,
    webhook_result = CASE WHEN webhook_result = 'waiting' THEN 'not_tested' ELSE webhook_result END
WHERE id = @id;

-- name: ConformanceWebhookPing :exec
UPDATE conformance_reports
SET webhook_ping_at = coalesce(webhook_ping_at, now())
WHERE id = @id;

-- name: ConformanceWebhookConform :one
-- A correctly signed delivery: conform, and it stays so.
UPDATE conformance_reports
SET webhook_result = 'conform', webhook_finding = @webhook_finding, webhook_detail = @webhook_detail,
    webhook_received_at = now(), webhook_deliveries = webhook_deliveries + 1
WHERE id = @id AND webhook_result IN ('waiting', 'not_conform')
RETURNING id;

-- name: ConformanceWebhookNotConform :one
-- A delivery with a missing or wrong signature, while none was correct.
UPDATE conformance_reports
SET webhook_result = 'not_conform', webhook_finding = @webhook_finding, webhook_detail = @webhook_detail,
    webhook_received_at = now(), webhook_deliveries = webhook_deliveries + 1
WHERE id = @id AND webhook_result IN ('waiting', 'not_conform')
RETURNING id;

-- name: ConformanceWebhookCount :exec
-- A delivery after the outcome was settled: counted only.
UPDATE conformance_reports SET webhook_deliveries = webhook_deliveries + 1 WHERE id = @id;

-- name: ConformanceWebhookExpire :one
-- The wait is over without a delivery.
UPDATE conformance_reports
SET webhook_result = 'expired', webhook_finding = @webhook_finding, webhook_detail = @webhook_detail
WHERE id = @id AND webhook_result = 'waiting'
RETURNING id;

-- name: ConformanceWebhookRemoved :exec
UPDATE conformance_reports SET webhook_removed_at = now() WHERE id = @id;

-- name: ConformanceReviewGet :one
-- A submission with the organisation it belongs to, for scoping.
SELECT c.*, a.supplier_id
FROM custom_api_reviews c
JOIN applications a ON a.id = c.application_id
WHERE c.id = @id;
