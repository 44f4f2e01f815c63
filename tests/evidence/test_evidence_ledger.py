"""The evidence ledger chains entries by hash, anchors its head elsewhere, and names what is broken."""

from __future__ import annotations

import itertools
import json

import pytest

from evidence.ledger import GENESIS, Ledger, entry_hash
from orchestration.cli import evidence as evidence_cli

KEY = "evidence-key-TEST-7d1e9b3a-do-not-leak"


@pytest.fixture(autouse=True)
def no_signing_key(monkeypatch):
    monkeypatch.delenv("AIUW_EVIDENCE_SIGNING_KEY", raising=False)


def filled(tmp_path, count: int = 4) -> Ledger:
    ledger = Ledger(tmp_path / "evidence" / "ledger.jsonl", tmp_path / "anchor")
    for i in range(count):
        ledger.append({"run_id": f"run-{i}", "published": {"tables": {"fct": {"rows": 10 + i}}}})
    return ledger


def rewrite(ledger: Ledger, entries: list[dict]) -> None:
    ledger.path.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))


def test_entries_are_sequenced_and_chained(tmp_path):
    ledger = filled(tmp_path)
    entries = ledger.entries()
    assert [e["sequence"] for e in entries] == [1, 2, 3, 4]
    assert entries[0]["previous_hash"] == GENESIS
    assert all(b["previous_hash"] == a["entry_hash"] for a, b in itertools.pairwise(entries))
    anchors = tmp_path / "anchor" / "ledger_anchors.jsonl"
    assert ledger.verify() == (
        True,
        f"4 entries, chain intact; entry 4 matches its unsigned anchor (no AIUW_EVIDENCE_SIGNING_KEY"
        f" was set when it was written) in {anchors}",
    )


def test_an_edited_entry_is_named(tmp_path):
    ledger = filled(tmp_path)
    entries = ledger.entries()
    entries[2]["published"]["tables"]["fct"]["rows"] = 999
    rewrite(ledger, entries)
    intact, message = ledger.verify()
    assert not intact
    assert message.startswith("entry 3 (line 3, run run-2): content does not match its entry_hash")


def test_a_removed_entry_is_named(tmp_path):
    ledger = filled(tmp_path)
    entries = ledger.entries()
    rewrite(ledger, entries[:1] + entries[2:])
    intact, message = ledger.verify()
    assert not intact and message.startswith(
        "entry 3 (line 2, run run-2): sequence 3 where 2 was expected"
    )


def test_a_rehashed_forgery_still_breaks_the_link(tmp_path):
    ledger = filled(tmp_path)
    entries = ledger.entries()
    entries[1]["run_id"] = "forged"
    entries[1]["entry_hash"] = entry_hash(entries[1])  # the forger recomputes this entry's own hash
    rewrite(ledger, entries)
    intact, message = ledger.verify()
    assert not intact and message.startswith(
        "entry 3 (line 3, run run-2): previous_hash does not match"
    )


def test_the_verify_command_exit_codes(tmp_path, capsys):
    ledger = filled(tmp_path, 2)
    where = ["--ledger", str(ledger.path), "--anchor-dir", str(ledger.anchor_dir)]
    assert evidence_cli.main(["verify", *where]) == 0
    assert "2 entries, chain intact; entry 2 matches its unsigned anchor" in capsys.readouterr().out
    ledger.path.write_text(ledger.path.read_text().replace("run-1", "run-X"))
    assert evidence_cli.main(["verify", *where]) == 1
    assert "entry 2" in capsys.readouterr().err


def signed(tmp_path, monkeypatch, count: int = 4) -> Ledger:
    monkeypatch.setenv("AIUW_EVIDENCE_SIGNING_KEY", KEY)
    return filled(tmp_path, count)


def test_every_append_is_anchored_and_signed_without_writing_the_key(tmp_path, monkeypatch):
    ledger = signed(tmp_path, monkeypatch)
    anchors_file = tmp_path / "anchor" / "ledger_anchors.jsonl"
    anchors = [json.loads(line) for line in anchors_file.read_text().splitlines()]
    entries = ledger.entries()
    assert [(a["sequence"], a["entry_hash"]) for a in anchors] == [
        (e["sequence"], e["entry_hash"]) for e in entries
    ]
    assert {a["algorithm"] for a in anchors} == {"HMAC-SHA256"}
    assert all(len(a["signature"]) == 64 for a in anchors)
    assert ledger.verify() == (
        True,
        f"4 entries, chain intact; entry 4 matches its signed anchor in {anchors_file}",
    )
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(files) == 2 and not [p for p in files if KEY.encode() in p.read_bytes()]


