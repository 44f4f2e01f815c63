"""rpt_remediation through dbt on a small fixture whose owners, statuses, ages and due dates are worked
out by hand below: the evaluated date is 2026-10-31 (the latest usage day), the SLA 7 / 30 / 90 / 180
days for critical / high / medium / low."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from governance.load import GOVERNANCE_DIR, load_governance
from governance.tickets import ImportedTicket, write_imported
from quality.gx import validate_dataframe
from tests.dbt_build import dbt_build

EVALUATED = date(2026, 10, 31)
SELECT = [
    "stg_governance__remediation_register",
    "stg_governance__remediation_tickets",
    "stg_governance__remediation_sla",
    "stg_governance__applications",
    "stg_governance__teams",
    "int_remediation_status",
    "rpt_remediation",
]
HOLDER, LEAD, LEAVER = "holder@example.com", "lead@example.com", "leaver@example.com"

REGISTER = """entries:
- policy: POL-004
  subject: app-support-assistant
  status: acknowledged
  ticket: SEC-1
  changed_at: '2026-10-03T10:00:00Z'
  changed_by: Sec@Example.com
- policy: POL-003
  subject: app-search-ranker
  status: risk_accepted
  ticket: GRC-2
  note: Accepted by the review board.
  changed_at: '2026-10-05T08:00:00+02:00'
  changed_by: risk@example.com
- policy: POL-009
  subject: app-brand-image-briefs
  status: remediated
  ticket: SEC-3
  changed_at: '2026-10-20T16:00:00Z'
  changed_by: sec@example.com
- policy: POL-008
  subject: app-payments-fraud-notes
  status: remediated
  ticket: SEC-4
  changed_at: '2026-09-30T12:00:00Z'
  changed_by: sec@example.com
- policy: POL-001
  subject: app-design-critique
  status: acknowledged
  ticket: SEC-5
  changed_at: '2026-10-15T00:00:00Z'
  changed_by: sec@example.com
- policy: POL-005
  subject: app-code-review-bot
  status: remediated
  changed_at: '2026-10-01'
  changed_by: sec@example.com
