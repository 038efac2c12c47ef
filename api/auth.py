"""Bearer tokens: who is asking. What each role may do is application/permissions.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domain.access import AccessToken
from application.tokens import TokenKeys, find_token, token_keys

# Declared as a dependency so that the OpenAPI document names the scheme and every
# operation that needs a token (Swagger UI's "Authorize" then sends it); the missing-token
# answer stays ours, a problem document that says how to get one.
bearer = HTTPBearer(
    scheme_name="bearer", auto_error=False,
    description="A token from `encommun token create` (`encommun demo` prints one per role): "
                "paste it without the word Bearer.")


def authenticate(request: Request,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> AccessToken:
    token = credentials.credentials.strip() if credentials is not None else ""
    if not token:
        raise HTTPException(401, "send 'Authorization: Bearer <token>' (encommun token create)",
                            headers={"WWW-Authenticate": "Bearer"})
    services = request.app.state.services
    found = find_token(services.ledger, token, keys_of(request))
    if found is None:
        raise HTTPException(401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return found


def keys_of(request: Request) -> TokenKeys:
    """The token keys, read once per app: from the settings, else the key file (until that
    file exists, no token authenticates, and it is looked for again)."""
    keys = getattr(request.app.state, "token_keys", None)
    if keys is None:
        keys = token_keys(request.app.state.services.settings)
        if keys.accepted:
            request.app.state.token_keys = keys
    return keys
