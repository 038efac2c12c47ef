"""A partner's statement as its page shows it: the lines of the statement document
(api/documents.py, the JSON statement's figures) grouped by pool, each pool with its cost
for the month and the invoices it adds up, each line with its key in plain French and a
sentence saying how its basis and ratio give its amount; a tariff's year settled to its
actual cost with the sentence that says how its amount comes. Pools are grouped by the kind of
resource (premises, equipment, services, joint actions, then staff) and by name within.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from api.documents import RESOURCE_KIND_ORDER, DocumentLine, StatementDocument, statement_document
from api.french import decimal_fr, euros, month_fr
from api.reads import Reading
from projections import read_model, settlement_reads

KIND_ORDER = RESOURCE_KIND_ORDER
KINDS_FR = {"premises": "Locaux", "equipment": "Matériel", "service": "Services partagés",
            "action": "Actions communes", "staff": "Personnel mis à disposition"}
# A unit as a person reads it: (singular, plural, "la page" for a tariff's price).
UNITS_FR = {
    "hour": ("heure", "heures", "l'heure"), "page": ("page", "pages", "la page"),
    "acte": ("acte", "actes", "l'acte"), "m²": ("m²", "m²", "le m²"), "stand": ("stand", "stands", "le stand"),
    "contrat": ("contrat", "contrats", "le contrat"), "km": ("km", "km", "le km"),
    "jour": ("jour", "jours", "le jour"), "repas": ("repas", "repas", "le repas"),
}


def unit_fr(unit: str) -> tuple[str, str, str]:
    return UNITS_FR.get(unit, (unit, unit, f"l'unité ({unit})"))


def percent_short(ratio: Decimal) -> str:
    """0.4 -> '40 %', 0.1125 -> '11,25 %' (two decimals at most, no trailing zeros)."""
    return f"{decimal_fr(ratio * 100, max_places=2)}\u202f%"


def quantity_fr(value: Decimal) -> str:
    return decimal_fr(value, max_places=3)


def price_fr(unit_price_cents: Decimal) -> str:
    """A unit price in cents (fractions allowed) as euros: 4 -> '0,04 €', 3.5 -> '0,035 €'."""
    value = Decimal(unit_price_cents) / 100
    places = max(2, -value.normalize().as_tuple().exponent)
    return f"{decimal_fr(value, places=places)}\u00a0€"


@dataclass(frozen=True)
class Invoice:
    document_ref: str
    category: str
    amount_cents: int


@dataclass(frozen=True)
class LineView:
    line: DocumentLine
    key_text: str          # "au prorata des heures", "clé fixe 40 %", "0,04 € la page"
    explanation: str       # the basis and the ratio in a sentence

    @property
    def part_label(self) -> str | None:
        return None if self.line.part is None else f"part {self.line.part + 1}"


@dataclass(frozen=True)
class PoolView:
    resource_id: str
    name: str
    kind: str
    cost_cents: int
    invoices: list[Invoice]
    lines: list[LineView]

    @property
    def subtotal_cents(self) -> int:
        return sum(view.line.amount_cents for view in self.lines)


@dataclass(frozen=True)
class KindGroup:
    kind: str
    label: str
    pools: list[PoolView]

    @property
    def subtotal_cents(self) -> int:
        return sum(pool.subtotal_cents for pool in self.pools)


@dataclass(frozen=True)
class SettlementView:
    """A tariff's year settled to its actual cost (domain/tariff_settlement.py), on this statement."""

    line: DocumentLine
    year: int
    explanation: str


@dataclass(frozen=True)
class StatementView:
    document: StatementDocument
    groups: list[KindGroup]
    adjustments: list[DocumentLine] = field(default_factory=list)
    credits: list[DocumentLine] = field(default_factory=list)
    settlements: list[SettlementView] = field(default_factory=list)

    @property
    def charges_cents(self) -> int:
        return sum(group.subtotal_cents for group in self.groups)


def name_key(name: str) -> str:
    return unicodedata.normalize("NFKD", name.casefold())  # 'Énergie' sorts among the E


