"""Audit evidence packs: the findings, control evidence and run records for one period, sealed by hash.

A pack is a folder built from the current published release (read-only) and the evidence ledger:
    findings.csv            policy violations in the period, one row per policy x subject
    control_coverage.csv    every framework control and the policy serving it (a snapshot, not dated)
    shadow_ai.csv           shadow credentials seen in the period (first..last day overlaps it)
    access_anomalies.csv    access anomalies whose first..last day overlaps the period
    remediation.csv         the open findings seen in the period with owner, status, ticket, age and
                            due date, as of the release (rpt_remediation)
    release_manifest.json   the published release's own manifest (row counts, Parquet hashes)
    ledger_excerpt.jsonl    the ledger from its genesis entry through the run that published the release
    quality_results/<mart>.json  the latest stored Great Expectations result per published mart
    manifest.json           period, release id, database sha256, ledger head hash, sha256 of every file,
                            and an HMAC-SHA256 signature of all that when AIUW_EVIDENCE_SIGNING_KEY is set

`verify_pack` recomputes every hash against the manifest, checks the manifest's signature (so a file
edited along with its hash in the manifest is caught) and walks the excerpt's chain.
Plain Python and DuckDB: no Dagster, so an auditor can run it anywhere.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from evidence.ledger import entry_hash
from evidence.signing import (
    ALGORITHM,
    KEY_ENV,
    sign,
    signature_matches,
    signing_key,
)
from warehouse.landing import file_sha256

GENESIS = "0" * 64
MANIFEST = "manifest.json"
LEDGER_EXCERPT = "ledger_excerpt.jsonl"
FINDINGS_COLUMNS = [
    "policy_id",
    "rule",
    "severity",
    "subject_type",
    "subject_id",
    "application_ids",
    "person_ids",
    "first_day",
    "last_day",
    "days",
    "open_days",
    "excepted_days",
    "reraised_days",
    "exception_ids",
    "control_references",
]
# pack file -> (published table, first-date column, last-date column); None: exported whole
REPORTS = {
    "control_coverage.csv": ("rpt_control_coverage", None, None),
    "shadow_ai.csv": ("rpt_shadow_ai", "first_seen_date", "last_seen_date"),
    "access_anomalies.csv": ("rpt_access_anomalies", "first_date", "last_date"),
    "remediation.csv": ("rpt_remediation", "first_seen_date", "last_seen_date"),
}


@dataclass(frozen=True)
class Period:
    name: str
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2026-Q3`, `2026-07` or `2026`."""
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            year, quarter = int(m[1]), int(m[2])
            start = date(year, 3 * quarter - 2, 1)
            end = _month_end(year, 3 * quarter)
        elif m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            if not 1 <= int(m[2]) <= 12:
                raise ValueError(f"period {text!r}: month must be 01..12")
            start, end = date(int(m[1]), int(m[2]), 1), _month_end(int(m[1]), int(m[2]))
        elif re.fullmatch(r"\d{4}", text):
            start, end = date(int(text), 1, 1), date(int(text), 12, 31)
        else:
            raise ValueError(f"period {text!r}: expected YYYY-Qn, YYYY-MM or YYYY (e.g. 2026-Q3)")
        return cls(text, start, end)

    @classmethod
    def between(cls, start: date, end: date) -> Period:
        if end < start:
            raise ValueError(f"period end {end} is before its start {start}")
        return cls(f"{start.isoformat()}_{end.isoformat()}", start, end)


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([[_cell(v) for v in row] for row in rows])


def _joined(values: set[Any]) -> str:
    return "; ".join(sorted(str(v) for v in values if v not in (None, "")))


