"""Events in French words, for every page that lists them: the auditor's journal and month
comparison (api/pages/audit*.py), a line's trace and a dispute's exchange (partner pages).
One name per event type (grouped for the journal's filter), one sentence saying what an event
recorded, built from its payload alone, and who recorded it. Times are shown in Europe/Paris.

Only the fields a person needs are read: digests, MACs, password hashes, idempotency keys
and chain hashes in payloads are never shown (people and session events carry some).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.invoice_amounts import reference
from api.french import date_fr, day_fr, decimal_fr, euros, month_fr, moment_fr, time_fr
from api.pages.statement_view import key_summary, price_fr, unit_fr

# Every event type of the log, in French, grouped for the journal filter's <optgroup>s.
# The names say what happened to what, so that a row reads alone in a long journal.
EVENT_GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Partenaires et ressources", (
        ("PartnerJoined", "Adhésion d'un partenaire"),
        ("PartnerLeft", "Départ d'un partenaire"),
        ("PartnerRejoined", "Retour d'un partenaire"),
        ("ResourceRegistered", "Ressource enregistrée"),
        ("ResourceRetired", "Ressource retirée"),
        ("AllocationKeySet", "Clé de répartition"),
        ("CostBasisSet", "Coûts HT ou TTC"),
    )),
    ("Coûts et usages", (
        ("CostRecorded", "Coût enregistré"),
        ("SlotBooked", "Réservation"),
        ("BookingCancelled", "Réservation annulée"),
        ("StaffHoursLogged", "Heures de personnel"),
        ("EquipmentUsed", "Utilisation d'équipement"),
        ("EntryCorrected", "Correction d'une écriture"),
        ("EntryVoided", "Annulation d'une écriture"),
    )),
    ("Mois et contestations", (
        ("PeriodClosed", "Clôture d'un mois"),
        ("DisputeOpened", "Contestation ouverte"),
        ("DisputeCommented", "Commentaire sur une contestation"),
        ("DisputeResolved", "Contestation tranchée"),
        ("CreditGranted", "Avoir accordé"),
        ("TariffYearSettled", "Régularisation annuelle d'un tarif"),
    )),
    ("Groupement d'employeurs", (
        ("ContractTermsSet", "Contrat d'un salarié"),
        ("RateCardSet", "Grille de facturation"),
        ("GroupProfileSet", "Identité de facturation du GE"),
        ("MemberDetailsSet", "Fiche d'un adhérent"),
        ("RegisterChangesNotified", "Changements du registre notifiés"),
        ("GeDebtRecorded", "Dette du GE enregistrée"),
        ("GeDebtSettled", "Dette du GE réglée"),
        ("MembershipFeeCalled", "Cotisation appelée"),
        ("DepositCalled", "Dépôt de garantie appelé"),
        ("DepositReturned", "Dépôt de garantie restitué"),
        ("InvoiceIssued", "Facture ou avoir émis"),
        ("InvoicePaymentRecorded", "Paiement d'une facture"),
        ("CreditNoteRefunded", "Remboursement d'un avoir"),
    )),
    ("Feuilles d'heures", (
        ("HourSheetSubmitted", "Feuille d'heures soumise"),
        ("HourSheetCountersigned", "Feuille d'heures signée"),
        ("HourSheetContested", "Feuille d'heures contestée"),
    )),
    ("Personnes et accès", (
        ("PersonInvited", "Invitation"),
        ("InvitationAccepted", "Invitation acceptée"),
        ("PersonRevoked", "Accès retiré"),
        ("SessionOpened", "Connexion"),
        ("SessionClosed", "Déconnexion"),
        ("TokenIssued", "Jeton d'API émis"),
        ("TokenRevoked", "Jeton d'API révoqué"),
        ("CommandReceived", "Accusé de réception d'une commande"),
    )),
)
EVENT_TYPES_FR: dict[str, str] = {kind: words for _, group in EVENT_GROUPS for kind, words in group}

ROLES_FR = {"coordinator": "coordination", "partner": "partenaire", "auditor": "contrôle",
            "analyst": "analyse", "employee": "salarié", "visitor": "visiteur non connecté"}
KINDS_FR = {"premises": "locaux", "equipment": "équipement", "staff": "personnel", "service": "service",
            "action": "action commune"}
METHODS_FR = {"usage": "au prorata de l'usage", "fixed": "clé fixe", "equal": "parts égales",
              "mixed": "clé mixte", "tariff": "tarif unitaire"}
LINE_KINDS_FR = {"share": "part du coût", "tariff": "tarif", "unallocated": "non réparti",
                 "recovery": "écart de tarif", "adjustment": "ajustement", "credit": "avoir sur contestation",
                 "settlement": "régularisation annuelle du tarif"}
OUTCOMES_FR = {"accepted": "acceptée", "rejected": "rejetée"}


@dataclass(frozen=True)
class Names:
    """What the sentences name by id: partners, resources, persons (by aggregate id), and the
    resources' units when the page knows them (a key then reads '0,04 € la page')."""

    partners: dict[str, str]
    resources: dict[str, str]
    persons: dict[str, str]
    units: dict[str, str] = field(default_factory=dict)

    def partner(self, partner_id: str | None) -> str:
        return self.partners.get(partner_id or "", partner_id or "—")

    def resource(self, resource_id: str | None) -> str:
        return self.resources.get(resource_id or "", resource_id or "—")


