"""Anchors of the evidence ledger: its head (sequence, entry hash), signed, kept somewhere else.

The hash chain alone cannot show that entries were cut off the end, or that the tail was rewritten with
every hash recomputed. After each append the ledger's head is written to an append-only anchors file in
AIUW_EVIDENCE_ANCHOR_DIR, signed with HMAC-SHA256 under AIUW_EVIDENCE_SIGNING_KEY when it is set. `check`
then requires the ledger to hold every anchored entry with the anchored hash. The anchors only help if
whoever can rewrite the ledger cannot also rewrite them: in production the directory belongs on another
disk or bucket mount, and the key outside both.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evidence.signing import ALGORITHM, KEY_ENV, sign, signature_matches

ANCHORS_FILE = "ledger_anchors.jsonl"
SIGNED_FIELDS = ("sequence", "entry_hash", "run_id", "anchored_at")
ANCHOR_COMMAND = "python -m orchestration.cli.evidence anchor"


def _signed_part(anchor: dict[str, Any]) -> dict[str, Any]:
    return {field: anchor.get(field) for field in SIGNED_FIELDS}


@dataclass(frozen=True)
class Anchors:
    directory: Path

    @property
    def path(self) -> Path:
        return self.directory / ANCHORS_FILE

    def _lines(self) -> list[tuple[int, dict[str, Any] | None]]:
        if not self.path.exists():
            return []
        lines = []
        for number, line in enumerate(self.path.read_text().splitlines(), 1):
            if line.strip():
                try:
                    lines.append((number, json.loads(line)))
                except ValueError:
                    lines.append((number, None))
        return lines

    def write(self, entry: dict[str, Any], key: bytes | None) -> dict[str, Any]:
        """Append the anchor of `entry` (the ledger's new head), signed when there is a key."""
        anchor = {
            "sequence": entry["sequence"],
            "entry_hash": entry["entry_hash"],
            "run_id": entry.get("run_id"),
            "anchored_at": datetime.now(UTC).isoformat(),
        }
        anchor["algorithm"] = ALGORITHM if key else None
        anchor["signature"] = sign(_signed_part(anchor), key) if key else None
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(json.dumps(anchor, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return anchor

    def check(
        self, entries: list[dict[str, Any]], key: bytes | None, *, head_may_be_unanchored=False
    ) -> tuple[str | None, str]:
        """(problem, note): the first anchor the ledger contradicts, else how the head was matched.

        `head_may_be_unanchored` accepts a ledger whose newest entries have no (signed) anchor yet,
        which is what `anchor` needs before anchoring the head.
        """
        lines = self._lines()
        last = entries[-1]["sequence"] if entries else 0
        if not lines:
            if not entries or head_may_be_unanchored:
                return None, f"no anchor in {self.path} yet"
            return (
                f"no anchor in {self.path}: a truncated or rewritten tail cannot be ruled out. Fix: set "
                f"AIUW_EVIDENCE_ANCHOR_DIR to where the anchors are kept, or, if this ledger is known "
                f"good, anchor its head with `{ANCHOR_COMMAND}`",
                "",
            )
        problem = self._unreadable_or_forged(lines, key)
        if problem:
            return problem, ""
        latest_line, latest = max(lines, key=lambda line: (line[1]["sequence"], line[0]))
        anchored, where = latest["sequence"], f"{self.path} line {latest_line}"
        if anchored > last:
            return (
                f"the ledger ends at entry {last}, but {where} anchors entry {anchored}: "
                f"entries {last + 1}..{anchored} were cut off the end",
                "",
            )
        problem = self._contradicted(lines, {e["sequence"]: e for e in entries})
        if problem:
            return problem, ""
        if not head_may_be_unanchored:
            if key and not latest.get("signature"):
                return (
                    f"{where}: the latest anchor (entry {anchored}) is unsigned although {KEY_ENV} "
                    f"is set (written without the key, or forged). Fix: if the ledger is known "
                    f"good, anchor its head again with `{ANCHOR_COMMAND}`",
                    "",
                )
            if last > anchored:
                return (
                    f"entries {anchored + 1}..{last} come after the latest anchor (entry {anchored}) "
                    f"in {self.path}: appended without anchoring, or forged. Fix: if they are genuine, "
                    f"anchor the head with `{ANCHOR_COMMAND}`",
                    "",
                )
        if not latest.get("signature"):
            how = f"unsigned anchor (no {KEY_ENV} was set when it was written)"
        elif key:
            how = "signed anchor"
        else:
            how = f"signed anchor, signature not checked ({KEY_ENV} is not set)"
        return None, f"entry {anchored} matches its {how} in {self.path}"

    def _unreadable_or_forged(self, lines, key: bytes | None) -> str | None:
        for number, anchor in lines:
            where = f"{self.path} line {number}"
            sequence = anchor.get("sequence") if isinstance(anchor, dict) else None
            if not isinstance(sequence, int) or sequence < 1:
                return f"{where}: not an anchor (no JSON object with a sequence from 1)"
            signature = anchor.get("signature")
            if key and signature and not signature_matches(_signed_part(anchor), signature, key):
                return (
                    f"{where}: the anchor of entry {sequence} has a signature that does not match "
                    f"{KEY_ENV} (a different key, or a forged anchor)"
                )
        return None

    def _contradicted(self, lines, by_sequence: dict[int, dict[str, Any]]) -> str | None:
        for number, anchor in lines:
            entry = by_sequence[anchor["sequence"]]
            if entry["entry_hash"] != anchor.get("entry_hash"):
                return (
                    f"entry {entry['sequence']} (run {entry.get('run_id')}) has hash "
                    f"{entry['entry_hash']}, but {self.path} line {number} anchored "
                    f"{anchor.get('entry_hash')}: the ledger was rewritten at or before entry "
                    f"{entry['sequence']} and its chain recomputed"
                )
        return None
