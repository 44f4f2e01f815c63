"""Remediation status changes for the evidence ledger.

Each transform run's ledger entry lists, under `remediation`, the rows of the remediation register
(governance/remediation.yml) and of the imported tickets that changed since the ledger last recorded
them: a new row, or a row whose status, ticket, note or who and when changed; a row that left the
register is recorded with status null. What the ledger holds is found by reading its earlier entries,
so the changes of every entry add up to the register as each run landed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

# landed governance table -> the `source` a change names
TABLES = {"remediation_register": "register", "remediation_tickets": "ticket_import"}
FIELDS = ("status", "ticket_id", "note", "changed_at", "changed_by")


def landed_register(governance_landing: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """(source, finding_key) -> the row's fields, as the governance asset landed them."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for table, source in TABLES.items():
        path = governance_landing / f"{table}.parquet"
        if not path.exists():
            continue
        for row in pq.read_table(path).to_pylist():
            changed_at = row["changed_at"]
            rows[(source, row["finding_key"])] = {
                "status": row["status"],
                "ticket_id": row["ticket_id"],
                "note": row["note"],
                "changed_at": changed_at.isoformat() if changed_at is not None else None,
                "changed_by": row["changed_by"],
            }
    return rows


def recorded_register(entries: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(source, finding_key) -> the row as the ledger's entries last recorded it (removed rows left out)."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in entries:
        for change in entry.get("remediation") or []:
            key = (change["source"], change["finding_key"])
            if change["status"] is None:
                rows.pop(key, None)
            else:
                rows[key] = {field: change.get(field) for field in FIELDS}
    return rows


def register_changes(
    entries: Iterable[dict[str, Any]], governance_landing: Path
) -> list[dict[str, Any]]:
    """The changes of the landed register since the ledger's `entries` recorded it, in key order."""
    before = recorded_register(entries)
    now = landed_register(governance_landing)
    changes = []
    for source, key in sorted(set(before) | set(now)):
        old, new = before.get((source, key)), now.get((source, key))
        if old == new:
            continue
        changes.append(
            {
                "source": source,
                "finding_key": key,
                "previous_status": old["status"] if old else None,
                **(new or dict.fromkeys(FIELDS)),
            }
        )
    return changes
