"""Alert delivery: read fct_alerts from the published warehouse, failing quality results and the
operational alerts (alerting/operational.py), send what no channel has received yet,
and record every attempt in an append-only log.

Alerts name people (a leaver still using AI, a seat held by someone who left): the published
fct_alerts holds their pseudonymous keys, so delivery reads the release's restricted
people_directory and puts each person's email back into the subject, summary and evidence it sends
(warehouse.publish.read_directory); a key the directory does not hold stays a key.

The log (data/alerts/deliveries.jsonl) is the delivery state: a message (alert key x opened/resolved)
counts as sent to a channel once a `delivered` line exists for it, so it is never sent again; one
whose attempts all failed is tried again on the next pass, never dropped. Passes hold a file lock, so
two never interleave.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from alerting.channels import (
    ChannelNotReady,
    DeliveryError,
    EmailSender,
    Message,
    Sender,
    WebhookSender,
)
from alerting.files import alerts_dir, locked
from alerting.operational import operational_messages
from connectors.config import SourceConfig, load_sources
from connectors.errors import ConfigError
from governance.load import Governance
from governance.schema import AlertingFile
from quality.whole_history import is_whole_history
from warehouse.paths import Paths
from warehouse.pseudonym import reidentify
from warehouse.publish import current_dir, read_directory

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
OPEN_STATES = ("new", "ongoing")
BACKOFF_BASE, BACKOFF_MAX = 1.0, 30.0


def published_release(published: Path) -> str | None:
    manifest = current_dir(published) / "manifest.json"
    return json.loads(manifest.read_text())["release_id"] if manifest.is_file() else None


def read_published_alerts(published: Path) -> list[Message]:
    """Alerts of the current release, read-only; none when nothing (or no fct_alerts) is published."""
    database = current_dir(published) / "warehouse.duckdb"
    if not database.is_file():
        return []
    with duckdb.connect(str(database), read_only=True) as con:
        tables = {
            row[0]
            for row in con.execute("select table_name from information_schema.tables").fetchall()
        }
        if "fct_alerts" not in tables:
            return []
        columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_name = 'fct_alerts'"
            ).fetchall()
        }
        evaluated = "cast(evaluated_date as varchar)" if "evaluated_date" in columns else "null"
        cursor = con.execute(
            f"""
            select alert_key, condition_type, category, severity, state,
                subject_type || ' ' || subject_id, cast(first_seen_date as varchar),
                cast(last_seen_date as varchar), summary, evidence, {evaluated}
            from fct_alerts
            """
        )
        rows = cursor.fetchall()
    people = read_directory(current_dir(published))
    return [
        Message(
            alert_key=key,
            kind="opened" if state in OPEN_STATES else "resolved",
            condition_type=condition,
            category=category,
            severity=severity,
            state=state,
            subject=reidentify(subject, people),
            first_seen_date=first,
            last_seen_date=last,
            summary=reidentify(summary, people),
            evidence=reidentify(evidence, people),
            evaluated_date=evaluated_on,
        )
        for (
            key,
            condition,
            category,
            severity,
            state,
            subject,
            first,
            last,
            summary,
            evidence,
            evaluated_on,
        ) in rows
    ]


def quality_alerts(quality: Path, severity: str, warning_severity: str) -> list[Message]:
    """Per run whose suites failed, one alert naming every failed suite and expectation (a bad batch
    that breaks several suites is one alert, not many): at `severity` when a critical expectation
    failed and publishing was refused, at `warning_severity` when only warnings failed."""
    by_run: dict[str, list[dict]] = {}
    for path in sorted((quality / "latest").glob("*.json")):
        result = json.loads(path.read_text())
        if result.get("success") and not result.get("warnings"):
            continue
        run = result.get("run_id") or f"{result['suite']}@{result.get('validated_at', '')}"
        by_run.setdefault(run, []).append(result)
    found = []
    for run, results in by_run.items():
        results.sort(key=lambda r: r["suite"])
        refused = [r for r in results if not r.get("success")]
        validated_at = max(r.get("validated_at", "") for r in results)
        if refused and all(is_whole_history(r["suite"]) for r in refused):
            condition, level = "data_quality_failed", severity
            outcome = (
                "found by the whole-history validation in days already published; the release "
                "stays as it is until the days are fixed and re-run"
            )
        elif refused:
            condition, level = "data_quality_failed", severity
            outcome = "publishing was refused, the last good release stays"
        else:
            condition, level = "data_quality_warning", warning_severity
            outcome = "warnings only: the release was published"
        suites = "; ".join(
            f"suite {r['suite']} failed {len(r.get('failures') or [])} critical and "
            f"{len(r.get('warnings') or [])} warning expectation(s) "
            f"of {r.get('evaluated_expectations', 0)}"
            for r in results
        )
        evidence = "; ".join(
            f"{r['suite']}: {_failure_line(f)}{'' if kind == 'failures' else ' (warning)'}"
            for r in results
            for kind in ("failures", "warnings")
            for f in r.get(kind) or []
        )
        found.append(
            Message(
                alert_key=hashlib.sha256(f"{condition}|{run}".encode()).hexdigest()[:32],
                kind="opened",
                condition_type=condition,
                category="quality",
                severity=level,
                state="new",
                subject=f"run {run}",
                first_seen_date=validated_at[:10],
                last_seen_date=validated_at[:10],
                summary=f"Great Expectations {suites} at {validated_at}: {outcome}",
                evidence=evidence or "see data/quality/results",
            )
        )
    return found


def _failure_line(failure: dict) -> str:
    kwargs = failure.get("kwargs") or {}
    target = next(
        (
            kwargs[k]
            for k in ("column", "sum_column", "weight_column", "cost_column")
            if kwargs.get(k)
        ),
        "",
    )
    table = f"{failure['table']}." if failure.get("table") else ""
    return (
        f"{failure['expectation']}({table}{target}): {failure.get('unexpected_count')} unexpected"
    )


class DeliveryLog:
    """Append-only JSON lines: one per attempt, with its outcome."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._attempts: dict[tuple[str, str, str], int] = {}
        self._delivered: set[tuple[str, str, str]] = set()
        if path.is_file():
            for line in path.read_text().splitlines():
                if line.strip():
                    self._remember(json.loads(line))

    def _remember(self, record: dict) -> None:
        key = (record["alert_key"], record["message"], record["channel"])
        self._attempts[key] = max(self._attempts.get(key, 0), record["attempt"])
        if record["outcome"] == "delivered":
            self._delivered.add(key)

    def delivered(self, alert_key: str, kind: str, channel: str) -> bool:
        return (alert_key, kind, channel) in self._delivered

    def attempted(self, alert_key: str, kind: str, channel: str) -> bool:
        return (alert_key, kind, channel) in self._attempts

    def next_attempt(self, alert_key: str, kind: str, channel: str) -> int:
        return self._attempts.get((alert_key, kind, channel), 0) + 1

    def append(
        self, message: Message, channel: str, outcome: str, error: str | None, **extra
    ) -> None:
        record = {
            "at": datetime.now(UTC).isoformat(),
            "alert_key": message.alert_key,
            "message": message.kind,
            "state": message.state,
            "severity": message.severity,
            "condition_type": message.condition_type,
            "channel": channel,
            "attempt": self.next_attempt(message.alert_key, message.kind, channel),
            "outcome": outcome,
            "error": error,
            **extra,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self._remember(record)


@dataclass
class PassReport:
    delivered: list[tuple[str, str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)
    waiting: dict[str, str] = field(default_factory=dict)  # channel -> why it is not ready
    deferred: int = 0  # left for the next pass when the deadline came
    unsent: set[tuple[str, str]] = field(default_factory=set)  # (alert, message) a channel lacks
    no_channel: str | None = None  # every channel lacks its environment: how to configure one

    def describe(self) -> str:
        if self.no_channel:
            return f"{len(self.unsent)} pending, {self.no_channel}"
        parts = [
            f"{len(self.delivered)} delivered",
            f"{len(self.failed)} failed (retried next pass)",
        ]
        parts += [f"{channel} waiting: {why}" for channel, why in self.waiting.items()]
        if self.deferred:
            parts.append(f"{self.deferred} deferred to the next pass")
        return "; ".join(parts)


def build_senders(config: AlertingFile, env: Mapping[str, str] | None = None) -> tuple[dict, dict]:
    """Senders for the declared channels, and why the others are not ready."""
    senders: dict[str, Sender] = {}
    waiting: dict[str, str] = {}
    for name, factory in (("webhook", WebhookSender), ("email", EmailSender)):
        channel = getattr(config.channels, name)
        if channel is None:
            continue
        try:
            senders[name] = factory(channel, env)
        except ChannelNotReady as why:
            waiting[name] = str(why)
    return senders, waiting


def due(
    messages: list[Message], config: AlertingFile, log: DeliveryLog
) -> Iterator[tuple[Message, str]]:
    """(message, channel) pairs not yet delivered: open alerts, and the resolution of those whose
    opening was sent or tried (so an alert that resolved while its channel was failing still arrives).
    An alert that opened and resolved before any pass saw it is sent once, as `missed`, when it ended
    within `catch_up_days` of the release's evaluation day (a run or pass that fell behind, or a
    backfill that reached just past it); older ones stay in the table only."""
    for message in sorted(messages, key=lambda m: (SEVERITY_ORDER[m.severity], m.first_seen_date)):
        for channel in getattr(config.routing, message.severity):
            if log.delivered(message.alert_key, message.kind, channel):
                continue
            opened = log.attempted(message.alert_key, "opened", channel)
            if message.kind == "resolved" and not opened:
                if _missed_recently(message, config.catch_up_days) and not log.delivered(
                    message.alert_key, "missed", channel
                ):
                    yield replace(message, kind="missed"), channel
                continue
            if message.kind == "resolved" and not (
                (config.notify_resolved and opened)
                or (opened and not log.delivered(message.alert_key, "opened", channel))
            ):
                continue
            yield message, channel


def _missed_recently(message: Message, catch_up_days: int) -> bool:
    if not message.evaluated_date or not message.last_seen_date:
        return False
    ended = date.fromisoformat(message.last_seen_date)
    return (date.fromisoformat(message.evaluated_date) - ended).days <= catch_up_days


def _wait(state: RetryCallState) -> float:
    wait = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (state.attempt_number - 1))
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, DeliveryError) and error.retry_after is not None:
        wait = max(wait, min(error.retry_after, BACKOFF_MAX))
    return wait


