-- Inputs of the cost-share computation, for the pools listed in the temp table
-- `wanted(resource_id, month)`, as of log position $p. $first and $last bound the
-- months of `wanted`: rows are stored roughly in month order, so DuckDB skips the row
-- groups outside those months instead of joining the whole history.

-- name: pool_costs
-- Each wanted pool's cost in cents (open costs only), and whether any cost was recorded.
SELECT w.resource_id, w.month,
       coalesce(sum(c.amount_cents) FILTER (WHERE c.status = 'open'), 0)::BIGINT AS pool_cents,
       count(c.entry_id) > 0 AS has_costs
FROM wanted w
LEFT JOIN (SELECT * FROM costs_at($p) WHERE month BETWEEN $first AND $last) c
       ON c.resource_id = w.resource_id AND c.month = w.month
GROUP BY w.resource_id, w.month;

-- name: pool_usage
-- Units of open usage per pool and partner.
SELECT u.resource_id, u.month, u.partner_id, sum(u.quantity) AS quantity
FROM usage_at($p) u
JOIN wanted w ON w.resource_id = u.resource_id AND w.month = u.month
WHERE u.status = 'open' AND u.month BETWEEN $first AND $last
GROUP BY u.resource_id, u.month, u.partner_id;

-- name: keys
-- Every key version recorded so far, for the resources wanted.
SELECT k.resource_id, k.key_version, k.applies_from, CAST(k.key AS VARCHAR)
FROM allocation_keys_at($p) k
WHERE k.resource_id IN (SELECT resource_id FROM wanted);

-- name: memberships
SELECT partner_id, first_day, last_day FROM memberships_at($p);

-- name: all_pools
-- Every (resource, month) with a cost or a usage event: a tariff charges usage even
-- before the month's costs are in.
SELECT resource_id, month FROM cost_versions
UNION
SELECT resource_id, month FROM usage_versions;

-- name: pools_at
-- The pools with a cost or usage in force at position $p, optionally for one month or resource.
SELECT resource_id, month FROM costs_at($p)
WHERE ($month IS NULL OR month = $month) AND ($resource IS NULL OR resource_id = $resource)
UNION
SELECT resource_id, month FROM usage_at($p)
WHERE ($month IS NULL OR month = $month) AND ($resource IS NULL OR resource_id = $resource);

-- name: pools_from
-- Pools of one resource (or of all, when $resource is NULL) from a month on.
SELECT resource_id, month FROM cost_versions
WHERE month >= $month AND ($resource IS NULL OR resource_id = $resource)
UNION
SELECT resource_id, month FROM usage_versions
WHERE month >= $month AND ($resource IS NULL OR resource_id = $resource);

-- name: set_aside
-- Usage dated beyond the ledger's calendar ($first to $last; only a store written before the
-- calendar was enforced holds any): its pools have no lines. How many entries, and the
-- position of the first event that recorded one.
SELECT count(DISTINCT entry_id), min(valid_from)
FROM usage_versions
WHERE month < $first OR month > $last;
