-- The analysts' copy of the projections (projections/pseudonymise.py). {src} and {dst} are
-- the attached source and copy; the maps are session variables set from bound parameters:
-- pseudo_staff (employee id -> employee-<n>), pseudo_actors (actor -> actor-<n>),
-- pseudo_labels (a short text naming an employee -> the same text with the pseudonym).

-- name: staff_aliases
-- Employees numbered in the order they were registered: a pseudonym never changes from one
-- snapshot to the next (new employees get the next numbers).
SELECT resource_id,
       'employee-' || row_number() OVER (ORDER BY min(valid_from), resource_id) AS alias,
       any_value(name ORDER BY valid_from) AS name
FROM {src}.main.resource_versions
WHERE kind = 'staff'
GROUP BY resource_id

-- name: actor_aliases
-- Who recorded events, numbered by their first event.
SELECT actor, 'actor-' || row_number() OVER (ORDER BY min(position), actor) AS alias
FROM {src}.main.events
GROUP BY actor

-- name: labels
-- The short texts kept in the copy (names of partners and of other resources, partner kinds,
-- cost categories): those naming an employee are masked in Python.
SELECT name FROM {src}.main.partners
UNION SELECT kind FROM {src}.main.partners
UNION SELECT name FROM {src}.main.resource_versions WHERE kind <> 'staff'
UNION SELECT category FROM {src}.main.cost_versions
UNION SELECT job_title FROM {src}.main.contract_terms

-- name: set_staff
SET VARIABLE pseudo_staff = map(?::VARCHAR[], ?::VARCHAR[])

-- name: set_actors
SET VARIABLE pseudo_actors = map(?::VARCHAR[], ?::VARCHAR[])

-- name: set_labels
SET VARIABLE pseudo_labels = map(?::VARCHAR[], ?::VARCHAR[])

-- name: macros
-- An employee id, an entry id that starts with one, an actor, a label, through the maps.
CREATE OR REPLACE TEMP MACRO pseudo_staff(id) AS coalesce(getvariable('pseudo_staff')[id], id);
CREATE OR REPLACE TEMP MACRO pseudo_entry(e) AS
    coalesce(getvariable('pseudo_staff')[split_part(e, ':', 1)] || e[length(split_part(e, ':', 1)) + 1:], e);
CREATE OR REPLACE TEMP MACRO pseudo_actor(a) AS coalesce(getvariable('pseudo_actors')[a], 'actor-?');
CREATE OR REPLACE TEMP MACRO pseudo_label(t) AS coalesce(getvariable('pseudo_labels')[t], t);
CREATE OR REPLACE TEMP MACRO pseudo_entries(j) AS
    to_json(list_transform(CAST(j AS VARCHAR[]), lambda x: pseudo_entry(x)));
CREATE OR REPLACE TEMP TABLE pseudo_aggregates AS
    SELECT aggregate_id,
           ('00000000-0000-4000-8000-' || lpad(printf('%x', row_number() OVER (ORDER BY min(position))), 12, '0'))::UUID
               AS alias
    FROM {src}.main.events
    GROUP BY aggregate_id;

-- name: dropped_columns
-- Columns the copy empties: hashes over stored bytes, and free text.
ALTER TABLE {dst}.main.events ALTER COLUMN chain_hash DROP NOT NULL;
ALTER TABLE {dst}.main.periods ALTER COLUMN statements_sha256 DROP NOT NULL;
ALTER TABLE {dst}.main.periods ALTER COLUMN chain_hash DROP NOT NULL;
ALTER TABLE {dst}.main.cost_versions ALTER COLUMN document_ref DROP NOT NULL;
ALTER TABLE {dst}.main.disputes ALTER COLUMN reason DROP NOT NULL;
ALTER TABLE {dst}.main.credits ALTER COLUMN reason DROP NOT NULL;
ALTER TABLE {dst}.main.ge_debts ALTER COLUMN creditor DROP NOT NULL;
ALTER TABLE {dst}.main.ge_debts ALTER COLUMN reference DROP NOT NULL;
ALTER TABLE {dst}.main.register_notifications ALTER COLUMN reference DROP NOT NULL;
ALTER TABLE {dst}.main.invoice_payments ALTER COLUMN reference DROP NOT NULL;
ALTER TABLE {dst}.main.credit_note_refunds ALTER COLUMN reference DROP NOT NULL;
ALTER TABLE {dst}.main.hour_sheets ALTER COLUMN entries_sha256 DROP NOT NULL;
ALTER TABLE {dst}.main.hour_sheet_versions ALTER COLUMN entries_sha256 DROP NOT NULL;

