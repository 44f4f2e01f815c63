"""The landing zone as operational alerts see it: the newest day each source instance landed rows of
each entity, and every Parquet file whose footer cannot be read (dbt reads each folder with one glob,
so one such file fails every build until it is replaced or moved aside).

Layout: `<landing>/<source type>/<entity>/<source id>/<YYYY-MM-DD>.parquet`; zero-row files (a day
pulled with nothing in it) do not count as data. Only footers are read, so a scan stays well under a
second for thousands of files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.config import SourceConfig
from warehouse.run_status import error_summary

DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.parquet$")


@dataclass
class LandingScan:
    # (type, entity, source id) -> newest day with rows
    last_day: dict[tuple[str, str, str], date] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)  # path in the landing zone -> error
    modified: dict[str, float] = field(default_factory=dict)  # unreadable path -> mtime

    def newest_day(self, source: SourceConfig) -> date | None:
        """The newest day with rows of the entities the source pulls (files of an entity it no
        longer pulls do not count)."""
        return max(
            (
                day
                for (source_type, entity, source_id), day in self.last_day.items()
                if (source_type, source_id) == (source.type, source.id) and source.pulls(entity)
            ),
            default=None,
        )


def scan_landing(landing: Path, source_types: Iterable[str] | None = None) -> LandingScan:
    scan = LandingScan()
    roots = [landing / t for t in source_types] if source_types is not None else [landing]
    for root in roots:
        for path in sorted(root.rglob("*.parquet")):
            relative = path.relative_to(landing)
            modified = 0.0
            try:
                modified = path.stat().st_mtime
                rows = pq.read_metadata(path).num_rows
            except FileNotFoundError:  # pruned while the scan ran
                continue
            except (pa.ArrowException, OSError) as error:
                scan.unreadable[str(relative)] = error_summary(error)
                scan.modified[str(relative)] = modified
                continue
            day = DAY_FILE.match(relative.name)
            if rows and day and len(relative.parts) == 4:
                key = relative.parts[:3]
                landed = date.fromisoformat(day.group(1))
                scan.last_day[key] = max(scan.last_day.get(key, landed), landed)
    return scan


def newest_days_with_rows(landing: Path, source_type: str) -> LandingScan:
    """The newest day with rows of each (entity, source id) of `source_type`, read newest file first
    and stopping at the first with rows: a freshness check per entity in every run reads a few
    footers, not the whole history. Unreadable files are skipped here (the landing scan reports them)."""
    scan = LandingScan()
    for folder in sorted((landing / source_type).glob("*/*")):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.parquet"), reverse=True):
            day = DAY_FILE.match(path.name)
            if not day:
                continue
            try:
                rows = pq.read_metadata(path).num_rows
            except (pa.ArrowException, OSError):
                continue
            if rows:
                key = (source_type, folder.parent.name, folder.name)
                scan.last_day[key] = date.fromisoformat(day.group(1))
                break
    return scan
