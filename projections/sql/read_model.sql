-- The reads the entry points run on the projections (projections/read_model.py): the HTTP
-- routes and the documents ask for these by name and never write SQL of their own.

-- name: tracked_position
-- The log position the projections hold, as recorded for an application (no row: nothing folded yet).
SELECT notification_id FROM tracking WHERE application_name = ?

-- name: partner_name
-- A registered partner's name.
SELECT name FROM partners WHERE partner_id = ?

-- name: resource_name
-- A registered resource's current name.
SELECT name FROM resources WHERE resource_id = ?

-- name: resource_names
-- The current names of a list of resources.
SELECT resource_id, name FROM resources WHERE list_contains(?, resource_id)

-- name: resource_names_at
-- The names of a list of resources as they stood at a log position.
SELECT resource_id, name FROM resources_at(?) WHERE list_contains(?, resource_id)

-- name: partner_seal
-- A month's seal if it was closed by a position, with the partner's statement number.
SELECT p.as_of_position, p.position, p.statements_sha256, p.chain_hash, n.number
FROM periods p LEFT JOIN statement_numbers n ON n.month = p.month AND n.partner_id = ?
WHERE p.month = ? AND p.position <= ?

-- name: partner_lines
-- A partner's statement lines of a month as they stand now (shares, adjustments, credits).
SELECT month, partner_id, resource_id, line_kind, part, method, basis_kind, key_version, basis, total_basis,
       ratio, amount_cents, origin_month, dispute_id FROM statement_lines
WHERE partner_id = ? AND month = ?

-- name: partner_dispute_statuses
-- The status of each dispute a partner opened on a month's lines by a position, oldest first.
SELECT resource_id, line_kind, part, status FROM disputes WHERE partner_id = ? AND month = ?
AND opened_position <= ? ORDER BY opened_position

-- name: partner_disputes
-- The disputes a partner opened on a month's lines by a position, with their answers, oldest first.
SELECT dispute_id, resource_id, line_kind, part, reason, status, resolution_reason FROM disputes
WHERE partner_id = ? AND month = ? AND opened_position <= ? ORDER BY opened_position, dispute_id

-- name: dispute_credits
-- The credits granted on a list of disputes by a position, in the order they were granted.
SELECT dispute_id, amount_cents, credited_month FROM credits
WHERE list_contains(?, dispute_id) AND position <= ? ORDER BY position

-- name: period_closed_at
-- When a month was closed.
SELECT closed_at FROM periods WHERE month = ?

-- name: closed_months
-- Every closed month, every column of its seal, in order.
SELECT * FROM periods ORDER BY month

-- name: disputes
-- The disputes, each filter optional (NULL: any), in the order they were opened.
SELECT * EXCLUDE (corrected_entries) FROM disputes WHERE (? IS NULL OR partner_id = ?)
AND (? IS NULL OR month = ?) AND (? IS NULL OR status = ?) ORDER BY opened_position

-- name: cost_shares
-- The lines of a month's pool splits as they stand now, for one resource or (NULL) all.
SELECT month, resource_id, partner_id, line_kind, part, method, basis_kind, key_version,
       basis, total_basis, ratio, amount_cents, pool_cents
FROM cost_shares WHERE month = ? AND (? IS NULL OR resource_id = ?)

-- name: line_trace
-- The events behind a partner's lines of a pool in a month (one part or, NULL, all), as they stand now.
SELECT t.source, t.entry_id, t.position, e.event_type, e.actor, e.recorded_at,
       CAST(e.payload AS VARCHAR) FROM charge_trace t JOIN events e USING (position)
WHERE t.month = ? AND t.resource_id = ? AND t.partner_id = ? AND (? IS NULL OR t.part = ?)

-- name: audit_events
-- A page of the event log after a position and up to another, each filter optional (NULL: any);
-- one row more than the limit asked tells whether another page follows.
SELECT position, recorded_at, event_type, aggregate_id, aggregate_version, actor,
       CAST(payload AS VARCHAR) FROM events
WHERE position > $after AND position <= $upto
AND ($aggregate IS NULL OR aggregate_id = $aggregate)
AND ($type IS NULL OR event_type = $type) AND ($actor IS NULL OR actor = $actor)
AND ($since IS NULL OR recorded_at >= $since) AND ($until IS NULL OR recorded_at < $until)
ORDER BY position LIMIT $limit

-- name: partner_names
-- Every registered partner's id and name, by name (the choices of a form).
SELECT partner_id, name FROM partners ORDER BY name, partner_id
