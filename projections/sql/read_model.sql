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

-- name: partner_directory
-- Every registered partner with its memberships in order, and its status on a day ($on):
-- member (a membership covers it), joining (one starts later), left (all ended before it).
SELECT p.partner_id, p.name, p.kind,
       coalesce(list({'first_day': m.first_day, 'last_day': m.last_day} ORDER BY m.first_day)
                FILTER (WHERE m.first_day IS NOT NULL), []) AS memberships,
       CASE WHEN bool_or(m.first_day <= $on AND (m.last_day IS NULL OR m.last_day >= $on)) THEN 'member'
            WHEN bool_or(m.first_day > $on) THEN 'joining'
            ELSE 'left' END AS status
FROM partners p LEFT JOIN memberships m USING (partner_id)
GROUP BY p.partner_id, p.name, p.kind ORDER BY p.partner_id

-- name: resource_directory
-- Every registered resource as it stands now, by id.
SELECT resource_id, name, kind, unit, capacity, retired_on FROM resources ORDER BY resource_id

-- name: key_versions
-- Every allocation key version, by resource then month it applies from; `replaced_by` is a
-- later version set for the same month, which is the one that applies.
SELECT resource_id, key_version, applies_from, method, CAST(key AS VARCHAR) AS key, position,
       lead(key_version) OVER (PARTITION BY resource_id, applies_from ORDER BY key_version) AS replaced_by
FROM allocation_keys ORDER BY resource_id, applies_from, key_version

-- name: months
-- Every month the ledger holds something for (a cost, usage, a share, a credit, an adjustment
-- or a seal), in order: its costs as they stand now, its seal if it is closed, how many
-- statements were numbered, and the open disputes on it (of partner $partner, or all: NULL),
-- with that partner's statement number.
WITH known AS (
    SELECT month FROM costs UNION SELECT month FROM usage UNION SELECT month FROM cost_shares
    UNION SELECT month FROM periods UNION SELECT credited_month FROM credits
    UNION SELECT booked_month FROM adjustments
), month_costs AS (
    SELECT month, sum(amount_cents) FILTER (WHERE status = 'open')::BIGINT AS costs_cents FROM costs GROUP BY month
), numbered AS (
    SELECT month, count(*) AS statements,
           max(number) FILTER (WHERE partner_id = $partner) AS statement_number
    FROM statement_numbers GROUP BY month
), open_disputes AS (
    SELECT month, count(*) AS open_disputes FROM disputes
    WHERE status = 'open' AND ($partner IS NULL OR partner_id = $partner) GROUP BY month
)
SELECT k.month, coalesce(c.costs_cents, 0) AS costs_cents, coalesce(n.statements, 0) AS statements,
       n.statement_number, coalesce(d.open_disputes, 0) AS open_disputes,
       p.position AS seal_position, p.as_of_position, p.statements_sha256, p.chain_hash, p.closed_at,
       p.actor AS closed_by
FROM known k LEFT JOIN month_costs c USING (month) LEFT JOIN numbered n USING (month)
LEFT JOIN open_disputes d USING (month) LEFT JOIN periods p USING (month)
ORDER BY k.month

-- The partner's pages (api/pages/partner*.py, booking.py) ---------------------------------

-- name: partner_statement_months
-- A partner's months (those it has lines in, and every closed month): closed or not, its
-- statement number, its total and its open disputes. A closed month's total is as issued:
-- its lines now less the adjustments that later events booked from it into later months.
-- The lines are those of `statement_lines` (shares, adjustments booked, credits), read from
-- its tables: the view's dispute marks are not needed for a total.
-- One pass over the partner's rows, then two joins: a query of many joins costs more to plan
-- than to run on tables this size.
WITH partner_rows AS (
    SELECT month, amount_cents AS cents, 1 AS line, 0 AS late, 0 AS open FROM cost_shares
    WHERE partner_id = $partner
    UNION ALL SELECT booked_month, amount_cents, 1, 0, 0 FROM adjustments WHERE partner_id = $partner
    UNION ALL SELECT credited_month, -amount_cents, 1, 0, 0 FROM credits WHERE partner_id = $partner
    UNION ALL SELECT origin_month, 0, 0, amount_cents, 0 FROM adjustments WHERE partner_id = $partner
    UNION ALL SELECT month, 0, 0, 0, 1 FROM disputes WHERE partner_id = $partner AND status = 'open'
    UNION ALL SELECT month, 0, 0, 0, 0 FROM periods
), by_month AS (
    SELECT month, sum(cents) AS cents, sum(line) AS line_count, sum(late) AS late, sum(open) AS open
    FROM partner_rows GROUP BY month
)
SELECT b.month, p.month IS NOT NULL AS closed, p.closed_at, n.number,
       (b.cents - CASE WHEN p.month IS NULL THEN 0 ELSE b.late END)::BIGINT AS total_cents,
       b.line_count::BIGINT AS line_count, b.open::BIGINT AS open_disputes
