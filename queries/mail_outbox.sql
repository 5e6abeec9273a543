-- name: MailOutboxAdd :one
INSERT INTO mail_outbox (to_addr, subject, body_text, status)
VALUES (@to_addr, @subject, @body_text, @status)
RETURNING *;

-- name: MailOutboxGet :one
SELECT * FROM mail_outbox WHERE id = @id;

-- name: MailOutboxList :many
SELECT * FROM mail_outbox ORDER BY id DESC LIMIT @max_rows;

-- name: MailOutboxMarkSent :exec
UPDATE mail_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = ''
WHERE id = @id;

-- name: MailOutboxMarkAttempt :exec
UPDATE mail_outbox SET attempts = attempts + 1, last_error = @last_error, status = @status
WHERE id = @id;

-- name: MailOutboxSetBody :exec
UPDATE mail_outbox SET body_text = @body_text WHERE id = @id;
