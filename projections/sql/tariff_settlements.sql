-- The reads of a tariff pool's year settlement (projections/settlement_reads.py,
-- application/tariff_settlement.py), each as of a log position $at.

-- name: settled_of_year
-- What the settlements of resource $resource's year $year recorded by $at settled with each partner.
SELECT partner_id, sum(amount_cents)::BIGINT AS settled_cents
FROM tariff_settlements WHERE resource_id = $resource AND year = $year AND position <= $at
GROUP BY partner_id ORDER BY partner_id

-- name: settlements_count
-- How many settlements of resource $resource (of any year) were recorded by $at.
SELECT count(DISTINCT position) FROM tariff_settlements WHERE resource_id = $resource AND position <= $at

-- name: settlements_of_year
-- The settlements of resource $resource's year $year recorded by $at, one row per partner, in order.
SELECT settled_month, position, as_of_position, partner_id, units, exact_share_cents, share_cents, leftover_cent,
       charged_cents, settled_before_cents, amount_cents, costs_cents, total_units, tariff_months
FROM tariff_settlements WHERE resource_id = $resource AND year = $year AND position <= $at
ORDER BY position, partner_id

-- name: tariff_resources_of_year
-- The resources with a tariff key in force in some month of year $year by $at (the key of a
-- month: the latest applying from on or before it, of the same month the later version).
WITH months AS (
    SELECT printf('%04d-%02d', $year, m) AS month FROM range(1, 13) t(m)
), in_force AS (
    SELECT k.resource_id, months.month, k.method, k.key->>'unit_price_cents' AS unit_price_cents
    FROM months JOIN allocation_keys_at($at) k ON k.applies_from <= months.month
    QUALIFY row_number() OVER (PARTITION BY k.resource_id, months.month
                               ORDER BY k.applies_from DESC, k.key_version DESC) = 1
)
SELECT i.resource_id, r.name, list(i.month ORDER BY i.month) AS months,
       list(DISTINCT i.unit_price_cents ORDER BY i.unit_price_cents) AS unit_prices
FROM in_force i JOIN resources_at($at) r USING (resource_id)
WHERE i.method = 'tariff'
GROUP BY i.resource_id, r.name ORDER BY r.name

-- name: partner_settlements
-- Partner $partner's settlement lines on its statement of month $month recorded by $at (one per resource).
SELECT resource_id, year, position, as_of_position, units, exact_share_cents, share_cents, leftover_cent,
       charged_cents, settled_before_cents, amount_cents, costs_cents, total_units, tariff_months
FROM tariff_settlements
WHERE partner_id = $partner AND settled_month = $month AND position <= $at AND amount_cents <> 0
ORDER BY resource_id

-- name: settlement_trace
-- The events behind partner $partner's settlement line of resource $resource's year: the
-- resource's cost events of the tariff months $months, the partner's usage events of those
-- months and the settlement events, recorded by $at, in log order.
SELECT t.source, t.entry_id, t.position, e.event_type, e.actor, e.recorded_at, CAST(e.payload AS VARCHAR)
FROM (
    SELECT 'cost' AS source, entry_id, valid_from AS position FROM cost_versions
    WHERE resource_id = $resource AND list_contains($months, month) AND valid_from <= $at
    UNION ALL
    SELECT 'usage', entry_id, valid_from FROM usage_versions
    WHERE resource_id = $resource AND partner_id = $partner AND list_contains($months, month) AND valid_from <= $at
    UNION ALL
    SELECT DISTINCT 'settlement', NULL, position FROM tariff_settlements
    WHERE resource_id = $resource AND year = $year AND position <= $at
) t JOIN events e USING (position)
ORDER BY t.position
