"""Tokens no stored row can mint: the API on copies of a real store edited directly (a
TokenIssued appended, a role edited with its checksum recomputed); key rotation; the key
file; and the anchor an auditor reads from the API."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from bootstrap import bootstrap
from domain import access
from domain.aggregate import Stamp
from application.tokens import digest, find_token, issue_token, token_keys
from projections.verify import Anchor, head, verify
from settings import Settings
from tests.api_fixtures import api_settings, prepare
from tests.tampering import append, replace_in, rows

FORGED = "enc_forged-by-someone-with-the-database"


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The small pool and a token per role, in a store whose key file sits beside it."""
    tmp = tmp_path_factory.mktemp("tokens")
    settings = api_settings(tmp)
    return {"settings": settings, "tokens": prepare(settings)}


def api_on_copy(original: dict, tmp_path: Path, change: Callable[[sqlite3.Connection], object]) -> TestClient:
    """The API on a copy of the store (and of its key: the same deployment), edited by `change`."""
    settings = api_settings(tmp_path)
    with sqlite3.connect(original["settings"].sqlite_path) as source, sqlite3.connect(settings.sqlite_path) as db:
        source.backup(db)
        change(db)
    shutil.copy(original["settings"].token_key_path, settings.token_key_path)
    return TestClient(create_app(settings))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_coordinator_token_appended_straight_into_the_store_neither_authenticates_nor_closes_a_month(
        original: dict, tmp_path: Path) -> None:
    """TokenIssued rows appended with valid checksums (one with no MAC, one with the MAC of the
    real coordinator token, one with a MAC under another key): 401 everywhere; the real
    coordinator token still closes the month."""
    coordinator = original["tokens"]["coordinator"]

    def forge(db: sqlite3.Connection) -> None:
        stamp = Stamp("cli", datetime.now(timezone.utc))
        real_mac = next(access.TokenIssued.model_validate_json(state.rsplit(b"\n", 1)[0]).mac
                        for _, _, _, state in rows(db, "TokenIssued")
                        if digest(coordinator).encode() in state)
        for n, mac in enumerate((None, real_mac, "guess")):
            event = access.issue(None, digest(f"{FORGED}-{n}"), "coordinator", None, f"forged {n}", stamp,
                                 key=b"another key, not the deployment's".ljust(32))
            append(db, event if mac == "guess" else event.model_copy(update={"mac": mac}))

    with api_on_copy(original, tmp_path, forge) as client:
        for n in range(3):
            assert client.get("/audit", headers=bearer(f"{FORGED}-{n}")).status_code == 401
            assert client.post("/periods/2026-01/close", headers=bearer(f"{FORGED}-{n}")).status_code == 401
        closed = client.post("/periods/2026-01/close", headers=bearer(coordinator))
        assert closed.status_code == 201, closed.text


def test_an_analyst_token_whose_role_was_edited_to_coordinator_cannot_close_a_month(
        original: dict, tmp_path: Path) -> None:
    """The analyst's TokenIssued edited to role coordinator, checksum recomputed: the token no
    longer authenticates at all (it was refused with 403 before the edit)."""
    analyst = original["tokens"]["analyst"]

    def promote(db: sqlite3.Connection) -> None:
        rowid = next(r[0] for r in rows(db, "TokenIssued") if digest(analyst).encode() in r[3])
        replace_in(db, rowid, b'"role":"analyst"', b'"role":"coordinator"')

    with TestClient(create_app(original["settings"])) as client:
        assert client.post("/periods/2026-01/close", headers=bearer(analyst)).status_code == 403
    with api_on_copy(original, tmp_path, promote) as client:
        refused = client.post("/periods/2026-01/close", headers=bearer(analyst))
        assert refused.status_code == 401, refused.text
        assert client.get("/periods", headers=bearer(analyst)).status_code == 401


def test_tokens_signed_by_a_previous_key_authenticate_until_that_key_is_dropped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issued under key A; with ENCOMMUN_TOKEN_KEY=B and A in ENCOMMUN_TOKEN_PREVIOUS_KEYS it
    still authenticates, and new tokens are signed by B; with B alone it does not."""
    key_a, key_b = "a" * 64, "b" * 64
    store = tmp_path / "ledger.sqlite"
    monkeypatch.setenv("ENCOMMUN_SQLITE_PATH", str(store))
    monkeypatch.setenv("ENCOMMUN_TOKEN_KEY", key_a)
    with bootstrap(Settings()) as ledger:
        old = issue_token(ledger, "auditor", label="old", keys=token_keys(Settings()))
        monkeypatch.setenv("ENCOMMUN_TOKEN_KEY", key_b)
        monkeypatch.setenv("ENCOMMUN_TOKEN_PREVIOUS_KEYS", f'["{key_a}"]')
        rotated = token_keys(Settings())
        new = issue_token(ledger, "auditor", label="new", keys=rotated)
        assert find_token(ledger, old, rotated) is not None and find_token(ledger, new, rotated) is not None
        monkeypatch.delenv("ENCOMMUN_TOKEN_PREVIOUS_KEYS")
        dropped = token_keys(Settings())
        assert find_token(ledger, old, dropped) is None and find_token(ledger, new, dropped) is not None
    assert not (tmp_path / "token.key").exists()  # a key from the environment writes no file


def test_the_key_file_is_created_beside_the_store_for_its_owner_only_and_then_reused(tmp_path: Path) -> None:
    """No file: no key (nothing authenticates); on first issue, token.key appears, mode 0600, and
    later loads read the same key."""
    settings = Settings(sqlite_path=tmp_path / "ledger.sqlite")
    assert token_keys(settings).accepted == ()
    created = token_keys(settings, create=True)
    path = tmp_path / "token.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and len(created.current) == 64
    assert token_keys(settings) == created == token_keys(settings, create=True)


def test_the_anchor_read_from_the_api_is_the_head_of_the_store_and_verify_holds_it(original: dict) -> None:
    """GET /audit/anchor (auditor) equals the head computed from the store; verify holds it; an
    analyst may not read it."""
    tokens, settings = original["tokens"], original["settings"]
    with TestClient(create_app(settings)) as client:
        answer = client.get("/audit/anchor", headers=bearer(tokens["auditor"]))
        assert client.get("/audit/anchor", headers=bearer(tokens["analyst"])).status_code == 403
    assert answer.status_code == 200, answer.text
    body = answer.json()
    with bootstrap(settings) as ledger:
        assert Anchor.parse(body["anchor"]) == head(ledger.recorder) == Anchor(body["position"], body["chain_hash"])
        result = verify(ledger.recorder, anchors=[Anchor.parse(body["anchor"])])
    assert result.ok and result.unproved_events == 0
