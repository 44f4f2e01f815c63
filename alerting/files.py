"""Where alert state lives (data/alerts, or AIUW_ALERTS_DIR) and how its files are written: whole
files replaced atomically, read-modify-write passes serialized by a lock file beside them."""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def alerts_dir(data_dir: Path) -> Path:
    return Path(os.environ.get("AIUW_ALERTS_DIR") or data_dir / "alerts").resolve()


def read_json(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def write_json(path: Path, value: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    temp.write_text(json.dumps(value, indent=1, sort_keys=True))
    os.replace(temp, path)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`'s lock file (not re-entrant: never nest two on one path)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with (path.parent / f".{path.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
