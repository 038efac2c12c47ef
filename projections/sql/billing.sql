-- Named queries of a groupement d'employeurs' billing (projections/billing_reads.py), as of
-- a log position $at: the rows the events up to $at had written.

-- name: contract_terms_at
-- Every version of every employee's contract terms recorded by $at, with the employee's name.
SELECT c.employee_id, r.name AS employee_name, c.terms_version, c.applies_from, c.contract_kind,
       c.working_time, c.weekly_hours, c.hourly_pay_cents, c.job_title, c.position
FROM contract_terms c
LEFT JOIN resources_at($at) r ON r.resource_id = c.employee_id
WHERE c.position <= $at
ORDER BY c.employee_id, c.terms_version;

-- name: rate_cards_at
-- Every version of the rate card recorded by $at.
SELECT card_version, applies_from, default_coefficient, kind_coefficients, member_coefficients,
       member_flat_fees_cents, position
FROM rate_cards WHERE position <= $at ORDER BY card_version;

-- name: group_profile_at
-- The GE's profile as it stood at $at (no row before the first).
SELECT * FROM group_profiles WHERE position <= $at ORDER BY position DESC LIMIT 1;

-- name: member_details_at
-- Each member's billing details as they stood at $at, with its name.
SELECT b.*, p.name AS partner_name
FROM member_details b JOIN partners p USING (partner_id)
WHERE b.position <= $at
QUALIFY row_number() OVER (PARTITION BY b.partner_id ORDER BY b.position DESC) = 1
ORDER BY b.partner_id;

-- name: staff_hours_of_month_at
-- Each employee's open hours for each member in month $month as they stood at $at.
SELECT resource_id AS employee_id, partner_id, sum(quantity) AS hours, count(*) AS entries
FROM usage_at($at)
WHERE usage_kind = 'staff_hours' AND month = $month AND status = 'open'
GROUP BY ALL ORDER BY ALL;

-- name: local_authority_hours_of_year
-- Each employee's open hours of year $year as they stood at $at: in all, and for members
-- whose file (as it stood at $at) says they are local authorities.
WITH files AS (
    SELECT partner_id, local_authority FROM member_details WHERE position <= $at
    QUALIFY row_number() OVER (PARTITION BY partner_id ORDER BY position DESC) = 1
)
SELECT u.resource_id AS employee_id, r.name AS employee_name, sum(u.quantity) AS hours,
       coalesce(sum(u.quantity) FILTER (WHERE f.local_authority), 0) AS local_authority_hours
FROM usage_at($at) u
JOIN resources_at($at) r ON r.resource_id = u.resource_id
LEFT JOIN files f ON f.partner_id = u.partner_id
WHERE u.usage_kind = 'staff_hours' AND u.status = 'open' AND year(u.happened_on) = $year
GROUP BY ALL ORDER BY employee_name, employee_id;

-- name: outstanding_debts_at
-- The GE's debts to employees and social bodies recorded by $at and not settled by then.
SELECT debt_id, creditor_kind, creditor, amount_cents, first_month, last_month, due_on, reference, position
FROM ge_debts
WHERE position <= $at AND (settled_position IS NULL OR settled_position > $at)
ORDER BY position;

-- name: member_hours_of_months
-- Each member's open staff hours in the months $first to $last, as they stood at $at.
SELECT partner_id, sum(quantity) AS hours
FROM usage_at($at)
WHERE usage_kind = 'staff_hours' AND status = 'open' AND month BETWEEN $first AND $last
GROUP BY partner_id ORDER BY partner_id;

-- name: employee_costs_of_year
-- Each GE employee's (a staff resource with contract terms by $at) open costs recorded
-- for the months of year $year, as they stood at $at.
SELECT c.resource_id AS employee_id, sum(c.amount_cents) AS cost_cents
FROM costs_at($at) c
WHERE c.status = 'open' AND c.month LIKE $year_prefix
  AND c.resource_id IN (SELECT employee_id FROM contract_terms WHERE position <= $at)
GROUP BY ALL ORDER BY ALL;

-- name: costs_of_resources_of_year
-- The open costs of the resources $resources for the months of year $year, at $at.
SELECT coalesce(sum(amount_cents), 0) AS cost_cents
FROM costs_at($at)
WHERE status = 'open' AND month LIKE $year_prefix AND list_contains($resources, resource_id);

