"""Usage drift on the sandbox: a gateway-only history around the planted drift (eight baseline weeks,
the drifting week and the one after, with a planted cost spike, growth, weekday seasonality and the
gateways' failures and fallbacks) publishes exactly the planted drift (its application, week and
measures) and one usage_drift alert for it, which reaches the webhook once."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from alerting.delivery import build_senders, deliver, read_published_alerts
from governance.load import load_governance
from governance.schema import Channels, Routing, WebhookChannel
from sandbox.checks import usage_drift_found, usage_drift_planted
from tests.alert_receivers import WebhookReceiver

pytestmark = pytest.mark.e2e


def rows(release, sql: str, *parameters) -> list[dict]:
    with duckdb.connect(str(release.published_db), read_only=True) as con:
        cursor = con.execute(sql, list(parameters))
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def test_the_planted_drift_is_the_only_drift_reported(usage_drift_release):
    release, drift = usage_drift_release, usage_drift_release.drift
    with duckdb.connect(str(release.published_db), read_only=True) as con:
        found = usage_drift_found(con)
    assert found == {(drift.application_id, drift.week_start, m) for m in drift.measures}
    assert found == usage_drift_planted(release.state, release.first, release.last)

    # every gateway application is judged, from its fifth complete week (four baseline weeks) on
    judged = rows(
        release,
        "select application_id, min(iso_week_start) as first_judged, max(iso_week_end) as last_day,"
        " count(distinct iso_week_start) as weeks from rpt_usage_drift"
        " where verdict <> 'no_verdict' group by application_id order by application_id",
    )
    assert [r["application_id"] for r in judged] == [
        "app-analytics-sql-helper",
        "app-code-review-bot",
        "app-ml-eval-harness",
        "app-mobile-chat",
        "app-support-assistant",
    ]
    for r in judged:
        assert (r["first_judged"], r["last_day"], r["weeks"]) == (
            release.first + timedelta(weeks=4),
            release.last,
            6,
        )

    week = {
        r["measure"]: r
        for r in rows(
            release,
            "select * from rpt_usage_drift where application_id = ? and iso_week_start = ?",
            drift.application_id,
            drift.week_start,
        )
    }
    tokens = week["tokens_per_request"]
    assert 2.9 < tokens["value"] / tokens["baseline_value"] < 3.1
    assert tokens["statistic"] == "robust_z" and tokens["statistic_value"] >= 3.5
    mix = week["model_mix"]
    assert mix["statistic_value"] == pytest.approx(1.0)  # every token moved to the new model
    assert f"{drift.to_model} 0.0% -> 100.0%" in mix["reason"]
    assert f"{drift.to_model} 100.0%" in week["new_model"]["reason"]
    # the same requests, failures, fallbacks and hours: those measures are steady
    steady = {"requests", "output_input_ratio", "error_rate", "fallback_rate", "off_hours_share"}
    assert {m for m in steady if week[m]["verdict"] == "steady"} == steady
    assert not week["new_provider"]["is_significant"]


def test_its_alert_is_the_only_usage_drift_alert_and_reaches_the_webhook_once(
    usage_drift_release, tmp_path
):
    release, drift = usage_drift_release, usage_drift_release.drift
    alerts = rows(release, "select * from fct_alerts where condition_type = 'usage_drift'")
    assert len(alerts) == 1
    (alert,) = alerts
    # judged on the drifting week's Sunday; the week after drifts too, and is the latest judged
    assert (alert["subject_id"], alert["first_seen_date"], alert["last_seen_date"]) == (
        drift.application_id,
        drift.week_start + timedelta(days=6),
        release.last,
    )
    assert (alert["state"], alert["severity"], alert["evaluated_date"]) == (
        "ongoing",
        "medium",
        release.last,
    )
    assert ", ".join(sorted(drift.measures)) in alert["summary"]
    assert f"week of {drift.week_start}" in alert["evidence"]

    governance = load_governance()
    with WebhookReceiver() as hook:
        config = governance.alerting.model_copy(
            update={
                "channels": Channels(webhook=WebhookChannel(url_env="E2E_DRIFT_HOOK")),
                "routing": Routing(medium=["webhook"], high=["webhook"], critical=["webhook"]),
            }
        )
        log = tmp_path / "deliveries.jsonl"
        for _ in range(2):  # a second pass sends nothing again
            senders, waiting = build_senders(config, {"E2E_DRIFT_HOOK": hook.url("/hook")})
            assert waiting == {}
            try:
                deliver(read_published_alerts(release.published), config, log, senders)
            finally:
                for sender in senders.values():
                    sender.close()
        texts = [b["text"] for b in hook.bodies if "Usage drift" in b["text"]]
    assert len(texts) == 1 and drift.application_id in texts[0]
