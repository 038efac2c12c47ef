"""A copier billed at 0,04 € a page through 2026, on real SQLite and DuckDB files, for the
tests of the tariff pools' year settlement.

By hand — costs 50,00 € (January) + 30,00 € (February) + 10,00 € (December) = 90,00 €;
pages: the crèche 1 000 in January and 500 in December, the club 700 in February (it leaves
on 15 March): charged 60,00 € and 28,00 €, 88,00 € in all; the tariff recovered 2,00 € too
little. The 90,00 € split by pages (1 500 / 700 of 2 200): 6 136,36… and 2 863,63… cents,
floors 6 136 and 2 863, the cent left to the club's larger remainder: 6 136 / 2 864. The
settlement: 1,36 € owed by the crèche, 0,64 € by the club, 2,00 € in all."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from application.ledger import Ledger
from application.tokens import token_keys
from bootstrap import bootstrap
from domain.commands import RecordCost, RecordEquipmentUse, SetAllocationKey
from domain.keys import AllocationKey
from settings import Settings
from tests.api_fixtures import api_settings
from tests.ledger_fixtures import COORDINATOR, small_pool
from tests.page_fixtures import add_person

COPIER = "copieur"
PAGE_CENTS = Decimal(4)
PEOPLE = {"coordinator": ("coordination@copieur.example", "coordinator", None),
          "auditor": ("audit@copieur.example", "auditor", None),
          "creche": ("creche@copieur.example", "partner", "creche-a"),
          "club": ("club@copieur.example", "partner", "club-b")}
EXPECTED = {"creche-a": (Decimal(1500), 6_136, 6_000, 136), "club-b": (Decimal(700), 2_864, 2_800, 64)}


def copier_year(ledger: Ledger) -> None:
    small_pool(ledger)
    ledger.execute_batch([
        SetAllocationKey(resource_id=COPIER, applies_from="2026-01",
                         key=AllocationKey(method="tariff", unit_price_cents=PAGE_CENTS)),
        RecordCost(resource_id=COPIER, month="2026-01", amount_cents=5_000, category="location",
                   document_ref="LOC-01"),
        RecordCost(resource_id=COPIER, month="2026-02", amount_cents=3_000, category="location",
                   document_ref="LOC-02"),
        RecordCost(resource_id=COPIER, month="2026-12", amount_cents=1_000, category="maintenance",
                   document_ref="MNT-12"),
        RecordEquipmentUse(resource_id=COPIER, partner_id="creche-a", used_on="2026-01-12",
                           quantity=Decimal(1000), unit="page"),
        RecordEquipmentUse(resource_id=COPIER, partner_id="club-b", used_on="2026-02-03",
                           quantity=Decimal(700), unit="page"),
        RecordEquipmentUse(resource_id=COPIER, partner_id="creche-a", used_on="2026-12-01",
                           quantity=Decimal(500), unit="page"),
    ], actor=COORDINATOR)


def copier_store(tmp: Path) -> Settings:
    """The copier's year on a store the app serves, with PEOPLE signed up."""
    settings = api_settings(tmp)
    keys = token_keys(settings, create=True)
    with bootstrap(settings) as ledger:
        copier_year(ledger)
        for email, role, partner_id in PEOPLE.values():
            add_person(ledger, keys, email, role, partner_id)
    return settings
