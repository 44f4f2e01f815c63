"""Ticket exports in and out of the remediation register.

A ticket export (a Jira CSV export, or JSON) is read through the mapping of remediation.yml's
`ticket_import` (which column holds the finding key, the status, the ticket id, ...) into one row
per finding, and kept in the governance directory as the imported tickets file (`ticket_import.file`,
plain CSV in the register's words), which the governance loader validates and lands beside the
register. Every problem names the file, its line (CSV) or item (JSON), and a fix.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from connectors.errors import ConfigError
from governance.schema import (
    EMAIL,
    FINDING_KEY,
    RemediationEntry,
    RemediationStatus,
    TicketImport,
    utc_naive,
)

# The imported tickets file, in this column order.
IMPORTED_COLUMNS = [
    "finding_key",
    "status",
    "ticket",
    "changed_at",
    "changed_by",
    "note",
    "ticket_status",
]
# Jira's CSV export dates, e.g. 06/Dec/26 2:04 PM (the site's time zone: set it to UTC for exports).
JIRA_DATE_FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%d/%b/%y %H:%M", "%d/%b/%Y %H:%M")


@dataclass(frozen=True)
class ImportedTicket:
    """One finding's row of the imported tickets file."""

    finding_key: str
    status: RemediationStatus
    ticket: str | None
    changed_at: datetime
    changed_by: str
    note: str | None
    ticket_status: str

    @property
    def policy_id(self) -> str:
        return self.finding_key.split(":", 1)[0]

    @property
    def subject_id(self) -> str:
        return self.finding_key.split(":", 1)[1]

    def row(self) -> list[str]:
        return [
            self.finding_key,
            self.status,
            self.ticket or "",
            self.changed_at.isoformat(),
            self.changed_by,
            self.note or "",
            self.ticket_status,
        ]


@dataclass(frozen=True)
class ExportedTicket:
    """One ticket of an export as read through the mapping; changed_at and changed_by may be
    missing (the import fills them in)."""

    where: str
    finding_key: str
    status: RemediationStatus
    ticket_status: str
    ticket: str | None
    changed_at: datetime | None
    changed_by: str | None
    note: str | None


def parse_moment(text: str) -> datetime:
    """ISO 8601 (UTC unless it names an offset) or Jira's CSV export format, as naive UTC."""
    text = text.strip()
    try:
        return utc_naive(datetime.fromisoformat(text))
    except ValueError:
        pass
    for pattern in JIRA_DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date and time")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):  # Jira REST: {"name": "Done"}, {"emailAddress": ...}
        value = (
            value.get("name")
            or value.get("emailAddress")
            or value.get("displayName")
            or value.get("value")
        )
    text = str(value).strip() if value is not None else ""
    return text or None


def _at_path(item: Any, path: str) -> Any:
    if isinstance(item, dict) and path in item:
        return item[path]
    value = item
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _csv_records(path: Path, mapping: TicketImport) -> tuple[list[tuple[str, dict]], list[str]]:
    """(where, {field: text}) per data row, and the mapped columns the header lacks."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], []
    position: dict[str, int] = {}
    for i, name in enumerate(header):
        position.setdefault(name.strip(), i)  # a repeated header (Labels) keeps its first column
    columns: dict[str, int] = {}
    missing = []
    for field, column in mapping.columns.model_dump().items():
        if column is None:
            continue
        found = position.get(column, position.get(f"Custom field ({column})"))
        if found is not None:
            columns[field] = found
        elif field in ("finding_key", "status"):
            missing.append(column)
    records = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        values = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        records.append((f"{path.name}:{reader.line_num}", values))
    return records, missing


def _json_records(path: Path, mapping: TicketImport) -> list[tuple[str, dict]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ConfigError(
            f"{path}: not valid JSON ({error}). Fix: export the tickets again."
        ) from None
    items, where = (data.get("issues"), "issues") if isinstance(data, dict) else (data, "")
    if not isinstance(items, list):
        raise ConfigError(
            f"{path}: expected a list of tickets or an object with an `issues` list. Fix: export"
            " the tickets as a JSON list or as Jira's search result."
        )
    columns = {f: c for f, c in mapping.columns.model_dump().items() if c is not None}
    return [
        (f"{path.name}: {where}[{i}]", {f: _text(_at_path(item, c)) for f, c in columns.items()})
        for i, item in enumerate(items)
    ]


def read_ticket_export(path: Path, mapping: TicketImport) -> list[ExportedTicket]:
    """Every ticket of the export at `path` (.csv or .json), mapped to the register's words; raise
    ConfigError listing every problem."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such file. Fix: give the path of the ticket export.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        records, missing = _csv_records(path, mapping)
        if missing:
            raise ConfigError(
                f"{path}:1: no column {', '.join(repr(m) for m in missing)} in the header. Fix: "
                "export that field too, or name the export's column under ticket_import.columns "
                "in remediation.yml."
            )
    elif suffix == ".json":
        records = _json_records(path, mapping)
    else:
        raise ConfigError(
            f"{path}: not a .csv or .json file. Fix: export the tickets as CSV or JSON."
        )
    problems: list[str] = []
    tickets: list[ExportedTicket] = []
    seen: dict[str, str] = {}
    known = ", ".join(repr(s) for s in mapping.statuses)
    for where, values in records:
        key = (values.get("finding_key") or "").strip()
        ticket_status = (values.get("status") or "").strip()
        status = mapping.status_of(ticket_status)
        before = len(problems)
        if not re.match(FINDING_KEY, key):
            problems.append(
                f"{where}: finding key {key!r} is not <policy id>:<subject>. Fix: keep the"
                " column the findings export wrote (e.g. POL-004:app-support-assistant)."
            )
        elif key in seen:
            problems.append(
                f"{where}: finding {key} also on {seen[key]}. Fix: keep one ticket per finding."
            )
        if status is None:
            problems.append(
                f"{where}: status {ticket_status!r} is not mapped. Fix: use one of {known}, or map"
                " it under ticket_import.statuses in remediation.yml."
            )
        changed_at = None
        if values.get("changed_at"):
            try:
                changed_at = parse_moment(values["changed_at"])
            except ValueError as error:
                problems.append(f"{where}: {error}. Fix: use ISO 8601, e.g. 2026-10-02T09:30:00Z.")
        changed_by = values.get("changed_by") or None
        if changed_by and not re.match(EMAIL, changed_by):
            changed_by = None  # Jira exports a display name where there is no address
        if len(problems) > before:
            continue
        seen[key] = where
        tickets.append(
            ExportedTicket(
                where,
                key,
                status,
                ticket_status,
                values.get("ticket") or None,
                changed_at,
                changed_by,
                values.get("note") or None,
            )
        )
    if problems:
        raise ConfigError(
            f"invalid ticket export ({len(problems)} problem(s)):\n  " + "\n  ".join(problems)
        )
    return tickets


