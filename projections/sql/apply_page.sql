-- Statements that fold one page of the log, positions in ($lo, $hi], into the tables, in
-- the page's transaction, after the page is in `events` (insert_events).
--
-- A statement that folds events says which, on the line after its name; projections/folds.py
-- reads these lines, and the runner runs the statements from them, in this file's order:
--   -- folds page: A, B      once per page, set-based, over the page's events of these types;
--   -- continues: <name>     once per page, right after the statement it continues;
--   -- folds each: A, B      once per event of these types, in log order (select_each), with
--                            its $position, $partner, $resource and $day.
-- tests/unit/test_catalogue.py checks that every event type is folded here or declared not
-- projected (projections/folds.py NOT_PROJECTED), and that a `folds page` statement filters on
-- exactly the event types it declares.

-- name: insert_events
-- Copy the staged page (an Arrow table named `page`) into events, parsing the JSON once.
INSERT INTO events
SELECT position,
       CAST(json_extract_string(state, '$.timestamp') AS TIMESTAMPTZ),
       split_part(topic, ':', 2),
       CAST(originator_id AS UUID),
       originator_version,
       json_extract_string(state, '$.actor'),
       CAST(state AS JSON),
       chain_hash
FROM page;

-- name: last_chain_hash
-- The chain hash of the event at the tracked position $lo (64 zeros before the first):
-- found through the positions' min/max per row group, not by reading the whole table.
SELECT coalesce((SELECT chain_hash FROM events WHERE position = $lo), repeat('0', 64));

-- name: insert_partners
-- folds page: PartnerJoined
INSERT INTO partners
SELECT payload->>'partner_id', payload->>'name', payload->>'kind', position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'PartnerJoined';

-- name: insert_resources
-- folds page: ResourceRegistered
INSERT INTO resource_versions
SELECT payload->>'resource_id', payload->>'name', payload->>'kind', payload->>'unit',
       CAST(payload->>'capacity' AS INTEGER), NULL, position, NULL
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'ResourceRegistered';

-- name: insert_allocation_keys
-- folds page: AllocationKeySet
INSERT INTO allocation_keys
SELECT payload->>'resource_id', CAST(payload->>'key_version' AS INTEGER),
       payload->>'applies_from', payload->'key'->>'method', payload->'key', position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'AllocationKeySet';

