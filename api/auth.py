"""Bearer tokens and what each role may do.

coordinator: everything on the write side; partner: its own usage and its own figures
(other partners only as totals); auditor: reads everything, writes nothing; analyst: the
SQL endpoint and exports.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from domain.access import AccessToken
from event_store.access import TokenKeys, find_token, token_keys

WRITE_ROLES = {"coordinator", "partner"}
READ_ROLES = {"coordinator", "partner", "auditor"}


def authenticate(request: Request) -> AccessToken:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "send 'Authorization: Bearer <token>' (encommun token create)",
                            headers={"WWW-Authenticate": "Bearer"})
    services = request.app.state.services
    found = find_token(services.ledger, token.strip(), _keys(request))
    if found is None:
        raise HTTPException(401, "unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return found


def _keys(request: Request) -> TokenKeys:
    """The token keys, read once per app: from the settings, else the key file (until that
    file exists, no token authenticates, and it is looked for again)."""
    keys = getattr(request.app.state, "token_keys", None)
    if keys is None:
        keys = token_keys(request.app.state.services.settings)
        if keys.accepted:
            request.app.state.token_keys = keys
    return keys


def require_role(token: AccessToken, *roles: str) -> None:
    if token.role not in roles:
        raise HTTPException(403, f"{token.role} tokens cannot do this (needs {' or '.join(roles)})")


def require_partner_scope(token: AccessToken, partner_id: str | None, what: str) -> None:
    """A partner token acts and reads for its own partner only."""
    if token.role == "partner" and partner_id != token.partner_id:
        raise HTTPException(
            403, f"a token of partner '{token.partner_id}' cannot {what} for partner '{partner_id}'"
        )
