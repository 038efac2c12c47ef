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
    -- (recorded, corrected, voided, cancelled), its disputes and their credits, the tariff
    -- settlements that gave it a line.
    SELECT valid_from AS position FROM membership_versions WHERE partner_id = $partner
    UNION ALL SELECT valid_from FROM usage_versions WHERE partner_id = $partner
    UNION ALL SELECT e.position FROM disputes JOIN dispute_events e USING (dispute_id) WHERE partner_id = $partner
    UNION ALL SELECT position FROM tariff_settlements WHERE partner_id = $partner AND amount_cents <> 0
),
resource_events AS (
    -- A resource's events likewise: its registration and retirement, its keys, its costs,
    -- its usage entries, its disputes and their credits, its tariff settlements.
    SELECT valid_from AS position FROM resource_versions WHERE resource_id = $resource
    UNION ALL SELECT position FROM allocation_keys WHERE resource_id = $resource
    UNION ALL SELECT valid_from FROM cost_versions WHERE resource_id = $resource
    UNION ALL SELECT valid_from FROM usage_versions WHERE resource_id = $resource
    UNION ALL SELECT e.position FROM disputes JOIN dispute_events e USING (dispute_id) WHERE resource_id = $resource
    UNION ALL SELECT position FROM tariff_settlements WHERE resource_id = $resource
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

-- name: staff_names
-- Every staff resource's id and current name, by name (the employees an invitation may name).
SELECT resource_id, name FROM resources WHERE kind = 'staff' ORDER BY name, resource_id


-- ---- The coordinator's pages (api/pages/coordination*.py) ---------------------------------

-- name: coordination_months
-- Every month with a cost recorded, closed, or from the first month of usage to the last: its seal if
-- closed; if open (after the last closed month: months close in order), its statements as they stand
-- (number of partners with lines, total). Usage gives its span only: its months would be a scan of it.
WITH span AS (
    SELECT min(month) AS first, max(month) AS last FROM usage_versions
), usage_months AS (
    SELECT strftime(d, '%Y-%m') AS month
    FROM span, range(CAST(span.first || '-01' AS DATE), CAST(span.last || '-01' AS DATE) + INTERVAL 1 MONTH,
                     INTERVAL 1 MONTH) t(d)
    WHERE span.first IS NOT NULL
), months AS (
    SELECT month FROM cost_versions UNION SELECT month FROM usage_months UNION SELECT month FROM periods
), open_after AS (
    SELECT coalesce(max(month), '') AS closed FROM periods
), lines AS (
    SELECT month, partner_id, amount_cents FROM cost_shares, open_after
    WHERE partner_id IS NOT NULL AND month > open_after.closed
    UNION ALL SELECT booked_month, partner_id, amount_cents FROM adjustments, open_after
    WHERE partner_id IS NOT NULL AND booked_month > open_after.closed
    UNION ALL SELECT credited_month, partner_id, -amount_cents FROM credits, open_after
    WHERE credited_month > open_after.closed
    UNION ALL SELECT settled_month, partner_id, amount_cents FROM tariff_settlements, open_after
    WHERE settled_month > open_after.closed AND amount_cents <> 0
), totals AS (
    SELECT month, count(DISTINCT partner_id) AS statements, sum(amount_cents)::BIGINT AS total_cents
    FROM lines GROUP BY month
), numbered AS (
    SELECT month, count(*) AS numbered FROM statement_numbers GROUP BY month
)
SELECT m.month, p.position, p.as_of_position, p.statements_sha256, p.chain_hash, p.closed_at, p.actor,
       coalesce(t.statements, 0) AS statements, coalesce(t.total_cents, 0) AS total_cents,
       coalesce(n.numbered, 0) AS numbered
FROM months m LEFT JOIN periods p USING (month) LEFT JOIN totals t USING (month)
LEFT JOIN numbered n USING (month)
ORDER BY m.month

-- name: resources_without_cost
-- The resources in service in month $month (not retired by its first day) with no open cost recorded for it.
SELECT r.resource_id, r.name, r.kind FROM resources r
WHERE (r.retired_on IS NULL OR r.retired_on > CAST($month || '-01' AS DATE))
AND NOT EXISTS (SELECT 1 FROM costs c WHERE c.resource_id = r.resource_id AND c.month = $month
                AND c.status = 'open')
ORDER BY r.name COLLATE noaccent.nocase, r.resource_id

-- name: unallocated_pools
-- The lines of month $month's pools that nobody was charged: no key in force (method NULL) or no basis.
SELECT s.resource_id, r.name, s.part, s.method, s.amount_cents, s.pool_cents
FROM cost_shares s JOIN resources r USING (resource_id)
WHERE s.month = $month AND s.line_kind = 'unallocated'
ORDER BY r.name COLLATE noaccent.nocase, s.resource_id, s.part

-- name: tariff_recoveries
-- Month $month's tariff pools whose tariffs do not recover the cost recorded: units, key, cost, gap.
SELECT s.resource_id, r.name, r.unit, s.total_basis AS units, s.pool_cents,
       s.pool_cents - s.amount_cents AS charged_cents, s.amount_cents AS recovery_cents,
       CAST(k.key AS VARCHAR) AS key
FROM cost_shares s JOIN resources r USING (resource_id)
LEFT JOIN allocation_keys k ON k.resource_id = s.resource_id AND k.key_version = s.key_version
WHERE s.month = $month AND s.line_kind = 'recovery' AND s.amount_cents <> 0
ORDER BY r.name COLLATE noaccent.nocase, s.resource_id

-- name: partners_not_members_all_month
-- The partners once members on a day of month $month who are not members on all its days now: the
-- only ones whose usage of the month may lie outside a membership (the write side refuses usage on a
-- day the partner is not a member; a leave recorded later can shorten the membership under it).
SELECT DISTINCT v.partner_id FROM membership_versions v
WHERE v.first_day <= last_day(CAST($month || '-01' AS DATE))
AND (v.last_day IS NULL OR v.last_day >= CAST($month || '-01' AS DATE))
AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.partner_id = v.partner_id
                AND m.first_day <= CAST($month || '-01' AS DATE)
                AND (m.last_day IS NULL OR m.last_day >= last_day(CAST($month || '-01' AS DATE))))

