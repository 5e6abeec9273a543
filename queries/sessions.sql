-- name: SessionCreate :exec
INSERT INTO sessions (token_hash, user_id, expires_at, ip, user_agent)
VALUES (@token_hash, @user_id, @expires_at, @ip, @user_agent);

-- name: SessionGetWithUser :one
-- The session, its user, and for supplier users the organisation's name and
-- platform, in one round trip: every authenticated request runs this.
SELECT sqlc.embed(sessions), sqlc.embed(users),
       coalesce(suppliers.name, '')::text AS supplier_name,
       coalesce(applications.platform, '')::text AS supplier_platform
FROM sessions
JOIN users ON users.id = sessions.user_id
LEFT JOIN suppliers ON suppliers.id = users.supplier_id
LEFT JOIN applications ON applications.supplier_id = users.supplier_id
WHERE sessions.token_hash = @token_hash;

-- name: SessionTouch :exec
UPDATE sessions SET last_seen_at = now() WHERE token_hash = @token_hash;

-- name: SessionDelete :exec
DELETE FROM sessions WHERE token_hash = @token_hash;

-- name: SessionDeleteForUser :execrows
DELETE FROM sessions WHERE user_id = @user_id;

-- name: SessionDeleteExpired :execrows
DELETE FROM sessions WHERE expires_at < now() OR last_seen_at < @idle_before;

-- name: SessionCountForUser :one
SELECT count(*) FROM sessions WHERE user_id = @user_id;
