"""The coordinator's page of people: who may sign in, with which role (a partner's person
names its partner; an employee's, the staff resource that is the employee); invite, revoke."""

from __future__ import annotations

from urllib.parse import urljoin

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.auth import keys_of
from api.pages.messages import french
from api.pages.render import page, redirect
from api.pages.session import CoordinatorDep, FormDep
from api.reads import reading
from application import people
from domain.errors import DomainError
from projections import read_model

router = APIRouter(tags=["pages"], include_in_schema=False)

ROLES_FR = {"partner": "partenaire", "coordinator": "coordination", "auditor": "contrôle (auditeur)",
            "analyst": "analyse", "employee": "salarié"}
STATUS_FR = {"invited": "invitation envoyée", "active": "actif", "revoked": "accès retiré"}


def _people_page(request: Request, *, status: int = 200, error: str | None = None, field: str | None = None,
                 sent: dict | None = None) -> HTMLResponse:
    services = request.app.state.services
    with reading(services) as read:
        partners = read_model.partner_names(read.conn)
        employees = read_model.staff_names(read.conn)
    return page(request, "people.html", status=status, title="Personnes", people=people.list_people(services.ledger),
                partners=partners, employees=employees, roles=ROLES_FR, statuses=STATUS_FR, error=error, field=field,
                sent=sent or {})


@router.get("/coordination/personnes", response_class=HTMLResponse)
def people_page(request: Request, _: CoordinatorDep) -> HTMLResponse:
    return _people_page(request)


@router.post("/coordination/personnes", response_class=HTMLResponse)
def invite(request: Request, who: CoordinatorDep, form: FormDep) -> HTMLResponse:
    sent = {name: str(form.get(name, "")).strip() for name in ("email", "name", "role", "partner_id", "employee_id")}
    # Each role keeps the choice that is its own: the form shows both lists to every role.
    if sent["role"] != "partner":
        sent["partner_id"] = ""
    if sent["role"] != "employee":
        sent["employee_id"] = ""
    try:
        secret = people.invite_person(request.app.state.services.ledger, who, email=sent["email"], name=sent["name"],
                                      role=sent["role"], partner_id=sent["partner_id"] or None,
                                      employee_id=sent["employee_id"] or None, keys=keys_of(request))
    except DomainError as error:
        field, message = french(error)
        return _people_page(request, status=422, error=message, field=field, sent=sent)
    link = urljoin(str(request.base_url), f"/invitation/{secret}")
    return redirect(request, "/coordination/personnes",
                    message=f"Invitation enregistrée pour {sent['name']}. Transmettez-lui ce lien, valable "
                            f"{people.INVITATION_VALID_FOR.days} jours et à usage unique : {link}")


@router.post("/coordination/personnes/retrait", response_class=HTMLResponse)
def revoke(request: Request, who: CoordinatorDep, form: FormDep) -> HTMLResponse:
    email = str(form.get("email", ""))
    try:
        people.revoke_person(request.app.state.services.ledger, who, email)
    except DomainError as error:
        return _people_page(request, status=409, error=french(error)[1])
    return redirect(request, "/coordination/personnes", message=f"L'accès de {email} est retiré.")
