"""Verifying the log from the pages: the same verification as `encommun verify`
(projections/verify.py: row checks, the hash chain against every seal and the anchors given,
each closed month's statements against its digest), run in a child process.

A verification rebuilds every projection into a scratch file: about a second on the demo, a
minute or more on a store of millions of events. So it never runs in the API's process: a
child process (`python -m application.verification`, reading the store's settings and the
anchors on its standard input) does it, at a lower priority, one at a time per API process,
and is killed at a deadline. The last result is kept in memory (the product does not record
verifications in the log), so it is lost when the server restarts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from application.permissions import AUDITORS, Principal, require_role

_ROOT = str(Path(__file__).resolve().parents[1])
# Ten years of a regional federation (2.2 M events) verify in about 70 s on a 2-core machine.
DEADLINE_S = 900.0


@dataclass(frozen=True)
class VerificationReport:
    """What a verification found; `status` is running, ok, failed (a mismatch), error or timeout."""

    status: str
    started_at: datetime
    requested_by: str
    anchors: tuple[str, ...] = ()
    finished_at: datetime | None = None
    events: int = 0
    closed_months: int = 0
    last_position: int = 0
    proved_position: int | None = None
    proved_month: str | None = None     # the month whose seal is the furthest checkpoint; None: an anchor
    unproved_events: int = 0
    anchored_upto: int = 0
    mismatch_position: int | None = None
    mismatch_event: str | None = None
    mismatch_month: str | None = None
    mismatch_problem: str | None = None
    error: str | None = None

    @property
    def seconds(self) -> float | None:
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()


class Verifications:
    """At most one verification at a time, in a child process bounded by a deadline."""

    def __init__(self, store_env: dict[str, str], *, deadline_s: float = DEADLINE_S) -> None:
        self._env = store_env
        self.deadline_s = deadline_s
        self._lock = threading.Lock()
        self._last: VerificationReport | None = None
        self._thread: threading.Thread | None = None

    @property
    def last(self) -> VerificationReport | None:
        return self._last

    def start(self, principal: Principal, anchors: tuple[str, ...] = ()) -> bool:
        """Start a verification unless one is running; whether this call started it."""
        require_role(principal, *AUDITORS)
        with self._lock:
            if self._last is not None and self._last.status == "running":
                return False
            report = VerificationReport("running", datetime.now(timezone.utc), principal.actor, anchors)
            self._last = report
            self._thread = threading.Thread(target=self._run, args=(report,), name="verification", daemon=True)
            self._thread.start()
            return True

    def wait(self, timeout: float | None = None) -> VerificationReport | None:
        """The last report once the verification under way (if any) has ended (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self._last

    def _run(self, report: VerificationReport) -> None:
        found = run_in_child(self._env, report.anchors, self.deadline_s)
        with self._lock:
            self._last = replace(report, finished_at=datetime.now(timezone.utc), **found)


def run_in_child(store_env: dict[str, str], anchors: tuple[str, ...], deadline_s: float) -> dict[str, Any]:
    """The fields of a report, from a child process that verifies the store."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_ROOT, env.get("PYTHONPATH")]))
    child = subprocess.Popen([sys.executable, "-m", "application.verification"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    job = json.dumps({"env": store_env, "anchors": list(anchors)})
    try:
        out, err = child.communicate(job.encode(), timeout=deadline_s)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return {"status": "timeout", "error": f"stopped after {deadline_s:.0f} s"}
    try:
        return json.loads(out.decode().strip().splitlines()[-1])
    except (IndexError, ValueError):
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {child.returncode}"]
        return {"status": "error", "error": tail[0][:500]}


def _verify(job: dict[str, Any]) -> dict[str, Any]:
    from event_store.store import EventStore
    from projections.verify import Anchor, verify

    try:
        anchors = [Anchor.parse(text) for text in job["anchors"]]
    except ValueError as error:
        return {"status": "error", "error": str(error)}
    store = EventStore(env=job["env"])
    try:
        result = verify(store.recorder, anchors=anchors)
    except RuntimeError as error:  # an event edited into something that cannot be folded
        return {"status": "failed", "mismatch_problem": str(error)}
    finally:
        store.close()
    found: dict[str, Any] = {
        "status": "ok" if result.ok else "failed", "events": result.events, "closed_months": result.closed_months,
        "last_position": result.last_position, "unproved_events": result.unproved_events,
        "anchored_upto": result.anchored_upto,
    }
    if result.proved is not None:
        found |= {"proved_position": result.proved.position, "proved_month": result.proved.month}
    if result.mismatch is not None:
        m = result.mismatch
        found |= {"mismatch_position": m.position, "mismatch_event": m.event, "mismatch_month": m.month,
                  "mismatch_problem": m.problem}
    return found


def main() -> None:
    """The child: one job on standard input, its result as one JSON line on standard output."""
    try:
        os.nice(10)  # the API's requests come first
    except OSError:
        pass
    job = json.loads(sys.stdin.read())
    print(json.dumps(_verify(job)), flush=True)


if __name__ == "__main__":
    main()
