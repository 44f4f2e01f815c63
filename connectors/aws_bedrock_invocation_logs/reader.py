"""Reads Bedrock model invocation logs delivered to S3, without their request and response bodies.

Bedrock writes gzip'd JSON lines (one record per request) to
`<root>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz`, the folder being
the delivery hour. Records stream file by file and line by line; only an allow-list of metadata
fields is kept, so prompt and completion text (`input.inputBodyJson`, `output.outputBodyJson`, and
the S3 paths they spill to) never leave the reader. The inline bodies of records in the window are
classified in memory first (`connectors/sensitive_data.py`): `sensitive_entity_counts` lands the
entity types found and their counts, `{}` when none, and null when the record has no inline body
(text delivery off, or bodies spilled to S3, which the reader does not fetch).
"""

from __future__ import annotations

import gzip
import json
import logging
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import product
from pathlib import Path

from connectors.errors import ConnectorError
from connectors.sensitive_data import ClassifierError, ContentClassifier

log = logging.getLogger("connectors.aws_bedrock_invocation_logs")

TOP_LEVEL = (
    "schemaType",
    "schemaVersion",
    "accountId",
    "region",
    "requestId",
    "operation",
    "modelId",
    "inferenceRegion",
    "errorCode",
)
INPUT_FIELDS = (
    "inputContentType",
    "inputTokenCount",
    "cacheReadInputTokenCount",
    "cacheWriteInputTokenCount",
)
OUTPUT_FIELDS = ("outputContentType", "outputTokenCount")
BODY_FIELDS = ("inputBodyJson", "inputBodyS3Path", "outputBodyJson", "outputBodyS3Path")
COUNTS = (
    "inputTokenCount",
    "cacheReadInputTokenCount",
    "cacheWriteInputTokenCount",
    "outputTokenCount",
)
# Records are delivered in the hour folder after their timestamp at the latest.
DELIVERY_LAG = timedelta(hours=2)


class InvocationLogError(ConnectorError):
    """An invocation log file is unreadable or a line is not a log record; the message names the file."""


def parse_timestamp(value: str) -> datetime:
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def flatten(raw: dict, classifier: ContentClassifier | None = None) -> dict:
    """The record's metadata fields, flat; bodies and anything not listed are left out. With a
    classifier, `sensitive_entity_counts` says what the inline bodies held (else null)."""
    record = {name: raw.get(name) for name in TOP_LEVEL}
    record["timestamp"] = parse_timestamp(raw["timestamp"])
    record["identity_arn"] = (raw.get("identity") or {}).get("arn")
    metadata = raw.get("requestMetadata")
    record["requestMetadata"] = json.dumps(metadata, sort_keys=True) if metadata else None
    inputs, outputs = raw.get("input") or {}, raw.get("output") or {}
    record.update({name: inputs.get(name) for name in INPUT_FIELDS})
    record.update({name: outputs.get(name) for name in OUTPUT_FIELDS})
    # whether the log carried request or response bodies (text delivery is on), never the bodies
    record["contentLogged"] = any(
        key in part for part, key in product((inputs, outputs), BODY_FIELDS)
    )
    for name in COUNTS:
        if record[name] is not None:
            record[name] = int(record[name])
    record["sensitive_entity_counts"] = (
        classifier.counts_json(inputs.get("inputBodyJson"), outputs.get("outputBodyJson"))
        if classifier is not None
        else None
    )
    return record


class InvocationLogReader:
    """Streams invocation log records under a root directory (an S3 prefix synced to disk)."""

    def __init__(self, root: Path, source_id: str = "aws_bedrock_invocation_logs") -> None:
        self.root = Path(root)
        self.source_id = source_id

    def files(self, start_at: datetime, end_at: datetime) -> list[Path]:
        """Files whose delivery hour can hold records timestamped in [start_at, end_at)."""
        if not self.root.is_dir():
            raise InvocationLogError(f"{self.source_id}: log directory {self.root} does not exist")
        first = start_at.astimezone(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
        last = end_at.astimezone(UTC).replace(tzinfo=None) + DELIVERY_LAG
        found = []
        for region_dir in sorted(self.root.glob("AWSLogs/*/BedrockModelInvocationLogs/*")):
            hour = first
            while hour < last:
                folder = region_dir / hour.strftime("%Y/%m/%d/%H")
                if folder.is_dir():
                    found += sorted(folder.glob("*.json.gz"))
                hour += timedelta(hours=1)
        return found

    def records(self, start_at: datetime, end_at: datetime) -> Iterator[dict]:
        """Records timestamped in [start_at, end_at) (UTC), bodies dropped."""
        lower = start_at.astimezone(UTC).replace(tzinfo=None)
        upper = end_at.astimezone(UTC).replace(tzinfo=None)
        files = self.files(start_at, end_at)
        kept, classifier = 0, ContentClassifier()
        for path in files:
            for record in self._file_records(path, (lower, upper), classifier):
                if lower <= record["timestamp"] < upper:
                    kept += 1
                    yield record
        log.info(
            "%s: %d record(s) from %d file(s)%s",
            self.source_id,
            kept,
            len(files),
            classifier.summary(),
        )

    def _file_records(
        self, path: Path, window: tuple[datetime, datetime], classifier: ContentClassifier
    ) -> Iterator[dict]:
        """The file's records; the bodies of those in the window are classified."""
        line = 0
        try:
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                for text in handle:
                    line += 1
                    if not text.strip():
                        continue
                    raw = json.loads(text)
                    if not isinstance(raw, dict) or "timestamp" not in raw:
                        raise ValueError("not a ModelInvocationLog record (no timestamp)")
                    inside = window[0] <= parse_timestamp(raw["timestamp"]) < window[1]
                    yield flatten(raw, classifier if inside else None)
        except ClassifierError as error:
            raise InvocationLogError(f"{self.source_id}: {path}: line {line}: {error}") from None
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, ValueError, TypeError) as error:
            where = f"line {line}: " if line else ""
            raise InvocationLogError(
                f"{self.source_id}: {path}: {where}malformed invocation log ({type(error).__name__}: "
                f"{_without_text(error)})"
            ) from None


def _without_text(error: Exception) -> str:
    """The error's message, cut short: JSON errors can quote a line that holds prompt text."""
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at column {error.colno}"
    return str(error)[:120]


def day_of(record: dict) -> date:
    return record["timestamp"].date()
