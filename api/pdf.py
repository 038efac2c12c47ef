"""The statement document (and a GE's invoice) as PDF: the printable HTML of api/documents.py laid out by
WeasyPrint (its @page rules give the A4 sheet, the running footer and the page numbers).
Fonts come from the system (fontconfig): DejaVu Sans on Debian (fonts-dejavu-core)."""

from __future__ import annotations

from api.documents import StatementDocument, render_html
from api.invoice_documents import InvoiceDocument, render_invoice_html


def html_to_pdf(html: str) -> bytes:
    # Imported on first use: WeasyPrint loads Pango, which the API needs for nothing else.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def render_pdf(document: StatementDocument) -> bytes:
    return html_to_pdf(render_html(document))


def render_invoice_pdf(document: InvoiceDocument) -> bytes:
    """A GE's invoice or credit note (api/invoice_documents.py), laid out the same way."""
    return html_to_pdf(render_invoice_html(document))
