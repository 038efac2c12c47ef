-- Views and table macros over the tables of schema.sql. Recreated on every open.

-- As of a log position p: the rows in force just after the event at position p.
CREATE OR REPLACE MACRO usage_at(p) AS TABLE
    SELECT * EXCLUDE (valid_to) FROM usage_versions
    WHERE valid_from <= p AND (valid_to IS NULL OR valid_to > p);

CREATE OR REPLACE MACRO costs_at(p) AS TABLE
    SELECT * EXCLUDE (valid_to) FROM cost_versions
    WHERE valid_from <= p AND (valid_to IS NULL OR valid_to > p);

CREATE OR REPLACE MACRO memberships_at(p) AS TABLE
    SELECT * EXCLUDE (valid_to) FROM membership_versions
    WHERE valid_from <= p AND (valid_to IS NULL OR valid_to > p);

CREATE OR REPLACE MACRO resources_at(p) AS TABLE
    SELECT * EXCLUDE (valid_to) FROM resource_versions
    WHERE valid_from <= p AND (valid_to IS NULL OR valid_to > p);

CREATE OR REPLACE MACRO allocation_keys_at(p) AS TABLE
    SELECT * FROM allocation_keys WHERE position <= p;

-- The position in force at a recorded time t (the last event recorded at or before t).
CREATE OR REPLACE MACRO position_at(t) AS
    (SELECT coalesce(max(position), 0) FROM events WHERE recorded_at <= t);

-- Current state: the same tables with only the rows still in force.
CREATE OR REPLACE VIEW usage AS SELECT * EXCLUDE (valid_to) FROM usage_versions WHERE valid_to IS NULL;
CREATE OR REPLACE VIEW costs AS SELECT * EXCLUDE (valid_to) FROM cost_versions WHERE valid_to IS NULL;
CREATE OR REPLACE VIEW memberships AS
    SELECT * EXCLUDE (valid_to) FROM membership_versions WHERE valid_to IS NULL;
CREATE OR REPLACE VIEW resources AS
    SELECT * EXCLUDE (valid_to) FROM resource_versions WHERE valid_to IS NULL;

-- The lines of the partners' statements: their shares of the pools, the adjustments
-- booked into the month for late events of closed months, the credits granted and the
-- tariff pools' year settlements issued on the month.
CREATE OR REPLACE VIEW statement_lines AS
    SELECT s.month, s.partner_id, s.resource_id, r.name AS resource_name, r.kind AS resource_kind,
           s.line_kind, s.part, s.method, s.basis_kind, s.key_version, s.basis, s.total_basis,
           s.ratio, s.amount_cents, s.pool_cents, NULL::VARCHAR AS origin_month,
           d.dispute_id, d.status AS dispute_status
    FROM cost_shares s JOIN resources r USING (resource_id)
    -- The line's latest dispute, if any: a line under dispute is marked as such.
    LEFT JOIN (SELECT * FROM disputes
               QUALIFY row_number() OVER (PARTITION BY partner_id, month, resource_id, line_kind, part
                                          ORDER BY opened_position DESC) = 1) d
      ON d.partner_id = s.partner_id AND d.month = s.month AND d.resource_id = s.resource_id
     AND d.line_kind = s.line_kind AND d.part IS NOT DISTINCT FROM s.part
    WHERE s.partner_id IS NOT NULL
    UNION ALL
    SELECT a.booked_month, a.partner_id, a.resource_id, r.name, r.kind, 'adjustment', a.part,
           NULL, NULL, NULL, NULL, NULL, NULL, a.amount_cents, NULL, a.origin_month, NULL, NULL
    FROM adjustments a JOIN resources r USING (resource_id)
    WHERE a.partner_id IS NOT NULL
    UNION ALL
    SELECT c.credited_month, c.partner_id, c.resource_id, r.name, r.kind, 'credit', NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, -c.amount_cents, NULL, NULL, c.dispute_id, 'credit'
    FROM credits c JOIN resources r USING (resource_id)
    UNION ALL
    SELECT t.settled_month, t.partner_id, t.resource_id, r.name, r.kind, 'settlement', NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, t.amount_cents, NULL, NULL, NULL, NULL
    FROM tariff_settlements t JOIN resources r USING (resource_id)
    WHERE t.amount_cents <> 0;

