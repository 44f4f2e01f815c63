"""Reads a Cloud Billing export extracted from BigQuery to files, keeping only Vertex AI rows.

The files are what `bq extract` writes for the export table: newline-delimited JSON (optionally
gzip) or Parquet, nested fields as the BigQuery schema has them (`service.description`,
`usage.amount`, repeated `credits` and `labels`). Extracts are taken per usage day under
`<root>/<table>/<YYYY-MM-DD>/*.json.gz` and re-taken while the day's rows still change (late usage,
restated cost); a later extract replaces the day's files. Files in a dated folder outside the
requested days are skipped; rows are filtered on `usage_start_time` in any case.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from connectors.errors import ConnectorError

log = logging.getLogger("connectors.gcp_billing_export")

VERTEX_SERVICE_ID = "C7E2-9256-1C43"
VERTEX_SERVICE_DESCRIPTION = "Vertex AI"
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
PARQUET_SUFFIXES = (".parquet",)
DAY_FOLDER = re.compile(r"^(?:usage_date=)?(\d{4}-?\d{2}-?\d{2})$")


class ExportFileError(ConnectorError):
    """An extract file is unreadable or is not a billing export; the message names the file."""


def parse_timestamp(value: Any) -> datetime | None:
    """BigQuery TIMESTAMP as extracts write it ('2026-03-04 10:00:00 UTC', ISO-8601, or a datetime)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip().removesuffix(" UTC").replace(" ", "T", 1)
        text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
        moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def decimal_text(value: Any) -> str | None:
    """Exact text of a number: JSON numbers arrive as Decimal, Parquet FLOAT64 by shortest repr."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidOperation(f"not a number: {value!r}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    if not number.is_finite():
        raise InvalidOperation(f"not a finite number: {value!r}")
    return format(number, "f")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def is_vertex_row(row: dict) -> bool:
    service = row.get("service") or {}
    return (
        service.get("id") == VERTEX_SERVICE_ID
        or service.get("description") == VERTEX_SERVICE_DESCRIPTION
    )


def flatten(row: dict) -> dict:
    """One export row as a flat record with the export's own names, money as exact text."""
    service, sku = row.get("service") or {}, row.get("sku") or {}
    project, location = row.get("project") or {}, row.get("location") or {}
    usage, invoice = row.get("usage") or {}, row.get("invoice") or {}
    credit_list = [
        {**credit, "amount": decimal_text(credit.get("amount"))}
        for credit in row.get("credits") or []
    ]
    credits_total = sum((Decimal(c["amount"]) for c in credit_list if c["amount"]), Decimal(0))
    labels = row.get("labels") or []
    return {
        "billing_account_id": _text(row.get("billing_account_id")),
        "service_id": service.get("id"),
        "service_description": service.get("description"),
        "sku_id": sku.get("id"),
        "sku_description": sku.get("description"),
        "usage_start_time": parse_timestamp(row.get("usage_start_time")),
        "usage_end_time": parse_timestamp(row.get("usage_end_time")),
        "project_id": project.get("id"),
        "project_number": _text(project.get("number")),
        "project_name": project.get("name"),
        "labels_json": json.dumps(
            {str(label.get("key")): label.get("value") for label in labels}, sort_keys=True
        )
        if labels
        else None,
        "location_location": location.get("location"),
        "location_region": location.get("region"),
        "export_time": parse_timestamp(row.get("export_time")),
        "cost": decimal_text(row.get("cost")),
        "cost_at_list": decimal_text(row.get("cost_at_list")),
        "currency": row.get("currency"),
        "currency_conversion_rate": decimal_text(row.get("currency_conversion_rate")),
        "usage_amount": decimal_text(usage.get("amount")),
        "usage_unit": usage.get("unit"),
        "usage_amount_in_pricing_units": decimal_text(usage.get("amount_in_pricing_units")),
        "usage_pricing_unit": usage.get("pricing_unit"),
        "credits_json": json.dumps(credit_list, sort_keys=True) if credit_list else None,
        "credits_amount": format(credits_total, "f"),
        "invoice_month": _text(invoice.get("month")),
        "cost_type": row.get("cost_type"),
        "transaction_type": row.get("transaction_type"),
    }


