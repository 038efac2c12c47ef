-- Queries about closed months: late events and the adjustments they cause.

-- name: closed_months
SELECT month, as_of_position FROM periods ORDER BY month;

-- name: late_pools
-- Pools of closed months that an event recorded after the month was sealed moved
-- ($first and $last: the first and last closed months; $after: the earliest seal).
SELECT DISTINCT m.resource_id, m.month
FROM pool_moves($first, $last, $after, NULL) m
JOIN periods c USING (month)
WHERE m.position > c.as_of_position;

-- name: pool_causes
-- Positions of the events that move the pools of month $month of the resources $resources.
SELECT resource_id, month, position FROM pool_moves($month, $month, 0, $resources);

-- name: closed_by
-- The months closed by position $p, with the position each was sealed at.
SELECT month, as_of_position FROM periods WHERE position <= $p ORDER BY month;

-- name: late_moves
-- The events after position $after that move pools of the closed months $first to $last.
SELECT resource_id, month, position FROM pool_moves($first, $last, $after, NULL);

-- name: booked_adjustments
-- The adjustment lines booked into month $month, as they stand.
SELECT booked_month, origin_month, resource_id, partner_id, line_kind, part, amount_cents, caused_by
FROM adjustments WHERE booked_month = $month;

-- name: month_lines_at
-- Every line of a month's statements (all partners, and the pools' own lines) at a
-- position: the month's shares and the adjustments booked into it, as they stood at that
-- position, are passed in as `shares_at` and `adjustments_booked_at`; the credits and the
-- tariff settlements recorded by then follow.
SELECT month, resource_id, partner_id, line_kind, part, method, basis_kind, key_version,
       basis, total_basis, ratio, amount_cents, NULL AS origin_month, NULL AS dispute_id
FROM shares_at
UNION ALL
SELECT booked_month, resource_id, partner_id, 'adjustment', part, NULL, NULL, NULL,
       NULL, NULL, NULL, amount_cents, origin_month, NULL
FROM adjustments_booked_at
UNION ALL
SELECT credited_month, resource_id, partner_id, 'credit', NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, -amount_cents, NULL, dispute_id
FROM credits WHERE credited_month = $month AND position <= $p
UNION ALL
SELECT settled_month, resource_id, partner_id, 'settlement', NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, amount_cents, NULL, NULL
FROM tariff_settlements WHERE settled_month = $month AND position <= $p AND amount_cents <> 0;

-- name: moved_since
-- The events after position $p that move pools of month $month.
SELECT resource_id, position FROM pool_moves($month, $month, $p, NULL);
