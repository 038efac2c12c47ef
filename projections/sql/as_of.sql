-- Reading one partner's figures as they stood at log position $p.

-- name: partner_pools_at
-- The pools of a month in which a partner can have a line: those where it has open usage
-- (usage and tariff bases, usage parts of a mixed key), and those with a cost whose
-- resource has a key version applying by that month that names it ($quoted: the partner
-- id as a JSON string, as weights and partner lists name partners). A superset is enough:
-- each pool is split on its own, so splitting fewer pools changes no line of those split.
SELECT resource_id, month FROM usage_at($p)
WHERE month = $month AND partner_id = $partner AND status = 'open'
UNION
SELECT resource_id, month FROM costs_at($p)
WHERE month = $month AND resource_id IN (
    SELECT resource_id FROM allocation_keys_at($p)
    WHERE applies_from <= $month AND contains(CAST(key AS VARCHAR), $quoted)
);

-- name: trace_at
-- The events behind a partner's line of a pool at $p, joined to `events`: what the
-- `charge_trace` view lists for a line, restricted to the events recorded by then.
WITH trace AS (
    SELECT 'cost' AS source, entry_id, valid_from AS position FROM cost_versions
    WHERE resource_id = $resource AND month = $month AND valid_from <= $p
    UNION ALL
    SELECT 'usage', entry_id, valid_from FROM usage_versions
    WHERE resource_id = $resource AND month = $month AND partner_id = $partner AND valid_from <= $p
      AND $basis_kind IN ('usage', 'tariff')
    UNION ALL
    SELECT 'key', NULL, position FROM allocation_keys
    WHERE resource_id = $resource AND key_version = $key_version AND position <= $p
    UNION ALL
    SELECT 'membership', NULL, valid_from FROM membership_versions
    WHERE partner_id = $partner AND first_day <= last_day(CAST($month || '-01' AS DATE))
      AND valid_from <= $p AND $basis_kind IN ('weight', 'equal')
    UNION ALL
    SELECT 'dispute', d.dispute_id, e.position FROM disputes d
    JOIN dispute_events e ON e.dispute_id = d.dispute_id
    WHERE d.partner_id = $partner AND d.month = $month AND d.resource_id = $resource
      AND e.position <= $p
)
SELECT t.source, t.entry_id, t.position, e.event_type, e.actor, e.recorded_at,
       CAST(e.payload AS VARCHAR)
FROM trace t JOIN events e USING (position)
ORDER BY t.position, t.source, t.entry_id;
