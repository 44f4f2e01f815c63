"""Where the warehouse keeps its files. Every path can be moved with an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations" / "suites"


@dataclass(frozen=True)
class Paths:
    data: Path
    landing: Path
    warehouse: Path
    published: Path
    quality: Path
    evidence: Path
    books: Path

    @classmethod
    def from_env(cls) -> Paths:
        data = Path(os.environ.get("AIUW_DATA_DIR") or REPO_ROOT / "data").resolve()
        return cls(
            data=data,
            landing=Path(os.environ.get("AIUW_LANDING_DIR") or data / "landing").resolve(),
            warehouse=Path(
                os.environ.get("AIUW_WAREHOUSE_PATH") or data / "warehouse" / "warehouse.duckdb"
            ).resolve(),
            published=Path(os.environ.get("AIUW_PUBLISHED_DIR") or data / "published").resolve(),
            quality=Path(os.environ.get("AIUW_QUALITY_DIR") or data / "quality").resolve(),
            evidence=Path(os.environ.get("AIUW_EVIDENCE_DIR") or data / "evidence").resolve(),
            books=Path(os.environ.get("AIUW_BOOKS_DIR") or data / "books").resolve(),
        )

    @property
    def ledger(self) -> Path:
        return self.evidence / "ledger.jsonl"

    @property
    def anchor_dir(self) -> Path:
        """Where the ledger's signed heads go; in production another disk or bucket mount."""
        return Path(
            os.environ.get("AIUW_EVIDENCE_ANCHOR_DIR") or self.data / "evidence_anchor"
        ).resolve()

    def dbt_environment(self) -> dict[str, str]:
        """Environment dbt needs so profiles.yml and sources see the same files as Dagster (the
        directories made). Handed to dbt's process only: this process's environment is left as it
        was, so a later run in the same process with another AIUW_DATA_DIR gets its own paths."""
        self.warehouse.parent.mkdir(parents=True, exist_ok=True)
        self.landing.mkdir(parents=True, exist_ok=True)
        return {
            "AIUW_WAREHOUSE_PATH": str(self.warehouse),
            "AIUW_LANDING_DIR": str(self.landing),
            "AIUW_BOOKS_DIR": str(self.books),
            # dagster-dbt gives each invocation a folder under it and starts from its parse state
            "DBT_TARGET_PATH": str(self.dbt_target),
            # no log file of dbt's own: dbt's whole output is in the run's debug log (writing it
            # again cost about 5% of dbt's time at info level, and 8 s a run at debug level)
            "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE", "none"),
            "DBT_LOG_FORMAT_FILE": os.environ.get("DBT_LOG_FORMAT_FILE", "text"),
        }

    def export_file_index(self, source_id: str) -> Path:
        """What a file source's reader remembers of the export files it read in full, so an
        unchanged file wholly outside a run's window is not opened again (delete it to read all)."""
        return self.data / "export_file_index" / f"{source_id}.json"

    @property
    def dbt_target(self) -> Path:
        """The dbt invocations' folders (artifacts, dbt's log) and the parse state they share."""
        return self.data / "dbt_target"
