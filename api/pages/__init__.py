"""The web pages, in French, in the same app as the API: server-rendered (Jinja2 templates
in api/templates/pages), working without JavaScript (forms, POST-redirect-GET)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.pages import errors, people, sign_in
from api.pages.throttle import SignInThrottle
# The partner's pages.
from api.pages import booking, partner, partner_disputes, partner_hour_sheets, partner_invoices, partner_statements
# The coordinator's pages.
from api.pages import (coordination, coordination_costs, coordination_disputes, coordination_hour_sheets, coordination_hours,
                       coordination_invoices, coordination_partners, coordination_tariffs)
# The groupement d'employeurs' pages (the coordinator's; the register, the debts, the local
# authorities' time, the fees and deposits, the payments and the year's regularisation are the
# auditor's too).
from api.pages import (ge_conditions, ge_funds, ge_hub, ge_local_authorities, ge_payments, ge_register,
                       ge_regularisation, ge_regularisation_trace, ge_solidarity)
# The employee's page.
from api.pages import employee_hour_sheets
# The auditor's and the analyst's pages.
from api.pages import analysis, audit, audit_anchor, audit_months

STATIC = Path(__file__).resolve().parents[1] / "static"
ROUTERS = (sign_in.router, people.router,
           # The partner's pages.
           partner.router, partner_statements.router, partner_disputes.router, partner_hour_sheets.router,
           partner_invoices.router, booking.router,
           # The coordinator's pages.
           coordination.router, coordination_costs.router, coordination_partners.router,
           coordination_disputes.router, coordination_hour_sheets.router, coordination_hours.router,
           coordination_invoices.router, coordination_tariffs.router,
           # The groupement d'employeurs' pages.
           ge_hub.router, ge_conditions.router, ge_register.router, ge_payments.router, ge_solidarity.router,
           ge_local_authorities.router, ge_funds.router, ge_regularisation.router,
           ge_regularisation_trace.router,
           # The employee's page.
           employee_hour_sheets.router,
           # The auditor's and the analyst's pages.
           audit.router, audit_months.router, audit_anchor.router, analysis.router)


def register(app: FastAPI) -> None:
    errors.register(app)
    app.state.sign_in_throttle = SignInThrottle()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
