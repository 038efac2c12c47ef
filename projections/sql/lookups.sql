-- name: statement_line_count
-- How many lines of a partner's statement for a month are of this resource, kind and part
-- (a dispute must name one).
SELECT count(*) FROM statement_lines
WHERE partner_id = ? AND month = ? AND resource_id = ? AND line_kind = ? AND part IS NOT DISTINCT FROM ?
