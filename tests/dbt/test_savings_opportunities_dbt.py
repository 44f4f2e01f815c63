"""rpt_savings_opportunities through dbt on pinned upstream rows: idle seats priced at their list
price, a low-sensitivity application on a pricier model than an approved, reviewed cheaper sibling
(and the cases that must not qualify), and a cache hit ratio below target. Savings are recomputed
here from the same tokens and the prices in effect on the evaluation day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from quality.gx import validate_dataframe
from tests.dbt_build import dbt_build

SELECT = ["int_model_list_prices", "rpt_savings_opportunities"]
MONTH, LAST = date(2026, 9, 1), date(2026, 9, 10)
DAYS = [MONTH + timedelta(n) for n in range((LAST - MONTH).days + 1)]
RUN_RATE = Decimal(30) / Decimal(len(DAYS))
MTOK = Decimal(1_000_000)
# (model, component) -> [(price per million, from, to)]
PRICES = {
    ("big", "input"): [("2.00", None, date(2026, 9, 5)), ("1.80", date(2026, 9, 5), None)],
    ("big", "cache_read"): [("0.50", None, None)],
    ("big", "output"): [("8.00", None, None)],
    ("small", "input"): [("0.40", None, None)],
    ("small", "cache_read"): [("0.10", None, None)],
    ("small", "output"): [("1.60", None, None)],
    ("tiny", "input"): [("0.10", None, None)],  # cheaper still, but under review
    ("tiny", "cache_read"): [("0.025", None, None)],
    ("tiny", "output"): [("0.40", None, None)],
    ("solo", "input"): [("1.00", None, None)],  # no cache read price: cache reads pay input
    ("solo", "output"): [("4.00", None, None)],
}
MODELS = [("big", "f1", "approved"), ("small", "f1", "approved"), ("tiny", "f1", "under_review"),
          ("solo", "f2", "approved")]  # fmt: skip
USE_CATEGORIES = ["internal_productivity", "customer_facing"]
# application -> (team, use category, sensitivity, approved (model id, family), model, cached share)
APPLICATIONS = {
    "app-low": ("team-a", "internal_productivity", "low", [(None, "f1")], "big", "0.2"),
    "app-high": ("team-b", "internal_productivity", "high", [(None, "f1")], "big", "0.6"),
    "app-low-cust": ("team-c", "customer_facing", "low", [(None, "f1")], "big", "0.6"),
    "app-low-id": ("team-d", "internal_productivity", "low", [("big", None)], "big", "0.6"),
    "app-solo": ("team-e", "internal_productivity", "low", [(None, "f2")], "solo", "0"),
}
INPUT, OUTPUT = 1_000_000, 200_000  # per day and application
# (day, tool, holder, team, idle, list price per month, holder's status)
SEATS = [
    (LAST, "github_copilot", "a@x", "team-a", True, "19.00", "active"),
    (LAST, "github_copilot", "b@x", "team-a", True, "39.00", "active"),
    (LAST, "github_copilot", "c@x", "team-a", False, "19.00", "active"),
    # a leaver's idle seat is reclaimed as a leaver's seat, not also as an idle one
    (LAST, "github_copilot", "g@x", "team-a", True, "19.00", "departed"),
    (LAST, "cursor", "d@x", "team-b", False, "40.00", "active"),
    # a suspended person's seat in use is reclaimable all the same
    (LAST, "cursor", "h@x", "team-b", False, "40.00", "suspended"),
    (LAST, "chatgpt_enterprise", "e@x", "team-b", None, "60.00", None),  # no activity data
    (
        LAST - timedelta(1),
        "github_copilot",
        "c@x",
        "team-a",
        True,
        "19.00",
        "active",
    ),  # not the last day
    # a tool whose last snapshot of the month is a day earlier is evaluated on that day
    (LAST - timedelta(1), "m365_copilot", "f@x", "team-b", True, "30.00", "active"),
]


def price(model: str, component: str, day: date) -> Decimal:
    rows = PRICES.get((model, component)) or PRICES[(model, "input")]
    for value, start, end in rows:
        if (start is None or start <= day) and (end is None or day < end):
            return Decimal(value)
    raise AssertionError((model, component, day))


def tokens(cached_share: str) -> tuple[int, int, int]:
    """(input, cache read, output) of one application over the month."""
    cached = int(INPUT * Decimal(cached_share))
    return INPUT * len(DAYS), cached * len(DAYS), OUTPUT * len(DAYS)


def list_cost(model: str, input_tokens: int, cached: int, output: int) -> Decimal:
    return (
        (input_tokens - cached) * price(model, "input", LAST)
        + cached * price(model, "cache_read", LAST)
        + output * price(model, "output", LAST)
    ) / MTOK


def seed(database) -> None:
    with duckdb.connect(str(database)) as con:
        for schema in ("staging", "marts"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            """create or replace table staging.stg_prices__catalog (provider varchar,
            catalog_model_id varchar, price_tier varchar, component varchar,
            band_threshold_tokens bigint, price_per_mtok decimal(38, 10), effective_from date,
            effective_to date)"""
        )
        for (model, component), rows in PRICES.items():
            for value, start, end in rows:
                for tier, threshold, factor in (("standard", 0, 1), ("batch", 0, 0.5),
                                                ("standard", 200_000, 2)):  # fmt: skip
                    con.execute(
                        "insert into staging.stg_prices__catalog values "
                        "('openai', ?, ?, ?, ?, ?, ?, ?)",
                        [f"cat-{model}", tier, component, threshold,
                         Decimal(value) * Decimal(factor), start, end],
                    )  # fmt: skip
        con.execute(
            "create or replace table staging.stg_prices__model_aliases "
            "(provider varchar, model_ref varchar, catalog_model_id varchar)"
        )
        for model, _, _ in MODELS:
            con.execute(
                "insert into staging.stg_prices__model_aliases values ('openai', ?, ?)",
                [model, f"cat-{model}"],
            )
        con.execute(
            "create or replace table staging.stg_governance__models "
            "(model_id varchar, model_family varchar, review_status varchar)"
        )
        con.executemany("insert into staging.stg_governance__models values (?, ?, ?)", MODELS)
        con.execute(
            "create or replace table staging.stg_governance__model_use_categories "
            "(model_id varchar, use_category varchar)"
        )
        for model, _, _ in MODELS:
            for use in USE_CATEGORIES:
                if not (model == "small" and use == "customer_facing"):
                    con.execute(
                        "insert into staging.stg_governance__model_use_categories values (?, ?)",
                        [model, use],
                    )
        con.execute(
            "create or replace table staging.stg_governance__model_providers "
            "(model_id varchar, provider varchar)"
        )
        for model, _, _ in MODELS:
            con.execute(
                "insert into staging.stg_governance__model_providers values (?, 'openai')", [model]
            )
        con.execute(
            "create or replace table staging.stg_governance__application_approved_models "
            "(application_id varchar, model_id varchar, model_family varchar)"
        )
        con.execute(
            "create or replace table marts.dim_application (application_id varchar, "
            "use_category varchar, sensitivity_tier varchar)"
        )
        con.execute(
            """create or replace table marts.fct_ai_usage_daily (usage_date date,
            application_id varchar, team_id varchar, provider varchar, model_id varchar,
            input_tokens bigint, cache_read_input_tokens bigint, uncached_input_tokens bigint,
            cache_creation_input_tokens bigint, output_tokens bigint)"""
        )
        for app, (team, use, tier, approved, model, share) in APPLICATIONS.items():
            con.execute("insert into marts.dim_application values (?, ?, ?)", [app, use, tier])
            for model_id, family in approved:
                con.execute(
                    "insert into staging.stg_governance__application_approved_models "
                    "values (?, ?, ?)",
                    [app, model_id, family],
                )
            cached = int(INPUT * Decimal(share))
            for day in DAYS:
                con.execute(
                    "insert into marts.fct_ai_usage_daily values (?, ?, ?, 'openai', ?, ?, ?, ?, 0, ?)",
                    [day, app, team, model, INPUT, cached, INPUT - cached, OUTPUT],
                )
        con.execute(
            """create or replace table marts.fct_seat_assignments_daily (activity_date date,
            tool varchar, seat_holder_key varchar, team_id varchar, is_idle boolean,
            list_price_per_seat_month decimal(38, 10), person_status varchar, currency_code varchar)"""
        )
        con.executemany(
            "insert into marts.fct_seat_assignments_daily values (?, ?, ?, ?, ?, ?, ?, 'USD')",
            [[d, t, h, team, idle, Decimal(p), s] for d, t, h, team, idle, p, s in SEATS],
        )


@pytest.fixture(scope="module")
def opportunities(tmp_path_factory):
    base = tmp_path_factory.mktemp("savings")
    database = base / "warehouse.duckdb"
    seed(database)
    dbt_build(base, database, base / "landing", SELECT)
    with duckdb.connect(str(database), read_only=True) as con:
        cursor = con.execute("select * from marts.rpt_savings_opportunities")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {(r["opportunity_kind"], r["subject_id"]): r for r in rows}


def test_only_the_planted_opportunities(opportunities):
    lagging = ("idle_seats", "m365_copilot:team-b")
    assert set(opportunities) == {
        ("idle_seats", "github_copilot:team-a"),
        ("inactive_holder_seats", "github_copilot:team-a"),
        ("inactive_holder_seats", "cursor:team-b"),
        lagging,
        ("cheaper_model", "app-low:openai:big"),
        ("cache_hit_ratio", "app-low:openai:big"),
    }
    evaluated = {k: r["evaluated_through"] for k, r in opportunities.items()}
    assert evaluated.pop(lagging) == LAST - timedelta(1)
    assert set(evaluated.values()) == {LAST}


def test_idle_seats_cost_their_list_price(opportunities):
    seats = opportunities[("idle_seats", "github_copilot:team-a")]
    idle = [
        s for s in SEATS if s[0] == LAST and s[1] == "github_copilot" and s[4] and s[6] == "active"
    ]
    assert seats["estimated_monthly_saving"] == sum(Decimal(s[5]) for s in idle) == Decimal("58")
    assert (seats["idle_seat_count"], seats["seat_count"], seats["team_id"]) == (2, 4, "team-a")


def test_seats_of_people_who_left_or_are_suspended_are_reclaimed_whatever_their_use(opportunities):
    copilot = opportunities[("inactive_holder_seats", "github_copilot:team-a")]
    cursor = opportunities[("inactive_holder_seats", "cursor:team-b")]
    assert (copilot["estimated_monthly_saving"], copilot["idle_seat_count"]) == (Decimal("19"), 1)
    assert (cursor["estimated_monthly_saving"], cursor["idle_seat_count"]) == (Decimal("40"), 1)
    assert (copilot["seat_count"], cursor["seat_count"]) == (4, 2)
    assert copilot["current_cost"] == Decimal("96")  # 19 + 39 + 19 + 19


def test_the_cheapest_approved_reviewed_sibling_at_the_evaluation_day_prices(opportunities):
    row = opportunities[("cheaper_model", "app-low:openai:big")]
    assert row["alternative_model_id"] == "small"  # tiny is cheaper but under review
    input_tokens, cached, output = tokens(APPLICATIONS["app-low"][5])
    current = list_cost("big", input_tokens, cached, output)
    alternative = list_cost("small", input_tokens, cached, output)
    assert row["current_cost"] == current  # big's input at 1.80: the price on 2026-09-10
    assert row["alternative_cost"] == alternative
    assert row["observed_saving"] == current - alternative
    assert row["estimated_monthly_saving"] == (current - alternative) * RUN_RATE
    assert (row["days_observed"], row["days_in_month"]) == (len(DAYS), 30)


def test_cache_saving_at_the_target_ratio(opportunities):
    row = opportunities[("cache_hit_ratio", "app-low:openai:big")]
    input_tokens, cached, _ = tokens(APPLICATIONS["app-low"][5])
    extra = input_tokens * Decimal("0.5") - cached
    saving = extra * (price("big", "input", LAST) - price("big", "cache_read", LAST)) / MTOK
    assert row["observed_saving"] == saving
    assert row["estimated_monthly_saving"] == saving * RUN_RATE
    assert row["cache_hit_ratio"] == Decimal(cached) / input_tokens
    assert row["target_cache_hit_ratio"] == Decimal("0.5")


def test_the_published_suite_passes_on_the_result(opportunities):
    outcome = validate_dataframe(
        "rpt_savings_opportunities", pd.DataFrame(list(opportunities.values()))
    )
    assert outcome.success, outcome.failures
