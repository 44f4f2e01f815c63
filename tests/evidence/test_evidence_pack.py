"""Evidence packs: period findings, the ledger excerpt and quality results, sealed and verified by hash."""

from __future__ import annotations

import csv
import json
from datetime import date

import duckdb
import pytest

from evidence.ledger import Ledger
from evidence.pack import Period, build_pack, verify_pack
from orchestration.cli import evidence as evidence_cli
from warehouse.landing import file_sha256

RELEASE = "20261001T020000000000Z_run00003"
KEY = "pack-key-TEST-2b8e4f1c-do-not-leak"
SIGNATURE_MISMATCH = (
    "manifest.json: signature does not match its content under AIUW_EVIDENCE_SIGNING_KEY: the "
    "manifest was edited after the pack was sealed (e.g. a file's hash recomputed), or another key "
    "signed it"
)
VIOLATIONS = [
    # usage_date, policy, rule, severity, subject_type, subject_id, app, person, status, exception, controls
    (
        "2026-06-30",
        "P-001",
        "unapproved_model",
        "high",
        "application",
        "app-a",
        "app-a",
        None,
        "open",
        None,
        "EU-AIA-12",
    ),
    (
        "2026-07-01",
        "P-001",
        "unapproved_model",
        "high",
        "application",
        "app-a",
        "app-a",
        None,
        "open",
        None,
        "EU-AIA-12",
    ),
    (
        "2026-07-02",
        "P-001",
        "unapproved_model",
        "high",
        "application",
        "app-a",
        "app-a",
        None,
        "excepted",
        "EX-7",
        "EU-AIA-12",
    ),
    (
        "2026-07-05",
        "P-001",
        "unapproved_model",
        "high",
        "application",
        "app-a",
        "app-a",
        None,
        "reraised",
        "EX-7",
        "EU-AIA-12",
    ),
    (
        "2026-09-30",
        "P-002",
        "leaver_access",
        "critical",
        "person",
        "p-9",
        "app-b",
        "p-9",
        "open",
        None,
        "ISO-A.9.2; NIST-GV-1",
    ),
    (
        "2026-10-01",
        "P-002",
        "leaver_access",
        "critical",
        "person",
        "p-9",
        "app-b",
        "p-9",
        "open",
        None,
        "ISO-A.9.2; NIST-GV-1",
    ),
]


def published_release(root):
    """A hand-built published release: the four marts the pack reads, a manifest and `current`."""
    directory = root / "published" / "releases" / RELEASE
    directory.mkdir(parents=True)
    with duckdb.connect(str(directory / "warehouse.duckdb")) as con:
        con.execute(
            """create table fct_policy_violations (usage_date date, policy_id varchar, rule varchar,
               severity varchar, subject_type varchar, subject_id varchar, application_id varchar,
               person_id varchar, status varchar, exception_id varchar, control_references varchar)"""
        )
        con.executemany(
            "insert into fct_policy_violations values (?,?,?,?,?,?,?,?,?,?,?)", VIOLATIONS
        )
        con.execute(
            """create table rpt_control_coverage as select * from (values
               ('EU AI Act', 'EU-AIA-12', 'P-001', 3::bigint), ('ISO/IEC 42001', 'ISO-A.9.2', 'P-002', 2::bigint))
               t(framework, control_reference, policy_id, open_violations)"""
        )
        con.execute(
            """create table rpt_shadow_ai as select * from (values
               ('cred-old', date '2026-01-01', date '2026-06-30'),
               ('cred-new', date '2026-06-20', date '2026-07-03'))
               t(credential_id, first_seen_date, last_seen_date)"""
        )
        con.execute(
            """create table rpt_access_anomalies as select * from (values
               ('leaver_credential', 'p-9', date '2026-09-30', date '2026-10-01'),
               ('new_person', 'p-1', date '2026-10-02', date '2026-10-04'))
               t(anomaly_type, person_id, first_date, last_date)"""
        )
        con.execute(
            """create table rpt_remediation as select * from (values
               ('P-001:app-a', 'acknowledged', 'SEC-1', date '2026-07-01', date '2026-07-05'),
               ('P-003:app-c', 'open', null, date '2026-10-01', date '2026-10-02'))
               t(finding_key, status, ticket_id, first_seen_date, last_seen_date)"""
        )
    tables = [
        "fct_policy_violations",
        "rpt_access_anomalies",
        "rpt_control_coverage",
        "rpt_remediation",
        "rpt_shadow_ai",
    ]
    (directory / "manifest.json").write_text(
        json.dumps({"release_id": RELEASE, "run_id": "run00003", "tables": {t: {} for t in tables}})
    )
    (root / "published" / "current").symlink_to(f"releases/{RELEASE}", target_is_directory=True)
    quality = root / "quality" / "latest"
    quality.mkdir(parents=True)
    (quality / "fct_policy_violations.json").write_text(
        '{"suite": "fct_policy_violations", "success": true}'
    )
    (quality / "dim_model.json").write_text(
        '{"suite": "dim_model", "success": true}'
    )  # not published
    return root / "published"


