"""A small GE written inline for the invoice tests: three members, two employees, January's
hours, the GE's profile, its members' billing details, contracts and a rate card; sheets
submitted and countersigned on request.

Figures by hand (January 2026):
- Anne (cdi, 12,00 € brut) for the crèche: 7 h + 3,25 h = 10,25 h at 12,00 × 1,87 = 22,44 €
  → 230,01 € (230,010); Bruno (cdd, 11,00 €) for the crèche: 4 h at 11,00 × 1,95 = 21,45 €
  → 85,80 €; total HT 315,81 €.
- Anne for the club: 3,5 h at 12,00 × 1,6 = 19,20 € → 67,20 €.
- Anne for the maison des associations: 2,25 h at its flat 23,00 € → 51,75 €.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from application.hour_sheets import submit_sheet
from application.ledger import Ledger
from application.permissions import Operator
from domain.billing_terms import SetContractTerms, SetGroupProfile, SetMemberDetails, SetRateCard
from domain.commands import JoinPartner, LogStaffHours, RegisterResource
from domain.hour_sheets import CountersignHourSheet
from domain.invoices import IssueInvoice
from projections.follower import Follower
from projections import read_model

ACTOR = "coordinator@test"

PROFILE = SetGroupProfile(legal_name="Groupement d'employeurs du Haut-Val", address="2 place de la Mairie, 38000 Haut-Val",
                          siren="732829320", vat_regime="exempt_261b", payment_days=30, late_penalty_rate="12.00")
MEMBERS = [
    SetMemberDetails(partner_id="creche-a", legal_name="Association Les Marmots",
                     address="1 rue des Écoles, 38000 Haut-Val", siren="443061841", professional=True),
    SetMemberDetails(partner_id="club-b", legal_name="Football club du Haut-Val", address="Stade, 38000 Haut-Val",
                     siren="552100554", professional=True),
    SetMemberDetails(partner_id="mda", legal_name="Communauté de communes du Haut-Val",
                     address="Hôtel communautaire, 38000 Haut-Val", siren="200030658", professional=False,
                     local_authority=True),
]
CONTRACTS = [
    SetContractTerms(employee_id="anne", applies_from="2026-01", contract_kind="cdi", working_time="full_time",
                     weekly_hours="35", hourly_pay_cents=1200, job_title="Assistante administrative"),
    SetContractTerms(employee_id="bruno", applies_from="2026-01", contract_kind="cdd", working_time="part_time",
                     weekly_hours="20", hourly_pay_cents=1100, job_title="Agent d'entretien"),
]
CARD = SetRateCard(applies_from="2026-01", default_coefficient="1.87", kind_coefficients={"cdd": "1.95"},
                   member_coefficients={"club-b": "1.6"}, member_flat_fees_cents={"mda": 2300})
HOURS = [("anne", "creche-a", "2026-01-05", "7"), ("anne", "creche-a", "2026-01-12", "3.25"),
         ("bruno", "creche-a", "2026-01-06", "4"), ("anne", "club-b", "2026-01-06", "3.5"),
         ("anne", "mda", "2026-01-07", "2.25")]
# What the month's invoices hold, worked out by hand above (cents HT).
EXPECTED_HT = {"creche-a": 31_581, "club-b": 6_720, "mda": 5_175}


def pool(ledger: Ledger) -> None:
    """Partners, employees and January's hours: no billing terms yet."""
    ledger.execute_batch([
        JoinPartner(partner_id="creche-a", name="Crèche Les Marmots", joined_on="2026-01-01"),
        JoinPartner(partner_id="club-b", name="Club de foot", joined_on="2026-01-01"),
        JoinPartner(partner_id="mda", name="Maison des associations", joined_on="2026-01-01"),
        RegisterResource(resource_id="anne", name="Anne Martin", kind="staff", unit="hour"),
    ], actor=ACTOR)
    hours(ledger)


def hours(ledger: Ledger) -> None:
    """Bruno, and January's hours (on a pool that has the three partners and Anne)."""
    ledger.execute_batch([
        RegisterResource(resource_id="bruno", name="Bruno Lefèvre", kind="staff", unit="hour"),
        *[LogStaffHours(employee_id=e, partner_id=p, work_date=d, hours=h) for e, p, d, h in HOURS],
    ], actor=ACTOR)


def terms(ledger: Ledger, *, profile: bool = True, members: bool = True, card: bool = True) -> None:
    ledger.execute_batch([*([PROFILE] if profile else []), *(MEMBERS if members else []), *CONTRACTS,
                          *([CARD] if card else [])], actor=ACTOR)


@dataclass(frozen=True)
class Member:
    """A member's own hand on its sheets (only a member countersigns its sheets)."""

    partner_id: str
    actor: str = "member@test"
    role: str = "partner"


def sign_sheets(ledger: Ledger, follower: Follower, month: str = "2026-01", *, leave: set[str] = frozenset()) -> None:
    """Submit every sheet of the month and have each member countersign it, but those in `leave`."""
    follower.catch_up()
    with follower.view.transaction() as conn:
        rows = read_model.hour_sheets_of_month(conn, month, follower.runner.position)
    for row in rows:
        submit_sheet(ledger, follower, row["sheet_id"], actor=Operator(ACTOR))
    follower.catch_up()
    with follower.view.transaction() as conn:
        rows = read_model.hour_sheets_of_month(conn, month, follower.runner.position)
    for row in rows:
        if row["sheet_id"] not in leave:
            ledger.execute(CountersignHourSheet(sheet_id=row["sheet_id"], signed_by="Claire Dupont",
                                                entries_sha256=row["submitted_sha256"]),
                           actor=Member(row["partner_id"]))


def ge_after_history(ledger: Ledger, follower: Follower) -> list[tuple[type, object]]:
    """On tests/history.py's pool (Anne's hours for the three partners): the GE's terms,
    January's invoice of the crèche (its sheet not yet submitted: accepted unsigned), a
    credit note of 1,00 € on it and a payment; each command's type with its outcome."""
    from application import invoicing
    from domain.invoice_payments import RecordInvoicePayment
    from domain.invoices import IssueCreditNote

    runs: list[tuple[type, object]] = [(type(c), ledger.execute(c, actor=ACTOR))
                                       for c in (PROFILE, *MEMBERS, CONTRACTS[0], CARD)]
    follower.catch_up()
    with follower.view.transaction() as conn:
        draft = next(d for d in invoicing.drafts(conn, "2026-01", follower.runner.position) if d.partner_id == "creche-a")
    runs.append((IssueInvoice, ledger.execute(draft.command(accept_unsigned_sheets=True), actor=ACTOR)))
    runs.append((IssueCreditNote, ledger.execute(IssueCreditNote(corrects=1, partner_id="creche-a", reason="erreur",
                                                                 amount_ht_cents=100), actor=ACTOR)))
    runs.append((RecordInvoicePayment, ledger.execute(RecordInvoicePayment(
        number=1, amount_cents=100, paid_on=date.today(), reference="virement"), actor=ACTOR)))
    return runs