-- name: insert_usage
-- folds page: SlotBooked, StaffHoursLogged, EquipmentUsed
-- Bookings, staff hours and equipment uses; an agenda entry's day is in its id.
INSERT INTO usage_versions
SELECT entry_id,
       CASE event_type WHEN 'SlotBooked' THEN 'booking'
                       WHEN 'StaffHoursLogged' THEN 'staff_hours'
                       ELSE 'equipment' END,
       coalesce(payload->>'resource_id', payload->>'employee_id'),
       payload->>'partner_id',
       happened_on,
       CAST(payload->>'starts_at' AS TIMESTAMPTZ),
       CAST(payload->>'ends_at' AS TIMESTAMPTZ),
       strftime(happened_on, '%Y-%m'),
       CASE
           -- A booking's or a timed staff entry's hours: thousandths of an hour, half up,
           -- from whole microseconds, exactly domain.entries.booked_hours (a division here
           -- would go through a double). Staff hours stored without times keep their hours.
           WHEN booked_us IS NOT NULL AND event_type IN ('SlotBooked', 'StaffHoursLogged') THEN CAST(
               (booked_us // 3600000 + CASE WHEN 2 * (booked_us % 3600000) >= 3600000 THEN 1 ELSE 0 END)
               AS DECIMAL(18, 0)) * CAST(0.001 AS DECIMAL(4, 3))
           WHEN event_type = 'StaffHoursLogged' THEN CAST(payload->>'hours' AS DECIMAL(18, 3))
           ELSE CAST(payload->>'quantity' AS DECIMAL(18, 3)) END,
       coalesce(payload->>'unit', 'hour'),
       'open',
       position,
       position,
       NULL
FROM (
    SELECT *, payload->>'entry_id' AS entry_id,
           CASE event_type WHEN 'StaffHoursLogged' THEN CAST(payload->>'work_date' AS DATE)
                           WHEN 'EquipmentUsed' THEN CAST(payload->>'used_on' AS DATE)
                           ELSE CAST(split_part(payload->>'entry_id', ':', 2) AS DATE) END
               AS happened_on,
           epoch_us(CAST(payload->>'ends_at' AS TIMESTAMPTZ)) - epoch_us(CAST(payload->>'starts_at' AS TIMESTAMPTZ))
               AS booked_us
    FROM events
    WHERE position > $lo AND position <= $hi
      AND event_type IN ('SlotBooked', 'StaffHoursLogged', 'EquipmentUsed')
);

-- name: insert_costs
-- folds page: CostRecorded
INSERT INTO cost_versions
SELECT payload->>'entry_id', payload->>'resource_id', payload->>'month',
       CAST(payload->>'amount_cents' AS BIGINT), payload->>'category', payload->>'document_ref',
       'open', position, position, NULL
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'CostRecorded';

-- name: insert_periods
-- folds page: PeriodClosed
INSERT INTO periods
SELECT payload->>'month', CAST(payload->>'as_of_position' AS BIGINT), payload->>'statements_sha256',
       payload->>'chain_hash', position, recorded_at, actor
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'PeriodClosed';

-- name: insert_statement_numbers
-- folds page: PeriodClosed
-- One row per partner numbered by a close (a JSON object turned into a map, not copied per key).
INSERT INTO statement_numbers
SELECT month, entry.key, entry.value, position
FROM (SELECT payload->>'month' AS month, position,
             unnest(map_entries(CAST(payload->'statement_numbers' AS MAP(VARCHAR, INTEGER)))) AS entry
      FROM events
      WHERE position > $lo AND position <= $hi AND event_type = 'PeriodClosed');

-- name: insert_contract_terms
-- folds page: ContractTermsSet
INSERT INTO contract_terms
SELECT payload->>'employee_id', CAST(payload->>'terms_version' AS INTEGER), payload->>'applies_from',
       payload->>'contract_kind', payload->>'working_time', CAST(payload->>'weekly_hours' AS DECIMAL(5, 2)),
       CAST(payload->>'hourly_pay_cents' AS BIGINT), payload->>'job_title', position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'ContractTermsSet';

-- name: insert_rate_cards
-- folds page: RateCardSet
INSERT INTO rate_cards
SELECT CAST(payload->>'card_version' AS INTEGER), payload->>'applies_from',
       CAST(payload->>'default_coefficient' AS DECIMAL(9, 4)), payload->'kind_coefficients',
       payload->'member_coefficients', payload->'member_flat_fees_cents', position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'RateCardSet';

-- name: insert_group_profiles
-- folds page: GroupProfileSet
INSERT INTO group_profiles
SELECT CAST(payload->>'profile_version' AS INTEGER), payload->>'legal_name', payload->>'address',
       payload->>'siren', payload->>'vat_regime', CAST(payload->>'vat_rate_bp' AS INTEGER),
       CAST(payload->>'payment_days' AS INTEGER), CAST(payload->>'late_penalty_rate' AS DECIMAL(5, 2)),
       CAST(coalesce(payload->'running_cost_resources', '[]') AS VARCHAR[]),
       position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'GroupProfileSet';

-- name: insert_member_details
-- folds page: MemberDetailsSet
INSERT INTO member_details
SELECT payload->>'partner_id', payload->>'legal_name', payload->>'address', payload->>'siren',
       CAST(payload->>'professional' AS BOOLEAN), CAST(payload->>'local_authority' AS BOOLEAN),
       CAST(coalesce(payload->'establishments', '[]') AS VARCHAR[]), payload->>'activity',
       CAST(payload->>'headcount' AS INTEGER), position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'MemberDetailsSet';

-- name: insert_register_notifications
-- folds page: RegisterChangesNotified
INSERT INTO register_notifications
SELECT CAST(payload->>'up_to_position' AS BIGINT), CAST(payload->>'notified_on' AS DATE),
       payload->>'reference', position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'RegisterChangesNotified';

-- name: insert_cost_bases
-- folds page: CostBasisSet
INSERT INTO cost_bases
SELECT CAST(payload->>'basis_version' AS INTEGER), payload->>'applies_from', payload->>'basis', position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'CostBasisSet';

-- name: insert_member_funds
-- folds page: MembershipFeeCalled, DepositCalled, DepositReturned
INSERT INTO member_funds
SELECT payload->>'partner_id',
       CASE event_type WHEN 'MembershipFeeCalled' THEN 'fee' WHEN 'DepositCalled' THEN 'deposit' ELSE 'return' END,
       CAST(payload->>'year' AS INTEGER), CAST(payload->>'amount_cents' AS BIGINT),
       CAST(payload->>'months' AS DECIMAL(4, 2)), CAST(payload->>'monthly_forecast_cents' AS BIGINT),
       CAST(payload->>'returned_on' AS DATE), payload->>'reason', position
FROM events
WHERE position > $lo AND position <= $hi
  AND event_type IN ('MembershipFeeCalled', 'DepositCalled', 'DepositReturned');

-- name: insert_ge_debts
-- folds page: GeDebtRecorded
INSERT INTO ge_debts
SELECT payload->>'debt_id', payload->>'creditor_kind', payload->>'creditor',
       CAST(payload->>'amount_cents' AS BIGINT), payload->>'first_month', payload->>'last_month',
       CAST(payload->>'due_on' AS DATE), payload->>'reference', position, NULL, NULL, NULL
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'GeDebtRecorded';

-- name: settle_ge_debts
-- folds page: GeDebtSettled
UPDATE ge_debts SET settled_on = CAST(s.payload->>'settled_on' AS DATE),
                    settled_reference = s.payload->>'reference', settled_position = s.position
FROM (SELECT payload, position FROM events
      WHERE position > $lo AND position <= $hi AND event_type = 'GeDebtSettled') s
WHERE ge_debts.debt_id = s.payload->>'debt_id';

-- name: insert_invoices
-- folds page: InvoiceIssued
INSERT INTO invoices
SELECT CAST(payload->>'number' AS INTEGER), payload->>'reference', payload->>'kind',
       CAST(payload->>'corrects' AS INTEGER), payload->>'partner_id', payload->>'month',
       CAST(payload->>'issued_on' AS DATE), CAST(payload->>'due_on' AS DATE), payload->'buyer'->>'legal_name',
       sign * CAST(payload->>'total_ht_cents' AS BIGINT), payload->>'vat_regime',
       CAST(payload->>'vat_rate_bp' AS INTEGER), sign * CAST(payload->>'vat_cents' AS BIGINT),
       sign * CAST(payload->>'total_ttc_cents' AS BIGINT), CAST(payload->>'recovery_indemnity' AS BOOLEAN),
       CAST(payload->>'unsigned_sheets' AS BOOLEAN), CAST(payload->>'as_of_position' AS BIGINT), position,
       CAST(payload->>'regularises' AS INTEGER)
FROM (SELECT *, CASE WHEN payload->>'kind' = 'credit_note' THEN -1 ELSE 1 END AS sign FROM events
      WHERE position > $lo AND position <= $hi AND event_type = 'InvoiceIssued');

-- name: insert_invoice_payments
-- folds page: InvoicePaymentRecorded
INSERT INTO invoice_payments
SELECT CAST(payload->>'number' AS INTEGER), CAST(payload->>'amount_cents' AS BIGINT),
       CAST(payload->>'paid_on' AS DATE), payload->>'reference', position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'InvoicePaymentRecorded';

-- name: insert_credit_note_refunds
-- folds page: CreditNoteRefunded
INSERT INTO credit_note_refunds
SELECT CAST(payload->>'number' AS INTEGER), CAST(payload->>'amount_cents' AS BIGINT),
       CAST(payload->>'refunded_on' AS DATE), payload->>'reference', position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'CreditNoteRefunded';

-- name: insert_invoice_lines
-- folds page: InvoiceIssued
INSERT INTO invoice_lines
SELECT CAST(payload->>'number' AS INTEGER), payload->>'reference', CAST(n AS INTEGER), payload->>'partner_id',
       payload->>'month', line->>'employee_id', line->>'employee_name', line->>'job_title',
       CAST(line->>'hours' AS DECIMAL(18, 3)), CAST(line->>'rate_cents' AS BIGINT),
       CASE WHEN payload->>'kind' = 'credit_note' THEN -1 ELSE 1 END * CAST(line->>'amount_cents' AS BIGINT),
       line->>'sheet_id', line->>'sheet_status', line->>'label', position
FROM events, unnest(CAST(payload->'lines' AS JSON[])) WITH ORDINALITY AS t(line, n)
WHERE position > $lo AND position <= $hi AND event_type = 'InvoiceIssued';

-- name: insert_disputes
-- folds page: DisputeOpened
INSERT INTO disputes
SELECT payload->>'dispute_id', payload->>'partner_id', payload->>'month', payload->>'resource_id',
       payload->>'line_kind', CAST(payload->>'part' AS INTEGER), payload->>'reason',
       payload->>'attachment_ref', position, 'open', NULL, NULL, NULL
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'DisputeOpened';

-- name: insert_dispute_events
-- folds page: DisputeOpened, DisputeCommented, DisputeResolved, CreditGranted
-- Every event of a dispute, so a line's trace finds them without reading every payload.
INSERT INTO dispute_events
SELECT payload->>'dispute_id', event_type, position
FROM events
WHERE position > $lo AND position <= $hi
  AND event_type IN ('DisputeOpened', 'DisputeCommented', 'DisputeResolved', 'CreditGranted');

-- name: resolve_disputes
-- folds page: DisputeResolved
UPDATE disputes SET status = r.outcome, resolved_position = r.position,
                    resolution_reason = r.reason, corrected_entries = r.corrected_entries
FROM (SELECT payload->>'dispute_id' AS dispute_id, payload->>'outcome' AS outcome, position,
             payload->>'reason' AS reason, payload->'corrected_entries' AS corrected_entries
      FROM events
      WHERE position > $lo AND position <= $hi AND event_type = 'DisputeResolved') r
WHERE disputes.dispute_id = r.dispute_id;

-- name: insert_credits
-- folds page: CreditGranted
INSERT INTO credits
SELECT payload->>'dispute_id', payload->>'partner_id', payload->>'resource_id',
       payload->>'credited_month', CAST(payload->>'amount_cents' AS BIGINT), payload->>'reason', position
FROM events
WHERE position > $lo AND position <= $hi AND event_type = 'CreditGranted';

-- name: insert_tariff_settlements
-- folds page: TariffYearSettled
INSERT INTO tariff_settlements
SELECT payload->>'resource_id', CAST(payload->>'year' AS INTEGER), payload->>'month', t.p->>'partner_id',
       CAST(t.p->>'units' AS DECIMAL(18, 3)), CAST(t.p->>'exact_share_cents' AS DECIMAL(24, 6)),
       CAST(t.p->>'share_cents' AS BIGINT), CAST(t.p->>'leftover_cent' AS BOOLEAN),
       CAST(t.p->>'charged_cents' AS BIGINT), CAST(t.p->>'settled_before_cents' AS BIGINT),
       CAST(t.p->>'amount_cents' AS BIGINT), CAST(payload->>'costs_cents' AS BIGINT),
       CAST(payload->>'total_units' AS DECIMAL(18, 3)), CAST(payload->'tariff_months' AS VARCHAR[]),
       CAST(payload->>'as_of_position' AS BIGINT), position
FROM events, unnest(CAST(payload->'partners' AS JSON[])) AS t(p)
WHERE position > $lo AND position <= $hi AND event_type = 'TariffYearSettled';

-- name: stage_changes
-- folds page: EntryCorrected, EntryVoided, BookingCancelled
-- Corrections, voids and cancellations of the page, each as the new values it sets.
CREATE OR REPLACE TEMP TABLE page_changes AS
SELECT position,
       payload->>'entry_id' AS entry_id,
       CASE event_type WHEN 'EntryVoided' THEN 'voided'
                       WHEN 'BookingCancelled' THEN 'cancelled' END AS new_status,
       CAST(payload->>'quantity' AS DECIMAL(18, 3)) AS new_quantity,
       CAST(payload->>'amount_cents' AS BIGINT) AS new_amount
FROM events
WHERE position > $lo AND position <= $hi
  AND event_type IN ('EntryCorrected', 'EntryVoided', 'BookingCancelled');

-- name: fold_usage_changes
-- continues: stage_changes
-- Each change makes a new version of its entry, carrying forward what it does not set.
CREATE OR REPLACE TEMP TABLE usage_folded AS
WITH current AS (
    SELECT * FROM usage_versions
    WHERE valid_to IS NULL AND entry_id IN (SELECT entry_id FROM page_changes)
), steps AS (
    SELECT entry_id, valid_from AS position, status, quantity FROM current
    UNION ALL
    SELECT entry_id, position, new_status, new_quantity FROM page_changes
    WHERE entry_id IN (SELECT entry_id FROM current)
), folded AS (
    SELECT entry_id, position,
           last_value(status IGNORE NULLS) OVER w AS status,
           last_value(quantity IGNORE NULLS) OVER w AS quantity,
           lead(position) OVER (PARTITION BY entry_id ORDER BY position) AS next_position
    FROM steps
    WINDOW w AS (PARTITION BY entry_id ORDER BY position
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT c.entry_id, c.usage_kind, c.resource_id, c.partner_id, c.happened_on, c.starts_at,
       c.ends_at, c.month, f.quantity, c.unit, f.status, c.recorded_position,
       f.position AS valid_from, f.next_position AS valid_to
FROM folded f JOIN current c USING (entry_id)
WHERE f.position > c.valid_from;

-- name: close_changed_usage
-- continues: stage_changes
UPDATE usage_versions SET valid_to = f.first_change
FROM (SELECT entry_id, min(valid_from) AS first_change FROM usage_folded GROUP BY entry_id) f
WHERE usage_versions.entry_id = f.entry_id AND usage_versions.valid_to IS NULL;

-- name: insert_changed_usage
-- continues: stage_changes
INSERT INTO usage_versions SELECT * FROM usage_folded;

-- name: fold_cost_changes
-- continues: stage_changes
CREATE OR REPLACE TEMP TABLE costs_folded AS
WITH current AS (
    SELECT * FROM cost_versions
    WHERE valid_to IS NULL AND entry_id IN (SELECT entry_id FROM page_changes)
), steps AS (
    SELECT entry_id, valid_from AS position, status, amount_cents FROM current
    UNION ALL
    SELECT entry_id, position, new_status, new_amount FROM page_changes
    WHERE entry_id IN (SELECT entry_id FROM current)
), folded AS (
    SELECT entry_id, position,
           last_value(status IGNORE NULLS) OVER w AS status,
           last_value(amount_cents IGNORE NULLS) OVER w AS amount_cents,
           lead(position) OVER (PARTITION BY entry_id ORDER BY position) AS next_position
    FROM steps
    WINDOW w AS (PARTITION BY entry_id ORDER BY position
                 ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT c.entry_id, c.resource_id, c.month, f.amount_cents, c.category, c.document_ref,
       f.status, c.recorded_position, f.position AS valid_from, f.next_position AS valid_to
FROM folded f JOIN current c USING (entry_id)
WHERE f.position > c.valid_from;

-- name: close_changed_costs
-- continues: stage_changes
UPDATE cost_versions SET valid_to = f.first_change
FROM (SELECT entry_id, min(valid_from) AS first_change FROM costs_folded GROUP BY entry_id) f
WHERE cost_versions.entry_id = f.entry_id AND cost_versions.valid_to IS NULL;

-- name: insert_changed_costs
-- continues: stage_changes
INSERT INTO cost_versions SELECT * FROM costs_folded;

-- name: stage_hour_sheets
-- folds page: HourSheetSubmitted, HourSheetCountersigned, HourSheetContested
-- The page's steps of hour sheets: a submission sets the sheet's figures (a new version);
-- an answer sets only its status and who signed, or why it was contested.
CREATE OR REPLACE TEMP TABLE sheet_steps AS
SELECT payload->>'sheet_id' AS sheet_id, position,
       CASE event_type WHEN 'HourSheetSubmitted' THEN 'submitted'
                       WHEN 'HourSheetCountersigned' THEN 'countersigned'
                       WHEN 'HourSheetContested' THEN 'contested' END AS status,
       payload->>'employee_id' AS employee_id, payload->>'partner_id' AS partner_id,
       payload->>'month' AS month, CAST(payload->>'version' AS INTEGER) AS version,
       CAST(payload->>'hours' AS DECIMAL(18, 3)) AS hours,
       CASE WHEN event_type = 'HourSheetSubmitted' THEN payload->>'entries_sha256' END AS entries_sha256,
       payload->>'signed_by' AS signed_by, payload->>'reason' AS contest_reason
FROM events
WHERE position > $lo AND position <= $hi
  AND event_type IN ('HourSheetSubmitted', 'HourSheetCountersigned', 'HourSheetContested');

-- name: fold_hour_sheets
-- continues: stage_hour_sheets
-- Each step makes a new version of its sheet: a submission's figures carry forward, an
-- answer (signature or contest) holds only until the next submission.
CREATE OR REPLACE TEMP TABLE sheets_folded AS
WITH current AS (
    SELECT * FROM hour_sheet_versions
    WHERE valid_to IS NULL AND sheet_id IN (SELECT sheet_id FROM sheet_steps)
), steps AS (
    SELECT sheet_id, valid_from AS position, true AS is_current, status, employee_id, partner_id, month,
           version, hours, entries_sha256, submitted_position, signed_position, signed_by, contest_reason
    FROM current
    UNION ALL
    SELECT sheet_id, position, false, status, employee_id, partner_id, month, version, hours,
           entries_sha256, CASE WHEN status = 'submitted' THEN position END,
           CASE WHEN status = 'countersigned' THEN position END, signed_by, contest_reason
    FROM sheet_steps
), folded AS (
    SELECT sheet_id, position, is_current, status, signed_position, signed_by, contest_reason,
           last_value(employee_id IGNORE NULLS) OVER w AS employee_id,
           last_value(partner_id IGNORE NULLS) OVER w AS partner_id,
           last_value(month IGNORE NULLS) OVER w AS month,
           last_value(version IGNORE NULLS) OVER w AS version,
           last_value(hours IGNORE NULLS) OVER w AS hours,
           last_value(entries_sha256 IGNORE NULLS) OVER w AS entries_sha256,
           last_value(submitted_position IGNORE NULLS) OVER w AS submitted_position,
           lead(position) OVER (PARTITION BY sheet_id ORDER BY position) AS next_position
    FROM steps
    WINDOW w AS (PARTITION BY sheet_id ORDER BY position ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT sheet_id, employee_id, partner_id, month, version, status, hours, entries_sha256,
       submitted_position, signed_position, signed_by, contest_reason,
       position AS valid_from, next_position AS valid_to
FROM folded
WHERE NOT is_current;

-- name: close_changed_hour_sheets
-- continues: stage_hour_sheets
UPDATE hour_sheet_versions SET valid_to = f.first_change
FROM (SELECT sheet_id, min(valid_from) AS first_change FROM sheets_folded GROUP BY sheet_id) f
WHERE hour_sheet_versions.sheet_id = f.sheet_id AND hour_sheet_versions.valid_to IS NULL;

-- name: insert_changed_hour_sheets
-- continues: stage_hour_sheets
INSERT INTO hour_sheet_versions SELECT * FROM sheets_folded;

-- name: drop_replaced_hour_sheets
-- continues: stage_hour_sheets
DELETE FROM hour_sheets WHERE sheet_id IN (SELECT sheet_id FROM sheet_steps);

-- name: insert_current_hour_sheets
-- continues: stage_hour_sheets
INSERT INTO hour_sheets
SELECT * EXCLUDE (valid_from, valid_to) FROM hour_sheet_versions
WHERE valid_to IS NULL AND sheet_id IN (SELECT sheet_id FROM sheet_steps);

-- name: select_each
-- The events of the `folds each` statements below (memberships and retirements: few), in log
-- order, with the fields those statements take; its event types are exactly theirs.
SELECT position, event_type, payload->>'partner_id', payload->>'resource_id',
       CAST(coalesce(payload->>'joined_on', payload->>'last_day', payload->>'retired_on') AS DATE)
FROM events
WHERE position > $lo AND position <= $hi
  AND event_type IN ('PartnerJoined', 'PartnerLeft', 'PartnerRejoined', 'ResourceRetired')
ORDER BY position;

-- name: open_membership
-- folds each: PartnerJoined, PartnerRejoined
INSERT INTO membership_versions VALUES ($partner, $day, NULL, $position, NULL);

-- name: close_membership
-- folds each: PartnerLeft
-- A partner leaves: its open period gets a last day, as a new version.
INSERT INTO membership_versions
SELECT partner_id, first_day, $day, $position, NULL FROM membership_versions
WHERE partner_id = $partner AND valid_to IS NULL AND last_day IS NULL;

-- name: end_open_membership_version
-- folds each: PartnerLeft
UPDATE membership_versions SET valid_to = $position
WHERE partner_id = $partner AND valid_to IS NULL AND last_day IS NULL AND valid_from < $position;

-- name: retire_resource
-- folds each: ResourceRetired
INSERT INTO resource_versions
SELECT resource_id, name, kind, unit, capacity, $day, $position, NULL FROM resource_versions
WHERE resource_id = $resource AND valid_to IS NULL;

-- name: end_resource_version
-- folds each: ResourceRetired
UPDATE resource_versions SET valid_to = $position
WHERE resource_id = $resource AND valid_to IS NULL AND valid_from < $position;

-- name: touched_pools
-- The (resource, month) pools whose inputs this page changed.
SELECT DISTINCT resource_id, month FROM usage_versions WHERE valid_from > $lo AND valid_from <= $hi
UNION
SELECT DISTINCT resource_id, month FROM cost_versions WHERE valid_from > $lo AND valid_from <= $hi;

-- name: key_changes
-- Key versions of the page: every pool of the resource from the month they apply is touched.
SELECT resource_id, applies_from FROM allocation_keys WHERE position > $lo AND position <= $hi;

-- name: closes_in_page
SELECT count(*) FROM events WHERE position > $lo AND position <= $hi AND event_type = 'PeriodClosed';
