-- Reads of hour sheets beyond the month's list (projections/hour_sheets.py).

-- name: sheet_hours_at
-- What one employee's sheet for one member and month covers at position $p (no row: no hours).
SELECT hours, entries, entries_sha256 FROM sheet_hours_at($p)
WHERE employee_id = $employee AND partner_id = $partner AND month = $month

-- name: sheet_at
-- One sheet as it stood at position $p, with the position its hours were read at.
SELECT s.*, CAST(e.payload->>'as_of_position' AS BIGINT) AS as_of_position
FROM hour_sheets_at($p) s JOIN events e ON e.position = s.submitted_position
WHERE s.sheet_id = $sheet

-- name: submitted_entries
-- The entries of the submission at position $submitted, as they stood when its hours were read.
SELECT u.entry_id, u.happened_on, u.quantity, u.starts_at, u.ends_at
FROM events e, usage_at(CAST(e.payload->>'as_of_position' AS BIGINT)) u
WHERE e.position = $submitted AND list_contains(CAST(e.payload->'entries' AS VARCHAR[]), u.entry_id)
ORDER BY u.happened_on, u.starts_at NULLS FIRST, u.entry_id

-- name: staff_hour_months
-- The months with staff hours or an hour sheet (of one partner, one employee, or all when NULL), latest first.
SELECT DISTINCT month FROM (
    SELECT month, partner_id, resource_id AS employee_id FROM usage WHERE usage_kind = 'staff_hours'
    UNION ALL SELECT month, partner_id, employee_id FROM hour_sheets
) WHERE ($partner IS NULL OR partner_id = $partner) AND ($employee IS NULL OR employee_id = $employee)
ORDER BY month DESC

-- name: sheet_entries_at
-- The entries one employee's sheet for one member and month covers at position $p (what sheet_hours_at sums).
SELECT entry_id, happened_on, quantity, starts_at, ends_at FROM usage_at($p)
WHERE usage_kind = 'staff_hours' AND status = 'open'
  AND resource_id = $employee AND partner_id = $partner AND month = $month
ORDER BY happened_on, starts_at NULLS FIRST, entry_id
