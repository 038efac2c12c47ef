"""Events in French words, for the pages that list them (a line's trace): what kind of
event it is ("Réservation", "Coût enregistré", "Correction"…), what it says in a sentence,
and who recorded it. Times are shown in Europe/Paris."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from api.french import date_fr, day_fr, decimal_fr, euros, month_fr, time_fr
from api.pages.statement_view import key_summary, unit_fr

EVENT_TYPES_FR = {
    "CostRecorded": "Coût enregistré",
    "SlotBooked": "Réservation",
    "BookingCancelled": "Réservation annulée",
    "StaffHoursLogged": "Heures de travail",
    "EquipmentUsed": "Utilisation",
    "EntryCorrected": "Correction",
    "EntryVoided": "Annulation d'une écriture",
    "AllocationKeySet": "Clé de répartition",
    "PartnerJoined": "Adhésion",
    "PartnerLeft": "Départ",
    "PartnerRejoined": "Nouvelle adhésion",
    "DisputeOpened": "Contestation ouverte",
    "DisputeCommented": "Commentaire",
    "DisputeResolved": "Contestation résolue",
    "CreditGranted": "Avoir",
    "PeriodClosed": "Clôture du mois",
}
ROLES_FR = {"coordinator": "coordination", "auditor": "contrôle", "analyst": "analyse", "partner": "partenaire"}


@dataclass(frozen=True)
class EventView:
    position: int
    event_type: str
    label: str
    sentence: str
    actor: str
    recorded_at: datetime
    after_seal: bool


def actor_fr(actor: str, partners: dict[str, str]) -> str:
    """'partner:mission-locale/tresorerie@…' -> 'Mission locale … (tresorerie@…)';
    'coordinator/x@…' -> 'coordination (x@…)'; an operator's name as it is."""
    scope, _, who = actor.partition("/")
    role, _, partner_id = scope.partition(":")
    if role == "partner" and partner_id:
        name = partners.get(partner_id, partner_id)
        return f"{name} ({who})" if who else name
    if who and role in ROLES_FR:
        return f"{ROLES_FR[role]} ({who})"
    return actor


def _day(value: str) -> str:
    return date_fr(date.fromisoformat(value))


def _span(starts_at: str, ends_at: str) -> str:
    start, end = datetime.fromisoformat(starts_at), datetime.fromisoformat(ends_at)
    return f"le {day_fr(start)}, de {time_fr(start)} à {time_fr(end)}"


def sentence(event_type: str, payload: dict[str, Any], *, resource_name: str, unit: str,
             partners: dict[str, str], source: str) -> str:
    """What the event says, in French."""
    singular, plural, _ = unit_fr(unit)
    p = payload
    if event_type == "CostRecorded":
        return (f"{euros(p['amount_cents'])} pour {month_fr(p['month'])}, {p['category']}, "
                f"pièce {p['document_ref']}.")
    if event_type == "SlotBooked":
        return f"{resource_name} {_span(p['starts_at'], p['ends_at'])}."
    if event_type == "BookingCancelled":
        return f"Réservation {p['entry_id']} annulée" + (f" : {p['reason']}." if p.get("reason") else ".")
    if event_type == "StaffHoursLogged":
        hours = decimal_fr(Decimal(p["hours"]), max_places=2)
        return f"{hours} h de travail le {_day(p['work_date'])}."
    if event_type == "EquipmentUsed":
        quantity = Decimal(p["quantity"])
        return f"{decimal_fr(quantity, max_places=3)} {plural if quantity != 1 else singular} le {_day(p['used_on'])}."
    if event_type == "EntryCorrected":
        if p.get("amount_cents") is not None:
            new = f"montant porté à {euros(p['amount_cents'])}"
        else:
            new = f"quantité portée à {decimal_fr(Decimal(p['quantity']), max_places=3)}"
        return f"Écriture {p['entry_id']} : {new} — {p['reason']}."
    if event_type == "EntryVoided":
        return f"Écriture {p['entry_id']} annulée — {p['reason']}."
    if event_type == "AllocationKeySet":
        return (f"Version {p['key_version']}, applicable à partir de {month_fr(p['applies_from'])} : "
                f"{key_summary(p['key'], unit)}.")
    if event_type == "PartnerJoined":
        return f"{p['name']} devient membre le {_day(p['joined_on'])}."
    if event_type == "PartnerLeft":
        return f"Dernier jour d'adhésion : {_day(p['last_day'])}."
    if event_type == "PartnerRejoined":
        return f"Membre de nouveau à partir du {_day(p['joined_on'])}."
    if event_type == "DisputeOpened":
        return f"Motif : {p['reason']}"
    if event_type == "DisputeCommented":
        return p["comment"]
    if event_type == "DisputeResolved":
        outcome = "acceptée" if p["outcome"] == "accepted" else "rejetée"
        return f"Contestation {outcome} : {p['reason']}"
    if event_type == "CreditGranted":
        return f"{euros(p['amount_cents'])} portés au relevé de {month_fr(p['credited_month'])}."
    return ""


def label(event_type: str, payload: dict[str, Any]) -> str:
    if event_type == "DisputeResolved":
        return "Contestation acceptée" if payload.get("outcome") == "accepted" else "Contestation rejetée"
    return EVENT_TYPES_FR.get(event_type, event_type)
