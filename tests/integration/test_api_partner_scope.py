"""A partner token tries every route of the API on another partner: every write is
refused and records nothing; every read is refused or shows nothing of the other
partner. The sweep covers every operation of the OpenAPI document."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.api_fixtures import Api, start

MONTH = "2026-01"
OTHER = "club-b"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """January: a room cost, a booking, copies and staff hours of each partner, the month
    closed, and a dispute that club-b opened on its room line."""
    api = start(tmp_path_factory.mktemp("scope"))
    coordinator = api.headers("coordinator")
    api.client.post("/costs", headers=coordinator, json={
        "resource_id": "salle-vercors", "month": MONTH, "amount_cents": 50_000, "category": "loyer",
        "document_ref": "FAC-1"})
    for partner, day in (("creche-a", "05"), (OTHER, "06")):
        api.client.post("/bookings", headers=coordinator, json={
            "resource_id": "salle-vercors", "partner_id": partner,
            "starts_at": f"{MONTH}-{day}T09:00:00+01:00", "ends_at": f"{MONTH}-{day}T11:00:00+01:00"})
        api.client.post("/equipment-uses", headers=coordinator, json={
            "resource_id": "copieur", "partner_id": partner, "used_on": f"{MONTH}-{day}", "quantity": 100,
            "unit": "page"})
    api.client.post("/staff-hours", headers=coordinator, json={
        "employee_id": "anne", "partner_id": OTHER, "work_date": f"{MONTH}-06", "hours": "3"})
    assert api.client.post(f"/periods/{MONTH}/close", headers=coordinator).status_code == 201
    opened = api.client.post("/disputes", headers=api.headers("club"), json={
        "partner_id": OTHER, "month": MONTH, "resource_id": "salle-vercors", "reason": "x"})
    assert opened.status_code == 201, opened.text
    # The GE invoices club-b for January (FA-000001).
    for path, body in (("/ge/profile", GE_PROFILE), ("/ge/members", {"partner_id": OTHER, "legal_name": "FC",
                                                                      "address": "Stade"}),
                       ("/ge/contracts", GE_CONTRACT), ("/ge/rate-cards", GE_CARD),
                       ("/ge/invoices", {"month": MONTH, "partner_id": OTHER, "accept_unsigned_sheets": True})):
        assert api.client.post(path, headers=coordinator, json=body).status_code == 201
    yield api
    api.client.__exit__(None, None, None)


GE_PROFILE = {"legal_name": "GE", "address": "Mairie", "siren": "732829320", "vat_regime": "exempt_261b",
              "late_penalty_rate": "12"}
GE_CONTRACT = {"employee_id": "anne", "applies_from": MONTH, "contract_kind": "cdi", "working_time": "full_time",
               "weekly_hours": "35", "hourly_pay_cents": 1200, "job_title": "Assistante"}
GE_CARD = {"applies_from": MONTH, "default_coefficient": "1.87"}
OTHER_INVOICE = "FA-000001"
OTHER_BOOKING = "salle-vercors:2026-01-06:1"
OTHER_HOURS = "anne:2026-W02:1"
OTHER_DISPUTE = f"{OTHER}:{MONTH}:d1"
OTHER_SHEET = f"anne:{OTHER}:{MONTH}"

# Every operation, aimed at club-b by creche-a's token.
WRITES = [
    ("POST", "/partners", {"partner_id": "intrus", "name": "Intrus", "joined_on": "2026-01-01"}),
    ("POST", f"/partners/{OTHER}/leave", {"day": "2026-02-01"}),
    ("POST", f"/partners/{OTHER}/rejoin", {"day": "2026-03-01"}),
    ("POST", "/resources", {"resource_id": "intrus", "name": "Intrus", "kind": "premises", "unit": "hour"}),
    ("POST", "/resources/salle-vercors/retire", {"retired_on": "2026-02-01"}),
    ("POST", "/resources/salle-vercors/keys", {"applies_from": "2026-02", "key": {"method": "equal",
                                                "partners": [OTHER]}}),
    ("POST", "/costs", {"resource_id": "salle-vercors", "month": "2026-02", "amount_cents": 1,
                        "category": "x", "document_ref": "y"}),
    ("POST", "/bookings", {"resource_id": "salle-vercors", "partner_id": OTHER,
                           "starts_at": "2026-02-02T09:00:00+01:00", "ends_at": "2026-02-02T10:00:00+01:00"}),
    ("POST", f"/bookings/{OTHER_BOOKING}/cancel", {"reason": "x"}),
    ("POST", "/staff-hours", {"employee_id": "anne", "partner_id": OTHER, "work_date": "2026-02-02",
                              "hours": "1"}),
    ("POST", "/equipment-uses", {"resource_id": "copieur", "partner_id": OTHER, "used_on": "2026-02-02",
                                 "quantity": 10, "unit": "page"}),
    ("POST", f"/entries/{OTHER_HOURS}/corrections", {"quantity": "1", "reason": "x"}),
    ("POST", f"/entries/{OTHER_HOURS}/void", {"reason": "x"}),
    ("POST", "/batch", {"commands": [{"command": "log_staff_hours", "employee_id": "anne",
                                      "partner_id": OTHER, "work_date": "2026-02-03", "hours": "1"}]}),
    ("POST", "/periods/2026-02/close", None),
    ("POST", "/disputes", {"partner_id": OTHER, "month": MONTH, "resource_id": "salle-vercors",
                           "reason": "x"}),
    ("POST", f"/disputes/{OTHER_DISPUTE}/comments", {"comment": "x"}),
    ("POST", f"/disputes/{OTHER_DISPUTE}/resolve", {"outcome": "rejected", "reason": "x"}),
    ("POST", "/sql", {"sql": "SELECT * FROM usage"}),
    ("POST", "/ge/profile", GE_PROFILE),
    ("POST", "/ge/members", {"partner_id": OTHER, "legal_name": "Intrus", "address": "x"}),
    ("POST", "/ge/contracts", GE_CONTRACT),
    ("POST", "/ge/rate-cards", GE_CARD),
    ("POST", "/ge/invoices", {"month": MONTH, "partner_id": OTHER}),
    ("POST", f"/ge/invoices/{OTHER_INVOICE}/credit-note", {"reason": "x"}),
    # A groupement d'employeurs' terms, register and debts: the coordinator's alone.
    ("POST", "/ge/register/notifications", {"up_to_position": 1, "notified_on": "2026-02-01", "reference": "x"}),
    ("POST", "/ge/debts", {"creditor_kind": "employees", "creditor": "x", "amount_cents": 100, "first_month": MONTH,
                           "last_month": MONTH, "due_on": "2026-03-01", "reference": "x"}),
    ("POST", "/ge/debts/d1/settle", {"settled_on": "2026-03-01", "reference": "x"}),
    ("POST", "/pool/cost-basis", {"applies_from": MONTH, "basis": "ttc"}),
    ("POST", "/ge/regularisations/2026", None),
    ("POST", "/resources/copieur/settlements", {"year": 2026, "month": "2026-12", "as_of_position": 1}),
    ("POST", "/ge/payments", {"number": 1, "amount_cents": 100, "paid_on": "2026-02-20", "reference": "x"}),
    ("POST", "/ge/refunds", {"number": 1, "amount_cents": 100, "refunded_on": "2026-02-20", "reference": "x"}),
    ("POST", "/ge/fees", {"partner_id": OTHER, "year": 2026, "amount_cents": 100}),
    ("POST", "/ge/deposits", {"partner_id": OTHER, "amount_cents": 100}),
    ("POST", "/ge/deposits/return", {"partner_id": OTHER, "amount_cents": 100, "returned_on": "2026-03-01"}),
    ("POST", f"/hour-sheets/months/{MONTH}/submit", None),
    ("POST", f"/hour-sheets/{OTHER_SHEET}/submit", None),
    ("POST", f"/hour-sheets/{OTHER_SHEET}/countersign", {"signed_by": "Intrus", "entries_sha256": "0" * 64}),
    ("POST", f"/hour-sheets/{OTHER_SHEET}/contest", {"reason": "x"}),
]
REFUSED_READS = [
    ("GET", f"/partners/{OTHER}/statements/{MONTH}", {}),
    ("GET", f"/partners/{OTHER}/statements/{MONTH}/document", {}),
    ("GET", f"/partners/{OTHER}/statements/{MONTH}/document.csv", {}),
    ("GET", f"/partners/{OTHER}/statements/{MONTH}/lines/salle-vercors/trace", {}),
    ("GET", "/cost-shares", {"month": MONTH, "partner_id": OTHER}),
    ("GET", "/disputes", {"partner_id": OTHER}),
    ("GET", "/audit", {}),
    ("GET", "/audit/anchor", {}),
    ("GET", "/people", {}),
    ("GET", "/ge/terms", {}),
    ("GET", "/ge/rates", {"month": MONTH}),
    ("GET", "/ge/local-authority-share", {"year": 2026}),
    ("GET", "/ge/exposure", {}),
    ("GET", "/ge/register", {}),
    ("GET", "/ge/register/changes", {}),
    ("GET", "/ge/member-funds", {}),
    ("GET", "/ge/regularisations/2026", {}),
    ("GET", f"/ge/regularisations/2026/{OTHER}/trace", {}),
    ("GET", "/ge/unpaid", {}),
    ("GET", "/ge/refunds", {}),
    ("GET", "/ge/invoices", {"partner_id": OTHER}),
    ("GET", f"/ge/invoices/{OTHER_INVOICE}", {}),
    ("GET", f"/ge/invoices/{OTHER_INVOICE}.pdf", {}),
    ("GET", f"/ge/invoices/{OTHER_INVOICE}.csv", {}),
    ("GET", f"/hour-sheets/{OTHER_SHEET}", {}),
]
# Reads that name no partner: answered, with nothing of the other partner in them.
FILTERED_READS = [
    ("GET", "/cost-shares", {"month": MONTH}),
    ("GET", "/disputes", {}),
    ("GET", "/periods", {}),
    ("GET", f"/periods/{MONTH}/issued-vs-now", {}),
    ("GET", "/months", {}),
    # A member sees its own sheets only.
    ("GET", "/hour-sheets", {"month": MONTH}),
    # Keys show a partner its own weight and place, with the totals.
    ("GET", "/resources", {}),
    # A tariff's yearly statement of uses: a partner's own line, with the totals.
    ("GET", "/resources/copieur/settlements/2026", {}),
    # The GE's invoice register: a member's own invoices only.
    ("GET", "/ge/invoices", {}),
]
# Reads that name the other partner, but show nothing of its details (the directory:
# its name and kind, not its memberships).
NAMED_READS = [
    ("GET", "/partners", {}),
]
# Reads that name no partner at all, whoever asks.
NAMELESS = ("/periods", "/months")
# Reads that need no token (a load balancer asks them): nothing of any partner in them.
PUBLIC_READS = [
    ("GET", "/ready", {}),
]


def _matches(piece: str, part: str) -> bool:
    """A template's path segment and a concrete one: `{name}` matches any, `{name}.csv` any ending in .csv."""
    if piece.startswith("{"):
        return part.endswith(piece.partition("}")[2])
    return piece == part


