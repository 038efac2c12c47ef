"""Routes of the statement documents (api/documents.py builds and renders them)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from application.permissions import require_partner_scope
from api.deps import ServicesDep, TokenDep
from api.documents import CsvResponse, StatementDocument, render_csv, render_html, statement_document
from api.reads import After, reading
from application.permissions import require_reader
from api.routers.statements import MonthPath, PartnerId

router = APIRouter(tags=["statements"])


# Routes ------------------------------------------------------------------------------------

_HTML_EXAMPLE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Relevé n° 3 — Maison des associations — mars 2026</title>…</head>
<body>
  <h1>Relevé de charges mutualisées</h1>
  <p>Relevé n° 3 · Période : mars 2026 · Maison des associations</p>
  <table>… Salle Vercors · au prorata de l'usage · 1 · 42 / 96,5 · 43,52 % · 211,09 € …</table>
  <p>Total : 1 445,65 €</p>
  <p class="seal">Mois clos — empreinte des relevés (SHA-256) : 87f4ec15…e158f — chaîne à la position 4810 : 516ef586…a010b</p>
</body>
</html>"""

_CSV_EXAMPLE = (
    "type;mois;partenaire;ressource;libellé;version de clé;base;base totale;ratio;montant (centimes);montant;"
    "mois d'origine;contestation;statut de la contestation\r\n"
    "charge;2026-03;maison-des-associations;Salle Vercors;au prorata de l'usage;1;42;96,5;0,4352331606;"
    "21109;211,09 €;;;\r\n"
    "régularisation;2026-03;maison-des-associations;Loyer;Régularisation de février 2026;;;;;-1305;-13,05 €;"
    "2026-02;;\r\n"
    "total;2026-03;maison-des-associations;;;;;;;19804;198,04 €;;;\r\n"
    "relevé n°;3\r\n"
    "empreinte des relevés (SHA-256);87f4ec156041e12465687c48565208cb1df8b02f403deb270374743add7e158f\r\n"
    "chaîne à la position 4810;516ef586e6ca34e92af0c59f5e38fd54177f55d10d85162a131c512c1e3a010b\r\n"
)

def _problem(status: int, rule: str, title: str, detail: str, field: str | None = None) -> dict[str, Any]:
    example = {"type": f"https://encommun.fr/problems/{rule}", "title": title, "status": status, "detail": detail}
    return {"application/problem+json": {"example": example | ({"field": field} if field else {})}}


_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not the coordinator, an auditor or the partner itself",
          "content": _problem(403, "http", "HTTPError", "a token of partner 'club-b' cannot read the statement "
                                                        "for partner 'creche-a'")},
    404: {"description": "No such partner",
          "content": _problem(404, "not-found", "NotFound", "no partner 'nobody'", "partner_id")},
    422: {"description": "The month is not a month of the calendar",
          "content": _problem(422, "invalid-request", "InvalidRequest",
                              "month: 2026-13 is not a month (months run from 01 to 12)", "month")},
}


def _read_document(services: ServicesDep, token: TokenDep, partner_id: str, month: str,
                   after: int | None) -> StatementDocument:
    require_reader(token)
    require_partner_scope(token, partner_id, "read the statement")
    with reading(services, after=after) as read:
        return statement_document(read, partner_id, month)


@router.get(
    "/partners/{partner_id}/statements/{month}/document", response_class=HTMLResponse,
    summary="A partner's statement for a month as a printable document (HTML, in French)",
    description="The statement to print or save as PDF: its number, every line with its method, key "
                "version, basis and ratio, the adjustments with the month they come from, credits and "
                "disputes, the total, and for a closed month the seal (digest of the month's statements "
                "and chain hash at its close) that anchors the log on paper. An open month is marked "
                "provisional. A closed month is shown as issued: its document never changes.",
    responses={200: {"content": {"text/html": {"example": _HTML_EXAMPLE}}}, **_ERRORS},
)
def statement_document_html(*, services: ServicesDep, token: TokenDep, partner_id: PartnerId,
                            month: MonthPath, after: After = None) -> HTMLResponse:
    document = _read_document(services, token, partner_id, month, after)
    return HTMLResponse(render_html(document), headers={
        "Content-Disposition": f'inline; filename="{document.filename}.html"'})


@router.get(
    "/partners/{partner_id}/statements/{month}/document.csv", response_class=CsvResponse,
    summary="A partner's statement for a month as CSV (`;`, French header, amounts in cents and in euros)",
    description="One row per line, then the total, then — for a closed month — the statement number, the "
                "digest of the month's statements and the chain hash at its close. UTF-8 with a byte "
                "order mark, so that spreadsheets read the accents.",
    responses={200: {"content": {"text/csv": {"example": _CSV_EXAMPLE}}}, **_ERRORS},
)
def statement_document_csv(*, services: ServicesDep, token: TokenDep, partner_id: PartnerId,
                           month: MonthPath, after: After = None) -> CsvResponse:
    document = _read_document(services, token, partner_id, month, after)
    return CsvResponse(render_csv(document), headers={
        "Content-Disposition": f'attachment; filename="{document.filename}.csv"'})
