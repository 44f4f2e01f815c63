"""The remediation register, its SLA and ticket exports validate with file, line and fix, and land as
the tables dbt reads."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest

from connectors.errors import ConfigError
from governance.load import GOVERNANCE_DIR, load_governance
from governance.schema import TicketImport
from governance.tickets import (
    IMPORTED_COLUMNS,
    merge,
    read_imported,
    read_ticket_export,
    write_imported,
)


@pytest.fixture
def gov(tmp_path):
    target = tmp_path / "gov"
    shutil.copytree(GOVERNANCE_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def line_of(path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def refused(gov) -> str:
    with pytest.raises(ConfigError) as raised:
        load_governance(gov)
    return str(raised.value)


def test_the_example_register_lands_with_its_sla(gov):
    tables = load_governance(gov).tables()
    register = {r["finding_key"]: r for r in tables["remediation_register"].to_pylist()}
    assert {k: r["status"] for k, r in register.items()} == {
        "POL-004:app-support-assistant": "acknowledged",
        "POL-003:app-search-ranker": "risk_accepted",
        "POL-009:app-brand-image-briefs": "remediated",
    }
    remediated = register["POL-009:app-brand-image-briefs"]
    assert remediated["changed_at"] == datetime(2026, 9, 21, 16)  # UTC, without a zone
    assert (remediated["policy_id"], remediated["subject_id"]) == (
        "POL-009",
        "app-brand-image-briefs",
    )
    assert str(tables["remediation_register"].schema.field("changed_at").type) == "timestamp[us]"
    sla = {r["severity"]: r["sla_days"] for r in tables["remediation_sla"].to_pylist()}
    assert sla == {"critical": 7, "high": 30, "medium": 90, "low": 180}
    assert tables["remediation_tickets"].num_rows == 0
    assert "ticket_status" in tables["remediation_tickets"].schema.names


def test_without_the_files_every_finding_is_open_on_the_default_days(gov):
    before = load_governance(gov).snapshot_hash()
    (gov / "remediation.yml").unlink()
    (gov / "remediation_sla.yml").unlink()
    governance = load_governance(gov)
    tables = governance.tables()
    assert tables["remediation_register"].num_rows == 0
    assert {r["severity"]: r["sla_days"] for r in tables["remediation_sla"].to_pylist()} == {
        "critical": 7,
        "high": 30,
        "medium": 90,
        "low": 180,
    }
    assert governance.snapshot_hash() != before  # the register is part of the governance hash


def test_a_bad_status_names_file_line_and_the_allowed_values(gov):
    path = gov / "remediation.yml"
    path.write_text(path.read_text().replace("status: risk_accepted", "status: accepted"))
    message = refused(gov)
    assert f"{path}:{line_of(path, 'status: accepted')}: entries[1].status:" in message
    assert "Fix: use one of 'open', 'acknowledged', 'remediated' or 'risk_accepted'" in message


def test_an_unknown_policy_and_an_unknown_application_are_refused(gov):
    path = gov / "remediation.yml"
    text = path.read_text().replace("policy: POL-003", "policy: POL-099")
    path.write_text(text.replace("subject: app-brand-image-briefs", "subject: app-brand-briefs"))
    message = refused(gov)
    assert (
        f"{path}:{line_of(path, 'POL-099')}: entries[1].policy: unknown policy 'POL-099'."
        " Fix: use a policy id from policies.yml." in message
    )
    assert (
        f"{path}:{line_of(path, 'app-brand-briefs')}: entries[2].subject: unknown application"
        " 'app-brand-briefs'" in message
    )


def test_a_finding_entered_twice_is_refused_naming_both(gov):
    path = gov / "remediation.yml"
    path.write_text(
        path.read_text()
        + """- policy: POL-004
  subject: app-support-assistant
  status: remediated
  changed_at: '2026-09-30'
  changed_by: ciso@example-corp.com
"""
    )
    message = refused(gov)
    assert (
        "entries[3]: a second entry for POL-004:app-support-assistant (the first is entries[0])."
        in message
    )
    assert "Fix: keep one entry per finding with its latest status." in message


def test_a_credential_subject_needs_no_declaration_but_a_valid_email(gov):
    path = gov / "remediation.yml"
    path.write_text(
        path.read_text()
        + """- policy: POL-007
  subject: openai:key_37b87f5d580537b0
  status: acknowledged
  changed_at: '2026-09-30'
  changed_by: not an email
