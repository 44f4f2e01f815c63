"""dbt's build output as a person follows it: how far the build is (for a progress line every few
seconds), a line per model layer at the end, every failure in full. dbt's own per-node lines are kept
whole for the run's log.

dagster-dbt writes each dbt log line to `sys.stdout` as it reads the build's events; `DbtOutput` is
put in its place while the build streams, so the terminal gets the summary and not 2,000 lines.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

# "12 of 958 START sql view model staging.stg_x ...", "12 of 958 OK created ...", "13 of 958 FAIL 3 ..."
NODE_LINE = re.compile(r"^\s*(\d+) of (\d+) ([A-Z-]+)\b")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class DbtOutput(io.TextIOBase):
    """A stream for dbt's log lines: keeps them and counts the nodes dbt has finished."""

    def __init__(self, command: str = "dbt build") -> None:
        self.command = command
        self.lines: list[str] = []
        self.total = 0
        self.finished: Counter[str] = Counter()
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *complete, self._partial = (self._partial + text).split("\n")
        for line in complete:
            self._line(ANSI.sub("", line))
        return len(text)

    def _line(self, line: str) -> None:
        self.lines.append(line)
        match = NODE_LINE.match(line)
        if match:
            self.total = int(match.group(2))
            if match.group(3) != "START":
                self.finished[match.group(3)] += 1

    def progress_line(self, seconds: float) -> str:
        if not self.total:
            return f"{self.command}: parsing the project and starting ({seconds:.0f}s)"
        done = sum(self.finished.values())
        bad = self.finished["ERROR"] + self.finished["FAIL"]
        failed = f", {bad} failed" if bad else ""
        return f"{self.command}: {done} of {self.total} nodes done{failed} ({seconds:.0f}s)"

    @property
    def text(self) -> str:
        return "\n".join([*self.lines, self._partial] if self._partial else self.lines)


# run_results statuses: models and seeds success/error/skipped, tests pass/fail/warn/error/skipped
PROBLEMS = ("error", "fail", "warn")


def layer_of(unique_id: str, manifest: Mapping[str, Any]) -> str:
    """The line a node is counted on: its model layer (the models folder), or its resource type."""
    node = manifest["nodes"].get(unique_id, {})
    kind = node.get("resource_type") or unique_id.split(".", 1)[0]
    if kind == "model":
        fqn = node.get("fqn") or []
        return fqn[1] if len(fqn) > 2 else "models"
    return {"test": "data tests", "unit_test": "unit tests", "seed": "seeds"}.get(kind, kind)


LAYER_ORDER = ("seeds", "staging", "intermediate", "marts")
LAST = ("data tests", "unit tests")


def layer_rank(layer: str) -> tuple[int, str]:
    """Seeds and the model layers in build order, the tests last, anything else between."""
    if layer in LAYER_ORDER:
        return LAYER_ORDER.index(layer), layer
    return (
        (len(LAYER_ORDER) + 1 + LAST.index(layer), layer)
        if layer in LAST
        else (len(LAYER_ORDER), layer)
    )


def summary_lines(run_results: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[str]:
    """One line per model layer and for the tests (counts by status, seconds of node time)."""
    layers: dict[str, Counter[str]] = {}
    seconds: Counter[str] = Counter()
    for result in run_results.get("results", []):
        layer = layer_of(result["unique_id"], manifest)
        layers.setdefault(layer, Counter())[result["status"]] += 1
        seconds[layer] += result.get("execution_time") or 0.0
    lines = []
    for layer, statuses in sorted(layers.items(), key=lambda item: layer_rank(item[0])):
        counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
        lines.append(
            f"dbt {layer}: {sum(statuses.values())} nodes ({counts}), {seconds[layer]:.1f}s"
        )
    return lines


def problem_lines(run_results: Mapping[str, Any], manifest: Mapping[str, Any]) -> list[str]:
    """Every failed, erroring or warning node in full: what, where it is defined, dbt's message."""
    lines = []
    for result in run_results.get("results", []):
        if result["status"] not in PROBLEMS:
            continue
        node = manifest["nodes"].get(result["unique_id"], {})
        lines.append(
            f"dbt {result['status'].upper()}: {result['unique_id']} "
            f"({node.get('original_file_path', 'not in the manifest')}): "
            f"{(result.get('message') or '').strip()}"
        )
    return lines
