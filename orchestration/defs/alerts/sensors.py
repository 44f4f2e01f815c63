"""Alert delivery as a sensor: each tick sends the current release's alerts (and one alert per failing
blocking quality check) that no routed channel has received, and retries what failed last time."""

import dagster as dg

from governance.load import load_governance
from orchestration.lib.alerts import (
    alerts_dir,
    build_senders,
    deliver,
    published_release,
    quality_alerts,
    read_published_alerts,
)
from orchestration.lib.settings import Paths

TICK_SECONDS = 300


def delivery_pass(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    paths = Paths.from_env()
    governance = load_governance()
    config = governance.alerting
    if config is None:
        return dg.SkipReason("no governance/alerting.yml: alerts stay in fct_alerts only")
    release = published_release(paths.published)
    messages = read_published_alerts(paths.published)
    quality = governance.thresholds.data_quality
    if quality.enabled:
        messages += quality_alerts(paths.quality, quality.severity)
    senders, waiting = build_senders(config)
    try:
        report = deliver(
            messages,
            config,
            alerts_dir(paths.data) / "deliveries.jsonl",
            senders,
            waiting=waiting,
            release_id=release,
        )
    finally:
        for sender in senders.values():
            sender.close()
    for key, kind, channel in report.failed:
        context.log.warning(f"alert {key} ({kind}) to {channel} failed; retried next tick")
    if release:
        context.update_cursor(release)
    return dg.SkipReason(f"release {release or '(none)'}: {report.describe()}")


@dg.definitions
def alert_defs() -> dg.Definitions:
    @dg.sensor(
        name="alert_delivery",
        minimum_interval_seconds=TICK_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Delivers fct_alerts of the published release (new and ongoing alerts, then their "
            "resolution) and failing blocking quality checks to the channels governance/alerting.yml "
            "routes each severity to; every attempt goes to data/alerts/deliveries.jsonl, failures "
            "are retried on the next tick, nothing is sent twice."
        ),
    )
    def alert_delivery(context: dg.SensorEvaluationContext):
        return delivery_pass(context)

    return dg.Definitions(sensors=[alert_delivery])
