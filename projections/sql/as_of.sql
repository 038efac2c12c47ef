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

-- name: line_trace_at
-- The events behind a partner's line of a pool at $p (the `trace_at` macro), joined to
-- `events`: what the `charge_trace` view lists for a line, restricted to the events
-- recorded by then.
SELECT t.source, t.entry_id, t.position, e.event_type, e.actor, e.recorded_at,
       CAST(e.payload AS VARCHAR)
FROM trace_at($p, $month, $resource, $partner, $line_kind, $part, $basis_kind, $key_version) t
JOIN events e USING (position)
ORDER BY t.position, t.source, t.entry_id;
