"""The calendar and the text rules of the door: one place, clear words, no overflow."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from pydantic import TypeAdapter, ValidationError

from domain.commands import parse_command
from domain.errors import InvalidCommand
from domain.periods import Day, Month, StoredDatetime, UtcDatetime, in_calendar
from domain.text import Name, Text


@pytest.mark.parametrize("value, words", [
    ("2026-13", "2026-13 is not a month"),
    ("2026-00", "2026-00 is not a month"),
    ("2101-01", r"outside the ledger's calendar \(2000-01-01 to 2100-12-31\)"),
    ("26-03", "month must be written YYYY-MM"),
])
def test_a_month_outside_the_calendar_or_impossible_says_which(value: str, words: str) -> None:
    """Impossible months and months beyond the calendar are told apart from format errors."""
    with pytest.raises(ValidationError, match=words):
        TypeAdapter(Month).validate_python(value)


@pytest.mark.parametrize("value, words", [
    ("2026-02-30", "2026-02-30 is not a day: February 2026 has 28 days"),
    ("2024-02-30", "February 2024 has 29 days"),
    ("2026-13-01", "2026-13 is not a month"),
    ("2101-01-01", "outside the ledger's calendar"),
    ("1999-12-31", "outside the ledger's calendar"),
])
def test_an_impossible_day_or_one_beyond_the_calendar_says_why(value: str, words: str) -> None:
    """Days are checked for existence, then against the calendar."""
    with pytest.raises(ValidationError, match=words):
        TypeAdapter(Day).validate_json(f'"{value}"')


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:30:00Z",
                                   "9999-12-31T23:59:59-14:00", "2101-01-01T00:00:00+01:00"])
def test_an_instant_at_the_edges_of_time_is_refused_without_overflowing(value: str) -> None:
    """The comparison happens before any conversion, so nothing overflows."""
    with pytest.raises(ValidationError, match="outside the ledger's calendar"):
        TypeAdapter(UtcDatetime).validate_python(value)


def test_the_calendar_runs_from_the_first_local_midnight_to_the_last_local_midnight() -> None:
    """Its bounds are Europe/Paris days: 2000-01-01 00:00 and 2100-12-31 23:59:59 local."""
    instants = TypeAdapter(UtcDatetime)
    assert instants.validate_python("2000-01-01T00:00:00+01:00") == datetime(1999, 12, 31, 23, tzinfo=timezone.utc)
    assert instants.validate_python("2100-12-31T23:59:59+01:00").year == 2100
    with pytest.raises(ValidationError):
        instants.validate_python("1999-12-31T23:59:59+01:00")
    with pytest.raises(ValidationError):
        instants.validate_python("2101-01-01T00:00:00+01:00")
    assert in_calendar("2100-12") and not in_calendar("2101-01") and not in_calendar("1999-12")


def test_stored_instants_beyond_the_calendar_still_load() -> None:
    """A log written before the calendar was enforced must replay."""
    assert TypeAdapter(StoredDatetime).validate_python("9999-12-31T22:00:00Z").year == 9999


@pytest.mark.parametrize("value", ["Salle\u0000B", "bip\u0007", "\u001b[31mrouge", "\u202eevil", "a\ud800"])
def test_control_characters_are_refused_in_names_and_text(value: str) -> None:
    """NUL, BEL, ESC, bidi overrides and lone surrogates have no place in what people read."""
    for kind in (Name, Text):
        # pydantic itself refuses a lone surrogate as not unicode.
        with pytest.raises(ValidationError, match="control character|unicode string"):
            TypeAdapter(kind).validate_python(value)


def test_free_text_may_hold_tabs_and_new_lines_but_names_may_not() -> None:
    """A dispute's reason may span lines; a partner's name is one line."""
    assert TypeAdapter(Text).validate_python("ligne 1\n\tligne 2") == "ligne 1\n\tligne 2"
    with pytest.raises(ValidationError):
        TypeAdapter(Name).validate_python("ligne 1\nligne 2")


def test_a_booking_that_ends_before_it_starts_names_ends_at() -> None:
    """A rule over two fields blames the one a person would correct."""
    with pytest.raises(InvalidCommand) as refused:
        parse_command({"command": "book_slot", "resource_id": "salle", "partner_id": "creche-a",
                       "starts_at": "2026-03-02T16:00:00+01:00", "ends_at": "2026-03-02T14:00:00+01:00"})
    assert refused.value.field == "book_slot.ends_at"
    assert "must end after it starts" in refused.value.message
    assert "Value error" not in refused.value.message


def test_a_command_of_a_batch_with_an_unknown_name_names_the_command_field() -> None:
    """An unknown command names `command`, not the list item."""
    from domain.commands import parse_commands
    with pytest.raises(InvalidCommand) as unknown:
        parse_commands([{"command": "dance"}])
    assert unknown.value.field == "0.command"


def test_days_are_dates_inside_the_calendar() -> None:
    """A date object passes through the same rule as a string."""
    assert TypeAdapter(Day).validate_python(date(2026, 3, 2)) == date(2026, 3, 2)
    with pytest.raises(ValidationError):
        TypeAdapter(Day).validate_python(date(2101, 1, 1))
