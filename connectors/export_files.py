"""Reading a source's export files: the records of each file in turn, counted per file at debug
level and in one line per read, so a history of daily files does not log a line per file.

Export directories hold the whole history and grow by a file a day, while a daily run keeps a few
days. A `FileIndex` remembers, for each file read in full, its size, modification time and the
range of its rows' times: a file unchanged since then whose rows all lie outside the window is not
opened again.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path

INDEX_VERSION = 1


class RowTimes:
    """The earliest and latest row time a reader saw in one file (naive UTC); a row without a
    time makes the file's range unbounded, so it is never skipped."""

    def __init__(self) -> None:
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.unbounded = False

    def see(self, moment: datetime | None) -> None:
        if moment is None:
            self.unbounded = True
            return
        if self.first is None or moment < self.first:
            self.first = moment
        if self.last is None or moment > self.last:
            self.last = moment


class FileIndex:
    """What each file held when last read in full, kept as JSON at `path` (None: keep nothing).
    Deleting the file makes the next read open every file again."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict] = {}
        if path is not None and path.is_file():
            try:
                stored = json.loads(path.read_text())
            except ValueError:
                stored = {}  # a damaged index costs one full read, not the run
            if stored.get("version") == INDEX_VERSION:
                self.entries = stored.get("files") or {}

    def unchanged_outside(self, file: Path, start: datetime, end: datetime) -> bool:
        """True when `file` has its remembered size and modification time and none of its rows'
        times is in [start, end)."""
        entry = self.entries.get(str(file))
        if entry is None or entry["unbounded"]:
            return False
        stat = file.stat()
        if (entry["size"], entry["mtime_ns"], entry["inode"]) != (
            stat.st_size,
            stat.st_mtime_ns,
            stat.st_ino,
        ):
            return False
        if entry["first"] is None:
            return True  # no rows at all
        first, last = datetime.fromisoformat(entry["first"]), datetime.fromisoformat(entry["last"])
        return last < start or first >= end

    def remember(self, file: Path, stat: os.stat_result, times: RowTimes) -> None:
        self.entries[str(file)] = {
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "inode": stat.st_ino,
            "first": times.first.isoformat() if times.first else None,
            "last": times.last.isoformat() if times.last else None,
            "unbounded": times.unbounded,
        }

    def save(self, files: list[Path]) -> None:
        """Written atomically; entries of files no longer listed are dropped."""
        if self.path is None:
            return
        listed = {str(f) for f in files}
        kept = {name: entry for name, entry in self.entries.items() if name in listed}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps({"version": INDEX_VERSION, "files": kept}, sort_keys=True))
        partial.replace(self.path)


def records_of_files(
    files: list[Path],
    read: Callable[[Path, RowTimes], Iterable[dict]],
    log: logging.Logger,
    what: str,
    window: tuple[datetime, datetime],
    index: FileIndex | None = None,
    detail: Callable[[], str] | None = None,
) -> Iterator[dict]:
    """Every record `read` yields for each file not skipped by `index` for `window` (naive UTC,
    end exclusive); `read` reports every row's time to its `RowTimes`, inside the window or not.
    `what` names the records and the source; `detail` adds to the read's one log line."""
    index = index or FileIndex(None)
    total = skipped = 0
    try:
        for path in files:
            if index.unchanged_outside(path, *window):
                skipped += 1
                continue
            stat = path.stat()
            times, kept = RowTimes(), 0
            for record in read(path, times):
                kept += 1
                yield record
            index.remember(path, stat, times)
            log.debug("%s: %s: %d", what, path.name, kept)
            total += kept
    finally:
        index.save(files)
    unopened = (
        f"; {skipped} unchanged file(s) wholly outside the window not opened" if skipped else ""
    )
    more = detail() if detail is not None else ""
    log.info("%s: %d from %d file(s)%s%s", what, total, len(files) - skipped, unopened, more)