@dataclass(frozen=True)
class EventView:
    """One event as a page shows it."""

    position: int
    recorded_at: datetime
    event_type: str
    kind: str        # what happened, in French (a resolved dispute says how)
    summary: str     # what it recorded, in a sentence
    actor: str       # who recorded it, in French
    actor_id: str    # as the log names them (the value of the journal's filter)
    after_seal: bool = False  # recorded after the seal of the statement the page shows


def label(event_type: str, payload: dict[str, Any]) -> str:
    """The event's name on its row: its type's, except a resolved dispute says which way."""
    if event_type == "DisputeResolved" and payload.get("outcome") in OUTCOMES_FR:
        return f"Contestation {OUTCOMES_FR[payload['outcome']]}"
    return EVENT_TYPES_FR.get(event_type, event_type)


def actor_fr(actor: str, names: Names) -> str:
    """`partner:mission-locale/tresorerie@…` → 'Mission Locale (partenaire), tresorerie@…';
    an employee's person is bound to its staff resource: 'Anne Martin (salarié), anne@…'."""
    scope, _, who = actor.partition("/")
    role, _, bound_to = scope.partition(":")
    if role not in ROLES_FR:
        return actor  # an operator's name (`encommun … --actor`) or a token's label, as given
    bound = names.resource(bound_to) if role == "employee" else names.partner(bound_to)
    words = f"{bound} ({ROLES_FR[role]})" if bound_to else ROLES_FR[role].capitalize()
    return f"{words}, {who}" if who else words


def _quoted(text: Any) -> str:
    return f"« {text} »" if text else ""


def _day(value: str | None) -> str:
    try:
        return date_fr(date.fromisoformat(value)) if value else "—"
    except ValueError:
        return str(value)


