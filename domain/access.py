"""Access tokens: who may do what. A token is known only by its SHA-256 digest.

Each TokenIssued carries a MAC, keyed by a secret that is not in the event store, over the
token's id, digest, role, partner and label: a TokenIssued written into the store by
someone without the key, or one whose role was edited, authenticates nobody.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import Field, SecretBytes

from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.errors import AlreadyExists, InvalidCommand, RuleViolation
from domain.events import DomainEvent
from domain.ids import Slug, aggregate_id
from domain.text import StoredName, check_name

Role = Literal["coordinator", "partner", "auditor", "analyst"]


class TokenIssued(DomainEvent):
    token_sha256: str
    role: Role
    partner_id: Slug | None
    label: StoredName
    # None on tokens issued before tokens were signed: they no longer authenticate.
    mac: str | None = None


class TokenRevoked(DomainEvent):
    token_sha256: str


class IssueToken(Command):
    """Issue the token whose digest this is. Values are checked as the event is made, as
    they always were; the signing key travels with the command but is never dumped, so
    neither a receipt's digest nor a log line holds it."""

    token_sha256: str
    role: str
    partner_id: str | None
    label: str
    signing_key: SecretBytes = Field(exclude=True, repr=False)

    records = (TokenIssued,)


class RevokeToken(Command):
    token_sha256: str

    records = (TokenRevoked,)


@dataclass(frozen=True)
class AccessToken:
    id: UUID
    version: int
    token_sha256: str
    role: str
    partner_id: str | None
    label: str
    revoked: bool
    issued_at: datetime
    issued_by: str
    mac: str | None = None

    @property
    def actor(self) -> str:
        """How events recorded with this token name who recorded them."""
        scope = f"{self.role}:{self.partner_id}" if self.partner_id else self.role
        return f"{scope}/{self.label}"


def token_aggregate_id(token_sha256: str) -> UUID:
    return aggregate_id("token", token_sha256)


def token_mac(key: bytes, token_id: UUID, token_sha256: str, role: str, partner_id: str | None,
              label: str) -> str:
    """What binds a token's authority to the key that issued it."""
    message = f"encommun-token-v1\n{token_id}\n{token_sha256}\n{role}\n{partner_id or ''}\n{label}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def signed_by(token: AccessToken, keys: tuple[bytes, ...]) -> bool:
    """Whether one of the keys issued this token as it stands (role, partner, label)."""
    return token.mac is not None and any(
        hmac.compare_digest(token.mac, token_mac(key, token.id, token.token_sha256, token.role,
                                                 token.partner_id, token.label))
        for key in keys)


def issue(
    existing: AccessToken | None, token_sha256: str, role: str, partner_id: str | None, label: str,
    stamp: Stamp, *, key: bytes,
) -> TokenIssued:
    if existing is not None:
        raise AlreadyExists("this token was already issued", field="token")
    try:
        check_name(label)
    except ValueError as error:
        raise InvalidCommand(f"label {error}", field="label") from None
    if (role == "partner") != (partner_id is not None):
        raise InvalidCommand("a partner token names its partner, and only a partner token does",
                             field="partner_id")
    event = first_event(TokenIssued, token_aggregate_id(token_sha256), stamp,
                        token_sha256=token_sha256, role=role, partner_id=partner_id, label=label)
    # Signed as validated (the label stripped), so that the stored event verifies.
    return event.model_copy(update={"mac": token_mac(key, event.originator_id, event.token_sha256,
                                                     event.role, event.partner_id, event.label)})


def revoke(token: AccessToken, stamp: Stamp) -> TokenRevoked:
    if token.revoked:
        raise RuleViolation(f"token '{token.label}' is already revoked", field="token")
    return next_event(token, TokenRevoked, stamp, token_sha256=token.token_sha256)


@singledispatch
def evolve(event: DomainEvent, state: AccessToken | None) -> AccessToken:
    raise TypeError(f"an access token does not take {type(event).__name__}")


@evolve.register
def _(event: TokenIssued, _: None) -> AccessToken:
    return AccessToken(event.originator_id, event.originator_version, event.token_sha256,
                       event.role, event.partner_id, event.label, revoked=False,
                       issued_at=event.timestamp, issued_by=event.actor, mac=event.mac)


@evolve.register
def _(event: TokenRevoked, state: AccessToken) -> AccessToken:
    return replace(state, version=event.originator_version, revoked=True)


project_token = projector(evolve)
