"""The forms of "Conditions de facturation" read into commands: the GE's profile
(SetGroupProfile), a member's file (SetMemberDetails), a contract (SetContractTerms) and the
rate card (SetRateCard). Amounts are typed in euros ("12,50"), rates and coefficients with a
decimal comma or point ("1,87"); what the page cannot read is refused here in French, what
the domain refuses is translated by api/pages/ge_messages.py. Nothing decides here: the
commands' validators and the handlers do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from fastapi import Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from api.french import decimal_fr, euros, parse_decimal_fr, parse_euros
from api.pages.coordination_forms import Refused, parsed, text
from api.pages.ge_messages import LABELS, refused_ge
from domain.billing_terms import SetContractTerms, SetGroupProfile, SetMemberDetails, SetRateCard
from application.outcome import Outcome
from application.people import SignedIn
from domain.commands import Command
from domain.errors import DomainError

# The usual kinds of contract (their slugs are what the rate card's coefficients name).
CONTRACT_KINDS = {"cdi": "CDI", "cdd": "CDD", "cdi-intermittent": "CDI intermittent",
                  "apprentissage": "Contrat d'apprentissage", "professionnalisation": "Contrat de professionnalisation"}
WORKING_TIME_FR = {"full_time": "temps plein", "part_time": "temps partiel"}
VAT_FR = {"exempt_261b": "exonéré de TVA (art. 261 B du CGI)", "liable": "assujetti à la TVA"}

PROFILE_FIELDS = ("legal_name", "address", "siren", "vat_regime", "vat_rate", "payment_days", "late_penalty_rate")
MEMBER_FIELDS = ("partner_id", "legal_name", "head_office", "establishments", "activity", "headcount", "siren",
                 "professional", "local_authority")
CONTRACT_FIELDS = ("employee_id", "applies_from", "contract_kind", "working_time", "weekly_hours", "hourly_pay",
                   "job_title")


def build(make: Callable[[], Any], *, rename: dict[str, str] | None = None,
          mark: dict[str, str] | None = None) -> Any:
    try:
        return make()
    except (ValidationError, DomainError) as error:
        raise refused_ge(error, rename=rename, mark=mark) from None


def execute_ge(request: Request, who: SignedIn, cmd: Command, *, rename: dict[str, str] | None = None,
               idempotency_key: str | None = None) -> Outcome:
    """Record as the signed-in coordinator; the ledger's refusal in French, as the GE's forms say
    it (`rename`: the form's names of the command's fields)."""
    services = request.app.state.services
    try:
        outcome = services.ledger.execute(cmd, actor=who, idempotency_key=idempotency_key)
    except DomainError as error:
        raise refused_ge(error, rename=rename) from None
    services.follower.nudge()
    return outcome


def _integer(value: str) -> int | str:
    """Digits as an int; anything else as typed, for the command to refuse in its words."""
    return int(value) if value.isdigit() and len(value) < 10 else value


def siren_typed(value: str) -> str | None:
    """A SIREN as people write it ("732 829 320"): spaces dropped; empty is none."""
    return "".join(value.split()) or None


def profile_command(form: FormData) -> tuple[dict[str, str], SetGroupProfile]:
    sent = {name: text(form, name) for name in PROFILE_FIELDS}
    rate = sent["vat_rate"]
    vat_rate_bp = int(parsed("vat_rate_bp", lambda v: parse_decimal_fr(v, LABELS["vat_rate_bp"], places=2,
                                                                        example="20"), rate) * 100) if rate else None
    penalty = parsed("late_penalty_rate", lambda v: parse_decimal_fr(v, LABELS["late_penalty_rate"], places=2,
                                                                      example="12,5"), sent["late_penalty_rate"])
    cmd = build(lambda: SetGroupProfile(
        legal_name=sent["legal_name"], address=sent["address"], siren=siren_typed(sent["siren"]) or "",
        vat_regime=sent["vat_regime"], vat_rate_bp=vat_rate_bp, payment_days=_integer(sent["payment_days"]),
        late_penalty_rate=penalty))
    return sent, cmd


def member_command(form: FormData) -> tuple[dict[str, str], SetMemberDetails]:
    sent = {name: text(form, name) for name in MEMBER_FIELDS}
    establishments = tuple(line.strip() for line in sent["establishments"].splitlines() if line.strip())
    headcount = _integer(sent["headcount"]) if sent["headcount"] else None
    cmd = build(lambda: SetMemberDetails(
        partner_id=sent["partner_id"], legal_name=sent["legal_name"], address=sent["head_office"],
        siren=siren_typed(sent["siren"]), professional=bool(sent["professional"]),
        local_authority=bool(sent["local_authority"]), establishments=establishments,
        activity=sent["activity"] or None, headcount=headcount), rename={"address": "head_office"})
    return sent, cmd


def contract_command(form: FormData) -> tuple[dict[str, str], SetContractTerms]:
    sent = {name: text(form, name) for name in CONTRACT_FIELDS}
    hours = parsed("weekly_hours", lambda v: parse_decimal_fr(v, LABELS["weekly_hours"], places=2, example="35"),
                   sent["weekly_hours"])
    # "35" is read as 35.0: said back as typed in a refusal ("35 h"), not "35.0 h".
    hours = hours.quantize(Decimal(1)) if hours == hours.to_integral_value() else hours.normalize()
    pay = parsed("hourly_pay", lambda v: parse_euros(v, LABELS["hourly_pay"]), sent["hourly_pay"])
    cmd = build(lambda: SetContractTerms(
        employee_id=sent["employee_id"], applies_from=sent["applies_from"], contract_kind=sent["contract_kind"],
        working_time=sent["working_time"], weekly_hours=hours, hourly_pay_cents=pay, job_title=sent["job_title"]))
    return sent, cmd


def _coefficient(field: str, label: str, value: str) -> Decimal:
    return parsed(field, lambda v: parse_decimal_fr(v, label, places=4, what="un coefficient", example="1,87"), value)


def card_command(form: FormData, partners: dict[str, str], kinds: dict[str, str]
                 ) -> tuple[dict[str, str], SetRateCard]:
    """The card's inputs: `default_coefficient`, `kind-<kind>` for each kind, `coef-<partner>`
    and `fee-<partner>` (euros an hour) for each partner; an empty input sets nothing."""
    names = ["applies_from", "default_coefficient", *(f"kind-{k}" for k in kinds),
             *(f"{what}-{p}" for p in partners for what in ("coef", "fee"))]
    sent = {name: text(form, name) for name in names}
    default = _coefficient("default_coefficient", LABELS["default_coefficient"], sent["default_coefficient"])
    by_kind = {k: _coefficient(f"kind-{k}", f"Coefficient {label}", sent[f"kind-{k}"])
               for k, label in kinds.items() if sent[f"kind-{k}"]}
    by_member = {p: _coefficient(f"coef-{p}", f"Coefficient de {name}", sent[f"coef-{p}"])
                 for p, name in partners.items() if sent[f"coef-{p}"]}
    fees = {p: parsed(f"fee-{p}", lambda v, n=name: parse_euros(v, f"Forfait horaire de {n}"), sent[f"fee-{p}"])
            for p, name in partners.items() if sent[f"fee-{p}"]}
    mark = {f"kind_coefficients.{k}": f"kind-{k}" for k in kinds}
    mark |= {f"member_coefficients.{p}": f"coef-{p}" for p in partners}
    mark |= {f"member_flat_fees_cents.{p}": f"fee-{p}" for p in partners}
    both = sorted(set(by_member) & set(fees))
    if both:
        mark["member_flat_fees_cents"] = f"fee-{both[0]}"
    try:
        cmd = build(lambda: SetRateCard(applies_from=sent["applies_from"], default_coefficient=default,
                                        kind_coefficients=by_kind, member_coefficients=by_member,
                                        member_flat_fees_cents=fees), mark=mark)
    except Refused as error:
        # The domain names the members by id; the coordinator knows them by name.
        for partner_id in both:
            error.message = error.message.replace(partner_id, partners[partner_id])
        raise
    return sent, cmd


# Words ---------------------------------------------------------------------------------

def siren_fr(siren: str | None) -> str:
    """'732829320' -> '732 829 320' (no-break spaces), as INSEE prints it; '—' for none."""
    if not siren:
        return "—"
    return "\u00a0".join((siren[0:3], siren[3:6], siren[6:9]))


def coefficient_fr(value: Decimal) -> str:
    return decimal_fr(Decimal(value), max_places=4)


def card_words(card, partners: dict[str, str], kinds: dict[str, str]) -> list[str]:
    """A rate card in sentences: its default, then each kind's and each member's rate."""
    words = [f"coefficient {coefficient_fr(card.default_coefficient)} par défaut, sur le salaire brut horaire"]
    words += [f"{kinds.get(k, k)} : coefficient {coefficient_fr(v)}" for k, v in sorted(card.kind_coefficients.items())]
    words += [f"{partners.get(p, p)} : coefficient {coefficient_fr(v)}"
              for p, v in sorted(card.member_coefficients.items())]
    words += [f"{partners.get(p, p)} : forfait de {euros(v)} HT l'heure"
              for p, v in sorted(card.member_flat_fees_cents.items())]
    return words
