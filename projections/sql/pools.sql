-- Inputs of the cost-share computation, for the pools listed in the temp table
-- `wanted(resource_id, month)`, as of log position $p.

-- name: pool_costs
-- Each pool's cost in cents (open costs only) and whether it has any cost event at all.
SELECT c.resource_id, c.month,
       coalesce(sum(c.amount_cents) FILTER (WHERE c.status = 'open'), 0)::BIGINT AS pool_cents
FROM costs_at($p) c
JOIN wanted w ON w.resource_id = c.resource_id AND w.month = c.month
GROUP BY c.resource_id, c.month;

-- name: pool_usage
-- Units of open usage per pool and partner.
SELECT u.resource_id, u.month, u.partner_id, sum(u.quantity) AS quantity
FROM usage_at($p) u
JOIN wanted w ON w.resource_id = u.resource_id AND w.month = u.month
WHERE u.status = 'open'
GROUP BY u.resource_id, u.month, u.partner_id;

-- name: keys
-- Every key version recorded so far, for the resources wanted.
SELECT k.resource_id, k.key_version, k.applies_from, CAST(k.key AS VARCHAR)
FROM allocation_keys_at($p) k
WHERE k.resource_id IN (SELECT resource_id FROM wanted);

-- name: memberships
SELECT partner_id, first_day, last_day FROM memberships_at($p);

-- name: all_pools
-- Every pool that has at least one cost event.
SELECT DISTINCT resource_id, month FROM cost_versions;

-- name: pools_from
-- Pools of one resource (or of all, when $resource is NULL) from a month on.
SELECT DISTINCT resource_id, month FROM cost_versions
WHERE month >= $month AND ($resource IS NULL OR resource_id = $resource);
