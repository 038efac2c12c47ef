"""Issuing, checking and revoking access tokens: issuing and revoking are commands, run
through the ledger like every other; checking and listing read the store.

A token is shown once, when issued; the store keeps only its SHA-256 digest, so a stolen
copy of the store grants nothing. Each issue is signed with a key that is not in the store
(`TokenKeys`): a TokenIssued written into the store directly, or edited there, does not
authenticate.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from application.ledger import Ledger
from domain import access
from domain.access import AccessToken, IssueToken, RevokeToken, TokenIssued, token_aggregate_id
from domain.errors import NotFound, RuleViolation
from settings import Settings

PREFIX = "enc_"


@dataclass(frozen=True)
class TokenKeys:
    """The key that signs new tokens, and earlier keys whose tokens still authenticate."""

    current: bytes | None
    previous: tuple[bytes, ...] = ()

    @property
    def accepted(self) -> tuple[bytes, ...]:
        return ((self.current,) if self.current else ()) + self.previous


def token_keys(settings: Settings, *, create: bool = False) -> TokenKeys:
    """ENCOMMUN_TOKEN_KEY, else the key file; with `create`, a missing file is created with
    a new random key, readable by its owner only."""
    previous = tuple(k.get_secret_value().encode() for k in settings.token_previous_keys)
    if settings.token_key is not None:
        return TokenKeys(settings.token_key.get_secret_value().encode(), previous)
    path = settings.token_key_path
    try:
        return TokenKeys(path.read_bytes().strip() or None, previous)
    except FileNotFoundError:
        if not create:
            return TokenKeys(None, previous)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use that one
        return TokenKeys(path.read_bytes().strip() or None, previous)
    with os.fdopen(fd, "wb") as file:
        file.write(key + b"\n")
    return TokenKeys(key, previous)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(ledger: Ledger, role: str, *, label: str, keys: TokenKeys, partner_id: str | None = None,
                actor: str = "cli") -> str:
    """Record a new token, signed with the current key, and return it; this is the only
    time it is ever shown."""
    if keys.current is None:
        raise RuleViolation("no key to sign tokens with: set ENCOMMUN_TOKEN_KEY or create the key file",
                            field="token_key")
    token = PREFIX + secrets.token_urlsafe(32)
    ledger.execute(IssueToken(token_sha256=digest(token), role=role, partner_id=partner_id, label=label,
                              signing_key=keys.current), actor=actor)
    return token


def find_token(ledger: Ledger, token: str, keys: TokenKeys) -> AccessToken | None:
    """The live token a bearer presents, or None if unknown, revoked, or not signed (as it
    stands: role, partner, label) by one of the keys."""
    if not token.startswith(PREFIX):
        return None
    try:
        found = ledger.store.repository.get(token_aggregate_id(digest(token)), projector_func=access.project_token)
    except AggregateNotFoundError:
        return None
    return None if found.revoked or not access.signed_by(found, keys.accepted) else found


def list_tokens(ledger: Ledger) -> list[AccessToken]:
    """Every token ever issued, revoked ones included, in order of issue."""
    topic = get_topic(TokenIssued)
    issued = ledger.store.recorder.select_notifications(1, 1_000_000, topics=[topic])
    return [
        ledger.store.repository.get(n.originator_id, projector_func=access.project_token) for n in issued
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
    ledger.execute(RevokeToken(token_sha256=matches[0].token_sha256), actor=actor)
    return ledger.store.repository.get(matches[0].id, projector_func=access.project_token)