def _template(path: str, openapi_paths: list[str]) -> str:
    """The OpenAPI path template a concrete path matches."""
    parts = path.strip("/").split("/")
    for template in openapi_paths:
        pieces = template.strip("/").split("/")
        if len(pieces) == len(parts) and all(_matches(p, q) for p, q in zip(pieces, parts)):
            return template
    raise AssertionError(f"no route for {path}")


def test_the_sweep_covers_every_operation_of_the_api(api: Api) -> None:
    """Adding a route without adding it here fails."""
    paths = api.client.get("/openapi.json").json()["paths"]
    documented = {(method.upper(), template) for template, ops in paths.items() for method in ops}
    swept = {(m, _template(p, list(paths))) for m, p, _ in WRITES + REFUSED_READS + FILTERED_READS + NAMED_READS
             + PUBLIC_READS}
    assert swept == documented


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_a_partner_cannot_write_for_another_partner(api: Api, method: str, path: str, body: dict | None) -> None:
    """403 (404 for another partner's booking, answered as if it did not exist), the other
    partner's id is not revealed, and the log does not grow."""
    before = _log_end(api)
    response = api.client.request(method, path, json=body, headers=api.headers("creche"))
    assert response.status_code == (404 if path == f"/bookings/{OTHER_BOOKING}/cancel" else 403), response.text
    if OTHER not in path + str(body):
        assert OTHER not in response.text
    assert _log_end(api) == before


