"""rpt_usage_drift through dbt on pinned gateway weeks whose statistics were worked out by hand, with
the shipped rules (governance/thresholds.yml drift): five baseline weeks, one week that drifts and
one that does not though its robust z alone would.

One application (app-support-assistant, LiteLLM team team-support-assistant), all its traffic on the
Monday of each week: the requests at 10:00 UTC (working hours) and the off-hours share at 22:00.
Tokens split 80/20 into input and output, so the output/input ratio is 0.25 every week.

    week  Monday      requests  failed  fallbacks  off-hours  tokens/request  gpt-4.1 share of tokens
    B1    2026-09-07      1000      30         40        300            2000  0
    B2    2026-09-14      1100      30         40        330            2100  0
    B3    2026-09-21       900      30         40        270            1900  0
    B4    2026-09-28      1000      30         40        300            2000  0
    B5    2026-10-05      1200      30         40        360            2050  0
    J1    2026-10-12      1050     105         42        315            6000  0.6 (the rest gpt-4.1-mini)
    J2    2026-10-19      1000      60         40        300            2400  0.45

Tokens per request are tokens / successful requests, so a week's tokens are (requests - failed) x
tokens/request: B1 970 x 2000 = 1,940,000, B2 2,247,000, B3 1,653,000, B4 1,940,000, B5 2,398,500,
J1 945 x 6000 = 5,670,000, J2 940 x 2400 = 2,256,000.

By hand, J1 against B1..B5 (five baseline weeks):
- tokens/request: median of 2000, 2100, 1900, 2000, 2050 = 2000; absolute deviations 0, 100, 100,
  0, 50, their median (MAD) 50; z = (6000 - 2000) / (1.4826 x 50) = 4000 / 74.13 = 53.96 >= 3.5,
  and 6000 = 3 x 2000 >= 2 x the median: drift.
- requests: median 1000, deviations 0, 100, 100, 0, 200, MAD 100; z = 50 / 148.26 = 0.34: steady.
- error rate: 105 / 1050 = 0.1 against the pooled 150 / 5200 = 0.028846; pooled p = 255 / 6250 =
  0.0408, standard error sqrt(0.0408 x 0.9592 x (1/1050 + 1/5200)) = 0.0066931, z = 0.071154 /
  0.0066931 = 10.63 >= 3.5 and 7.1 points >= 5: drift.
- fallback rate: 0.04 against 200 / 5200 = 0.038462, z = 0.24: steady. Off-hours share 0.3 against
  0.3, z = 0: steady.
- model mix: the baseline is all gpt-4.1-mini; J1 is 0.4 gpt-4.1-mini and 0.6 gpt-4.1; total
  variation distance 0.5 x (|0.4 - 1| + |0.6 - 0|) = 0.6 >= 0.3: drift. gpt-4.1 is new and carries
  0.6 >= 0.05 of the week's tokens: drift (new_model). No new provider (both are OpenAI's).
- output/input ratio: 0.25 in every week, so the MAD and the mean deviation are 0 and there is no z;
  the week equals the median: steady.

J2 against B1..B5 and J1 (six):
- tokens/request: the six sorted are 1900, 2000, 2000, 2050, 2100, 6000, median (2000 + 2050) / 2 =
  2025; deviations 125, 25, 25, 25, 75, 3975, MAD (25 + 75) / 2 = 50; z = (2400 - 2025) / 74.13 =
  5.06 >= 3.5, but 2400 / 2025 = 1.19 is under the twofold change: steady (the z alone would fire).
- error rate: 60 / 1000 = 0.06 against 255 / 6250 = 0.0408; pooled 315 / 7250 = 0.043448, standard
  error 0.0069434, z = 2.77: steady.
- model mix: baseline tokens gpt-4.1-mini 10,178,500 + 0.4 x 5,670,000 = 12,446,500 and gpt-4.1
  3,402,000, shares 0.785342 and 0.214658; J2 0.55 and 0.45; distance 0.5 x (0.235342 + 0.235342)
  = 0.235342 < 0.3: steady. gpt-4.1 is no longer new.

B1..B4 have 0 to 3 baseline weeks: no verdict; B5 (four) is judged and steady.
"""

from __future__ import annotations

import math
import shutil
from datetime import date, timedelta

import duckdb
import pyarrow.parquet as pq
import pytest

from governance.load import GOVERNANCE_DIR, load_governance
from quality.gx import validate_dataframe
from tests.dbt_build import dbt_build

