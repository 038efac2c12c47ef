"""The auditor's anchor and verification (/controle/ancre): the head of the hash chain to
note outside the store (the same read as `GET /audit/anchor`), and "Vérifier maintenant",
which runs the verification of `encommun verify` in a child process
(application/verification.py) and shows its last result."""

from __future__ import annotations

import threading
from decimal import Decimal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.french import decimal_fr, integer_fr, month_fr, moment_fr
from api.pages.event_words import EVENT_TYPES_FR, Names, actor_fr
from api.pages.render import page, redirect
from api.pages.session import AuditorDep, FormDep
from api.reads import reading
from application.permissions import AUDITORS, require_role
from application.verification import VerificationReport, Verifications
from projections import read_model
from projections.verify import Anchor, anchor_at

router = APIRouter(tags=["pages"], include_in_schema=False)
_CREATING = threading.Lock()


def verifications(request: Request) -> Verifications:
    """The app's verifications, made on first use."""
    state = request.app.state
    with _CREATING:
        if getattr(state, "verifications", None) is None:
            state.verifications = Verifications(state.services.settings.eventsourcing_env())
    return state.verifications


def report_fr(report: VerificationReport | None, names: Names) -> dict | None:
    """The report in French: a verdict, sentences, and the engine's own words if it failed."""
    if report is None:
        return None
    who = actor_fr(report.requested_by, names)
    started = moment_fr(report.started_at)
    took = f" en {decimal_fr(Decimal(str(round(report.seconds, 1))))} s" if report.seconds is not None else ""
    anchors = (f" et l'ancre donnée ({report.anchors[0].split(':')[0]})" if len(report.anchors) == 1 else "")
    found: dict = {"status": report.status, "lines": [], "detail": None,
                   "heading": f"Vérification lancée le {started} par {who}{took}"}
    if report.status == "running":
        found["verdict"] = "Vérification en cours. Rechargez cette page dans un instant pour voir son résultat."
    elif report.status == "ok":
        found["verdict"] = "Aucune réécriture détectée."
        found["lines"].append(
            f"{integer_fr(report.events)} événements relus du journal : chaque ligne concorde avec elle-même, la "
            f"chaîne d'empreintes concorde avec les sceaux des {report.closed_months} mois clos{anchors}, et les "
            f"relevés de chaque mois clos redonnent l'empreinte scellée.")
        if report.proved_position is not None:
            source = (f"sceau de {month_fr(report.proved_month)}" if report.proved_month
                      else "l'ancre donnée")
            found["lines"].append(f"Prouvé : les positions 1 à {report.proved_position} ({source}).")
            if report.unproved_events:
                found["lines"].append(
                    f"Non prouvé : les {integer_fr(report.unproved_events)} événements après la position "
                    f"{report.proved_position}, jusqu'à la position {report.last_position}. Une modification, un "
                    "ajout ou une suppression en fin de journal ne s'y voit qu'avec une ancre notée après eux : "
                    "notez l'ancre ci-dessus.")
            if report.anchored_upto < report.proved_position:
                found["lines"].append(
                    f"Les positions {report.anchored_upto + 1} à {report.proved_position} ne sont couvertes que par "
                    "les sceaux des mois clos, conservés dans le journal même : seule une ancre gardée hors de la "
                    "base prouve qu'ils n'ont pas été réécrits avec eux.")
        else:
            found["lines"].append("Non prouvé : aucun mois clos ni aucune ancre ne sert de point de contrôle.")
    elif report.status == "failed":
        where = ""
        if report.mismatch_position is not None:
            kind = EVENT_TYPES_FR.get(report.mismatch_event or "", report.mismatch_event)
            month = f", {month_fr(report.mismatch_month)}" if report.mismatch_month else ""
            where = f" à la position {report.mismatch_position} ({kind}{month})"
        found["verdict"] = f"Réécriture détectée{where}."
        found["lines"].append("Le journal ne correspond plus à ce qui avait été scellé ou ancré. Le détail, tel que "
                              "le donne la vérification :")
        found["detail"] = report.mismatch_problem
    elif report.status == "timeout":
        found["verdict"] = "La vérification a été arrêtée : elle durait trop longtemps pour être faite ici."
        found["lines"].append("Lancez « encommun verify » sur le serveur, qui n'a pas de limite de durée.")
        found["detail"] = report.error
    else:
        found["verdict"] = "La vérification n'a pas pu aller au bout."
        found["detail"] = report.error
    return found


def _anchor_page(request: Request, *, status: int = 200, error: str | None = None, sent: str = "") -> HTMLResponse:
    services = request.app.state.services
    with reading(services) as read:
        head = anchor_at(read.conn, read.position)
        at = read_model.events_at(read.conn, [head.position])
        seals = read_model.closed_months(read.conn)
        partners = read_model.partner_names(read.conn)
    names = Names(partners, {}, {})
    return page(request, "audit_anchor.html", status=status, title="Ancre et vérification", head=head,
                anchor=str(head), recorded_at=at[0][1] if at else None,
                seals=[(s["month"], str(Anchor(s["as_of_position"], s["chain_hash"]))) for s in reversed(seals)][:12],
                report=report_fr(verifications(request).last, names),
                deadline_min=round(verifications(request).deadline_s / 60), error=error,
                field="ancre" if error else None, sent=sent)


@router.get("/controle/ancre", response_class=HTMLResponse)
def anchor_page(request: Request, who: AuditorDep) -> HTMLResponse:
    require_role(who, *AUDITORS)
    return _anchor_page(request)


@router.post("/controle/verification", response_class=HTMLResponse)
def verify_now(request: Request, who: AuditorDep, form: FormDep) -> HTMLResponse:
    sent = str(form.get("ancre", "")).strip()
    anchors: tuple[str, ...] = ()
    if sent:
        try:
            anchors = (str(Anchor.parse(sent)),)
        except ValueError:
            return _anchor_page(request, status=422, sent=sent[:200],
                                error="« Ancre notée » : une ancre s'écrit POSITION:EMPREINTE, un numéro, deux-points "
                                      "et 64 caractères hexadécimaux (0-9, a-f), telle que cette page la donne.")
    started = verifications(request).start(who, anchors)
    message = ("Vérification lancée : son résultat s'affiche ci-dessous quand elle est finie." if started
               else "Une vérification est déjà en cours : son résultat s'affiche ci-dessous quand elle est finie.")
    return redirect(request, "/controle/ancre", message=message)
