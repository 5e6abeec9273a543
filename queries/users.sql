-- name: UserCreate :one
INSERT INTO users (email, name, role, supplier_id, password_hash)
VALUES (@email, @name, @role, sqlc.narg('supplier_id'), sqlc.narg('password_hash'))
RETURNING *;

-- name: UserGet :one
SELECT * FROM users WHERE id = @id;

-- name: UserGetByEmail :one
SELECT * FROM users WHERE email = @email;

-- name: UserList :many
SELECT users.*, coalesce(suppliers.name, '')::text AS supplier_name
FROM users
LEFT JOIN suppliers ON suppliers.id = users.supplier_id
WHERE (sqlc.narg('role')::text IS NULL OR users.role = sqlc.narg('role'))
  AND (sqlc.narg('active')::boolean IS NULL OR users.active = sqlc.narg('active'))
ORDER BY users.email;

-- name: UserDashboardCounts :one
-- The admin start page's figures in one round trip.
SELECT
    count(*) FILTER (WHERE role = 'admin' AND active)::int AS admins,
    count(*) FILTER (WHERE role = 'curator' AND active)::int AS curators,
    count(*) FILTER (WHERE role = 'support' AND active)::int AS support,
    count(*) FILTER (WHERE role = 'supplier' AND active)::int AS suppliers,
    (SELECT count(*) FROM suppliers)::int AS supplier_orgs,
    (SELECT count(*) FROM mail_outbox WHERE status <> 'sent')::int AS mail_unsent
FROM users;

-- name: SupplierHomeFacts :one
-- What the supplier start page needs besides the application, in one trip.
SELECT
    (SELECT count(*) FROM users WHERE users.supplier_id = @supplier_id)::int AS team_size,
    EXISTS (SELECT 1 FROM api_keys WHERE api_keys.supplier_id = @supplier_id
            AND environment = 'acceptance' AND revoked_at IS NULL) AS acceptance_key;

-- name: UserSetPassword :exec
UPDATE users SET password_hash = @password_hash, updated_at = now() WHERE id = @id;

-- name: UserSetActive :one
UPDATE users SET active = @active, updated_at = now() WHERE id = @id RETURNING *;

-- name: UserSetRole :one
UPDATE users SET role = @role, supplier_id = sqlc.narg('supplier_id'), updated_at = now()
WHERE id = @id RETURNING *;

-- name: UserTouchLogin :exec
UPDATE users SET previous_login_at = last_login_at, last_login_at = now() WHERE id = @id;
