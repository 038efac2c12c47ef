"""A partner's statement for a month as a document: the lines in French words, rendered
to print (HTML, Jinja2 templates in api/templates) or to file (CSV).

The figures are those of the JSON statement (`partner_statement_lines`): a closed month is
shown as issued, with its number and its seal — the digest of the month's statements and
the chain hash of the log at its close — so that every partner's printed copy anchors the
log outside the system. An open month is marked provisional.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fastapi.responses import PlainTextResponse

from api.french import day_fr, decimal_fr, month_fr, percent_fr
from api.templating import templates
from api.reads import Reading, partner_statement_lines, known_partner_name, resource_names
from domain.money import format_eur
from projections import read_model, settlement_reads

METHODS_FR = {
    "usage": "au prorata de l'usage",
    "fixed": "clé fixe",
    "equal": "parts égales",
    "mixed": "clé mixte",
    "tariff": "tarif unitaire",
}
# What the basis of a line measures; for a part of a mixed key, the part's own method.
BASIS_KINDS_FR = {
    "usage": "au prorata de l'usage",
    "weight": "clé fixe",
    "equal": "parts égales",
    "tariff": "tarif unitaire",
    "none": "aucune clé en vigueur",
}
DISPUTE_STATUS_FR = {
    "open": "contestée",
    "accepted": "contestation acceptée",
    "rejected": "contestation rejetée",
}
KINDS_FR = {"share": "charge", "tariff": "charge", "adjustment": "régularisation", "credit": "avoir",
            "settlement": "régularisation du tarif"}

CSV_HEADER = ("type", "mois", "partenaire", "ressource", "libellé", "version de clé", "base", "base totale",
              "ratio", "montant (centimes)", "montant", "mois d'origine", "contestation",
              "statut de la contestation")


# The document ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DocumentLine:
    kind: str                     # charge | régularisation | régularisation du tarif | avoir
    line_kind: str
    resource_id: str
    resource_name: str
    part: int | None
    description: str              # the method, or where an adjustment or a credit comes from
    detail: str | None            # for a part of a mixed key: the part's own method
    key_version: int | None
    basis: Decimal | None
    total_basis: Decimal | None
    ratio: Decimal | None
    amount_cents: int
    origin_month: str | None
    dispute_id: str | None
    dispute_status: str | None
    # The key's method and what the basis measures (None for adjustments and credits): the
    # pages explain a line in words from them.
    method: str | None = None
    basis_kind: str | None = None
    # premises, equipment, service, action, staff: charges are listed by kind, then name, so
    # that the staff lent by a groupement are not mixed among the rent.
    resource_kind: str = ""

    @property
    def amount(self) -> str:
        return format_eur(self.amount_cents)

    @property
    def basis_text(self) -> str:
        if self.basis is None or self.total_basis is None:
            return ""
        # On paper, three decimals at most (a basis prorated by days has six); the CSV has them all.
        return f"{decimal_fr(self.basis, max_places=3)} / {decimal_fr(self.total_basis, max_places=3)}"

    @property
    def ratio_text(self) -> str:
        return "" if self.ratio is None else percent_fr(self.ratio)

    @property
    def dispute_label(self) -> str | None:
        return DISPUTE_STATUS_FR.get(self.dispute_status or "")


COST_BASIS_FR = {
    "ttc": "Montants TTC : la mutualisation ne récupère pas la TVA sur ses coûts.",
    "ht": "Montants HT : la mutualisation récupère la TVA sur ses coûts.",
    None: "Montants tels qu'enregistrés : la mutualisation n'a pas indiqué s'ils sont HT ou TTC.",
}


@dataclass(frozen=True)
class DocumentDispute:
    dispute_id: str
    resource_name: str
    reason: str
    status: str
    status_label: str
    resolution_reason: str | None
    credits: list[str]


@dataclass(frozen=True)
class StatementDocument:
    partner_id: str
    partner_name: str
    month: str
    closed: bool
    number: int | None
    issued_at_position: int | None
    statements_sha256: str | None
    chain_hash: str | None
    closed_on: str | None
    position: int
    lines: list[DocumentLine]
    disputes: list[DocumentDispute] = field(default_factory=list)
    cost_basis: str | None = None  # 'ht' | 'ttc' | None (never set)

    @property
    def month_label(self) -> str:
        return month_fr(self.month)

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def total(self) -> str:
        return format_eur(self.total_cents)

    def of_kind(self, kind: str) -> list[DocumentLine]:
        return [line for line in self.lines if line.kind == kind]

    @property
    def title(self) -> str:
        """'Relevé n° 3'; 'Relevé provisoire' for an open month."""
        if not self.closed:
            return "Relevé provisoire"
        return "Relevé sans numéro" if self.number is None else f"Relevé n° {self.number}"

    @property
    def cost_basis_line(self) -> str:
        """What the amounts mean (domain/pool_settings.py), printed beside the total."""
        return COST_BASIS_FR.get(self.cost_basis, COST_BASIS_FR[None])

    @property
    def seal_line(self) -> str:
        return (f"Mois clos — empreinte des relevés (SHA-256) : {self.statements_sha256} — "
                f"chaîne à la position {self.issued_at_position} : {self.chain_hash}")

    @property
    def running_footer(self) -> str:
        """At the foot of every printed page."""
        return f"{self.title} — {self.partner_name} — {self.month_label}"

    @property
    def filename(self) -> str:
        return f"releve-{self.partner_id}-{self.month}"


def _describe(line: dict[str, Any], dispute_ids: dict[tuple, str],
              settled_years: dict[str, int]) -> tuple[str, str | None, str | None]:
    """The description of a line, the detail under it, and the dispute it is under."""
    kind = line["line_kind"]
    if kind == "adjustment":
        return f"Régularisation de {month_fr(line['origin_month'])}", None, None
    if kind == "settlement":
        year = settled_years.get(line["resource_id"])
        return f"Régularisation annuelle du tarif {year} au coût réel", None, None
    if kind == "credit":
        return f"Avoir (contestation {line['dispute_id']})", None, line["dispute_id"]
    dispute_id = dispute_ids.get((line["resource_id"], kind, line["part"]))
    method = line["method"]
    if method == "mixed":
        part = "" if line["part"] is None else f" (part {line['part'] + 1})"
        return f"clé mixte{part}", BASIS_KINDS_FR.get(line["basis_kind"] or ""), dispute_id
    if method is None:
        return BASIS_KINDS_FR["none"], None, dispute_id
    return METHODS_FR.get(method, method), None, dispute_id


RESOURCE_KIND_ORDER = ("premises", "equipment", "service", "action", "staff")


def _line_rank(line: DocumentLine) -> tuple:
    order = {"charge": 0, "régularisation": 1, "régularisation du tarif": 2, "avoir": 3}
    name = unicodedata.normalize("NFKD", line.resource_name.casefold())  # 'Électricité' sorts among the E
    kind = (RESOURCE_KIND_ORDER.index(line.resource_kind) if line.resource_kind in RESOURCE_KIND_ORDER
            else len(RESOURCE_KIND_ORDER))
    return (order[line.kind], line.origin_month or "", kind, name, line.resource_id,
            -1 if line.part is None else line.part, line.line_kind, line.dispute_id or "")


def _disputes(read: Reading, rows: list[dict[str, Any]], names: dict[str, str]) -> list[DocumentDispute]:
    """The disputes opened on the month's lines, each with its answer and the credits it granted."""
    credits: dict[str, list[str]] = {}
    if rows:
        for dispute_id, amount_cents, credited_month in read_model.dispute_credits(
                read.conn, [r["dispute_id"] for r in rows], read.position):
            credits.setdefault(dispute_id, []).append(
                f"avoir de {format_eur(amount_cents)} porté au relevé de {month_fr(credited_month)}")
    return [DocumentDispute(
        dispute_id=r["dispute_id"], resource_name=names.get(r["resource_id"], r["resource_id"]),
        reason=r["reason"], status=r["status"], status_label=DISPUTE_STATUS_FR.get(r["status"], r["status"]),
        resolution_reason=r["resolution_reason"], credits=credits.get(r["dispute_id"], []),
    ) for r in rows]


