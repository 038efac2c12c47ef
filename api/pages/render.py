"""Rendering a page: the layout's context (who, the menu of their role, the CSRF token, the
message left by the last form), and the redirect that follows every accepted form
(POST-redirect-GET), carrying that message."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.pages.session import csrf_token, set_cookies, signed_in
from api.templating import templates

FLASH_COOKIE = "encommun_message"

# The menu of each role: (label, path). The first entry is the role's home.
MENUS: dict[str, tuple[tuple[str, str], ...]] = {
    "partner": (("Mes relevés", "/releves"), ("Mes contestations", "/contestations"),
                ("Mes feuilles d'heures", "/feuilles-heures"), ("Réserver", "/reservations"),
                ("Mes factures", "/factures")),
    "coordinator": (("Tableau de bord", "/coordination"), ("Coûts", "/coordination/couts"),
                    ("Heures", "/coordination/heures"),
                    ("Partenaires et ressources", "/coordination/partenaires"),
                    ("Contestations", "/coordination/contestations"), ("Groupement d'employeurs", "/coordination/ge"),
                    ("Personnes", "/coordination/personnes"),
                    ("Journal", "/controle")),
    "auditor": (("Journal", "/controle"), ("Mois clos", "/controle/mois"),
                ("Ancre et vérification", "/controle/ancre"), ("Registre des adhérents", "/coordination/ge/registre"),
                ("Dettes et solidarité", "/coordination/ge/solidarite")),
    "analyst": (("Requêtes", "/analyse"),),
    "employee": (("Mes feuilles d'heures", "/salarie/feuilles-heures"),),
}


def page(request: Request, template: str, *, status: int = 200, title: str, **context: Any) -> HTMLResponse:
    who = signed_in(request)
    flash = request.cookies.get(FLASH_COOKIE)
    html = templates().get_template(f"pages/{template}").render(
        request=request, title=title, who=who, menu=MENUS.get(who.role, ()) if who else (),
        csrf=csrf_token(request), flash=unquote(flash) if flash else None, path=request.url.path, **context)
    response = HTMLResponse(html, status_code=status)
    if flash:
        response.delete_cookie(FLASH_COOKIE)
    return set_cookies(request, response)


def redirect(request: Request, url: str, *, message: str | None = None) -> RedirectResponse:
    """303 to the page that shows what the form recorded, with a message for the person."""
    response = RedirectResponse(url, status_code=303)
    if message:
        response.set_cookie(FLASH_COOKIE, quote(message), httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", max_age=60)
    return set_cookies(request, response)
