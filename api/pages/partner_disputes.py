"""Contesting a line of one's statement ("Contester cette ligne": a form, then OpenDispute
through the ledger, which checks who may and that the line exists), and "Mes
contestations": each dispute with its status, the coordination's answer and the credit it
granted. After the form, the list is read once it includes the dispute (read-your-writes)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.french import euros, month_fr
from api.pages import event_words
from api.pages.messages import french
from api.pages.partner import Apres, PartnerQuery, Scope, scope_of
from api.pages.render import page, redirect
from api.pages.session import FormDep, PartnerDep, PersonDep
from api.pages.statement_view import LineView, statement_view
from api.reads import known_partner_name, reading, resource_names
from application.people import SignedIn
from domain.disputes import DisputeId, OpenDispute
from domain.errors import DomainError
from domain.ids import Slug
from domain.periods import Month
from projections import read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

STATUS_FR = {"open": "ouverte", "accepted": "acceptée", "rejected": "rejetée"}
KINDS = ("share", "tariff", "adjustment")


def _form(request: Request, who: SignedIn, month: str, resource_id: str, part: int | None, kind: str | None, *,
          status: int = 200, error: str | None = None, field: str | None = None, sent: dict | None = None):
    """The form for one line of the partner's statement: a charge line (its key and figures
    shown), or with kind 'adjustment' an adjustment line; a 404 page if there is none."""
    with reading(request.app.state.services) as read:
        view = statement_view(read, who.partner_id, month)
    line: LineView | None = None
    adjustment = None
    if kind == "adjustment":
        adjustment = next((a for a in view.adjustments if a.resource_id == resource_id and a.part == part), None)
    else:
        pool = next((p for g in view.groups for p in g.pools if p.resource_id == resource_id), None)
        line = next((v for v in (pool.lines if pool else []) if v.line.part == part), None)
    found = line.line if line is not None else adjustment
    if found is None:
        return page(request, "error.html", status=404, title="Ligne introuvable",
                    message=f"Votre relevé de {month_fr(month)} n'a pas cette ligne.")
    return page(request, "partner_dispute_form.html", status=status, title=f"Contester une ligne — {found.resource_name}",
                scope=Scope(who.partner_id, own=True), month=month, resource_id=resource_id,
                resource_name=found.resource_name, target={"kind": found.line_kind, "part": part}, line=line,
                adjustment=adjustment, error=error, field=field, sent=sent or {})


@router.get("/releves/{month}/lignes/{resource_id}/contester", response_class=HTMLResponse)
def dispute_form(request: Request, who: PartnerDep, month: Annotated[Month, Path()],
                 resource_id: Annotated[Slug, Path()], partie: Annotated[int | None, Query(ge=0, le=99)] = None,
                 type: Annotated[str | None, Query(pattern="^(share|tariff|adjustment)$")] = None,
                 partenaire: PartnerQuery = None) -> HTMLResponse:
    scope_of(who, partenaire)
    return _form(request, who, month, resource_id, partie, type)


@router.post("/releves/{month}/lignes/{resource_id}/contester", response_class=HTMLResponse)
def open_dispute(request: Request, who: PartnerDep, form: FormDep, month: Annotated[Month, Path()],
                 resource_id: Annotated[Slug, Path()], partenaire: PartnerQuery = None) -> HTMLResponse:
    scope = scope_of(who, partenaire)
    sent = {name: str(form.get(name, "")).strip() for name in ("reason", "attachment_ref", "line_kind", "part")}
    kind = sent["line_kind"] if sent["line_kind"] in KINDS else "share"
    part = int(sent["part"]) if sent["part"].isdigit() else None
    services = request.app.state.services
    try:
        command = OpenDispute(partner_id=scope.partner_id, month=month, resource_id=resource_id, line_kind=kind,
                              part=part, reason=sent["reason"], attachment_ref=sent["attachment_ref"] or None)
        outcome = services.ledger.execute(command, actor=who)
    except (DomainError, ValidationError) as refused:
        field, message = french(refused)
        return _form(request, who, month, resource_id, part, kind, status=422 if isinstance(refused, ValidationError)
                     else 409, error=message, field=field or "reason", sent=sent)
    services.follower.nudge()
    dispute_id = next(e.dispute_id for e in outcome.events if e.dispute_id)
    return redirect(request, f"/contestations?apres={outcome.position}#contestation-{dispute_id}",
                    message=f"Votre contestation d'une ligne du relevé de {month_fr(month)} est enregistrée. "
                            f"La coordination y répondra ; sa réponse s'affichera ici.")


def _disputes(read, partner_id: str) -> list[dict]:
    rows = read_model.partner_dispute_list(read.conn, partner_id)
    names = resource_names(read, {row["resource_id"] for row in rows})
    credits: dict[str, list[tuple[int, str]]] = {}
    if rows:
        for dispute_id, amount, credited_month in read_model.dispute_credits(
                read.conn, [r["dispute_id"] for r in rows], read.position):
            credits.setdefault(dispute_id, []).append((amount, credited_month))
    return [row | {"resource_name": names.get(row["resource_id"], row["resource_id"]),
                   "status_fr": STATUS_FR.get(row["status"], row["status"]),
                   "credits": credits.get(row["dispute_id"], [])}
            for row in rows]


@router.get("/contestations", response_class=HTMLResponse)
def disputes(request: Request, who: PersonDep, partenaire: PartnerQuery = None, apres: Apres = None) -> HTMLResponse:
    scope = scope_of(who, partenaire)
    with reading(request.app.state.services, after=apres) as read:
        name = known_partner_name(read, scope.partner_id)
        rows = _disputes(read, scope.partner_id)
    return page(request, "partner_disputes.html", title="Mes contestations" if scope.own else f"Contestations — {name}",
                scope=scope, partner_name=name, disputes=rows)


@router.get("/contestations/{dispute_id}", response_class=HTMLResponse)
def dispute(request: Request, who: PersonDep, dispute_id: Annotated[DisputeId, Path()]) -> HTMLResponse:
    scope = scope_of(who, dispute_id.split(":", 1)[0])
    with reading(request.app.state.services) as read:
        known_partner_name(read, scope.partner_id)
        found = next((d for d in _disputes(read, scope.partner_id) if d["dispute_id"] == dispute_id), None)
        timeline = read_model.dispute_timeline(read.conn, dispute_id) if found else []
        partners = read_model.partner_names(read.conn)
    if found is None:
        return page(request, "error.html", status=404, title="Contestation introuvable",
                    message="Cette contestation n'existe pas.")
    names = event_words.Names(partners, {found["resource_id"]: found["resource_name"]}, {})
    events = [event_words.view(position, recorded_at, event_type, actor, payload, names, dispute_shown=dispute_id)
              for position, event_type, actor, recorded_at, payload in timeline]
    return page(request, "partner_dispute.html", title=f"Contestation {dispute_id}", scope=scope, d=found,
                events=events, euros=euros)