-- name: employee_member_hours_of_year
-- Each (employee, member) open staff hours in year $year, as they stood at $at.
SELECT resource_id AS employee_id, partner_id, sum(quantity) AS hours
FROM usage_at($at)
WHERE usage_kind = 'staff_hours' AND status = 'open' AND year(happened_on) = $year
GROUP BY ALL ORDER BY ALL;

-- name: member_funds_at
-- Each member's fees and deposit movements recorded by $at, with its name, oldest first.
SELECT f.*, p.name AS partner_name
FROM member_funds f JOIN partners p USING (partner_id)
WHERE f.position <= $at
ORDER BY p.name, f.partner_id, f.position;

-- name: partner_names
-- Every partner's id and name (a draft names its member).
SELECT partner_id, name FROM partners ORDER BY partner_id;

-- name: invoices_at
-- The register at $at: each invoice and credit note issued by then (of $month, of $partner when not NULL), with what credit notes by $at took off each invoice.
WITH issued AS (SELECT * FROM invoices WHERE position <= $at),
credited AS (SELECT corrects AS number, -sum(total_ht_cents) AS credited_ht_cents, -sum(vat_cents) AS credited_vat_cents
             FROM issued WHERE kind = 'credit_note' GROUP BY corrects)
SELECT i.*, coalesce(c.credited_ht_cents, 0) AS credited_ht_cents, coalesce(c.credited_vat_cents, 0) AS credited_vat_cents,
       i.kind = 'invoice' AND coalesce(c.credited_ht_cents, 0) = i.total_ht_cents
           AND coalesce(c.credited_vat_cents, 0) = i.vat_cents AS wholly_credited,
       p.name AS partner_name
FROM issued i LEFT JOIN credited c USING (number) LEFT JOIN partners p USING (partner_id)
WHERE ($month IS NULL OR i.month = $month) AND ($partner IS NULL OR i.partner_id = $partner)
ORDER BY i.number;

-- name: invoice_at
-- One invoice or credit note by number, if issued by $at, with its event's payload (what its document prints).
SELECT i.*, e.payload FROM invoices i JOIN events e USING (position)
WHERE i.number = $number AND i.position <= $at;