def deliver(
    messages: list[Message],
    config: AlertingFile,
    log_path: Path,
    senders: Mapping[str, Sender],
    *,
    waiting: Mapping[str, str] | None = None,
    deadline_seconds: float = 40.0,
    sleep: Callable[[float], None] = time.sleep,
    release_id: str | None = None,
) -> PassReport:
    """One delivery pass: every due message to every routed, ready channel, each attempt logged."""
    report = PassReport(waiting=dict(waiting or {}))
    started = time.monotonic()
    with locked(log_path):
        log = DeliveryLog(log_path)
        for message, channel in list(due(messages, config, log)):
            sender = senders.get(channel)
            if sender is None:
                report.waiting.setdefault(channel, "channel not ready")
                report.unsent.add((message.alert_key, message.kind))
                continue
            if time.monotonic() - started > deadline_seconds:
                report.deferred += 1
                continue
            retrying = Retrying(
                stop=stop_after_attempt(sender.max_attempts),
                wait=_wait,
                retry=retry_if_exception(lambda e: isinstance(e, DeliveryError) and e.retryable),
                reraise=True,
                sleep=sleep,
            )
            try:
                retrying(_attempt, sender, message, log, release_id)
            except DeliveryError:
                report.failed.append((message.alert_key, message.kind, channel))
            else:
                report.delivered.append((message.alert_key, message.kind, channel))
    return report


