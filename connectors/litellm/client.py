"""Client for the LiteLLM proxy's spend logs API (`GET /spend/logs/v2`, master or admin key).

Every page of the window is read, `page` 1 to `total_pages`, oldest first. Records are flat dicts
with the `LiteLLM_SpendLogs` field names (see `schemas.py`); `to_record` is shared with the export
reader so both land the same shape. A proxy that stores prompts (`store_prompts_in_spend_logs`)
fills `messages` and `response`: they are classified in memory (`connectors/sensitive_data.py`) and
only `sensitive_entity_counts` lands, never the text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.http import HttpSource
from connectors.litellm.schemas import (
    CONTENT_FIELDS,
    CONTENT_METADATA_KEYS,
    INT_FIELDS,
    TIMESTAMP_FIELDS,
)
from connectors.sensitive_data import ContentClassifier

log = logging.getLogger("connectors.litellm")

SPEND_LOGS_PATH = "spend/logs/v2"
PAGE_SIZE = 100
_FRACTION = re.compile(r"(\.\d{6})\d+")
_SHORT_OFFSET = re.compile(r"([+-]\d{2})$")


def parse_timestamp(value: Any) -> datetime | None:
    """Naive UTC from ISO-8601 (`Z`, `+00`, space separator, long fractions) or epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float | Decimal):
        moment = datetime.fromtimestamp(float(value), UTC)
    else:
        text = str(value).strip()
        try:
            moment = datetime.fromisoformat(text)  # Python 3.11 reads every form above
        except ValueError:
            text = text.replace(" ", "T", 1).replace("Z", "+00:00")
            moment = datetime.fromisoformat(_SHORT_OFFSET.sub(r"\1:00", _FRACTION.sub(r"\1", text)))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def decimal_text(value: Any) -> str | None:
    """Exact decimal text of a number (JSON numbers arrive as Decimal); floats via their repr."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise InvalidOperation(f"not a finite number: {value!r}")
    return format(number, "f")


def _integer(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if type(value) is int:
        return value
    try:
        return int(value)  # digits as text, as an export has them
    except ValueError:
        return int(Decimal(str(value)))  # "12.0", "1e3"


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        return json.loads(text, parse_float=Decimal)
    return value


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, default=str)


def _clean_metadata(metadata: dict) -> dict:
    """Metadata without keys that can carry prompt or completion text."""
    cleaned = {k: v for k, v in metadata.items() if k not in CONTENT_METADATA_KEYS}
    error = cleaned.get("error_information")
    if isinstance(error, dict):
        cleaned["error_information"] = {
            k: v for k, v in error.items() if k not in ("error_message", "traceback")
        }
    return cleaned


def content_of(raw: dict) -> list[Any]:
    """The row's prompt and completion: `messages` and `response`, or the raw request when LiteLLM
    kept that alone (the raw request repeats the messages, so it is not read beside them)."""
    messages, response = raw.get("messages"), raw.get("response")
    if _has_content(messages):
        return [messages, response]
    return [(_json_or_none(raw.get("proxy_server_request")) or {}).get("messages"), response]


def _has_content(value: Any) -> bool:
    return value not in (None, "", "{}", "[]", {}, [])


def _json_or_none(value: Any) -> Any:
    try:
        parsed = _json_value(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def to_record(raw: dict, classifier: ContentClassifier | None = None) -> dict:
    """One spend-log row (API JSON or export row) as a flat landing record; content dropped. With a
    classifier, `sensitive_entity_counts` says what the content held (null: none stored)."""
    record = {k: v for k, v in raw.items() if k not in CONTENT_FIELDS}
    record["sensitive_entity_counts"] = (
        classifier.counts_json(*content_of(raw)) if classifier is not None else None
    )
    metadata = _json_value(record.get("metadata")) or {}
    if not isinstance(metadata, dict):
        raise ValueError(f"metadata is not a JSON object: {type(metadata).__name__}")
    metadata = _clean_metadata(metadata)
    usage = metadata.get("usage_object") or {}
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    error = metadata.get("error_information") or {}
    tags = _json_value(record.get("request_tags"))
    record.update(
        {
            "spend": decimal_text(record.get("spend")),
            "metadata": _json_text(metadata),
            "request_tags": _json_text(tags),
            "cached_tokens": prompt_details.get("cached_tokens"),
            "cache_read_input_tokens": usage.get("cache_read_input_tokens"),
            "cache_creation_input_tokens": usage.get("cache_creation_input_tokens"),
            "reasoning_tokens": completion_details.get("reasoning_tokens"),
            "attempted_fallbacks": metadata.get("attempted_fallbacks"),
            "user_api_key_alias": metadata.get("user_api_key_alias"),
            "user_api_key_user_email": metadata.get("user_api_key_user_email"),
            "error_class": error.get("error_class"),
            "error_code": None if error.get("error_code") is None else str(error["error_code"]),
        }
    )
    for name in INT_FIELDS:
        record[name] = _integer(record.get(name))
    for name in TIMESTAMP_FIELDS:
        record[name] = parse_timestamp(record.get(name))
    for name in ("cache_hit", "status", "team_id", "end_user", "user", "organization_id"):
        value = record.get(name)
        record[name] = None if value in (None, "") else str(value)
    if not record.get("request_id") or record.get("startTime") is None:
        raise ValueError("request_id and startTime are required")
    return record


def _query_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("window bounds must be timezone-aware UTC datetimes")
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


class LiteLLMClient:
    """Reads request-level spend logs from one LiteLLM proxy.

    Args:
        master_key: the proxy's master key (or an admin virtual key); sent as a bearer token.
        base_url: the proxy root, e.g. ``https://litellm.internal.example.com``.
    """

    def __init__(
        self,
        master_key: str,
        base_url: str,
        *,
        source_id: str = "litellm",
        page_size: int = PAGE_SIZE,
        **http_options: Any,
    ) -> None:
        if not master_key:
            raise ValueError(f"{source_id}: the LiteLLM master key is empty")
        headers = {"Authorization": f"Bearer {master_key}", "Accept": "application/json"}
        self.source_id = source_id
        self.page_size = page_size
        self.http = HttpSource(source_id, base_url, headers, secrets=[master_key], **http_options)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> LiteLLMClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def spend_logs(self, start: datetime, end: datetime) -> Iterator[dict]:
        """Every request whose startTime is in [start, end), each once, oldest first."""
        start_naive = start.astimezone(UTC).replace(tzinfo=None)
        end_naive = end.astimezone(UTC).replace(tzinfo=None)
        base = [
            ("start_date", _query_time(start)),
            ("end_date", _query_time(end)),
            ("page_size", self.page_size),
            ("sort_by", "startTime"),
            ("sort_order", "asc"),
        ]
        seen: set[str] = set()
        classifier = ContentClassifier()
        page, total_pages = 1, 1
        while page <= total_pages:
            body = self.http.get_json(SPEND_LOGS_PATH, [*base, ("page", page)])
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise ValueError(
                    f"{self.source_id}: {SPEND_LOGS_PATH} page {page}: expected an object with "
                    "a data list"
                )
            total_pages = int(body.get("total_pages") or 0)
            for raw in body["data"]:
                # end_date is inclusive on the server; the window is not
                started = parse_timestamp(raw.get("startTime")) if isinstance(raw, dict) else None
                inside = started is not None and start_naive <= started < end_naive
                record = to_record(raw, classifier if inside else None)
                if not start_naive <= record["startTime"] < end_naive:
                    continue
                if record["request_id"] in seen:
                    continue
                seen.add(record["request_id"])
                yield record
            if not body["data"]:
                break
            page += 1
        log.info(
            "%s: %s read %d request(s) in %d page(s)%s",
            self.source_id,
            SPEND_LOGS_PATH,
            len(seen),
            max(page - 1, 1),
            classifier.summary(),
        )