def read_imported(path: Path) -> list[ImportedTicket]:
    """The imported tickets file, each row checked by the register's own rules; raise ConfigError
    naming each bad line."""
    problems: list[str] = []
    rows: list[ImportedTicket] = []
    seen: dict[str, int] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != IMPORTED_COLUMNS:
            raise ConfigError(
                f"{path}:1: header {reader.fieldnames} is not {IMPORTED_COLUMNS}. Fix: write the"
                " file with `python -m orchestration.cli.findings import`, not by hand."
            )
        for values in reader:
            line = reader.line_num
            key = values["finding_key"]
            policy, _, subject = key.partition(":")
            try:
                entry = RemediationEntry(
                    policy=policy,
                    subject=subject,
                    status=values["status"],
                    ticket=values["ticket"] or None,
                    note=values["note"] or None,
                    changed_at=values["changed_at"],
                    changed_by=values["changed_by"],
                )
            except ValidationError as error:
                for item in error.errors():
                    field = ".".join(str(p) for p in item["loc"])
                    problems.append(
                        f"{path}:{line}: {field}: {item['msg']}. Fix: import the ticket export"
                        " again or correct the value."
                    )
                continue
            if key in seen:
                problems.append(
                    f"{path}:{line}: finding {key} also on line {seen[key]}. Fix: keep one row."
                )
                continue
            seen[key] = line
            rows.append(
                ImportedTicket(
                    key,
                    entry.status,
                    entry.ticket,
                    entry.changed_at,
                    entry.changed_by,
                    entry.note,
                    values["ticket_status"] or entry.status,
                )
            )
    if problems:
        raise ConfigError(
            f"invalid imported tickets ({len(problems)} problem(s)):\n  " + "\n  ".join(problems)
        )
    return rows


def merge(
    current: list[ImportedTicket],
    exported: list[ExportedTicket],
    imported_at: datetime,
    imported_by: str | None,
    published: dict[str, tuple[str, str | None]] | None = None,
) -> tuple[list[ImportedTicket], list[ImportedTicket]]:
    """The imported tickets after an import, and the rows it changed. A finding's row is replaced
    when its status or ticket changed; findings the export does not mention keep theirs. A ticket of
    a finding with no imported row yet that says what the release already shows (`published`:
    finding key -> status and ticket) adds none: an export imported back unchanged changes nothing.
    A changed row without changed_at gets `imported_at`, without changed_by `imported_by`."""
    rows = {r.finding_key: r for r in current}
    changed = []
    problems = []
    for ticket in exported:
        before = rows.get(ticket.finding_key)
        known = (published or {}).get(ticket.finding_key)
        if before is None and known and ticket.status == known[0]:
            if ticket.ticket in (None, known[1]):
                continue
        ticket_id = ticket.ticket or (before.ticket if before else None)
        if before and (before.status, before.ticket) == (ticket.status, ticket_id):
            continue
        changed_by = ticket.changed_by or imported_by
        if changed_by is None:
            problems.append(
                f"{ticket.where}: nobody to record as the one who set {ticket.finding_key}"
                f" {ticket.status}. Fix: pass --by EMAIL, or map changed_by under"
                " ticket_import.columns in remediation.yml."
            )
            continue
        changed_at = ticket.changed_at or imported_at
        if before and changed_at < before.changed_at:
            changed_at = imported_at  # a change after the row it replaces, whatever its date
        after = ImportedTicket(
            ticket.finding_key,
            ticket.status,
            ticket_id,
            changed_at,
            changed_by.lower(),
            ticket.note,
            ticket.ticket_status,
        )
        rows[ticket.finding_key] = after
        changed.append(after)
    if problems:
        raise ConfigError(
            f"tickets not imported ({len(problems)} problem(s)):\n  " + "\n  ".join(problems)
        )
    return sorted(rows.values(), key=lambda r: r.finding_key), changed


def write_imported(path: Path, rows: list[ImportedTicket]) -> None:
    """Write the imported tickets file whole, then rename it into place."""
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with temp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(IMPORTED_COLUMNS)
        writer.writerows(r.row() for r in rows)
    os.replace(temp, path)