def _instant(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _month(value: str | None) -> str:
    try:
        return month_fr(value) if value else "—"
    except (ValueError, IndexError):
        return str(value)


def _quantity(value: Any) -> str:
    try:
        return decimal_fr(Decimal(str(value)), max_places=3)
    except (InvalidOperation, ValueError):
        return str(value)


def _entry(entry_id: str | None, names: Names) -> str:
    """An entry id as '<resource name>, <period>, écriture n° <n>'."""
    resource_id, _, rest = (entry_id or "").partition(":")
    period, _, number = rest.partition(":")
    if not number:
        return entry_id or "—"
    if len(period) == 10:
        period = _day(period)
    elif len(period) == 7:
        period = _month(period)
    elif "-W" in period:
        period = f"semaine {period.split('-W')[1]} de {period.split('-W')[0]}"
    return f"{names.resource(resource_id)}, {period}, écriture n° {number}"


def dispute_words(dispute_id: str | None, names: Names) -> str:
    """`france-services:2026-02:d1` → 'n° 1 de France Services du Haut-Val (février 2026)'."""
    partner_id, month, number = ((dispute_id or "").split(":") + ["", ""])[:3]
    if not number.startswith("d") or not number[1:].isdigit():
        return dispute_id or "—"
    return f"n° {number[1:]} de {names.partner(partner_id)} ({_month(month)})"


def _sheet(sheet_id: str | None, names: Names) -> str:
    """' de <employee> pour <member> (<month>)' from a sheet id."""
    employee, _, rest = (sheet_id or "").partition(":")
    partner, _, month = rest.partition(":")
    if not month:
        return ""
    return f" de {names.resource(employee)} pour {names.partner(partner)} ({_month(month)})"


def _key(key: dict[str, Any], unit: str | None) -> str:
    """A key version in words; with its resource's unit, as the statement says it."""
    if unit:
        return key_summary(key, unit)
    method = key.get("method", "")
    if method == "tariff" and key.get("unit_price_cents") is not None:
        return f"{METHODS_FR[method]} ({price_fr(Decimal(str(key['unit_price_cents'])))} l'unité)"
    return METHODS_FR.get(method, method)


def summary(event_type: str, payload: dict[str, Any], names: Names, *, dispute_shown: str | None = None) -> str:
    """One French sentence saying what the event recorded (its type's name if its payload is
    not what this version writes: a sentence must never keep a page from showing).
    `dispute_shown`: the dispute whose own page lists the events; its sentences don't repeat
    which dispute it is."""
    try:
        return _summary(event_type, payload, names, dispute_shown)
    except (KeyError, TypeError, ValueError, AttributeError, InvalidOperation):
        return EVENT_TYPES_FR.get(event_type, event_type) + "."


def _summary(event_type: str, p: dict[str, Any], names: Names, dispute_shown: str | None) -> str:
    partner, resource = names.partner(p.get("partner_id")), names.resource(p.get("resource_id"))
    shown = dispute_shown is not None and p.get("dispute_id") == dispute_shown
    dispute = "" if shown else f" {dispute_words(p.get('dispute_id'), names)}"
    match event_type:
        case "PartnerJoined":
            return f"{p.get('name')} ({p.get('kind')}) rejoint la mutualisation le {_day(p.get('joined_on'))}."
        case "PartnerLeft":
            return f"{partner} quitte la mutualisation ; dernier jour : {_day(p.get('last_day'))}."
        case "PartnerRejoined":
            return f"{partner} rejoint à nouveau la mutualisation le {_day(p.get('joined_on'))}."
        case "ResourceRegistered":
            kind = KINDS_FR.get(p.get("kind", ""), p.get("kind"))
            return f"{p.get('name')} ({kind}, unité : {unit_fr(p.get('unit', ''))[0]}, capacité {p.get('capacity')})."
        case "ResourceRetired":
            return f"{resource} est retiré(e) le {_day(p.get('retired_on'))}."
        case "AllocationKeySet":
            return f"Clé n° {p.get('key_version')} de {resource} à partir de {_month(p.get('applies_from'))} : " \
                   f"{_key(p.get('key') or {}, names.units.get(p.get('resource_id', '')))}."
        case "CostBasisSet":
            return f"À partir de {_month(p.get('applies_from'))}, les coûts sont enregistrés " \
                   f"{'TTC' if p.get('basis') == 'ttc' else 'HT'}."
        case "CostRecorded":
            return f"{resource}, {_month(p.get('month'))} : {euros(p['amount_cents'])} " \
                   f"({p.get('category')}, pièce {p.get('document_ref')})."
        case "SlotBooked":
            starts, ends = _instant(p.get("starts_at")), _instant(p.get("ends_at"))
            when = f", le {day_fr(starts)}, de {time_fr(starts)} à {time_fr(ends)}" if starts and ends else ""
            return f"{resource} pour {partner}{when}."
        case "BookingCancelled":
            return f"Réservation annulée ({_entry(p.get('entry_id'), names)}) : {_quoted(p.get('reason'))}."
        case "StaffHoursLogged":
            starts, ends = _instant(p.get("starts_at")), _instant(p.get("ends_at"))
            when = f", de {time_fr(starts)} à {time_fr(ends)}" if starts and ends else ""
            return f"{_quantity(p.get('hours'))} h de {names.resource(p.get('employee_id'))} pour {partner} " \
                   f"le {_day(p.get('work_date'))}{when}."
        case "EquipmentUsed":
            singular, plural, _ = unit_fr(p.get("unit", ""))
            quantity = Decimal(str(p.get("quantity")))
            return f"{_quantity(quantity)} {singular if quantity == 1 else plural} de {resource} pour {partner} " \
                   f"le {_day(p.get('used_on'))}."
        case "EntryCorrected":
            change = (f"montant porté à {euros(p['amount_cents'])}" if p.get("amount_cents") is not None
                      else f"quantité portée à {_quantity(p.get('quantity'))}")
            return f"{_entry(p.get('entry_id'), names)} : {change} ; motif : {_quoted(p.get('reason'))}."
        case "EntryVoided":
            return f"{_entry(p.get('entry_id'), names)} annulée ; motif : {_quoted(p.get('reason'))}."
        case "PeriodClosed":
            numbers = p.get("statement_numbers") or {}
            return f"{_month(p.get('month')).capitalize()} est clos : {len(numbers)} relevés scellés " \
                   f"tels qu'à la position {p.get('as_of_position')}."
        case "DisputeOpened":
            line = LINE_KINDS_FR.get(p.get("line_kind", ""), p.get("line_kind"))
            return f"{partner} conteste la ligne {resource} ({line}) de {_month(p.get('month'))} : " \
                   f"{_quoted(p.get('reason'))}."
        case "DisputeCommented":
            return f"{_quoted(p.get('comment'))}." if shown else \
                   f"Contestation{dispute} : {_quoted(p.get('comment'))}."
        case "DisputeResolved":
            outcome = OUTCOMES_FR.get(p.get("outcome", ""), p.get("outcome"))
            return f"Contestation{dispute} {outcome} : {_quoted(p.get('reason'))}."
        case "CreditGranted":
            source = "" if shown else f" (contestation{dispute})"
            return f"Avoir de {euros(p['amount_cents'])} pour {partner} sur {resource}, porté au relevé " \
                   f"de {_month(p.get('credited_month'))}{source}."
        case "TariffYearSettled":
            settled = sum(1 for line in p.get("partners", ()) if line.get("amount_cents"))
            return f"Régularisation du tarif de {resource} pour {p.get('year')} au coût réel " \
                   f"({euros(p['costs_cents'])} de coûts), portée aux relevés de {_month(p.get('month'))} " \
                   f"de {settled} partenaire{'s' if settled > 1 else ''}."
        case "ContractTermsSet":
            time = "temps plein" if p.get("working_time") == "full_time" else "temps partiel"
            return f"Contrat de {names.resource(p.get('employee_id'))} à partir de {_month(p.get('applies_from'))} : " \
                   f"{p.get('contract_kind')}, {time} ({_quantity(p.get('weekly_hours'))} h par semaine), " \
                   f"{euros(p['hourly_pay_cents'])} brut de l'heure."
        case "RateCardSet":
            return f"Grille n° {p.get('card_version')} à partir de {_month(p.get('applies_from'))} : coefficient " \
                   f"{_quantity(p.get('default_coefficient'))} par défaut."
        case "GroupProfileSet":
            return f"{p.get('legal_name')} (SIREN {p.get('siren')}) : règlement à {p.get('payment_days')} jours."
        case "MemberDetailsSet":
            return f"Fiche d'adhérent de {partner} : {p.get('legal_name')}, {p.get('address')}."
        case "GeDebtRecorded":
            to = "envers les salariés" if p.get("creditor_kind") == "employees" else "envers un organisme social"
            return f"Dette {p.get('debt_id')} {to} ({p.get('creditor')}) : {euros(p['amount_cents'])}, " \
                   f"de {_month(p.get('first_month'))} à {_month(p.get('last_month'))}, échéance le {_day(p.get('due_on'))}."
        case "GeDebtSettled":
            return f"Dette {p.get('debt_id')} réglée le {_day(p.get('settled_on'))} ({p.get('reference')})."
        case "MembershipFeeCalled":
            return f"Cotisation {p.get('year')} de {partner} : {euros(p['amount_cents'])}."
        case "DepositCalled":
            how = f" ({_quantity(p.get('months'))} mois de facturation prévue à {euros(p['monthly_forecast_cents'])})" \
                if p.get("months") else ""
            return f"Dépôt de garantie de {partner} : {euros(p['amount_cents'])}{how}."
        case "DepositReturned":
            why = f" ; {_quoted(p.get('reason'))}" if p.get("reason") else ""
            return f"Dépôt de garantie restitué à {partner} le {_day(p.get('returned_on'))} : {euros(p['amount_cents'])}{why}."
        case "RegisterChangesNotified":
            return f"Changements du registre des adhérents jusqu'à la position {p.get('up_to_position')} " \
                   f"notifiés à l'inspection du travail le {_day(p.get('notified_on'))} ({p.get('reference')})."
        case "InvoicePaymentRecorded":
            return f"Paiement de {euros(p['amount_cents'])} sur la facture {reference(p['number'])} le " \
                   f"{_day(p.get('paid_on'))} ({p.get('reference')})."
        case "CreditNoteRefunded":
            return f"Remboursement de {euros(p['amount_cents'])} sur l'avoir {reference(p['number'])} le " \
                   f"{_day(p.get('refunded_on'))} ({p.get('reference')})."
        case "InvoiceIssued":
            corrects = f" (sur la facture {reference(p['corrects'])})" if p.get("corrects") else ""
            what = "Facture" if p.get("kind") == "invoice" else "Avoir"
            period = f"la régularisation de l'année {p['regularises']}" if p.get("regularises") else _month(p.get("month"))
            return f"{what} {p.get('reference')}{corrects} à {partner} pour {period} : " \
                   f"{euros(p['total_ttc_cents'])} TTC."
        case "HourSheetSubmitted":
            voided = f" ; elle annule la signature de {p['voids_signature_of']}" if p.get("voids_signature_of") else ""
            return f"Feuille d'heures{_sheet(p.get('sheet_id'), names)} soumise (version {p.get('version')}) : " \
                   f"{_quantity(p.get('hours'))} h{voided}."
        case "HourSheetCountersigned":
            return f"Feuille d'heures{_sheet(p.get('sheet_id'), names)} signée par {p.get('signed_by')}."
        case "HourSheetContested":
            return f"Feuille d'heures{_sheet(p.get('sheet_id'), names)} contestée : {_quoted(p.get('reason'))}."
        case "PersonInvited":
            role = ROLES_FR.get(p.get("role", ""), p.get("role"))
            of = f" de {names.partner(p.get('partner_id'))}" if p.get("partner_id") else ""
            until = _instant(p.get("expires_at"))
            return f"{p.get('name')} ({p.get('email')}) est invité(e), rôle {role}{of} ; lien valable " \
                   f"jusqu'au {moment_fr(until) if until else '—'}."
        case "InvitationAccepted":
            return f"{names.persons.get(str(p.get('originator_id')), 'La personne invitée')} choisit son " \
                   f"mot de passe : son compte est ouvert."
        case "PersonRevoked":
            return f"L'accès de {p.get('email')} est retiré : ses sessions sont closes."
        case "SessionOpened":
            return f"{names.persons.get(str(p.get('person_id')), 'Une personne')} se connecte."
        case "SessionClosed":
            return "Session fermée (déconnexion)."
        case "TokenIssued":
            role = ROLES_FR.get(p.get("role", ""), p.get("role"))
            of = f" de {names.partner(p.get('partner_id'))}" if p.get("partner_id") else ""
            return f"Jeton d'API « {p.get('label')} » émis, rôle {role}{of}."
        case "TokenRevoked":
            return "Jeton d'API révoqué."
        case "CommandReceived":
            return "Commande reçue avec une clé d'idempotence : une nouvelle tentative n'enregistrera rien deux fois."
    return EVENT_TYPES_FR.get(event_type, event_type)


def view(position: int, recorded_at: datetime, event_type: str, actor: str, payload: str | dict[str, Any],
         names: Names, *, after_seal: bool = False, dispute_shown: str | None = None) -> EventView:
    """One event (its payload as the log stores it, JSON text, or read) as a page shows it."""
    data = json.loads(payload) if isinstance(payload, str) else payload
    return EventView(position, recorded_at, event_type, label(event_type, data),
                     summary(event_type, data, names, dispute_shown=dispute_shown), actor_fr(actor, names), actor,
                     after_seal)


def person_ids(rows: list[tuple]) -> list[str]:
    """The persons the sentences of these events name by id (connections, accepted invitations)."""
    ids = []
    for _, _, event_type, aggregate_id, _, _, payload, *_ in rows:
        if event_type == "SessionOpened":
            ids.append(json.loads(payload).get("person_id"))
        elif event_type == "InvitationAccepted":
            ids.append(str(aggregate_id))
    return [i for i in ids if i]


def event_views(rows: list[tuple], names: Names) -> list[EventView]:
    """Rows of read_model.audit_events / events_at as the pages show them."""
    return [view(position, recorded_at, event_type, actor, payload, names)
            for position, recorded_at, event_type, _, _, actor, payload, *_ in rows]
