-- Queries of `verify`, on the scratch projections it rebuilds from the log.

-- name: seals
-- Every closed month's seal: the chain hash and statements digest as of its position.
SELECT month, as_of_position, statements_sha256, chain_hash, position FROM periods ORDER BY month;

-- name: log_end
-- The last position of the log (0 when empty).
SELECT coalesce(max(position), 0) FROM events;

-- name: chain_hash_at
-- The chain hash of the event at exactly $p (none if no event is there).
SELECT chain_hash FROM events WHERE position = $p;

-- name: events_between
-- The first two events in positions ($lo, $hi], and how many there are.
SELECT position, event_type, count(*) OVER () FROM events
WHERE position > $lo AND position <= $hi ORDER BY position LIMIT 2;

-- name: count_after
-- How many events follow position $p.
SELECT count(*) FROM events WHERE position > $p;

-- name: first_gap
-- The first run of missing positions in ($lo, $hi] (SQLite numbers its rows 1, 2, 3…
-- and reuses none, so a missing one is a removed row), as (first missing, last missing).
WITH numbered AS (SELECT position, lag(position, 1, 0) OVER (ORDER BY position) AS previous FROM events)
SELECT greatest(previous + 1, $lo + 1), least(position - 1, $hi) FROM numbered
WHERE position > previous + 1 AND previous < $hi AND position - 1 > $lo
UNION ALL
SELECT greatest(coalesce(max(position), 0) + 1, $lo + 1), $hi FROM events HAVING coalesce(max(position), 0) < $hi
ORDER BY 1 LIMIT 1;

-- name: head
-- The anchor at a position: the last event at or before $upto and its chain hash.
SELECT position, chain_hash FROM events WHERE position <= $upto ORDER BY position DESC LIMIT 1;
