"""Reads AWS CUR 2.0 (Data Exports) Parquet files, keeping only Amazon Bedrock rows.

Data Exports write `<root>/<export name>/data/BILLING_PERIOD=YYYY-MM/*.parquet`; with the "overwrite"
option the month's files are replaced on every refresh, otherwise each refresh adds a folder of new
file versions below the billing period (the newest one counts). A month is restated until its invoice
closes, so callers reload whole billing periods. Files stream in record batches; money and usage
amounts keep their exact decimal text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.aws_cur.schemas import (
    CUR_DECIMAL_COLUMNS,
    CUR_MAP_COLUMNS,
    CUR_REQUIRED_COLUMNS,
    CUR_TEXT_COLUMNS,
    CUR_TIMESTAMP_COLUMNS,
)
from connectors.errors import ConnectorError

log = logging.getLogger("connectors.aws_cur")

PERIOD_FOLDER = re.compile(r"^BILLING_PERIOD=(\d{4})-(\d{2})$")
# First-party models bill under AmazonBedrock; third-party "(Amazon Bedrock Edition)" models under
# AmazonBedrockFoundationModels (or a Marketplace code, recognisable by the product name).
BEDROCK_PRODUCT_CODES = {"AmazonBedrock", "AmazonBedrockFoundationModels", "AmazonBedrockService"}
BATCH_ROWS = 10_000
WANTED = (*CUR_TIMESTAMP_COLUMNS, *CUR_TEXT_COLUMNS, *CUR_MAP_COLUMNS)


class CurFileError(ConnectorError):
    """A CUR file is unreadable or lacks the CUR 2.0 columns; the message names the file."""


@dataclass(frozen=True)
class BillingPeriod:
    """The current files of one export's billing period."""

    export_name: str
    month: date
    files: tuple[Path, ...]

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")

    def overlaps(self, start: date, end: date) -> bool:
        next_month = date(self.month.year + self.month.month // 12, self.month.month % 12 + 1, 1)
        return self.month < end and next_month > start


def is_bedrock_row(row: dict) -> bool:
    if row.get("line_item_product_code") in BEDROCK_PRODUCT_CODES:
        return True
    if (row.get("product_servicecode") or "").startswith("AmazonBedrock"):
        return True
    return "bedrock" in (row.get("product_product_name") or "").lower()


def _naive_utc(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _decimal_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
    if not number.is_finite():
        raise InvalidOperation(str(value))
    return format(number, "f")


def _map_json(value: object) -> str | None:
    """A Parquet MAP (list of key/value pairs once in Python) or a JSON string, as JSON text."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return json.dumps(json.loads(value), sort_keys=True)
    return json.dumps(dict(value), sort_keys=True)


class CurReader:
    """Streams Bedrock rows of the CUR 2.0 exports found under a root directory."""

    def __init__(self, root: Path, source_id: str = "aws_cur") -> None:
        self.root = Path(root)
        self.source_id = source_id

    def billing_periods(self) -> list[BillingPeriod]:
        """Every export's billing periods with their current files, by export and month."""
        if not self.root.is_dir():
            raise CurFileError(f"{self.source_id}: export directory {self.root} does not exist")
        found = []
        for period_dir in sorted(self.root.glob("**/BILLING_PERIOD=*")):
            match = PERIOD_FOLDER.match(period_dir.name)
            if not period_dir.is_dir() or not match:
                continue
            files = self._current_files(period_dir)
            if not files:
                continue
            export_dir = period_dir.parent
            if export_dir.name == "data":
                export_dir = export_dir.parent
            month = date(int(match.group(1)), int(match.group(2)), 1)
            found.append(BillingPeriod(export_dir.name, month, files))
        return found

    @staticmethod
    def _current_files(period_dir: Path) -> tuple[Path, ...]:
        files = sorted(period_dir.glob("*.parquet"))
        if files:
            return tuple(files)
        versions = [d for d in period_dir.iterdir() if d.is_dir() and any(d.glob("*.parquet"))]
        if not versions:
            return ()
        newest = max(versions, key=lambda d: (max(p.stat().st_mtime for p in d.glob("*")), d.name))
        return tuple(sorted(newest.glob("*.parquet")))

    def line_items(self, start: date, end: date) -> Iterator[dict]:
        """Bedrock rows whose usage starts in [start, end), from every overlapping billing period."""
        for period in self.billing_periods():
            if not period.overlaps(start, end):
                continue
            kept = 0
            for path in period.files:
                for row in self._rows(path):
                    started = row["line_item_usage_start_date"]
                    if start <= started.date() < end and is_bedrock_row(row):
                        kept += 1
                        yield {
                            **row,
                            "billing_period": period.label,
                            "export_name": period.export_name,
                        }
            log.info(
                "%s: %s %s: %d Bedrock row(s) from %d file(s)",
                self.source_id,
                period.export_name,
                period.label,
                kept,
                len(period.files),
            )

    def _rows(self, path: Path) -> Iterator[dict]:
        try:
            parquet = pq.ParquetFile(path)
            names = parquet.schema_arrow.names
            missing = [c for c in CUR_REQUIRED_COLUMNS if c not in names]
            if missing:
                raise CurFileError(
                    f"{self.source_id}: {path}: not a CUR 2.0 export, missing column(s) "
                    f"{', '.join(missing)}"
                )
            columns = [c for c in WANTED if c in names]
            line = 0
            for batch in parquet.iter_batches(batch_size=BATCH_ROWS, columns=columns):
                for values in batch.to_pylist():
                    line += 1
                    yield self._record(path, line, values)
        except CurFileError:
            raise
        except (OSError, pa.ArrowException, ValueError) as error:
            raise CurFileError(f"{self.source_id}: {path}: unreadable CUR file: {error}") from error

    def _record(self, path: Path, line: int, values: dict) -> dict:
        try:
            record: dict = {name: _naive_utc(values.get(name)) for name in CUR_TIMESTAMP_COLUMNS}
            for name in CUR_TEXT_COLUMNS:
                value = values.get(name)
                if name in CUR_DECIMAL_COLUMNS:
                    record[name] = _decimal_text(value)
                else:
                    record[name] = None if value in (None, "") else str(value)
            product = values.get("product")
            record["product"] = _map_json(product)
            record["product_product_name"] = (
                json.loads(record["product"]).get("product_name") if record["product"] else None
            )
            record["resource_tags"] = _map_json(values.get("resource_tags"))
        except (ValueError, TypeError, InvalidOperation) as error:
            raise CurFileError(
                f"{self.source_id}: {path}: row {line}: bad value ({error!r})"
            ) from error
        if (
            record["line_item_usage_start_date"] is None
            or record["line_item_unblended_cost"] is None
        ):
            raise CurFileError(
                f"{self.source_id}: {path}: row {line}: line_item_usage_start_date and "
                "line_item_unblended_cost are required"
            )
        return record