"""
    )
    message = refused(gov)
    assert f"{path}:{line_of(path, 'not an email')}: entries[3].changed_by:" in message
    path.write_text(path.read_text().replace("not an email", "sec@example-corp.com"))
    keys = {e.finding_key for e in load_governance(gov).remediation.entries}
    assert "POL-007:openai:key_37b87f5d580537b0" in keys


def test_sla_days_must_grow_as_severity_falls(gov):
    path = gov / "remediation_sla.yml"
    path.write_text("days:\n  critical: 40\n  high: 30\n  medium: 90\n")
    message = refused(gov)
    assert "days.low: Field required. Fix: add this field." in message
    path.write_text("days:\n  critical: 40\n  high: 30\n  medium: 90\n  low: 180\n")
    assert "critical <= high <= medium <= low" in refused(gov)


JIRA_CSV = """Summary,Issue key,Issue id,Status,Priority,Labels,Labels,Updated,Assignee,Custom field (Finding Key)
Shadow key,SEC-7,10007,Done,Medium,aiuw,policy-POL-007,02/Oct/26 9:15 AM,sec@example-corp.com,POL-007:openai:key_37b87f5d580537b0
Support,SEC-8,10008,In Progress,Highest,aiuw,policy-POL-004,2026-10-03T08:00:00+02:00,Jane Doe,POL-004:app-support-assistant
"""


def test_a_jira_csv_export_reads_through_the_default_mapping(tmp_path):
    path = tmp_path / "jira.csv"
    path.write_text(JIRA_CSV)
    shadow, support = read_ticket_export(path, TicketImport())
    assert (shadow.finding_key, shadow.status, shadow.ticket, shadow.ticket_status) == (
        "POL-007:openai:key_37b87f5d580537b0",
        "remediated",
        "SEC-7",
        "Done",
    )
    assert shadow.changed_at == datetime(2026, 10, 2, 9, 15)
    assert shadow.changed_by == "sec@example-corp.com"
    assert support.status == "acknowledged" and support.changed_at == datetime(2026, 10, 3, 6)
    assert support.changed_by is None  # a display name is not an address
    assert shadow.where == "jira.csv:2"


def test_a_bad_ticket_export_names_each_line_and_the_fix(tmp_path):
    path = tmp_path / "jira.csv"
    path.write_text(
        JIRA_CSV.replace("In Progress", "Parked").replace("POL-004:app", "POL-4:app")
        + "Again,SEC-9,10009,Done,Low,,,,,POL-007:openai:key_37b87f5d580537b0\n"
    )
    with pytest.raises(ConfigError) as raised:
        read_ticket_export(path, TicketImport())
    message = str(raised.value)
    assert "jira.csv:3: finding key 'POL-4:app-support-assistant' is not <policy id>:<subject>" in (
        message
    )
    assert "jira.csv:3: status 'Parked' is not mapped. Fix: use one of 'To Do'" in message
    assert (
        "jira.csv:4: finding POL-007:openai:key_37b87f5d580537b0 also on jira.csv:2."
        " Fix: keep one ticket per finding." in message
    )
    path.write_text("Summary,Status\nx,Done\n")
    with pytest.raises(ConfigError, match=r"jira.csv:1: no column 'Finding Key' in the header"):
        read_ticket_export(path, TicketImport())


def test_jira_search_json_reads_through_dotted_paths(tmp_path):
    path = tmp_path / "search.json"
    path.write_text(
        json.dumps(
            {
                "issues": [
                    {
                        "key": "SEC-11",
                        "fields": {
                            "status": {"name": "Won't Do"},
                            "updated": "2026-10-05T10:00:00.000+0000",
                            "customfield_10042": "POL-003:app-search-ranker",
                            "assignee": {"emailAddress": "risk@example-corp.com"},
                        },
                    }
                ]
            }
        )
    )
    mapping = TicketImport.model_validate(
        {
            "columns": {
                "finding_key": "fields.customfield_10042",
                "status": "fields.status",
                "ticket": "key",
                "changed_at": "fields.updated",
                "changed_by": "fields.assignee",
                "note": None,
            }
        }
    )
    (ticket,) = read_ticket_export(path, mapping)
    assert (ticket.finding_key, ticket.status, ticket.ticket, ticket.changed_by) == (
        "POL-003:app-search-ranker",
        "risk_accepted",
        "SEC-11",
        "risk@example-corp.com",
    )
    assert ticket.where == "search.json: issues[0]"


def test_imported_tickets_merge_land_and_are_checked_against_policies(gov, tmp_path):
    path = tmp_path / "jira.csv"
    path.write_text(JIRA_CSV)
    at = datetime(2026, 10, 6, 12)
    rows, changed = merge([], read_ticket_export(path, TicketImport()), at, "importer@example.com")
    assert len(changed) == 2
    again, none = merge(rows, read_ticket_export(path, TicketImport()), at, "x@example.com")
    assert again == rows and none == []  # the same export twice changes nothing
    write_imported(gov / "remediation_tickets.csv", rows)
    assert (gov / "remediation_tickets.csv").read_text().splitlines()[0] == ",".join(
        IMPORTED_COLUMNS
    )
    governance = load_governance(gov)
    landed = governance.tables()["remediation_tickets"].to_pylist()
    assert {(r["finding_key"], r["status"], r["changed_by"]) for r in landed} == {
        ("POL-007:openai:key_37b87f5d580537b0", "remediated", "sec@example-corp.com"),
        ("POL-004:app-support-assistant", "acknowledged", "importer@example.com"),
    }
    tickets = gov / "remediation_tickets.csv"
    tickets.write_text(tickets.read_text().replace("POL-007:", "POL-077:"))
    message = refused(gov)
    assert f"{tickets}:" in message and "unknown policy 'POL-077'" in message
    tickets.write_text(tickets.read_text().replace(",remediated,", ",fixed,"))
    with pytest.raises(ConfigError, match=r"remediation_tickets.csv:3: status: Input should be"):
        read_imported(tickets)
