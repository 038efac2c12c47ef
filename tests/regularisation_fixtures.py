"""The GE of tests/invoice_fixtures.py at year end, for the regularisation pages' tests: January
invoiced at the provisional rate (FA-000001 to FA-000003), then the year's actual costs —
Anne 300,00 €, Bruno 80,00 €, the GE's running costs 20,00 € on « Frais de fonctionnement du
GE », the resource its profile names — and a person per role who signs in with
tests/page_fixtures.PASSWORD. The figures by hand are tests/integration/test_regularisation.py's."""

from __future__ import annotations

from pathlib import Path

from application import invoicing, regularisation
from application.ledger import Ledger
from application.tokens import token_keys
from bootstrap import bootstrap
from domain.commands import RecordCost, RegisterResource
from projections.follower import Follower
from projections.recorder import DuckDBTrackingRecorder
from settings import Settings
from tests import invoice_fixtures as ge
from tests.api_fixtures import api_settings
from tests.page_fixtures import add_person

PEOPLE = {"coordinator": ("coordination@ge.example", "coordinator", None),
          "auditor": ("audit@ge.example", "auditor", None),
          "creche": ("creche@ge.example", "partner", "creche-a")}


def invoiced_year(ledger: Ledger, follower: Follower) -> None:
    """January invoiced at the provisional rate, then the year's actual costs (see the module)."""
    ge.pool(ledger)
    ge.terms(ledger)
    ge.sign_sheets(ledger, follower)
    invoicing.issue_month(ledger, follower, "2026-01", actor=ge.ACTOR)
    ledger.execute_batch([
        RegisterResource(resource_id="frais-ge", name="Frais de fonctionnement du GE", kind="service", unit="mois"),
        ge.PROFILE.model_copy(update={"running_cost_resources": ("frais-ge",)}),
        RecordCost(resource_id="anne", month="2026-01", amount_cents=30_000, category="salaire", document_ref="P-01"),
        RecordCost(resource_id="bruno", month="2026-01", amount_cents=8_000, category="salaire", document_ref="P-02"),
        RecordCost(resource_id="frais-ge", month="2026-01", amount_cents=2_000, category="comptable",
                   document_ref="C-01"),
    ], actor=ge.ACTOR)


def year_end_store(tmp: Path, *, regularised: bool = False) -> Settings:
    """The year on a store the app serves, with PEOPLE signed up; `regularised`: with the
    year's regularisation issued too."""
    settings = api_settings(tmp)
    keys = token_keys(settings, create=True)
    with bootstrap(settings) as ledger:
        # A scratch read model for the invoicing use cases; the app follows the log into its own.
        follower = Follower(ledger.recorder, DuckDBTrackingRecorder(tmp / "scratch.duckdb"))
        try:
            invoiced_year(ledger, follower)
            for email, role, partner_id in PEOPLE.values():
                add_person(ledger, keys, email, role, partner_id)
            if regularised:
                follower.catch_up()
                regularisation.issue_regularisation(ledger, follower, 2026, actor=ge.ACTOR)
        finally:
            follower.view.close()
    return settings
