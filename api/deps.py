"""Dependencies shared by the routers, as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from api.auth import authenticate
from api.services import Services
from domain.access import AccessToken


def services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services)]
TokenDep = Annotated[AccessToken, Depends(authenticate)]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200,
           description="Retry with the same key: nothing is recorded twice, the first answer comes back."),
]
