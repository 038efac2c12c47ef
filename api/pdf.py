"""The statement document as PDF: the printable HTML of api/documents.py laid out by
WeasyPrint (its @page rules give the A4 sheet, the running footer and the page numbers).
Fonts come from the system (fontconfig): DejaVu Sans on Debian (fonts-dejavu-core)."""

from __future__ import annotations

from api.documents import StatementDocument, render_html


def render_pdf(document: StatementDocument) -> bytes:
    # Imported on first use: WeasyPrint loads Pango, which the API needs for nothing else.
    from weasyprint import HTML

    return HTML(string=render_html(document)).write_pdf()
