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

-- name: UserSetPassword :exec
UPDATE users SET password_hash = @password_hash, updated_at = now() WHERE id = @id;

-- name: UserSetActive :one
UPDATE users SET active = @active, updated_at = now() WHERE id = @id RETURNING *;

-- name: UserSetRole :one
UPDATE users SET role = @role, supplier_id = sqlc.narg('supplier_id'), updated_at = now()
WHERE id = @id RETURNING *;

-- name: UserTouchLogin :exec
UPDATE users SET previous_login_at = last_login_at, last_login_at = now() WHERE id = @id;
