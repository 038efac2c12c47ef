"""Access tokens: who may do what. A token is known only by its SHA-256 digest."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import singledispatch
from typing import Literal
from uuid import UUID

from domain.aggregate import Stamp, first_event, next_event, projector
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


class TokenRevoked(DomainEvent):
    token_sha256: str


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

    @property
    def actor(self) -> str:
        """How events recorded with this token name who recorded them."""
        scope = f"{self.role}:{self.partner_id}" if self.partner_id else self.role
        return f"{scope}/{self.label}"


def token_aggregate_id(token_sha256: str) -> UUID:
    return aggregate_id("token", token_sha256)


def issue(
    existing: AccessToken | None, token_sha256: str, role: str, partner_id: str | None, label: str,
    stamp: Stamp,
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
    return first_event(TokenIssued, token_aggregate_id(token_sha256), stamp,
                       token_sha256=token_sha256, role=role, partner_id=partner_id, label=label)


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
                       issued_at=event.timestamp, issued_by=event.actor)


@evolve.register
def _(event: TokenRevoked, state: AccessToken) -> AccessToken:
    return replace(state, version=event.originator_version, revoked=True)


project_token = projector(evolve)
