-- name: APIKeyCreate :one
INSERT INTO api_keys (supplier_id, environment, name, prefix, secret_hash, created_by)
VALUES (@supplier_id, @environment, @name, @prefix, @secret_hash, @created_by)
RETURNING *;

-- name: APIKeyList :many
SELECT * FROM api_keys WHERE supplier_id = @supplier_id ORDER BY environment, created_at DESC, id DESC;

-- name: APIKeyRevoke :one
-- Scoped by supplier, so one supplier can never revoke another's key.
UPDATE api_keys SET revoked_at = now()
WHERE id = @id AND supplier_id = @supplier_id AND revoked_at IS NULL
RETURNING *;

-- name: APIKeyGetByHash :one
SELECT * FROM api_keys WHERE secret_hash = @secret_hash AND revoked_at IS NULL;

-- name: APIKeyRevokeAllForSupplier :execrows
UPDATE api_keys SET revoked_at = now() WHERE supplier_id = @supplier_id AND revoked_at IS NULL;
