"""The evidence ledger chains entries by hash and names the first broken one."""

from __future__ import annotations

import itertools
import json

from orchestration.cli import evidence as evidence_cli
from orchestration.lib.evidence import GENESIS, Ledger


def filled(tmp_path, count: int = 4) -> Ledger:
    ledger = Ledger(tmp_path / "evidence" / "ledger.jsonl")
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
    assert ledger.verify() == (True, "4 entries, chain intact")


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
    from orchestration.lib.evidence import entry_hash

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
    assert evidence_cli.main(["verify", "--ledger", str(ledger.path)]) == 0
    assert "2 entries, chain intact" in capsys.readouterr().out
    ledger.path.write_text(ledger.path.read_text().replace("run-1", "run-X"))
    assert evidence_cli.main(["verify", "--ledger", str(ledger.path)]) == 1
    assert "entry 2" in capsys.readouterr().err