-- A partner's statement for a month: the total of its lines.
CREATE OR REPLACE VIEW statements AS
    SELECT month, partner_id, sum(amount_cents)::BIGINT AS total_cents, count(*) AS line_count
    FROM statement_lines
    GROUP BY month, partner_id;

-- What moves a pool's split, the one definition of it: for the pools of months `first` to
-- `last` (a pool: a resource's month with a cost or a usage recorded) of the resources listed
-- in `resources` (NULL: of every resource), the positions after `after` of the pool's own
-- cost and usage events, of the key versions of its resource applying by its month, and of
-- the membership changes counting in its month (from the month of the day a membership
-- starts or ends on). One row per pool and position.
CREATE OR REPLACE MACRO pool_moves(first, last, after, resources) AS TABLE
    WITH pools AS (
        SELECT resource_id, month FROM cost_versions
        WHERE month BETWEEN first AND last AND (resources IS NULL OR list_contains(resources, resource_id))
        UNION
        SELECT resource_id, month FROM usage_versions
        WHERE month BETWEEN first AND last AND (resources IS NULL OR list_contains(resources, resource_id))
    )
    SELECT resource_id, month, valid_from AS position FROM usage_versions
    WHERE month BETWEEN first AND last AND valid_from > after
      AND (resources IS NULL OR list_contains(resources, resource_id))
    UNION
    SELECT resource_id, month, valid_from FROM cost_versions
    WHERE month BETWEEN first AND last AND valid_from > after
      AND (resources IS NULL OR list_contains(resources, resource_id))
    UNION
    SELECT pools.resource_id, pools.month, k.position FROM pools
    JOIN allocation_keys k ON k.resource_id = pools.resource_id AND k.applies_from <= pools.month
    WHERE k.position > after
    UNION
    SELECT pools.resource_id, pools.month, m.valid_from FROM pools
    JOIN membership_versions m
      ON coalesce(m.last_day, m.first_day) <= last_day(CAST(pools.month || '-01' AS DATE))
    WHERE m.valid_from > after;

-- The events behind one line of a pool, recorded by position p: the pool's cost events, the
-- partner's own usage events where usage is the basis, the key version in force, the
-- partner's membership events (joins and leaves up to the month) where days of membership
-- weigh, and the events of the line's disputes. Other partners' usage moves the total
-- basis too; a partner sees it as that total. The line is given by its month, resource,
-- partner, kind, part, basis kind and key version as they stood at p.
CREATE OR REPLACE MACRO trace_at(p, line_month, line_resource, line_partner, line_kind_, line_part,
                                 line_basis_kind, line_key_version) AS TABLE
    SELECT 'cost' AS source, entry_id, valid_from AS position FROM cost_versions
    WHERE resource_id = line_resource AND month = line_month AND valid_from <= p
    UNION ALL
    SELECT 'usage', entry_id, valid_from FROM usage_versions
    WHERE resource_id = line_resource AND month = line_month AND partner_id = line_partner
      AND valid_from <= p AND line_basis_kind IN ('usage', 'tariff')
    UNION ALL
    SELECT 'key', NULL, position FROM allocation_keys
    WHERE resource_id = line_resource AND key_version = line_key_version AND position <= p
    UNION ALL
    SELECT 'membership', NULL, valid_from FROM membership_versions
    WHERE partner_id = line_partner AND first_day <= last_day(CAST(line_month || '-01' AS DATE))
      AND valid_from <= p AND line_basis_kind IN ('weight', 'equal')
    UNION ALL
    -- The disputes of the line: opening, comments, resolution and the credit it granted.
    SELECT 'dispute', d.dispute_id, e.position FROM disputes d
    JOIN dispute_events e ON e.dispute_id = d.dispute_id
    WHERE d.partner_id = line_partner AND d.month = line_month AND d.resource_id = line_resource
      AND d.line_kind = line_kind_ AND d.part IS NOT DISTINCT FROM line_part AND e.position <= p;

-- Every cost_shares row and the events that produced it: the pool's cost events, the
-- partner's own usage events where usage is the basis, the key version in force, and the
-- partner's membership events (joins and leaves up to the month) where days of membership
-- weigh. Other partners' usage moves the total basis too; a partner sees it as that total.
-- It is `trace_at` as things stand, for every line at once: kept as a join rather than
-- `trace_at` applied to each row because it reads a line's trace about a third faster
-- (tests/integration/test_demo_reads.py shows the two equal on the demo history).
CREATE OR REPLACE VIEW charge_trace AS
    SELECT s.month, s.resource_id, s.partner_id, s.line_kind, s.part,
           'cost' AS source, c.entry_id, c.valid_from AS position
    FROM cost_shares s
    JOIN cost_versions c ON c.resource_id = s.resource_id AND c.month = s.month
    UNION ALL
    SELECT s.month, s.resource_id, s.partner_id, s.line_kind, s.part,
           'usage', u.entry_id, u.valid_from
    FROM cost_shares s
    JOIN usage_versions u
      ON u.resource_id = s.resource_id AND u.month = s.month AND u.partner_id = s.partner_id
    WHERE s.basis_kind IN ('usage', 'tariff')
    UNION ALL
    SELECT s.month, s.resource_id, s.partner_id, s.line_kind, s.part,
           'key', NULL, k.position
    FROM cost_shares s
    JOIN allocation_keys k ON k.resource_id = s.resource_id AND k.key_version = s.key_version
    UNION ALL
    SELECT s.month, s.resource_id, s.partner_id, s.line_kind, s.part,
           'membership', NULL, m.valid_from
    FROM cost_shares s
    JOIN membership_versions m
      ON m.partner_id = s.partner_id
     AND m.first_day <= last_day(CAST(s.month || '-01' AS DATE))
    WHERE s.basis_kind IN ('weight', 'equal')
    UNION ALL
    -- The disputes of the line: opening, comments, resolution and the credit it granted.
    SELECT s.month, s.resource_id, s.partner_id, s.line_kind, s.part,
           'dispute', d.dispute_id, e.position
    FROM cost_shares s
    JOIN disputes d
      ON d.partner_id = s.partner_id AND d.month = s.month AND d.resource_id = s.resource_id
     AND d.line_kind = s.line_kind AND d.part IS NOT DISTINCT FROM s.part
    JOIN dispute_events e ON e.dispute_id = d.dispute_id;

-- Hour sheets as they stood just after the event at position p.
CREATE OR REPLACE MACRO hour_sheets_at(p) AS TABLE
    SELECT * EXCLUDE (valid_to) FROM hour_sheet_versions
    WHERE valid_from <= p AND (valid_to IS NULL OR valid_to > p);

-- What an hour sheet covers at position p, for each employee, member and month with staff
-- hours: the open entries, their total, and their digest (the one rule of it: sha-256 of
-- one line per entry in order of entry id, `entry_id|day|hours to the thousandth|start|end`,
-- start and end in microseconds since the epoch, empty when the entry has none, lines joined
-- by a newline). A sheet is submitted with its digest; it is stale once the digest differs.
CREATE OR REPLACE MACRO sheet_hours_at(p) AS TABLE
    SELECT resource_id AS employee_id, partner_id, month,
           sum(quantity) AS hours,
           list(entry_id ORDER BY entry_id) AS entries,
           sha256(string_agg(entry_id || '|' || CAST(happened_on AS VARCHAR) || '|' || CAST(quantity AS VARCHAR)
                             || '|' || coalesce(CAST(epoch_us(starts_at) AS VARCHAR), '')
                             || '|' || coalesce(CAST(epoch_us(ends_at) AS VARCHAR), ''),
                             chr(10) ORDER BY entry_id)) AS entries_sha256
    FROM usage_at(p)
    WHERE usage_kind = 'staff_hours' AND status = 'open'
    GROUP BY resource_id, partner_id, month;
