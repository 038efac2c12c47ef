"""Pseudonyms that hold: nothing in the analysts' snapshot, nor in the pseudonymised export,
equals, contains or is a hash of an employee's name or id (real SQLite, DuckDB, workers)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterator

import duckdb
import pytest

from application import people
from application.exporting import ANALYST_TABLES, export
from application.permissions import Operator
from application.tokens import issue_token, token_keys
from projections.pseudonymise import mask_label
from projections.sandbox import Limits
from domain.commands import BookSlot
from tests.api_fixtures import Api
from tests.page_fixtures import PASSWORD, add_person
from tests.integration.test_sql_endpoint import locked, start_api

# Employees whose ids are their names, as a pool may well register them.
STAFF = {"anne-martin": "Anne Martin", "bruno-lefevre": "Bruno Lefèvre"}
WEEK_DAY = "2026-03-02"


def needles() -> set[str]:
    """Every form of a name or id to look for, lower case: as written, JSON-escaped, parts of
    four letters or more, and the hex SHA-256 and MD5 of each in its case variants."""
    found = set()
    for resource_id, name in STAFF.items():
        for text in (resource_id, name):
            variants = {text, text.lower(), text.upper(), text.title(), text.casefold()}
            found |= {v.lower() for v in variants} | {json.dumps(text)[1:-1].lower()}
            found |= {part.lower() for part in text.replace("-", " ").split() if len(part) >= 4}
            for variant in variants:
                data = variant.encode()
                found |= {hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest()}
    return found


def live_values(api: Api) -> set[str]:
    """Aggregate ids and chain hashes of the live projections: each is a hash over a natural
    key or over stored bytes that embed the names."""
    conn = api.client.app.state.services.follower.cursor()
    try:
        return {str(v) for row in conn.execute("SELECT aggregate_id, chain_hash FROM events").fetchall()
                for v in row}
    finally:
        conn.close()


def leaks(conn: duckdb.DuckDBPyConnection, tables: list[str], forbidden: set[str]) -> list[tuple]:
    """(table, column, needle) for every value of every column of `tables` that contains a
    needle (case-insensitively) or equals a forbidden value."""
    found = []
    for table in tables:
        columns = [row[0] for row in conn.execute(f'DESCRIBE "{table}"').fetchall()]
        for column in columns:
            values = {v for (v,) in conn.execute(
                f'SELECT DISTINCT lower(CAST("{column}" AS VARCHAR)) FROM "{table}"').fetchall() if v}
            for needle in needles():
                if any(needle in value for value in values):
                    found.append((table, column, needle))
            if values & {f.lower() for f in forbidden}:
                found.append((table, column, "a live hash or aggregate id"))
    return found


def post(api: Api, url: str, body: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else api.headers("coordinator")
    response = api.client.post(url, json=body, headers=headers)
    assert response.status_code == 201, (url, response.text)
    return response.json()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """The small pool, plus employees whose ids are their names, named everywhere free text
    can name them: categories, document refs, reasons, comments, token labels (actors)."""
    api = start_api(tmp_path)
    ledger = api.client.app.state.services.ledger
    named_token = issue_token(ledger, "coordinator", label="Anne Martin", actor="anne-martin",
                              keys=token_keys(api.settings))
    for resource_id, name in STAFF.items():
        post(api, "/resources", {"resource_id": resource_id, "name": name, "kind": "staff", "unit": "hour"})
        post(api, f"/resources/{resource_id}/keys", {"applies_from": "2026-01", "key": {"method": "usage"}})
    post(api, "/costs", {"resource_id": "anne-martin", "month": "2026-03", "amount_cents": 250_000,
                         "category": "salaire Anne Martin", "document_ref": "paie anne-martin 03"}, named_token)
    hours = post(api, "/staff-hours", {"employee_id": "anne-martin", "partner_id": "creche-a",
                                       "work_date": WEEK_DAY, "hours": "3"}, named_token)
    post(api, "/staff-hours", {"employee_id": "bruno-lefevre", "partner_id": "club-b",
                               "work_date": WEEK_DAY, "hours": "2"})
    entry = "anne-martin:2026-W10:1"
    post(api, f"/entries/{entry}/corrections", {"quantity": "2.5", "reason": "Anne Martin partie plus tôt"})
    post(api, "/entries/bruno-lefevre:2026-W10:1/void", {"reason": "BRUNO LEFÈVRE absent"})
    creche = api.tokens["creche"]
    opened = post(api, "/disputes", {"partner_id": "creche-a", "month": "2026-03", "resource_id": "anne-martin",
                                     "reason": "Anne Martin n'est pas venue", "attachment_ref": "mail-anne-martin"},
                  creche)
    dispute_id = "creche-a:2026-03:d1"
    post(api, f"/disputes/{dispute_id}/comments", {"comment": "vu avec bruno-lefevre"}, creche)
    post(api, f"/disputes/{dispute_id}/resolve", {"outcome": "accepted", "reason": "Anne Martin confirme",
                                                  "credit_cents": 1000, "corrected_entries": [entry]})
    # The GE invoices the crèche for March: a line names Anne Martin, her job title names Bruno.
    post(api, "/ge/profile", {"legal_name": "GE du Haut-Val", "address": "Mairie", "siren": "732829320",
                              "vat_regime": "exempt_261b", "late_penalty_rate": "12"})
    post(api, "/ge/members", {"partner_id": "creche-a", "legal_name": "Les Marmots", "address": "Écoles"})
    post(api, "/ge/contracts", {"employee_id": "anne-martin", "applies_from": "2026-01", "contract_kind": "cdi",
                                "working_time": "full_time", "weekly_hours": "35", "hourly_pay_cents": 1200,
                                "job_title": "Remplaçante de Bruno Lefèvre"})
    post(api, "/ge/rate-cards", {"applies_from": "2026-01", "default_coefficient": "1.87"})
    post(api, "/ge/invoices", {"month": "2026-03", "partner_id": "creche-a", "accept_unsigned_sheets": True})
    last = post(api, "/periods/2026-01/close", {})
    assert hours["position"] < opened["position"] < last["position"]
    assert api.client.app.state.services.follower.wait_for(last["position"], timeout=10)
    yield api
    api.client.__exit__(None, None, None)


def test_no_snapshot_column_names_hashes_or_embeds_an_employee(api: Api) -> None:
    """Every column of every table and view of the snapshot: no value equals or contains a
    name or id (any case, JSON-escaped, or a part of it), their SHA-256 or MD5, nor a live
    chain hash or aggregate id."""
    live = api.client.app.state.services.follower.cursor()
    try:  # the live projections do hold what the test looks for
        assert leaks(live, ["resource_versions", "usage_versions", "events"], set())
    finally:
        live.close()
    with api.client.app.state.services.snapshots.snapshot(at_least=0) as snapshot, locked(snapshot) as conn:
        tables = [name for (name,) in conn.execute(
            "SELECT table_name FROM duckdb_tables() UNION SELECT view_name FROM duckdb_views() "
            "WHERE NOT internal").fetchall()]
        assert set(tables) >= set(ANALYST_TABLES)
        assert leaks(conn, tables, live_values(api)) == []
        # What stays useful: hours per pseudonymous employee, their entries, the cost categories.
        assert conn.execute("SELECT resource_id, entry_id, quantity FROM usage WHERE usage_kind = 'staff_hours' "
                            "AND resource_id LIKE 'employee-%' ORDER BY entry_id").fetchall()[-2:] == [
            ("employee-2", "employee-2:2026-W10:1", 2.5), ("employee-3", "employee-3:2026-W10:1", 2)]
        # An invoice line names its employee by the pseudonym, id and name alike.
        assert conn.execute("SELECT employee_id, employee_name, job_title, sheet_id, amount_cents FROM invoice_lines"
                            ).fetchall() == [("employee-2", "employee-2", "Remplaçante de employee-3",
                                              "employee-2:creche-a:2026-03", 5610)]
        # tests/history.py's `anne` is an Anne Martin too: the label names one of them.
        assert conn.execute("SELECT category FROM costs WHERE resource_id = 'employee-2'").fetchall() == [
            ("salaire employee-1",)]


def test_the_pseudonymised_export_holds_no_employee_either(api: Api, tmp_path: Path) -> None:
    """The files of `encommun export` (Parquet), scanned the same way."""
    api.client.__exit__(None, None, None)  # the export reads the projection file the API held
    out = tmp_path / "export"
    export(api.settings.projection_path, out, "parquet", Limits())
    with duckdb.connect() as conn:
        for name in ANALYST_TABLES:
            conn.execute(f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{out / name}.parquet')")
        assert leaks(conn, list(ANALYST_TABLES), set()) == []
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] > 0


def test_a_label_is_masked_for_names_ids_and_their_parts_in_any_case() -> None:
    staff = [("anne-martin", "employee-1", "Anne Martin")]
    assert mask_label("Salaire ANNE MARTIN", staff) == "Salaire employee-1"
    assert mask_label("prime martin", staff) == "prime employee-1"
    assert mask_label("loyer", staff) == "loyer"


def test_the_snapshot_holds_no_person_address_password_hash_or_secret_digest(tmp_path: Path) -> None:
    """People who sign in to the pages: their e-mail addresses (in events and actors), their
    password hashes and the digests of their links and cookies stay out of the snapshot."""
    api = start_api(tmp_path)
    try:
        ledger = api.client.app.state.services.ledger
        keys = token_keys(api.settings)
        add_person(ledger, keys, "anne.martin@creche.example", "partner", "creche-a", name="Anne Martin")
        session = people.sign_in(ledger, "anne.martin@creche.example", PASSWORD, keys=keys)
        signed = people.find_session(ledger, session, keys)
        outcome = ledger.execute(BookSlot(
            resource_id="salle-vercors", partner_id="creche-a", starts_at="2026-03-03T09:00:00+01:00",
            ends_at="2026-03-03T10:00:00+01:00"), actor=signed)
        people.sign_out(ledger, signed)
        people.revoke_person(ledger, Operator("tests"), "anne.martin@creche.example")
        assert api.client.app.state.services.follower.wait_for(outcome.position + 2, timeout=10)
        live = api.client.app.state.services.follower.cursor()
        try:
            secrets = {v for (payload,) in live.execute(
                "SELECT payload FROM events WHERE event_type IN ('PersonInvited', 'InvitationAccepted', "
                "'SessionOpened', 'SessionClosed')").fetchall()
                for k, v in json.loads(payload).items() if k in ("password_hash", "invitation_sha256",
                                                                 "session_sha256", "mac")}
        finally:
            live.close()
        assert len(secrets) >= 4
        with api.client.app.state.services.snapshots.snapshot(at_least=0) as snapshot, locked(snapshot) as conn:
            text = " ".join(str(row) for row in conn.execute(
                "SELECT actor, payload FROM events WHERE position > 0").fetchall()).lower()
        assert "anne.martin@creche.example" not in text and "creche.example" not in text
        assert not [s for s in secrets if s.lower() in text]
        assert "$argon2" not in text
    finally:
        api.client.__exit__(None, None, None)