-- name: billed_of_year
-- Each member's net billing HT for the months of year $year at $at: invoices less credit
-- notes (the register's signs), earlier regularisations of the year included.
SELECT partner_id, sum(total_ht_cents) AS billed_cents
FROM invoices
WHERE position <= $at AND month LIKE $year_prefix
GROUP BY partner_id ORDER BY partner_id;

-- name: documents_at
-- How many invoices and credit notes the GE had issued by $at.
SELECT count(*) AS documents FROM invoices WHERE position <= $at;

-- name: unpaid_invoices_at
-- Each invoice with something left to pay at $at (TTC less its credit notes and payments by
-- then), with its member, its due date and how many days late it is on $today.
WITH issued AS (SELECT * FROM invoices WHERE position <= $at),
credited AS (SELECT corrects AS number, -sum(total_ttc_cents) AS credited FROM issued
             WHERE kind = 'credit_note' AND corrects IS NOT NULL GROUP BY corrects),
paid AS (SELECT number, sum(amount_cents) AS paid FROM invoice_payments WHERE position <= $at GROUP BY number)
SELECT i.number, i.reference, i.partner_id, p.name AS partner_name, i.month, i.issued_on, i.due_on,
       i.total_ttc_cents, coalesce(c.credited, 0) AS credited_cents, coalesce(pd.paid, 0) AS paid_cents,
       i.total_ttc_cents - coalesce(c.credited, 0) - coalesce(pd.paid, 0) AS left_cents,
       greatest(date_diff('day', i.due_on, $today), 0) AS days_late
FROM issued i
LEFT JOIN credited c USING (number) LEFT JOIN paid pd USING (number) LEFT JOIN partners p USING (partner_id)
WHERE i.kind = 'invoice' AND i.total_ttc_cents - coalesce(c.credited, 0) - coalesce(pd.paid, 0) > 0
ORDER BY i.due_on, i.number;

-- name: refunds_owed_at
-- Each regularisation credit note with something left to refund at $at (its TTC less the
-- refunds by then), with its member; oldest first.
WITH refunded AS (SELECT number, sum(amount_cents) AS refunded FROM credit_note_refunds WHERE position <= $at
                  GROUP BY number)
SELECT i.number, i.reference, i.partner_id, p.name AS partner_name, i.regularises, i.issued_on,
       -i.total_ttc_cents AS total_ttc_cents, coalesce(r.refunded, 0) AS refunded_cents,
       -i.total_ttc_cents - coalesce(r.refunded, 0) AS left_cents
FROM invoices i LEFT JOIN refunded r USING (number) LEFT JOIN partners p USING (partner_id)
WHERE i.position <= $at AND i.kind = 'credit_note' AND i.regularises IS NOT NULL
  AND -i.total_ttc_cents - coalesce(r.refunded, 0) > 0
ORDER BY i.issued_on, i.number;

-- name: credit_note_refunds_at
-- Every refund recorded by $at, newest first, with its credit note's reference and member and
-- when its event was recorded (its position leads to it in the log).
SELECT rf.number, i.reference, i.partner_id, p.name AS partner_name, rf.amount_cents, rf.refunded_on,
       rf.reference AS refund_reference, rf.position, e.recorded_at
FROM credit_note_refunds rf
JOIN invoices i ON i.number = rf.number JOIN events e ON e.position = rf.position
LEFT JOIN partners p ON p.partner_id = i.partner_id
WHERE rf.position <= $at
ORDER BY rf.position DESC;

-- name: year_costs_of_resources_at
-- Each open cost of the resources $resources for the months of year $year as it stood at
-- $at, with the event that recorded its version (position, type, time) and the resource's name.
SELECT c.entry_id, c.resource_id, r.name AS resource_name, c.month, c.amount_cents, c.category, c.document_ref,
       c.valid_from AS position, e.event_type, e.recorded_at
FROM costs_at($at) c
JOIN events e ON e.position = c.valid_from
LEFT JOIN resources_at($at) r ON r.resource_id = c.resource_id
WHERE c.status = 'open' AND c.month LIKE $year_prefix AND list_contains($resources, c.resource_id)
ORDER BY c.resource_id, c.month, c.valid_from;

-- name: member_billed_lines_of_year
-- The lines of member $partner's invoices and credit notes for the months of year $year
-- issued by $at (a credit note's amounts negative), each with its document.
SELECT l.number, l.reference, i.kind, i.regularises, l.line_no, l.month, l.employee_id, l.employee_name,
       l.hours, l.rate_cents, l.amount_cents, l.label, l.sheet_id, i.position
FROM invoice_lines l JOIN invoices i USING (number)
WHERE i.position <= $at AND i.partner_id = $partner AND i.month LIKE $year_prefix
ORDER BY l.number, l.line_no;

-- name: member_staff_hours_of_year
-- Member $partner's open staff hours of year $year at $at by employee and month (how many
-- entries, the last recorded), with the month's hour sheet as it stood then, if submitted.
WITH hours AS (
    SELECT resource_id AS employee_id, month, sum(quantity) AS hours, count(*) AS entries,
           max(valid_from) AS last_position
    FROM usage_at($at)
    WHERE usage_kind = 'staff_hours' AND status = 'open' AND partner_id = $partner AND year(happened_on) = $year
    GROUP BY ALL
), sheets AS (
    SELECT employee_id, month, sheet_id, status FROM hour_sheet_versions
    WHERE partner_id = $partner AND valid_from <= $at AND (valid_to IS NULL OR valid_to > $at)
)
SELECT h.*, s.sheet_id, s.status AS sheet_status
FROM hours h LEFT JOIN sheets s USING (employee_id, month)
ORDER BY h.employee_id, h.month;

-- name: invoice_payments_at
-- Every payment recorded by $at, newest first, with its invoice's reference and member and when its
-- event was recorded (its position leads to it in the log).
SELECT pm.number, i.reference, i.partner_id, p.name AS partner_name, pm.amount_cents, pm.paid_on,
       pm.reference AS payment_reference, pm.position, e.recorded_at
FROM invoice_payments pm
JOIN invoices i ON i.number = pm.number JOIN events e ON e.position = pm.position
LEFT JOIN partners p ON p.partner_id = i.partner_id
WHERE pm.position <= $at
ORDER BY pm.position DESC;
