-- Files attached to an outbox mail, such as the .ics invitation of an
-- integration test (RFC 5545). A JSON array of objects
-- {"filename", "content_type", "data"}, data base64-encoded; the delivery
-- job attaches them to the message it sends.

-- +goose Up
ALTER TABLE mail_outbox ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE mail_outbox DROP COLUMN attachments;