def key_words(line: DocumentLine, key: dict[str, Any] | None, unit: str) -> str:
    """The key that produced a line, in plain French."""
    singular, plural, each = unit_fr(unit)
    method = line.method
    if method is None:
        return "aucune clé en vigueur"
    if method == "tariff" and key is not None and key.get("unit_price_cents") is not None:
        return f"{price_fr(Decimal(key['unit_price_cents']))} {each}"
    if method == "mixed" and key is not None and line.part is not None and line.part < len(key.get("parts", [])):
        part = key["parts"][line.part]
        return f"clé mixte, part {line.part + 1} ({part['percent']}\u202f% du coût) : {_simple(line, plural)}"
    return _simple(line, plural)


def key_summary(key: dict[str, Any], unit: str) -> str:
    """A whole key version in a few words (the trace's key event)."""
    _, plural, each = unit_fr(unit)
    method = key.get("method")
    if method == "usage":
        return f"au prorata des {plural}"
    if method == "fixed":
        return f"clé fixe, selon les poids de la convention ({len(key.get('weights', {}))} partenaires)"
    if method == "equal":
        return f"à parts égales entre {len(key.get('partners', []))} partenaires"
    if method == "tariff" and key.get("unit_price_cents") is not None:
        return f"{price_fr(Decimal(key['unit_price_cents']))} {each}"
    if method == "mixed":
        parts = {"usage": f"au prorata des {plural}", "fixed": "clé fixe", "equal": "à parts égales"}
        return "clé mixte : " + ", ".join(f"{part['percent']}\u202f% {parts.get(part['method'], part['method'])}"
                                          for part in key.get("parts", []))
    return str(method)


def _simple(line: DocumentLine, plural: str) -> str:
    if line.basis_kind == "usage":
        return f"au prorata des {plural}"
    if line.basis_kind == "weight":
        return f"clé fixe {percent_short(line.ratio)}" if line.ratio is not None else "clé fixe"
    if line.basis_kind == "equal":
        return "à parts égales"
    if line.basis_kind == "tariff":
        return "tarif unitaire"
    return "aucune clé en vigueur"


def explain(line: DocumentLine, key: dict[str, Any] | None, unit: str, cost_cents: int, kind: str = "") -> str:
    """How the basis and the ratio give the amount, in one sentence."""
    singular, plural, each = unit_fr(unit)
    basis, total, ratio = line.basis, line.total_basis, line.ratio
    if basis is None or total is None or ratio is None:
        return ""
    share_of = f"du coût du mois ({euros(cost_cents)})"
    if line.method == "mixed" and key is not None and line.part is not None and line.part < len(key.get("parts", [])):
        percent = key["parts"][line.part]["percent"]
        share_of = f"de {percent}\u202f% du coût du mois ({euros(cost_cents)})"
    amount = euros(line.amount_cents)
    if line.basis_kind == "tariff":
        price = price_fr(Decimal(key["unit_price_cents"])) if key and key.get("unit_price_cents") else "le tarif"
        return (f"{quantity_fr(basis)} {plural if basis != 1 else singular} à {price} {each} = {amount} "
                f"(sur {quantity_fr(total)} {plural} en tout ce mois).")
    if line.basis_kind == "usage" and kind == "staff" and unit == "hour":
        return (f"{quantity_fr(basis)} heures travaillées pour vous sur {quantity_fr(total)} heures ce mois, "
                f"soit {percent_short(ratio)} {share_of} : {amount}.")
    if line.basis_kind == "usage":
        return (f"Vos {quantity_fr(basis)} {plural} sur {quantity_fr(total)} {plural} en tout ce mois, "
                f"soit {percent_short(ratio)} {share_of} : {amount}.")
    if line.basis_kind == "weight":
        measure = f" {unit}" if unit == "m²" else ""
        return (f"Votre poids dans la convention : {quantity_fr(basis)}{measure} sur {quantity_fr(total)}{measure}, "
                f"soit {percent_short(ratio)} {share_of} : {amount}.")
    if line.basis_kind == "equal":
        parts = "une part" if basis == 1 else f"{quantity_fr(basis)} part"
        return (f"{parts.capitalize()} sur {quantity_fr(total)}, soit {percent_short(ratio)} {share_of} : "
                f"{amount}.")
    return ""


