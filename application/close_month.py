"""Closing a month: seal its statements as the projections show them, then record it.

The projections are first brought to the end of the log; the digest of the month's
statements and the chain hash are taken at that position and sent with ClosePeriod, so
`verify` can later recompute both from the log alone.
"""

from __future__ import annotations

from domain.closing import ClosePeriod
from application.ledger import Ledger
from application.outcome import Outcome
from application.permissions import Operator, Principal, require_may_run
from projections import closing
from projections.chain import GENESIS
from projections.follower import Follower


def close_month(ledger: Ledger, follower: Follower, month: str, *, actor: str | Principal,
                idempotency_key: str | None = None) -> Outcome:
    """`actor` is a principal (a token's holder), or the name the operator closes under."""
    # Refused before the work of sealing: only a coordinator closes.
    require_may_run(Operator(actor) if isinstance(actor, str) else actor, ClosePeriod)
    follower.catch_up()
    with follower.view.transaction() as conn:
        position = follower.runner.position
        lines = closing.month_lines(conn, month, position)
        command = ClosePeriod(
            month=month,
            as_of_position=position,
            statements_sha256=closing.statements_digest(conn, month, position),
            chain_hash=closing.chain_hash_at(conn, position) or GENESIS,
            partners=tuple(sorted({line["partner_id"] for line in lines if line["partner_id"]})),
        )
    outcome = ledger.execute(command, actor=actor, idempotency_key=idempotency_key)
    follower.nudge()
    return outcome
