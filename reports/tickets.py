"""The findings to remediate as importable tickets, read from a published release's rpt_remediation.

Two formats, with the same fields:
    jira-csv   Jira's CSV import: Summary, Description, Priority, Labels (one column per label, as
               Jira imports several), Due Date, Finding Key, Status, Owner Team
    json       a list of objects with those keys (Labels a list)

Finding Key (`<policy id>:<subject id>`) is what brings a ticket back: a ticket export that keeps it
(Jira exports a custom field as `Custom field (Finding Key)`) is read by governance.tickets through
remediation.yml's `ticket_import` mapping, and Status is written in that mapping's words, so an export
imported back unchanged changes nothing.

Tickets name people (a seat's holder, a credential's holder, who changed a status): the published
rpt_remediation holds their pseudonymous keys, so both functions read the release's restricted
people_directory (beside the DuckDB file) and put the emails back, as the register's finding keys
have them (warehouse.publish.read_directory).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from governance.schema import TicketImport
from warehouse.pseudonym import reidentify
from warehouse.publish import read_directory

FORMATS = ("jira-csv", "json")
PRIORITIES = {"critical": "Highest", "high": "High", "medium": "Medium", "low": "Low"}
SUMMARY_LIMIT = 255  # Jira's summary field
COLUMNS = [
    "finding_key",
    "policy_id",
    "rule",
    "severity",
    "subject_type",
    "subject_id",
    "owner_team_id",
    "owner_team_name",
    "owner_basis",
    "credential_holder",
    "status",
    "is_reraised",
    "ticket_id",
    "status_changed_at",
    "status_changed_by",
    "status_note",
    "first_seen_date",
    "last_seen_date",
    "opened_date",
    "evaluated_date",
    "sla_days",
    "due_date",
    "is_overdue",
    "days_overdue",
]


@dataclass(frozen=True)
class Ticket:
    summary: str
    description: str
    priority: str
    labels: list[str]
    due_date: date
    finding_key: str
    status: str
    owner_team: str

    def fields(self) -> dict[str, Any]:
        return {
            "Summary": self.summary,
            "Description": self.description,
            "Priority": self.priority,
            "Labels": self.labels,
            "Due Date": self.due_date.isoformat(),
            "Finding Key": self.finding_key,
            "Status": self.status,
            "Owner Team": self.owner_team,
        }


def findings_to_remediate(database: Path) -> list[dict[str, Any]]:
    """rpt_remediation's findings still open or acknowledged: overdue first, then by due date."""
    if not database.is_file():
        raise ValueError(f"no published warehouse at {database}: run the pipeline first")
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        }
        if "rpt_remediation" not in tables:
            raise ValueError(
                f"{database} has no rpt_remediation: it was published before remediation was"
                " tracked; run the transform again"
            )
        cursor = con.execute(
            f"select {', '.join(COLUMNS)} from rpt_remediation"
            " where status in ('open', 'acknowledged')"
            " order by is_overdue desc, due_date, finding_key"
        )
        rows = cursor.fetchall()
    people = read_directory(database.parent)
    return [
        {
            c: reidentify(v, people) if isinstance(v, str) else v
            for c, v in zip(COLUMNS, row, strict=True)
        }
        for row in rows
    ]


