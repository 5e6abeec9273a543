-- name: CustomAPIReviewCreate :one
INSERT INTO custom_api_reviews (application_id, base_url, credentials, key_id, submitted_by)
VALUES (@application_id, @base_url, @credentials, @key_id, @submitted_by)
RETURNING *;

-- name: CustomAPIReviewList :many
SELECT * FROM custom_api_reviews WHERE application_id = @application_id ORDER BY id;

-- name: CustomAPIReviewGetForUpdate :one
SELECT * FROM custom_api_reviews WHERE id = @id FOR UPDATE;

-- name: CustomAPIReviewDecide :one
UPDATE custom_api_reviews SET outcome = @outcome, findings = @findings, reviewed_at = now(), reviewed_by = @reviewed_by
WHERE id = @id AND outcome IS NULL
RETURNING *;