-- name: usage_outside_membership
-- Month $month's open usage by one of the partners $partners on a day it was not a member, by partner
-- and resource.
SELECT u.partner_id, coalesce(p.name, u.partner_id) AS partner_name, u.resource_id,
       coalesce(r.name, u.resource_id) AS resource_name, count(*) AS entries, sum(u.quantity) AS quantity,
       min(u.unit) AS unit, min(u.happened_on) AS first_day, max(u.happened_on) AS last_day
FROM usage u LEFT JOIN partners p USING (partner_id) LEFT JOIN resources r USING (resource_id)
WHERE u.month = $month AND u.status = 'open' AND list_contains($partners, u.partner_id)
AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.partner_id = u.partner_id AND m.first_day <= u.happened_on
                AND (m.last_day IS NULL OR m.last_day >= u.happened_on))
GROUP BY ALL ORDER BY partner_name COLLATE noaccent.nocase, resource_name COLLATE noaccent.nocase

-- name: open_disputes_named
-- The open disputes with their partner's and resource's names, in the order opened.
SELECT d.dispute_id, d.partner_id, coalesce(p.name, d.partner_id) AS partner_name, d.month, d.resource_id,
       coalesce(r.name, d.resource_id) AS resource_name
FROM disputes d LEFT JOIN partners p USING (partner_id) LEFT JOIN resources r USING (resource_id)
WHERE d.status = 'open' ORDER BY d.opened_position

-- name: month_partner_totals
-- Each partner's statement of month $month as it stands: its total and its number of lines, by name.
SELECT s.partner_id, coalesce(p.name, s.partner_id) AS name, s.total_cents, s.line_count
FROM statements s LEFT JOIN partners p USING (partner_id)
WHERE s.month = $month ORDER BY name COLLATE noaccent.nocase, s.partner_id

-- name: month_costs
-- The costs recorded for month $month, every status, with the amount first recorded and when.
SELECT c.entry_id, c.resource_id, r.name AS resource_name, c.amount_cents, o.amount_cents AS recorded_cents,
       c.category, c.document_ref, c.status, c.recorded_position, e.recorded_at, e.actor
FROM costs c JOIN resources r USING (resource_id)
JOIN cost_versions o ON o.entry_id = c.entry_id AND o.valid_from = c.recorded_position
JOIN events e ON e.position = c.recorded_position
WHERE c.month = $month
ORDER BY r.name COLLATE noaccent.nocase, c.entry_id

-- name: cost_entry
-- One cost entry as it stands (its current amount and status).
SELECT entry_id, resource_id, month, amount_cents, category, document_ref, status FROM costs WHERE entry_id = ?

-- name: resources_with_keys
-- Every resource as it stands, with each of its key versions (none: NULLs), by name then version.
SELECT r.resource_id, r.name, r.kind, r.unit, r.capacity, r.retired_on, k.key_version, k.applies_from,
       CAST(k.key AS VARCHAR) AS key
FROM resources r LEFT JOIN allocation_keys k USING (resource_id)
ORDER BY r.name COLLATE noaccent.nocase, r.resource_id, k.applies_from, k.key_version

