"""Reads GenAI spans from OTLP JSON files as the OpenTelemetry Collector file exporter writes them.

Each line of a file is one `ExportTraceServiceRequest` (`{"resourceSpans": [...]}`); a file holding
one pretty-printed request is read too. Files stream line by line (`.json`, `.jsonl`, optionally
`.gz`). Attribute values are OTLP `AnyValue`s: `intValue` is a string in OTLP JSON, arrays and maps
become JSON text. Only spans with `gen_ai.*` attributes are kept; content attributes are dropped.
Content, on the span or on its events (`gen_ai.content.prompt` with `gen_ai.prompt`, or
`gen_ai.client.inference.operation.details` with `gen_ai.input.messages`), is classified in memory
first (`connectors/sensitive_data.py`): `sensitive_entity_counts` lands the entity types found and
their counts, `{}` when none, null when the span carried no content.
A file that cannot be read raises `ExportFileError` naming the file (and line).
"""

from __future__ import annotations

import gzip
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from connectors.errors import ConnectorError
from connectors.export_files import FileIndex, RowTimes, records_of_files
from connectors.otlp_genai.schemas import KNOWN_ATTRIBUTES, column, is_content
from connectors.sensitive_data import ClassifierError, ContentClassifier

log = logging.getLogger("connectors.otlp_genai")

SUFFIXES = (".json", ".jsonl", ".json.gz", ".jsonl.gz")
EPOCH = datetime(1970, 1, 1)
SPAN_KINDS = {
    0: "UNSPECIFIED",
    1: "INTERNAL",
    2: "SERVER",
    3: "CLIENT",
    4: "PRODUCER",
    5: "CONSUMER",
}
STATUS_CODES = {0: "UNSET", 1: "OK", 2: "ERROR"}


class ExportFileError(ConnectorError):
    """An OTLP file is unreadable or not OTLP JSON traces; the message names the file."""


