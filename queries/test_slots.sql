-- name: TestSlotCreate :one
INSERT INTO test_slots (starts_at, duration_min, staff_id) VALUES (@starts_at, @duration_min, @staff_id) RETURNING *;

-- name: TestSlotGet :one
SELECT * FROM test_slots WHERE id = @id;

-- name: TestSlotGetForShare :one
-- Locks the slot against withdrawal while a booking of it commits; bookings
-- of the same slot do not wait for each other here (the unique index
-- decides between them).
SELECT * FROM test_slots WHERE id = @id FOR SHARE;

-- name: TestSlotGetForUpdate :one
SELECT * FROM test_slots WHERE id = @id FOR UPDATE;

-- name: TestSlotWithdraw :exec
UPDATE test_slots SET withdrawn_at = now() WHERE id = @id AND withdrawn_at IS NULL;

-- name: TestSlotList :many
-- Slots from a moment on with their live booking, if any.
SELECT test_slots.*, users.name AS staff_name, users.email AS staff_email,
       b.id AS booking_id, b.application_id AS booking_application_id, coalesce(a.company_name, '')::text AS booked_by_company
FROM test_slots
JOIN users ON users.id = test_slots.staff_id
LEFT JOIN test_bookings b ON b.slot_id = test_slots.id AND b.cancelled_at IS NULL
LEFT JOIN applications a ON a.id = b.application_id
WHERE test_slots.starts_at >= @starts_from
ORDER BY test_slots.starts_at, test_slots.id;

-- name: TestBookingCreate :one
INSERT INTO test_bookings (slot_id, application_id, booked_by) VALUES (@slot_id, @application_id, @booked_by) RETURNING *;

-- name: TestBookingGet :one
SELECT * FROM test_bookings WHERE id = @id;

-- name: TestBookingLiveForApplication :one
SELECT * FROM test_bookings WHERE application_id = @application_id AND cancelled_at IS NULL AND outcome IS NULL;

-- name: TestBookingListForApplication :many
SELECT test_bookings.*, test_slots.starts_at, test_slots.duration_min
FROM test_bookings JOIN test_slots ON test_slots.id = test_bookings.slot_id
WHERE application_id = @application_id ORDER BY test_bookings.id DESC;

-- name: TestBookingCancel :one
-- The sequence is bumped so the cancellation supersedes the invitation in
-- the attendee's calendar (RFC 5546).
UPDATE test_bookings SET cancelled_at = now(), ics_sequence = ics_sequence + 1
WHERE id = @id AND cancelled_at IS NULL AND outcome IS NULL
RETURNING *;

-- name: TestBookingMove :one
UPDATE test_bookings SET slot_id = @slot_id, ics_sequence = ics_sequence + 1
WHERE id = @id AND cancelled_at IS NULL AND outcome IS NULL
RETURNING *;

-- name: TestBookingDecide :one
UPDATE test_bookings SET outcome = @outcome, findings = @findings, decided_at = now(), decided_by = @decided_by
WHERE id = @id AND cancelled_at IS NULL AND outcome IS NULL
RETURNING *;

-- name: TestCaseResultSet :exec
INSERT INTO test_case_results (booking_id, test_case, variant, passed, note)
VALUES (@booking_id, @test_case, @variant, @passed, @note)
ON CONFLICT (booking_id, test_case, variant) DO UPDATE SET passed = excluded.passed, note = excluded.note;

-- name: TestCaseResultList :many
SELECT * FROM test_case_results WHERE booking_id = @booking_id ORDER BY test_case, variant;

-- name: TestBookingGetForUpdate :one
SELECT * FROM test_bookings WHERE id = @id FOR UPDATE;

-- name: TestBookingLiveForSlot :one
SELECT * FROM test_bookings WHERE slot_id = @slot_id AND cancelled_at IS NULL;

-- name: TestBookingDetail :one
-- A booking with its slot, the staff member who runs it and the applicant.
SELECT sqlc.embed(test_bookings), sqlc.embed(test_slots),
       users.name AS staff_name, users.email AS staff_email,
       applications.company_name, applications.contact_name, applications.email AS contact_email,
       applications.state AS application_state, applications.supplier_id
FROM test_bookings
JOIN test_slots ON test_slots.id = test_bookings.slot_id
JOIN users ON users.id = test_slots.staff_id
JOIN applications ON applications.id = test_bookings.application_id
WHERE test_bookings.id = @id;

-- name: TestBookingCancelLiveForApplication :execrows
UPDATE test_bookings SET cancelled_at = now(), ics_sequence = ics_sequence + 1
WHERE application_id = @application_id AND cancelled_at IS NULL AND outcome IS NULL;