def ledger_with_runs(root) -> Ledger:
    ledger = Ledger(root / "evidence" / "ledger.jsonl")
    ledger.append(
        {"run_id": "run00001", "partitions": {"partition": "2026-06-30"}, "published": None}
    )
    ledger.append({"run_id": "run00002", "published": {"release_id": "older", "tables": {}}})
    ledger.append({"run_id": "run00003", "published": {"release_id": RELEASE, "tables": {}}})
    ledger.append(
        {"run_id": "run00004", "published": None}
    )  # after the release: not in the excerpt
    return ledger


@pytest.fixture(autouse=True)
def no_signing_key(monkeypatch):
    monkeypatch.delenv("AIUW_EVIDENCE_SIGNING_KEY", raising=False)


@pytest.fixture
def pack(tmp_path):
    published = published_release(tmp_path)
    ledger = ledger_with_runs(tmp_path)
    out = tmp_path / "pack"
    manifest = build_pack(
        published, ledger.path, tmp_path / "quality", Period.parse("2026-Q3"), out
    )
    return out, manifest, ledger


def read_csv(path):
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_periods_parse_to_inclusive_days():
    assert Period.parse("2026-Q3") == Period("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
    assert Period.parse("2026-12").end == date(2026, 12, 31)
    assert Period.parse("2028-02").end == date(2028, 2, 29)
    with pytest.raises(ValueError, match="expected YYYY-Qn"):
        Period.parse("Q3-2026")
    with pytest.raises(ValueError, match="before its start"):
        Period.between(date(2026, 7, 2), date(2026, 7, 1))


def test_findings_are_the_period_violations_per_policy_and_subject(pack):
    out, _, _ = pack
    assert read_csv(out / "findings.csv") == [
        {
            "policy_id": "P-001",
            "rule": "unapproved_model",
            "severity": "high",
            "subject_type": "application",
            "subject_id": "app-a",
            "application_ids": "app-a",
            "person_ids": "",
            "first_day": "2026-07-01",
            "last_day": "2026-07-05",
            "days": "3",
            "open_days": "1",
            "excepted_days": "1",
            "reraised_days": "1",
            "exception_ids": "EX-7",
            "control_references": "EU-AIA-12",
        },
        {
            "policy_id": "P-002",
            "rule": "leaver_access",
            "severity": "critical",
            "subject_type": "person",
            "subject_id": "p-9",
            "application_ids": "app-b",
            "person_ids": "p-9",
            "first_day": "2026-09-30",
            "last_day": "2026-09-30",
            "days": "1",
            "open_days": "1",
            "excepted_days": "0",
            "reraised_days": "0",
            "exception_ids": "",
            "control_references": "ISO-A.9.2; NIST-GV-1",
        },
    ]  # 2026-06-30 (the day before) and 2026-10-01 (the day after) are left out


def test_reports_are_filtered_to_the_period_where_dated(pack):
    out, _, _ = pack
    assert [r["credential_id"] for r in read_csv(out / "shadow_ai.csv")] == ["cred-new"]
    assert [r["anomaly_type"] for r in read_csv(out / "access_anomalies.csv")] == [
        "leaver_credential"
    ]
    assert [r["control_reference"] for r in read_csv(out / "control_coverage.csv")] == [
        "EU-AIA-12",
        "ISO-A.9.2",
    ]
    assert [
        (r["finding_key"], r["status"], r["ticket_id"]) for r in read_csv(out / "remediation.csv")
    ] == [("P-001:app-a", "acknowledged", "SEC-1")]


def test_manifest_ledger_excerpt_and_quality_results(pack, tmp_path):
    out, manifest, ledger = pack
    entries = ledger.entries()
    excerpt = [json.loads(line) for line in (out / "ledger_excerpt.jsonl").read_text().splitlines()]
    assert [e["run_id"] for e in excerpt] == ["run00001", "run00002", "run00003"]
    assert manifest["release_id"] == RELEASE
    assert manifest["ledger_head_hash"] == entries[-1]["entry_hash"]
    assert manifest["ledger_excerpt_head_hash"] == entries[2]["entry_hash"]
    assert manifest["publishing_entry_sequence"] == 3
    assert manifest["reports_missing"] == []
    database = tmp_path / "published" / "releases" / RELEASE / "warehouse.duckdb"
    assert manifest["database_sha256"] == file_sha256(database)
    assert sorted(manifest["files"]) == [
        "access_anomalies.csv",
        "control_coverage.csv",
        "findings.csv",
        "ledger_excerpt.jsonl",
        "quality_results/fct_policy_violations.json",
        "release_manifest.json",
        "remediation.csv",
        "shadow_ai.csv",
    ]
    assert manifest["files"]["findings.csv"] == file_sha256(out / "findings.csv")
    assert manifest["signature"] is None
    assert verify_pack(out) == (
        True,
        "8 files match the manifest, ledger excerpt chain intact; manifest unsigned (no "
        "AIUW_EVIDENCE_SIGNING_KEY was set when the pack was built)",
    )


def test_an_edited_findings_byte_is_named(pack):
    out, _, _ = pack
    data = bytearray((out / "findings.csv").read_bytes())
    data[-2] ^= 0x01
    (out / "findings.csv").write_bytes(bytes(data))
    assert verify_pack(out) == (False, "findings.csv: sha256 does not match the manifest")


def test_an_edited_ledger_line_is_named_even_when_the_manifest_is_rehashed(pack):
    out, _, _ = pack
    path = out / "ledger_excerpt.jsonl"
    path.write_text(path.read_text().replace("run00002", "run0000X"))
    assert verify_pack(out) == (False, "ledger_excerpt.jsonl: sha256 does not match the manifest")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"]["ledger_excerpt.jsonl"] = file_sha256(path)
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert verify_pack(out) == (
        False,
        "ledger_excerpt.jsonl line 2: content does not match its entry_hash (edited)",
    )


def test_a_missing_or_added_file_is_named(pack):
    out, _, _ = pack
    (out / "extra.txt").write_text("x")
    assert verify_pack(out) == (False, "extra.txt: not listed in the manifest")
    (out / "extra.txt").unlink()
    (out / "shadow_ai.csv").unlink()
    assert verify_pack(out) == (False, "shadow_ai.csv: listed in the manifest but missing")


def test_the_commands_write_and_verify_a_pack(tmp_path, monkeypatch, capsys):
    published_release(tmp_path)
    ledger_with_runs(tmp_path)
    monkeypatch.setenv("AIUW_DATA_DIR", str(tmp_path))
    for name in ("LANDING_DIR", "WAREHOUSE_PATH", "PUBLISHED_DIR", "QUALITY_DIR", "EVIDENCE_DIR"):
        monkeypatch.delenv(f"AIUW_{name}", raising=False)
    assert evidence_cli.main(["pack", "--start", "2026-07-01", "--end", "2026-07-31"]) == 0
    out = tmp_path / "evidence" / "packs" / "2026-07-01_2026-07-31"
    assert [r["days"] for r in read_csv(out / "findings.csv")] == ["3"]
    assert evidence_cli.main(["verify-pack", str(out)]) == 0
    assert "chain intact" in capsys.readouterr().out
    (out / "findings.csv").write_text("tampered\n")
    assert evidence_cli.main(["verify-pack", str(out)]) == 1
    assert "findings.csv: sha256 does not match" in capsys.readouterr().err
    assert evidence_cli.main(["pack", "--period", "2026-Q3", "--start", "2026-07-01"]) == 2
    assert "either --period" in capsys.readouterr().err
    assert evidence_cli.main(["pack", "--start", "2026-07-01", "--end", "2026-07-31"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_release_mismatch_in_the_manifest_is_named(pack):
    out, _, _ = pack
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["release_id"] = "some-other-release"
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert verify_pack(out) == (
        False,
        f"ledger_excerpt.jsonl: last entry published {RELEASE}, not release some-other-release",
    )


def test_a_failed_pack_leaves_nothing_behind(tmp_path):
    published = published_release(tmp_path)
    with duckdb.connect(str(published / "current" / "warehouse.duckdb")) as con:
        con.execute("drop table fct_policy_violations")
    out = tmp_path / "packs" / "2026-Q3"
    with pytest.raises(ValueError, match="no fct_policy_violations table"):
        build_pack(published, tmp_path / "none.jsonl", tmp_path, Period.parse("2026-Q3"), out)
    assert list((tmp_path / "packs").iterdir()) == []


@pytest.fixture
def signed_pack(tmp_path, monkeypatch):
    monkeypatch.setenv("AIUW_EVIDENCE_SIGNING_KEY", KEY)
    published = published_release(tmp_path)
    ledger = ledger_with_runs(tmp_path)
    out = tmp_path / "pack"
    build_pack(published, ledger.path, tmp_path / "quality", Period.parse("2026-Q3"), out)
    return out


def rehash(out, name):
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"][name] = file_sha256(out / name)
    (out / "manifest.json").write_text(json.dumps(manifest))


def test_a_signed_pack_verifies_and_holds_no_key(signed_pack):
    manifest = json.loads((signed_pack / "manifest.json").read_text())
    assert manifest["signature"]["algorithm"] == "HMAC-SHA256"
    assert len(manifest["signature"]["value"]) == 64
    assert verify_pack(signed_pack) == (
        True,
        "8 files match the manifest, ledger excerpt chain intact; manifest signature valid",
    )
    files = [p for p in signed_pack.rglob("*") if p.is_file()]
    assert files and not [p for p in files if KEY.encode() in p.read_bytes()]


def test_an_edited_file_with_its_hash_recomputed_fails_the_signature(signed_pack):
    path = signed_pack / "findings.csv"
    path.write_text(path.read_text().replace("critical", "low"))
    assert verify_pack(signed_pack) == (False, "findings.csv: sha256 does not match the manifest")
    rehash(signed_pack, "findings.csv")
    assert verify_pack(signed_pack) == (False, SIGNATURE_MISMATCH)


def test_a_different_key_or_a_stripped_signature_fails(signed_pack, monkeypatch):
    monkeypatch.setenv("AIUW_EVIDENCE_SIGNING_KEY", "another-key")
    assert verify_pack(signed_pack) == (False, SIGNATURE_MISMATCH)
    monkeypatch.delenv("AIUW_EVIDENCE_SIGNING_KEY")
    assert verify_pack(signed_pack)[1].endswith(
        "manifest signature not checked (AIUW_EVIDENCE_SIGNING_KEY is not set)"
    )
    manifest = json.loads((signed_pack / "manifest.json").read_text())
    manifest["signature"] = None
    (signed_pack / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("AIUW_EVIDENCE_SIGNING_KEY", KEY)
    assert verify_pack(signed_pack) == (
        False,
        "manifest.json: unsigned although AIUW_EVIDENCE_SIGNING_KEY is set (built without the key, "
        "or the signature was stripped)",
    )


def test_the_verify_pack_command_names_a_forged_manifest(signed_pack, capsys):
    (signed_pack / "shadow_ai.csv").write_text("credential_id,first_seen_date,last_seen_date\n")
    rehash(signed_pack, "shadow_ai.csv")
    assert evidence_cli.main(["verify-pack", str(signed_pack)]) == 1
    assert "manifest.json: signature does not match" in capsys.readouterr().err
