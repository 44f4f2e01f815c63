"""What a run did, said at the end of `python -m orchestration.cli.run`: each source entity the ingest
run failed or skipped (with why), and whether the transform run published a release or, if not, what
refused it and what to fix. Read from the two runs' Dagster event logs; lines stay under 100
characters."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from alerting.files import read_json
from connectors.config import SourcesConfig
from orchestration.lib.evidence_sources import source_statuses
from warehouse.paths import Paths
from warehouse.publish import current_dir

WIDTH = 99
PUBLISHED_ASSET = "published/warehouse"


def wrapped(text: str, indent: str = "  ") -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "    ",
        break_on_hyphens=False,
    )


@dataclass(frozen=True)
class SourceProblems:
    failed: list[str] = field(default_factory=list)  # source ids with a failed entity
    lines: list[str] = field(default_factory=list)  # one entry per failed or skipped entity


def source_problems(
    instance: dg.DagsterInstance, ingest_run_id: str, config: SourcesConfig
) -> SourceProblems:
    problems = SourceProblems()
    for row in source_statuses(instance, ingest_run_id, config):
        if row["status"] == "failed":
            problems.failed.append(row["id"])
        if "entities" not in row:
            if row["status"] == "skipped":
                problems.lines.extend(wrapped(f"{row['id']}: skipped: {row['reason']}"))
            continue
        for entity in row["entities"]:
            name = entity["asset"].rsplit("/", 1)[-1]
            why = {
                "failed": entity["error"],
                "skipped": entity.get("reason"),
                "interrupted": "the run ended before this entity finished",
            }.get(entity["status"])
            if why:
                problems.lines.extend(wrapped(f"{row['id']} {name}: {entity['status']}: {why}"))
    return problems


def ingest_lines(problems: SourceProblems) -> list[str]:
    if not problems.lines:
        return ["Ingest: every source landed every entity it pulls."]
    head = "Ingest: source entities that failed or were skipped (the others landed):"
    lines = [head, *problems.lines]
    if problems.failed:
        lines += wrapped(
            f"Failed sources: {', '.join(problems.failed)}. Their files from earlier runs are "
            "unchanged; fix what each line says and run again.",
            indent="",
        )
    return lines


@dataclass(frozen=True)
class TransformOutcome:
    release_id: str | None  # published by this run
    failed_checks: list[str]  # blocking (ERROR) checks that did not pass
    failed_steps: list[str]


def transform_outcome(instance: dg.DagsterInstance, run_id: str) -> TransformOutcome:
    def records(of_type: dg.DagsterEventType) -> list:
        found = instance.get_records_for_run(run_id, of_type=of_type).records
        return [r.event_log_entry.dagster_event for r in found]

    T = dg.DagsterEventType
    release_id = next(
        (
            str(event.event_specific_data.materialization.metadata["release_id"].value)
            for event in records(T.ASSET_MATERIALIZATION)
            if event.asset_key.to_user_string() == PUBLISHED_ASSET
        ),
        None,
    )
    failed_checks = sorted(
        f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}"
        for evaluation in (e.event_specific_data for e in records(T.ASSET_CHECK_EVALUATION))
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    )
    failed_steps = sorted({e.step_key for e in records(T.STEP_FAILURE)})
    return TransformOutcome(release_id, failed_checks, failed_steps)


def current_release(published: Path) -> dict | None:
    return read_json(current_dir(published) / "manifest.json")


def release_lines(outcome: TransformOutcome, paths: Paths) -> list[str]:
    if outcome.release_id:
        return [f"Published: release {outcome.release_id}, built by this run."]
    if outcome.failed_checks:
        lines = [
            f"Refused: the quality gate refused this run's release; "
            f"{len(outcome.failed_checks)} check(s) failed:",
            *[f"  {check}" for check in outcome.failed_checks],
        ]
        fix = (
            "Fix: read the failed expectations in the transform run's log or under "
            f"{paths.quality}, correct the data or the governance files, and run again."
        )
    else:
        steps = ", ".join(outcome.failed_steps) or "none recorded"
        lines = wrapped(f"Not published: the transform run failed (failed steps: {steps}).", "")
        fix = "Fix: see the step failures printed above, then run again."
    current = current_release(paths.published)
    if current:
        kept = (
            f"Still published: release {current['release_id']} of {current['published_at'][:16]}"
            " (the summary below is of that release)."
        )
    else:
        kept = "Nothing was published yet: no run has passed the quality gate."
    return [*lines, *wrapped(kept, ""), *wrapped(fix, "")]