def statement_document(read: Reading, partner_id: str, month: str,
                       statement: tuple[list[dict[str, Any]], dict | None] | None = None) -> StatementDocument:
    """Everything a printed or filed statement shows, read from one snapshot (`statement`:
    the lines and seal `partner_statement_lines` gave for it, if the caller has them)."""
    name = known_partner_name(read, partner_id)
    lines, seal = statement if statement is not None else partner_statement_lines(read, partner_id, month)
    disputes = read_model.partner_disputes(read.conn, partner_id, month, read.position)
    names = resource_names(read, {line["resource_id"] for line in lines} | {d["resource_id"] for d in disputes})
    kinds = {resource_id: row["kind"] for resource_id, row in
             read_model.resource_details(read.conn, sorted(names)).items()} if names else {}
    # A line's latest dispute, as `partner_statement_lines` gives its status.
    dispute_ids = {(d["resource_id"], d["line_kind"], d["part"]): d["dispute_id"] for d in disputes}
    settled_years = ({r: row["year"] for r, row in settlement_reads.partner_settlements(
        read.conn, partner_id, month, seal["as_of_position"] if seal else read.position).items()}
        if any(line["line_kind"] == "settlement" for line in lines) else {})
    closed_on = None
    if seal is not None:
        closed_at = read_model.period_closed_at(read.conn, month)
        closed_on = day_fr(closed_at) if closed_at else None
    document_lines = []
    for line in lines:
        description, detail, dispute_id = _describe(line, dispute_ids, settled_years)
        document_lines.append(DocumentLine(
            kind=KINDS_FR.get(line["line_kind"], "charge"), line_kind=line["line_kind"],
            resource_id=line["resource_id"], resource_name=names.get(line["resource_id"], line["resource_id"]),
            part=line["part"], description=description, detail=detail, key_version=line["key_version"],
            basis=line["basis"], total_basis=line["total_basis"], ratio=line["ratio"],
            amount_cents=line["amount_cents"], origin_month=line.get("origin_month"), dispute_id=dispute_id,
            dispute_status=line.get("dispute_status") if line["line_kind"] != "credit" else None,
            method=line["method"], basis_kind=line["basis_kind"], resource_kind=kinds.get(line["resource_id"], ""),
        ))
    return StatementDocument(
        partner_id=partner_id, partner_name=name, month=month, closed=seal is not None,
        number=seal["number"] if seal else None,
        issued_at_position=seal["as_of_position"] if seal else None,
        statements_sha256=seal["statements_sha256"] if seal else None,
        chain_hash=seal["chain_hash"] if seal else None,
        closed_on=closed_on, position=read.position,
        lines=sorted(document_lines, key=_line_rank),
        disputes=_disputes(read, disputes, names),
        # As issued for a closed month: the basis in force at its seal.
        cost_basis=read_model.cost_basis_of_month(read.conn, month, seal["as_of_position"] if seal else read.position),
    )


