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

-- name: member_billing_at
-- Each member's billing details as they stood at $at, with its name.
SELECT b.*, p.name AS partner_name
FROM member_billing b JOIN partners p USING (partner_id)
WHERE b.position <= $at
QUALIFY row_number() OVER (PARTITION BY b.partner_id ORDER BY b.position DESC) = 1
ORDER BY b.partner_id;

-- name: staff_hours_of_month_at
-- Each employee's open hours for each member in month $month as they stood at $at.
SELECT resource_id AS employee_id, partner_id, sum(quantity) AS hours, count(*) AS entries
FROM usage_at($at)
WHERE usage_kind = 'staff_hours' AND month = $month AND status = 'open'
GROUP BY ALL ORDER BY ALL;

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