def _label(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def ticket_of(finding: dict[str, Any], mapping: TicketImport) -> Ticket:
    subject = f"{finding['subject_type']} {finding['subject_id']}"
    owner = finding["owner_team_name"] or finding["owner_team_id"]
    owner_line = {
        "application": f"Owner: {owner} (the application's owning team).",
        "credential_holder_manager": (
            f"Owner: {owner} (the team of the manager of the credential's holder,"
            f" {finding['credential_holder']})."
        ),
        "credential_holder": (
            f"Owner: {owner} (the team of the credential's holder, {finding['credential_holder']})."
        ),
        "unowned": "Owner: unknown (no application declares the credential and its holder is unknown).",
    }[finding["owner_basis"]]
    due = (
        f"overdue by {finding['days_overdue']} days on {finding['evaluated_date']}"
        if finding["is_overdue"]
        else f"as of {finding['evaluated_date']}"
    )
    lines = [
        f"Policy {finding['policy_id']} ({finding['rule']}, {finding['severity']}) found on {subject}.",
        owner_line,
        f"Opened {finding['opened_date']}, due {finding['due_date']} ({finding['sla_days']} days"
        f" for {finding['severity']}), {due}.",
        f"Evidence from {finding['first_seen_date']} to {finding['last_seen_date']}: rows of"
        f" fct_policy_violations with policy_id {finding['policy_id']} and subject_id"
        f" {finding['subject_id']}.",
    ]
    if finding["is_reraised"]:
        lines.append(
            f"Re-raised: marked remediated on {finding['status_changed_at']:%Y-%m-%d}"
            f" ({finding['ticket_id'] or 'no ticket'}) and seen again from {finding['opened_date']}."
        )
    elif finding["ticket_id"] or finding["status_note"]:
        lines.append(
            f"Status {finding['status']} set by {finding['status_changed_by']} on"
            f" {finding['status_changed_at']:%Y-%m-%d}"
            + (f" ({finding['ticket_id']})" if finding["ticket_id"] else "")
            + (f": {finding['status_note']}" if finding["status_note"] else ".")
        )
    lines.append(
        f"Keep the Finding Key ({finding['finding_key']}) on the ticket: importing a ticket export"
        " back (python -m orchestration.cli.findings import) sets the finding's status from it."
    )
    summary = f"[{finding['policy_id']}] {finding['rule']}: {finding['subject_id']}"
    labels = [
        "ai-governance-finding",
        _label(f"policy-{finding['policy_id']}"),
        _label(f"severity-{finding['severity']}"),
    ]
    if finding["owner_team_id"]:
        labels.append(_label(f"team-{finding['owner_team_id']}"))
    return Ticket(
        summary=summary if len(summary) <= SUMMARY_LIMIT else summary[: SUMMARY_LIMIT - 1] + "…",
        description="\n".join(lines),
        priority=PRIORITIES[finding["severity"]],
        labels=labels,
        due_date=finding["due_date"],
        finding_key=finding["finding_key"],
        status=mapping.ticket_status(finding["status"]),
        owner_team=owner or "",
    )


def render(tickets: list[Ticket], kind: str) -> str:
    """The tickets as a file of `kind` (one of FORMATS)."""
    if kind == "json":
        return json.dumps([t.fields() for t in tickets], indent=2, ensure_ascii=False) + "\n"
    if kind != "jira-csv":
        raise ValueError(f"format {kind!r}: expected one of {', '.join(FORMATS)}")
    width = max((len(t.labels) for t in tickets), default=1)
    header = ["Summary", "Description", "Priority", *["Labels"] * width, "Due Date"]
    header += ["Finding Key", "Status", "Owner Team"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for t in tickets:
        labels = [*t.labels, *[""] * (width - len(t.labels))]
        due = t.due_date.isoformat()
        writer.writerow(
            [
                t.summary,
                t.description,
                t.priority,
                *labels,
                due,
                t.finding_key,
                t.status,
                t.owner_team,
            ]
        )
    return out.getvalue()


def current_statuses(database: Path) -> dict[str, tuple[str, str | None]]:
    """finding key -> (status, ticket id) in the release, to tell an import what it changes; empty
    when there is no release or it does not track remediation."""
    if not database.is_file():
        return {}
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        }
        if "rpt_remediation" not in tables:
            return {}
        rows = con.execute("select finding_key, status, ticket_id from rpt_remediation").fetchall()
    people = read_directory(database.parent)
    return {reidentify(key, people): (status, ticket) for key, status, ticket in rows}