-- name: events
-- Ids, names and actors through the maps, aggregate ids renumbered; free text, digests and
-- hashes removed from the payload (a JSON merge patch drops a key set to null, and a key
-- the payload does not have stays absent).
INSERT INTO {dst}.main.events
SELECT e.* REPLACE (
           a.alias AS aggregate_id,
           pseudo_actor(e.actor) AS actor,
           json_merge_patch(e.payload, json_object(
               'originator_id', a.alias::VARCHAR,
               'actor', pseudo_actor(e.payload->>'actor'),
               'resource_id', pseudo_staff(e.payload->>'resource_id'),
               'employee_id', pseudo_staff(e.payload->>'employee_id'),
               'entry_id', pseudo_entry(e.payload->>'entry_id'),
               'corrected_entries', pseudo_entries(e.payload->'corrected_entries'),
               'sheet_id', pseudo_entry(e.payload->>'sheet_id'),
               'entries', pseudo_entries(e.payload->'entries'),
               'name', CASE WHEN e.event_type = 'ResourceRegistered' AND e.payload->>'kind' = 'staff'
                            THEN pseudo_staff(e.payload->>'resource_id')
                            ELSE pseudo_label(e.payload->>'name') END,
               'kind', pseudo_label(e.payload->>'kind'),
               'category', pseudo_label(e.payload->>'category'),
               'job_title', pseudo_label(e.payload->>'job_title'),
               -- The GE's debts and notifications: who is owed and references are free text.
               'creditor', NULL,
               'reference', CASE WHEN e.event_type IN ('GeDebtRecorded', 'GeDebtSettled', 'RegisterChangesNotified',
                                                     'InvoicePaymentRecorded', 'CreditNoteRefunded')
                                 THEN NULL ELSE e.payload->'reference' END,
               'lines', NULL,
               'document_ref', NULL, 'reason', NULL, 'comment', NULL, 'attachment_ref', NULL,
               'label', NULL, 'idempotency_key', NULL, 'body_sha256', NULL, 'recorded', NULL,
               'statements_sha256', NULL, 'chain_hash', NULL,
               'email', NULL, 'password_hash', NULL, 'invitation_sha256', NULL, 'session_sha256', NULL,
               'token_sha256', NULL, 'mac', NULL, 'person_id', NULL,
               'entries_sha256', NULL, 'signed_by', NULL, 'voids_signature_of', NULL)) AS payload,
           NULL AS chain_hash)
FROM {src}.main.events e JOIN pseudo_aggregates a USING (aggregate_id)
ORDER BY e.position

-- name: partners
INSERT INTO {dst}.main.partners
SELECT * REPLACE (pseudo_label(name) AS name, pseudo_label(kind) AS kind) FROM {src}.main.partners

-- name: resource_versions
INSERT INTO {dst}.main.resource_versions
SELECT * REPLACE (pseudo_staff(resource_id) AS resource_id,
                  CASE WHEN kind = 'staff' THEN pseudo_staff(resource_id) ELSE pseudo_label(name) END AS name)
FROM {src}.main.resource_versions

-- name: allocation_keys
INSERT INTO {dst}.main.allocation_keys
SELECT * REPLACE (pseudo_staff(resource_id) AS resource_id) FROM {src}.main.allocation_keys

-- name: usage_versions
INSERT INTO {dst}.main.usage_versions
SELECT * REPLACE (pseudo_entry(entry_id) AS entry_id, pseudo_staff(resource_id) AS resource_id)
FROM {src}.main.usage_versions

-- name: cost_versions
INSERT INTO {dst}.main.cost_versions
SELECT * REPLACE (pseudo_entry(entry_id) AS entry_id, pseudo_staff(resource_id) AS resource_id,
                  pseudo_label(category) AS category, NULL AS document_ref)
