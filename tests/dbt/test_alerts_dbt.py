"""fct_alerts through dbt on pinned upstream rows: the sandbox's invoiced costs with its planted spike, a
planted leaver, policy violations, an expired exception and weeks of usage drift. One alert per
condition episode, states read against the latest day, keys stable when a day is added, and the suite
passes on the result."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from alerting.delivery import build_senders, deliver, read_published_alerts
from governance.load import GOVERNANCE_DIR, load_governance
from governance.schema import Channels, EmailChannel, WebhookChannel
from quality.gx import validate_dataframe
from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from tests.alert_receivers import SmtpReceiver, WebhookReceiver
from tests.dbt_build import dbt_build
from warehouse.publish import publish

START, END = date(2026, 8, 1), date(2026, 9, 18)
SPIKE_APP, SPIKE_DAY = "app-code-review-bot", date(2026, 9, 18)
EARLIER_SPIKE_APP = "app-contract-reviewer"
RESTRICTED_APP = "app-payments-fraud-notes"  # sensitivity tier critical
NEWCOMER, OLD_HAND = "new.person@example-corp.com", "old.hand@example-corp.com"
DRIFT_APP, STEADY_APP = "app-mobile-chat", "app-ml-eval-harness"
# (Monday, measure, statistic, its value, drifted): two drifting weeks in a row, a steady week, and a
# drifting last judged week (its Sunday, 2026-09-13, is the latest judged day)
DRIFT_WEEKS = [
    (date(2026, 8, 10), "model_mix", "total_variation_distance", 0.8, True),
    (date(2026, 8, 10), "new_model", "new_token_share", 0.5, True),
    (date(2026, 8, 10), "requests", "robust_z", 0.4, False),
    (date(2026, 8, 17), "tokens_per_request", "robust_z", 12.0, True),
    (date(2026, 8, 24), "tokens_per_request", "robust_z", 0.7, False),
    (date(2026, 8, 31), "error_rate", "two_proportion_z", 1.1, False),
    (date(2026, 9, 7), "error_rate", "two_proportion_z", 9.5, True),
]
LEAVER_DAYS = [date(2026, 9, 10), date(2026, 9, 11), date(2026, 9, 17), date(2026, 9, 18)]
SELECT = [
    "stg_governance__alert_rules",
    "stg_governance__alert_cost_thresholds",
    "stg_governance__applications",
    "fct_alerts",
]


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def sandbox_costs(end: date) -> dict[tuple[str, str, date], Decimal]:
    """Invoiced cost of every declared application per day, as the sandbox bills it."""
    enterprise = Enterprise()
    activity = Activity(enterprise)
    totals: dict[tuple[str, str, date], Decimal] = defaultdict(Decimal)
    for day in days(START, end):
        for line in activity.final_costs(day):
            app = enterprise.application(enterprise.project(line.project_id).application_id)
            if app.declared:
                totals[(app.application_id, app.owning_team_id, day)] += line.amount_usd
    return totals


def leaver_email() -> str:
    enterprise = Enterprise()
    event = next(e for e in enterprise.person_events if e.kind == "left" and e.on < LEAVER_DAYS[0])
    return enterprise.person(event.person_id).email.lower()


def seed_upstream(database: Path, end: date) -> None:
    leaver = leaver_email()
    with duckdb.connect(str(database)) as con:
        for schema in ("intermediate", "marts"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            """
            create or replace table marts.fct_ai_cost_daily (
                usage_date date, cost_kind varchar, application_id varchar, team_id varchar,
                model_id varchar, billed_cost decimal(38, 10), billing_currency varchar
            )
            """
        )
        con.executemany(
            "insert into marts.fct_ai_cost_daily values (?, 'invoiced', ?, ?, null, ?, 'USD')",
            [[day, app, team, cost] for (app, team, day), cost in sandbox_costs(end).items()],
        )
        # Measured cost never raises a cost alert, however large.
        con.execute(
            "insert into marts.fct_ai_cost_daily values (?, 'measured', ?, 'x', null, 99999, 'USD')",
            [end, "app-ticket-triage"],
        )
        usage_columns = """usage_date date, person_id varchar, application_id varchar,
            team_id varchar, credential_provider varchar, credential_id varchar, request_count bigint"""
        con.execute(f"create or replace table intermediate.int_usage_governed ({usage_columns})")
        usage = [
            [d, OLD_HAND, RESTRICTED_APP, "payments", "openai", "k-old", 5]
            for d in days(START, end)
        ]
        usage += [[date(2026, 9, 5), NEWCOMER, RESTRICTED_APP, "payments", "openai", "k-new", 3]]
        usage += [
            [d, leaver, "app-ticket-triage", "support-ops", "openai", "k-gone", 7]
            for d in LEAVER_DAYS
        ]
        con.executemany(
            "insert into intermediate.int_usage_governed values (?, ?, ?, ?, ?, ?, ?)", usage
        )
        con.execute(
            f"""create or replace table intermediate.int_findings_usage_by_inactive_person (
                rule varchar, person_status varchar, {usage_columns})"""
        )
        con.execute(
            """insert into intermediate.int_findings_usage_by_inactive_person
            select 'usage_by_inactive_person', 'departed', * from intermediate.int_usage_governed
            where credential_id = 'k-gone'"""
        )
        con.execute(
            """
            create or replace table marts.fct_policy_violations (
                violation_key varchar, usage_date date, policy_id varchar, rule varchar,
                severity varchar, subject_type varchar, subject_id varchar, application_id varchar,
                team_id varchar, person_id varchar, status varchar, exception_id varchar,
                exception_expires_on date, request_count bigint
            )
            """
        )
        rows = [
            [f"v-data-{d.day}", d, "POL-004", "data_category_not_allowed", "critical",
             "application", RESTRICTED_APP, RESTRICTED_APP, "payments", None, "open", None, None, 9]
            for d in days(date(2026, 9, 16), end)
        ]  # fmt: skip
        rows += [
            [f"v-exc-{d.day}", d, "POL-001", "model_not_approved_for_application", "high",
             "application", "app-design-critique", "app-design-critique", "design", None,
             "reraised", "EXC-001", date(2026, 9, 10), 4]
            for d in (date(2026, 9, 10), date(2026, 9, 11))
        ]  # fmt: skip
        rows += [
            ["v-medium", end, "POL-005", "prompt_logging_forbidden", "medium", "application",
             "app-mobile-chat", "app-mobile-chat", "mobile", None, "open", None, None, 2],
            ["v-leaver", end, "POL-006", "usage_by_inactive_person", "high", "credential",
             "openai:k-gone", "app-ticket-triage", "support-ops", leaver, "open", None, None, 7],
        ]  # fmt: skip
        con.executemany(
            "insert into marts.fct_policy_violations values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        # no seat violation here: the seats' last day only bounds those
        con.execute(
            "create or replace table intermediate.int_seat_assignments_daily (activity_date date)"
        )
        con.execute(
            """
            create or replace table marts.rpt_usage_drift (
                application_id varchar, team_id varchar, iso_week_start date, iso_week_end date,
                measure varchar, statistic varchar, statistic_value double, is_significant boolean
            )
            """
        )
        drift = [
            [app, team, monday, monday + timedelta(days=6), measure, statistic, value, drifted]
            for monday, measure, statistic, value, drifted in DRIFT_WEEKS
            for app, team in ((DRIFT_APP, "mobile"), (STEADY_APP, "machine-learning"))
            if app == DRIFT_APP or not drifted
        ]
        con.executemany("insert into marts.rpt_usage_drift values (?, ?, ?, ?, ?, ?, ?, ?)", drift)


def build(base: Path, database: Path) -> None:
    dbt_build(base, database, base / "landing", SELECT, cautious=True)


def alerts(database: Path) -> dict[tuple[str, str], list[dict]]:
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute("select * from marts.fct_alerts order by first_seen_date")
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    found: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        found[(row["condition_type"], row["subject_id"])].append(row)
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("alerts_dbt")
    governance = base / "governance"
    shutil.copytree(
        GOVERNANCE_DIR, governance, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    target = base / "landing" / "governance"
    target.mkdir(parents=True)
    for name, table in load_governance(governance).tables().items():
        pq.write_table(table, target / f"{name}.parquet")
    database = base / "warehouse.duckdb"
    seed_upstream(database, END)
    build(base, database)
    first = alerts(database)
    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.sql("select * from marts.fct_alerts").df()
    first_release = publish(database, base / "published", ["fct_alerts"], "run-first")
    seed_upstream(database, END + timedelta(days=1))
    build(base, database)
    return {
        "first": first,
        "frame": frame,
        "next": alerts(database),
        "database": database,
        "releases": [
            first_release,
            publish(database, base / "published", ["fct_alerts"], "run-next"),
        ],
        "base": base,
    }


def test_the_planted_spike_is_the_one_new_cost_alert_with_its_figures(built):
    found = built["first"]
    costs = sandbox_costs(END)
    cost_alerts = {k: v for k, v in found.items() if k[0] == "cost_spike"}
    assert set(cost_alerts) == {("cost_spike", SPIKE_APP), ("cost_spike", EARLIER_SPIKE_APP)}
    (spike,) = cost_alerts[("cost_spike", SPIKE_APP)]
    day_cost = sum(v for (app, _, d), v in costs.items() if app == SPIKE_APP and d == SPIKE_DAY)
    window = days(SPIKE_DAY - timedelta(days=14), SPIKE_DAY - timedelta(days=1))
    baseline = sum(v for (app, _, d), v in costs.items() if app == SPIKE_APP and d in window) / 14
    assert (
        spike["state"] == "new" and spike["severity"] == "high" and spike["rule_ref"] == "THR-001"
    )
    assert (spike["first_seen_date"], spike["last_seen_date"]) == (
        SPIKE_DAY,
        SPIKE_DAY,
    )
    assert spike["observed_value"] == day_cost.quantize(Decimal("1e-10"))
    assert abs(spike["baseline_value"] - baseline) < Decimal("1e-9")
    assert spike["observed_value"] >= 3 * spike["baseline_value"]
    assert f"peaked at {day_cost:.2f} USD" in spike["summary"]
    assert spike["application_id"] == SPIKE_APP and spike["billing_currency"] == "USD"
    (earlier,) = cost_alerts[("cost_spike", EARLIER_SPIKE_APP)]
    assert earlier["state"] == "resolved" and earlier["active_days"] == 2
    assert str(earlier["first_seen_date"]) == "2026-08-27"


def test_a_leaver_raises_one_alert_per_episode_and_not_a_second_as_a_violation(built):
    found = built["first"]
    leaver = leaver_email()
    episodes = found[("inactive_person_active", leaver)]
    assert [(e["first_seen_date"], e["last_seen_date"], e["state"]) for e in episodes] == [
        (date(2026, 9, 10), date(2026, 9, 11), "resolved"),
        (date(2026, 9, 17), date(2026, 9, 18), "ongoing"),
    ]
    assert all(e["severity"] == "critical" for e in episodes)
    assert "openai:k-gone" in episodes[1]["evidence"] and "departed" in episodes[1]["summary"]
    assert not [k for k in found if k[0] == "policy_violation" and k[1] == "openai:k-gone"]


def test_risk_and_new_person_conditions(built):
    found = built["first"]
    (violation,) = found[("policy_violation", RESTRICTED_APP)]
    assert (violation["state"], violation["severity"], violation["active_days"]) == (
        "ongoing",
        "critical",
        3,
    )
    assert violation["evidence"] == "v-data-16; v-data-17; v-data-18"
    assert ("policy_violation", "app-mobile-chat") not in found  # medium, below the floor
    assert (
        "policy_violation",
        "app-design-critique",
    ) not in found  # re-raised: the exception alert
    (expired,) = found[("exception_expired", "EXC-001")]
    assert (expired["state"], expired["rule_ref"], expired["active_days"]) == (
        "resolved",
        "POL-001",
        2,
    )
    (newcomer,) = found[("new_person_on_restricted_application", f"{NEWCOMER} on {RESTRICTED_APP}")]
    assert newcomer["first_seen_date"] == date(2026, 9, 5) and newcomer["state"] == "resolved"
    assert not [k for k in found if OLD_HAND in k[1]]


def test_drifting_weeks_in_a_row_are_one_usage_drift_alert(built):
    found = built["first"]
    assert not [k for k in found if k[0] == "usage_drift" and k[1] != DRIFT_APP]
    first, last = found[("usage_drift", DRIFT_APP)]
    # judged on the Sundays 2026-08-16 and 08-23; held until the next weeks were judged
    assert (first["first_seen_date"], first["last_seen_date"], first["active_days"]) == (
        date(2026, 8, 16),
        date(2026, 8, 29),
        14,
    )
    assert (first["state"], first["severity"], first["category"], first["rule_ref"]) == (
        "resolved",
        "medium",
        "risk",
        "usage_drift",
    )
    assert first["observed_value"] == 3 and first["team_id"] == "mobile"
    assert first["summary"] == (
        "Usage drift of application app-mobile-chat (team mobile) against its trailing weeks:"
        " model_mix, new_model, tokens_per_request (14 day(s) from 2026-08-16 to 2026-08-29)"
    )
    assert first["evidence"] == (
        "week of 2026-08-10: model_mix total_variation_distance 0.80,"
        " new_model new_token_share 0.50; week of 2026-08-17: tokens_per_request robust_z 12.00"
    )
    # the last judged week drifted: new on its Sunday, the latest day the drift report covers
    assert (last["first_seen_date"], last["last_seen_date"], last["state"]) == (
        date(2026, 9, 13),
        date(2026, 9, 13),
        "new",
    )
    assert last["evaluated_date"] == date(2026, 9, 13)
    assert last["summary"].endswith(
        "against its trailing weeks: error_rate (1 day(s) from 2026-09-13 to 2026-09-13)"
    )


def test_a_day_more_keeps_every_key_and_moves_states(built):
    first, after = built["first"], built["next"]
    keys = {r["alert_key"]: r for rows in first.values() for r in rows}
    later = {r["alert_key"]: r for rows in after.values() for r in rows}
    assert set(keys) <= set(later)
    (spike,) = after[("cost_spike", SPIKE_APP)]
    assert spike["alert_key"] == first[("cost_spike", SPIKE_APP)][0]["alert_key"]
    assert spike["state"] == "resolved" and spike["evaluated_date"] == END + timedelta(days=1)
    violation = later[first[("policy_violation", RESTRICTED_APP)][0]["alert_key"]]
    assert (violation["state"], violation["active_days"]) == ("ongoing", 4)
    leaver = after[("inactive_person_active", leaver_email())][-1]
    assert leaver["state"] == "resolved"


def test_the_suite_passes_on_the_built_table(built):
    outcome = validate_dataframe("fct_alerts", built["frame"])
    assert outcome.success, [f.describe() for f in outcome.failures]


def test_published_alerts_reach_the_shipped_routes_once_then_their_resolution(built, tmp_path):
    """The shipped routing (governance/alerting.yml) with local receivers in place of the channels."""
    log, leaver = tmp_path / "deliveries.jsonl", leaver_email()
    first, later = built["releases"]
    with WebhookReceiver() as hook, SmtpReceiver() as smtp:
        config = load_governance().alerting.model_copy(
            update={
                "channels": Channels(
                    webhook=WebhookChannel(url_env="TEST_HOOK"),
                    email=EmailChannel(
                        host="127.0.0.1",
                        port=smtp.port,
                        security="none",
                        from_address="alerts@example-corp.com",
                        to=["governance@example-corp.com"],
                    ),
                )
            }
        )

        def delivery_pass(release) -> None:
            senders, waiting = build_senders(config, {"TEST_HOOK": hook.url("/hook")})
            assert waiting == {}
            published = release.directory.parent.parent
            # Each pass reads the current release; make this one current.
            (published / "current").unlink()
            (published / "current").symlink_to(release.directory)
            deliver(read_published_alerts(published), config, log, senders)

        delivery_pass(first)
        texts = [body["text"] for body in hook.bodies]
        assert len([t for t in texts if SPIKE_APP in t]) == 1
        assert len([t for t in texts if leaver in t]) == 1
        assert len([m for m in smtp.messages if SPIKE_APP in m["Subject"]]) == 1
        assert len([m for m in smtp.messages if leaver in m["Subject"]]) == 1
        assert not [t for t in texts if EARLIER_SPIKE_APP in t or NEWCOMER in t]
        opened = len(hook.bodies)
        delivery_pass(first)
        assert len(hook.bodies) == opened
        delivery_pass(later)
        resolved = [body["text"] for body in hook.bodies[opened:]]
        assert sorted(t.split(":")[0] for t in resolved) == [
            "Resolved",
            "Resolved",
        ] and {SPIKE_APP in t or leaver in t for t in resolved} == {True}
