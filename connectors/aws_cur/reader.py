"""Reads AWS CUR 2.0 (Data Exports) Parquet files, keeping only Amazon Bedrock rows, or only the rows
of the resources declared to serve a self-hosted model deployment (`DeclaredResources`).

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
from collections.abc import Callable, Iterable, Iterator, Mapping
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


def tag_key(key: str) -> str:
    """A tag key as CUR 2.0 writes it in `resource_tags` and as governance declares it, compared
    alike: lower case, the `user_`/`user:` prefix of user-defined tags dropped, punctuation as `_`
    (`aiuw:deployment` and CUR's `user_aiuw_deployment` are the same key)."""
    key = key.strip().lower()
    for prefix in ("user:", "user_"):
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    return re.sub(r"[^a-z0-9]", "_", key)


class DeclaredResources:
    """The CUR rows of declared self-hosted deployments: a row belongs to the deployment that
    declares its resource id, or else to the one whose declared tags it carries (all of them).

    `rows` are governance's self-hosted resource rows (`Governance.self_hosted_resource_rows`):
    deployment_id with either resource_id or tag_key and tag_value."""

    def __init__(self, rows: Iterable[Mapping]) -> None:
        self.by_resource: dict[str, str] = {}
        self.tags: dict[str, dict[str, str]] = {}
        for row in rows:
            if row.get("resource_id"):
                self.by_resource[row["resource_id"]] = row["deployment_id"]
            elif row.get("tag_key"):
                wanted = self.tags.setdefault(row["deployment_id"], {})
                wanted[tag_key(row["tag_key"])] = str(row["tag_value"])

    def __bool__(self) -> bool:
        return bool(self.by_resource or self.tags)

    def deployment_of(self, row: Mapping) -> str | None:
        resource = row.get("line_item_resource_id")
        if resource and resource in self.by_resource:
            return self.by_resource[resource]
        if not self.tags or not row.get("resource_tags"):
            return None
        carried = {tag_key(k): str(v) for k, v in json.loads(row["resource_tags"]).items()}
        for deployment, wanted in sorted(self.tags.items()):
            if all(carried.get(k) == v for k, v in wanted.items()):
                return deployment
        return None


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
        return self._kept(start, end, lambda row: is_bedrock_row(row) or None, "Bedrock")

    def self_hosted_line_items(
        self, start: date, end: date, declared: DeclaredResources
    ) -> Iterator[dict]:
        """Rows of the resources `declared` to serve self-hosted deployments whose usage starts in
        [start, end), each with its `deployment_id`; nothing when nothing is declared."""
        if not declared:
            return iter(())
        return self._kept(start, end, declared.deployment_of, "self-hosted", "deployment_id")

    def _kept(
        self,
        start: date,
        end: date,
        keep: Callable[[dict], object],
        what: str,
        label: str | None = None,
    ) -> Iterator[dict]:
        """Rows in [start, end) that `keep` returns a value for (stored as `label` when given)."""
        for period in self.billing_periods():
            if not period.overlaps(start, end):
                continue
            kept = 0
            for path in period.files:
                for row in self._rows(path):
                    started = row["line_item_usage_start_date"]
                    if not start <= started.date() < end:
                        continue
                    value = keep(row)
                    if value is None:
                        continue
                    kept += 1
                    yield {
                        **row,
                        **({label: value} if label else {}),
                        "billing_period": period.label,
                        "export_name": period.export_name,
                    }
            log.info(
                "%s: %s %s: %d %s row(s) from %d file(s)",
                self.source_id,
                period.export_name,
                period.label,
                kept,
                what,
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
