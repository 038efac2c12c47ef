"""/docs (Swagger UI), served with its assets by the app itself.

FastAPI's own page loads Swagger UI from a CDN: offline, or behind a firewall that blocks it,
/docs is a blank page. The assets here come from the installed `fastapi-offline` package (a
snapshot of swagger-ui-dist 5, which reads OpenAPI 3.1), mounted under /docs/assets; nothing
is copied into the repository and nothing is fetched at run time. There is no /redoc: ReDoc 2
still loads its logo from its vendor's CDN, and Swagger UI says the same and lets you try.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs/assets"
# Swagger UI's defaults, plus: no validator badge (it would call validator.swagger.io) and
# requests timed, so that "Try it out" shows how long the server took.
SWAGGER_PARAMETERS = {"validatorUrl": None, "displayRequestDuration": True}


def assets_directory() -> Path:
    """The folder of swagger-ui-bundle.js and swagger-ui.css."""
    return Path(str(files("fastapi_offline") / "static"))


def add_docs(app: FastAPI) -> None:
    """Mount the assets and add GET /docs (not in the OpenAPI document). The app must be
    built with docs_url=None (and redoc_url=None: see above)."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_directory()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} — API",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )
        # Swagger UI speaks English; FastAPI's page says no language at all.
        return HTMLResponse(bytes(page.body).replace(b"<html>", b'<html lang="en">', 1))
