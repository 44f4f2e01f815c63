"""The evidence ledger: one append-only JSON line per transform run, chained by hash.

Each entry carries the hash of the previous one, so an edited, removed or reordered entry breaks the
chain from that point; `verify` names the first broken entry. After each append the new head is
anchored elsewhere (evidence.anchor), so a cut-off or rewritten tail fails `verify` too. What goes
into an entry is the orchestration's business (orchestration/lib/run_evidence.py).
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evidence.anchor import Anchors
from evidence.signing import KEY_ENV, signing_key
from warehouse.paths import Paths

GENESIS = "0" * 64


def entry_hash(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "entry_hash"}
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def _chain_problem(lines: list[str]) -> tuple[str | None, list[dict[str, Any]]]:
    """The first broken link (or None) and the entries read."""
    previous, entries = GENESIS, []
    for line_number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            return f"line {line_number}: not valid JSON", entries
        expected = len(entries) + 1
        label = (
            f"entry {entry.get('sequence', '?')} (line {line_number}, run {entry.get('run_id')})"
        )
        if entry.get("sequence") != expected:
            return (
                f"{label}: sequence {entry.get('sequence')} where {expected} was expected (removed or reordered)",
                entries,
            )
        if entry.get("previous_hash") != previous:
            return f"{label}: previous_hash does not match the entry before it", entries
        if entry_hash(entry) != entry.get("entry_hash"):
            return f"{label}: content does not match its entry_hash (edited)", entries
        entries.append(entry)
        previous = entry["entry_hash"]
    return None, entries


@dataclass(frozen=True)
class Ledger:
    """The ledger file; with `anchor_dir`, every append is anchored there and `verify` checks it."""

    path: Path
    anchor_dir: Path | None = None

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line.strip()]

    def _lines(self) -> list[str]:
        return self.path.read_text().splitlines() if self.path.exists() else []

    def append(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Append under an exclusive lock; the entry gets its sequence, previous hash and own hash.

        The anchor is written under the same lock, so anchors follow the ledger's order.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            lines = [line for line in handle.read().splitlines() if line.strip()]
            last = json.loads(lines[-1]) if lines else None
            entry = {
                **entry,
                "sequence": (last["sequence"] + 1) if last else 1,
                "previous_hash": last["entry_hash"] if last else GENESIS,
            }
            entry["entry_hash"] = entry_hash(entry)
            handle.write(json.dumps(entry, sort_keys=True, default=str) + "\n")
            handle.flush()
            if self.anchor_dir:
                Anchors(self.anchor_dir).write(entry, signing_key())
            fcntl.flock(handle, fcntl.LOCK_UN)
        return entry

    def verify(self) -> tuple[bool, str]:
        """Check the chain, then the anchors; name the first broken entry or contradicted anchor."""
        problem, entries = _chain_problem(self._lines())
        if problem:
            return False, problem
        chain = f"{len(entries)} entries, chain intact"
        if self.anchor_dir is None:
            return True, f"{chain}; no anchor directory given, a cut-off tail is not checked"
        problem, note = Anchors(self.anchor_dir).check(entries, signing_key())
        return (False, problem) if problem else (True, f"{chain}; {note}")

    def anchor_head(self) -> dict[str, Any]:
        """Anchor the current head by hand (a ledger from before anchoring, or an append whose anchor
        was lost); refuses when the chain is broken or an existing anchor contradicts the ledger."""
        if self.anchor_dir is None:
            raise ValueError("no anchor directory given")
        with self.path.open("r") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            problem, entries = _chain_problem(handle.read().splitlines())
            anchors = Anchors(self.anchor_dir)
            if not problem:
                problem, _ = anchors.check(entries, signing_key(), head_may_be_unanchored=True)
            if problem:
                raise ValueError(f"{self.path}: not anchored: {problem}")
            if not entries:
                raise ValueError(f"{self.path}: no entries to anchor")
            anchor = anchors.write(entries[-1], signing_key())
            fcntl.flock(handle, fcntl.LOCK_UN)
        return anchor


@functools.cache
def _warn_unsigned() -> None:
    logging.getLogger(__name__).warning(
        f"evidence: {KEY_ENV} is not set; ledger anchors and evidence packs are written unsigned"
    )


def open_ledger(ledger_path: Path, anchor_dir: Path | None = None) -> Ledger:
    """The ledger at `ledger_path`, anchored to `anchor_dir` (default AIUW_EVIDENCE_ANCHOR_DIR)."""
    if signing_key() is None:
        _warn_unsigned()
    return Ledger(ledger_path, anchor_dir or Paths.from_env().anchor_dir)