# Rendering ---------------------------------------------------------------------------------

def render_html(document: StatementDocument) -> str:
    return templates().get_template("statement.html").render(doc=document)


def render_csv(document: StatementDocument) -> str:
    """`;`-separated, a French header row, one row per line, the total, then the seal."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)

    def text(value: Decimal | None) -> str:
        return "" if value is None else decimal_fr(value, group=False)

    for line in document.lines:
        description = f"{line.description} — {line.detail}" if line.detail else line.description
        writer.writerow([
            line.kind, document.month, document.partner_id, line.resource_name, description,
            "" if line.key_version is None else line.key_version, text(line.basis), text(line.total_basis),
            text(line.ratio), line.amount_cents, line.amount, line.origin_month or "", line.dispute_id or "",
            line.dispute_label or "",
        ])
    writer.writerow(["total", document.month, document.partner_id, "", "", "", "", "", "",
                     document.total_cents, document.total, "", "", ""])
    writer.writerow(["HT ou TTC", document.cost_basis.upper() if document.cost_basis else "non indiqué",
                     document.cost_basis_line])
    if document.closed:
        writer.writerow(["relevé n°", document.number if document.number is not None else ""])
        writer.writerow(["empreinte des relevés (SHA-256)", document.statements_sha256])
        writer.writerow([f"chaîne à la position {document.issued_at_position}", document.chain_hash])
    else:
        writer.writerow(["provisoire", "mois non clos"])
    # A byte order mark: spreadsheets then read the accents as UTF-8.
    return "\ufeff" + out.getvalue()


class CsvResponse(PlainTextResponse):
    media_type = "text/csv"
