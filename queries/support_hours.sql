-- name: TimeEntryCreate :one
INSERT INTO time_entries (supplier_id, staff_id, entry_date, minutes, category, description)
VALUES (@supplier_id, @staff_id, @entry_date, @minutes, @category, @description)
RETURNING *;

-- name: TimeEntryGet :one
SELECT * FROM time_entries WHERE id = @id;

-- name: TimeEntryGetForUpdate :one
SELECT * FROM time_entries WHERE id = @id FOR UPDATE;

-- name: TimeEntryUpdate :one
UPDATE time_entries
SET entry_date = @entry_date, minutes = @minutes, category = @category, description = @description, updated_at = now()
WHERE id = @id
RETURNING *;

-- name: TimeEntryDelete :exec
DELETE FROM time_entries WHERE id = @id;

-- name: TimeEntryListForSupplier :many
SELECT e.*, u.name AS staff_name, u.email AS staff_email
FROM time_entries e JOIN users u ON u.id = e.staff_id
WHERE e.supplier_id = @supplier_id
ORDER BY e.entry_date, e.id;

-- name: TimeEntryListAll :many
SELECT * FROM time_entries ORDER BY supplier_id, entry_date, id;

-- name: TimeEntryRecentByStaff :many
SELECT e.*, s.name AS supplier_name
FROM time_entries e JOIN suppliers s ON s.id = e.supplier_id
WHERE e.staff_id = @staff_id
ORDER BY e.entry_date DESC, e.id DESC
LIMIT @max;

-- name: SupportAllowanceGet :one
SELECT * FROM support_allowances WHERE supplier_id = @supplier_id;

-- name: SupportAllowanceList :many
SELECT * FROM support_allowances;

-- name: SupportAllowanceSet :exec
INSERT INTO support_allowances (supplier_id, minutes, reason, changed_by, changed_at)
VALUES (@supplier_id, @minutes, @reason, @changed_by, now())
ON CONFLICT (supplier_id) DO UPDATE
SET minutes = EXCLUDED.minutes, reason = EXCLUDED.reason, changed_by = EXCLUDED.changed_by, changed_at = now();

-- name: ClosedMonthExists :one
SELECT EXISTS (SELECT 1 FROM closed_months WHERE month = @month)::boolean;

-- name: ClosedMonthAdd :execrows
INSERT INTO closed_months (month, closed_by) VALUES (@month, @closed_by) ON CONFLICT (month) DO NOTHING;

-- name: ClosedMonthList :many
SELECT * FROM closed_months ORDER BY month DESC;

-- name: ClosedMonthLock :exec
SELECT pg_advisory_xact_lock(7311006);
