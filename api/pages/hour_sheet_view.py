"""What the hour-sheet pages share: a sheet's status in French, its entries as a page and
the printable document show them, and the document itself (WeasyPrint, like statements)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from api.french import date_fr, decimal_fr, month_fr, time_fr
from api.reads import Reading
from api.templating import templates
from projections import hour_sheets, read_model

STATUS_FR = {"not_submitted": "à soumettre", "submitted": "soumise", "countersigned": "signée",
             "contested": "contestée"}


def status_fr(row: dict[str, Any]) -> str:
    """'signée par Marie Dupont', 'contestée (motif : …)', '… ; modifiée depuis la soumission'."""
    words = STATUS_FR.get(row["status"], row["status"])
    if row["status"] == "countersigned" and row.get("signed_by"):
        words += f" par {row['signed_by']}"
    if row["status"] == "contested" and row.get("contest_reason"):
        words += f" (motif : {row['contest_reason']})"
    if row.get("stale"):
        words += " ; modifiée depuis la soumission"
    return words


def awaits_submission(row: dict[str, Any]) -> bool:
    """As application/hour_sheets.py submits the month: hours, and no sheet, a contested one or a stale one."""
    return row["entries_sha256"] is not None and (row["status"] in ("not_submitted", "contested") or row["stale"])


@dataclass(frozen=True)
class EntryView:
    day: date
    hours: Decimal
    starts_at: datetime | None
    ends_at: datetime | None

    @property
    def day_text(self) -> str:
        return date_fr(self.day)

    @property
    def hours_text(self) -> str:
        return decimal_fr(self.hours, max_places=3)

    @property
    def span_text(self) -> str:
        if self.starts_at is None or self.ends_at is None:
            return "—"
        return f"{time_fr(self.starts_at)} – {time_fr(self.ends_at)}"


@dataclass(frozen=True)
class SheetView:
    """A submitted sheet as the member signs it: the entries its submission named."""

    row: dict[str, Any]
    entries: tuple[EntryView, ...]
    position: int

    @property
    def sheet_id(self) -> str:
        return self.row["sheet_id"]

    @property
    def status_text(self) -> str:
        return status_fr(self.row)

    @property
    def status_label(self) -> str:
        """The status as a badge reads it, its first letter upper (names keep their case)."""
        text = self.status_text
        return text[:1].upper() + text[1:]

    @property
    def month_label(self) -> str:
        return month_fr(self.row["month"])

    @property
    def total_text(self) -> str:
        return decimal_fr(self.row["submitted_hours"], max_places=3)

    @property
    def filename(self) -> str:
        return f"feuille-heures-{self.sheet_id.replace(':', '-')}-v{self.row['version']}"


def sheet_views(read: Reading, month: str, partner_id: str) -> list[SheetView]:
    """The partner's submitted sheets of the month as they stood at the reading's position."""
    rows = [row for row in read_model.hour_sheets_of_month(read.conn, month, read.position)
            if row["partner_id"] == partner_id and row["status"] != "not_submitted"]
    return [SheetView(row, tuple(EntryView(e["happened_on"], e["quantity"], e["starts_at"], e["ends_at"])
                                 for e in hour_sheets.submitted_entries(read.conn, row["submitted_position"])),
                      read.position)
            for row in rows]


def render_sheet_html(sheet: SheetView, partner_name: str) -> str:
    return templates().get_template("hour_sheet.html").render(sheet=sheet, partner_name=partner_name)


def render_sheet_pdf(sheet: SheetView, partner_name: str) -> bytes:
    """The sheet as a printable document (A4, WeasyPrint: imported on first use, like api/pdf.py)."""
    from weasyprint import HTML

    return HTML(string=render_sheet_html(sheet, partner_name)).write_pdf()
