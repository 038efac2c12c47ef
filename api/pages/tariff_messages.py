"""What « Régularisation des tarifs » says when a settlement is refused (api/pages/
coordination_tariffs.py): the domain's refusals (domain/tariff_settlement.py, application/
tariff_settlement.py) as French sentences naming the page's field."""

from __future__ import annotations

import re
from typing import Any

from api.french import month_fr
from api.pages import messages
from api.pages.coordination_forms import Refused
from domain.errors import DomainError

LABELS = {"annee": "Année", "ressource": "Ressource", "mois": "Mois de la régularisation",
          "position": "Position du journal"}
# The command's fields as the page's form names them.
FIELDS = {"year": "annee", "resource_id": "ressource", "month": "mois", "as_of_position": "position",
          "settlements_seen": "position"}
_MOVED = ("« Position du journal » : un chiffre de l'année a changé depuis l'affichage de la page (un coût, "
          "un usage, une clé ou une régularisation enregistrés depuis). Voici les chiffres à jour : vérifiez-les, "
          "puis régularisez de nouveau.")

TRANSLATIONS: list[tuple[str, re.Pattern[str], Any]] = [
    ("annee", re.compile(r"no tariff key in (\d{4})"),
     lambda year: f"« Année » : cette ressource n'est facturée au tarif à aucun mois de {year} : il n'y a rien à "
                  f"régulariser."),
    ("annee", re.compile(r"nothing to settle"),
     "« Année » : ce que le tarif a facturé (avec les régularisations déjà émises) est exactement le coût "
     "réel : il n'y a rien à régulariser."),
    ("mois", re.compile(r"settled in its last month or later, not in (\d{4}-\d{2})"),
     lambda month: f"« Mois de la régularisation » : une année se régularise sur son mois de décembre ou après, "
                   f"pas sur {month_fr(month)}."),
    ("mois", re.compile(r"month (\d{4}-\d{2}) is closed"),
     lambda month: f"« Mois de la régularisation » : {month_fr(month)} est clos ; choisissez un mois ouvert."),
    ("mois", re.compile(r"already has a settlement on the statements of (\d{4}-\d{2})"),
     lambda month: f"« Mois de la régularisation » : les relevés de {month_fr(month)} portent déjà une "
                   f"régularisation de ce tarif ; la suivante va sur un mois ouvert suivant."),
    ("position", re.compile(r"moved since position|were issued since"), _MOVED),
    ("position", re.compile(r"the log ends"),
     "La page envoyée est incomplète : rechargez-la, puis régularisez."),
    ("ressource", re.compile(r"no resource"), "« Ressource » : cette ressource n'existe pas."),
]


def refused_settlement(error: DomainError) -> Refused:
    """The refusal in French, on the page's field."""
    field = FIELDS.get(error.field or "", error.field)
    for name, pattern, sentence in TRANSLATIONS:
        found = pattern.search(error.message) if name == field else None
        if found:
            return Refused(field, sentence(*found.groups()) if callable(sentence) else sentence.format(*found.groups()))
    _, said = messages.french(error)
    return Refused(field, said)
