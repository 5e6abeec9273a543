-- name: ApplicationCreate :one
INSERT INTO applications (company_name, kvk, vat_id, iban, contact_name, email, phone, website, platform,
                          terms_accepted_at, client_ip)
VALUES (@company_name, @kvk, @vat_id, @iban, @contact_name, @email, @phone, @website, @platform, now(), @client_ip)
RETURNING *;

-- name: ApplicationGet :one
SELECT * FROM applications WHERE id = @id;

-- name: ApplicationGetForUpdate :one
-- Locks the row so that two decisions on one application serialise.
SELECT * FROM applications WHERE id = @id FOR UPDATE;

-- name: ApplicationGetBySupplier :one
SELECT * FROM applications WHERE supplier_id = @supplier_id;

-- name: ApplicationGetByKvK :one
SELECT * FROM applications WHERE kvk = @kvk;

-- name: ApplicationList :many
SELECT applications.*, coalesce(suppliers.name, '')::text AS supplier_name
FROM applications
LEFT JOIN suppliers ON suppliers.id = applications.supplier_id
WHERE (sqlc.narg('state')::text IS NULL OR applications.state = sqlc.narg('state'))
ORDER BY applications.created_at, applications.id;

-- name: ApplicationSetState :one
UPDATE applications SET state = @state, state_changed_at = now(), decision_reason = @decision_reason
WHERE id = @id RETURNING *;

-- name: ApplicationSetAdmitted :one
UPDATE applications SET supplier_id = @supplier_id, admitted_at = now() WHERE id = @id RETURNING *;

-- name: ApplicationSetChecklist :exec
UPDATE applications SET checklist = @checklist WHERE id = @id;

-- name: ApplicationSetAlternative :exec
UPDATE applications SET alternative_reason = @alternative_reason WHERE id = @id;

-- name: ApplicationSetAPISubmitted :exec
UPDATE applications SET api_submitted_at = coalesce(api_submitted_at, now()) WHERE id = @id;

-- name: AdmissionTransitionAdd :exec
INSERT INTO admission_transitions (application_id, from_state, to_state, actor_id, actor_email, reason)
VALUES (@application_id, @from_state, @to_state, sqlc.narg('actor_id'), @actor_email, @reason);

-- name: AdmissionTransitionList :many
SELECT * FROM admission_transitions WHERE application_id = @application_id ORDER BY id;

-- name: AdmissionRequirementList :many
SELECT * FROM admission_requirements WHERE active OR NOT @only_active::boolean ORDER BY position, id;

-- name: AdmissionRequirementAdd :one
INSERT INTO admission_requirements (label, position)
VALUES (@label, (SELECT coalesce(max(position), 0) + 10 FROM admission_requirements))
RETURNING *;

-- name: AdmissionRequirementSetActive :exec
UPDATE admission_requirements SET active = @active WHERE id = @id;

-- name: ApplicationHomeBySupplier :one
-- The supplier start page in one trip: its application with the team size
-- and whether a live acceptance key exists.
SELECT sqlc.embed(applications),
    (SELECT count(*) FROM users WHERE users.supplier_id = applications.supplier_id)::int AS team_size,
    EXISTS (SELECT 1 FROM api_keys WHERE api_keys.supplier_id = applications.supplier_id
            AND environment = 'acceptance' AND revoked_at IS NULL) AS acceptance_key
FROM applications
WHERE applications.supplier_id = @supplier_id;
