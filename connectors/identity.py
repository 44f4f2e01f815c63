"""Helpers the identity connectors share: following a paging link without leaving the source."""

from __future__ import annotations

from connectors.errors import ConnectorError


def relative_to_base(link: str, base_url: str, source_id: str) -> str:
    """The part of an absolute paging link below the configured base URL.

    Paging links are followed only on the configured host, so the credential is never sent anywhere
    else; a link elsewhere is an error naming the source.
    """
    base = base_url.rstrip("/")
    if not link.startswith(base + "/") and not link.startswith(base + "?"):
        raise ConnectorError(
            f"{source_id}: the paging link points outside the configured base URL {base}; "
            "refusing to follow it with the source's credentials"
        )
    return link[len(base) :]
