"""Stored events are written in the one form the projections read: the ledger refuses the
library's compression and encryption settings instead of writing what they cannot fold."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bootstrap import bootstrap
from domain.commands import JoinPartner
from event_store.store import EventStore
from event_store.mapper import UnreadableStorage
from projections.recorder import DuckDBTrackingRecorder
from projections.runner import ProjectionRunner
from settings import Settings

JOIN = JoinPartner(partner_id="creche-a", name="Crèche A", joined_on="2026-01-01")


def stored_events(store: Path) -> int:
    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]


def test_a_compressed_ledger_is_refused_before_it_writes_and_the_store_stays_readable(tmp_path: Path) -> None:
    """With ZlibCompressor set, opening the ledger on a real SQLite store fails with a message
    naming the setting; nothing is written, and the store's projections are as before."""
    store = tmp_path / "store.sqlite"
    settings = Settings(sqlite_path=store)
    with bootstrap(settings) as ledger:
        ledger.execute(JOIN, actor="coordinator")
    compressed = settings.eventsourcing_env() | {"COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor"}

    with pytest.raises(UnreadableStorage, match="COMPRESSOR_TOPIC is set: encommun stores events as written"):
        EventStore(compressed)

    assert stored_events(store) == 1
    with bootstrap(settings) as ledger:
        view = DuckDBTrackingRecorder(tmp_path / "projections.duckdb")
        assert ProjectionRunner(ledger.recorder, view).catch_up() == 1
        assert view.connection.execute("SELECT partner_id, name FROM partners").fetchall() == [
            ("creche-a", "Crèche A")]
        view.close()


def test_an_encrypted_ledger_is_refused_too(tmp_path: Path) -> None:
    """CIPHER_TOPIC (AES, with its key) is refused the same way, naming the setting."""
    from eventsourcing.cipher import AESCipher

    env = Settings(sqlite_path=tmp_path / "store.sqlite").eventsourcing_env() | {
        "CIPHER_TOPIC": "eventsourcing.cipher:AESCipher", "CIPHER_KEY": AESCipher.create_key(16)}
    with pytest.raises(UnreadableStorage, match="CIPHER_TOPIC is set"):
        EventStore(env)