FROM {src}.main.cost_versions

-- name: cost_shares
INSERT INTO {dst}.main.cost_shares
SELECT * REPLACE (pseudo_staff(resource_id) AS resource_id) FROM {src}.main.cost_shares

-- name: periods
INSERT INTO {dst}.main.periods
SELECT * REPLACE (NULL AS statements_sha256, NULL AS chain_hash, pseudo_actor(actor) AS actor)
FROM {src}.main.periods

-- name: adjustments
INSERT INTO {dst}.main.adjustments
SELECT * REPLACE (pseudo_staff(resource_id) AS resource_id) FROM {src}.main.adjustments

-- name: disputes
INSERT INTO {dst}.main.disputes
SELECT * REPLACE (pseudo_staff(resource_id) AS resource_id, NULL AS reason, NULL AS attachment_ref,
                  NULL AS resolution_reason, pseudo_entries(corrected_entries) AS corrected_entries)
FROM {src}.main.disputes

-- name: credits
INSERT INTO {dst}.main.credits
SELECT * REPLACE (pseudo_staff(resource_id) AS resource_id, NULL AS reason) FROM {src}.main.credits

-- name: tariff_settlements
INSERT INTO {dst}.main.tariff_settlements
SELECT * REPLACE (pseudo_staff(resource_id) AS resource_id) FROM {src}.main.tariff_settlements

-- name: contract_terms
-- A job title may name its holder (a label, masked as the others are).
INSERT INTO {dst}.main.contract_terms
SELECT * REPLACE (pseudo_staff(employee_id) AS employee_id, pseudo_label(job_title) AS job_title)
FROM {src}.main.contract_terms

-- name: ge_debts
-- Who is owed (it may be an employee) and the references are free text.
INSERT INTO {dst}.main.ge_debts
SELECT * REPLACE (NULL AS creditor, NULL AS reference, NULL AS settled_reference)
FROM {src}.main.ge_debts

-- name: register_notifications
INSERT INTO {dst}.main.register_notifications
SELECT * REPLACE (NULL AS reference) FROM {src}.main.register_notifications

-- name: member_funds
-- Why a deposit is kept in part is free text.
INSERT INTO {dst}.main.member_funds
SELECT * REPLACE (NULL AS reason) FROM {src}.main.member_funds

-- name: hour_sheets
-- A sheet id starts with its employee's id, as an entry id does; who signed is a person's name.
INSERT INTO {dst}.main.hour_sheets
SELECT * REPLACE (pseudo_entry(sheet_id) AS sheet_id, pseudo_staff(employee_id) AS employee_id,
                  NULL AS entries_sha256, NULL AS signed_by, NULL AS contest_reason)
FROM {src}.main.hour_sheets

-- name: hour_sheet_versions
INSERT INTO {dst}.main.hour_sheet_versions
SELECT * REPLACE (pseudo_entry(sheet_id) AS sheet_id, pseudo_staff(employee_id) AS employee_id,
                  NULL AS entries_sha256, NULL AS signed_by, NULL AS contest_reason)
FROM {src}.main.hour_sheet_versions

-- name: invoice_lines
-- An invoice line prints its employee's name: the pseudonym stands in for both id and name.
INSERT INTO {dst}.main.invoice_lines
SELECT * REPLACE (pseudo_staff(employee_id) AS employee_id,
                  CASE WHEN employee_id IS NULL THEN NULL ELSE pseudo_staff(employee_id) END AS employee_name,
                  pseudo_label(job_title) AS job_title, pseudo_entry(sheet_id) AS sheet_id)
FROM {src}.main.invoice_lines

-- name: invoice_payments
-- A payment's reference is free text.
INSERT INTO {dst}.main.invoice_payments
SELECT * REPLACE (NULL AS reference) FROM {src}.main.invoice_payments

-- name: credit_note_refunds
-- A refund's reference is free text.
INSERT INTO {dst}.main.credit_note_refunds
SELECT * REPLACE (NULL AS reference) FROM {src}.main.credit_note_refunds
