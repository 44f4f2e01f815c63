"""Alert delivery as a sensor: each tick sends the current release's alerts, one alert per failing
blocking quality check and the operational alerts (failed sources and dbt builds, unreadable landing
files, stale sources and releases) that no routed channel has received, and retries what failed."""

import dagster as dg

from alerting.delivery import run_pass
from governance.load import load_governance
from warehouse.paths import Paths

TICK_SECONDS = 300


def delivery_pass(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    governance = load_governance()
    if governance.alerting is None:
        return dg.SkipReason("no governance/alerting.yml: alerts stay in fct_alerts only")
    release, report = run_pass(Paths.from_env(), governance)
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
            "resolution), failing blocking quality checks and operational alerts (failed source or "
            "dbt build, unreadable landing file, stale source or release) to the channels "
            "governance/alerting.yml routes each severity to; every attempt goes to "
            "data/alerts/deliveries.jsonl, failures are retried on the next tick, nothing is sent "
            "twice."
        ),
    )
    def alert_delivery(context: dg.SensorEvaluationContext):
        return delivery_pass(context)

    return dg.Definitions(sensors=[alert_delivery])