def _day_of_folder(path: Path) -> date | None:
    """The usage day of a per-day extract folder (`2026-09-01`, `20260901`, `usage_date=...`)."""
    match = DAY_FOLDER.match(path.parent.name)
    if not match:
        return None
    digits = match.group(1).replace("-", "")
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


class GcpBillingExportReader:
    """Streams Vertex AI rows of a billing export extract directory."""

    def __init__(self, root: Path, source_id: str = "gcp_billing_export") -> None:
        self.root = Path(root)
        self.source_id = source_id

    def files(self, start: date | None = None, end: date | None = None) -> list[Path]:
        if not self.root.is_dir():
            raise ExportFileError(f"{self.source_id}: export directory {self.root} does not exist")
        found = []
        for path in sorted(self.root.rglob("*")):
            name = path.name.lower()
            if not path.is_file() or not name.endswith(JSON_SUFFIXES + PARQUET_SUFFIXES):
                continue
            day = _day_of_folder(path)
            if day is not None and start is not None and end is not None:
                if not start <= day < end:
                    continue
            found.append(path)
        return found

    def vertex_cost_rows(self, start: date, end: date) -> Iterator[dict]:
        """Vertex AI rows whose usage_start_time falls in [start, end), flattened."""
        files, total = self.files(start, end), 0
        for path in files:
            kept = 0
            for line, row in self._rows(path):
                if not is_vertex_row(row):
                    continue
                try:
                    record = flatten(row)
                except (ValueError, InvalidOperation, TypeError, AttributeError) as error:
                    raise ExportFileError(
                        f"{self.source_id}: {path}: row {line}: bad value ({error!r})"
                    ) from error
                if record["usage_start_time"] is None or record["cost"] is None:
                    raise ExportFileError(
                        f"{self.source_id}: {path}: row {line}: usage_start_time and cost are required"
                    )
                if start <= record["usage_start_time"].date() < end:
                    kept += 1
                    yield {**record, "extract_file": str(path.relative_to(self.root))}
            log.debug("%s: %s: %d Vertex AI row(s)", self.source_id, path, kept)
            total += kept
        log.info("%s: %d Vertex AI row(s) from %d file(s)", self.source_id, total, len(files))

    def _rows(self, path: Path) -> Iterator[tuple[int, dict]]:
        try:
            if path.name.lower().endswith(PARQUET_SUFFIXES):
                yield from self._parquet_rows(path)
            else:
                yield from self._json_rows(path)
        except ExportFileError:
            raise
        except (OSError, EOFError, UnicodeDecodeError, ValueError) as error:
            raise ExportFileError(
                f"{self.source_id}: {path}: unreadable extract file: {error}"
            ) from error

    def _json_rows(self, path: Path) -> Iterator[tuple[int, dict]]:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            for line, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    row = json.loads(text, parse_float=Decimal)
                except json.JSONDecodeError as error:
                    raise ExportFileError(
                        f"{self.source_id}: {path}: line {line} is not JSON ({error.msg})"
                    ) from error
                if not isinstance(row, dict) or "service" not in row or "cost" not in row:
                    raise ExportFileError(
                        f"{self.source_id}: {path}: line {line} is not a billing export row "
                        "(needs service and cost)"
                    )
                yield line, row

    def _parquet_rows(self, path: Path) -> Iterator[tuple[int, dict]]:
        parquet = pq.ParquetFile(path)
        missing = {"service", "cost"} - set(parquet.schema_arrow.names)
        if missing:
            raise ExportFileError(
                f"{self.source_id}: {path}: not a billing export, missing {', '.join(sorted(missing))}"
            )
        line = 0
        for batch in parquet.iter_batches(batch_size=10_000):
            for row in batch.to_pylist():
                line += 1
                yield line, row
