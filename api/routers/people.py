"""The people who sign in to the pages (coordinators and auditors read the list)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ServicesDep, TokenDep
from application.people import list_people
from application.permissions import AUDITORS, require_role

router = APIRouter(prefix="/people", tags=["people"])


class PersonPublic(BaseModel):
    """What the list shows of a person: never a password hash nor a link's digest."""

    email: str
    name: str
    role: str
    partner_id: str | None
    # The staff resource an employee's person is (role "employee": it submits its own hour sheets).
    employee_id: str | None = None
    status: Literal["invited", "active", "revoked"]
    invited_at: datetime
    invited_by: str
    invitation_expires_at: datetime

    model_config = {"json_schema_extra": {"examples": [{
        "email": "tresorerie@maison-des-associations.example", "name": "Inès Martin", "role": "partner",
        "partner_id": "maison-des-associations", "employee_id": None, "status": "active",
        "invited_at": "2026-04-02T08:30:00Z",
        "invited_by": "coordinator/coordination@haut-val.example", "invitation_expires_at": "2026-04-09T08:30:00Z"}]}}


@router.get("", response_model=list[PersonPublic],
            summary="Everyone ever invited to the pages, in order of first invitation, with their status")
def people(*, services: ServicesDep, token: TokenDep) -> list[PersonPublic]:
    require_role(token, *AUDITORS)
    return [PersonPublic(email=p.email, name=p.name, role=p.role, partner_id=p.partner_id,
                         employee_id=p.employee_id, status=p.status,
                         invited_at=p.invited_at, invited_by=p.invited_by, invitation_expires_at=p.expires_at)
            for p in list_people(services.ledger)]
