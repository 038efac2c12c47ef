"""The coordinator's answers to disputes: the open ones, each accepted (with a credit on the
partner's next statement, typed in euros) or rejected with a reason; then the answered ones."""

from __future__ import annotations

from collections import defaultdict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import euros, parse_euros
from api.pages.coordination_forms import Refused, after, command, execute, parsed, typed
from api.pages.render import page, redirect
from api.pages.session import CoordinatorDep, FormDep
from api.reads import reading
from domain.disputes import ResolveDispute
from projections import read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

LINE_KINDS_FR = {"share": "quote-part", "tariff": "facturation au tarif", "adjustment": "régularisation",
                 "credit": "avoir"}
OUTCOMES_FR = {"open": "ouverte", "accepted": "acceptée", "rejected": "rejetée"}
FIELDS = ("dispute_id", "outcome", "credit", "reason")


def _disputes_page(request: Request, *, after_position: int | None = None, status: int = 200,
                   error: Refused | None = None, sent: dict[str, str] | None = None) -> HTMLResponse:
    with reading(request.app.state.services, after=after_position) as read:
        disputes = read_model.disputes_to_answer(read.conn)
        comments: dict[str, list[dict]] = defaultdict(list)
        for comment in read_model.open_dispute_comments(read.conn):
            comments[comment["dispute_id"]].append(comment)
    # The dispute whose answer was refused comes first: its refusal is read at the top.
    refused_id = (sent or {}).get("dispute_id")
    open_disputes = sorted((d for d in disputes if d["status"] == "open"), key=lambda d: d["dispute_id"] != refused_id)
    return page(request, "coordination_disputes.html", status=status, title="Contestations",
                open_disputes=open_disputes, comments=comments,
                answered=[d for d in disputes if d["status"] != "open"], kinds=LINE_KINDS_FR, outcomes=OUTCOMES_FR,
                error=error.message if error else None, field=error.field if error else None, sent=sent or {})


@router.get("/coordination/contestations", response_class=HTMLResponse)
def disputes_page(request: Request, _: CoordinatorDep, apres: int | None = None) -> HTMLResponse:
    return _disputes_page(request, after_position=apres)


@router.post("/coordination/contestations", response_class=HTMLResponse)
def resolve(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    sent = typed(form, *FIELDS)
    accepted = sent["outcome"] == "accepted"
    try:
        credit = (parsed("credit_cents", lambda v: parse_euros(v, "Montant de l'avoir"), sent["credit"])
                  if accepted and sent["credit"] else None)
        if not sent["reason"]:
            raise Refused("answer", "« Réponse au partenaire » : ce champ est obligatoire : dites au partenaire "
                                    "pourquoi." if accepted else
                                    "« Motif du rejet » : ce champ est obligatoire : dites au partenaire pourquoi.")
        cmd = command(lambda: ResolveDispute(dispute_id=sent["dispute_id"], outcome=sent["outcome"],
                                             reason=sent["reason"], credit_cents=credit), {"reason": "answer"})
        outcome = execute(request, who, cmd, {"reason": "answer"})
    except Refused as error:
        return _disputes_page(request, status=422, error=error, sent=sent)
    if cmd.outcome == "rejected":
        message = f"Contestation {cmd.dispute_id} rejetée ; le partenaire voit votre motif."
    elif credit:
        message = (f"Contestation {cmd.dispute_id} acceptée : un avoir de {euros(credit)} est porté sur le "
                   f"prochain relevé du partenaire.")
    else:
        message = f"Contestation {cmd.dispute_id} acceptée, sans avoir."
    return redirect(request, after("/coordination/contestations", outcome), message=message)
