"""Operational alerts: the pipeline's own failures, evaluated on every delivery pass.

Conditions (thresholds.yml `operations`): a source instance whose latest pull failed, a failed dbt
build, a published release not served from PostgreSQL (warehouse.serve), an unreadable landing file, a source instance with no new rows past its type's freshness limit,
and a current release older than its limit. A condition holds for one subject; an episode runs from the
first pass that sees it to the first pass that does not.

Episodes are kept in <alerts dir>/operational.json. An open episode keeps its alert key, so it is sent
once as opened; a cleared one becomes `resolved` (sent once, where the opening went) and is forgotten
after KEEP_RESOLVED_DAYS. A new episode's key comes from the condition's own start (first failure,
last landed day, file time, publication time), so `pending` shows the key a delivery will use.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from alerting.channels import Message
from alerting.files import alerts_dir, locked, read_json, write_json
from connectors.config import SourceConfig
from governance.schema import OperationsThresholds, ReleaseAge, SourceFreshness
from warehouse.landing_scan import LandingScan, scan_landing
from warehouse.paths import Paths
from warehouse.publish import current_dir
from warehouse.run_status import (
    StepStatus,
    dbt_build_path,
    read_status,
    serve_path,
    source_pulls,
)

CATEGORY = "operations"
KEEP_RESOLVED_DAYS = 30
SOURCE_CONDITIONS = ("source_failed", "source_stale")


@dataclass(frozen=True)
class Condition:
    condition_type: str
    subject: str
    since: str  # when the condition started, from its own data
    severity: str
    summary: str
    evidence: str

    @property
    def episode(self) -> str:
        return f"{self.condition_type}|{self.subject}"


def failed_sources(
    pulls: dict[tuple[str, str, str], StepStatus], sources: list[SourceConfig], severity: str
) -> list[Condition]:
    """One condition per configured source instance whose latest pull of any entity failed."""
    found = []
    for source in sources:
        # an entity the source no longer pulls is not failing, whatever its last pull said
        mine = {
            e: s
            for (t, i, e), s in pulls.items()
            if (t, i) == (source.type, source.id) and source.pulls(e) and not s.skipped
        }
        failing = {e: s for e, s in sorted(mine.items()) if not s.ok}
        if not failing:
            continue
        since = min(s.failing_since or s.at for s in failing.values())
        first = next(iter(failing.values()))
        found.append(
            Condition(
                "source_failed",
                f"source {source.type}/{source.id}",
                since,
                severity,
                f"Source {source.type}/{source.id} is failing since {since[:16]} (latest pull of "
                f"{len(failing)} of {len(mine)} entities failed after retries; its landed files are "
                f"unchanged, the other sources still publish): {first.error}",
                "; ".join(
                    f"{e}: run {s.run_id} at {s.at[:16]}: {s.error}" for e, s in failing.items()
                ),
            )
        )
    return found


def failed_step(
    status: StepStatus | None,
    severity: str,
    condition_type: str,
    subject: str,
    headline: str,
    consequence: str,
) -> list[Condition]:
    """The condition of a pipeline step whose latest run failed (none when it succeeded)."""
    if status is None or status.ok:
        return []
    since = status.failing_since or status.at
    return [
        Condition(
            condition_type,
            subject,
            since,
            severity,
            f"{headline} in run {status.run_id} at {status.at[:16]} (failing since "
            f"{since[:16]}): {consequence} {status.error}",
            status.error or "",
        )
    ]


def failed_dbt_build(status: StepStatus | None, severity: str) -> list[Condition]:
    return failed_step(
        status,
        severity,
        "dbt_build_failed",
        "dbt build",
        "The dbt build failed",
        "nothing new is published, the current release stays.",
    )


def failed_serve(status: StepStatus | None, severity: str) -> list[Condition]:
    return failed_step(
        status,
        severity,
        "serve_failed",
        "served release",
        "The published release was not served from PostgreSQL",
        "BI readers still see the release served before; the published files are current.",
    )


def unreadable_files(scan: LandingScan, severity: str) -> list[Condition]:
    return [
        Condition(
            "landing_file_unreadable",
            f"landing file {path}",
            datetime.fromtimestamp(scan.modified[path], UTC).isoformat(),
            severity,
            f"Landing file {path} cannot be read, so every dbt build fails and nothing is published "
            "until it is fixed: move it out of the landing zone and re-land its day with "
            "`python -m orchestration.cli.run --start <day> --end <day>`.",
            error,
        )
        for path, error in sorted(scan.unreadable.items())
    ]


def stale_sources(
    scan: LandingScan, sources: list[SourceConfig], rule: SourceFreshness, today: date
) -> list[Condition]:
    """Configured source instances whose newest day with rows (of the entities they pull) is older
    than their type's limit. An instance that never landed rows is left to the source_failed alert."""
    found = []
    for source in sources:
        last = scan.newest_day(source)
        limit = rule.limit_days(source.type)
        if last is None or (today - last).days <= limit:
            continue
        found.append(
            Condition(
                "source_stale",
                f"source {source.type}/{source.id}",
                last.isoformat(),
                rule.severity,
                f"No new data from source {source.type}/{source.id} for {(today - last).days} days: "
                f"the newest day with rows is {last} (limit {limit} days for {source.type}).",
                f"landing zone {source.type}/*/{source.id}/: newest non-empty file {last}.parquet",
            )
        )
    return found


