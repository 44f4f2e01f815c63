"""Reading a source's export files: the records of each file in turn, counted per file at debug
level and in one line per read, so a history of daily files does not log a line per file."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path


def records_of_files(
    files: list[Path], read: Callable[[Path], Iterable[dict]], log: logging.Logger, what: str
) -> Iterator[dict]:
    """Every record `read` yields for each file; `what` names the records and the source."""
    total = 0
    for path in files:
        kept = 0
        for record in read(path):
            kept += 1
            yield record
        log.debug("%s: %s: %d", what, path.name, kept)
        total += kept
    log.info("%s: %d from %d file(s)", what, total, len(files))
