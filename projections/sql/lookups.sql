-- name: statement_line_count
-- How many lines of a partner's statement for a month are of this resource, kind and part
-- (a dispute must name one).
SELECT count(*) FROM statement_lines
WHERE partner_id = ? AND month = ? AND resource_id = ? AND line_kind = ? AND part IS NOT DISTINCT FROM ?

-- name: period_seal
-- A closed month's seal: the digest of its statements, the chain hash, the position they are as of.
SELECT statements_sha256, chain_hash, as_of_position FROM periods WHERE month = ?

-- name: closed_periods
-- Every closed month and its seal, in order.
SELECT month, as_of_position, position, statements_sha256, chain_hash, actor FROM periods ORDER BY month
