"""What the pages say when something is refused: French sentences that name the field by
its label. Domain errors speak English (the API's problem details); the pages translate
the ones a form can meet, by their field and their wording, and fall back on a sentence
naming the field."""

from __future__ import annotations

import re

from pydantic import ValidationError

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

# (field or None for any, English pattern, French sentence with the pattern's groups).
TRANSLATIONS: list[tuple[str | None, re.Pattern[str], str]] = [
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
                return error.field, sentence.format(*found.groups())
    if error.field:
        return error.field, f"« {label(error.field)} » : cette valeur est refusée."
    return None, "L'opération est refusée."


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
