"""Where reports go, and writing them so a reader never sees a half-written file."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

from reports.periods import month_label
from warehouse.paths import Paths


def reports_root() -> Path:
    """`AIUW_REPORTS_DIR`, or `reports/` under the data directory."""
    configured = os.environ.get("AIUW_REPORTS_DIR")
    return Path(configured).resolve() if configured else Paths.from_env().data / "reports"


def month_dir(root: Path, month: date) -> Path:
    return root / month_label(month)


def write_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Let `write` fill a temporary file beside `target`, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write(temp)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target