def test_a_cut_off_last_entry_fails_against_the_anchor(tmp_path, monkeypatch):
    ledger = signed(tmp_path, monkeypatch)
    rewrite(ledger, ledger.entries()[:3])
    intact, message = ledger.verify()
    assert not intact
    assert message == (
        f"the ledger ends at entry 3, but {tmp_path / 'anchor' / 'ledger_anchors.jsonl'} line 4 "
        "anchors entry 4: entries 4..4 were cut off the end"
    )


def test_a_rewritten_tail_with_its_chain_recomputed_fails_against_the_anchor(tmp_path, monkeypatch):
    ledger = signed(tmp_path, monkeypatch)
    entries = ledger.entries()
    for entry in entries[2:]:  # the forger rewrites entries 3 and 4 and recomputes the chain
        entry["published"]["tables"]["fct"]["rows"] = 0
        entry["previous_hash"] = entries[entry["sequence"] - 2]["entry_hash"]
        entry["entry_hash"] = entry_hash(entry)
    rewrite(ledger, entries)
    assert Ledger(ledger.path).verify()[0]  # the chain alone holds
    intact, message = ledger.verify()
    assert not intact
    assert message.startswith(f"entry 3 (run run-2) has hash {entries[2]['entry_hash']}, but ")
    assert message.endswith(
        "the ledger was rewritten at or before entry 3 and its chain recomputed"
    )


def test_a_different_key_fails_the_signature(tmp_path, monkeypatch):
    ledger = signed(tmp_path, monkeypatch)
    monkeypatch.setenv("AIUW_EVIDENCE_SIGNING_KEY", "another-key")
    intact, message = ledger.verify()
    assert not intact
    assert message == (
        f"{tmp_path / 'anchor' / 'ledger_anchors.jsonl'} line 1: the anchor of entry 1 has a "
        "signature that does not match AIUW_EVIDENCE_SIGNING_KEY (a different key, or a forged anchor)"
    )
    assert "another-key" not in message and KEY not in message


def test_an_unsigned_anchor_still_catches_truncation_but_not_when_a_key_is_expected(
    tmp_path, monkeypatch
):
    ledger = filled(tmp_path)  # no key: anchors unsigned
    rewrite(ledger, ledger.entries()[:2])
    assert ledger.verify()[1].endswith("entries 3..4 were cut off the end")
    unsigned = filled(tmp_path / "again")
    monkeypatch.setenv("AIUW_EVIDENCE_SIGNING_KEY", KEY)
    intact, message = unsigned.verify()
    assert not intact
    assert message == (
        f"{unsigned.anchor_dir / 'ledger_anchors.jsonl'} line 4: the latest anchor (entry 4) is "
        "unsigned although AIUW_EVIDENCE_SIGNING_KEY is set (written without the key, or forged). "
        "Fix: if the ledger is known good, anchor its head again with "
        "`python -m orchestration.cli.evidence anchor`"
    )
    assert unsigned.anchor_head()["signature"]  # re-anchored with the key, after the unsigned one
    assert unsigned.verify()[1].startswith("4 entries, chain intact; entry 4 matches its signed")


def test_unanchored_entries_fail_until_the_head_is_anchored(tmp_path, monkeypatch, capsys):
    ledger = signed(tmp_path, monkeypatch, 2)
    Ledger(ledger.path).append({"run_id": "run-2", "published": None})  # appended without anchoring
    intact, message = ledger.verify()
    assert not intact and message.startswith("entries 3..3 come after the latest anchor (entry 2)")
    where = ["--ledger", str(ledger.path), "--anchor-dir", str(ledger.anchor_dir)]
    assert evidence_cli.main(["anchor", *where]) == 0
    assert f"entry 3 anchored in {ledger.anchor_dir} (signed)" in capsys.readouterr().out
    assert evidence_cli.main(["verify", *where]) == 0
    assert "3 entries, chain intact; entry 3 matches its signed anchor" in capsys.readouterr().out


def test_anchor_refuses_a_ledger_its_anchors_contradict(tmp_path, monkeypatch, capsys):
    ledger = signed(tmp_path, monkeypatch)
    rewrite(ledger, ledger.entries()[:3])
    where = ["--ledger", str(ledger.path), "--anchor-dir", str(ledger.anchor_dir)]
    assert evidence_cli.main(["anchor", *where]) == 1
    assert "not anchored: the ledger ends at entry 3" in capsys.readouterr().err


def test_a_ledger_without_anchors_names_the_fix(tmp_path):
    ledger = filled(tmp_path)
    intact, message = Ledger(ledger.path, tmp_path / "elsewhere").verify()
    assert not intact
    assert message.startswith(f"no anchor in {tmp_path / 'elsewhere' / 'ledger_anchors.jsonl'}")
    assert "python -m orchestration.cli.evidence anchor" in message