FROM by_month b LEFT JOIN periods p USING (month)
LEFT JOIN statement_numbers n ON n.month = b.month AND n.partner_id = $partner
ORDER BY b.month DESC

-- name: partner_charges_by_resource
-- A partner's charges of each month from $first to $last by resource (its lines of the
-- month: shares, adjustments booked into it, credits), a closed month's as issued.
WITH partner_lines AS (
    SELECT month, resource_id, amount_cents FROM cost_shares
    WHERE partner_id = $partner AND month BETWEEN $first AND $last
    UNION ALL SELECT booked_month, resource_id, amount_cents FROM adjustments
    WHERE partner_id = $partner AND booked_month BETWEEN $first AND $last
    UNION ALL SELECT credited_month, resource_id, -amount_cents FROM credits
    WHERE partner_id = $partner AND credited_month BETWEEN $first AND $last
    -- A closed month as issued: less what later events booked from it into later months.
    UNION ALL SELECT a.origin_month, a.resource_id, -a.amount_cents FROM adjustments a
    JOIN periods p ON p.month = a.origin_month
    WHERE a.partner_id = $partner AND a.origin_month BETWEEN $first AND $last
)
SELECT month, resource_id, r.name AS resource_name, r.kind AS resource_kind, sum(amount_cents)::BIGINT AS amount_cents
FROM partner_lines JOIN resources r USING (resource_id)
GROUP BY ALL ORDER BY month, resource_id

-- name: pool_costs_at
-- The costs of a month's pools of a list of resources in force at a position (the
-- invoices a pool's cost is the sum of), in the order recorded.
SELECT resource_id, entry_id, amount_cents, category, document_ref FROM costs_at($p)
WHERE month = $month AND list_contains($resources, resource_id) AND status = 'open'
ORDER BY resource_id, recorded_position, entry_id

-- name: resource_details
-- The kind, unit and capacity of a list of resources, as they stand.
SELECT resource_id, name, kind, unit, capacity FROM resources WHERE list_contains(?, resource_id)

-- name: keys_of_resources
-- The allocation key versions of a list of resources (the key as JSON text).
SELECT resource_id, key_version, applies_from, method, CAST(key AS VARCHAR) AS key FROM allocation_keys
WHERE list_contains(?, resource_id) ORDER BY resource_id, key_version

-- name: bookable_resources
-- The resources booked by the hour not retired before a day: rooms first, then equipment and services.
SELECT resource_id, name, kind, capacity FROM resources
WHERE kind IN ('premises', 'equipment', 'service') AND unit = 'hour'
  AND (retired_on IS NULL OR retired_on > ?)
ORDER BY CASE kind WHEN 'premises' THEN 0 WHEN 'equipment' THEN 1 ELSE 2 END, name, resource_id

-- name: resource_bookings
-- The open bookings of a resource that overlap an interval, in order of start.
SELECT entry_id, partner_id, starts_at, ends_at FROM usage
WHERE usage_kind = 'booking' AND status = 'open' AND resource_id = ? AND starts_at < ? AND ends_at > ?
ORDER BY starts_at, entry_id

-- name: partner_dispute_list
-- A partner's disputes, latest first, with when each was opened and resolved.
SELECT d.* EXCLUDE (corrected_entries), o.recorded_at AS opened_at, r.recorded_at AS resolved_at
FROM disputes d
LEFT JOIN events o ON o.position = d.opened_position
LEFT JOIN events r ON r.position = d.resolved_position
WHERE d.partner_id = ? ORDER BY d.opened_position DESC

-- name: dispute_timeline
-- The events of a dispute (opening, comments, resolution, credit), in log order.
SELECT e.position, e.event_type, e.actor, e.recorded_at, CAST(e.payload AS VARCHAR)
FROM dispute_events d JOIN events e USING (position) WHERE d.dispute_id = ? ORDER BY e.position
