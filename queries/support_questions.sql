-- name: SupportQuestionAdd :one
INSERT INTO support_questions (supplier_id, asked_by, subject, received_at, due_at)
VALUES (@supplier_id, @asked_by, @subject, @received_at, @due_at)
RETURNING *;

-- name: SupportQuestionRecentDuplicate :one
-- The same user asking the identical subject and text within a minute: a
-- double submit. Locks the asking user's row to serialise concurrent posts.
SELECT q.id FROM support_questions q
JOIN support_messages m ON m.question_id = q.id
WHERE q.asked_by = @asked_by AND q.subject = @subject AND m.body = @body
  AND q.received_at > now() - interval '1 minute'
ORDER BY q.id DESC LIMIT 1;

-- name: SupportQuestionLockAsker :exec
SELECT id FROM users WHERE id = @id FOR UPDATE;

-- name: SupportQuestionGet :one
SELECT q.*, u.email AS asker_email, u.name AS asker_name, s.name AS supplier_name
FROM support_questions q
JOIN users u ON u.id = q.asked_by
JOIN suppliers s ON s.id = q.supplier_id
WHERE q.id = @id;

-- name: SupportQuestionGetForUpdate :one
SELECT * FROM support_questions WHERE id = @id FOR UPDATE;

-- name: SupportQuestionListBySupplier :many
SELECT q.*, u.email AS asker_email, u.name AS asker_name, s.name AS supplier_name
FROM support_questions q
JOIN users u ON u.id = q.asked_by
JOIN suppliers s ON s.id = q.supplier_id
WHERE q.supplier_id = @supplier_id
ORDER BY q.received_at DESC, q.id DESC;

-- name: SupportQuestionQueue :many
-- Open first, then by due date.
SELECT q.*, u.email AS asker_email, u.name AS asker_name, s.name AS supplier_name
FROM support_questions q
JOIN users u ON u.id = q.asked_by
JOIN suppliers s ON s.id = q.supplier_id
WHERE (sqlc.narg('status')::text IS NULL OR q.status = sqlc.narg('status'))
ORDER BY (q.status = 'open') DESC, q.due_at, q.id
LIMIT 500;

-- name: SupportQuestionSetStatus :exec
UPDATE support_questions
SET status = @status, closed_reason = @closed_reason, answered_at = sqlc.narg('answered_at'), updated_at = now()
WHERE id = @id;

-- name: SupportMessageAdd :one
INSERT INTO support_messages (question_id, author_id, body, from_staff)
VALUES (@question_id, @author_id, @body, @from_staff)
RETURNING *;

-- name: SupportMessageList :many
SELECT m.*, u.name AS author_name, u.email AS author_email
FROM support_messages m
JOIN users u ON u.id = m.author_id
WHERE m.question_id = @question_id
ORDER BY m.created_at, m.id;
