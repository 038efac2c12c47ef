"""A small groupement d'employeurs for the GE pages' tests, written inline: the pool of
tests/history.py (creche-a, club-b, mda joined on 1 January; Anne Martin on staff), a
second employee, Bruno Petit, January's hours — Anne 7 h for the crèche, 3,5 h for the club,
2,25 h for the maison des associations, Bruno 4 h for the crèche — and a person per role
who signs in with tests/page_fixtures.PASSWORD. No GE terms: the tests set them."""

from __future__ import annotations

from pathlib import Path

from application.tokens import token_keys
from bootstrap import bootstrap
from domain.commands import LogStaffHours, RegisterResource
from settings import Settings
from tests.api_fixtures import api_settings, prepare
from tests.history import ACTOR
from tests.page_fixtures import add_person

PEOPLE = {"coordinator": "coord@ge.example", "auditor": "audit@ge.example", "partner": "creche@ge.example"}


def ge_store(tmp: Path) -> Settings:
    settings = api_settings(tmp)
    prepare(settings)
    keys = token_keys(settings)
    with bootstrap(settings) as ledger:
        ledger.execute_batch([
            RegisterResource(resource_id="bruno", name="Bruno Petit", kind="staff", unit="hour"),
            LogStaffHours(employee_id="anne", partner_id="creche-a", work_date="2026-01-05", hours="7"),
            LogStaffHours(employee_id="anne", partner_id="club-b", work_date="2026-01-06", hours="3.5"),
            LogStaffHours(employee_id="anne", partner_id="mda", work_date="2026-01-07", hours="2.25"),
            LogStaffHours(employee_id="bruno", partner_id="creche-a", work_date="2026-01-08", hours="4"),
        ], actor=ACTOR)
        add_person(ledger, keys, PEOPLE["coordinator"], "coordinator", name="Camille Roux")
        add_person(ledger, keys, PEOPLE["auditor"], "auditor", name="Alix Bernard")
        add_person(ledger, keys, PEOPLE["partner"], "partner", partner_id="creche-a", name="Inès Martin")
    return settings