def _attempt(sender: Sender, message: Message, log: DeliveryLog, release_id: str | None) -> None:
    try:
        sender.send(message)
    except DeliveryError as error:
        log.append(message, sender.name, "failed", str(error), release_id=release_id)
        raise
    log.append(message, sender.name, "delivered", None, release_id=release_id)


def configured_sources() -> list[SourceConfig] | None:
    """Enabled source instances of the sources config; None when it cannot be read."""
    try:
        return [s for s in load_sources().sources if s.enabled]
    except ConfigError:
        return None


def current_messages(
    paths: Paths, governance: Governance, *, save: bool = False
) -> tuple[str | None, list[Message]]:
    """The current release id, and its alerts, one per run whose blocking suites failed, and the
    operational alerts (their episodes recorded only when `save`: a delivery pass, not a preview)."""
    messages = read_published_alerts(paths.published)
    quality = governance.thresholds.data_quality
    if quality.enabled:
        messages += quality_alerts(paths.quality, quality.severity, quality.warning_severity)
    operations = governance.thresholds.operations
    messages += operational_messages(paths, operations, configured_sources(), save=save)
    return published_release(paths.published), messages


def delivery_log_path(paths: Paths) -> Path:
    return alerts_dir(paths.data) / "deliveries.jsonl"


def run_pass(
    paths: Paths, governance: Governance, env: Mapping[str, str] | None = None
) -> tuple[str | None, PassReport]:
    """One pass as the sensor runs it: current alerts, governance routing, senders from `env`."""
    config = governance.alerting
    if config is None:
        raise ValueError("no governance/alerting.yml: alerts stay in fct_alerts only")
    release, messages = current_messages(paths, governance, save=True)
    senders, waiting = build_senders(config, env)
    try:
        report = deliver(
            messages,
            config,
            delivery_log_path(paths),
            senders,
            waiting=waiting,
            release_id=release,
        )
    finally:
        for sender in senders.values():
            sender.close()
    if not senders:
        report.no_channel = f"no channel configured ({how_to_configure(config)})"
    return release, report


def how_to_configure(config: AlertingFile) -> str:
    ways = []
    if config.channels.webhook:
        ways.append(f"set {config.channels.webhook.url_env}")
    email = config.channels.email
    if email and email.username_env:
        ways.append(f"set {email.username_env} and {email.password_env}")
    return " or ".join(ways) or "declare a channel in governance/alerting.yml"


def deliver_after_run(paths: Paths, governance: Governance) -> str:
    """The delivery pass at the end of a CLI run, as one line for its output."""
    if governance.alerting is None:
        return "alerts: no governance/alerting.yml, alerts stay in fct_alerts only"
    _, report = run_pass(paths, governance)
    return f"alerts: {report.describe()}"
