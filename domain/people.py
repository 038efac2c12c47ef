"""People who use the web pages: invited by a coordinator with a role (and, for a partner,
its partner; for an employee, the staff resource that is the employee), they choose a
password from the invitation link, then open and close sessions. API tokens
(domain/access.py) stay, for programs: an employee has none, only the pages.

What a row written into the store by someone without the key must not do — grant access —
is prevented as for tokens: the invitation (who, which role, which partner or employee) and each session
carry a MAC keyed by a secret kept out of the store, and the password hash is taken over a
keyed digest of the password (application/people.py), so a hash written in by hand verifies
no password. The plain password and the secrets of the links and cookies never reach an
event: only their SHA-256 digests do.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import singledispatch
from uuid import UUID

from typing import Literal

from pydantic import Field, SecretBytes

from domain.access import Role
from domain.aggregate import Stamp, first_event, next_event, projector
from domain.commands import Command
from domain.errors import AlreadyExists, InvalidCommand, NotFound, RuleViolation
from domain.events import DomainEvent
from domain.ids import Slug, aggregate_id
from domain.periods import StoredDatetime, UtcDatetime
from domain.text import StoredName, check_name

# Deliberately loose (one @, a dot in the domain, no spaces): the invitation link sent to
# the address is what proves it; stricter patterns refuse real addresses.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# A person has the tokens' roles, or is an employee submitting its own hour sheets.
PersonRole = Literal[Role, Literal["employee"]]


class PersonInvited(DomainEvent):
    email: str
    name: StoredName
    role: PersonRole
    partner_id: Slug | None
    invitation_sha256: str
    expires_at: StoredDatetime
    mac: str
    # The staff resource an employee's person is (None for every other role, and on the
    # invitations recorded before employees had accounts).
    employee_id: Slug | None = None


class InvitationAccepted(DomainEvent):
    invitation_sha256: str
    password_hash: str


class PersonRevoked(DomainEvent):
    email: str


class SessionOpened(DomainEvent):
    session_sha256: str
    person_id: UUID
    expires_at: StoredDatetime
    mac: str


class SessionClosed(DomainEvent):
    session_sha256: str


class InvitePerson(Command):
    """Invite someone (again): a new link replaces an earlier one; a revoked person may be
    invited back."""

    email: str
    name: str
    role: str
    partner_id: str | None = None
    employee_id: str | None = None
    invitation_sha256: str
    expires_at: UtcDatetime
    signing_key: SecretBytes = Field(exclude=True, repr=False)

    records = (PersonInvited,)


class AcceptInvitation(Command):
    person_id: UUID
    invitation_sha256: str
    password_hash: str = Field(repr=False)

    records = (InvitationAccepted,)


class RevokePerson(Command):
    email: str

    records = (PersonRevoked,)


class OpenSession(Command):
    """Open a session for someone whose password the application has just checked."""

    person_id: UUID
    session_sha256: str
    expires_at: UtcDatetime
    signing_key: SecretBytes = Field(exclude=True, repr=False)

    records = (SessionOpened,)


class CloseSession(Command):
    session_sha256: str

    records = (SessionClosed,)


@dataclass(frozen=True)
class Person:
    id: UUID
    version: int
    email: str
    name: str
    role: str
    partner_id: str | None
    invitation_sha256: str
    expires_at: datetime
    mac: str
    invited_at: datetime
    invited_by: str
    password_hash: str | None = None
    revoked: bool = False
    employee_id: str | None = None

    @property
    def status(self) -> str:
        """invited (link not used yet), active, or revoked."""
        if self.revoked:
            return "revoked"
        return "active" if self.password_hash else "invited"

    @property
    def actor(self) -> str:
        """How events recorded by this person name who recorded them."""
        bound_to = self.partner_id or self.employee_id
        scope = f"{self.role}:{bound_to}" if bound_to else self.role
        return f"{scope}/{self.email}"


@dataclass(frozen=True)
class WebSession:
    id: UUID
    version: int
    session_sha256: str
    person_id: UUID
    expires_at: datetime
    mac: str
    opened_at: datetime
    closed: bool = False


def normalise_email(value: str) -> str:
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidCommand(f"{value!r} is not an e-mail address", field="email")
    return email


def person_aggregate_id(email: str) -> UUID:
    return aggregate_id("person", normalise_email(email))


def session_aggregate_id(session_sha256: str) -> UUID:
    return aggregate_id("session", session_sha256)


def person_mac(key: bytes, person_id: UUID, email: str, role: str, partner_id: str | None,
               invitation_sha256: str, employee_id: str | None = None) -> str:
    """What binds a person's authority (role, partner, employee) to the key that invited them.
    The employee is signed only when there is one, so that the MACs of the people invited
    before employees had accounts still verify; the digest before it is fixed-length hex, so
    no other person's message ends the same way."""
    message = f"encommun-person-v1\n{person_id}\n{email}\n{role}\n{partner_id or ''}\n{invitation_sha256}"
    if employee_id is not None:
        message += f"\n{employee_id}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def session_mac(key: bytes, session_id: UUID, person_id: UUID, expires_at: datetime) -> str:
    message = f"encommun-session-v1\n{session_id}\n{person_id}\n{expires_at.isoformat()}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def invited_by_key(person: Person, keys: tuple[bytes, ...]) -> bool:
    return any(hmac.compare_digest(person.mac, person_mac(key, person.id, person.email, person.role,
                                                          person.partner_id, person.invitation_sha256,
                                                          person.employee_id))
               for key in keys)


