"""Which re-landed days of the day-grained sources the warehouse has to rebuild.

A daily run re-lands its trailing days, and the landing keeps a day's file as it was when the records
did not change (`landing.py`); a gateway's log of a past day seldom does. The models built only from
these sources (`meta.aiuw.test_days: landed`) rebuild the days from `landed_min_date`: the first day
of the run's window whose landing files differ from those the warehouse last built that day from.
When none differs they rebuild nothing, so a steady daily run ranks the new day's requests only.

Models with rows of both kinds (`meta.aiuw.landed_rows`: the column that marks the rows built from
these sources, `is_gateway` in int_usage_rated) rebuild those rows from the same day, and from the
window's first day when the warehouse has no record or the code changed (`rated_min_date`).

The record (each file's size and modification time, and a fingerprint of the models' code) lives in
the warehouse, so a restored warehouse brings its own. It is written after dbt succeeds, from the
files as they were when dbt started: a failed or interrupted build, a file replaced while dbt ran,
or changed model code all lead to the days being rebuilt again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from orchestration.lib.partitions import RefreshWindow

SCHEMA = "aiuw_meta"
TABLE = f"{SCHEMA}.built_landing_files"
LANDED = "landed"


@dataclass(frozen=True)
class LandingState:
    """The day-grained landing files of a window: relative path -> (day, size, mtime_ns)."""

    files: dict[str, tuple[date, int, int]]
    code: str


def landed_models(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The models that rebuild the landed days (`meta.aiuw.test_days: landed`), by unique_id."""
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and (node["config"].get("meta", {}).get("aiuw") or {}).get("test_days") == LANDED
    }


def landed_row_models(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The models whose rows built from these sources rebuild the landed days
    (`meta.aiuw.landed_rows`), by unique_id."""
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and (node["config"].get("meta", {}).get("aiuw") or {}).get("landed_rows")
    }


def day_grained_sources(manifest: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(source type, entity) of the sources read by models that rebuild the landed days."""
    found = set()
    for unique_id in landed_models(manifest):
        for parent in manifest["parent_map"].get(unique_id, []):
            if parent.startswith("source."):
                source = manifest["sources"][parent]
                found.add((source["source_name"], source["name"]))
    return sorted(found)


def landed_tables(manifest: Mapping[str, Any]) -> set[str]:
    """unique_ids of the tables that hold the landed days (incremental, `test_days: landed`)."""
    models = {**landed_models(manifest), **landed_row_models(manifest)}
    return {
        unique_id
        for unique_id, node in models.items()
        if node["config"].get("materialized") == "incremental"
    }


def rebuilt_every_landed_table(manifest: Mapping[str, Any], run_results: Mapping[str, Any]) -> bool:
    """Whether the dbt invocation built each of those tables: a run of a few selected models (from
    the UI, say) must not record days as built that it did not build."""
    built = {r["unique_id"] for r in run_results["results"] if r["status"] == "success"}
    return landed_tables(manifest) <= built


def code_fingerprint(manifest: Mapping[str, Any]) -> str:
    """The code the landed days are built with: those models and the models with landed rows,
    the models and seeds they read, the macros."""
    landed = set(landed_models(manifest)) | set(landed_row_models(manifest))
    nodes, stack = set(landed), list(landed)
    while stack:
        for parent in manifest["parent_map"].get(stack.pop(), []):
            if parent.startswith(("model.", "seed.")) and parent not in nodes:
                nodes.add(parent)
                stack.append(parent)
    project = next(iter(manifest["nodes"].values()))["package_name"] if nodes else ""
    checksums = sorted(
        [f"{n}:{manifest['nodes'][n]['checksum']['checksum']}" for n in nodes]
        + [
            f"{name}:{macro['macro_sql']}"
            for name, macro in manifest["macros"].items()
            if macro["package_name"] == project
        ]
    )
    return hashlib.sha256("\n".join(checksums).encode()).hexdigest()


def landing_state(
    landing: Path, sources: list[tuple[str, str]], window: RefreshWindow, code: str
) -> LandingState:
    files = {}
    for source_type, entity in sources:
        for path in (landing / source_type / entity).glob("*/*.parquet"):
            try:
                day = date.fromisoformat(path.stem)
            except ValueError:
                continue
            if window.start <= day < window.end:
                stat = path.stat()
                files[str(path.relative_to(landing))] = (day, stat.st_size, stat.st_mtime_ns)
    return LandingState(files, code)


def built_state(warehouse: Path, window: RefreshWindow) -> LandingState | None:
    """What the warehouse recorded for the window's days; None when it has no record."""
    if not warehouse.exists():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(
                f"select path, day, size, mtime_ns, code from {TABLE} where day >= ? and day < ?",
                [window.start, window.end],
            ).fetchall()
            codes = con.execute(f"select distinct code from {TABLE}").fetchall()
    except duckdb.CatalogException:
        return None
    if len(codes) != 1:
        return None
    return LandingState({p: (d, s, m) for p, d, s, m, _ in rows}, codes[0][0])


def first_changed_day(
    current: LandingState, built: LandingState | None, window: RefreshWindow
) -> date:
    """The first day to rebuild: the window's end (exclusive) when no file of it changed."""
    if built is None or built.code != current.code:
        return window.start
    changed = {kept[0] for path, kept in current.files.items() if built.files.get(path) != kept}
    changed |= {kept[0] for path, kept in built.files.items() if path not in current.files}
    return min(changed, default=window.end)


def record_built(warehouse: Path, state: LandingState, first_day: date, end: date) -> int:
    """Record the files the days [first_day, end) were built from; the other days keep theirs."""
    rows = [
        (path, day, size, mtime, state.code)
        for path, (day, size, mtime) in sorted(state.files.items())
        if first_day <= day < end
    ]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"create schema if not exists {SCHEMA}")
        con.execute(
            f"create table if not exists {TABLE} (path varchar primary key, day date not null, "
            "size bigint not null, mtime_ns bigint not null, code varchar not null)"
        )
        con.execute("begin")
        # a change of code invalidates every day's record: only days rebuilt with it are kept
        con.execute(f"delete from {TABLE} where code <> ?", [state.code])
        con.execute(f"delete from {TABLE} where day >= ? and day < ?", [first_day, end])
        if rows:
            con.executemany(f"insert into {TABLE} values (?, ?, ?, ?, ?)", rows)
        con.execute("commit")
    return len(rows)