def findings(con: duckdb.DuckDBPyConnection, period: Period) -> list[list[Any]]:
    """Violations with usage_date in the period, one row per policy x subject."""
    rows = con.execute(
        """
        select policy_id, rule, severity, subject_type, subject_id, application_id, person_id,
               usage_date, status, exception_id, control_references
        from fct_policy_violations where usage_date between ? and ?
        """,
        [period.start, period.end],
    ).fetchall()
    groups: dict[tuple, dict[str, Any]] = {}
    for policy, rule, severity, stype, sid, app, person, day, status, exc, controls in rows:
        g = groups.setdefault(
            (policy, rule, severity, stype, sid),
            {
                "apps": set(),
                "people": set(),
                "days": set(),
                "status": {},
                "exc": set(),
                "ctl": set(),
            },
        )
        g["apps"].add(app)
        g["people"].add(person)
        g["days"].add(day)
        g["status"].setdefault(status, set()).add(day)
        g["exc"].add(exc)
        g["ctl"].add(controls)
    out = []
    for key in sorted(groups, key=lambda k: tuple(_cell(v) for v in k)):
        g = groups[key]
        counts = [len(g["status"].get(s, ())) for s in ("open", "excepted", "reraised")]
        out.append(
            [
                *key,
                _joined(g["apps"]),
                _joined(g["people"]),
                min(g["days"]),
                max(g["days"]),
                len(g["days"]),
                *counts,
                _joined(g["exc"]),
                _joined(g["ctl"]),
            ]
        )
    return out


def _report(
    con: duckdb.DuckDBPyConnection, table: str, first: str | None, last: str | None, period: Period
):
    where, params = "", []
    if first and last:
        where, params = f' where "{first}" <= ? and "{last}" >= ?', [period.end, period.start]
    cursor = con.execute(f'select * from "{table}"{where} order by all', params)
    return [d[0] for d in cursor.description], [list(r) for r in cursor.fetchall()]


def _ledger_excerpt(ledger: Path, release_id: str) -> tuple[list[str], str | None, int | None]:
    """Lines from genesis through the last entry that published `release_id` (whole ledger if none)."""
    lines = (
        [line for line in ledger.read_text().splitlines() if line.strip()]
        if ledger.exists()
        else []
    )
    entries = [json.loads(line) for line in lines]
    head = entries[-1]["entry_hash"] if entries else None
    publishing = [
        i
        for i, e in enumerate(entries)
        if (e.get("published") or {}).get("release_id") == release_id
    ]
    cut = publishing[-1] + 1 if publishing else len(lines)
    return lines[:cut], head, (entries[publishing[-1]]["sequence"] if publishing else None)


