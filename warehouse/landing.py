"""The landing zone: source records as Parquet, one file per source instance, entity and day.

Layout: `<landing>/<source type>/<entity>/<source id>/<YYYY-MM-DD>.parquet`. A window is written to
temporary files first and renamed into place only when every record of the window arrived, so a failed
pull leaves the previous files untouched. A day with no records still gets a (zero-row) file: "pulled,
nothing there" is different from "never pulled".
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

LINEAGE_FIELDS = [
    ("_extra_json", pa.string()),
    ("_source_id", pa.string()),
    ("_partition_date", pa.date32()),
    ("_pulled_at", pa.timestamp("us", tz="UTC")),
]
ROW_GROUP_ROWS = 50_000


@dataclass
class LandedDay:
    day: date
    path: Path
    rows: int
    sha256: str
    # False when the day's records were the same as the file already there, which was kept
    changed: bool = True


@dataclass
class LandingWindow:
    """Collects one entity's records for a window of days, then commits all days at once."""

    root: Path
    source_type: str
    entity: str
    source_id: str
    schema: pa.Schema
    days: list[date]
    pulled_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        self.full_schema = pa.schema(
            list(self.schema) + [pa.field(n, t) for n, t in LINEAGE_FIELDS]
        )
        self._known = set(self.schema.names)
        self._buffers: dict[date, list[dict]] = {d: [] for d in self.days}
        self._writers: dict[date, pq.ParquetWriter] = {}
        self._temps: dict[date, Path] = {}
        self._rows: dict[date, int] = dict.fromkeys(self.days, 0)
        self.directory.mkdir(parents=True, exist_ok=True)

    @property
    def directory(self) -> Path:
        return self.root / self.source_type / self.entity / self.source_id

    def path_for(self, day: date) -> Path:
        return self.directory / f"{day.isoformat()}.parquet"

    def add(self, records: Iterable[dict], day_of: Callable[[dict], date]) -> None:
        for record in records:
            day = day_of(record)
            if day not in self._buffers:
                raise ValueError(
                    f"{self.source_id}/{self.entity}: record for {day} is outside the requested window "
                    f"{self.days[0]}..{self.days[-1]}"
                )
            self._buffers[day].append(record)
            self._rows[day] += 1
            if len(self._buffers[day]) >= ROW_GROUP_ROWS:
                self._flush(day)

    def _flush(self, day: date) -> None:
        rows = self._buffers[day]
        lineage = {
            "_source_id": self.source_id,
            "_partition_date": day,
            "_pulled_at": self.pulled_at,
        }
        table = pa.Table.from_pylist(
            [{**r, **lineage, "_extra_json": self._extras(r)} for r in rows],
            schema=self.full_schema,
        )
        if day not in self._writers:
            temp = self.directory / f".{day.isoformat()}.{uuid.uuid4().hex}.tmp"
            self._temps[day] = temp
            self._writers[day] = pq.ParquetWriter(temp, self.full_schema)
        self._writers[day].write_table(table)
        self._buffers[day] = []

    def _extras(self, record: dict) -> str | None:
        extra = {k: v for k, v in record.items() if k not in self._known}
        return json.dumps(extra, sort_keys=True, default=str) if extra else None

    def commit(self) -> list[LandedDay]:
        landed = []
        for day in self.days:
            if self._buffers[day] or day not in self._writers:
                self._flush(day)
            self._writers.pop(day).close()
        for day in self.days:
            target, temp = self.path_for(day), self._temps.pop(day)
            if same_records(temp, target):
                temp.unlink()
                landed.append(LandedDay(day, target, self._rows[day], file_sha256(target), False))
                continue
            os.replace(temp, target)
            landed.append(LandedDay(day, target, self._rows[day], file_sha256(target)))
        return landed

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.close()
        for temp in self._temps.values():
            temp.unlink(missing_ok=True)
        self._writers.clear()
        self._temps.clear()

    def __enter__(self) -> LandingWindow:
        return self

    def __exit__(self, exc_type: type | None, *exc: object) -> None:
        if exc_type is not None:
            self.abort()


def same_records(new: Path, old: Path) -> bool:
    """The same records in the same order, whenever they were pulled: a day whose source did not
    change keeps its file, so what was rewritten (and must be rebuilt) is only what changed."""
    if (
        not old.exists()
        or pq.ParquetFile(old).metadata.num_rows != pq.ParquetFile(new).metadata.num_rows
    ):
        return False
    try:
        return (
            pq.read_table(old)
            .drop_columns(["_pulled_at"])
            .equals(pq.read_table(new).drop_columns(["_pulled_at"]))
        )
    except (pa.ArrowInvalid, KeyError):  # an older layout: rewrite it
        return False


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def utc_day(unix_seconds: int) -> date:
    return datetime.fromtimestamp(unix_seconds, UTC).date()


def ensure_schema_file(root: Path, source_type: str, entity: str, schema: pa.Schema) -> bool:
    """Keep a zero-row file with the entity's full landing schema under `<entity>/_schema/`.

    dbt reads every landing folder with one glob, so a source that has never landed (not configured,
    or down since the first run) would otherwise fail the whole build; the file also carries columns
    added to the schema since older files were written. Returns True when the file was (re)written.
    """
    full = pa.schema(list(schema) + [pa.field(n, t) for n, t in LINEAGE_FIELDS])
    return ensure_empty_file(root / source_type / entity / "_schema" / "empty.parquet", full)


def ensure_empty_file(path: Path, schema: pa.Schema) -> bool:
    """Keep a zero-row Parquet file with `schema` at `path`, replaced atomically when the schema
    changed; True when it was (re)written."""
    if path.exists() and pq.read_schema(path).equals(schema):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{uuid.uuid4().hex}.tmp")
    pq.write_table(schema.empty_table(), temp)
    os.replace(temp, path)
    return True
