"""The OAuth 2.0 client-credentials token call to a Microsoft identity platform authority."""

from __future__ import annotations

import os

from connectors.errors import SourceRequestError
from connectors.http import json_document
from connectors.saas_http import SaasHttpSource

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def authority_url() -> str:
    """`ENTRA_AUTHORITY_URL`, or the public cloud's authority."""
    return (os.environ.get("ENTRA_AUTHORITY_URL") or DEFAULT_AUTHORITY).rstrip("/")


def client_credentials_token(
    http: SaasHttpSource, tenant_id: str, client_id: str, client_secret: str
) -> str:
    """An app-only access token for Microsoft Graph from `<authority>/<tenant>/oauth2/v2.0/token`.

    `http` is a client on the authority (no default auth header); errors name the source and carry
    the AADSTS description, never the secret.
    """
    _, body = http.exchange(
        "POST",
        f"{tenant_id}/oauth2/v2.0/token",
        decode=json_document,
        secret_body=True,  # a cut-short reply can hold part of a fresh token
        form={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": GRAPH_SCOPE,
        },
    )
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token:
        raise SourceRequestError(
            http.name,
            "POST",
            f"{http.base_url}/{tenant_id}/oauth2/v2.0/token",
            200,
            "no access_token",
        )
    return token
