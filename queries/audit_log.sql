-- name: AuditAdd :exec
INSERT INTO audit_log (actor_id, actor_email, action, subject_type, subject_id, supplier_id, ip, detail)
VALUES (sqlc.narg('actor_id'), @actor_email, @action, @subject_type, @subject_id, sqlc.narg('supplier_id'), @ip, @detail);

-- name: AuditList :many
-- Newest first, keyset-paginated on (at, id) so deep pages stay fast.
SELECT * FROM audit_log
WHERE (sqlc.narg('action')::text IS NULL OR action = sqlc.narg('action'))
  AND (sqlc.narg('actor')::text IS NULL OR actor_email ILIKE '%' || sqlc.narg('actor') || '%')
  AND (sqlc.narg('from')::timestamptz IS NULL OR at >= sqlc.narg('from'))
  AND (sqlc.narg('until')::timestamptz IS NULL OR at < sqlc.narg('until'))
  AND (sqlc.narg('before_id')::bigint IS NULL OR id < sqlc.narg('before_id'))
ORDER BY id DESC
LIMIT @max_rows;

-- name: AuditActions :many
SELECT DISTINCT action FROM audit_log ORDER BY action;
