-- The analyst schema of encommun: every table is derived from the event log alone.
-- Names and columns are a public contract (docs/schema.md documents each one).
-- Tables named *_versions are system-versioned: a row holds the state set by the event at
-- log position valid_from, until the event at valid_to replaced it (NULL: still current).

CREATE TABLE IF NOT EXISTS tracking (
    application_name VARCHAR PRIMARY KEY,
    notification_id BIGINT NOT NULL
);

-- No primary key: DuckDB keeps a key's index in memory, which would grow with the log;
-- positions are unique because each page starts after the tracked position.
CREATE TABLE IF NOT EXISTS events (
    position BIGINT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    event_type VARCHAR NOT NULL,
    aggregate_id UUID NOT NULL,
    aggregate_version BIGINT NOT NULL,
    actor VARCHAR NOT NULL,
    payload JSON NOT NULL,
    chain_hash VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS partners (
    partner_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    joined_position BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS membership_versions (
    partner_id VARCHAR NOT NULL,
    first_day DATE NOT NULL,
    last_day DATE,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT
);

CREATE TABLE IF NOT EXISTS resource_versions (
    resource_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    capacity INTEGER NOT NULL,
    retired_on DATE,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT
);

CREATE TABLE IF NOT EXISTS allocation_keys (
    resource_id VARCHAR NOT NULL,
    key_version INTEGER NOT NULL,
    applies_from VARCHAR NOT NULL,
    method VARCHAR NOT NULL,
    key JSON NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS usage_versions (
    entry_id VARCHAR NOT NULL,
    usage_kind VARCHAR NOT NULL,
    resource_id VARCHAR NOT NULL,
    partner_id VARCHAR NOT NULL,
    happened_on DATE NOT NULL,
    starts_at TIMESTAMPTZ,
    ends_at TIMESTAMPTZ,
    month VARCHAR NOT NULL,
    quantity DECIMAL(18, 3) NOT NULL,
    unit VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    recorded_position BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT
);

CREATE TABLE IF NOT EXISTS cost_versions (
    entry_id VARCHAR NOT NULL,
    resource_id VARCHAR NOT NULL,
    month VARCHAR NOT NULL,
    amount_cents BIGINT NOT NULL,
    category VARCHAR NOT NULL,
    document_ref VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    recorded_position BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT
);

CREATE TABLE IF NOT EXISTS cost_shares (
    month VARCHAR NOT NULL,
    resource_id VARCHAR NOT NULL,
    partner_id VARCHAR,
    line_kind VARCHAR NOT NULL,
    part INTEGER,
    method VARCHAR,
    basis_kind VARCHAR NOT NULL,
    key_version INTEGER,
    basis DECIMAL(24, 6) NOT NULL,
    total_basis DECIMAL(24, 6) NOT NULL,
    ratio DECIMAL(12, 10) NOT NULL,
    amount_cents BIGINT NOT NULL,
    pool_cents BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS periods (
    month VARCHAR NOT NULL,
    as_of_position BIGINT NOT NULL,
    statements_sha256 VARCHAR NOT NULL,
    chain_hash VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    closed_at TIMESTAMPTZ NOT NULL,
    actor VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS statement_numbers (
    month VARCHAR NOT NULL,
    partner_id VARCHAR NOT NULL,
    number INTEGER NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS disputes (
    dispute_id VARCHAR NOT NULL,
    partner_id VARCHAR NOT NULL,
    month VARCHAR NOT NULL,
    resource_id VARCHAR NOT NULL,
    line_kind VARCHAR NOT NULL,
    part INTEGER,
    reason VARCHAR NOT NULL,
    attachment_ref VARCHAR,
    opened_position BIGINT NOT NULL,
    status VARCHAR NOT NULL,
    resolved_position BIGINT,
    resolution_reason VARCHAR,
    corrected_entries JSON
);

CREATE TABLE IF NOT EXISTS dispute_events (
    dispute_id VARCHAR NOT NULL,
    event_type VARCHAR NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS credits (
    dispute_id VARCHAR NOT NULL,
    partner_id VARCHAR NOT NULL,
    resource_id VARCHAR NOT NULL,
    credited_month VARCHAR NOT NULL,
    amount_cents BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS adjustments (
    booked_month VARCHAR NOT NULL,
    origin_month VARCHAR NOT NULL,
    resource_id VARCHAR NOT NULL,
    partner_id VARCHAR,
    line_kind VARCHAR NOT NULL,
    part INTEGER,
    amount_cents BIGINT NOT NULL,
    caused_by BIGINT[] NOT NULL
);

-- A tariff pool's year settlements (domain/tariff_settlement.py): one row per settlement and
-- partner of the yearly statement of uses; a non-zero amount is a `settlement` line of the
-- partner's statement for `settled_month` (positive: owed by the partner, negative: refunded).
CREATE TABLE IF NOT EXISTS tariff_settlements (
    resource_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    settled_month VARCHAR NOT NULL,
    partner_id VARCHAR NOT NULL,
    units DECIMAL(18, 3) NOT NULL,
    exact_share_cents DECIMAL(24, 6) NOT NULL,
    share_cents BIGINT NOT NULL,
    leftover_cent BOOLEAN NOT NULL,
    charged_cents BIGINT NOT NULL,
    settled_before_cents BIGINT NOT NULL,
    amount_cents BIGINT NOT NULL,
    costs_cents BIGINT NOT NULL,
    total_units DECIMAL(18, 3) NOT NULL,
    tariff_months VARCHAR[] NOT NULL,
    as_of_position BIGINT NOT NULL,
    position BIGINT NOT NULL
);

-- A groupement d'employeurs' billing terms (domain/billing_terms.py), append-only: the
-- version in force at a position p is the last row with position <= p; for a month, the
-- one with the latest applies_from on or before it (of the same month, the later version).
CREATE TABLE IF NOT EXISTS contract_terms (
    employee_id VARCHAR NOT NULL,
    terms_version INTEGER NOT NULL,
    applies_from VARCHAR NOT NULL,
    contract_kind VARCHAR NOT NULL,
    working_time VARCHAR NOT NULL,
    weekly_hours DECIMAL(5, 2) NOT NULL,
    hourly_pay_cents BIGINT NOT NULL,
    job_title VARCHAR NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS rate_cards (
    card_version INTEGER NOT NULL,
    applies_from VARCHAR NOT NULL,
    default_coefficient DECIMAL(9, 4) NOT NULL,
    kind_coefficients JSON NOT NULL,
    member_coefficients JSON NOT NULL,
    member_flat_fees_cents JSON NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS group_profiles (
    profile_version INTEGER NOT NULL,
    legal_name VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    siren VARCHAR NOT NULL,
    vat_regime VARCHAR NOT NULL,
    vat_rate_bp INTEGER,
    payment_days INTEGER NOT NULL,
    late_penalty_rate DECIMAL(5, 2) NOT NULL,
    running_cost_resources VARCHAR[] NOT NULL,
    position BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS member_details (
    partner_id VARCHAR NOT NULL,
    legal_name VARCHAR NOT NULL,
    address VARCHAR NOT NULL,
    siren VARCHAR,
    professional BOOLEAN NOT NULL,
    local_authority BOOLEAN NOT NULL,
    establishments VARCHAR[] NOT NULL,
    activity VARCHAR,
    headcount INTEGER,
    position BIGINT NOT NULL
);

-- The GE's notifications of register changes to the labour inspectorate (C. trav. D1253-3):
-- every change at a position <= up_to_position was notified on notified_on.
CREATE TABLE IF NOT EXISTS register_notifications (
    up_to_position BIGINT NOT NULL,
    notified_on DATE NOT NULL,
    reference VARCHAR NOT NULL,
    position BIGINT NOT NULL
);

-- Whether the pool's costs are HT or TTC, by month (domain/pool_settings.py): for a month, the
-- version with the latest applies_from on or before it (of the same month, the later one).
CREATE TABLE IF NOT EXISTS cost_bases (
    basis_version INTEGER NOT NULL,
    applies_from VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,
    position BIGINT NOT NULL
);

-- The GE's debts to its employees and social bodies (domain/ge_debts.py), for the members'
-- joint liability (C. trav. L1253-8); a debt is outstanding at p if recorded by p and not
-- settled by p.
CREATE TABLE IF NOT EXISTS ge_debts (
    debt_id VARCHAR NOT NULL,
    creditor_kind VARCHAR NOT NULL,
    creditor VARCHAR NOT NULL,
    amount_cents BIGINT NOT NULL,
    first_month VARCHAR NOT NULL,
    last_month VARCHAR NOT NULL,
    due_on DATE NOT NULL,
    reference VARCHAR NOT NULL,
    position BIGINT NOT NULL,
    settled_on DATE,
    settled_reference VARCHAR,
    settled_position BIGINT
);

-- A GE member's fees and deposit (domain/member_funds.py), one row per event: `fee`
-- (its year's membership fee), `deposit` (a deposit called) or `return` (a deposit returned).
CREATE TABLE IF NOT EXISTS member_funds (
    partner_id VARCHAR NOT NULL,
    movement VARCHAR NOT NULL,
    year INTEGER,
    amount_cents BIGINT NOT NULL,
    months DECIMAL(4, 2),
    monthly_forecast_cents BIGINT,
    returned_on DATE,
    reason VARCHAR,
    position BIGINT NOT NULL
);

-- Monthly hour sheets of an employee for a member (domain/hour_sheets.py), each version of
-- each sheet's state; hour_sheets holds the current one.
CREATE TABLE IF NOT EXISTS hour_sheet_versions (
    sheet_id VARCHAR NOT NULL,
    employee_id VARCHAR NOT NULL,
    partner_id VARCHAR NOT NULL,
    month VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    status VARCHAR NOT NULL,
    hours DECIMAL(18, 3) NOT NULL,
    entries_sha256 VARCHAR NOT NULL,
    submitted_position BIGINT NOT NULL,
    signed_position BIGINT,
    signed_by VARCHAR,
    contest_reason VARCHAR,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT
);

CREATE TABLE IF NOT EXISTS hour_sheets (
    sheet_id VARCHAR NOT NULL,
    employee_id VARCHAR NOT NULL,
    partner_id VARCHAR NOT NULL,
    month VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    status VARCHAR NOT NULL,
    hours DECIMAL(18, 3) NOT NULL,
    entries_sha256 VARCHAR NOT NULL,
    submitted_position BIGINT NOT NULL,
    signed_position BIGINT,
    signed_by VARCHAR,
    contest_reason VARCHAR
);

-- A GE's invoice register (domain/invoices.py): one row per invoice or credit note, the
-- amounts as the register counts them (a credit note's negative; its document prints them
-- positive); the document itself is rebuilt from its event's payload.
CREATE TABLE IF NOT EXISTS invoices (
    number INTEGER NOT NULL,
    reference VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    corrects INTEGER,
    partner_id VARCHAR NOT NULL,
    month VARCHAR NOT NULL,
    issued_on DATE NOT NULL,
    due_on DATE,
    buyer_name VARCHAR NOT NULL,
    total_ht_cents BIGINT NOT NULL,
    vat_regime VARCHAR NOT NULL,
    vat_rate_bp INTEGER,
    vat_cents BIGINT NOT NULL,
    total_ttc_cents BIGINT NOT NULL,
    recovery_indemnity BOOLEAN NOT NULL,
    unsigned_sheets BOOLEAN NOT NULL,
    as_of_position BIGINT NOT NULL,
    position BIGINT NOT NULL,
    regularises INTEGER
);

CREATE TABLE IF NOT EXISTS invoice_lines (
    number INTEGER NOT NULL,
    reference VARCHAR NOT NULL,
    line_no INTEGER NOT NULL,
    partner_id VARCHAR NOT NULL,
    month VARCHAR NOT NULL,
    employee_id VARCHAR,
    employee_name VARCHAR,
    job_title VARCHAR,
    hours DECIMAL(18, 3),
    rate_cents BIGINT,
    amount_cents BIGINT NOT NULL,
    sheet_id VARCHAR,
    sheet_status VARCHAR,
    label VARCHAR,
    position BIGINT NOT NULL
);

-- What the members paid on their invoices (domain/invoice_payments.py), one row per payment.
CREATE TABLE IF NOT EXISTS invoice_payments (
    number INTEGER NOT NULL,
    amount_cents BIGINT NOT NULL,
    paid_on DATE NOT NULL,
    reference VARCHAR NOT NULL,
    position BIGINT NOT NULL
);

-- What the GE paid back on its regularisation credit notes (domain/invoice_payments.py), one
-- row per refund.
CREATE TABLE IF NOT EXISTS credit_note_refunds (
    number INTEGER NOT NULL,
    amount_cents BIGINT NOT NULL,
    refunded_on DATE NOT NULL,
    reference VARCHAR NOT NULL,
    position BIGINT NOT NULL
);
