"""Reads LiteLLM spend logs exported as files (a dump of the `LiteLLM_SpendLogs` table).

Any tree of `.csv`, `.ndjson`, `.jsonl` files (each optionally `.gz`) under the root is read, file by
file and row by row. CSV is what `COPY "LiteLLM_SpendLogs" TO ... CSV HEADER` writes (JSON columns
as JSON text, Postgres timestamps); NDJSON has one spend-log object per line. Rows become the same
records the API client yields, stored prompts classified and dropped the same way. A file that
cannot be read raises `ExportFileError` naming the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from connectors.errors import ConnectorError
from connectors.export_files import FileIndex, RowTimes, records_of_files
from connectors.litellm.client import parse_timestamp, to_record
from connectors.sensitive_data import ClassifierError, ContentClassifier

log = logging.getLogger("connectors.litellm_export")

CSV_SUFFIXES = (".csv", ".csv.gz")
NDJSON_SUFFIXES = (".ndjson", ".jsonl", ".ndjson.gz", ".jsonl.gz")


class ExportFileError(ConnectorError):
    """An export file is unreadable or is not a spend-log export; the message names the file."""


def _open(path: Path) -> IO[str]:
    raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


class LiteLLMExportReader:
    """Streams spend-log rows from an export directory."""

    def __init__(
        self, root: Path, source_id: str = "litellm_export", index_path: Path | None = None
    ) -> None:
        self.root = Path(root)
        self.source_id = source_id
        self.index_path = index_path

    def files(self) -> list[Path]:
        if not self.root.is_dir():
            raise ExportFileError(f"{self.source_id}: export directory {self.root} does not exist")
        suffixes = CSV_SUFFIXES + NDJSON_SUFFIXES
        return sorted(
            p for p in self.root.rglob("*") if p.is_file() and p.name.lower().endswith(suffixes)
        )

    def spend_logs(self, start: datetime, end: datetime) -> Iterator[dict]:
        """Every exported request whose startTime is in [start, end)."""
        start_naive = start.astimezone(UTC).replace(tzinfo=None)
        end_naive = end.astimezone(UTC).replace(tzinfo=None)
        classifier = ContentClassifier()
        yield from records_of_files(
            self.files(),
            lambda path, times: self._records(path, start_naive, end_naive, times, classifier),
            log,
            f"{self.source_id}: request(s) in the window",
            (start_naive, end_naive),
            FileIndex(self.index_path),
            detail=classifier.summary,
        )

    def _records(
        self,
        path: Path,
        start: datetime,
        end: datetime,
        times: RowTimes,
        classifier: ContentClassifier,
    ) -> Iterator[dict]:
        """The file's rows whose startTime is in [start, end) as records. Only those are converted:
        an export holds the whole history and a daily run keeps a few days of it."""
        rows = self._csv_rows(path) if path.name.lower().endswith(CSV_SUFFIXES) else None
        rows = rows if rows is not None else self._ndjson_rows(path)
        line = 0
        try:
            for line, row in rows:
                try:
                    started = parse_timestamp(row.get("startTime"))
                    times.see(started)
                    if started is not None and not start <= started < end:
                        continue
                    record = to_record(row, classifier)
                except ClassifierError as error:
                    raise ExportFileError(
                        f"{self.source_id}: {path}: line {line}: {error}"
                    ) from None
                except (ValueError, TypeError, AttributeError, InvalidOperation) as error:
                    raise ExportFileError(
                        f"{self.source_id}: {path}: line {line}: bad spend-log row ({error})"
                    ) from error
                yield record
        except ExportFileError:
            raise
        except (
            OSError,
            EOFError,
            csv.Error,
            UnicodeDecodeError,
            ValueError,
            TypeError,
            AttributeError,
            InvalidOperation,
        ) as error:
            where = f"after line {line}: " if line else ""
            raise ExportFileError(
                f"{self.source_id}: {path}: {where}malformed spend-log export ({error})"
            ) from error

    def _csv_rows(self, path: Path) -> Iterator[tuple[int, dict]]:
        with _open(path) as text:
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                return
            columns = [c.strip() for c in header]
            if "request_id" not in columns or "startTime" not in columns:
                raise ExportFileError(
                    f"{self.source_id}: {path}: not a spend-log export, the header lacks "
                    "request_id or startTime"
                )
            for line, values in enumerate(reader, start=2):
                if not values:
                    continue
                if len(values) != len(columns):
                    raise ExportFileError(
                        f"{self.source_id}: {path}: line {line} has {len(values)} fields, "
                        f"the header has {len(columns)}"
                    )
                yield line, dict(zip(columns, values, strict=True))

    def _ndjson_rows(self, path: Path) -> Iterator[tuple[int, dict]]:
        with _open(path) as text:
            for line, content in enumerate(text, start=1):
                if not content.strip():
                    continue
                try:
                    row = json.loads(content, parse_float=Decimal)
                except ValueError as error:
                    raise ExportFileError(
                        f"{self.source_id}: {path}: line {line}: not valid JSON ({error})"
                    ) from error
                if not isinstance(row, dict):
                    raise ExportFileError(
                        f"{self.source_id}: {path}: line {line}: expected a JSON object, "
                        f"got {type(row).__name__}"
                    )
                yield line, row