def settlement_words(row: dict[str, Any], resource_name: str, unit: str) -> str:
    """How a settlement line's amount comes, in a few sentences."""
    singular, plural, _ = unit_fr(unit)
    units = row["units"]
    before = (f", après {euros(row['settled_before_cents'])} déjà régularisés pour cette année"
              if row["settled_before_cents"] else "")
    amount = row["amount_cents"]
    outcome = (f"vous facture {euros(amount)} de plus" if amount > 0 else f"vous rembourse {euros(-amount)}")
    return (f"En {row['year']}, le tarif vous a facturé {euros(row['charged_cents'])} pour vos {quantity_fr(units)} "
            f"{plural if units != 1 else singular}. Le coût réel de {resource_name} sur les mois au tarif "
            f"({euros(row['costs_cents'])}), réparti au prorata des {plural} de tous ({quantity_fr(units)} sur "
            f"{quantity_fr(row['total_units'])}), vous revient à {euros(row['share_cents'])} : la régularisation "
            f"au coût réel prévue par la convention {outcome}{before}.")


def _settlements(read: Reading, document: StatementDocument) -> list[SettlementView]:
    lines = document.of_kind("régularisation du tarif")
    if not lines:
        return []
    at = document.issued_at_position if document.closed else read.position
    rows = settlement_reads.partner_settlements(read.conn, document.partner_id, document.month, at)
    details = read_model.resource_details(read.conn, sorted({line.resource_id for line in lines}))
    return [SettlementView(line, rows[line.resource_id]["year"], settlement_words(
        rows[line.resource_id], line.resource_name, details.get(line.resource_id, {}).get("unit", "")))
        for line in lines]


def statement_view(read: Reading, partner_id: str, month: str,
                   statement: tuple[list[dict[str, Any]], dict | None] | None = None) -> StatementView:
    """The statement page's content, from one snapshot; a closed month as issued (its pools'
    costs too: as they stood at its seal). `statement`: partner_statement_lines' answer, if read."""
    document = statement_document(read, partner_id, month, statement)
    charges = document.of_kind("charge")
    resource_ids = sorted({line.resource_id for line in charges})
    details = read_model.resource_details(read.conn, resource_ids) if resource_ids else {}
    keys = {(row["resource_id"], row["key_version"]): json.loads(row["key"])
            for row in (read_model.keys_of_resources(read.conn, resource_ids) if resource_ids else [])}
    at = document.issued_at_position if document.closed else read.position
    invoices: dict[str, list[Invoice]] = {}
    for row in read_model.pool_costs_at(read.conn, month, resource_ids, at) if resource_ids else []:
        invoices.setdefault(row["resource_id"], []).append(
            Invoice(row["document_ref"], row["category"], row["amount_cents"]))
    pools: dict[str, PoolView] = {}
    for line in charges:
        detail = details.get(line.resource_id, {})
        unit = detail.get("unit", "")
        key = keys.get((line.resource_id, line.key_version))
        pool = pools.get(line.resource_id)
        if pool is None:
            bills = invoices.get(line.resource_id, [])
            pool = pools[line.resource_id] = PoolView(
                resource_id=line.resource_id, name=line.resource_name, kind=detail.get("kind", "service"),
                cost_cents=sum(bill.amount_cents for bill in bills), invoices=bills, lines=[])
        pool.lines.append(LineView(line, key_words(line, key, unit),
                                   explain(line, key, unit, pool.cost_cents, pool.kind)))
    for pool in pools.values():
        pool.lines.sort(key=lambda view: -1 if view.line.part is None else view.line.part)
    groups = []
    for kind in sorted({pool.kind for pool in pools.values()},
                       key=lambda k: KIND_ORDER.index(k) if k in KIND_ORDER else len(KIND_ORDER)):
        members = sorted((p for p in pools.values() if p.kind == kind), key=lambda p: (name_key(p.name), p.resource_id))
        groups.append(KindGroup(kind, KINDS_FR.get(kind, kind), members))
    return StatementView(document=document, groups=groups, adjustments=document.of_kind("régularisation"),
                         credits=document.of_kind("avoir"), settlements=_settlements(read, document))


def origin_label(line: DocumentLine) -> str:
    return f"Régularisation de {month_fr(line.origin_month)}" if line.origin_month else line.description