def build_pack(
    published: Path, ledger: Path, quality: Path, period: Period, out: Path
) -> dict[str, Any]:
    """Write the pack for `period` from published/current into `out`; return its manifest."""
    release_dir = (published / "current").resolve()
    database = release_dir / "warehouse.duckdb"
    if not database.is_file():
        raise FileNotFoundError(
            f"no published warehouse at {published / 'current' / 'warehouse.duckdb'}"
        )
    release_manifest_path = release_dir / "manifest.json"
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} already exists and is not empty; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        manifest = _write_pack(staging, database, release_manifest_path, ledger, quality, period)
        if out.exists():
            out.rmdir()
        staging.rename(out)  # a pack appears whole or not at all
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _write_pack(
    out: Path,
    database: Path,
    release_manifest_path: Path,
    ledger: Path,
    quality: Path,
    period: Period,
) -> dict[str, Any]:
    release_manifest = (
        json.loads(release_manifest_path.read_text()) if release_manifest_path.is_file() else {}
    )
    release_id = release_manifest.get("release_id", release_manifest_path.parent.name)
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        }
        if "fct_policy_violations" not in tables:
            raise ValueError(f"{database} has no fct_policy_violations table")
        _write_csv(out / "findings.csv", FINDINGS_COLUMNS, findings(con, period))
        for filename, (table, first, last) in REPORTS.items():
            if table in tables:
                _write_csv(out / filename, *_report(con, table, first, last, period))
    if release_manifest_path.is_file():
        shutil.copyfile(release_manifest_path, out / "release_manifest.json")

    lines, head, publishing_sequence = _ledger_excerpt(ledger, release_id)
    (out / LEDGER_EXCERPT).write_text("".join(line + "\n" for line in lines))

    marts = sorted(release_manifest.get("tables") or tables)
    for mart in marts:
        result = quality / "latest" / f"{mart}.json"
        if result.is_file():
            (out / "quality_results").mkdir(exist_ok=True)
            shutil.copyfile(result, out / "quality_results" / result.name)

    files = {
        p.relative_to(out).as_posix(): file_sha256(p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    manifest = {
        "period": period.name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "created_at": datetime.now(UTC).isoformat(),
        "release_id": release_id,
        "database_sha256": file_sha256(database),
        "ledger_head_hash": head,
        "ledger_excerpt_head_hash": json.loads(lines[-1])["entry_hash"] if lines else None,
        "publishing_entry_sequence": publishing_sequence,
        "reports_missing": sorted(f for f, (t, _, _) in REPORTS.items() if t not in tables),
        "files": files,
    }
    key = signing_key()
    manifest["signature"] = {"algorithm": ALGORITHM, "value": sign(manifest, key)} if key else None
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _verify_chain(path: Path, manifest: dict[str, Any]) -> str | None:
    previous, count, entry = GENESIS, 0, {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            entry = json.loads(line)
        except ValueError:
            return f"{where}: not valid JSON"
        count += 1
        if entry.get("sequence") != count:
            return f"{where}: sequence {entry.get('sequence')} where {count} was expected"
        if entry.get("previous_hash") != previous:
            return f"{where}: previous_hash does not match the entry before it"
        if entry_hash(entry) != entry.get("entry_hash"):
            return f"{where}: content does not match its entry_hash (edited)"
        previous = entry["entry_hash"]
    if count and previous != manifest.get("ledger_excerpt_head_hash"):
        return f"{path.name}: last entry hash does not match manifest ledger_excerpt_head_hash"
    published = (entry.get("published") or {}).get("release_id")
    if manifest.get("publishing_entry_sequence") and published != manifest.get("release_id"):
        return f"{path.name}: last entry published {published}, not release {manifest.get('release_id')}"
    return None


def verify_pack(directory: Path) -> tuple[bool, str]:
    """Every file's hash against the manifest, then the excerpt's chain; name the first mismatch."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        return False, f"{MANIFEST}: missing from {directory}"
    try:
        manifest = json.loads(manifest_path.read_text())
        expected: dict[str, str] = manifest["files"]
    except (ValueError, KeyError, TypeError):
        return False, f"{MANIFEST}: not a pack manifest (no 'files' table)"
    present = {
        p.relative_to(directory).as_posix()
        for p in directory.rglob("*")
        if p.is_file() and p.name != MANIFEST
    }
    for name in sorted(set(expected) | present):
        if name not in present:
            return False, f"{name}: listed in the manifest but missing"
        if name not in expected:
            return False, f"{name}: not listed in the manifest"
        if file_sha256(directory / name) != expected[name]:
            return False, f"{name}: sha256 does not match the manifest"
    problem, seal = _check_signature(manifest)
    if problem:
        return False, problem
    if LEDGER_EXCERPT in expected:
        problem = _verify_chain(directory / LEDGER_EXCERPT, manifest)
        if problem:
            return False, problem
    return True, f"{len(expected)} files match the manifest, ledger excerpt chain intact; {seal}"


def _check_signature(manifest: dict[str, Any]) -> tuple[str | None, str]:
    """(problem, note) for the manifest's signature against AIUW_EVIDENCE_SIGNING_KEY."""
    signature = manifest.get("signature")
    signed = {k: v for k, v in manifest.items() if k != "signature"}
    key = signing_key()
    if not signature:
        if key:
            return (
                f"{MANIFEST}: unsigned although {KEY_ENV} is set (built without the key, or the "
                "signature was stripped)",
                "",
            )
        return None, f"manifest unsigned (no {KEY_ENV} was set when the pack was built)"
    if not key:
        return None, f"manifest signature not checked ({KEY_ENV} is not set)"
    if not isinstance(signature, dict) or not signature_matches(
        signed, signature.get("value", ""), key
    ):
        return (
            f"{MANIFEST}: signature does not match its content under {KEY_ENV}: the manifest was "
            "edited after the pack was sealed (e.g. a file's hash recomputed), or another key signed it",
            "",
        )
    return None, "manifest signature valid"