def stale_release(paths: Paths, rule: ReleaseAge, now: datetime) -> list[Condition]:
    manifest = read_json(current_dir(paths.published) / "manifest.json")
    if not manifest:
        return []
    published_at = datetime.fromisoformat(manifest["published_at"])
    hours = (now - published_at).total_seconds() / 3600
    if hours <= rule.max_age_hours:
        return []
    return [
        Condition(
            "release_stale",
            "published release",
            manifest["published_at"],
            rule.severity,
            f"The current release {manifest['release_id']} was published {hours:.0f} hours ago "
            f"(limit {rule.max_age_hours}): BI tools and reports read data no run has refreshed since.",
            f"{current_dir(paths.published)}/manifest.json published_at {manifest['published_at']}",
        )
    ]


def evaluate(
    paths: Paths,
    rules: OperationsThresholds,
    sources: list[SourceConfig] | None,
    now: datetime,
) -> tuple[list[Condition], set[str]]:
    """The conditions that hold now, and the condition types whose open episodes end when they do
    not hold: all of them (a disabled rule ends its episodes), but with `sources` None (the sources
    config could not be read) source conditions are neither raised nor resolved."""
    conditions: list[Condition] = []
    needs_scan = rules.landing_file_unreadable.enabled or rules.source_stale.enabled
    scan = scan_landing(paths.landing) if needs_scan else LandingScan()
    if sources is not None and rules.source_failed.enabled:
        conditions += failed_sources(
            source_pulls(paths.data), sources, rules.source_failed.severity
        )
    if sources is not None and rules.source_stale.enabled:
        conditions += stale_sources(scan, sources, rules.source_stale, now.date())
    if rules.dbt_build_failed.enabled:
        status = read_status(dbt_build_path(paths.data))
        conditions += failed_dbt_build(status, rules.dbt_build_failed.severity)
    if rules.serve_failed.enabled:
        conditions += failed_serve(read_status(serve_path(paths.data)), rules.serve_failed.severity)
    if rules.landing_file_unreadable.enabled:
        conditions += unreadable_files(scan, rules.landing_file_unreadable.severity)
    if rules.release_stale.enabled:
        conditions += stale_release(paths, rules.release_stale, now)
    evaluated = {
        name
        for name in OperationsThresholds.model_fields
        if sources is not None or name not in SOURCE_CONDITIONS
    }
    return conditions, evaluated


def state_path(paths: Paths) -> Path:
    return alerts_dir(paths.data) / "operational.json"


def track(
    conditions: list[Condition], evaluated: set[str], episodes: dict, now: datetime
) -> tuple[dict, list[Message]]:
    """The episodes after this pass, and one message per episode (open or recently resolved)."""
    today = now.date().isoformat()
    episodes = {k: dict(v) for k, v in episodes.items()}
    holding = {c.episode: c for c in conditions}
    for name, condition in holding.items():
        episode = episodes.get(name)
        if episode is None or episode["resolved_on"] is not None:
            key = f"{name}|{condition.since}"
            episode = {
                "alert_key": hashlib.sha256(key.encode()).hexdigest()[:32],
                "first_seen": today,
                "resolved_on": None,
            }
        episodes[name] = {
            **episode,
            "condition_type": condition.condition_type,
            "subject": condition.subject,
            "severity": episode.get("severity", condition.severity),
            "last_seen": today,
            "summary": condition.summary,
            "evidence": condition.evidence,
        }
    for name, episode in episodes.items():
        cleared = episode["condition_type"] in evaluated and name not in holding
        if cleared and episode["resolved_on"] is None:
            episode["resolved_on"] = today
    horizon = (now.date() - timedelta(days=KEEP_RESOLVED_DAYS)).isoformat()
    episodes = {
        k: v for k, v in episodes.items() if v["resolved_on"] is None or v["resolved_on"] >= horizon
    }
    return episodes, [_message(e, today) for _, e in sorted(episodes.items())]


def _message(episode: dict, today: str) -> Message:
    resolved = episode["resolved_on"] is not None
    return Message(
        alert_key=episode["alert_key"],
        kind="resolved" if resolved else "opened",
        condition_type=episode["condition_type"],
        category=CATEGORY,
        severity=episode["severity"],
        state="resolved" if resolved else ("new" if episode["first_seen"] == today else "ongoing"),
        subject=episode["subject"],
        first_seen_date=episode["first_seen"],
        last_seen_date=episode["resolved_on"] or episode["last_seen"],
        summary=(
            f"Cleared on {episode['resolved_on']}. Was: {episode['summary']}"
            if resolved
            else episode["summary"]
        ),
        evidence=episode["evidence"],
        evaluated_date=today,
    )


def operational_messages(
    paths: Paths,
    thresholds: OperationsThresholds,
    sources: list[SourceConfig] | None,
    *,
    now: datetime | None = None,
    save: bool = True,
) -> list[Message]:
    """Evaluate, update the episodes (unless `save` is False: a preview), and return the messages."""
    now = now or datetime.now(UTC)
    conditions, evaluated = evaluate(paths, thresholds, sources, now)
    path = state_path(paths)
    with locked(path):
        episodes, messages = track(conditions, evaluated, read_json(path) or {}, now)
        if save:
            write_json(path, episodes)
    return messages
