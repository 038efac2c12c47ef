"""The member register of a day as a printable document (HTML laid out by WeasyPrint, like
the statements of api/pdf.py): what the GE sends the labour inspectorate — its identity, and
for each member the fields of C. trav. D1253-1 5° — with the day it describes, the log
position it was read at and, if it is not the register as it stands, when it was recorded."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from api.french import date_fr, moment_fr
from api.pages.ge_terms_forms import siren_fr
from api.templating import templates

if TYPE_CHECKING:
    from api.pages.ge_register import Asked


def register_html(asked: Asked, read: dict[str, Any]) -> str:
    as_of = (f"tel qu'il était enregistré le {date_fr(asked.recorded_on)}" if asked.recorded_on
             else f"tel qu'il était enregistré à la position {asked.position} du journal" if asked.position is not None
             else f"tel qu'il est enregistré le {moment_fr(datetime.now().astimezone())}")
    footer = (f"Registre des adhérents au {date_fr(asked.day)} — journal à la position {read['position']}")
    return templates().get_template("ge_register_document.html").render(
        asked=asked, as_of=as_of, footer=footer, siren_fr=siren_fr, **read)


def register_pdf(asked: Asked, read: dict[str, Any]) -> bytes:
    # Imported on first use: WeasyPrint loads Pango, which the API needs for nothing else.
    from weasyprint import HTML

    return HTML(string=register_html(asked, read)).write_pdf()
