"""Issuing, checking and revoking access tokens, recorded as events in the ledger.

A token is shown once, when issued; the store keeps only its SHA-256 digest, so a stolen
copy of the store grants nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from domain import access
from domain.access import AccessToken, TokenIssued, TokenRevoked, token_aggregate_id
from domain.aggregate import Stamp
from domain.errors import NotFound
from domain.ids import partner_aggregate_id
from domain.partners import project_partner
from event_store.ledger import Ledger

PREFIX = "enc_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(ledger: Ledger, role: str, *, label: str, partner_id: str | None = None,
                actor: str = "cli") -> str:
    """Record a new token and return it; this is the only time it is ever shown."""
    if partner_id is not None:
        try:
            ledger.repository.get(partner_aggregate_id(partner_id), projector_func=project_partner)
        except AggregateNotFoundError:
            raise NotFound(f"no partner '{partner_id}'", field="partner_id") from None
    token = PREFIX + secrets.token_urlsafe(32)
    stamp = Stamp(actor, datetime.now(timezone.utc))
    ledger.save(access.issue(None, digest(token), role, partner_id, label, stamp))
    return token


def find_token(ledger: Ledger, token: str) -> AccessToken | None:
    """The live token a bearer presents, or None if unknown or revoked."""
    if not token.startswith(PREFIX):
        return None
    try:
        found = ledger.repository.get(token_aggregate_id(digest(token)), projector_func=access.project_token)
    except AggregateNotFoundError:
        return None
    return None if found.revoked else found


def list_tokens(ledger: Ledger) -> list[AccessToken]:
    """Every token ever issued, revoked ones included, in order of issue."""
    topic = get_topic(TokenIssued)
    issued = ledger.recorder.select_notifications(1, 1_000_000, topics=[topic])
    return [
        ledger.repository.get(n.originator_id, projector_func=access.project_token) for n in issued
    ]


def revoke_token(ledger: Ledger, digest_prefix: str, *, actor: str = "cli") -> AccessToken:
    """Revoke the token whose digest starts with the given prefix (as `token list` shows)."""
    matches = [t for t in list_tokens(ledger) if t.token_sha256.startswith(digest_prefix)]
    if len(matches) != 1:
        raise NotFound(
            f"{len(matches)} tokens have a digest starting with {digest_prefix!r}; give a longer prefix"
            if matches else f"no token has a digest starting with {digest_prefix!r}",
            field="token",
        )
    event: TokenRevoked = access.revoke(matches[0], Stamp(actor, datetime.now(timezone.utc)))
    ledger.save(event)
    return access.evolve(event, matches[0])
