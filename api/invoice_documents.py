"""A GE's invoice or credit note as a document: rebuilt from its `InvoiceIssued` event
alone (whatever changed since), rendered to print (HTML, then PDF by api/pdf.py) or to file
(CSV, `;`-separated with a French header, amounts in cents and in euros, as the statement's).

The mentions a French invoice must carry, and where they come from:
- both parties' full names, addresses and SIREN (CGI annexe II art. 242 nonies A, 1°, the
  SIREN of the client added by décret 2022-1299), the date of issue (6°), the number of the
  one continuous sequence (7°), the nature of the operation — "prestation de services" (8° bis);
- per line, the service, hours and unit price HT; the total HT, the VAT rate and amount, or
  under CGI art. 261 B the exemption and its article;
- the service period, the due date, the late-payment penalty rate, the 40 € recovery
  indemnity owed by a professional and the discount terms (C. com. L441-9, L441-10, D441-5).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from api.french import date_fr, decimal_fr, month_fr
from api.templating import templates
from domain.invoice_amounts import reference
from domain.invoices import InvoiceIssued
from domain.money import format_eur

SHEET_STATUS_FR = {
    "countersigned": "contresignée",
    "submitted": "soumise, non contresignée",
    "contested": "contestée",
    "not_submitted": "non soumise",
    "changed": "heures modifiées depuis la signature",
}
NATURE = "Prestation de services : mise à disposition de personnel par le groupement d'employeurs à ses adhérents"
CSV_HEADER = ("numéro", "type", "facture corrigée", "adhérent", "période", "date d'émission", "échéance", "ligne",
              "salarié", "emploi", "heures", "prix unitaire HT (centimes)", "montant HT (centimes)", "montant HT",
              "feuille d'heures", "statut de la feuille")


@dataclass(frozen=True)
class InvoiceDocument:
    event: InvoiceIssued
    # What credit notes took off this invoice since (from the register), if any.
    credited_ttc_cents: int = 0

    @property
    def is_credit_note(self) -> bool:
        return self.event.kind == "credit_note"

    @property
    def kind_label(self) -> str:
        return "Avoir" if self.is_credit_note else "Facture"

    @property
    def title(self) -> str:
        """'Facture n° FA-000004', or 'Avoir de régularisation 2026 n° FA-000005' at year end."""
        if self.event.regularises is not None:
            return f"{self.kind_label} de régularisation {self.event.regularises} n° {self.event.reference}"
        return f"{self.kind_label} n° {self.event.reference}"

    @property
    def corrects(self) -> str | None:
        return reference(self.event.corrects) if self.event.corrects else None

    @property
    def period(self) -> str:
        """The service period: a month, or the year a regularisation settles."""
        if self.event.regularises is not None:
            return f"année {self.event.regularises}"
        return month_fr(self.event.month)

    @property
    def issued_on(self) -> str:
        return date_fr(self.event.issued_on)

    @property
    def due_on(self) -> str | None:
        return date_fr(self.event.due_on) if self.event.due_on else None

    @property
    def vat_line(self) -> str:
        if self.event.vat_regime == "exempt_261b":
            return "TVA non applicable — exonération, article 261 B du CGI"
        rate = decimal_fr(Decimal(self.event.vat_rate_bp or 0) / 100, max_places=2)
        return f"TVA à {rate}\u202f%"

    @property
    def penalty_rate(self) -> str:
        return f"{decimal_fr(self.event.late_penalty_rate, places=2)}\u202f%"

    @property
    def unsigned_lines(self) -> list[str]:
        return [line.employee_name or "" for line in self.event.lines if line.sheet_status not in (None, "countersigned")]

    def money(self, cents: int) -> str:
        return format_eur(cents)

    def hours(self, value: Decimal | None) -> str:
        return "" if value is None else decimal_fr(value, max_places=3)

    def sheet_status(self, status: str | None) -> str:
        return SHEET_STATUS_FR.get(status or "", "")

    @property
    def nature(self) -> str:
        return NATURE

    @property
    def running_footer(self) -> str:
        return f"{self.title} — {self.event.seller.legal_name} — {self.event.buyer.legal_name} — {self.period}"

    @property
    def filename(self) -> str:
        return f"{'avoir' if self.is_credit_note else 'facture'}-{self.event.reference}"


def invoice_document(row: dict) -> InvoiceDocument:
    """From a register row of `billing_reads.invoice_at` (its event's payload, JSON text)."""
    payload = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"])
    return InvoiceDocument(InvoiceIssued.model_validate(payload), row.get("credited_ttc_cents") or 0)


def render_invoice_html(document: InvoiceDocument) -> str:
    return templates().get_template("invoice.html").render(doc=document)


def render_invoice_csv(document: InvoiceDocument) -> str:
    """One row per line, then total HT, VAT and total TTC: as printed (a credit note's positive)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    event = document.event
    head = [event.reference, document.kind_label.lower(), document.corrects or "", event.partner_id, event.month,
            event.issued_on.isoformat(), event.due_on.isoformat() if event.due_on else ""]
    for n, line in enumerate(event.lines, start=1):
        writer.writerow([*head, n, line.employee_name or line.label or "", line.job_title or "",
                         "" if line.hours is None else decimal_fr(line.hours, group=False),
                         "" if line.rate_cents is None else line.rate_cents, line.amount_cents,
                         format_eur(line.amount_cents), line.sheet_id or "", document.sheet_status(line.sheet_status)])
    vat = "TVA (exonération, article 261 B du CGI)" if event.vat_regime == "exempt_261b" else document.vat_line
    for label, cents in (("total HT", event.total_ht_cents), (vat, event.vat_cents),
                         ("total TTC", event.total_ttc_cents)):
        writer.writerow([*head, label, "", "", "", "", cents, format_eur(cents), "", ""])
    # A byte order mark: spreadsheets then read the accents as UTF-8.
    return "\ufeff" + out.getvalue()
