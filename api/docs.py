"""/docs (Swagger UI) and /redoc, served with their assets by the app itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN: offline, or behind a firewall that
blocks it, /docs is a blank page. The assets here come from the installed `fastapi-offline`
package (a snapshot of swagger-ui-dist 5 and redoc 2, which read OpenAPI 3.1), mounted under
/docs/assets; nothing is copied into the repository and nothing is fetched at run time.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs/assets"
# Swagger UI's defaults, plus: no validator badge (it would call validator.swagger.io) and
# requests timed, so that "Try it out" shows how long the server took.
SWAGGER_PARAMETERS = {"validatorUrl": None, "displayRequestDuration": True}


def assets_directory() -> Path:
    """The folder of swagger-ui-bundle.js, swagger-ui.css and redoc.standalone.js."""
    return Path(str(files("fastapi_offline") / "static"))


def add_docs(app: FastAPI) -> None:
    """Mount the assets and add GET /docs and GET /redoc (neither in the OpenAPI document).
    The app must be built with docs_url=None and redoc_url=None."""
    app.mount(ASSETS_URL, StaticFiles(directory=assets_directory()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} — API",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} — API (ReDoc)",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png", with_google_fonts=False,
        )