"""
TICKETS = [
    # older than the register's acknowledgement: the register's entry stands
    ("POL-004:app-support-assistant", "open", "SEC-1", datetime(2026, 10, 2), "To Do"),
    # the same moment as the register's entry: the register's entry stands
    ("POL-001:app-design-critique", "remediated", "SEC-5", datetime(2026, 10, 15), "Done"),
    # nobody entered it in the register: the ticket's status
    ("POL-006:openai:key-gone", "acknowledged", "SEC-6", datetime(2026, 10, 12), "In Progress"),
]


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


def violation_rows() -> list[tuple]:
    """(policy, rule, severity, subject type, subject, application, person, day, status)"""
    rows = []

    def add(policy, rule, severity, kind, subject, app, person, first, last, status="open"):
        rows.extend(
            (policy, rule, severity, kind, subject, app, person, d, status)
            for d in days(first, last)
        )

    app = "application"
    oct1, oct31 = date(2026, 10, 1), EVALUATED
    add("POL-004", "data_category_not_allowed", "critical", app, "app-support-assistant",
        "app-support-assistant", None, oct1, oct31)  # fmt: skip
    add("POL-003", "use_category_not_allowed_for_model", "high", app, "app-search-ranker",
        "app-search-ranker", None, oct1, oct31)  # fmt: skip
    add("POL-009", "retired_application_in_use", "medium", app, "app-brand-image-briefs",
        "app-brand-image-briefs", None, date(2026, 9, 1), date(2026, 10, 20))  # fmt: skip
    add("POL-008", "environment_not_approved", "medium", app, "app-payments-fraud-notes",
        "app-payments-fraud-notes", None, date(2026, 8, 1), oct31)  # fmt: skip
    add("POL-001", "model_not_approved_for_application", "high", app, "app-design-critique",
        "app-design-critique", None, date(2026, 8, 1), date(2026, 9, 9), "excepted")  # fmt: skip
    add("POL-001", "model_not_approved_for_application", "high", app, "app-design-critique",
        "app-design-critique", None, date(2026, 9, 10), oct31, "reraised")  # fmt: skip
    add("POL-001", "model_not_approved_for_application", "high", app, "app-growth-copywriter",
        "app-growth-copywriter", None, date(2026, 8, 1), oct31, "excepted")  # fmt: skip
    add("POL-007", "shadow_credential", "medium", "credential", "openai:key-holder", None,
        HOLDER, date(2026, 7, 1), oct31)  # fmt: skip
    add("POL-007", "shadow_credential", "medium", "credential", "openai:key-lead", None,
        LEAD, date(2026, 10, 25), oct31)  # fmt: skip
    add("POL-007", "shadow_credential", "medium", "credential", "aws_bedrock:123456789012",
        None, None, oct1, oct31)  # fmt: skip
    add("POL-006", "usage_by_inactive_person", "high", "credential", "openai:key-gone",
        "app-support-assistant", LEAVER, date(2026, 10, 10), oct31)  # fmt: skip
    return rows


# person id, email, team, manager, valid from, valid to
PEOPLE = [
    ("p-holder", HOLDER, "search", "p-boss-a", date(2026, 1, 1), date(2026, 10, 15)),
    ("p-holder", HOLDER, "brand", "p-boss-b", date(2026, 10, 15), None),
    ("p-boss-a", "a@example.com", "search", None, date(2026, 1, 1), None),
    ("p-boss-b", "b@example.com", "design", None, date(2026, 1, 1), date(2026, 10, 20)),
    ("p-boss-b", "b@example.com", "payments", None, date(2026, 10, 20), None),
    ("p-lead", LEAD, "support-ops", None, date(2026, 1, 1), None),
    ("p-leaver", LEAVER, "accounting", "p-boss-a", date(2026, 1, 1), None),
]


def seed(database: Path) -> None:
    with duckdb.connect(str(database)) as con:
        for schema in ("intermediate", "marts"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            """create or replace table marts.fct_policy_violations (
                policy_id varchar, rule varchar, severity varchar, subject_type varchar,
                subject_id varchar, application_id varchar, person_id varchar, usage_date date,
                status varchar)"""
        )
        con.executemany(
            "insert into marts.fct_policy_violations values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            violation_rows(),
        )
        con.execute("create or replace table intermediate.int_usage_governed (usage_date date)")
        con.execute("insert into intermediate.int_usage_governed values (?)", [EVALUATED])
        con.execute(
            """create or replace table intermediate.int_person_versions (
                person_id varchar, email varchar, team_id varchar, manager_person_id varchar,
                valid_from date, valid_to date)"""
        )
        con.executemany(
            "insert into intermediate.int_person_versions values (?, ?, ?, ?, ?, ?)", PEOPLE
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("remediation_dbt")
    governance = base / "governance"
    shutil.copytree(
        GOVERNANCE_DIR, governance, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    (governance / "remediation.yml").write_text(REGISTER)
    write_imported(
        governance / "remediation_tickets.csv",
        [
            ImportedTicket(key, status, ticket, at, "jira@example.com", None, word)
            for key, status, ticket, at, word in TICKETS
        ],
    )
    landing = base / "landing" / "governance"
    landing.mkdir(parents=True)
    for name, table in load_governance(governance).tables().items():
        pq.write_table(table, landing / f"{name}.parquet")
    database = base / "warehouse.duckdb"
    seed(database)
    dbt_build(base, database, base / "landing", SELECT, cautious=True)
    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.sql("select * from marts.rpt_remediation").df()
        cursor = con.execute("select * from marts.rpt_remediation")
        names = [c[0] for c in cursor.description]
        rows = {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}
    return {"rows": rows, "frame": frame}


def test_one_row_per_open_finding(built):
    assert set(built["rows"]) == {
        "POL-004:app-support-assistant",
        "POL-003:app-search-ranker",
        "POL-009:app-brand-image-briefs",
        "POL-008:app-payments-fraud-notes",
        "POL-001:app-design-critique",
        "POL-007:openai:key-holder",
        "POL-007:openai:key-lead",
        "POL-007:aws_bedrock:123456789012",
        "POL-006:openai:key-gone",
    }  # not the copywriter (excepted), not POL-005 (in the register, never found)
    assert {r["evaluated_date"] for r in built["rows"].values()} == {EVALUATED}


def picked(row: dict, *names: str) -> tuple:
    return tuple(row[n] for n in names)


FIGURES = (
    "status",
    "opened_date",
    "age_days",
    "sla_days",
    "due_date",
    "is_overdue",
    "days_overdue",
)


def test_acknowledged_and_past_its_seven_days_is_overdue(built):
    row = built["rows"]["POL-004:app-support-assistant"]
    # opened 1 Oct, critical: due 8 Oct; 31 Oct is 23 days later, 30 days after opening
    assert picked(row, *FIGURES) == (
        "acknowledged", date(2026, 10, 1), 30, 7, date(2026, 10, 8), True, 23,
    )  # fmt: skip
    assert picked(row, "ticket_id", "status_source", "status_changed_by") == (
        "SEC-1",
        "register",
        "sec@example.com",  # lower case; the later register entry beats the older ticket
    )
    assert picked(row, "owner_team_id", "owner_team_name", "owner_basis") == (
        "support-ops",
        row["owner_team_name"],
        "application",
    )
    assert row["owner_team_name"]


def test_risk_accepted_is_never_overdue_and_ages_until_accepted(built):
    row = built["rows"]["POL-003:app-search-ranker"]
    # accepted 5 Oct 06:00 UTC (08:00 +02:00), 4 days after opening; due 31 Oct, not overdue
    assert picked(row, *FIGURES) == (
        "risk_accepted", date(2026, 10, 1), 4, 30, date(2026, 10, 31), False, 0,
    )  # fmt: skip
    assert row["status_changed_at"] == datetime(2026, 10, 5, 6)
    assert row["status_note"] == "Accepted by the review board."


def test_remediated_and_gone_stays_remediated(built):
    row = built["rows"]["POL-009:app-brand-image-briefs"]
    # last evidence 20 Oct, remediated that day: 1 Sep .. 20 Oct is 49 days; medium: due 30 Nov
    assert picked(row, *FIGURES) == (
        "remediated", date(2026, 9, 1), 49, 90, date(2026, 11, 30), False, 0,
    )  # fmt: skip
    assert row["is_reraised"] is False and row["last_seen_date"] == date(2026, 10, 20)


def test_remediated_then_seen_again_is_open_from_the_day_it_reappeared(built):
    row = built["rows"]["POL-008:app-payments-fraud-notes"]
    # remediated 30 Sep, evidence on 1 Oct: re-raised, opened 1 Oct, due 30 Dec (90 days)
    assert picked(row, *FIGURES) == (
        "open", date(2026, 10, 1), 30, 90, date(2026, 12, 30), False, 0,
    )  # fmt: skip
    assert picked(row, "is_reraised", "ticket_id", "first_seen_date") == (
        True,
        "SEC-4",
        date(2026, 8, 1),
    )


def test_an_expired_exception_opens_the_finding_the_day_it_expired(built):
    row = built["rows"]["POL-001:app-design-critique"]
    # excepted to 9 Sep, re-raised from 10 Sep: high, due 10 Oct, 21 days overdue on 31 Oct;
    # the ticket's Done at the same moment as the register's acknowledgement does not win
    assert picked(row, *FIGURES) == (
        "acknowledged", date(2026, 9, 10), 51, 30, date(2026, 10, 10), True, 21,
    )  # fmt: skip
    assert row["status_source"] == "register" and row["is_reraised"] is False


def test_a_shadow_credential_belongs_to_its_holders_managers_team_on_its_last_day(built):
    row = built["rows"]["POL-007:openai:key-holder"]
    # the holder moved to brand on 15 Oct under p-boss-b, who moved to payments on 20 Oct
    assert picked(row, "owner_team_id", "owner_basis", "credential_holder") == (
        "payments",
        "credential_holder_manager",
        HOLDER,
    )
    # opened 1 Jul, medium: due 29 Sep, 32 days overdue, open for 122 days
    assert picked(row, *FIGURES) == (
        "open", date(2026, 7, 1), 122, 90, date(2026, 9, 29), True, 32,
    )  # fmt: skip
    assert row["status_source"] is None and row["ticket_id"] is None


def test_a_holder_without_a_manager_owns_it_and_nobody_owns_an_unknown_holders(built):
    lead = built["rows"]["POL-007:openai:key-lead"]
    assert picked(lead, "owner_team_id", "owner_basis") == ("support-ops", "credential_holder")
    assert picked(lead, *FIGURES) == (
        "open", date(2026, 10, 25), 6, 90, date(2027, 1, 23), False, 0,
    )  # fmt: skip
    account = built["rows"]["POL-007:aws_bedrock:123456789012"]
    assert picked(account, "owner_team_id", "owner_basis", "credential_holder") == (
        None,
        "unowned",
        None,
    )


def test_a_leavers_declared_key_belongs_to_the_application_and_takes_the_tickets_status(built):
    row = built["rows"]["POL-006:openai:key-gone"]
    assert picked(row, "owner_team_id", "owner_basis", "credential_holder") == (
        "support-ops",
        "application",
        None,
    )
    # opened 10 Oct, high: due 9 Nov
    assert picked(row, *FIGURES) == (
        "acknowledged", date(2026, 10, 10), 21, 30, date(2026, 11, 9), False, 0,
    )  # fmt: skip
    assert picked(row, "ticket_id", "status_source", "status_changed_by") == (
        "SEC-6",
        "ticket_import",
        "jira@example.com",
    )


def test_the_quality_suite_passes_on_the_result(built):
    outcome = validate_dataframe("rpt_remediation", built["frame"])
    assert outcome.success, outcome.failures
