"""The working-time refusals (domain/working_time.py) in French, for the coordinator's
hours form: each names the employee, the days (« 2 mars 2026 ») and the figures
(« 529,00 h »), and the article of the Code du travail. api/pages/messages.py puts them
first among its translations."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Callable

from api.french import date_fr
from domain.periods import week_monday

Sentence = Callable[..., str]


def _d(iso: str) -> str:
    return date_fr(date.fromisoformat(iso))


def _n(figure: str) -> str:
    return figure.replace(".", ",")


def _hm(hhmm: str) -> str:
    hours, minutes = hhmm.split(":")
    return f"{int(hours)} h {minutes}"


def _day(name: str, worked: str, day: str, limit: str, already: str, more: str) -> str:
    return (f"« Heure de fin » : {name} travaillerait {_n(worked)} h le {_d(day)}, au-delà de la durée "
            f"quotidienne de {_n(limit)} h (Code du travail, art. L3121-18) : {_n(already)} h sont déjà saisies "
            f"ce jour-là, et {_n(more)} h de plus.")


def _week(name: str, worked: str, week: str, limit: str, already: str, more: str) -> str:
    monday = week_monday(week)
    return (f"« Jour » : {name} travaillerait {_n(worked)} h la semaine du {date_fr(monday)} au "
            f"{date_fr(monday + timedelta(days=6))}, au-delà de {_n(limit)} h par semaine (art. L3121-20) : "
            f"{_n(already)} h sont déjà saisies, et {_n(more)} h de plus.")


def _average(name: str, worked: str, weeks: str, first: str, last: str, limit: str, cap: str,
             already: str, more: str) -> str:
    return (f"« Jour » : {name} travaillerait {_n(worked)} h sur les {weeks} semaines du "
            f"{date_fr(week_monday(first))} au {date_fr(week_monday(last) + timedelta(days=6))}, au-delà de "
            f"{_n(limit)} h par semaine en moyenne sur {weeks} semaines consécutives, soit {_n(cap)} h "
            f"(art. L3121-22) : {_n(already)} h sont déjà saisies sur ces semaines, et {_n(more)} h de plus.")


def _rest(name: str, hours: str, minutes: str, day1: str, end: str, day2: str, start: str, rest: str) -> str:
    return (f"« Heure de début » : {name} n'aurait que {hours} h {minutes} de repos entre la fin de son travail "
            f"le {_d(day1)} à {_hm(end)} et sa reprise le {_d(day2)} à {_hm(start)} ; le repos quotidien est "
            f"d'au moins {_n(rest)} heures consécutives (art. L3131-1).")


def _break(name: str, hours: str, minutes: str, day: str, start: str, end: str, pause: str, after: str) -> str:
    return (f"« Heure de début » : {name} travaillerait {hours} h {minutes} sans pause le {_d(day)}, de "
            f"{_hm(start)} à {_hm(end)} ; dès {_n(after)} h de travail, une pause d'au moins {pause} minutes "
            f"consécutives est due (art. L3121-16). Laissez {pause} minutes entre deux saisies.")


def _overlap(name: str, start: str, end: str, day: str, entry: str, other_start: str, other_end: str,
             partner: str) -> str:
    return (f"« Heure de début » : le {_d(day)}, {name} est déjà saisi de {_hm(other_start)} à {_hm(other_end)} "
            f"(pour « {partner} », {entry}) : de {_hm(start)} à {_hm(end)}, les deux saisies se chevauchent.")


_WHO = r"employee '(.+)' would"
WORKING_TIME: list[tuple[str | None, re.Pattern[str], str | Sentence]] = [
    (None, re.compile(_WHO + r" work ([\d.]+) h on (\S+) \(limit ([\d.]+) h a day\): ([\d.]+) h already logged "
                             r"\+ ([\d.]+) h"), _day),
    (None, re.compile(_WHO + r" work ([\d.]+) h in week (\S+) \(limit ([\d.]+) h a week\): ([\d.]+) h already "
                             r"logged \+ ([\d.]+) h"), _week),
    (None, re.compile(_WHO + r" work ([\d.]+) h over the (\d+) weeks (\S+) to (\S+) \(limit ([\d.]+) h a week on "
                             r"average over \d+ consecutive weeks, ([\d.]+) h, C. trav. L3121-22\): ([\d.]+) h "
                             r"already logged \+ ([\d.]+) h"), _average),
    (None, re.compile(_WHO + r" rest (\d+) h (\d+) min between (\S+) (\S+) and (\S+) (\S+) \(a daily rest of at "
                             r"least ([\d.]+) consecutive hours"), _rest),
    (None, re.compile(_WHO + r" work (\d+) h (\d+) min without a break on (\S+), from (\S+) to (\S+) \(a break of "
                             r"at least (\d+) consecutive minutes once daily work reaches ([\d.]+) h"), _break),
    (None, re.compile(_WHO + r" work (\S+)-(\S+) on (\S+) while entry (\S+) \((\S+)-(\S+), for '(.+)'\) is "
                             r"already logged"), _overlap),
    (None, re.compile(r"staff hours stay within one day"),
     "« Heure de fin » : une saisie d'heures commence et finit le même jour ; saisissez la suite le lendemain."),
    (None, re.compile(r"staff hours must end after they start"), "« Heure de fin » : la fin doit venir après le début."),
    (None, re.compile(r"staff hours last at least"), "« Heure de fin » : la fin doit venir après le début."),
    ("member_id", re.compile(r"partner '(.+)' is not a member on (\S+)"),
     "« Membre » : « {0} » n'est pas membre ce jour-là ({1}) : on ne peut pas lui compter d'heures."),
    ("employee_id", re.compile(r"is of kind|no resource"), "« Salarié » : choisissez un salarié de la liste."),
]
LABELS = {"employee_id": "Salarié", "member_id": "Membre"}