@pytest.mark.parametrize(("method", "path", "params"), REFUSED_READS,
                         ids=[f"{m} {p}" for m, p, _ in REFUSED_READS])
def test_a_partner_cannot_read_another_partner_s_figures(api: Api, method: str, path: str, params: dict) -> None:
    """403 for every read naming the other partner (and for the audit trail)."""
    response = api.client.request(method, path, params=params, headers=api.headers("creche"))
    assert response.status_code == 403, response.text


@pytest.mark.parametrize(("method", "path", "params"), FILTERED_READS,
                         ids=[f"{m} {p}" for m, p, _ in FILTERED_READS])
def test_reads_without_a_partner_show_nothing_of_the_other_one(api: Api, method: str, path: str, params: dict) -> None:
    """Answered, but the other partner's id appears nowhere in the answer."""
    response = api.client.request(method, path, params=params, headers=api.headers("creche"))
    assert response.status_code == 200, response.text
    assert OTHER not in response.text
    # The coordinator's answer does name it: the check above is not vacuous where it matters.
    if path not in NAMELESS:
        assert OTHER in api.client.request(method, path, params=params, headers=api.headers("coordinator")).text


@pytest.mark.parametrize(("method", "path", "params"), NAMED_READS,
                         ids=[f"{m} {p}" for m, p, _ in NAMED_READS])
