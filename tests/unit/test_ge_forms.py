"""The GE pages' forms read into commands (api/pages/ge_terms_forms.py) and their refusals in
French (api/pages/ge_messages.py), without a store: what is typed the French way becomes
cents, basis points and decimals; each refusal names its label and marks the input at fault."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import FormData

from api.pages.coordination_forms import Refused
from api.pages.ge_messages import refused_ge
from api.pages.ge_terms_forms import card_command, contract_command, profile_command, siren_fr
from domain.errors import RuleViolation

PARTNERS = {"club-b": "Club de foot", "mda": "Maison des associations"}
KINDS = {"cdi": "CDI", "cdd": "CDD"}
PROFILE = {"legal_name": "GE du Haut-Val", "address": "2 place de la Mairie", "siren": "732 829 320",
           "vat_regime": "liable", "vat_rate": "5,5", "payment_days": "45", "late_penalty_rate": "12,5"}


def test_a_profile_typed_the_french_way_becomes_the_command():
    """« 732 829 320 », « 5,5 » % and « 12,5 » % are a SIREN, 550 basis points and 12.5."""
    _, cmd = profile_command(FormData(PROFILE))
    assert (cmd.siren, cmd.vat_rate_bp, cmd.payment_days, cmd.late_penalty_rate) == (
        "732829320", 550, 45, Decimal("12.5"))


def test_payment_days_in_words_are_refused_naming_the_field():
    """« trente » is not a number of days."""
    with pytest.raises(Refused) as refused:
        profile_command(FormData(PROFILE | {"payment_days": "trente"}))
    assert refused.value.field == "payment_days"
    assert refused.value.message == "« Délai de paiement » : un nombre entier de jours, par exemple 30."


def test_a_rate_card_reads_each_kinds_and_each_members_input():
    """Empty inputs set nothing; a fee in euros is cents, a coefficient a decimal."""
    _, cmd = card_command(FormData({"applies_from": "2026-01", "default_coefficient": "1,87", "kind-cdd": "1,95",
                                    "kind-cdi": "", "coef-club-b": "1.6", "fee-club-b": "", "fee-mda": "23,50"}),
                          PARTNERS, KINDS)
    assert (cmd.default_coefficient, cmd.kind_coefficients, cmd.member_coefficients, cmd.member_flat_fees_cents) == (
        Decimal("1.87"), {"cdd": Decimal("1.95")}, {"club-b": Decimal("1.6")}, {"mda": 2350})


def test_a_member_with_a_coefficient_and_a_fee_is_refused_on_its_fee_input_by_its_name():
    """The domain names the member by id; the page by the name the coordinator knows."""
    with pytest.raises(Refused) as refused:
        card_command(FormData({"applies_from": "2026-01", "default_coefficient": "1,87", "coef-mda": "1,6",
                               "fee-mda": "23"}), PARTNERS, KINDS)
    assert refused.value.field == "fee-mda"
    assert "pas les deux (Maison des associations)" in refused.value.message


def test_a_members_coefficient_out_of_bounds_marks_that_members_input():
    """7 for the club: above 5, refused on « coef-club-b »."""
    with pytest.raises(Refused) as refused:
        card_command(FormData({"applies_from": "2026-01", "default_coefficient": "1,87", "coef-club-b": "7"}),
                     PARTNERS, KINDS)
    assert (refused.value.field, refused.value.message) == (
        "coef-club-b", "« Coefficients par adhérent » : un coefficient vaut au plus 5.")


def test_hours_typed_as_an_integer_are_said_back_as_typed():
    """20 h full time: the refusal says « 20 h », not « 20.0 h »."""
    with pytest.raises(Refused) as refused:
        contract_command(FormData({"employee_id": "anne", "applies_from": "2026-01", "contract_kind": "cdi",
                                   "working_time": "full_time", "weekly_hours": "20", "hourly_pay": "12",
                                   "job_title": "Assistante"}))
    assert refused.value.message.startswith("« Temps de travail » : 20 h par semaine, c'est un temps partiel")


def test_a_refusal_writes_its_days_the_french_way():
    """The domain's ISO days become « 10 avril 2026 »."""
    error = RuleViolation("the last notification is dated 2026-04-10: a later one cannot be dated 2026-04-01",
                          field="notified_on")
    assert refused_ge(error).message == ("« Date d'envoi » : la dernière notification est datée du 10 avril 2026 ; "
                                         "la suivante ne peut pas l'être du 1er avril 2026.")


@given(st.from_regex(r"\A\d{9}\Z"))
def test_a_siren_is_printed_in_three_groups_of_its_own_digits(siren: str):
    """Grouping adds no-break spaces and loses no digit."""
    printed = siren_fr(siren)
    assert printed.replace("\u00a0", "") == siren and [len(g) for g in printed.split("\u00a0")] == [3, 3, 3]