-- name: partners_with_memberships
-- Every partner with each period of its membership, by name then first day.
SELECT p.partner_id, p.name, p.kind, m.first_day, m.last_day
FROM partners p LEFT JOIN memberships m USING (partner_id)
ORDER BY p.name COLLATE noaccent.nocase, p.partner_id, m.first_day

-- name: pool_months
-- The months with a cost or a usage recorded for resource $resource, latest first.
SELECT month FROM cost_versions WHERE resource_id = $resource
UNION SELECT month FROM usage_versions WHERE resource_id = $resource
ORDER BY month DESC

-- name: disputes_to_answer
-- Every dispute with its partner's and resource's names, when it was opened, the disputed line's
-- amount as it stands, and the credit granted if any: open ones first, then the latest.
SELECT d.dispute_id, d.partner_id, coalesce(p.name, d.partner_id) AS partner_name, d.month, d.resource_id,
       coalesce(r.name, d.resource_id) AS resource_name, d.line_kind, d.part, d.reason, d.attachment_ref,
       d.status, d.resolution_reason, e.recorded_at AS opened_at, s.amount_cents AS line_cents,
       c.amount_cents AS credit_cents, c.credited_month
FROM disputes d LEFT JOIN partners p USING (partner_id) LEFT JOIN resources r USING (resource_id)
JOIN events e ON e.position = d.opened_position
LEFT JOIN cost_shares s ON s.partner_id = d.partner_id AND s.month = d.month AND s.resource_id = d.resource_id
     AND s.line_kind = d.line_kind AND s.part IS NOT DISTINCT FROM d.part
LEFT JOIN credits c ON c.dispute_id = d.dispute_id
ORDER BY d.status = 'open' DESC, d.opened_position DESC

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
    UNION SELECT booked_month FROM adjustments UNION SELECT settled_month FROM tariff_settlements
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
    UNION ALL SELECT settled_month, amount_cents, 1, 0, 0 FROM tariff_settlements
    WHERE partner_id = $partner AND amount_cents <> 0
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
    UNION ALL SELECT settled_month, resource_id, amount_cents FROM tariff_settlements
    WHERE partner_id = $partner AND settled_month BETWEEN $first AND $last
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

-- name: open_dispute_comments
-- The comments on the disputes still open, oldest first, with when each was recorded.
SELECT d.dispute_id, e.recorded_at, e.payload->>'comment' AS comment
FROM dispute_events d JOIN disputes s USING (dispute_id) JOIN events e ON e.position = d.position
WHERE d.event_type = 'DisputeCommented' AND s.status = 'open'
ORDER BY d.position

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

-- name: cost_basis_of_month
-- Whether the month's costs are HT or TTC, as set by $at (no row: never set).
SELECT basis FROM cost_bases
WHERE position <= $at AND applies_from <= $month
ORDER BY applies_from DESC, basis_version DESC LIMIT 1;

-- name: hour_sheets_of_month
-- Per employee and member with staff hours (or a sheet) in $month at $at: hours and digest then, the sheet then ('not_submitted' if none), stale if changed since.
WITH hours AS (SELECT * FROM sheet_hours_at($at) WHERE month = $month),
sheets AS (SELECT * FROM hour_sheets_at($at) WHERE month = $month),
paired AS (
    SELECT coalesce(h.employee_id, s.employee_id) AS employee_id,
           coalesce(h.partner_id, s.partner_id) AS partner_id,
           coalesce(h.hours, 0) AS hours, h.entries_sha256, s.sheet_id, s.status, s.version,
           s.hours AS submitted_hours, s.entries_sha256 AS submitted_sha256, s.submitted_position,
           s.signed_position, s.signed_by, s.contest_reason
    FROM hours h FULL JOIN sheets s ON s.employee_id = h.employee_id AND s.partner_id = h.partner_id
)
SELECT s.employee_id || ':' || s.partner_id || ':' || $month AS sheet_id, s.employee_id,
       coalesce(r.name, s.employee_id) AS employee_name, s.partner_id,
       coalesce(p.name, s.partner_id) AS partner_name, $month AS month,
       CAST(s.hours AS DECIMAL(18, 3)) AS hours, s.entries_sha256,
       coalesce(s.status, 'not_submitted') AS status, s.version, s.submitted_hours, s.submitted_sha256,
       s.submitted_position, s.signed_position, s.signed_by, s.contest_reason,
       s.sheet_id IS NOT NULL AND s.submitted_sha256 IS DISTINCT FROM s.entries_sha256 AS stale
FROM paired s
LEFT JOIN resources r ON r.resource_id = s.employee_id
LEFT JOIN partners p ON p.partner_id = s.partner_id
ORDER BY employee_name, s.employee_id, partner_name, s.partner_id
