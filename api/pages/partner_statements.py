"""A partner's statement page, its downloads (HTML, CSV, PDF: the statement document of
api/documents.py, through the session rather than a token), and a line's trace page: the
events behind the line in French words, who recorded each and when (Europe/Paris); a tariff's
year settlement line has its own, with the yearly statement of uses it rests on."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.documents import CsvResponse, render_csv, render_html, statement_document
from api.pages import event_words
from api.pages.partner import Apres, PartnerQuery, scope_of
from api.pages.render import page
from api.pages.session import PersonDep
from api.pages.statement_view import settlement_words, statement_view, unit_fr
from api.pdf import render_pdf
from api.reads import known_partner_name, known_resource_name, line_trace_rows, partner_statement_lines, reading
from domain.errors import NotFound
from domain.ids import Slug
from domain.periods import Month
from projections import read_model, settlement_reads

router = APIRouter(tags=["pages"], include_in_schema=False)

MonthPath = Annotated[Month, Path()]
ResourcePath = Annotated[Slug, Path()]
PartQuery = Annotated[int | None, Query(ge=0, le=99)]


@router.get("/releves/{month}", response_class=HTMLResponse)
def statement(request: Request, who: PersonDep, month: MonthPath, partenaire: PartnerQuery = None,
              apres: Apres = None) -> HTMLResponse:
    scope = scope_of(who, partenaire)
    with reading(request.app.state.services, after=apres) as read:
        view = statement_view(read, scope.partner_id, month)
    doc = view.document
    title = f"{doc.title} — {doc.month_label}"
    return page(request, "partner_statement.html", title=title, scope=scope, view=view, doc=doc)


def _document(request: Request, who, month: str, partenaire: str | None, apres: int | None):
    scope = scope_of(who, partenaire)
    with reading(request.app.state.services, after=apres) as read:
        return statement_document(read, scope.partner_id, month)


@router.get("/releves/{month}/releve.html", response_class=HTMLResponse)
def statement_html(request: Request, who: PersonDep, month: MonthPath, partenaire: PartnerQuery = None,
                   apres: Apres = None) -> HTMLResponse:
    document = _document(request, who, month, partenaire, apres)
    return HTMLResponse(render_html(document), headers={
        "Content-Disposition": f'inline; filename="{document.filename}.html"'})


@router.get("/releves/{month}/releve.csv", response_class=CsvResponse)
def statement_csv(request: Request, who: PersonDep, month: MonthPath, partenaire: PartnerQuery = None,
                  apres: Apres = None) -> CsvResponse:
    document = _document(request, who, month, partenaire, apres)
    return CsvResponse(render_csv(document), headers={
        "Content-Disposition": f'attachment; filename="{document.filename}.csv"'})


@router.get("/releves/{month}/releve.pdf")
def statement_pdf(request: Request, who: PersonDep, month: MonthPath, partenaire: PartnerQuery = None,
                  apres: Apres = None) -> Response:
    document = _document(request, who, month, partenaire, apres)
    return Response(render_pdf(document), media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{document.filename}.pdf"'})


@router.get("/releves/{month}/lignes/{resource_id}", response_class=HTMLResponse)
def trace(request: Request, who: PersonDep, month: MonthPath, resource_id: ResourcePath,
          partie: PartQuery = None, partenaire: PartnerQuery = None, apres: Apres = None) -> HTMLResponse:
    scope = scope_of(who, partenaire)
    with reading(request.app.state.services, after=apres) as read:
        known_partner_name(read, scope.partner_id)
        resource_name = known_resource_name(read, resource_id)
        statement = partner_statement_lines(read, scope.partner_id, month)  # read once, for both
        lines, rows = line_trace_rows(read, scope.partner_id, month, resource_id, partie, statement[0])
        view = statement_view(read, scope.partner_id, month, statement)
        partners = read_model.partner_names(read.conn)
        detail = read_model.resource_details(read.conn, [resource_id]).get(resource_id, {})
    pool = next((p for g in view.groups for p in g.pools if p.resource_id == resource_id), None)
    shown = [v for v in (pool.lines if pool else []) if partie is None or v.line.part == partie]
    seal = view.document.issued_at_position if view.document.closed else None
    unit = detail.get("unit", "")
    names = event_words.Names(partners, {resource_id: resource_name}, {}, {resource_id: unit})
    events = [event_words.view(position, recorded_at, event_type, actor, payload, names,
                               after_seal=seal is not None and position > seal)
              for _, _, position, event_type, actor, recorded_at, payload in rows]
    return page(request, "partner_trace.html", title=f"{resource_name} — {view.document.month_label}",
                scope=scope, doc=view.document, pool=pool, lines=shown, events=events, partie=partie,
                resource_id=resource_id, resource_name=resource_name, month=month)


@router.get("/releves/{month}/regularisation-tarif/{resource_id}", response_class=HTMLResponse)
def settlement_trace(request: Request, who: PersonDep, month: MonthPath, resource_id: ResourcePath,
                     partenaire: PartnerQuery = None, apres: Apres = None) -> HTMLResponse:
    """The partner's settlement line of a tariff's year: its figures, the sentence, and the
    events behind it (the resource's costs of the tariff months, the partner's own uses, the
    settlements of the year)."""
    scope = scope_of(who, partenaire)
    with reading(request.app.state.services, after=apres) as read:
        known_partner_name(read, scope.partner_id)
        resource_name = known_resource_name(read, resource_id)
        view = statement_view(read, scope.partner_id, month)
        at = view.document.issued_at_position if view.document.closed else read.position
        row = settlement_reads.partner_settlements(read.conn, scope.partner_id, month, at).get(resource_id)
        if row is None:
            raise NotFound(f"partner '{scope.partner_id}' has no tariff settlement of resource '{resource_id}' "
                           f"in {month}", field="resource_id")
        rows = settlement_reads.settlement_trace(read.conn, scope.partner_id, resource_id, row["year"],
                                                 row["tariff_months"], read.position)
        partners = read_model.partner_names(read.conn)
        unit = read_model.resource_details(read.conn, [resource_id]).get(resource_id, {}).get("unit", "")
    seal = view.document.issued_at_position if view.document.closed else None
    names = event_words.Names(partners, {resource_id: resource_name}, {}, {resource_id: unit})
    events = [event_words.view(position, recorded_at, event_type, actor, payload, names,
                               after_seal=seal is not None and position > seal)
              for _, _, position, event_type, actor, recorded_at, payload in rows]
    line = next(s for s in view.settlements if s.line.resource_id == resource_id)
    return page(request, "partner_settlement_trace.html",
                title=f"{resource_name} — régularisation du tarif {row['year']}", scope=scope, doc=view.document,
                row=row, line=line, events=events, resource_id=resource_id, resource_name=resource_name,
                month=month, plural=unit_fr(unit)[1], explanation=settlement_words(row, resource_name, unit))
