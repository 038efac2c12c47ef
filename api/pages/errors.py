"""Errors on the pages: a French page with the right status, never a JSON problem; no
session: a redirect to the sign-in page, coming back afterwards."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.pages.render import page
from api.pages.session import PageError, SignInRequired, sign_in_url

PAGE_TAG = "pages"

STATUS_FR = {
    400: "Demande incorrecte",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Opération impossible",
    409: "Opération refusée",
    422: "Saisie refusée",
    503: "Service momentanément indisponible",
}


def is_page(request: Request) -> bool:
    """Whether the request was routed to a page (its errors are then pages too)."""
    route = request.scope.get("route")
    return route is not None and PAGE_TAG in (getattr(route, "tags", None) or ())


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page(request, "error.html", status=status, title=STATUS_FR.get(status, "Erreur"), message=message)


def register(app: FastAPI) -> None:
    @app.exception_handler(PageError)
    async def page_error(request: Request, error: PageError) -> HTMLResponse:
        return error_page(request, error.status, error.message)

    @app.exception_handler(SignInRequired)
    async def sign_in_required(_: Request, error: SignInRequired) -> RedirectResponse:
        return RedirectResponse(sign_in_url(error.path), status_code=303)
