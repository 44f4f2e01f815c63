"""`python -m orchestration.cli.findings`: the findings to remediate exported as Jira CSV and JSON from
a published release, and the round trip: export, mark one remediated in the CSV, import, rebuild, the
finding is remediated and the ledger, which entered the change, verifies.

The release is rpt_remediation built by dbt on the fixture of tests/dbt/test_remediation_dbt.py
(evaluated 2026-10-31; its figures are worked out there)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from evidence.ledger import Ledger
from evidence.remediation import register_changes
from governance.load import GOVERNANCE_DIR, load_governance
from orchestration.cli import evidence as evidence_cli
from orchestration.cli import findings
from tests.dbt.test_remediation_dbt import REGISTER, SELECT, seed
from tests.dbt_build import dbt_build
from warehouse.publish import current_dir, publish

HOLDER_KEY = "POL-007:openai:key-holder"
# still open or acknowledged, overdue first, then by due date
EXPORTED = [
    HOLDER_KEY,  # open, due 29 Sep
    "POL-004:app-support-assistant",  # acknowledged, due 8 Oct
    "POL-001:app-design-critique",  # acknowledged, due 10 Oct
    "POL-006:openai:key-gone",  # due 9 Nov
    "POL-007:aws_bedrock:123456789012",  # due 30 Dec
    "POL-008:app-payments-fraud-notes",  # re-raised, due 30 Dec
    "POL-007:openai:key-lead",  # due 23 Jan
]


class Site:
    """A governance directory, a landing zone, a warehouse, its releases and a ledger."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.governance = base / "governance"
        self.landing = base / "landing"
        self.database = base / "warehouse.duckdb"
        self.published = base / "published"
        self.ledger = Ledger(base / "evidence" / "ledger.jsonl", base / "anchor")

    @property
    def release(self) -> Path:
        return current_dir(self.published) / "warehouse.duckdb"

    def transform(self, run_id: str) -> dict:
        """What a transform run does for remediation: land governance, build, publish, and enter the
        register's changes in the ledger."""
        target = self.landing / "governance"
        target.mkdir(parents=True, exist_ok=True)
        for name, table in load_governance(self.governance).tables().items():
            pq.write_table(table, target / f"{name}.parquet")
        dbt_build(self.base, self.database, self.landing, SELECT, cautious=True)
        release = publish(self.database, self.published, ["rpt_remediation"], run_id)
        return self.ledger.append(
            {
                "run_id": run_id,
                "published": {"release_id": release.release_id},
                "remediation": register_changes(self.ledger.entries(), target),
            }
        )

    def rows(self) -> dict[str, dict]:
        with duckdb.connect(str(self.release), read_only=True) as con:
            cursor = con.execute("select * from rpt_remediation")
            names = [c[0] for c in cursor.description]
            return {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Site:
    site = Site(tmp_path_factory.mktemp("findings_cli"))
    shutil.copytree(
        GOVERNANCE_DIR, site.governance, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    (site.governance / "remediation.yml").write_text(REGISTER)
    seed(site.database)
    site.transform("run-first")
    return site


@pytest.fixture
def governed(site, monkeypatch) -> Site:
    monkeypatch.setenv("AIUW_GOVERNANCE_DIR", str(site.governance))
    monkeypatch.delenv("AIUW_EVIDENCE_SIGNING_KEY", raising=False)
    return site


def export(site: Site, kind: str, path: Path) -> str:
    code = findings.main(
        ["export", "--format", kind, "--output", str(path), "--database", str(site.release)]
    )
    assert code == 0
    return path.read_text()


def test_jira_csv_has_the_import_columns_and_one_ticket_per_finding_to_remediate(
    governed, tmp_path, capsys
):
    text = export(governed, "jira-csv", tmp_path / "findings.csv")
    assert f"7 findings to remediate (3 overdue) as jira-csv: {tmp_path / 'findings.csv'}" in (
        capsys.readouterr().out
    )
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == [
        "Summary", "Description", "Priority", "Labels", "Labels", "Labels", "Labels",
        "Due Date", "Finding Key", "Status", "Owner Team",
    ]  # fmt: skip
    tickets = [dict(zip(header[:3] + header[7:], r[:3] + r[7:], strict=True)) for r in rows]
    assert [t["Finding Key"] for t in tickets] == EXPORTED
    holder, support = tickets[0], tickets[1]
    assert holder == {
        "Summary": "[POL-007] shadow_credential: openai:key-holder",
        "Description": holder["Description"],
        "Priority": "Medium",
        "Due Date": "2026-09-29",
        "Finding Key": HOLDER_KEY,
        "Status": "To Do",
        "Owner Team": holder["Owner Team"],
    }
    assert "overdue by 32 days on 2026-10-31" in holder["Description"]
    assert "manager of the credential's holder, holder@example.com" in holder["Description"]
    assert rows[0][3:7] == [
        "ai-governance-finding",
        "policy-POL-007",
        "severity-medium",
        "team-payments",
    ]
    assert (support["Priority"], support["Status"]) == ("Highest", "In Progress")
    assert (
        "Status acknowledged set by sec@example.com on 2026-10-03 (SEC-1)"
        in (support["Description"])
    )
    unowned = next(r for r in rows if r[8] == "POL-007:aws_bedrock:123456789012")
    assert unowned[6] == "" and unowned[10] == ""  # no team label, no owner


def test_json_has_the_same_tickets(governed, tmp_path):
    tickets = json.loads(export(governed, "json", tmp_path / "findings.json"))
    assert [t["Finding Key"] for t in tickets] == EXPORTED
    assert set(tickets[0]) == {
        "Summary", "Description", "Priority", "Labels", "Due Date", "Finding Key", "Status",
        "Owner Team",
    }  # fmt: skip
    assert tickets[0]["Labels"][-1] == "team-payments"
    reraised = next(t for t in tickets if t["Finding Key"] == "POL-008:app-payments-fraud-notes")
    assert "Re-raised: marked remediated on 2026-09-30 (SEC-4)" in reraised["Description"]


def test_without_output_the_tickets_go_to_standard_output(governed, capsys):
    code = findings.main(["export", "--format", "json", "--database", str(governed.release)])
    out = capsys.readouterr()
    assert code == 0 and len(json.loads(out.out)) == 7
    assert out.err.strip() == "7 findings to remediate (3 overdue) as json"


def test_a_json_export_imports_back_and_an_unknown_status_writes_nothing(
    governed, tmp_path, capsys, monkeypatch
):
    copy = tmp_path / "governance"
    shutil.copytree(governed.governance, copy)
    monkeypatch.setenv("AIUW_GOVERNANCE_DIR", str(copy))
    path = tmp_path / "tickets.json"
    tickets = json.loads(export(governed, "json", path))
    capsys.readouterr()
    unchanged = [
        "import",
        str(path),
        "--by",
        "sec@example.com",
        "--database",
        str(governed.release),
    ]
    assert findings.main(unchanged) == 0
    assert "7 tickets, no status or ticket changed" in capsys.readouterr().out
    assert not (copy / "remediation_tickets.csv").exists()

    tickets[-1]["Status"] = "Parked"
    path.write_text(json.dumps(tickets))
    assert findings.main(unchanged) == 2
    err = capsys.readouterr().err
    assert "tickets.json: [6]: status 'Parked' is not mapped. Fix: use one of 'To Do'" in err
    assert not (copy / "remediation_tickets.csv").exists()

    tickets[-1]["Status"] = "Won't Do"
    path.write_text(json.dumps(tickets))
    assert findings.main(["import", str(path), "--database", str(governed.release)]) == 2
    assert "nobody to record as the one who set POL-007:openai:key-lead" in capsys.readouterr().err
    assert findings.main(unchanged) == 0
    imported = (copy / "remediation_tickets.csv").read_text().splitlines()
    assert len(imported) == 2 and imported[1].startswith("POL-007:openai:key-lead,risk_accepted,,")
    assert imported[1].endswith(",sec@example.com,,Won't Do")


def test_export_mark_remediated_import_rebuild_and_the_ledger_verifies(governed, tmp_path, capsys):
    path = tmp_path / "findings.csv"
    header, *rows = list(csv.reader(io.StringIO(export(governed, "jira-csv", path))))
    status, key = header.index("Status"), header.index("Finding Key")
    for row in rows:
        if row[key] == HOLDER_KEY:
            row[status] = "Done"
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    capsys.readouterr()

    args = ["import", str(path), "--by", "Sec@Example.com", "--database", str(governed.release)]
    assert findings.main(args) == 0
    assert "7 tickets, 1 changed (1 remediated)" in capsys.readouterr().out
    imported = (governed.governance / "remediation_tickets.csv").read_text().splitlines()
    assert len(imported) == 2 and imported[1].startswith(f"{HOLDER_KEY},remediated,,")
    assert imported[1].endswith(",sec@example.com,,Done")
    assert findings.main(args) == 0  # the same export again
    assert "no status or ticket changed" in capsys.readouterr().out

    entry = governed.transform("run-after-import")
    row = governed.rows()[HOLDER_KEY]
    assert (row["status"], row["status_source"], row["is_overdue"], row["days_overdue"]) == (
        "remediated",
        "ticket_import",
        False,
        0,
    )
    assert row["status_changed_by"] == "sec@example.com"
    assert row["status_changed_at"].date() > row["evaluated_date"] == date(2026, 10, 31)
    (change,) = entry["remediation"]
    assert {k: change[k] for k in ("source", "finding_key", "previous_status", "status")} == {
        "source": "ticket_import",
        "finding_key": HOLDER_KEY,
        "previous_status": None,
        "status": "remediated",
    }
    first = governed.ledger.entries()[0]["remediation"]
    assert len(first) == 6 and {c["source"] for c in first} == {"register"}
    assert governed.ledger.verify()[0]
    ledger = ["--ledger", str(governed.ledger.path), "--anchor-dir", str(governed.base / "anchor")]
    assert evidence_cli.main(["verify", *ledger]) == 0
    assert HOLDER_KEY not in export(governed, "jira-csv", tmp_path / "again.csv")
