"""Alert delivery over real sockets: a webhook receiver and an SMTP server on 127.0.0.1 get each alert
once, a failing receiver gets it on a retry (the log shows every attempt), nothing is sent twice and
no secret reaches the log."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from alerting.channels import Message, slack_payload
from alerting.delivery import build_senders, deliver, quality_alerts, read_published_alerts
from governance.load import GOVERNANCE_DIR
from governance.schema import AlertingFile
from tests.alert_receivers import SmtpReceiver, WebhookReceiver
from warehouse.publish import publish

TOKEN = "T0SECRET/B0SECRET/xoxbSECRETTOKEN"
PASSWORD = "smtp-password-do-not-log"
SPIKE, LEAVER, OLD, QUIET = "a-spike", "a-leaver", "a-old", "a-quiet"
COLUMNS = """alert_key varchar, condition_type varchar, category varchar, rule_ref varchar,
    subject_type varchar, subject_id varchar, severity varchar, state varchar, first_seen_date date,
    last_seen_date date, summary varchar, evidence varchar"""
ROWS = {
    SPIKE: ("cost_spike", "cost", "THR-001", "application", "app-code-review-bot", "high", "new",
            "2026-09-18", "2026-09-18", "Invoiced cost spike: application app-code-review-bot <x7>",
            "2026-09-18: 3141.59 vs baseline 358.64"),
    LEAVER: ("inactive_person_active", "access", "inactive_person_active", "person",
             "gone@example-corp.com", "critical", "ongoing", "2026-09-17", "2026-09-18",
             "AI usage by a departed person: gone@example-corp.com", "2026-09-18: 7 requests"),
    OLD: ("cost_spike", "cost", "THR-001", "application", "app-contract-reviewer", "high",
          "resolved", "2026-08-27", "2026-08-28", "Old spike", "2026-08-27: 1"),
    QUIET: ("policy_violation", "risk", "POL-009", "application", "app-x", "low", "new",
            "2026-09-18", "2026-09-18", "Low violation", "v-1"),
}  # fmt: skip


def alerting(
    webhook: bool = True, email_port: int | None = None, attempts: int = 3
) -> AlertingFile:
    channels: dict = {}
    if webhook:
        channels["webhook"] = {"url_env": "TEST_ALERT_WEBHOOK_URL", "max_attempts": attempts}
    if email_port:
        channels["email"] = {
            "host": "127.0.0.1",
            "port": email_port,
            "security": "none",
            "from_address": "alerts@example-corp.com",
            "to": ["governance@example-corp.com"],
            "username_env": "TEST_SMTP_USER",
            "password_env": "TEST_SMTP_PASSWORD",
            "max_attempts": attempts,
        }
    routed = [c for c in ("webhook", "email") if c in channels]
    return AlertingFile.model_validate(
        {"channels": channels, "routing": {"medium": routed, "high": routed, "critical": routed}}
    )


def publish_alerts(base: Path, states: dict[str, str] | None = None) -> Path:
    """A published release whose fct_alerts holds ROWS (states overridden per key)."""
    warehouse = base / f"warehouse-{len(list(base.glob('warehouse-*')))}.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.fct_alerts ({COLUMNS})")
        for key, row in ROWS.items():
            row = (*row[:6], (states or {}).get(key, row[6]), *row[7:])
            con.execute(
                "insert into marts.fct_alerts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [key, *row],
            )
    published = base / "published"
    publish(warehouse, published, ["fct_alerts"], f"run-{warehouse.stem}")
    return published


def env(webhook: WebhookReceiver | None = None, password: str = PASSWORD) -> dict[str, str]:
    values = {"TEST_SMTP_USER": "alerts-bot", "TEST_SMTP_PASSWORD": password}
    if webhook:
        values["TEST_ALERT_WEBHOOK_URL"] = webhook.url(f"/services/{TOKEN}")
    return values


def run_pass(published: Path, config: AlertingFile, log: Path, values: dict[str, str]):
    senders, waiting = build_senders(config, values)
    try:
        return deliver(
            read_published_alerts(published),
            config,
            log,
            senders,
            waiting=waiting,
            sleep=lambda _: None,
        )
    finally:
        for sender in senders.values():
            sender.close()


def records(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_each_open_alert_reaches_both_channels_once_and_a_second_pass_sends_nothing(tmp_path):
    published, log = publish_alerts(tmp_path), tmp_path / "alerts" / "deliveries.jsonl"
    with WebhookReceiver() as hook, SmtpReceiver(password=PASSWORD) as smtp:
        config = alerting(email_port=smtp.port)
        report = run_pass(published, config, log, env(hook))
        assert sorted(report.delivered) == sorted(
            (key, "opened", channel) for key in (SPIKE, LEAVER) for channel in ("webhook", "email")
        )
        keys = [b["blocks"][-1]["elements"][0]["text"] for b in hook.bodies]
        assert [k for k in keys if f"`{SPIKE}`" in k] and [k for k in keys if f"`{LEAVER}`" in k]
        assert len(hook.bodies) == 2 and hook.paths == [f"/services/{TOKEN}"] * 2
        # Critical first, then high; the resolved one was never opened and the low one goes nowhere.
        assert hook.bodies[0]["text"].startswith("Critical alert: inactive person active")
        assert sorted(m["X-AIUW-Alert-Key"] for m in smtp.messages) == sorted([SPIKE, LEAVER])
        assert smtp.logins == ["alerts-bot", "alerts-bot"]
        mail = next(m for m in smtp.messages if m["X-AIUW-Alert-Key"] == SPIKE)
        assert mail["Message-ID"] == f"<{SPIKE}.opened@aiuw.alerts>"
        assert "3141.59 vs baseline 358.64" in mail.get_payload()

        again = run_pass(published, config, log, env(hook))
        assert again.delivered == [] and again.failed == []
        assert len(hook.bodies) == 2 and len(smtp.messages) == 2
    lines = records(log)
    assert len(lines) == 4 and {r["outcome"] for r in lines} == {"delivered"}
    assert {r["attempt"] for r in lines} == {1}
    assert {(r["alert_key"], r["state"], r["channel"]) for r in lines} == {
        (SPIKE, "new", "webhook"), (SPIKE, "new", "email"),
        (LEAVER, "ongoing", "webhook"), (LEAVER, "ongoing", "email"),
    }  # fmt: skip


def test_a_500_then_200_delivers_on_the_retry_and_logs_both_attempts(tmp_path):
    published, log = publish_alerts(tmp_path), tmp_path / "deliveries.jsonl"
    with WebhookReceiver(statuses=[500]) as hook:
        report = run_pass(published, alerting(), log, env(hook))
    assert len(hook.bodies) == 2 and report.failed == []
    first = [r for r in records(log) if r["alert_key"] == LEAVER]
    assert [(r["attempt"], r["outcome"]) for r in first] == [(1, "failed"), (2, "delivered")]
    assert first[0]["error"] == "webhook: HTTP 500: internal_error"


def test_a_receiver_that_stays_down_is_retried_next_pass_and_never_dropped(tmp_path):
    published, log = publish_alerts(tmp_path), tmp_path / "deliveries.jsonl"
    with WebhookReceiver(statuses=[503] * 4) as hook:
        down = run_pass(published, alerting(attempts=2), log, env(hook))
        assert down.delivered == [] and len(down.failed) == 2 and hook.bodies == []
        up = run_pass(published, alerting(attempts=2), log, env(hook))
        assert len(up.delivered) == 2 and len(hook.bodies) == 2
        assert run_pass(published, alerting(attempts=2), log, env(hook)).delivered == []
    spike = [(r["attempt"], r["outcome"]) for r in records(log) if r["alert_key"] == SPIKE]
    assert spike == [(1, "failed"), (2, "failed"), (3, "delivered")]


def test_resolution_follows_an_alert_that_was_sent_once(tmp_path):
    log = tmp_path / "deliveries.jsonl"
    with WebhookReceiver() as hook:
        run_pass(publish_alerts(tmp_path), alerting(), log, env(hook))
        published = publish_alerts(tmp_path, states={SPIKE: "resolved", LEAVER: "resolved"})
        report = run_pass(published, alerting(), log, env(hook))
        assert sorted(report.delivered) == [
            (LEAVER, "resolved", "webhook"),
            (SPIKE, "resolved", "webhook"),
        ]
        assert hook.bodies[-1]["blocks"][0]["text"]["text"].startswith("Resolved: ")
        assert run_pass(published, alerting(), log, env(hook)).delivered == []
    assert len(hook.bodies) == 4  # OLD, resolved before any pass saw it, is never sent


def test_no_secret_reaches_the_log_or_the_errors(tmp_path):
    published, log = publish_alerts(tmp_path), tmp_path / "deliveries.jsonl"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    values = {
        **env(password="wrong-" + PASSWORD),
        "TEST_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{closed}/services/{TOKEN}",
    }
    with SmtpReceiver(password=PASSWORD) as smtp:
        report = run_pass(published, alerting(email_port=smtp.port, attempts=2), log, values)
    assert report.delivered == [] and len(report.failed) == 4
    text = log.read_text()
    for secret in ("SECRET", PASSWORD, str(closed) + "/services"):
        assert secret not in text
    errors = {r["channel"]: r["error"] for r in records(log)}
    assert errors["email"] == f"email: authentication refused by 127.0.0.1:{smtp.port} (535)"
    assert errors["webhook"].startswith("webhook: ConnectError")
    # Authentication refused is not retried within the pass; the connection error is.
    assert sorted(r["attempt"] for r in records(log) if r["channel"] == "email") == [1, 1]


def test_a_channel_without_its_environment_waits_and_logs_nothing(tmp_path):
    published, log = publish_alerts(tmp_path), tmp_path / "deliveries.jsonl"
    report = run_pass(published, alerting(), log, {})
    assert report.waiting == {"webhook": "webhook: TEST_ALERT_WEBHOOK_URL is not set"}
    assert report.delivered == [] and records(log) == []
    with WebhookReceiver() as hook:
        assert len(run_pass(published, alerting(), log, env(hook)).delivered) == 2


def test_failing_blocking_suites_raise_one_alert_per_failed_run_listing_every_failure(tmp_path):
    latest = tmp_path / "quality" / "latest"
    latest.mkdir(parents=True)
    failing = {
        "suite": "fct_ai_cost_daily",
        "success": False,
        "evaluated_expectations": 12,
        "successful_expectations": 11,
        "validated_at": "2026-09-19T04:00:00+00:00",
        "run_id": "run-1",
        "failures": [
            {"expectation": "expect_column_values_to_not_be_null", "kwargs": {"column": "billed_cost"},
             "unexpected_count": 3, "examples": [None]},
        ],
    }  # fmt: skip
    (latest / "fct_ai_cost_daily.json").write_text(json.dumps(failing))
    (latest / "dim_team.json").write_text(
        json.dumps({**failing, "suite": "dim_team", "success": True})
    )
    # the same bad batch also broke the usage suite, in a table it reads as well
    usage_failures = [
        {"expectation": "expect_column_values_to_be_between",
         "kwargs": {"column": "uncached_input_tokens", "min_value": 0}, "unexpected_count": 2,
         "examples": [-1, -1], "table": None},
        {"expectation": "aiuw_expect_tokens_priced_or_explained",
         "kwargs": {"cost_column": "rated_cost"}, "unexpected_count": 4, "examples": [],
         "table": "int_usage_rated"},
    ]  # fmt: skip
    (latest / "fct_ai_usage_daily.json").write_text(
        json.dumps(
            {
                **failing,
                "suite": "fct_ai_usage_daily",
                "evaluated_expectations": 15,
                "successful_expectations": 13,
                "failures": usage_failures,
            }
        )
    )
    log = tmp_path / "deliveries.jsonl"
    with WebhookReceiver() as hook:
        for _ in range(2):
            senders, _ = build_senders(alerting(), env(hook))
            deliver(
                quality_alerts(tmp_path / "quality", "high", "medium"), alerting(), log, senders
            )
        assert len(hook.bodies) == 1
        text, blocks = hook.bodies[0]["text"], json.dumps(hook.bodies[0]["blocks"])
        assert (
            "suite fct_ai_cost_daily failed 1 critical and 0 warning expectation(s) of 12" in text
        )
        assert (
            "suite fct_ai_usage_daily failed 2 critical and 0 warning expectation(s) of 15" in text
        )
        assert (
            "fct_ai_cost_daily: expect_column_values_to_not_be_null(billed_cost): 3 unexpected"
            in blocks
        )
        assert "expect_column_values_to_be_between(uncached_input_tokens): 2 unexpected" in blocks
        assert "(int_usage_rated.rated_cost): 4 unexpected" in blocks
        (latest / "fct_ai_usage_daily.json").unlink()
        rerun = {**failing, "validated_at": "2026-09-20T04:00:00+00:00", "run_id": "run-2"}
        (latest / "fct_ai_cost_daily.json").write_text(json.dumps(rerun))
        senders, _ = build_senders(alerting(), env(hook))
        deliver(quality_alerts(tmp_path / "quality", "high", "medium"), alerting(), log, senders)
        assert len(hook.bodies) == 2


def test_a_run_with_only_warnings_raises_one_warning_alert_that_says_it_published(tmp_path):
    latest = tmp_path / "quality" / "latest"
    latest.mkdir(parents=True)
    warning = {
        "expectation": "aiuw_expect_weighted_share_to_be_between",
        "kwargs": {"weight_column": "total_tokens"},
        "unexpected_count": 3,
        "examples": [],
    }
    result = {"suite": "fct_ai_usage_daily", "success": True, "evaluated_expectations": 15,
              "successful_expectations": 14, "validated_at": "2026-09-19T04:00:00+00:00",
              "run_id": "run-1", "failures": [], "warnings": [warning]}  # fmt: skip
    (latest / "fct_ai_usage_daily.json").write_text(json.dumps(result))
    (latest / "dim_team.json").write_text(
        json.dumps({**result, "suite": "dim_team", "warnings": []})
    )
    (message,) = quality_alerts(tmp_path / "quality", "high", "medium")
    assert (message.condition_type, message.severity) == ("data_quality_warning", "medium")
    assert message.summary.startswith(
        "Great Expectations suite fct_ai_usage_daily failed 0 critical and 1 warning"
    )
    assert message.summary.endswith("warnings only: the release was published")
    assert message.evidence == (
        "fct_ai_usage_daily: aiuw_expect_weighted_share_to_be_between(total_tokens): "
        "3 unexpected (warning)"
    )
    # a critical failure in the same run makes it the refusal alert, at the refusal severity
    refused = {**result, "suite": "fct_ai_cost_daily", "success": False, "warnings": [],
               "failures": [{**warning, "expectation": "expect_column_values_to_not_be_null"}]}  # fmt: skip
    (latest / "fct_ai_cost_daily.json").write_text(json.dumps(refused))
    (message,) = quality_alerts(tmp_path / "quality", "high", "medium")
    assert (message.condition_type, message.severity) == ("data_quality_failed", "high")
    assert "publishing was refused" in message.summary
    assert (
        "(warning)" in message.evidence
        and "fct_ai_cost_daily: expect_column_values" in message.evidence
    )


def test_the_slack_payload_has_text_and_blocks_with_escaped_text():
    message = Message(
        "k1", "opened", "cost_spike", "cost", "high", "new", "application a<b>", "2026-09-18",
        "2026-09-18", "Spike & more <x7>", "evidence",
    )  # fmt: skip
    payload = slack_payload(message)
    assert payload["text"] == "High alert: cost spike: Spike & more <x7>"
    assert [b["type"] for b in payload["blocks"]] == ["header", "section", "section", "context"]
    assert payload["blocks"][1]["text"]["text"] == "Spike &amp; more &lt;x7&gt;"
    assert "*Subject*\napplication a&lt;b&gt;" in [
        f["text"] for f in payload["blocks"][2]["fields"]
    ]


def test_the_sensor_delivers_the_published_release_from_governance_settings(tmp_path, monkeypatch):
    from orchestration.defs.alerts.sensors import delivery_pass

    published = publish_alerts(tmp_path)
    governance = tmp_path / "governance"
    shutil.copytree(
        GOVERNANCE_DIR, governance, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    (governance / "alerting.yml").write_text(
        "channels:\n  webhook:\n    url_env: TEST_ALERT_WEBHOOK_URL\n"
        "routing:\n  high: [webhook]\n  critical: [webhook]\n"
    )
    monkeypatch.setenv("AIUW_GOVERNANCE_DIR", str(governance))
    monkeypatch.setenv("AIUW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AIUW_PUBLISHED_DIR", str(published))
    with WebhookReceiver() as hook:
        monkeypatch.setenv("TEST_ALERT_WEBHOOK_URL", hook.url(f"/services/{TOKEN}"))
        with dg.build_sensor_context() as context:
            result = delivery_pass(context)
            assert "2 delivered; 0 failed" in result.skip_message
            assert context.cursor.endswith("run-ware")
            assert "0 delivered" in delivery_pass(context).skip_message
    lines = records(tmp_path / "data" / "alerts" / "deliveries.jsonl")
    assert len(lines) == 2 and all(r["release_id"] == context.cursor for r in lines)
    if len(hook.bodies) != 2:
        pytest.fail(f"expected 2 webhook posts, got {len(hook.bodies)}")


def test_the_cli_lists_pending_alerts_then_delivers_them(tmp_path, monkeypatch, capsys):
    from orchestration.cli.alerts import main

    published = publish_alerts(tmp_path)
    governance = tmp_path / "governance"
    shutil.copytree(
        GOVERNANCE_DIR, governance, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    (governance / "alerting.yml").write_text(
        "channels:\n  webhook:\n    url_env: TEST_ALERT_WEBHOOK_URL\nrouting:\n  critical: [webhook]\n"
    )
    monkeypatch.setenv("AIUW_GOVERNANCE_DIR", str(governance))
    monkeypatch.setenv("AIUW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AIUW_PUBLISHED_DIR", str(published))
    assert main(["pending"]) == 0
    pending = capsys.readouterr().out.splitlines()[1:]
    assert [line.split("\t")[:3] for line in pending] == [[LEAVER, "opened", "webhook"]]
    with WebhookReceiver(statuses=[500, 500, 500]) as hook:
        monkeypatch.setenv("TEST_ALERT_WEBHOOK_URL", hook.url(f"/services/{TOKEN}"))
        assert main(["deliver"]) == 1
        assert main(["deliver"]) == 0 and len(hook.bodies) == 1
    assert "0 delivered" in capsys.readouterr().out.splitlines()[0]
    assert main(["pending"]) == 0 and capsys.readouterr().out.splitlines()[1:] == []


def test_an_alert_over_between_two_passes_is_sent_once_when_it_ended_within_catch_up_days(
    tmp_path,
):
    """A backfill (or a pass that fell behind) reaching just past a spike still tells about it."""
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.fct_alerts ({COLUMNS}, evaluated_date date)")
        for key, row in {SPIKE: ROWS[SPIKE], OLD: ROWS[OLD]}.items():
            row = (*row[:6], "resolved", *row[7:])
            con.execute(
                "insert into marts.fct_alerts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [key, *row, "2026-09-20"],
            )
    published = tmp_path / "published"
    publish(warehouse, published, ["fct_alerts"], "run-catchup")
    log = tmp_path / "deliveries.jsonl"
    with WebhookReceiver() as hook:
        for _ in range(2):
            run_pass(published, alerting(), log, env(hook))
        # the spike ended 2026-09-18, two days before the evaluation: sent once; the old one
        # (2026-08-28) is past the default three days and stays in the table
        assert [b["text"] for b in hook.bodies] == [
            "High alert: cost spike (over by 2026-09-18): Invoiced cost spike: application"
            " app-code-review-bot <x7>"
        ]
        assert [(r["alert_key"], r["message"]) for r in records(log)] == [(SPIKE, "missed")]
        strict = alerting().model_copy(update={"catch_up_days": 1})
        other_log = tmp_path / "strict.jsonl"
        assert run_pass(published, strict, other_log, env(hook)).delivered == []