APP, KEY = "app-support-assistant", "team-support-assistant"
MINI, FULL = "gpt-4.1-mini", "gpt-4.1"
# Monday, requests, failed, fallbacks, off-hours requests, tokens per request, gpt-4.1 share
WEEKS = {
    "B1": (date(2026, 9, 7), 1000, 30, 40, 300, 2000, 0.0),
    "B2": (date(2026, 9, 14), 1100, 30, 40, 330, 2100, 0.0),
    "B3": (date(2026, 9, 21), 900, 30, 40, 270, 1900, 0.0),
    "B4": (date(2026, 9, 28), 1000, 30, 40, 300, 2000, 0.0),
    "B5": (date(2026, 10, 5), 1200, 30, 40, 360, 2050, 0.0),
    "J1": (date(2026, 10, 12), 1050, 105, 42, 315, 6000, 0.6),
    "J2": (date(2026, 10, 19), 1000, 60, 40, 300, 2400, 0.45),
}
SELECT = [
    "stg_governance__usage_drift_thresholds",
    "stg_governance__application_credentials",
    "stg_governance__applications",
    "int_gateway_application_hours",
    "rpt_usage_drift",
]


def hourly_rows() -> list[tuple]:
    """int_gateway_requests_hourly rows: per week, the working-hours requests (with every failure and
    fallback) on gpt-4.1-mini's tokens, the off-hours requests on gpt-4.1's when the week has any."""
    rows = []
    for monday, requests, failed, fallbacks, off_hours, per_request, full_share in WEEKS.values():
        tokens = (requests - failed) * per_request
        full = round(tokens * full_share)
        mini = tokens - full
        # usage_date, hour, gateway, key, provider, model, requests, successes, failures,
        # fallbacks, input tokens, output tokens
        rows.append(
            (monday, 10, "litellm", KEY, "openai", MINI, requests - off_hours,
             requests - off_hours - failed, failed, fallbacks, mini * 4 // 5, mini // 5)
        )  # fmt: skip
        rows.append(
            (monday, 22, "litellm", KEY, "openai", FULL if full else MINI, off_hours, off_hours,
             0, 0, full * 4 // 5, full // 5)
        )  # fmt: skip
    # an undeclared key's requests on the first Monday and the last Sunday: the data covers whole weeks
    last_sunday = WEEKS["J2"][0] + timedelta(days=6)
    return rows + [
        (day, 3, "litellm", "undeclared-key", "openai", MINI, 5, 5, 0, 0, 100, 20)
        for day in (WEEKS["B1"][0], last_sunday)
    ]


def seed(database) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute("create schema if not exists intermediate")
        con.execute(
            """
            create or replace table intermediate.int_gateway_requests_hourly (
                usage_date date, request_hour integer, gateway varchar, application_key varchar,
                provider varchar, model_id varchar, request_count bigint, success_count bigint,
                failure_count bigint, fallback_count bigint, input_tokens bigint,
                output_tokens bigint
            )
            """
        )
        con.executemany(
            "insert into intermediate.int_gateway_requests_hourly values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            hourly_rows(),
        )


@pytest.fixture(scope="module")
def drift(tmp_path_factory):
    base = tmp_path_factory.mktemp("usage_drift")
    governance = base / "governance"
    shutil.copytree(
        GOVERNANCE_DIR, governance, ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    target = base / "landing" / "governance"
    target.mkdir(parents=True)
    for name, table in load_governance(governance).tables().items():
        pq.write_table(table, target / f"{name}.parquet")
    database = base / "warehouse.duckdb"
    seed(database)
    dbt_build(base, database, base / "landing", SELECT, cautious=True)
    with duckdb.connect(str(database), read_only=True) as con:
        frame = con.sql("select * from marts.rpt_usage_drift").df()
        cursor = con.execute("select * from marts.rpt_usage_drift")
        names = [d[0] for d in cursor.description]
        records = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    rows = {(r["iso_week_start"], r["measure"]): r for r in records}
    return {"frame": frame, "rows": rows, "records": records}


def row(drift, week: str, measure: str) -> dict:
    return drift["rows"][(WEEKS[week][0], measure)]


def test_the_tokens_seeded_are_the_weeks_of_the_docstring():
    tokens: dict[date, int] = {}
    for r in hourly_rows():
        if r[3] == KEY:
            tokens[r[0]] = tokens.get(r[0], 0) + r[10] + r[11]
    assert tokens == {
        WEEKS["B1"][0]: 1_940_000,
        WEEKS["B2"][0]: 2_247_000,
        WEEKS["B3"][0]: 1_653_000,
        WEEKS["B4"][0]: 1_940_000,
        WEEKS["B5"][0]: 2_398_500,
        WEEKS["J1"][0]: 5_670_000,
        WEEKS["J2"][0]: 2_256_000,
    }


def test_the_drifting_week_fires_on_the_measures_worked_out_by_hand(drift):
    drifted = {m for (week, m), r in drift["rows"].items() if r["is_significant"]}
    weeks = {week for (week, _), r in drift["rows"].items() if r["is_significant"]}
    assert weeks == {WEEKS["J1"][0]}
    assert drifted == {"tokens_per_request", "error_rate", "model_mix", "new_model"}

    tpr = row(drift, "J1", "tokens_per_request")
    assert (tpr["value"], tpr["baseline_value"], tpr["baseline_weeks"]) == (6000, 2000, 5)
    assert tpr["statistic"] == "robust_z"
    assert tpr["statistic_value"] == pytest.approx(4000 / (1.4826 * 50))
    assert round(tpr["statistic_value"], 2) == 53.96
    assert tpr["relative_change"] == pytest.approx(2.0) and tpr["change"] == 4000
    assert tpr["reason"].startswith("drift (5 baseline weeks): 6000.0 tokens per request")
    assert "robust z 53.96" in tpr["reason"]

    error = row(drift, "J1", "error_rate")
    pooled = 255 / 6250
    z = (0.1 - 150 / 5200) / math.sqrt(pooled * (1 - pooled) * (1 / 1050 + 1 / 5200))
    assert error["statistic"] == "two_proportion_z"
    assert (error["value"], error["baseline_value"]) == pytest.approx((0.1, 150 / 5200))
    assert error["statistic_value"] == pytest.approx(z) and round(z, 2) == 10.63
    assert "7.1 points" in error["reason"]

    mix = row(drift, "J1", "model_mix")
    assert mix["statistic"] == "total_variation_distance"
    assert mix["statistic_value"] == pytest.approx(0.6)
    assert (mix["value"], mix["baseline_value"]) == pytest.approx((0.6, 0.0))  # gpt-4.1's shares
    assert "gpt-4.1 0.0% -> 60.0%, gpt-4.1-mini 100.0% -> 40.0%" in mix["reason"]

    new = row(drift, "J1", "new_model")
    assert (new["statistic"], new["statistic_value"]) == ("new_token_share", pytest.approx(0.6))
    assert "gpt-4.1 60.0%" in new["reason"]
    assert not row(drift, "J1", "new_provider")["is_significant"]


def test_the_steady_measures_of_the_drifting_week(drift):
    requests = row(drift, "J1", "requests")
    assert (requests["value"], requests["baseline_value"]) == (1050, 1000)
    assert requests["statistic_value"] == pytest.approx(50 / 148.26)
    fallback = row(drift, "J1", "fallback_rate")
    assert fallback["verdict"] == "steady" and round(fallback["statistic_value"], 2) == 0.24
    off_hours = row(drift, "J1", "off_hours_share")
    assert (off_hours["value"], off_hours["statistic_value"]) == (pytest.approx(0.3), 0)
    ratio = row(drift, "J1", "output_input_ratio")
    assert (ratio["value"], ratio["baseline_value"], ratio["verdict"]) == (0.25, 0.25, "steady")
    assert ratio["statistic_value"] is None or math.isnan(ratio["statistic_value"])
    assert "n/a (the baseline weeks are all equal)" in ratio["reason"]


def test_the_week_after_does_not_fire_though_its_robust_z_alone_would(drift):
    assert not [
        m
        for (week, m), r in drift["rows"].items()
        if week == WEEKS["J2"][0] and r["is_significant"]
    ]
    tpr = row(drift, "J2", "tokens_per_request")
    assert (tpr["baseline_value"], tpr["baseline_weeks"], tpr["verdict"]) == (2025, 6, "steady")
    assert tpr["statistic_value"] == pytest.approx(375 / (1.4826 * 50))  # 5.06 >= 3.5 ...
    assert tpr["value"] / tpr["baseline_value"] == pytest.approx(2400 / 2025)  # ... 1.19 < 2
    error = row(drift, "J2", "error_rate")
    assert round(error["statistic_value"], 2) == 2.77
    mix = row(drift, "J2", "model_mix")
    assert mix["statistic_value"] == pytest.approx(0.5 * 2 * (0.45 - 3_402_000 / 15_848_500))
    assert round(mix["statistic_value"], 6) == 0.235342
    assert row(drift, "J2", "new_model")["statistic_value"] == 0


def test_too_few_baseline_weeks_give_no_verdict(drift):
    for week, baseline_weeks in (("B1", 0), ("B2", 1), ("B3", 2), ("B4", 3)):
        r = row(drift, week, "requests")
        assert (r["verdict"], r["baseline_weeks"], r["is_significant"]) == (
            "no_verdict",
            baseline_weeks,
            False,
        )
        assert (
            r["reason"] == f"no verdict: {baseline_weeks} baseline week(s) with traffic, 4 needed"
        )
    judged = {m: r["verdict"] for (week, m), r in drift["rows"].items() if week == WEEKS["B5"][0]}
    assert set(judged.values()) == {"steady"} and len(judged) == 9


def test_only_the_declared_application_and_complete_weeks(drift):
    records = drift["records"]
    assert {(r["application_id"], r["team_id"]) for r in records} == {(APP, "support-ops")}
    assert {r["iso_week_start"] for r in records} == {w[0] for w in WEEKS.values()}


def test_the_published_suite_passes_on_the_result(drift):
    outcome = validate_dataframe("rpt_usage_drift", drift["frame"])
    assert outcome.success, [f.describe() for f in outcome.failures]
