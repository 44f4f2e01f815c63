"""Reads Azure Cost Management FOCUS exports from files, keeping only Azure OpenAI / Foundry rows.

Cost Management writes a partitioned export as
`<root>/<export name>/<YYYYMMDD-YYYYMMDD>/<run id>/part_<n>_<m>.csv[.gz]` (or `.parquet`), with a
`manifest.json` per run. A month is restated by every later run, so for each export and month only
the latest run counts: the one whose manifest has the latest `runInfo.submittedTime` (the newest file
when a run has no manifest). Rows stream file by file; money keeps its exact decimal text.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow.parquet as pq

from connectors.azure_focus.schemas import (
    DECIMAL_COLUMNS,
    REQUIRED_COLUMNS,
    TEXT_COLUMNS,
    TIMESTAMP_COLUMNS,
)
from connectors.errors import ConnectorError

log = logging.getLogger("connectors.azure_focus")

RANGE_FOLDER = re.compile(r"^(\d{8})-(\d{8})$")
DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".snappy.parquet")
# FOCUS 1.0 exports named the meter column x_SkuMeterName; 1.2 calls it SkuMeter.
COLUMN_ALIASES = {"x_SkuMeterName": "SkuMeter"}
OPENAI_METER_CATEGORIES = {"foundry models", "azure openai"}
TOKEN_METER = re.compile(r"(tokens?|inpu?t?|outp|inpt|cached|cchd)\b", re.IGNORECASE)


class ExportFileError(ConnectorError):
    """An export file is unreadable or does not have the FOCUS shape; the message names the file."""


@dataclass(frozen=True)
class ExportRun:
    """One run of one export for one date range: its folder and data files."""

    export_name: str
    month: date
    range_start: date
    range_end: date
    run_id: str
    submitted_at: datetime
    files: tuple[Path, ...]


def is_openai_row(row: dict) -> bool:
    """Azure OpenAI and Foundry model meters; other Cognitive Services (Speech, Vision) are not."""
    category = (row.get("x_SkuMeterCategory") or "").lower()
    subcategory = (row.get("x_SkuMeterSubcategory") or "").lower()
    if category in OPENAI_METER_CATEGORIES or "openai" in subcategory or "openai" in category:
        return True
    resource_type = (row.get("ResourceType") or row.get("ResourceId") or "").lower()
    return (
        "cognitiveservices" in resource_type.replace(" ", "")
        and not subcategory
        and bool(TOKEN_METER.search(row.get("SkuMeter") or ""))
    )


def parse_timestamp(value: str) -> datetime:
    """ISO-8601 with or without Z, 7-digit fractions (as .NET writes them) or a space separator."""
    text = value.strip().replace(" ", "T", 1)
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _decimal_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise InvalidOperation(str(value))
    return format(number, "f")


class AzureFocusReader:
    """Streams FOCUS cost rows of Azure OpenAI / Foundry meters from an export root directory."""

    def __init__(self, root: Path, source_id: str = "azure_focus") -> None:
        self.root = Path(root)
        self.source_id = source_id

    def runs(self) -> list[ExportRun]:
        """Every run found under the root, in no particular order."""
        if not self.root.is_dir():
            raise ExportFileError(f"{self.source_id}: export directory {self.root} does not exist")
        found = []
        for range_dir in sorted(self.root.glob("*/*")):
            match = RANGE_FOLDER.match(range_dir.name)
            if not range_dir.is_dir() or not match:
                continue
            start, end = (datetime.strptime(g, "%Y%m%d").date() for g in match.groups())
            run_dirs = [d for d in sorted(range_dir.iterdir()) if d.is_dir()]
            for run_dir in run_dirs or [range_dir]:
                files = tuple(
                    sorted(p for p in run_dir.iterdir() if p.name.lower().endswith(DATA_SUFFIXES))
                )
                if not files:
                    continue
                run_id = run_dir.name if run_dir != range_dir else ""
                found.append(
                    ExportRun(
                        range_dir.parent.name,
                        start.replace(day=1),
                        start,
                        end,
                        run_id,
                        self._submitted_at(run_dir, files),
                        files,
                    )
                )
        return found

    def _submitted_at(self, run_dir: Path, files: tuple[Path, ...]) -> datetime:
        manifest = run_dir / "manifest.json"
        if manifest.exists():
            try:
                submitted = json.loads(manifest.read_text())["runInfo"]["submittedTime"]
                moment = parse_timestamp(submitted)
            except (ValueError, KeyError, TypeError) as error:
                raise ExportFileError(
                    f"{self.source_id}: {manifest}: malformed manifest ({error!r}); "
                    "expected runInfo.submittedTime"
                ) from error
            return moment
        newest = max(p.stat().st_mtime for p in files)
        return datetime.fromtimestamp(newest, UTC).replace(tzinfo=None)

    def latest_runs(self, start: date, end: date) -> list[ExportRun]:
        """The latest run of each export and month overlapping [start, end)."""
        latest: dict[tuple[str, date], ExportRun] = {}
        for run in self.runs():
            if run.range_start >= end or run.range_end < start:
                continue
            key = (run.export_name, run.month)
            if key not in latest or (run.submitted_at, run.run_id) > (
                latest[key].submitted_at,
                latest[key].run_id,
            ):
                latest[key] = run
        return sorted(latest.values(), key=lambda r: (r.export_name, r.month))

    def cost_rows(self, start: date, end: date) -> Iterator[dict]:
        """AI cost rows whose ChargePeriodStart falls in [start, end), from the latest runs only."""
        for run in self.latest_runs(start, end):
            kept = 0
            for path in run.files:
                for row in self._rows(path):
                    day = row["ChargePeriodStart"].date()
                    if start <= day < end and is_openai_row(row):
                        kept += 1
                        yield {**row, "x_ExportName": run.export_name, "x_ExportRunId": run.run_id}
            log.info(
                "%s: %s %s run %s: %d AI row(s) from %d file(s)",
                self.source_id,
                run.export_name,
                run.month.strftime("%Y-%m"),
                run.run_id,
                kept,
                len(run.files),
            )

    def _rows(self, path: Path) -> Iterator[dict]:
        try:
            if path.name.lower().endswith(".parquet"):
                yield from self._parquet_rows(path)
            else:
                yield from self._csv_rows(path)
        except ExportFileError:
            raise
        except (OSError, EOFError, csv.Error, UnicodeDecodeError, ValueError) as error:
            raise ExportFileError(
                f"{self.source_id}: {path}: unreadable export file: {error}"
            ) from error

    def _csv_rows(self, path: Path) -> Iterator[dict]:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                return
            columns = [COLUMN_ALIASES.get(c.strip(), c.strip()) for c in header]
            self._check_columns(path, columns)
            for line, values in enumerate(reader, start=2):
                if not values:
                    continue
                if len(values) != len(columns):
                    raise ExportFileError(
                        f"{self.source_id}: {path}: line {line} has {len(values)} fields, "
                        f"the header has {len(columns)}"
                    )
                yield self._record(path, line, dict(zip(columns, values, strict=True)))

    def _parquet_rows(self, path: Path) -> Iterator[dict]:
        parquet = pq.ParquetFile(path)
        columns = [COLUMN_ALIASES.get(c, c) for c in parquet.schema_arrow.names]
        self._check_columns(path, columns)
        line = 0
        for batch in parquet.iter_batches(batch_size=10_000):
            for values in batch.to_pylist():
                line += 1
                renamed = {COLUMN_ALIASES.get(k, k): v for k, v in values.items()}
                yield self._record(path, line, renamed)

    def _check_columns(self, path: Path, columns: list[str]) -> None:
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise ExportFileError(
                f"{self.source_id}: {path}: not a FOCUS cost export, missing column(s) "
                f"{', '.join(missing)}"
            )

    def _record(self, path: Path, line: int, values: dict) -> dict:
        record: dict = {}
        try:
            for name in TIMESTAMP_COLUMNS:
                value = values.get(name)
                if isinstance(value, datetime):
                    record[name] = parse_timestamp(value.isoformat())
                else:
                    record[name] = parse_timestamp(str(value)) if value not in (None, "") else None
            for name in TEXT_COLUMNS:
                value = values.get(name)
                if name in DECIMAL_COLUMNS:
                    record[name] = _decimal_text(value)
                else:
                    record[name] = None if value in (None, "") else str(value)
        except (ValueError, InvalidOperation) as error:
            raise ExportFileError(
                f"{self.source_id}: {path}: row {line}: bad value ({error!r})"
            ) from error
        if record["ChargePeriodStart"] is None or record["BilledCost"] is None:
            raise ExportFileError(
                f"{self.source_id}: {path}: row {line}: ChargePeriodStart and BilledCost are required"
            )
        return record
