-- name: UserTokenCreate :exec
INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at)
VALUES (@token_hash, @user_id, @purpose, @expires_at);

-- name: UserTokenConsume :one
-- Marks a valid token used and returns it; an expired, used or unknown token
-- returns no row. The UPDATE makes single use hold under concurrency.
UPDATE user_tokens SET used_at = now()
WHERE token_hash = @token_hash AND purpose = @purpose
  AND used_at IS NULL AND expires_at > now()
RETURNING *;

-- name: UserTokenGetValid :one
SELECT * FROM user_tokens
WHERE token_hash = @token_hash AND purpose = @purpose
  AND used_at IS NULL AND expires_at > now();

-- name: UserTokenRevokeForUser :exec
UPDATE user_tokens SET used_at = now()
WHERE user_id = @user_id AND purpose = @purpose AND used_at IS NULL;
