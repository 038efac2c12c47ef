"""What the coordinator's forms share: recording as the signed-in person, refusals as
French sentences naming the field (what was typed is kept), and the fields read as text."""

from __future__ import annotations

from typing import Callable, TypeVar

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.pages.messages import french
from application.outcome import Outcome
from application.people import SignedIn
from domain.commands import Command, invalid_command
from domain.errors import DomainError

T = TypeVar("T")


class Refused(Exception):
    """A form refused before or by the ledger: the field to mark and the French sentence."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def refused(error: DomainError | ValidationError, rename: dict[str, str] | None = None) -> Refused:
    """The French refusal; `rename` names the form's field for a command's field (a credit
    note's reference is sent as the correction's `reason`)."""
    if isinstance(error, ValidationError):
        error = invalid_command(error)
    field = _form_field(error.field)
    if rename and field in rename:
        field = rename[field]
    if field != error.field:
        error = type(error)(error.message, field=field)
    field, message = french(error)
    return Refused(field, message)


def _form_field(field: str | None) -> str | None:
    """A key's field as the key form names it: 'key.parts.0.weights' is the weights column."""
    if not field or not field.startswith("key."):
        return field
    parts = field.split(".")
    return next((name for name in ("weights", "partners", "unit_price_cents", "method") if name in parts), "parts")


def text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def typed(form: FormData, *names: str) -> dict[str, str]:
    """The fields as typed, to show them again if the form is refused."""
    return {name: text(form, name) for name in names}


def parsed(field: str, parse: Callable[[str], T], value: str) -> T:
    """A typed value parsed by an api.french parser; its French refusal names `field`."""
    try:
        return parse(value)
    except ValueError as error:
        raise Refused(field, str(error)) from None


def command(build: Callable[[], T], rename: dict[str, str] | None = None) -> T:
    """A command built from the form; pydantic's refusal becomes French."""
    try:
        return build()
    except (ValidationError, DomainError) as error:
        raise refused(error, rename) from None


def execute(request: Request, who: SignedIn, cmd: Command, rename: dict[str, str] | None = None) -> Outcome:
    """Record as the signed-in coordinator (the ledger asks the permission policy), then wake
    the projections so that the page shown next can read its write."""
    services = request.app.state.services
    try:
        outcome = services.ledger.execute(cmd, actor=who)
    except DomainError as error:
        raise refused(error, rename) from None
    services.follower.nudge()
    return outcome


def after(url: str, outcome: Outcome) -> str:
    """The page to show next, reading once the projections include what was recorded."""
    if outcome.position is None:
        return url
    return f"{url}{'&' if '?' in url else '?'}apres={outcome.position}"
