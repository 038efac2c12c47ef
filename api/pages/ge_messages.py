"""What the GE's pages say when a form is refused (api/pages/ge_*.py): the labels of their
fields and the French sentences for the domain's refusals of the billing terms
(domain/billing_terms.py) and of the register's notifications (domain/member_register.py),
added to api/pages/messages.py's patterns when this module is imported.

The forms send the commands' own field names, but for four: the member's address is its
head office (« Adresse du siège »), the pay is typed in euros (`hourly_pay`) and the flat
fees too (`member_flat_fees`), a contract's or a card's month is « À partir du mois »
(`from_month`: the allocation key's « S'applique à partir de » keeps its own words). A rate
card's field of one member or one kind (`member_coefficients.<partner>`) is marked on that
member's or kind's input by the page. The debts' and the fees' and deposits' forms name
their fields for themselves (`debt_amount`, `fee_partner`, `return_reason`…, renamed by
api/pages/ge_solidarity.py and ge_funds.py), so that no other form's label is taken.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import ValidationError

from api.french import date_fr, euros
from api.pages import messages
from api.pages.coordination_forms import Refused
from domain.commands import invalid_command
from domain.errors import DomainError

LABELS = {
    # The GE's profile.
    "legal_name": "Raison sociale", "address": "Adresse", "siren": "SIREN", "vat_regime": "Régime de TVA",
    "vat_rate_bp": "Taux de TVA", "payment_days": "Délai de paiement",
    "late_penalty_rate": "Taux des pénalités de retard",
    # A member's file.
    "head_office": "Adresse du siège", "establishments": "Établissements", "activity": "Activité",
    "headcount": "Effectif", "professional": "Professionnel", "local_authority": "Collectivité territoriale",
    # A contract.
    "employee_id": "Salarié", "from_month": "À partir du mois", "contract_kind": "Type de contrat",
    "working_time": "Temps de travail",
    "weekly_hours": "Heures par semaine", "hourly_pay": "Salaire brut horaire", "job_title": "Intitulé du poste",
    # The rate card.
    "default_coefficient": "Coefficient par défaut", "kind_coefficients": "Coefficients par type de contrat",
    "member_coefficients": "Coefficients par adhérent", "member_flat_fees": "Forfaits horaires par adhérent",
    # The register's notification.
    "up_to_position": "Changements notifiés", "notified_on": "Date d'envoi", "reference": "Référence",
    "jour": "Registre au", "enregistre_le": "Tel qu'il était enregistré le", "position": "Position du journal",
    # A debt (api/pages/ge_solidarity.py): the forms' names, so that no other form's label is taken.
    "creditor_kind": "Nature de la dette", "creditor": "Créancier", "debt_amount": "Montant de la dette",
    "first_month": "Premier mois concerné", "last_month": "Dernier mois concerné", "due_on": "Échéance",
    "debt_reference": "Référence de la dette", "debt_id": "Dette", "settled_on": "Réglée le",
    "settled_reference": "Référence du paiement", "telle_au": "Telle qu'enregistrée le",
    # Fees and deposits (api/pages/ge_funds.py).
    "fee_partner": "Adhérent", "year": "Année", "fee_amount": "Montant de la cotisation",
    "deposit_partner": "Adhérent", "deposit_amount": "Montant du dépôt", "months": "Nombre de mois",
    "monthly_forecast": "Facturation mensuelle prévue", "return_partner": "Adhérent parti",
    "return_amount": "Montant restitué", "returned_on": "Restitué le", "return_reason": "Motif de la retenue",
    # The year's regularisation (api/pages/ge_regularisation.py): the year, and the documents the page saw.
    "annee": "Année", "documents_seen": "Documents vus",
    # Payments on invoices (api/pages/ge_payments.py): the day of the unpaid list, the payment form.
    "au": "Impayés au", "invoice": "Facture", "payment_amount": "Montant reçu", "paid_on": "Reçu le",
    "payment_reference": "Moyen et référence du paiement",
    # Refunds of regularisation credit notes, on the same page.
    "credit_note": "Avoir", "refund_amount": "Montant remboursé", "refunded_on": "Remboursé le",
    "refund_reference": "Moyen et référence du remboursement",
}
# Command fields the forms name otherwise (see the module's docstring).
RENAMED = {"hourly_pay_cents": "hourly_pay", "member_flat_fees_cents": "member_flat_fees", "applies_from": "from_month"}
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _translations() -> list[tuple[str | None, re.Pattern[str], Any]]:
    found: list[tuple[str | None, re.Pattern[str], Any]] = []

    def add(field: str, pattern: str, sentence: str) -> None:
        found.append((field, re.compile(pattern), sentence))

    for field, name in LABELS.items():
        add(field, r"at least 1 (character|item)|Field required", f"« {name} » : ce champ est obligatoire.")
        add(field, r"at most (\d+) characters", f"« {name} » : au plus {{0}} caractères.")
        add(field, r"control character", f"« {name} » : contient un caractère de contrôle ; écrivez du texte simple.")
    add("from_month", r"must be written YYYY-MM", "« À partir du mois » : écrivez le mois sous la forme AAAA-MM, par "
                                                  "exemple 2026-01.")
    add("from_month", r"(\S+) is not a month",
        "« À partir du mois » : {0} n'est pas un mois (les mois vont de 01 à 12).")
    add("from_month", r"outside the ledger's calendar", "« À partir du mois » : ce mois est hors du calendrier du "
                                                        "registre (de 2000 à 2100).")
    add("siren", r"'(\d+)' is not a valid SIREN", "« SIREN » : {0} n'est pas un SIREN : sa clé de contrôle (le "
                                                   "dernier chiffre) ne correspond pas ; vérifiez les 9 chiffres.")
    add("siren", r"a SIREN is 9 digits", "« SIREN » : un SIREN s'écrit en 9 chiffres, sans espace ni lettre.")
    add("vat_regime", r"Input should be", "« Régime de TVA » : choisissez exonéré ou assujetti.")
    add("vat_rate_bp", r"states its rate", "« Taux de TVA » : un groupement assujetti à la TVA indique son taux ; "
                                           "un groupement exonéré (art. 261 B du CGI) n'en indique pas.")
    add("vat_rate_bp", r"greater than|less than", "« Taux de TVA » : un taux supérieur à 0 et d'au plus 100 %.")
    add("payment_days", r"less than or equal to 60", "« Délai de paiement » : au plus 60 jours après la date de la "
                                                     "facture (C. com. L441-10).")
    add("payment_days", r"greater than or equal", "« Délai de paiement » : un nombre de jours, 0 ou plus.")
    add("payment_days", r"valid integer", "« Délai de paiement » : un nombre entier de jours, par exemple 30.")
    add("late_penalty_rate", r"greater than 0", "« Taux des pénalités de retard » : un taux annuel supérieur à zéro.")
    add("late_penalty_rate", r"less than or equal", "« Taux des pénalités de retard » : au plus 100 % par an.")
    add("late_penalty_rate", r"decimal places",
        "« Taux des pénalités de retard » : au plus 2 chiffres après la virgule.")
    add("headcount", r"valid integer", "« Effectif » : un nombre entier de salariés, par exemple 12.")
    add("headcount", r"greater than or equal|less than or equal", "« Effectif » : entre 0 et 1 000 000 salariés.")
    add("establishments", r"at most 50 items", "« Établissements » : 50 établissements au plus, un par ligne.")
    add("employee_id", r"no resource", "« Salarié » : ce salarié n'est pas enregistré.")
    add("employee_id", r"is of kind|kind", "« Salarié » : cette ressource n'est pas un salarié du groupement.")
    add("contract_kind", r"should match pattern", "« Type de contrat » : choisissez un type dans la liste.")
    add("working_time", r"(\S+) h a week is part time",
        "« Temps de travail » : {0} h par semaine, c'est un temps partiel (le temps plein est de 35 h par semaine, "
        "C. trav. L3121-27) ; choisissez « temps partiel » ou corrigez les heures.")
    add("working_time", r"(\S+) h a week is full time",
        "« Temps de travail » : {0} h par semaine, c'est un temps plein (35 h par semaine ou plus, C. trav. "
        "L3121-27 ; le temps partiel est en dessous, L3123-1) ; choisissez « temps plein » ou corrigez les heures.")
    add("working_time", r"Input should be", "« Temps de travail » : temps plein ou temps partiel.")
    add("weekly_hours", r"less than or equal to 48", "« Heures par semaine » : au plus 48 h par semaine (C. trav. "
                                                    "L3121-20).")
    add("weekly_hours", r"greater than 0", "« Heures par semaine » : plus de 0 h.")
    add("weekly_hours", r"decimal places", "« Heures par semaine » : au plus 2 chiffres après la virgule.")
    for field in ("default_coefficient", "member_coefficients", "kind_coefficients"):
        name = LABELS[field]
        add(field, r"greater than or equal to 1", f"« {name} » : un coefficient vaut au moins 1 (un groupement "
                                                  f"facture au moins le coût du salaire).")
        add(field, r"less than or equal to 5", f"« {name} » : un coefficient vaut au plus 5.")
        add(field, r"decimal places", f"« {name} » : au plus 4 chiffres après la virgule.")
    add("member_flat_fees", r"not both: (.+)$", "« Forfaits horaires par adhérent » : un adhérent est facturé par un "
                                                "coefficient ou par un forfait horaire, pas les deux ({0}) : "
                                                "videz l'un des deux.")
    for field in ("member_coefficients", "member_flat_fees"):
        add(field, r"no partner|unknown partner", f"« {LABELS[field]} » : ce partenaire n'existe pas.")
    add("up_to_position", r"position (\d+) is beyond the log's end \((\d+)\)",
        "« Changements notifiés » : le journal s'arrête à la position {1} ; la position {0} n'existe pas encore. "
        "Rechargez la page.")
    add("up_to_position", r"changes up to position (\d+) were already notified on (\S+):",
        "« Changements notifiés » : les changements jusqu'à la position {0} ont déjà été notifiés le {1} ; "
        "une nouvelle notification couvre des changements enregistrés depuis.")
    add("up_to_position", r"greater than or equal to 1", "« Changements notifiés » : le registre n'a encore aucun "
                                                         "changement à notifier.")
    add("notified_on", r"cannot be dated in the future \((\S+)\)",
        "« Date d'envoi » : une notification ne peut pas être datée d'un jour à venir ({0}).")
    add("notified_on", r"the last notification is dated (\S+): a later one cannot be dated (\S+)",
        "« Date d'envoi » : la dernière notification est datée du {0} ; la suivante ne peut pas l'être du {1}.")
    add("notified_on", r"valid date|too short|is not a day", "« Date d'envoi » : indiquez une date, par exemple "
                                                             "30/04/2026.")
    found += _money_translations()
    found += _regularisation_translations()
    found += _payment_translations()
    found += _refund_translations()
    return found


def _payment_translations() -> list[tuple[str | None, re.Pattern[str], Any]]:
    """The refusals of a payment on an invoice (domain/invoice_payments.py), by the form's field
    names (api/pages/ge_payments.py renames the command's fields to them)."""
    def left_to_pay(left: str, invoice: str, asked: str) -> str:
        if int(left) == 0:
            return f"« Montant reçu » : {invoice} est déjà entièrement payée ; il n'y reste rien à payer."
        return (f"« Montant reçu » : il reste {euros(int(left))} à payer sur {invoice} ; un paiement de "
                f"{euros(int(asked))} le dépasserait. Enregistrez au plus ce reste.")

    return [
        ("invoice", re.compile(r"there is no invoice (\S+)"), "« Facture » : il n'y a pas de facture {0}."),
        ("invoice", re.compile(r"(\S+) is a credit note: nothing is paid"),
         "« Facture » : {0} est un avoir ; un paiement s'enregistre sur une facture."),
        ("paid_on", re.compile(r"(\S+) was issued on (\S+): it cannot be paid on (\S+)"),
         "« Reçu le » : {0} a été émise le {1} ; elle ne peut pas avoir été payée avant, le {2}."),
        ("paid_on", re.compile(r"recorded once received: (\S+) is after today, (\S+)"),
         "« Reçu le » : un paiement s'enregistre une fois reçu ; le {0} est après aujourd'hui, le {1}."),
        ("paid_on", re.compile(r"valid date|too short|is not a day|Field required"),
         "« Reçu le » : indiquez une date, par exemple 30/04/2026."),
        ("payment_amount", re.compile(r"(\d+) cents are left to pay on (\S+), not (\d+)"), left_to_pay),
        ("Idempotency-Key", re.compile(r"already used for a different request"),
         # The payment and refund forms share it: the sentence names neither.
         "Ce formulaire a déjà servi : rechargez la page pour en saisir un autre."),
    ]


def _refund_translations() -> list[tuple[str | None, re.Pattern[str], Any]]:
    """The refusals of a refund of a regularisation credit note (domain/invoice_payments.py), by
    the form's field names (api/pages/ge_payments.py renames the command's fields to them)."""
    def left_to_refund(left: str, credit_note: str, asked: str) -> str:
        if int(left) == 0:
            return f"« Montant remboursé » : l'avoir {credit_note} est déjà entièrement remboursé."
        return (f"« Montant remboursé » : il reste {euros(int(left))} à rembourser sur l'avoir {credit_note} ; un "
                f"remboursement de {euros(int(asked))} le dépasserait. Enregistrez au plus ce reste.")

    return [
        ("credit_note", re.compile(r"there is no credit note (\S+)"), "« Avoir » : il n'y a pas d'avoir {0}."),
        ("credit_note", re.compile(r"(\S+) is not a regularisation credit note"),
         "« Avoir » : {0} n'est pas un avoir de régularisation ; un avoir sur une facture est déduit de cette "
         "facture, il ne se rembourse pas."),
        ("refunded_on", re.compile(r"(\S+) was issued on (\S+): it cannot be refunded on (\S+)"),
         "« Remboursé le » : l'avoir {0} a été émis le {1} ; il ne peut pas avoir été remboursé avant, le {2}."),
        ("refunded_on", re.compile(r"recorded once paid: (\S+) is after today, (\S+)"),
         "« Remboursé le » : un remboursement s'enregistre une fois versé ; le {0} est après aujourd'hui, le {1}."),
        ("refunded_on", re.compile(r"valid date|too short|is not a day|Field required"),
         "« Remboursé le » : indiquez une date, par exemple 30/04/2026."),
        ("refund_amount", re.compile(r"(\d+) cents are left to refund on (\S+), not (\d+)"), left_to_refund),
    ]


def _documents_since(count: str, year: str) -> str:
    if int(count) < 1:
        return ("« Documents vus » : ce nombre ne correspond pas au registre des factures ; rechargez la page, "
                "puis émettez la régularisation.")
    issued = "une facture ou un avoir a été émis" if int(count) == 1 else f"{count} factures ou avoirs ont été émis"
    return (f"« Documents vus » : {issued} depuis que la page a lu l'année {year} ; la régularisation lue avant "
            f"ne {'le' if int(count) == 1 else 'les'} compterait pas. Voici les chiffres à jour : relisez-les, puis "
            f"émettez la régularisation.")


def _regularisation_translations() -> list[tuple[str | None, re.Pattern[str], Any]]:
    """The refusals of the year's regularisation (domain/regularisation.py)."""
    return [
        ("year", re.compile(r"real cost of (\d{4}) is what it was billed: nothing to regularise"),
         "« Année » : pour {0}, le coût réel de chaque adhérent est exactement ce qui lui a été facturé : il n'y a "
         "rien à régulariser."),
        ("documents_seen", re.compile(r"(-?\d+) invoice\(s\) or credit note\(s\) were issued since the year "
                                      r"(\d{4}) was read"), _documents_since),
    ]


def _money_translations() -> list[tuple[str | None, re.Pattern[str], Any]]:
    """The refusals of the debts' forms (domain/ge_debts.py) and of the fees' and deposits'
    (domain/member_funds.py), by the forms' field names (api/pages/ge_solidarity.py and
    ge_funds.py rename the commands' fields to them)."""
    found: list[tuple[str | None, re.Pattern[str], Any]] = []

    def add(field: str, pattern: str, sentence: Any) -> None:
        found.append((field, re.compile(pattern), sentence))

    for field in ("first_month", "last_month"):
        name = LABELS[field]
        add(field, r"must be written YYYY-MM", f"« {name} » : écrivez le mois sous la forme AAAA-MM, par exemple "
                                               f"2026-01.")
        add(field, r"(\S+) is not a month", f"« {name} » : {{0}} n'est pas un mois (les mois vont de 01 à 12).")
        add(field, r"outside the ledger's calendar", f"« {name} » : ce mois est hors du calendrier du registre "
                                                     f"(de 2000 à 2100).")
    add("last_month", r"run from (\S+) to a later month, not to (\S+)",
        "« Dernier mois concerné » : la dette court de {0} à un mois qui suit, pas jusqu'à {1}.")
    add("creditor_kind", r"Input should be", "« Nature de la dette » : choisissez salariés ou organismes sociaux.")
    for field in ("due_on", "settled_on", "returned_on"):
        add(field, r"valid date|too short|is not a day|Field required",
            f"« {LABELS[field]} » : indiquez une date, par exemple 30/04/2026.")
    add("debt_id", r"no debt '(\S+)'", "« Dette » : la dette {0} n'est pas enregistrée.")
    add("debt_id", r"debt '(\S+)' is already settled", "« Dette » : la dette {0} est déjà réglée.")
    add("year", r"the (\d{4}) fee of '(\S+)' is already called",
        "« Année » : la cotisation {0} de cet adhérent est déjà appelée ; une cotisation s'appelle une fois par an.")
    add("year", r"'(\S+)' is not a member in (\d{4})",
        "« Année » : ce partenaire n'est pas adhérent en {1} ; la cotisation d'une année s'appelle auprès des "
        "membres de cette année-là.")
    add("year", r"valid integer|greater than|less than", "« Année » : une année de 2000 à 2100, par exemple 2026.")
    for field in ("fee_partner", "deposit_partner", "return_partner"):
        add(field, r"has no member file", f"« {LABELS[field]} » : ce partenaire n'a pas de fiche d'adhérent ; "
                                          f"il n'est pas membre du groupement.")
        add(field, r"no partner|unknown partner", f"« {LABELS[field]} » : ce partenaire n'existe pas.")
    add("deposit_partner", r"left the GE on (\S+): no deposit",
        "« Adhérent » : ce partenaire a quitté le groupement le {0} ; on n'appelle pas de dépôt auprès d'un "
        "ancien adhérent.")
    add("deposit_amount", r"an amount \(amount_cents\) or months",
        "« Montant du dépôt » : indiquez un montant, ou un nombre de mois de facturation prévue, pas les deux.")
    add("monthly_forecast", r"need the forecast of a month",
        "« Facturation mensuelle prévue » : un dépôt en mois de facturation a besoin de la facturation prévue "
        "d'un mois.")
    add("months", r"greater than 0|less than or equal to 24", "« Nombre de mois » : plus de 0 et au plus 24 mois.")
    add("returned_on", r"is still a member on (\S+): its deposit",
        "« Restitué le » : ce partenaire est encore adhérent le {0} ; son dépôt est restitué après son dernier jour "
        "de membre.")
    # The domain speaks cents; the page says euros.
    add("return_amount", r"has (\d+) cents of deposit held, not (\d+)",
        lambda held, asked: f"« Montant restitué » : le groupement détient {euros(int(held))} de dépôt pour cet "
                            f"adhérent ; il ne peut pas en restituer {euros(int(asked))}.")
    add("return_reason", r"returning (\d+) of the (\d+) cents held: say why",
        lambda back, held: f"« Motif de la retenue » : {euros(int(back))} restitués sur les {euros(int(held))} "
                           f"détenus ; dites pourquoi le reste est retenu (une facture impayée, par exemple).")
    return found


messages.LABELS.update(LABELS)
# First, as the coordinator's: "applies_from", "partner_id" keep their sentences (they are not here).
messages.TRANSLATIONS[:0] = _translations()


def _iso_to_french(text: str) -> str:
    return _ISO_DAY.sub(lambda m: date_fr(date(int(m[1]), int(m[2]), int(m[3]))), text)


def refused_ge(error: DomainError | ValidationError, *, rename: dict[str, str] | None = None,
               mark: dict[str, str] | None = None) -> Refused:
    """The French refusal of a GE form: the command's field named as the form names it
    (`rename`, then RENAMED), translated, its days written the French way; `mark` gives the
    input to mark for a field of one member or one kind ('member_coefficients.club-b')."""
    if isinstance(error, ValidationError):
        error = invalid_command(error)
    field = error.field or None
    marked = (mark or {}).get(field or "")
    if field and "." in field:
        field = field.split(".", 1)[0]
    field = (rename or {}).get(field or "", RENAMED.get(field or "", field))
    _, sentence = messages.french(type(error)(error.message, field=field))
    return Refused(marked or field, _iso_to_french(sentence))
