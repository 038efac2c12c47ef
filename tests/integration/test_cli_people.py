"""`encommun person`: the first coordinator of a pool is invited at the command line."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from settings import Settings
from tests.integration.test_cli import encommun, store, wide_consoles  # noqa: F401 (fixtures)
from tests.page_fixtures import PASSWORD, csrf_of


def test_a_person_invited_at_the_command_line_chooses_a_password_and_is_listed_then_revoked(store: Path,
                                                                                           tmp_path: Path) -> None:
    invited = encommun("person", "invite", "coord@pool.example", "--name", "Camille Roux", "--role", "coordinator",
                       "--base-url", "http://pool.example", "--store", store)
    link = invited.stdout.strip()
    assert link.startswith("http://pool.example/invitation/") and "shown once" in invited.stderr
    settings = Settings(sqlite_path=store, projection_path=tmp_path / "p.duckdb", snapshot_dir=tmp_path / "s")
    with TestClient(create_app(settings), base_url="http://pool.example") as client:
        path = link.removeprefix("http://pool.example")
        form = client.get(path)
        accepted = client.post(path, data={"csrf": csrf_of(form.text), "password": PASSWORD,
                                           "password_again": PASSWORD})
        assert accepted.history[0].headers["location"] == "/coordination"
    listed = encommun("person", "list", "--store", store)
    assert "coord@pool.example" in listed.stdout and "active" in listed.stdout
    encommun("person", "revoke", "coord@pool.example", "--store", store)
    assert "revoked" in encommun("person", "list", "--store", store).stdout
    refused = encommun("person", "invite", "x@pool.example", "--name", "X", "--role", "partner", "--store", store)
    assert refused.exit_code == 2 and "names its partner" in refused.stderr


def test_an_employee_is_invited_at_the_command_line_with_its_staff_resource(store: Path) -> None:
    """--role employee --employee anne: invited and listed with « anne »; without --employee, or
    naming a resource that is not staff: refused, naming the field."""
    invited = encommun("person", "invite", "anne@pool.example", "--name", "Anne Martin", "--role", "employee",
                       "--employee", "anne", "--store", store)
    assert invited.exit_code == 0 and "/invitation/" in invited.stdout
    listed = encommun("person", "list", "--store", store).stdout
    line = next(line for line in listed.splitlines() if "anne@pool.example" in line)
    assert " employee " in line and " anne " in line and " invited " in line
    unbound = encommun("person", "invite", "b@pool.example", "--name", "B", "--role", "employee", "--store", store)
    assert unbound.exit_code == 2 and "names the employee" in unbound.stderr
    room = encommun("person", "invite", "c@pool.example", "--name", "C", "--role", "employee",
                    "--employee", "salle-vercors", "--store", store)
    assert room.exit_code == 2 and "expected staff" in room.stderr
