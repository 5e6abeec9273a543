-- name: MailOutboxAddWithAttachments :one
INSERT INTO mail_outbox (to_addr, subject, body_text, status, attachments)
VALUES (@to_addr, @subject, @body_text, @status, @attachments)
RETURNING id;

-- name: MailOutboxAttachmentsGet :one
SELECT attachments FROM mail_outbox WHERE id = @id;

-- name: MailOutboxAttachmentNames :many
-- The file names attached to each of the given mails, for the outbox list.
SELECT mail_outbox.id, (att.value ->> 'filename')::text AS filename
FROM mail_outbox CROSS JOIN LATERAL jsonb_array_elements(mail_outbox.attachments) WITH ORDINALITY AS att (value, n)
WHERE mail_outbox.id = ANY(@ids::bigint[])
ORDER BY mail_outbox.id, att.n;
