"""Allocation keys on the coordinator's pages: a key in plain French, the key form read
into a SetAllocationKey, and its preview on a recorded pool as the rows of a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.datastructures import FormData

from api.french import de_fr, decimal_fr, parse_decimal_fr, parse_unit_price
from api.pages.coordination_forms import Refused, command, parsed, text
from domain.commands import SetAllocationKey
from domain.keys import AllocationKey
from projections.key_preview import KeyPreview

KINDS_FR = {"premises": "locaux", "equipment": "équipement", "staff": "personnel", "service": "service",
            "action": "action commune"}
# The units a resource is usually measured in, as a person reads them (singular, plural, "per").
UNITS_FR = {"hour": ("heure", "heures", "l'heure"), "page": ("page", "pages", "la page"),
            "m²": ("m²", "m²", "le m²"), "km": ("km", "km", "le km"), "jour": ("jour", "jours", "le jour"),
            "acte": ("acte", "actes", "l'acte"), "stand": ("stand", "stands", "le stand"),
            "contrat": ("contrat", "contrats", "le contrat")}
METHODS_FR = {"usage": "Au prorata de l'usage", "fixed": "Clé fixe (poids : %, m², effectif, ETP…)",
              "equal": "Parts égales entre les partenaires cochés", "tariff": "Tarif unitaire",
              "mixed": "Clé mixte : deux parts, chacune répartie à sa façon"}
PART_METHODS_FR = {"fixed": "clé fixe (les poids)", "equal": "parts égales (les partenaires cochés)",
                   "usage": "au prorata de l'usage"}


def unit_fr(unit: str) -> tuple[str, str, str]:
    return UNITS_FR.get(unit, (unit, unit if unit.endswith(("s", "x")) else unit + "s", f"l'unité ({unit})"))


def price_fr(unit_price_cents: Decimal) -> str:
    """4 (cents) -> '0,04 €'; 3.5 -> '0,035 €'."""
    value = unit_price_cents / 100
    places = max(2, -value.normalize().as_tuple().exponent)
    return f"{decimal_fr(value, places=places)}\u00a0€"


def _shares(weights: dict[str, Decimal], names: dict[str, str]) -> str:
    total = sum(weights.values())
    return ", ".join(f"{names.get(p, p)} {decimal_fr(w)} ({decimal_fr(w * 100 / total, max_places=2)}\u202f%)"
                     for p, w in weights.items())


def _some(partners: tuple[str, ...], names: dict[str, str], shown: int = 4) -> str:
    listed = [names.get(p, p) for p in partners]
    if len(listed) <= shown:
        return ", ".join(listed)
    return f"{', '.join(listed[:shown - 1])} et {len(listed) - shown + 1} autres"


def key_fr(key: AllocationKey, unit: str, names: dict[str, str], *, short: bool = False) -> str:
    """A key in plain French: 'au prorata des heures', 'clé fixe : …', '0,04 € la page'
    (`short`: a tariff without the note on its gap)."""
    _, plural, per = unit_fr(unit)
    if key.method == "usage":
        return f"au prorata des {plural}"
    if key.method == "fixed":
        return f"clé fixe : {_shares(dict(key.weights), names)}"
    if key.method == "equal":
        return (f"parts égales entre {len(key.partners)} partenaires ({_some(key.partners, names)}), "
                f"au prorata de leurs jours d'adhésion")
    if key.method == "tariff":
        assert key.unit_price_cents is not None
        if short:
            return f"{price_fr(key.unit_price_cents)} {per}"
        return f"tarif de {price_fr(key.unit_price_cents)} {per}, l'écart avec le coût réel restant visible"
    parts = []
    for part in key.parts:
        if part.method == "usage":
            parts.append(f"{part.percent} % au prorata des {plural}")
        elif part.method == "fixed":
            parts.append(f"{part.percent} % en clé fixe ({_shares(dict(part.weights), names)})")
        else:
            parts.append(f"{part.percent} % en parts égales entre {len(part.partners)} partenaires")
    return "clé mixte : " + " ; ".join(parts)


def key_text(key_json: str, unit: str, names: dict[str, str], *, short: bool = False) -> str:
    return key_fr(AllocationKey.model_validate_json(key_json), unit, names, short=short)


# The key form -------------------------------------------------------------------------------

FIELDS = ("resource_id", "applies_from", "method", "unit_price", "part1_method", "part1_percent", "part2_method")


@dataclass
class KeyForm:
    """The key form as typed (shown again as it was), and the partners it offers."""

    sent: dict[str, str]
    weights: dict[str, str] = field(default_factory=dict)
    equal: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, form: FormData, partners: dict[str, str]) -> KeyForm:
        return cls(sent={name: text(form, name) for name in FIELDS},
                   weights={p: text(form, f"weight-{p}") for p in partners if text(form, f"weight-{p}")},
                   equal={p for p in partners if text(form, f"equal-{p}")})

    @classmethod
    def of(cls, resource_id: str, applies_from: str, key: AllocationKey | None) -> KeyForm:
        """The form filled with a key in force, to start a new version from."""
        form = cls(sent={"resource_id": resource_id, "applies_from": applies_from, "method": "usage"})
        if key is None:
            return form
        form.sent["method"] = key.method
        simple = key.parts if key.method == "mixed" else (key,)
        for part in simple:
            form.weights |= {p: decimal_fr(w, group=False) for p, w in part.weights.items()}
            form.equal |= set(part.partners)
        if key.method == "tariff" and key.unit_price_cents is not None:
            form.sent["unit_price"] = price_fr(key.unit_price_cents).removesuffix("\u00a0€")
        if key.method == "mixed":
            form.sent |= {"part1_method": key.parts[0].method, "part1_percent": str(key.parts[0].percent),
                          "part2_method": key.parts[1].method}
        return form

    def command(self, names: dict[str, str]) -> SetAllocationKey:
        """The SetAllocationKey the form asks for; Refused (French, naming the field) if not."""
        method = self.sent.get("method", "")
        payload: dict[str, Any] = {"method": method}
        if method == "tariff":
            payload["unit_price_cents"] = parsed("unit_price", parse_unit_price, self.sent.get("unit_price", ""))
        if method in ("fixed", "equal", "usage"):
            payload |= self._simple(method, names)
        if method == "mixed":
            first = self.sent.get("part1_method", "")
            percent = int(parsed("part1_percent", lambda v: parse_decimal_fr(
                v, "Part de la première partie (%)", places=0, example="30"), self.sent.get("part1_percent", "")))
            if percent >= 100:
                raise Refused("part1_percent", "« Part de la première partie (%) » : moins de 100, "
                                               "la seconde partie prend le reste.")
            second = self.sent.get("part2_method", "")
            payload["parts"] = [{"percent": percent, **self._simple(first, names)},
                                {"percent": 100 - percent, **self._simple(second, names)}]
        return command(lambda: SetAllocationKey(resource_id=self.sent.get("resource_id", ""),
                                                applies_from=self.sent.get("applies_from", ""), key=payload))

    def _simple(self, method: str, names: dict[str, str]) -> dict[str, Any]:
        if method == "fixed":
            return {"method": method, "weights": {
                p: parsed(f"weight-{p}", lambda v, p=p: parse_decimal_fr(v, f"Poids {de_fr(names.get(p, p))}",
                                                                          places=4, example="45"), w)
                for p, w in self.weights.items()}}
        if method == "equal":
            return {"method": method, "partners": sorted(self.equal)}
        return {"method": method}


# The preview --------------------------------------------------------------------------------

def preview_rows(preview: KeyPreview, names: dict[str, str]) -> list[dict[str, Any]]:
    """One row per partner charged under either key (current and proposed cents, the
    difference), then what nobody is charged (unallocated, a tariff's gap): the rows of
    each column sum to the pool."""
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for column, lines in (("current", preview.current), ("proposed", preview.proposed)):
        for line in lines:
            if line.partner_id is not None:
                key = (0, line.partner_id)
                label = names.get(line.partner_id, line.partner_id)
            elif line.kind == "recovery":
                key = (2, "recovery")
                label = "Écart entre le coût et les tarifs (négatif : les tarifs recouvrent plus que le coût)"
            else:
                key, label = (1, "unallocated"), "Non réparti (personne à qui l'imputer)"
            row = rows.setdefault(key, {"label": label, "current": 0, "proposed": 0, "partner": key[0] == 0})
            row[column] += line.amount_cents
    ordered = sorted(rows.items(), key=lambda item: (item[0][0], item[1]["label"]))
    return [{**row, "difference": row["proposed"] - row["current"]} for _, row in ordered]


def preview_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {"current": sum(r["current"] for r in rows), "proposed": sum(r["proposed"] for r in rows)}

