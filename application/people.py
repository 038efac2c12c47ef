"""People and their sessions: invite, accept an invitation, sign in, find who a cookie
belongs to, sign out, revoke. Each change is a command run through the ledger.

The secrets (the invitation link's and the session cookie's) are shown once and stored only
as SHA-256 digests. Passwords are hashed with argon2id over an HMAC of the password by the
token key (application/tokens.py), which is not in the store: a copy of the store gives no
hash to attack offline, and a hash written into the store verifies no password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from application.ledger import Ledger
from application.permissions import Principal, Visitor
from application.tokens import TokenKeys
from domain import people
from domain.errors import InvalidCommand, RuleViolation
from domain.people import (AcceptInvitation, CloseSession, InvitePerson, OpenSession, Person, PersonInvited,
                           RevokePerson, WebSession, person_aggregate_id, session_aggregate_id)

INVITATION_VALID_FOR = timedelta(days=7)
SESSION_VALID_FOR = timedelta(hours=12)
# ANSSI's guidance for a password alone: long rather than complicated.
MIN_PASSWORD_LENGTH = 12
_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so that a wrong address takes as long as a
# wrong password (the time would otherwise tell who has an account).
_DUMMY_HASH = _HASHER.hash("encommun: no such person")


class SignInRefused(RuleViolation):
    """Wrong e-mail or password, or an account that cannot sign in: one answer for all."""


@dataclass(frozen=True)
class SignedIn:
    """Who a live session belongs to: a principal for the permission policy."""

    person: Person
    session: WebSession

    @property
    def role(self) -> str:
        return self.person.role

    @property
    def partner_id(self) -> str | None:
        return self.person.partner_id

    @property
    def employee_id(self) -> str | None:
        return self.person.employee_id

    @property
    def actor(self) -> str:
        return self.person.actor


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _keyed(key: bytes, password: str) -> str:
    return hmac.new(key, b"encommun-password-v1\n" + password.encode(), hashlib.sha256).hexdigest()


def _signing_key(keys: TokenKeys) -> bytes:
    if keys.current is None:
        raise RuleViolation("no key to sign with: set ENCOMMUN_TOKEN_KEY or create the key file", field="token_key")
    return keys.current


def invite_person(ledger: Ledger, principal: Principal, *, email: str, name: str, role: str,
                  partner_id: str | None, keys: TokenKeys, employee_id: str | None = None,
                  now: datetime | None = None) -> str:
    """Record the invitation and return its link's secret (`<person id>.<random>`), shown once."""
    person_id = person_aggregate_id(email)
    secret = f"{person_id.hex}.{secrets.token_urlsafe(32)}"
    expires_at = (now or datetime.now(timezone.utc)) + INVITATION_VALID_FOR
    ledger.execute(InvitePerson(email=email, name=name, role=role, partner_id=partner_id or None,
                                employee_id=employee_id or None, invitation_sha256=_digest(secret),
                                expires_at=expires_at, signing_key=_signing_key(keys)), actor=principal)
    return secret


def invited_person(ledger: Ledger, invitation: str) -> Person | None:
    """The person an invitation link names, if the link is one of theirs (used or not)."""
    person = _person_by_id(ledger, _person_id_of(invitation))
    if person is None or not hmac.compare_digest(person.invitation_sha256, _digest(invitation)):
        return None
    return person


def accept_invitation(ledger: Ledger, invitation: str, password: str, *, keys: TokenKeys) -> Person:
    """Set the password chosen from an invitation link; the person can then sign in."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidCommand(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if len(password) > 1024:
        raise InvalidCommand("the password must have at most 1024 characters", field="password")
    # A link that names nobody is refused by the domain, with the same answer as a wrong one.
    person_id = _person_id_of(invitation) or UUID(int=0)
    ledger.execute(AcceptInvitation(person_id=person_id, invitation_sha256=_digest(invitation),
                                    password_hash=_HASHER.hash(_keyed(_signing_key(keys), password))),
                   actor=Visitor())
    return ledger.store.repository.get(person_id, projector_func=people.project_person)


def sign_in(ledger: Ledger, email: str, password: str, *, keys: TokenKeys,
            now: datetime | None = None) -> str:
    """Open a session for the person whose e-mail and password these are; its cookie's
    secret, shown once. SignInRefused, always the same, for anything else."""
    try:
        person = _person_by_id(ledger, person_aggregate_id(email))
    except InvalidCommand:
        person = None
    if not _password_matches(person, password, keys):
        raise SignInRefused("wrong e-mail address or password", field="password")
    secret = secrets.token_urlsafe(32)
    expires_at = (now or datetime.now(timezone.utc)) + SESSION_VALID_FOR
    ledger.execute(OpenSession(person_id=person.id, session_sha256=_digest(secret), expires_at=expires_at,
                               signing_key=_signing_key(keys)), actor=Visitor())
    return secret


def find_session(ledger: Ledger, secret: str, keys: TokenKeys, *, now: datetime | None = None) -> SignedIn | None:
    """Who a session cookie belongs to, if the session is open, unexpired and signed, and
    its person invited by a key and not revoked."""
    if not secret or len(secret) > 200:
        return None
    try:
        session = ledger.store.repository.get(session_aggregate_id(_digest(secret)),
                                              projector_func=people.project_session)
    except AggregateNotFoundError:
        return None
    if session.closed or (now or datetime.now(timezone.utc)) >= session.expires_at \
            or not people.opened_by_key(session, keys.accepted):
        return None
    person = _person_by_id(ledger, session.person_id)
    if person is None or person.status != "active" or not people.invited_by_key(person, keys.accepted):
        return None
    return SignedIn(person, session)


def sign_out(ledger: Ledger, signed_in: SignedIn) -> None:
    ledger.execute(CloseSession(session_sha256=signed_in.session.session_sha256), actor=signed_in)


def revoke_person(ledger: Ledger, principal: Principal, email: str) -> None:
    """End someone's access: their open sessions stop authenticating at once."""
    ledger.execute(RevokePerson(email=email), actor=principal)


def list_people(ledger: Ledger) -> list[Person]:
    """Everyone ever invited, as they stand, in order of first invitation."""
    invited = ledger.store.recorder.select_notifications(1, 1_000_000, topics=[get_topic(PersonInvited)])
    seen: dict[UUID, None] = dict.fromkeys(n.originator_id for n in invited)
    return [ledger.store.repository.get(person_id, projector_func=people.project_person) for person_id in seen]


def _password_matches(person: Person | None, password: str, keys: TokenKeys) -> bool:
    usable = person is not None and person.status == "active" and people.invited_by_key(person, keys.accepted)
    hashed = person.password_hash if usable else _DUMMY_HASH
    for key in keys.accepted or (b"",):
        try:
            if _HASHER.verify(hashed, _keyed(key, password)):
                return usable
        except (VerificationError, InvalidHashError):
            continue
    return False


def _person_id_of(invitation: str) -> UUID | None:
    head, dot, _ = invitation.partition(".")
    try:
        return UUID(hex=head) if dot and len(head) == 32 else None
    except ValueError:
        return None


def _person_by_id(ledger: Ledger, person_id: UUID | None) -> Person | None:
    if person_id is None:
        return None
    try:
        return ledger.store.repository.get(person_id, projector_func=people.project_person)
    except AggregateNotFoundError:
        return None
