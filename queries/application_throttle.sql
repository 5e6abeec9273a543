-- name: ApplicationCountByClientIP :one
-- How many applications one client address submitted since a moment, for
-- the public form's rate limit.
SELECT count(*)::bigint FROM applications WHERE client_ip = @client_ip AND created_at > @since;
