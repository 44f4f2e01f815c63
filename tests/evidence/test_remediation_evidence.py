"""Each ledger entry lists the remediation register's changes since the entries before it: new rows,
changed statuses with their ticket, removed rows; nothing when nothing changed."""

from __future__ import annotations

import shutil
from datetime import datetime

import pyarrow.parquet as pq
import pytest

from evidence.ledger import Ledger
from evidence.remediation import recorded_register, register_changes
from governance.load import GOVERNANCE_DIR, load_governance
from governance.tickets import ImportedTicket, write_imported


@pytest.fixture(autouse=True)
def no_signing_key(monkeypatch):
    monkeypatch.delenv("AIUW_EVIDENCE_SIGNING_KEY", raising=False)


def land(governance, landing) -> None:
    landing.mkdir(parents=True, exist_ok=True)
    for name, table in load_governance(governance).tables().items():
        pq.write_table(table, landing / f"{name}.parquet")


def test_the_ledger_enters_each_register_change_once(tmp_path):
    governance, landing = tmp_path / "gov", tmp_path / "landing" / "governance"
    shutil.copytree(
        GOVERNANCE_DIR, governance, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    ledger = Ledger(tmp_path / "ledger.jsonl", tmp_path / "anchor")

    def run(run_id: str) -> list[dict]:
        land(governance, landing)
        entry = {"run_id": run_id, "remediation": register_changes(ledger.entries(), landing)}
        return ledger.append(entry)["remediation"]

    first = run("run-1")
    assert [(c["source"], c["finding_key"], c["previous_status"], c["status"]) for c in first] == [
        ("register", "POL-003:app-search-ranker", None, "risk_accepted"),
        ("register", "POL-004:app-support-assistant", None, "acknowledged"),
        ("register", "POL-009:app-brand-image-briefs", None, "remediated"),
    ]
    assert first[1] == {
        "source": "register",
        "finding_key": "POL-004:app-support-assistant",
        "previous_status": None,
        "status": "acknowledged",
        "ticket_id": "SEC-2288",
        "note": "Moving the Vertex traffic to a provider whose terms cover customer personal data.",
        "changed_at": "2026-09-05T09:30:00",
        "changed_by": "ciso@example-corp.com",
    }
    assert run("run-2") == []  # nothing changed

    register = governance / "remediation.yml"
    text = register.read_text().replace("status: acknowledged", "status: remediated")
    text = text.replace("'2026-09-05T09:30:00Z'", "'2026-10-01T08:00:00Z'")
    cut = text.index("- policy: POL-003")
    register.write_text(text[:cut] + text[text.index("- policy: POL-009") :])
    write_imported(
        governance / "remediation_tickets.csv",
        [
            ImportedTicket(
                "POL-007:otel:notebook-experiments",
                "acknowledged",
                "SEC-9",
                datetime(2026, 10, 2, 9),
                "sec@example-corp.com",
                None,
                "In Progress",
            )
        ],
    )
    third = run("run-3")
    assert [(c["source"], c["finding_key"], c["previous_status"], c["status"]) for c in third] == [
        ("register", "POL-003:app-search-ranker", "risk_accepted", None),
        ("register", "POL-004:app-support-assistant", "acknowledged", "remediated"),
        ("ticket_import", "POL-007:otel:notebook-experiments", None, "acknowledged"),
    ]
    assert third[1]["changed_at"] == "2026-10-01T08:00:00" and third[1]["ticket_id"] == "SEC-2288"
    assert third[0]["ticket_id"] is None  # removed from the register
    assert run("run-4") == []
    state = recorded_register(ledger.entries())
    assert {k: v["status"] for k, v in state.items()} == {
        ("register", "POL-004:app-support-assistant"): "remediated",
        ("register", "POL-009:app-brand-image-briefs"): "remediated",
        ("ticket_import", "POL-007:otel:notebook-experiments"): "acknowledged",
    }
    intact, message = ledger.verify()
    assert intact, message


def test_nothing_landed_is_nothing_to_enter(tmp_path):
    assert register_changes([], tmp_path / "no landing") == []