def opened_by_key(session: WebSession, keys: tuple[bytes, ...]) -> bool:
    return any(hmac.compare_digest(session.mac, session_mac(key, session.id, session.person_id, session.expires_at))
               for key in keys)


def invite(existing: Person | None, cmd: InvitePerson, stamp: Stamp) -> PersonInvited:
    email = normalise_email(cmd.email)
    try:
        name = check_name(cmd.name)
    except ValueError as error:
        raise InvalidCommand(f"name {error}", field="name") from None
    roles: tuple[str, ...] = PersonRole.__args__  # type: ignore[attr-defined]
    if cmd.role not in roles:
        raise InvalidCommand(f"role must be one of {', '.join(roles)}", field="role")
    if (cmd.role == "partner") != (cmd.partner_id is not None):
        raise InvalidCommand("a partner's person names its partner, and only a partner's does", field="partner_id")
    if (cmd.role == "employee") != (cmd.employee_id is not None):
        raise InvalidCommand("an employee's person names the employee, and only an employee's does",
                             field="employee_id")
    if cmd.expires_at <= stamp.at:
        raise InvalidCommand("the invitation must expire after it is sent", field="expires_at")
    if existing is not None and existing.status == "active":
        raise AlreadyExists(f"{email} already has an account: revoke it first to change its role",
                            field="email")
    person_id = aggregate_id("person", email)
    fields = dict(email=email, name=name, role=cmd.role, partner_id=cmd.partner_id, employee_id=cmd.employee_id,
                  invitation_sha256=cmd.invitation_sha256, expires_at=cmd.expires_at,
                  mac=person_mac(cmd.signing_key.get_secret_value(), person_id, email, cmd.role, cmd.partner_id,
                                 cmd.invitation_sha256, cmd.employee_id))
    if existing is None:
        return first_event(PersonInvited, person_id, stamp, **fields)
    return next_event(existing, PersonInvited, stamp, **fields)


def accept(person: Person | None, cmd: AcceptInvitation, stamp: Stamp) -> InvitationAccepted:
    # One answer for an unknown person and a wrong link: links must not reveal who is invited.
    if person is None or not hmac.compare_digest(person.invitation_sha256, cmd.invitation_sha256):
        raise NotFound("this invitation link is not valid", field="invitation")
    if person.status == "revoked":
        raise RuleViolation("this person's access was revoked", field="invitation")
    if person.status == "active":
        raise RuleViolation("this invitation was already used: sign in with your password", field="invitation")
    if stamp.at >= person.expires_at:
        raise RuleViolation("this invitation has expired: ask the coordinator for a new one", field="invitation")
    return next_event(person, InvitationAccepted, stamp, invitation_sha256=cmd.invitation_sha256,
                      password_hash=cmd.password_hash)


def revoke(person: Person | None, email: str, stamp: Stamp) -> PersonRevoked:
    if person is None:
        raise NotFound(f"nobody was invited as {email}", field="email")
    if person.revoked:
        raise RuleViolation(f"{person.email}'s access is already revoked", field="email")
    return next_event(person, PersonRevoked, stamp, email=person.email)


def open_session(person: Person | None, existing: WebSession | None, cmd: OpenSession, stamp: Stamp) -> SessionOpened:
    if person is None or person.status != "active":
        raise RuleViolation("only a person with an active account can sign in", field="email")
    if existing is not None:
        raise AlreadyExists("this session was already opened", field="session")
    if cmd.expires_at <= stamp.at:
        raise InvalidCommand("a session must end after it opens", field="expires_at")
    session_id = session_aggregate_id(cmd.session_sha256)
    return first_event(SessionOpened, session_id, stamp, session_sha256=cmd.session_sha256,
                       person_id=person.id, expires_at=cmd.expires_at,
                       mac=session_mac(cmd.signing_key.get_secret_value(), session_id, person.id, cmd.expires_at))


def close_session(session: WebSession | None, stamp: Stamp) -> SessionClosed:
    if session is None:
        raise NotFound("no such session", field="session")
    if session.closed:
        raise RuleViolation("this session is already closed", field="session")
    return next_event(session, SessionClosed, stamp, session_sha256=session.session_sha256)


@singledispatch
def evolve(event: DomainEvent, state: Person | None) -> Person:
    raise TypeError(f"a person does not take {type(event).__name__}")


@evolve.register
def _(event: PersonInvited, state: Person | None) -> Person:
    # A new invitation starts the account over: a revoked person invited back chooses a
    # new password.
    return Person(event.originator_id, event.originator_version, event.email, event.name, event.role,
                  event.partner_id, event.invitation_sha256, event.expires_at, event.mac,
                  invited_at=event.timestamp, invited_by=event.actor, employee_id=event.employee_id)


@evolve.register
def _(event: InvitationAccepted, state: Person) -> Person:
    return replace(state, version=event.originator_version, password_hash=event.password_hash)


@evolve.register
def _(event: PersonRevoked, state: Person) -> Person:
    return replace(state, version=event.originator_version, revoked=True)


@singledispatch
def evolve_session(event: DomainEvent, state: WebSession | None) -> WebSession:
    raise TypeError(f"a session does not take {type(event).__name__}")


@evolve_session.register
def _(event: SessionOpened, _: None) -> WebSession:
    return WebSession(event.originator_id, event.originator_version, event.session_sha256, event.person_id,
                      event.expires_at, event.mac, opened_at=event.timestamp)


@evolve_session.register
def _(event: SessionClosed, state: WebSession) -> WebSession:
    return replace(state, version=event.originator_version, closed=True)


project_person = projector(evolve)
project_session = projector(evolve_session)
