"""What the pages say when something is refused: French sentences that name the field by
its label. Domain errors speak English (the API's problem details); the pages translate
the ones a form can meet, by their field and their wording, and fall back on a sentence
naming the field."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from api.french import euros
from api.pages import messages_time
from domain import commands
from domain.errors import DomainError

# The label a person reads for each field a form sends.
LABELS: dict[str, str] = {
    "email": "Adresse e-mail",
    "name": "Nom",
    "role": "Rôle",
    "partner_id": "Partenaire",
    "password": "Mot de passe",
    "password_again": "Confirmation du mot de passe",
    "invitation": "Lien d'invitation",
    "session": "Session",
    # The partner's pages (partner*.py, booking.py).
    "reason": "Motif de la contestation",
    "attachment_ref": "Référence d'un justificatif",
    "resource_id": "Ressource",
    "ressource": "Ressource",
    "day": "Jour",
    "jour": "Semaine du",
    "start": "Heure de début",
    "end": "Heure de fin",
    "starts_at": "Heure de début",
    "ends_at": "Heure de fin",
    "month": "Mois",
    "partie": "Part",
    "partenaire": "Partenaire",
    "dispute_id": "Contestation",
    "apres": "Position du journal",
    "after": "Position du journal",
}

# (field or None for any, English pattern, French sentence with the pattern's groups, or a
# function of them).
TRANSLATIONS: list[tuple[str | None, re.Pattern[str], Any]] = [
    ("password", re.compile(r"wrong e-mail address or password"), "Adresse e-mail ou mot de passe incorrect."),
    ("password", re.compile(r"at least (\d+) characters"), "Le mot de passe doit compter au moins {0} caractères."),
    ("password", re.compile(r"at most (\d+) characters"), "Le mot de passe doit compter au plus {0} caractères."),
    ("email", re.compile(r"is not an e-mail address"), "« Adresse e-mail » : ce n'est pas une adresse e-mail."),
    ("email", re.compile(r"already has an account"),
     "Cette personne a déjà un compte : retirez d'abord son accès pour changer son rôle."),
    ("email", re.compile(r"nobody was invited"), "Personne n'a été invité avec cette adresse."),
    ("email", re.compile(r"already revoked"), "L'accès de cette personne est déjà retiré."),
    ("email", re.compile(r"only a person with an active account"), "Adresse e-mail ou mot de passe incorrect."),
    ("invitation", re.compile(r"not valid"), "Ce lien d'invitation n'est pas valable."),
    ("invitation", re.compile(r"was revoked"), "L'accès de cette personne a été retiré."),
    ("invitation", re.compile(r"already used"),
     "Ce lien d'invitation a déjà servi : connectez-vous avec votre mot de passe."),
    ("invitation", re.compile(r"has expired"),
     "Ce lien d'invitation a expiré : demandez-en un nouveau à la coordination."),
    ("partner_id", re.compile(r"names its partner"),
     "Une personne d'un partenaire doit être rattachée à ce partenaire, et elle seule."),
    ("partner_id", re.compile(r"no partner|unknown partner|not a partner|does not exist"),
     "« Partenaire » : ce partenaire n'existe pas."),
    ("employee_id", re.compile(r"names the employee"),
     "« Salarié » : une personne salariée est rattachée à un salarié du groupement, et elle seule : "
     "choisissez-le dans la liste."),
    ("name", re.compile(r"control character|empty|blank"), "« Nom » : le nom est vide ou contient des caractères interdits."),
    # The partner's pages: contesting a line (partner_disputes.py).
    ("reason", re.compile(r"at least 1 (character|item)"),
     "« Motif de la contestation » : dites en quelques mots ce qui vous semble faux dans cette ligne."),
    ("reason", re.compile(r"at most (\d+) characters"), "« Motif de la contestation » : {0} caractères au plus."),
    ("reason", re.compile(r"control character"),
     "« Motif de la contestation » : le texte contient un caractère invisible interdit ; écrivez du texte simple."),
    ("attachment_ref", re.compile(r".*"),
     "« Référence d'un justificatif » : une ligne de 200 caractères au plus, sans caractère invisible."),
    ("resource_id", re.compile(r"already disputed \((\S+), still open\)"),
     "Cette ligne est déjà contestée ({0}) : la coordination n'a pas encore répondu. Voyez « Mes contestations »."),
    ("resource_id", re.compile(r"has no \w+ line for"), "Votre relevé de ce mois n'a pas cette ligne."),
    # The partner's pages: booking (booking.py).
    ("starts_at", re.compile(r"booking \S+ on \S+ overlaps booking \S+ \(0?(\d+):(\d\d)-0?(\d+):(\d\d)\)"
                             r"(?: and \d+ more)? of \w+ '(.+)' \(capacity (\d+)\)"),
     "« Heure de début » : ce créneau chevauche une réservation déjà faite de {0} h {1} à {2} h {3}, et {4} "
     "est alors complète (capacité : {5} à la fois). Choisissez un autre horaire ou un autre jour."),
    ("partner_id", re.compile(r"is not a member on (\S+)"),
     "« Jour » : votre structure n'est pas membre de la mutualisation ce jour-là ({0}) ; choisissez un jour "
     "où elle l'est."),
    (None, re.compile(r"'(.+)' was retired on (\S+)"),
     "« Jour » : {0} est retirée depuis le {1} : on ne peut plus la réserver à partir de ce jour."),
    ("ends_at", re.compile(r"must end after it starts"), "« Heure de fin » : la fin doit venir après le début."),
    ("ends_at", re.compile(r"stays within one day"),
     "« Heure de fin » : une réservation commence et finit le même jour."),
    (None, re.compile(r"outside the ledger's calendar"),
     "« Jour » : ce jour est en dehors du calendrier du registre (années 2000 à 2100)."),
    ("resource_id", re.compile(r"cannot be booked by the hour|is of kind"),
     "« Ressource » : cette ressource ne se réserve pas à l'heure ; choisissez une salle ou un équipement."),
    ("resource_id", re.compile(r"no resource"), "« Ressource » : cette ressource n'existe pas."),
    # Staff hours for a local-authority member past the cap of C. trav. L1253-20.
    (None, re.compile(r"employee '(.+)' would work (\S+) h in (\d{4}) for local-authority members, above (\S+) of "
                      r"the year's (\S+) h of contract \((\S+) h, C\. trav\. L1253-20\): (\S+) h already logged "
                      r"\+ (\S+) h"),
     "« Heures » : {0} travaillerait {1} h en {2} pour les collectivités territoriales adhérentes, au-delà de la "
     "part permise ({3}) de son temps de travail contractuel de l'année ({4} h, soit {5} h ; C. trav. L1253-20) : "
     "{6} h déjà enregistrées + {7} h."),
]


def label(field: str | None) -> str:
    if not field:
        return "formulaire"
    return LABELS.get(field, LABELS.get(field.rsplit(".", 1)[-1], field))


def french(error: DomainError | ValidationError) -> tuple[str | None, str]:
    """The field to mark and the French sentence for a refusal."""
    if isinstance(error, ValidationError):
        error = commands.invalid_command(error)
    for field, pattern, sentence in TRANSLATIONS:
        if field in (None, error.field):
            found = pattern.search(error.message)
            if found:
                said = sentence(*found.groups()) if callable(sentence) else sentence.format(*found.groups())
                return error.field, said
    if error.field:
        return error.field, f"« {label(error.field)} » : cette valeur est refusée."
    return None, "L'opération est refusée."


# ---- The coordinator's pages (api/pages/coordination*.py) -----------------------------------
# Their forms' fields; a command's field is renamed to the form's where two forms share it
# (coordination_forms.FIELD_NAMES), so each refusal names the label the person sees.
_COORDINATION_LABELS = {
    "resource_id": "Ressource", "month": "Mois", "amount_cents": "Montant", "category": "Catégorie",
    "document_ref": "Référence de la pièce", "entry_id": "Coût concerné", "credit_cents": "Montant de l'avoir",
    "credit_ref": "Référence de l'avoir", "new_partner_id": "Identifiant", "partner_name": "Nom du partenaire",
    "partner_kind": "Type", "joined_on": "Membre à partir du", "new_resource_id": "Identifiant",
    "resource_name": "Nom de la ressource", "resource_kind": "Nature", "unit": "Unité d'usage",
    "other_unit": "Autre unité", "capacity": "Capacité", "applies_from": "S'applique à partir de",
    "method": "Méthode", "weights": "Poids", "partners": "Parts égales", "parts": "Clé mixte",
    "unit_price_cents": "Prix unitaire", "part1_percent": "Part de la première partie (%)",
    "dispute_id": "Contestation", "outcome": "Décision", "answer": "Réponse",
    "basis": "Les coûts sont enregistrés", "basis_from": "à partir de",
}
LABELS.update(_COORDINATION_LABELS)


def _coordination_translations() -> list[tuple[str | None, re.Pattern[str], Any]]:
    found: list[tuple[str | None, re.Pattern[str], Any]] = []

    def add(field: str, pattern: str, sentence: str) -> None:
        found.append((field, re.compile(pattern), sentence))

    # What pydantic says of any text field, in each field's words.
    for field, name in _COORDINATION_LABELS.items():
        add(field, r"at least 1 character|Field required", f"« {name} » : ce champ est obligatoire.")
        add(field, r"at most (\d+) characters", f"« {name} » : au plus {{0}} caractères.")
        add(field, r"control character", f"« {name} » : contient un caractère de contrôle ; écrivez du texte simple.")
    for field in ("resource_id", "new_resource_id", "new_partner_id"):
        add(field, r"should match pattern",
            f"« {_COORDINATION_LABELS[field]} » : en minuscules sans accents, chiffres et tirets, sans espace "
            f"(par exemple salle-vercors).")
    for field in ("month", "applies_from"):
        name = _COORDINATION_LABELS[field]
        add(field, r"must be written YYYY-MM", f"« {name} » : écrivez le mois sous la forme AAAA-MM, par exemple 2026-03.")
        add(field, r"(\S+) is not a month", f"« {name} » : {{0}} n'est pas un mois (les mois vont de 01 à 12).")
        add(field, r"outside the ledger's calendar", f"« {name} » : ce mois est hors du calendrier du registre "
                                                     f"(de 2000 à 2100).")
    add("month", r"is already closed", "Ce mois est déjà clos : rien n'y change plus.")
    add("month", r"next month to close is (\d{4}-\d{2}), not (\d{4}-\d{2})",
        "Les mois se closent dans l'ordre : le prochain mois à clore est {0}, pas {1}.")
    add("month", r"last month of the ledger's calendar", "Décembre 2100 est le dernier mois du calendrier : "
                                                         "il reste ouvert.")
    add("month", r"was retired on (\S+)", "« Mois » : la ressource est retirée depuis le {0} : rien ne peut y "
                                         "être enregistré pour ce mois.")
    add("resource_id", r"no resource '(.+)'", "« Ressource » : la ressource « {0} » n'existe pas.")
    add("resource_id", r"is retired", "« Ressource » : cette ressource est retirée.")
    add("new_resource_id", r"already taken by \w+ '(.+)'", "« Identifiant » : déjà pris par la ressource « {0} ».")
    add("new_partner_id", r"already taken by '(.+)'", "« Identifiant » : déjà pris par le partenaire « {0} ».")
    add("joined_on", r"valid date|too short", "« Membre à partir du » : indiquez une date, par exemple 01/03/2026.")
    add("joined_on", r"is not a day", "« Membre à partir du » : ce jour n'existe pas.")
    add("joined_on", r"outside the ledger's calendar", "« Membre à partir du » : ce jour est hors du calendrier "
                                                       "du registre (de 2000 à 2100).")
    add("resource_kind", r"Input should be", "« Nature » : choisissez une nature dans la liste.")
    for field in ("unit", "other_unit"):
        add(field, r"should match pattern", f"« {_COORDINATION_LABELS[field]} » : lettres sans accents, chiffres, "
                                            f"espaces, ², /, _ ou -, 32 caractères au plus.")
    add("capacity", r"valid integer", "« Capacité » : un nombre entier, par exemple 1.")
    add("capacity", r"greater than or equal to", "« Capacité » : au moins 1.")
    add("capacity", r"less than or equal to", "« Capacité » : au plus 10 000.")
    add("method", r"Input should be", "« Méthode » : choisissez une méthode de répartition.")
    add("weights", r"needs weights", "« Poids » : une clé fixe a besoin du poids de chaque partenaire qui la "
                                     "partage : remplissez la colonne « Poids ».")
    add("weights", r"only for the 'fixed' method", "« Poids » : des poids ne servent qu'à une clé fixe : videz la "
                                                   "colonne « Poids », ou choisissez une clé fixe.")
    add("weights", r"names partner '(.+)', who is not registered", "« Poids » : le partenaire « {0} » n'est pas "
                                                                   "enregistré.")
    add("weights", r"no more than 4 decimal places", "« Poids » : au plus 4 chiffres après la virgule.")
    add("weights", r"greater than 0", "« Poids » : un poids est supérieur à zéro.")
    add("partners", r"needs the list of partners", "« Parts égales » : cochez les partenaires qui partagent à "
                                                   "parts égales.")
    add("partners", r"only for the 'equal' method", "« Parts égales » : des partenaires cochés ne servent qu'aux "
                                                    "parts égales : décochez-les, ou choisissez les parts égales.")
    add("partners", r"names partner '(.+)', who is not registered", "« Parts égales » : le partenaire « {0} » "
                                                                    "n'est pas enregistré.")
    add("partners", r"listed twice", "« Parts égales » : un partenaire est coché deux fois.")
    add("parts", r"add up to 100", "« Clé mixte » : les deux parties doivent faire 100 % à elles deux.")
    add("unit_price_cents", r"required for 'tariff' keys", "« Prix unitaire » : indiquez le prix unitaire du "
                                                           "tarif, par exemple 0,04.")
    add("unit_price_cents", r"decimal places", "« Prix unitaire » : au plus 6 chiffres après la virgule.")
    add("unit_price_cents", r"less than or equal to", "« Prix unitaire » : au plus 1 000 000 €.")
    add("dispute_id", r"no dispute|should match pattern", "Cette contestation n'existe pas.")
    add("dispute_id", r"already accepted", "Cette contestation a déjà été acceptée.")
    add("dispute_id", r"already rejected", "Cette contestation a déjà été rejetée.")
    add("outcome", r"Input should be", "« Décision » : accepter ou rejeter.")
    add("entry_id", r"no entry", "« Coût concerné » : ce coût n'existe pas.")
    add("entry_id", r"already (voided|cancelled)", "« Coût concerné » : ce coût est déjà annulé.")
    add("credit_cents", r"less than or equal to", "« Montant de l'avoir » : montant trop élevé.")
    found.append(("credit_cents", re.compile(r"is now (\d+) cents, not (\d+): it was corrected since"),
                  lambda now, was: f"« Montant de l'avoir » : le coût a été corrigé entre-temps ({euros(int(was))} "
                                   f"lu, {euros(int(now))} maintenant) : rien n'est enregistré ; vérifiez-le et "
                                   f"saisissez l'avoir à nouveau."))
    return found


# First: the other pages' sentences for any field (a day outside the calendar, a resource
# retired) would otherwise name « Jour » for a month or a cost of these forms.
TRANSLATIONS[:0] = _coordination_translations()
# Before all: the working-time refusals of the hours form are specific sentences.
TRANSLATIONS[:0] = messages_time.WORKING_TIME
LABELS.update(messages_time.LABELS)

# The auditor's and the analyst's pages (api/pages/audit*.py, analysis.py) -------------------

LABELS |= {"sql": "Requête SQL", "ancre": "Ancre notée"}

# Why the analysts' sandbox refused or stopped a query, by its rule (projections/sandbox.py);
# `{timeout}` and `{memory}` are the analysts' limits.
SQL_REFUSALS: dict[str, str] = {
    "sql-one-select": "une seule requête de lecture est acceptée (SELECT, ou WITH … SELECT).",
    "sql-timeout": "elle a dépassé le temps permis ({timeout} s) et a été arrêtée.",
    "sql-forbidden": "elle cherche à lire des fichiers, des adresses, des extensions ou des réglages, ce que "
                     "l'analyse ne permet pas.",
    "sql-out-of-memory": "elle demande plus de mémoire que permis ({memory}).",
    "sql-invalid": "le moteur SQL ne peut pas l'exécuter.",
    "sql-error": "le moteur SQL ne peut pas l'exécuter.",
    "sql-busy": "tous les moteurs de requêtes sont occupés : réessayez dans un instant.",
    "sql-unavailable": "la copie des données n'est pas disponible pour le moment : réessayez dans un instant.",
    "sql-parquet": "ces colonnes ne peuvent pas être écrites en Parquet : convertissez-les dans la requête "
                   "(par exemple en VARCHAR), ou téléchargez le CSV.",
}


def sql_refusal(rule: str, **limits: object) -> str:
    """The French sentence naming the field « Requête SQL » for a refusal of the sandbox."""
    reason = SQL_REFUSALS.get(rule, SQL_REFUSALS["sql-error"]).format(**limits)
    return f"« {LABELS['sql']} » : la requête a été refusée : {reason}"


# ---- Hour sheets (api/pages/coordination_hour_sheets.py, partner_hour_sheets.py) ---------------
LABELS.update({"sheet_id": "Feuille d'heures", "entries_sha256": "Feuille d'heures", "signed_by": "Signataire",
               "contest_reason": "Motif"})
TRANSLATIONS += [
    ("entries_sha256", re.compile(r"changed since you opened it"),
     "Cette feuille d'heures a changé depuis que vous l'avez ouverte : elle vous a été soumise à nouveau. "
     "Relisez-la ci-dessous avant de la signer."),
    ("entries_sha256", re.compile(r".*"), "Cette feuille d'heures n'est pas celle qui vous a été soumise : "
                                          "relisez-la avant de la signer."),
    ("sheet_id", re.compile(r"already submitted with these hours"),
     "Cette feuille est déjà soumise avec ces heures : elle se soumet à nouveau après une contestation, ou "
     "quand ses heures ont changé."),
    ("sheet_id", re.compile(r"already countersigned with these hours"),
     "Cette feuille est déjà signée avec ces heures : elle se soumet à nouveau quand ses heures ont changé."),
    ("sheet_id", re.compile(r"only a submitted sheet"),
     "Cette feuille d'heures n'attend plus de réponse : elle est déjà signée ou contestée."),
    ("sheet_id", re.compile(r"never submitted"), "Cette feuille d'heures n'a pas été soumise."),
    ("sheet_id", re.compile(r"a month without hours has no sheet"),
     "Aucune heure de ce salarié pour ce partenaire ce mois-ci : il n'y a pas de feuille à soumettre."),
    ("month", re.compile(r"awaits a submission"), "Aucune feuille d'heures de ce mois n'attend d'être soumise."),
    ("contest_reason", re.compile(r"at least 1 character|Field required"),
     "« Motif » : dites en quelques mots ce qui vous semble faux dans cette feuille d'heures."),
    ("contest_reason", re.compile(r"at most (\d+) characters"), "« Motif » : {0} caractères au plus."),
    ("contest_reason", re.compile(r"control character"),
     "« Motif » : le texte contient un caractère invisible interdit ; écrivez du texte simple."),
]

# The GE's invoices (api/pages/coordination_invoices.py) ---------------------------------------

LABELS |= {"profile": "Identité de facturation du groupement", "rate_card": "Grille de facturation",
           "lines": "Lignes de la facture", "accept_unsigned_sheets": "Facturer malgré les feuilles non contresignées",
           "corrects": "Facture corrigée", "credit_amount": "Montant HT de l'avoir", "credit_reason": "Motif de l'avoir"}
TRANSLATIONS[:0] = [(field, re.compile(pattern), sentence) for field, pattern, sentence in (
    ("profile", r"no invoicing profile",
     "Le groupement n'a pas encore d'identité de facturation (raison sociale, adresse, SIREN, régime de TVA) : "
     "renseignez-la d'abord."),
    ("partner_id", r"member '(.+?)' has no billing details",
     "Les coordonnées de facturation de l'adhérent « {0} » (raison sociale, adresse) manquent : renseignez-les d'abord."),
    ("partner_id", r"has no hours to invoice in (\S+)", "Cet adhérent n'a aucune heure à facturer en {0}."),
    ("rate_card", r"no rate card is in force in (\S+)",
     "Aucune grille de facturation n'est en vigueur en {0} : le conseil d'administration en fixe une d'abord."),
    ("lines", r"employee '(.+?)' has no contract in force in (\S+)",
     "Le salarié « {0} » n'a pas de contrat en vigueur en {1} : enregistrez son contrat d'abord."),
    ("lines", r"come to 0 cents", "Les heures de cet adhérent font 0,00 € : il n'y a rien à facturer."),
    (None, r"the terms changed since the lines were read",
     "Le contrat ou la grille ont changé pendant l'émission : affichez à nouveau la page, puis émettez."),
    ("month", r"already has invoice (FA-\d+) for",
     "Cet adhérent a déjà la facture {0} pour ce mois : émettez d'abord un avoir de son solde pour la refaire."),
    ("month", r"no member awaits an invoice", "Tous les adhérents qui ont des heures ce mois-ci ont déjà leur facture."),
    ("accept_unsigned_sheets", r"are not countersigned",
     "Des feuilles d'heures de ce mois ne sont pas contresignées par l'adhérent : cochez « Facturer malgré les "
     "feuilles non contresignées » pour émettre quand même (la facture le signalera)."),
    ("credit_amount", r"at most what is left of it",
     "« Montant HT de l'avoir » : un avoir ne dépasse pas ce qui reste à créditer sur la facture."),
    ("credit_amount", r"greater than 0|less than or equal", "« Montant HT de l'avoir » : montant hors limites."),
    ("corrects", r"wholly credited already", "Cette facture est déjà entièrement créditée."),
    ("corrects", r"is a credit note", "C'est un avoir : un avoir corrige une facture, pas un autre avoir."),
    ("corrects", r"there is no invoice", "Cette facture n'existe pas."),
    ("credit_reason", r"at least 1 (character|item)|Field required", "« Motif de l'avoir » : ce champ est obligatoire."),
    ("credit_reason", r"at most (\d+) characters", "« Motif de l'avoir » : {0} caractères au plus."),
    ("credit_reason", r"control character",
     "« Motif de l'avoir » : le texte contient un caractère invisible interdit ; écrivez du texte simple."),
)]
