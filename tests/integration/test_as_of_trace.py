"""A line's trace as of a position lists the disputes of that line only (kind and part), as
the trace now does (HTTP over real SQLite and DuckDB files)."""

from __future__ import annotations

from pathlib import Path

from tests.api_fixtures import start


def test_a_dispute_on_one_part_of_a_mixed_key_is_not_in_the_other_part_s_trace_as_of(tmp_path: Path) -> None:
    """creche-a disputes part 0 of January's cleaning (30 % equal, 70 % by weights): the
    trace of part 1 shows no dispute, as of the dispute's position as now; part 0's shows it."""
    api = start(tmp_path)
    try:
        cost = api.client.post("/costs", headers=api.headers("coordinator"), json={
            "resource_id": "menage", "month": "2026-01", "amount_cents": 80_000, "category": "ménage",
            "document_ref": "FAC-2026-01"})
        assert cost.status_code == 201, cost.text
        opened = api.client.post("/disputes", headers=api.headers("creche"), params={"after": cost.json()["position"]},
                                 json={"partner_id": "creche-a", "month": "2026-01", "resource_id": "menage",
                                       "line_kind": "share", "part": 0, "reason": "surface contestée"})
        assert opened.status_code == 201, opened.text
        at = opened.json()["position"]
        path = "/partners/creche-a/statements/2026-01/lines/menage/trace"

        def disputes(part: int, **params: str) -> list[str]:
            trace = api.client.get(path, headers=api.headers("creche"), params={"part": part, "after": at, **params})
            assert trace.status_code == 200, trace.text
            return [e["event_type"] for e in trace.json()["events"] if e["source"] == "dispute"]

        assert disputes(1) == [] and disputes(1, as_of=str(at)) == []
        assert disputes(0) == ["DisputeOpened"] == disputes(0, as_of=str(at))
        assert disputes(0, as_of=str(at - 1)) == []
    finally:
        api.client.__exit__(None, None, None)
