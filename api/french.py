"""French formatting for what people read (documents and pages), independent of the
system locale: amounts `1 234,56 €`, days `5 avril 2026`, times in Europe/Paris."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from domain.money import format_eur
from domain.periods import LOCAL_TZ

MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre")
WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def month_fr(month: str) -> str:
    """'2026-03' -> 'mars 2026'."""
    year, number = month.split("-")
    return f"{MONTHS_FR[int(number) - 1]} {year}"


def day_fr(moment: datetime) -> str:
    """An instant as its local (Europe/Paris) day: '5 avril 2026', '1er mai 2026'."""
    return date_fr(moment.astimezone(LOCAL_TZ).date())


def decimal_fr(value: Decimal, *, places: int | None = None, max_places: int | None = None,
               group: bool = True) -> str:
    """A decimal with a decimal comma: rounded half-up to `places` decimals, or to at most
    `max_places` with trailing zeros dropped (all of them by default); thousands separated by
    a narrow no-break space unless `group` is false."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    elif max_places is not None and value.as_tuple().exponent < -max_places:
        return decimal_fr(value.quantize(Decimal(1).scaleb(-max_places), rounding=ROUND_HALF_UP), group=group)
    elif value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    text = f"{value:f}"
    sign = "-" if text.startswith("-") else ""
    integer, _, fraction = text.lstrip("-").partition(".")
    if group:
        integer = f"{int(integer):,}".replace(",", "\u202f")
    return f"{sign}{integer}{',' + fraction if fraction else ''}"


def percent_fr(ratio: Decimal) -> str:
    """0.4352331606 -> '43,52 %' (narrow no-break space before the sign)."""
    return f"{decimal_fr(ratio * 100, places=2)}\u202f%"


def date_fr(day: date) -> str:
    """A calendar day: '5 avril 2026', '1er mai 2026'."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS_FR[day.month - 1]} {day.year}"


def time_fr(moment: datetime) -> str:
    """An instant's local (Europe/Paris) time of day: '14 h 05'."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{local.hour} h {local.minute:02d}"


def moment_fr(moment: datetime) -> str:
    """An instant in Europe/Paris: '5 avril 2026 à 14 h 05'."""
    return f"{day_fr(moment)} à {time_fr(moment)}"


def euros(cents: int) -> str:
    return format_eur(cents)


FILTERS = {"euros": euros, "month_fr": month_fr, "day_fr": day_fr, "date_fr": date_fr, "time_fr": time_fr,
           "moment_fr": moment_fr, "decimal_fr": decimal_fr, "percent_fr": percent_fr}


# The partner's pages ------------------------------------------------------------------------

MONTHS_SHORT_FR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
                   "déc.")


def month_short_fr(month: str) -> str:
    """'2026-01' -> 'janv. 2026' (the abbreviations of the Imprimerie nationale)."""
    year, number = month.split("-")
    return f"{MONTHS_SHORT_FR[int(number) - 1]} {year}"


def weekday_fr(day: date) -> str:
    """'lundi 2 mars 2026'."""
    return f"{WEEKDAYS_FR[day.weekday()]} {date_fr(day)}"


FILTERS.update({"month_short_fr": month_short_fr, "weekday_fr": weekday_fr})

# --- Amounts and numbers typed in forms (the coordinator's pages) -------------------------
# What people type: "1 234,56", "1234.56", "1 234,56 €", "80". Spaces of any kind group the
# thousands; the decimal mark is a comma or a point ("1.234,56" is refused rather than
# guessed). Refusals are French sentences naming the field by its label. (Imports here, not
# at the top, so that this block stays appended to the module.)
import re  # noqa: E402

from domain.money import MAX_AMOUNT_CENTS  # noqa: E402

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DECIMAL = re.compile(r"^(?P<integer>\d+)(?:[.,](?P<fraction>\d*))?$")


def parse_decimal_fr(text: str, label: str, *, places: int, what: str = "un nombre",
                     example: str = "12,5") -> Decimal:
    """A positive decimal with at most `places` decimals, written the French way or not;
    refused with a French sentence naming the field (ValueError)."""
    shown = str(text).strip()
    typed = _SPACES.sub("", shown).removesuffix("€")
    if not typed:
        raise ValueError(f"« {label} » : ce champ est obligatoire.")
    if typed.startswith("-"):
        raise ValueError(f"« {label} » : la valeur doit être supérieure à zéro (« {shown} »).")
    found = _DECIMAL.match(typed)
    if found is None:
        raise ValueError(f"« {label} » : « {shown} » n'est pas {what} ; écrivez par exemple {example}.")
    fraction = found["fraction"] or ""
    if len(fraction) > places:
        raise ValueError(f"« {label} » : au plus {places} chiffre{'s' if places > 1 else ''} après la virgule "
                         f"(« {shown} » en a {len(fraction)}).")
    value = Decimal(f"{found['integer']}.{fraction or '0'}")
    if value == 0:
        raise ValueError(f"« {label} » : la valeur doit être supérieure à zéro.")
    return value


def parse_euros(text: str, label: str = "Montant") -> int:
    """Euros typed in a form ("1 234,56") as integer cents (123456); a ValueError with a
    French sentence naming the field when it is not a positive amount of at most two
    decimals, or is above the ledger's bound on one amount."""
    euros = parse_decimal_fr(text, label, places=2, what="un montant en euros", example="1 234,56")
    cents = int(euros * 100)
    if cents > MAX_AMOUNT_CENTS:
        raise ValueError(f"« {label} » : un montant est d'au plus {format_eur(MAX_AMOUNT_CENTS)}.")
    return cents


def parse_unit_price(text: str, label: str = "Prix unitaire") -> Decimal:
    """A tariff's unit price typed in euros ("0,04", "0,035") as cents: a Decimal of at most
    four decimals (a tariff may be a fraction of a cent)."""
    euros = parse_decimal_fr(text, label, places=6, what="un prix en euros", example="0,04")
    cents = euros * 100
    return cents.quantize(Decimal(1)) if cents == cents.to_integral_value() else cents.normalize()


def de_fr(text: str) -> str:
    """'de' before a word, elided before a vowel: 'de mars 2026', "d'avril 2026", "d'Atelier vélo"."""
    return f"d'{text}" if text[:1].lower() in "aàâeéèêëiîïoôuùûy" else f"de {text}"


FILTERS["de_fr"] = de_fr


# The auditor's and the analyst's pages (api/pages/audit*.py, analysis.py) -------------------

def integer_fr(number: int) -> str:
    """12345 -> '12 345' (narrow no-break space between thousands)."""
    return f"{number:,}".replace(",", "\u202f")


FILTERS["integer_fr"] = integer_fr
