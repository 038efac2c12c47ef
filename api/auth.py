"""Bearer tokens: who is asking. What each role may do is application/permissions.py."""

from __future__ import annotations

from fastapi import HTTPException, Request

from domain.access import AccessToken
from application.tokens import TokenKeys, find_token, token_keys


def authenticate(request: Request) -> AccessToken:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "send 'Authorization: Bearer <token>' (encommun token create)",
                            headers={"WWW-Authenticate": "Bearer"})
    services = request.app.state.services
    found = find_token(services.ledger, token.strip(), keys_of(request))
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