def any_value(value: Any) -> Any:
    """The Python value of an OTLP JSON AnyValue."""
    if not isinstance(value, dict) or not value:
        return None
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return float(value["doubleValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        return [any_value(v) for v in (value["arrayValue"] or {}).get("values") or []]
    if "kvlistValue" in value:
        return attributes((value["kvlistValue"] or {}).get("values") or [])
    if "bytesValue" in value:
        return value["bytesValue"]
    return None


def attributes(items: list) -> dict[str, Any]:
    return {item["key"]: any_value(item.get("value")) for item in items or []}


def _enum(value: Any, names: dict[int, str], prefix: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return names.get(value, str(value))
    return str(value).removeprefix(prefix)


def _nanos(value: Any) -> int | None:
    return None if value in (None, "", 0, "0") else int(value)


def _time(nanos: int | None) -> datetime | None:
    return None if nanos is None else EPOCH + timedelta(microseconds=nanos // 1000)


def _landable(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, list | dict) else value


def _typed(name: str, value: Any) -> Any:
    """A known attribute in its landing type (some SDKs send token counts as strings)."""
    if value is None:
        return None
    if pa.types.is_integer(KNOWN_ATTRIBUTES[name]):
        if isinstance(value, bool) or isinstance(value, list | dict):
            raise ValueError(f"{name} is not an integer: {value!r}")
        return int(value)
    return _landable(value) if isinstance(value, list | dict) else str(value)


def content_values(attrs: dict[str, Any], span: dict) -> list[Any]:
    """The span's content: its content attributes and those of its events, in order."""
    values = [value for name, value in attrs.items() if is_content(name)]
    for event in span.get("events") or []:
        event_attrs = attributes((event or {}).get("attributes") or [])
        values += [value for name, value in event_attrs.items() if is_content(name)]
    return values


def span_record(
    span: dict,
    resource: dict[str, Any],
    scope: dict,
    classifier: ContentClassifier | None = None,
) -> dict | None:
    """One GenAI span as a flat record, or None for a span without gen_ai attributes. With a
    classifier, `sensitive_entity_counts` says what its content held (null: no content)."""
    attrs = attributes(span.get("attributes") or [])
    if not any(key.startswith("gen_ai.") for key in attrs):
        return None
    content = content_values(attrs, span)
    start, end = _nanos(span.get("startTimeUnixNano")), _nanos(span.get("endTimeUnixNano"))
    status = span.get("status") or {}
    record: dict[str, Any] = {
        "trace_id": span.get("traceId"),
        "span_id": span.get("spanId"),
        "parent_span_id": span.get("parentSpanId") or None,
        "span_name": span.get("name"),
        "span_kind": _enum(span.get("kind"), SPAN_KINDS, "SPAN_KIND_"),
        "start_time": _time(start),
        "end_time": _time(end),
        "duration_ms": (end - start) / 1e6 if start is not None and end is not None else None,
        "status_code": _enum(status.get("code"), STATUS_CODES, "STATUS_CODE_") or "UNSET",
        "status_message": status.get("message") or None,
        "service_name": resource.get("service.name"),
        "scope_name": scope.get("name"),
        "scope_version": scope.get("version"),
        # the fact that content was captured (prompt logging is on), never the content itself
        "records_prompts": bool(content),
        "sensitive_entity_counts": (
            classifier.counts_json(*content) if classifier is not None and content else None
        ),
    }
    for name in KNOWN_ATTRIBUTES:
        record[column(name)] = None
    for name, value in attrs.items():
        if is_content(name):
            continue
        if name in KNOWN_ATTRIBUTES:
            record[column(name)] = _typed(name, value)
        else:
            record[name] = _landable(value)
    for name, value in resource.items():
        if name != "service.name" and not is_content(name):
            record[f"resource.{name}"] = _landable(value)
    if not record["span_id"] or record["start_time"] is None:
        raise ValueError("spanId and startTimeUnixNano are required")
    return record


def _open(path: Path) -> IO[str]:
    raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8")


class OtlpGenAiReader:
    """Streams GenAI span records from a directory of OTLP JSON trace files."""

    def __init__(
        self, root: Path, source_id: str = "otlp_genai", index_path: Path | None = None
    ) -> None:
        self.root = Path(root)
        self.source_id = source_id
        self.index_path = index_path

    def files(self) -> list[Path]:
        if not self.root.is_dir():
            raise ExportFileError(f"{self.source_id}: directory {self.root} does not exist")
        return sorted(
            p for p in self.root.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES)
        )

    def spans(self, start: datetime, end: datetime) -> Iterator[dict]:
        """GenAI spans that started in [start, end)."""
        start_naive = start.astimezone(UTC).replace(tzinfo=None)
        end_naive = end.astimezone(UTC).replace(tzinfo=None)
        classifier = ContentClassifier()
        yield from records_of_files(
            self.files(),
            lambda path, times: self._spans(path, start_naive, end_naive, times, classifier),
            log,
            f"{self.source_id}: GenAI span(s) in the window",
            (start_naive, end_naive),
            FileIndex(self.index_path),
            detail=classifier.summary,
        )

    def _spans(
        self,
        path: Path,
        start: datetime,
        end: datetime,
        times: RowTimes,
        classifier: ContentClassifier,
    ) -> Iterator[dict]:
        """The file's GenAI spans that started in [start, end). Only those are flattened: the
        files hold the whole history and a daily run keeps a few days of it."""
        for line, request in self._requests(path):
            try:
                for resource_spans in request.get("resourceSpans") or []:
                    resource = attributes((resource_spans.get("resource") or {}).get("attributes"))
                    for scope_spans in resource_spans.get("scopeSpans") or []:
                        scope = scope_spans.get("scope") or {}
                        for span in scope_spans.get("spans") or []:
                            started = _time(_nanos(span.get("startTimeUnixNano")))
                            times.see(started)
                            if started is not None and not start <= started < end:
                                continue
                            record = span_record(span, resource, scope, classifier)
                            if record is not None:
                                yield record
            except ClassifierError as error:
                raise ExportFileError(f"{self.source_id}: {path}: line {line}: {error}") from None
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                raise ExportFileError(
                    f"{self.source_id}: {path}: line {line}: not OTLP JSON traces ({error!r})"
                ) from error

    def _requests(self, path: Path) -> Iterator[tuple[int, dict]]:
        try:
            with _open(path) as text:
                first = True
                for line, content in enumerate(text, start=1):
                    if not content.strip():
                        continue
                    try:
                        request = json.loads(content)
                    except ValueError as error:
                        request = None if not first else self._whole_document(path)
                        if request is None:
                            raise ExportFileError(
                                f"{self.source_id}: {path}: line {line}: not valid JSON ({error})"
                            ) from error
                        yield 1, request
                        return
                    first = False
                    if not isinstance(request, dict):
                        raise ValueError(f"expected a JSON object, got {type(request).__name__}")
                    yield line, request
        except ExportFileError:
            raise
        except (OSError, EOFError, UnicodeDecodeError, ValueError) as error:
            raise ExportFileError(
                f"{self.source_id}: {path}: unreadable OTLP JSON file ({error})"
            ) from error

    def _whole_document(self, path: Path) -> dict | None:
        """A file holding one pretty-printed request rather than one request per line."""
        try:
            with _open(path) as text:
                document = json.load(text)
        except ValueError:
            return None
        return document if isinstance(document, dict) else None
