-- The analysts' saved example queries: `POST /sql`'s example (the first) and the analysis
-- page's list (api/pages/analysis.py). Each runs on the pseudonymised snapshot as it is; the
-- comment right after the name is its title, in French, as the page shows it. Each orders
-- its rows completely, so that two runs list them alike.

-- name: hours_by_employee
-- Heures de personnel par salarié et par partenaire, mars 2026
SELECT resource_id AS employee, partner_id, sum(quantity) AS hours FROM usage
WHERE usage_kind = 'staff_hours' AND status = 'open' AND month = '2026-03'
GROUP BY ALL ORDER BY employee, hours DESC, partner_id

-- name: statements_by_partner
-- Total du relevé de chaque partenaire, mars 2026 (en euros)
SELECT p.name AS partner, (s.total_cents / 100)::DECIMAL(18, 2) AS total_eur
FROM statements s JOIN partners p USING (partner_id)
WHERE s.month = '2026-03'
ORDER BY total_eur DESC, partner

-- name: costs_by_category
-- Coûts ouverts par catégorie, tous mois confondus (en euros)
SELECT c.category, (sum(c.amount_cents) / 100)::DECIMAL(18, 2) AS eur, count(*) AS entries
FROM costs c
WHERE c.status = 'open'
GROUP BY ALL
ORDER BY eur DESC, c.category

-- name: copier_recovery
-- Le copieur chaque mois : coûts, ce que le tarif recouvre, l'écart
SELECT month,
       any_value(pool_cents) AS costs_cents,
       sum(amount_cents) FILTER (WHERE line_kind = 'tariff') AS tariff_cents,
       sum(amount_cents) FILTER (WHERE line_kind = 'recovery') AS recovery_cents
FROM cost_shares
WHERE resource_id = 'copieur'
GROUP BY month
ORDER BY month

-- name: events_by_type
-- Nombre d'événements du journal par type
SELECT event_type, count(*) AS events FROM events GROUP BY event_type ORDER BY events DESC, event_type

-- name: shares_add_up
-- Contrôle : chaque coût est réparti au centime près (aucune ligne attendue)
SELECT s.month, s.resource_id, any_value(s.pool_cents) AS pool_cents, sum(s.amount_cents) AS lines_cents
FROM cost_shares s
GROUP BY s.month, s.resource_id
HAVING count(DISTINCT s.pool_cents) <> 1 OR sum(s.amount_cents) <> any_value(s.pool_cents)
ORDER BY s.month, s.resource_id
