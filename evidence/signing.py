"""HMAC-SHA256 signatures for ledger anchors and pack manifests, keyed by AIUW_EVIDENCE_SIGNING_KEY.

The key is read from the environment when needed and never written, logged or put in an error.
Plain Python, so an auditor holding the key can check a pack anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

KEY_ENV = "AIUW_EVIDENCE_SIGNING_KEY"
ALGORITHM = "HMAC-SHA256"


def signing_key() -> bytes | None:
    value = os.environ.get(KEY_ENV)
    return value.encode() if value else None


def canonical_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def sign(payload: dict[str, Any], key: bytes) -> str:
    return hmac.new(key, canonical_json(payload), hashlib.sha256).hexdigest()


def signature_matches(payload: dict[str, Any], signature: str, key: bytes) -> bool:
    return hmac.compare_digest(sign(payload, key), str(signature))
