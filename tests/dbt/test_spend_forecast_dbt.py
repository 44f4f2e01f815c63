"""Spend forecasts and their back-test through dbt on a small history: six weeks of a team's usage
and EUR seats, a team that starts spending in the last ten days (short history), an application
that never spends. The published figures are compared with a plain Python reference of the method
(weekday profile of the trailing 28 days, interval from the residual spread), and a few by hand."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from tests.dbt_build import dbt_build

SELECT = [
    "int_spend_daily",
    "int_spend_forecast_profiles",
    "int_spend_forecasts",
    "rpt_spend_forecast",
    "rpt_spend_forecast_backtest",
]
FIRST, LAST = date(2026, 3, 1), date(2026, 4, 10)  # a Sunday, a Friday
T2_START = date(2026, 4, 1)
EUR = Decimal("1.10")
SEAT_EUR = Decimal("2.00")
WINDOW, Z = 28, 1.645
CENT = Decimal("0.01")


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def t1_usage(day: date) -> Decimal:
    # weekdays busier than weekends, with a wobble so the residuals are not zero
    base = Decimal(20) if day.weekday() < 5 else Decimal(4)
    return base + Decimal(day.day % 3) + Decimal("0.125")


def t2_usage(day: date) -> Decimal:
    return Decimal(7) + Decimal(day.day % 2) if day >= T2_START else Decimal(0)


USAGE = [(d, "t1", "a1", t1_usage(d)) for d in days(FIRST, LAST)] + [
    (d, "t2", None, t2_usage(d)) for d in days(T2_START, LAST)
]
TABLES = {
    "intermediate.int_usage_cost_allocated": (
        "usage_date date, team_id varchar, application_id varchar, billing_currency varchar,"
        " billed_cost decimal(38,10)",
        [(d, team, app, "USD", cost) for d, team, app, cost in USAGE],
    ),
    "intermediate.int_seat_cost_amortised_daily": (
        # seats are charged after the last invoiced day too: the forecasts stop at that day
        "activity_date date, team_id varchar, billing_currency varchar, seat_cost decimal(38,10)",
        [(d, "t1", "EUR", SEAT_EUR) for d in days(FIRST, LAST + timedelta(days=3))],
    ),
    "intermediate.int_ai_cost_daily": (
        "usage_date date, cost_kind varchar",
        [(FIRST, "invoiced"), (LAST, "invoiced"), (LAST + timedelta(days=2), "measured")],
    ),
    "staging.stg_governance__fx_rates": (
        "currency_code varchar, reporting_currency varchar, rate_to_reporting decimal(38,10),"
        " valid_from date, valid_to date",
        [("USD", "USD", Decimal(1), None, None), ("EUR", "USD", EUR, None, None)],
    ),
    "staging.stg_governance__teams": ("team_id varchar", [("t1",), ("t2",)]),
    "staging.stg_governance__applications": ("application_id varchar", [("a1",), ("a2",)]),
    "marts.dim_team": ("team_id varchar, team_name varchar", [("t1", "Team 1"), ("t2", "Team 2")]),
    "marts.dim_application": (
        "application_id varchar, application_name varchar",
        [("a1", "App 1"), ("a2", "App 2")],
    ),
}


def daily_spend() -> dict[tuple[str, str], dict[date, Decimal]]:
    """The reference daily series per scope, zero-filled over the history."""
    series: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(
        lambda: {d: Decimal(0) for d in days(FIRST, LAST)}
    )
    for scope in (("team", "t1"), ("team", "t2"), ("application", "a1"), ("application", "a2")):
        series[scope]  # every declared scope has a series
    for d, team, app, cost in USAGE:
        series[("team", team)][d] += cost
        if app:
            series[("application", app)][d] += cost
    for d in days(FIRST, LAST):
        series[("team", "t1")][d] += SEAT_EUR * EUR
    return series


def period(as_of: date, horizon: str) -> tuple[date, date]:
    if horizon == "month":
        start = as_of.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    elif horizon == "quarter":
        start = as_of.replace(month=(as_of.month - 1) // 3 * 3 + 1, day=1)
        end = (start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    else:
        start, end = as_of.replace(month=1, day=1), as_of.replace(month=12, day=31)
    return start, end


def reference(series: dict[date, Decimal], as_of: date, horizon: str) -> dict:
    """The method, plainly: the trailing 28 days from the first day with spend, each weekday's mean,
    the remaining days at their weekday's mean, the interval from the residual spread and the
    week-to-week moves of the level."""
    start, end = period(as_of, horizon)
    to_date = sum((v for d, v in series.items() if start <= d <= as_of), Decimal(0))
    first = min((d for d, v in series.items() if v != 0), default=None)
    window = [
        d for d in series if first and max(first, as_of - timedelta(days=WINDOW - 1)) <= d <= as_of
    ]
    n = len(window)
    remaining = days(as_of + timedelta(days=1), end) if end > as_of else []
    if not n:
        return {
            "history": 0,
            "to_date": to_date,
            "forecast": to_date,
            "lower": to_date,
            "upper": to_date,
        }
    by_weekday: dict[int, list[Decimal]] = defaultdict(list)
    for d in window:
        by_weekday[d.weekday()].append(series[d])
    mean = sum(series[d] for d in window) / n
    weekday_mean = {
        w: sum(by_weekday[w]) / len(by_weekday[w]) if by_weekday[w] else mean for w in range(7)
    }
    seen = len(by_weekday)
    if n > seen:
        variance = sum(float(series[d] - weekday_mean[d.weekday()]) ** 2 for d in window) / (
            n - seen
        )
    elif n > 1:
        variance = sum(float(series[d] - mean) ** 2 for d in window) / (n - 1)
    else:
        variance = 0.0
    # the level's week-to-week moves: the variance of the whole weeks' mean daily spend
    weeks = defaultdict(list)
    for d in window:
        weeks[(as_of - d).days // 7].append(series[d])
    levels = [float(sum(w) / 7) for w in weeks.values() if len(w) == 7]
    level = statistics.variance(levels) if len(levels) >= 2 else 0.0
    forecast = to_date + max(
        sum((weekday_mean[d.weekday()] for d in remaining), Decimal(0)), Decimal(0)
    )
    r = len(remaining)
    half = Decimal(Z * math.sqrt(variance * r + r * r * (variance / n + level)))
    return {
        "history": n,
        "to_date": to_date,
        "forecast": forecast,
        "lower": max(to_date, forecast - half),
        "upper": forecast + half,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("spend_forecast")
    database, landing = base / "warehouse.duckdb", base / "landing"
    landing.mkdir()
    with duckdb.connect(str(database)) as con:
        for name, (columns, rows) in TABLES.items():
            con.execute(f"create schema if not exists {name.split('.')[0]}")
            con.execute(f"create or replace table {name} ({columns})")
            for row in rows:
                con.execute(f"insert into {name} values ({', '.join('?' for _ in row)})", list(row))
    dbt_build(base, database, landing, SELECT)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def test_the_forecasts_as_of_the_last_invoiced_day_follow_the_method(warehouse):
    series = daily_spend()
    rows = warehouse.execute(
        "select scope, scope_id, horizon, as_of_date, period_start, period_end, history_days,"
        " is_short_history, remaining_days, cost_to_date, forecast_cost, forecast_lower_cost,"
        " forecast_upper_cost, forecast_method, scope_name from marts.rpt_spend_forecast"
    ).fetchall()
    got = {(r[0], r[1], r[2]): r[3:] for r in rows}
    expected = {}
    for (scope, scope_id), spend in series.items():
        for horizon in ("month", "quarter", "year"):
            ref = reference(spend, LAST, horizon)
            start, end = period(LAST, horizon)
            expected[(scope, scope_id, horizon)] = (
                LAST,
                start,
                end,
                ref["history"],
                ref["history"] < WINDOW,
                (end - LAST).days,
                cents(ref["to_date"]),
                cents(ref["forecast"]),
                cents(ref["lower"]),
                cents(ref["upper"]),
                "weekday_profile_28d",
                {"t1": "Team 1", "t2": "Team 2", "a1": "App 1", "a2": "App 2"}[scope_id],
            )
    assert got == expected
    # by hand: t2 spent on its 10 days only (short history); a2 never spent; t1's seats are in USD
    assert got[("team", "t2", "month")][3:5] == (10, True)
    assert got[("application", "a2", "year")][6:10] == (0, 0, 0, 0)
    assert got[("team", "t1", "month")][6] == cents(
        sum(t1_usage(d) for d in days(date(2026, 4, 1), LAST)) + 10 * SEAT_EUR * EUR
    )
    # t1 as of Friday 10 April: 20 days left in April, three Mondays to Thursdays, two Fridays,
    # three Saturdays and three Sundays
    profile = warehouse.execute(
        "select weekday, weekday_days, weekday_mean from intermediate.int_spend_forecast_profiles"
        " where scope_id = 't1' and as_of_date = ? order by weekday",
        [LAST],
    ).fetchall()
    assert [r[1] for r in profile] == [4] * 7
    means = [r[2] for r in profile]
    spend = series[("team", "t1")]
    assert (
        means[0]
        == sum(spend[d] for d in days(LAST - timedelta(days=27), LAST) if d.weekday() == 0) / 4
    )
    month = got[("team", "t1", "month")]
    counts = [3, 3, 3, 3, 2, 3, 3]
    assert month[7] == cents(month[6] + sum(c * m for c, m in zip(counts, means, strict=True)))


def test_the_backtest_measures_march_from_the_7th_to_the_25th(warehouse):
    series = daily_spend()
    tested = defaultdict(list)
    for (scope, _), spend in series.items():
        actual = sum((v for d, v in spend.items() if d.month == 3), Decimal(0))
        for as_of in days(date(2026, 3, 7), date(2026, 3, 25)):
            ref = reference(spend, as_of, "month")
            run_rate = ref["to_date"] * 31 / as_of.day
            tested[scope].append((actual, ref, run_rate))
    tested["all"] = tested["team"] + tested["application"]
    rows = warehouse.execute(
        "select scope_kind, first_month, last_month, months_tested, scopes_tested, forecasts_tested,"
        " forecasts_with_actual, mape_pct, interval_coverage_pct, run_rate_mape_pct"
        " from marts.rpt_spend_forecast_backtest"
    ).fetchall()
    assert {r[0] for r in rows} == {"team", "application", "all"}
    for kind, first, last, months, scopes, count, with_actual, mape, coverage, run_rate in rows:
        cases = tested[kind]
        measured = [(a, ref, rr) for a, ref, rr in cases if a != 0]
        assert (first, last, months) == (date(2026, 3, 1), date(2026, 3, 1), 1)
        assert (scopes, count, with_actual) == ({"all": 4}.get(kind, 2), len(cases), len(measured))
        want_mape = (
            sum(abs(ref["forecast"] - a) / a for a, ref, _ in measured) * 100 / len(measured)
        )
        want_run_rate = sum(abs(rr - a) / a for a, _, rr in measured) * 100 / len(measured)
        inside = sum(ref["lower"] <= a <= ref["upper"] for a, ref, _ in cases)
        assert abs(mape - want_mape) <= Decimal("0.0001"), kind
        assert abs(run_rate - want_run_rate) <= Decimal("0.0001"), kind
        assert coverage == (Decimal(100) * inside / len(cases)).quantize(Decimal("0.0001")), kind
    # the zero-spend application's forecasts are exact and inside their (empty) interval, and excluded
    # from the percentage error; t2 had no March spend either
    assert {r[0]: r[6] for r in rows} == {"team": 19, "application": 19, "all": 38}