def test_the_directory_names_the_other_partner_and_nothing_more(api: Api, method: str, path: str,
                                                                 params: dict) -> None:
    """The other partner's id, name and kind; its status and memberships null (the
    coordinator sees them), its own in full."""
    rows = {row["partner_id"]: row for row in
            api.client.request(method, path, params=params, headers=api.headers("creche")).json()}
    assert rows[OTHER]["name"] == "Club de foot"
    hidden = ("status", "joined_on", "left_on", "memberships")
    assert all(rows[OTHER][field] is None for field in hidden), rows[OTHER]
    assert rows["creche-a"]["memberships"] == [{"first_day": "2026-01-01", "last_day": None}]
    seen = {row["partner_id"]: row for row in
            api.client.request(method, path, params=params, headers=api.headers("coordinator")).json()}
    assert seen[OTHER]["memberships"] is not None and seen[OTHER]["status"] is not None


@pytest.mark.parametrize(("method", "path", "params"), PUBLIC_READS,
                         ids=[f"{m} {p}" for m, p, _ in PUBLIC_READS])
def test_reads_without_a_token_name_no_partner(api: Api, method: str, path: str, params: dict) -> None:
    """Answered without a token, and no partner's id appears in the answer."""
    response = api.client.request(method, path, params=params)
    assert response.status_code == 200, response.text
    assert OTHER not in response.text and "creche-a" not in response.text


def _log_end(api: Api) -> int:
    return api.client.app.state.services.ledger.recorder.max_notification_id()
