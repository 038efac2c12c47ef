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
-- A page of the event log: the events after $after and before $before, up to $upto, oldest
-- first or ($newest_first) newest first, each filter optional (NULL: any): aggregate, type,
-- actor, recording time, and the partner or the resource the event concerns (an event that
-- changed its rows: a correction of a partner's booking is that partner's, and the
-- booked room's). One row more than the limit asked tells whether another page
-- follows; each row carries the number of events matching the filters, on every page.
WITH partner_events AS (
    -- A partner's events are those that changed its rows: its membership, its usage entries
    -- (recorded, corrected, voided, cancelled), its disputes and their credits.
    SELECT valid_from AS position FROM membership_versions WHERE partner_id = $partner
    UNION ALL SELECT valid_from FROM usage_versions WHERE partner_id = $partner
    UNION ALL SELECT e.position FROM disputes JOIN dispute_events e USING (dispute_id) WHERE partner_id = $partner
),
resource_events AS (
    -- A resource's events likewise: its registration and retirement, its keys, its costs,
    -- its usage entries, its disputes and their credits.
    SELECT valid_from AS position FROM resource_versions WHERE resource_id = $resource
    UNION ALL SELECT position FROM allocation_keys WHERE resource_id = $resource
    UNION ALL SELECT valid_from FROM cost_versions WHERE resource_id = $resource
    UNION ALL SELECT valid_from FROM usage_versions WHERE resource_id = $resource
    UNION ALL SELECT e.position FROM disputes JOIN dispute_events e USING (dispute_id) WHERE resource_id = $resource
),
-- Not materialized: the page's top-N then reads `events` itself, which is faster than
-- sorting a copy of every matching position.
matching AS NOT MATERIALIZED (
    SELECT position FROM events
    WHERE position <= $upto
    AND ($aggregate IS NULL OR aggregate_id = $aggregate)
    AND ($type IS NULL OR event_type = $type) AND ($actor IS NULL OR actor = $actor)
    AND ($since IS NULL OR recorded_at >= $since) AND ($until IS NULL OR recorded_at < $until)
    AND ($partner IS NULL OR position IN (SELECT position FROM partner_events))
    AND ($resource IS NULL OR position IN (SELECT position FROM resource_events))
),
-- Two sorts, one of them empty: ORDER BY over an expression of $newest_first would sort
-- every matching row.
page AS (
    (SELECT position FROM matching
     WHERE $newest_first AND position > $after AND ($before IS NULL OR position < $before)
     ORDER BY position DESC LIMIT $limit)
    UNION ALL
    (SELECT position FROM matching
     WHERE NOT $newest_first AND position > $after AND ($before IS NULL OR position < $before)
     ORDER BY position LIMIT $limit)
)
-- The count comes on a row of its own (position NULL) when the page is empty.
SELECT e.position, e.recorded_at, e.event_type, e.aggregate_id, e.aggregate_version, e.actor,
       CAST(e.payload AS VARCHAR), c.matching
FROM (SELECT count(*) AS matching FROM matching) c
LEFT JOIN (SELECT * FROM page JOIN events USING (position)) e ON true
ORDER BY CASE WHEN $newest_first THEN -e.position ELSE e.position END

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

-- The auditor's and the analyst's pages (api/pages/audit*.py, analysis.py) ------------------

-- name: resource_choices
-- Every registered resource's id and current name, by name (the choices of a form).
SELECT resource_id, name FROM resources ORDER BY name, resource_id

-- name: event_actors
-- Everyone who recorded an event up to $upto, by name (the choices of a form).
SELECT DISTINCT actor FROM events WHERE position <= $upto ORDER BY actor

-- name: person_names
-- The name each person was (last) invited under, by the person's aggregate id, for the
-- persons among $ids (people fill no table: their invitations are read from `events`).
SELECT aggregate_id, arg_max(payload->>'name', position) AS name FROM events
WHERE event_type = 'PersonInvited' AND list_contains($ids, CAST(aggregate_id AS VARCHAR))
GROUP BY aggregate_id

-- name: events_at
-- The events at the positions $positions, in log order.
SELECT position, recorded_at, event_type, aggregate_id, aggregate_version, actor, CAST(payload AS VARCHAR)
FROM events WHERE list_contains($positions, position) ORDER BY position

-- name: closed_months_changes
-- For each closed month, what moved after its seal: the adjustment lines booked from it
-- into later months (their count, their total) and the credits granted on its disputes.
SELECT p.month, p.as_of_position, p.position, p.closed_at, p.actor,
       coalesce(a.lines, 0) AS adjustment_lines, coalesce(a.cents, 0)::BIGINT AS adjustment_cents,
       coalesce(c.credits, 0) AS credits, coalesce(c.cents, 0)::BIGINT AS credit_cents
FROM periods p
LEFT JOIN (SELECT origin_month AS month, count(*) AS lines, sum(amount_cents) AS cents
           FROM adjustments GROUP BY origin_month) a USING (month)
LEFT JOIN (SELECT d.month, count(*) AS credits, sum(c.amount_cents) AS cents
           FROM credits c JOIN disputes d USING (dispute_id) GROUP BY d.month) c USING (month)
ORDER BY p.month DESC

-- name: month_seal
-- A closed month's seal (NULL if the month is not closed).
SELECT month, as_of_position, statements_sha256, chain_hash, position, closed_at, actor
FROM periods WHERE month = $month

-- name: adjustments_from
-- The adjustment lines booked from month $month into later months (late events), as they stand.
SELECT booked_month, resource_id, partner_id, line_kind, part, amount_cents, caused_by
FROM adjustments WHERE origin_month = $month
ORDER BY booked_month, resource_id, partner_id, line_kind, part

-- name: late_credits
-- The credits granted after position $p on disputes of month $month's lines, with the
-- positions of every event of each dispute (opening, comments, resolution, credit).
SELECT c.dispute_id, c.partner_id, c.resource_id, d.line_kind, d.part, c.credited_month, c.amount_cents,
       c.position, list(e.position ORDER BY e.position) AS dispute_events
FROM credits c JOIN disputes d USING (dispute_id) JOIN dispute_events e USING (dispute_id)
WHERE d.month = $month AND c.position > $p
GROUP BY ALL ORDER BY c.position
