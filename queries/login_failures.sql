-- name: LoginFailureAdd :exec
INSERT INTO login_failures (email, ip) VALUES (@email, @ip);

-- name: LoginFailureCounts :one
-- Failures since a moment, per account and per client address, and the most
-- recent of each, so throttling can say until when it blocks.
SELECT
    (SELECT count(*) FROM login_failures f WHERE f.email = @email AND f.at > @since)::bigint AS email_failures,
    coalesce((SELECT max(f.at) FROM login_failures f WHERE f.email = @email AND f.at > @since), 'epoch')::timestamptz AS email_last,
    (SELECT count(*) FROM login_failures f WHERE f.ip = @ip AND f.at > @since)::bigint AS ip_failures,
    coalesce((SELECT max(f.at) FROM login_failures f WHERE f.ip = @ip AND f.at > @since), 'epoch')::timestamptz AS ip_last;

-- name: LoginFailureClearEmail :exec
DELETE FROM login_failures WHERE email = @email;

-- name: LoginFailurePrune :execrows
DELETE FROM login_failures WHERE at < @before;

-- name: LoginAttemptLock :exec
-- Serialises attempts on one account and one client address until the
-- transaction ends, so that parallel guesses cannot all pass the count.
-- Always account first, then address: no two attempts wait on each other
-- in a cycle.
SELECT pg_advisory_xact_lock(hashtext('login:' || @email::text)),
       pg_advisory_xact_lock(hashtext('login-ip:' || @ip::text));
