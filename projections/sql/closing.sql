-- Queries about closed months: late events and the adjustments they cause.

-- name: closed_months
SELECT month, as_of_position FROM periods ORDER BY month;

-- name: late_pools
-- Pools of closed months whose inputs changed after the month was sealed: their own costs
-- or usage, a key version applying to them, or a membership covering the month.
WITH closed AS (SELECT month, as_of_position FROM periods),
pools AS (SELECT resource_id, month FROM cost_versions UNION SELECT resource_id, month FROM usage_versions)
SELECT u.resource_id, u.month FROM usage_versions u JOIN closed c USING (month)
WHERE u.valid_from > c.as_of_position
UNION
SELECT k.resource_id, k.month FROM cost_versions k JOIN closed c USING (month)
WHERE k.valid_from > c.as_of_position
UNION
SELECT p.resource_id, p.month FROM pools p JOIN closed c USING (month)
JOIN allocation_keys a ON a.resource_id = p.resource_id AND a.applies_from <= p.month
WHERE a.position > c.as_of_position
UNION
SELECT p.resource_id, p.month FROM pools p JOIN closed c USING (month)
JOIN membership_versions m ON coalesce(m.last_day, m.first_day) <= last_day(CAST(p.month || '-01' AS DATE))
WHERE m.valid_from > c.as_of_position;

-- name: pool_causes
-- Positions of the events that can move the split of the pools in `wanted`, all of month
-- $month. A membership change counts from the month of the day it changes (a join or a
-- last day) on.
SELECT resource_id, month, valid_from FROM usage_versions
WHERE month = $month AND resource_id IN (SELECT resource_id FROM wanted)
UNION
SELECT resource_id, month, valid_from FROM cost_versions
WHERE month = $month AND resource_id IN (SELECT resource_id FROM wanted)
UNION
SELECT w.resource_id, w.month, a.position FROM wanted w
JOIN allocation_keys a ON a.resource_id = w.resource_id AND a.applies_from <= w.month
UNION
SELECT w.resource_id, w.month, m.valid_from FROM wanted w
JOIN membership_versions m ON coalesce(m.last_day, m.first_day) <= last_day(CAST(w.month || '-01' AS DATE));

-- name: month_lines_at
-- Every line of a month's statements (all partners, and the pools' own lines) at a
-- position: the month's shares as recomputed elsewhere are passed in as `shares_at`.
SELECT month, resource_id, partner_id, line_kind, part, method, basis_kind, key_version,
       basis, total_basis, ratio, amount_cents, NULL AS origin_month, NULL AS dispute_id
FROM shares_at
UNION ALL
SELECT booked_month, resource_id, partner_id, 'adjustment', part, NULL, NULL, NULL,
       NULL, NULL, NULL, amount_cents, origin_month, NULL
FROM adjustments WHERE booked_month = $month
UNION ALL
SELECT credited_month, resource_id, partner_id, 'credit', NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, -amount_cents, NULL, dispute_id
FROM credits WHERE credited_month = $month AND position <= $p;

-- name: moved_since
-- The events after position $p that move pools of month $month: their own costs and usage,
-- a key version applying to the month, a membership change counting in the month.
WITH pools AS (SELECT DISTINCT resource_id FROM cost_shares WHERE month = $month)
SELECT resource_id, valid_from FROM usage_versions WHERE month = $month AND valid_from > $p
UNION
SELECT resource_id, valid_from FROM cost_versions WHERE month = $month AND valid_from > $p
UNION
SELECT k.resource_id, k.position FROM allocation_keys k JOIN pools USING (resource_id)
WHERE k.position > $p AND k.applies_from <= $month
UNION
SELECT pools.resource_id, m.valid_from FROM membership_versions m, pools
WHERE m.valid_from > $p
  AND coalesce(m.last_day, m.first_day) <= last_day(CAST($month || '-01' AS DATE));
