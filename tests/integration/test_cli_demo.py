"""`encommun demo` as a newcomer meets it: a busy port is told before anything loads, with
the way to pick another; the expected refusals are listed once; a free port is served."""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Iterator

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli import main as cli
from cli import support as cli_support
from cli.serving import reserve_port

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as wide as they need, so that assertions do not depend on wrapping."""
    monkeypatch.setattr(cli_support, "out", Console(width=250, highlight=False))
    monkeypatch.setattr(cli_support, "err", Console(width=250, highlight=False, stderr=True))


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port of 127.0.0.1 that another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_busy_port_is_reported_before_the_demo_loads(busy_port: int, tmp_path: Path) -> None:
    """Exit status 2 at once, naming the port and how to choose another (`make demo PORT=`
    with a port that is free); no store was created."""
    result = runner.invoke(cli.app, ["demo", "--months", "2", "--port", str(busy_port), "--dir", str(tmp_path)])

    assert result.exit_code == 2, result.output
    assert f"port {busy_port} on 127.0.0.1 is not available" in result.output
    suggested = re.search(r"make demo PORT=(\d+) \(or encommun demo --port \1\)", result.output)
    assert suggested, result.output
    with reserve_port("127.0.0.1", int(suggested[1]), retry="{port}"):
        pass  # the port it suggests was free
    assert "Haut-Val" not in result.output and "Tokens" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_serve_reports_a_busy_port_too(busy_port: int, tmp_path: Path) -> None:
    """`encommun serve` says the same, with its own --port, before opening any store."""
    result = runner.invoke(cli.app, ["serve", "--port", str(busy_port), "--store", str(tmp_path / "x.sqlite")])

    assert result.exit_code == 2, result.output
    assert f"port {busy_port} on 127.0.0.1 is not available" in result.output
    assert re.search(r"encommun serve --port \d+", result.output)
    assert list(tmp_path.iterdir()) == []


def test_a_free_port_is_held_until_it_is_handed_over(tmp_path: Path) -> None:
    """Reserved, the port is taken (a second reservation is refused); released, it is free."""
    with reserve_port("127.0.0.1", 0, retry="{port}") as held:
        port = held.getsockname()[1]
        with pytest.raises(cli_support.Failure, match=f"port {port} on 127.0.0.1 is not available"):
            reserve_port("127.0.0.1", port, retry="{port}")
    with reserve_port("127.0.0.1", port, retry="{port}"):
        pass


def test_the_demo_lists_each_expected_refusal_once(tmp_path: Path) -> None:
    """Each refused command appears once, in the summary's table: a rule is named once in
    the table's title and once per refusal of it, not a second time while loading."""
    result = runner.invoke(cli.app, ["demo", "--months", "2", "--no-serve", "--dir", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert "refused as expected" not in result.output
    title = re.search(r"Refused commands \((\d+), all expected: ([^)]*)\)", result.output)
    assert title, result.output
    counts = {rule: int(n) for n, rule in re.findall(r"(\d+) ([a-z-]+)", title[2])}
    assert sum(counts.values()) == int(title[1]) > 0
    for rule, n in counts.items():
        assert result.output.count(rule) == 1 + n, (rule, result.output)


def test_the_demo_prints_a_sign_in_link_per_role_before_the_tokens_and_each_opens(tmp_path: Path) -> None:
    """Five invitation links (coordinator, partner, auditor, analyst, an employee of the GE)
    come before the tokens; each opens its invitation page, in French, greeting its person."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from settings import Settings

    result = runner.invoke(cli.app, ["demo", "--months", "1", "--no-serve", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    links = re.findall(r"http://127\.0\.0\.1:8000(/invitation/\S+)", result.output)
    assert len(links) == 5
    assert result.output.index("Sign in to the pages") < result.output.index("Tokens")
    settings = Settings(sqlite_path=tmp_path / "demo.sqlite", projection_path=tmp_path / "demo.duckdb",
                        snapshot_dir=tmp_path / "snapshots")
    with TestClient(create_app(settings)) as client:
        pages = [client.get(link) for link in links]
    assert [page.status_code for page in pages] == [200] * 5
    assert "Bienvenue, Inès Martin, trésorière" in pages[1].text
    assert "Bienvenue, Emma Roux, chargée de communication" in pages[4].text
    assert "employee (charge-communication)" in result.output
