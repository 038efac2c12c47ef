-- Named queries of the GE's member register (projections/register_reads.py), as of a log
-- position $at. A member is a partner with a member file (member_details) by $at.

-- name: register_on
-- The members on day $day as the register stood at $at: their file and their membership.
WITH files AS (
    SELECT * FROM member_details WHERE position <= $at
    QUALIFY row_number() OVER (PARTITION BY partner_id ORDER BY position DESC) = 1
)
SELECT f.partner_id, p.name AS partner_name, f.legal_name, f.address, f.establishments, f.activity,
       f.headcount, f.siren, f.professional, f.local_authority, m.first_day, m.last_day
FROM files f
JOIN partners p USING (partner_id)
JOIN memberships_at($at) m ON m.partner_id = f.partner_id
    AND m.first_day <= $day AND (m.last_day IS NULL OR m.last_day >= $day)
ORDER BY f.legal_name, f.partner_id;

-- name: register_changes
-- Every change of the register by $at, oldest first: joins, departures and returns of
-- members, and changes of their files; with the first notification (by $at) that covers it.
WITH members AS (
    SELECT DISTINCT partner_id FROM member_details WHERE position <= $at
), changes AS (
    SELECT e.position, e.recorded_at, e.event_type, e.payload->>'partner_id' AS partner_id,
           CAST(coalesce(e.payload->>'joined_on', e.payload->>'last_day') AS DATE) AS effective_on
    FROM events e
    WHERE e.position <= $at
      AND e.event_type IN ('PartnerJoined', 'PartnerLeft', 'PartnerRejoined', 'MemberDetailsSet')
      AND e.payload->>'partner_id' IN (SELECT partner_id FROM members)
)
SELECT c.*, p.name AS partner_name,
       (SELECT min(n.notified_on) FROM register_notifications n
        WHERE n.position <= $at AND n.up_to_position >= c.position) AS notified_on
FROM changes c JOIN partners p USING (partner_id)
ORDER BY c.position;

-- name: register_notifications_at
-- The notifications recorded by $at, latest first.
SELECT up_to_position, notified_on, reference, position
FROM register_notifications WHERE position <= $at ORDER BY position DESC;
