"""Chargeback, FX and budgets through dbt on a small fixture: the upstream marts (invoiced cost,
usage, seat assignments) are fixture tables, the allocation, amortisation and report models are
built by dbt, and every expected figure is computed here with Decimal from the fixture itself:
allocated = invoiced per month and currency, a mover's seat follows the move day, a coarse invoice
splits by token share, FX uses the rate of the day, and the budget forecast and variance."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from governance.load import SCHEMAS
from sandbox.chargeback_truth import to_the_cent
from tests.dbt_build import dbt_build

SELECT = [
    "stg_governance__fx_rates",
    "stg_governance__budgets",
    "int_cost_tags_resolved",
    "int_usage_cost_allocated",
    "int_seat_cost_amortised_daily",
    "stg_books__chargeback",
    "int_chargeback_lines",
    "rpt_chargeback_monthly",
    "rpt_chargeback_restatements",
    "int_spend_daily",
    "int_spend_forecast_profiles",
    "int_spend_forecasts",
    "rpt_budget_variance",
]
TEAMS = {"alpha": ("Alpha", "CC-100"), "beta": ("Beta", "CC-200")}
APPS = {"app-a": ("App A", "alpha"), "app-b": ("App B", "beta")}
AUG, SEP = date(2026, 8, 1), date(2026, 9, 1)
LAST_INVOICED = date(2026, 9, 10)
MOVE_DAY = date(2026, 8, 15)
# EUR -> USD: 1.10 before the 15th of August, 1.20 from it
EUR_RATES = [(date(2026, 1, 1), MOVE_DAY, Decimal("1.10")), (MOVE_DAY, None, Decimal("1.20"))]
SEAT_PRICES = {"github_copilot": ("19.00", "USD"), "cursor": ("40.00", "USD")}
SEAT_PRICES["m365_copilot"] = ("28.10", "EUR")
# a workspace-level Anthropic invoice line (no key) and the per-key usage under it
COARSE_COST = Decimal("100.00")
COARSE_TOKENS = {"app-a": 1_000_000, "app-b": 2_000_000, None: 333_333}


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


def month_of(day: date) -> date:
    return day.replace(day=1)


def cost_row(day, provider, project, credential, model, app, cost, currency="USD"):
    team = APPS[app][1] if app else None
    return {
        "cost_kind": "invoiced",
        "usage_date": day,
        "provider": provider,
        "project_id": project,
        "credential_id": credential,
        "model_id": model,
        "billing_currency": currency,
        "application_id": app,
        "team_id": team,
        "cost_center_id": TEAMS[team][1] if team else None,
        "billed_cost": Decimal(cost),
    }


COSTS = [
    cost_row(date(2026, 8, 5), "openai", "p1", "k1", "gpt-4.1", "app-a", "10.0000000001"),
    cost_row(date(2026, 8, 6), "anthropic", "ws1", "ws1", "claude-sonnet-4-5", None, COARSE_COST),
    cost_row(date(2026, 8, 7), "aws_bedrock", "999", "999", "nova-pro", None, "5.55"),
    # undeclared Azure resource whose FOCUS tags name app-b
    cost_row(date(2026, 8, 8), "azure_openai", "sub1", "res1", "gpt-4o", None, "7.77"),
    cost_row(date(2026, 8, 9), "openai", "p1", "k1", "gpt-4.1", "app-a", "20.00", "EUR"),
    # a credit, negative
    cost_row(date(2026, 8, 20), "openai", "p1", "k1", "gpt-4.1", "app-a", "-1.25"),
    # an invoice of 10.005 in three equal lines: each rounded on its own, 3.34 x 3 = 10.02
    *(
        cost_row(date(2026, 8, 10), "google_vertex", "gp1", key, "gemini-2.5-pro", app, "3.335")
        for key, app in (("gk1", "app-a"), ("gk2", "app-b"), ("gk3", None))
    ),
    *(
        cost_row(day, "openai", "p1", "k1", "gpt-4.1", "app-a", "12.345")
        for day in days(SEP, LAST_INVOICED + timedelta(days=1))
    ),
    *(
        cost_row(day, "openai", "p2", "k2", "gpt-4.1", "app-b", "25.50")
        for day in days(SEP, LAST_INVOICED + timedelta(days=1))
    ),
]


def usage_rows() -> list[dict]:
    rows = []
    for n, (app, tokens) in enumerate(COARSE_TOKENS.items()):
        team = APPS[app][1] if app else None
        rows.append(
            {
                "usage_date": date(2026, 8, 6),
                "provider": "anthropic",
                "project_id": "ws1",
                "credential_id": f"key{n}",
                "model_id": "claude-sonnet-4-5",
                "application_id": app,
                "team_id": team,
                "cost_center_id": TEAMS[team][1] if team else None,
                "total_tokens": tokens,
                "is_gateway": False,
            }
        )
    # a gateway's view of the same requests must not change the shares
    rows.append({**rows[0], "credential_id": "gw", "total_tokens": 9_000_000, "is_gateway": True})
    return rows


# seat holders: (tool, holder, first day, last day exclusive, person, team before / from move day)
SEATS = [
    (
        "github_copilot",
        "mover@example.com",
        AUG,
        SEP + timedelta(days=10),
        "p-mover",
        ("alpha", "beta"),
    ),
    ("m365_copilot", "emea@example.com", AUG, SEP, "p-emea", ("beta", "beta")),
    ("cursor", "ghost@example.com", AUG, SEP, None, (None, None)),
]


def seat_rows() -> list[dict]:
    rows = []
    for tool, holder, first, end, person, (before, after) in SEATS:
        price, currency = SEAT_PRICES[tool]
        for day in days(first, end):
            team = before if day < MOVE_DAY else after
            rows.append(
                {
                    "tool": tool,
                    "source_id": f"{tool}_fixture",
                    "seat_holder_key": holder,
                    "activity_date": day,
                    "person_id": person,
                    "team_id": team,
                    "cost_center_id": TEAMS[team][1] if team else None,
                    "list_price_per_seat_month": Decimal(price),
                    "currency_code": currency,
                }
            )
    return rows


COST_COLUMNS = (
    "cost_kind varchar, usage_date date, provider varchar, project_id varchar,"
    " credential_id varchar, model_id varchar, billing_currency varchar,"
    " application_id varchar, team_id varchar, cost_center_id varchar,"
    " billed_cost decimal(38,10)"
)


def cost_tables(rows: list[dict]) -> dict:
    """The cost rows where int_ai_cost_daily holds them (the allocation reads them there) and where
    fct_ai_cost_daily publishes them (the chargeback's as-of day and the budgets read the mart)."""
    return {
        name: (COST_COLUMNS, rows)
        for name in ("intermediate.int_ai_cost_daily", "marts.fct_ai_cost_daily")
    }


TABLES = {
    **cost_tables(COSTS),
    "intermediate.int_ai_usage_daily": (
        "usage_date date, provider varchar, project_id varchar, credential_id varchar,"
        " model_id varchar, application_id varchar, team_id varchar, cost_center_id varchar,"
        " total_tokens bigint, is_gateway boolean",
        usage_rows(),
    ),
    "intermediate.int_seat_assignments_daily": (
        "tool varchar, source_id varchar, seat_holder_key varchar, activity_date date,"
        " person_id varchar, team_id varchar, cost_center_id varchar,"
        " list_price_per_seat_month decimal(38,10), currency_code varchar",
        seat_rows(),
    ),
    "marts.dim_team": (
        "team_id varchar, team_name varchar",
        [{"team_id": t, "team_name": name} for t, (name, _) in TEAMS.items()],
    ),
    "marts.dim_application": (
        "application_id varchar, application_name varchar",
        [{"application_id": a, "application_name": name} for a, (name, _) in APPS.items()],
    ),
    "staging.stg_governance__teams": (
        "team_id varchar, cost_center_id varchar",
        [{"team_id": t, "cost_center_id": cc} for t, (_, cc) in TEAMS.items()],
    ),
    "staging.stg_governance__applications": (
        "application_id varchar, team_id varchar",
        [{"application_id": a, "team_id": team} for a, (_, team) in APPS.items()],
    ),
    "staging.stg_azure_focus__cost_rows": (
        "usage_date date, subscription_id varchar, resource_id varchar, tags varchar",
        [
            {
                "usage_date": date(2026, 8, 8),
                "subscription_id": "sub1",
                "resource_id": "res1",
                "tags": '{"app": "b", "env": "dev"}',
            }
        ],
    ),
    "staging.stg_aws_cur__bedrock_line_items": (
        "usage_date date, usage_account_id varchar, resource_id varchar,"
        " resource_tags_json varchar",
        [
            {
                "usage_date": date(2026, 8, 7),
                "usage_account_id": "999",
                "resource_id": None,
                "resource_tags_json": '{"user_owner": "hackathon"}',
            }
        ],
    ),
    "staging.stg_gcp_billing_export__vertex_cost_rows": (
        "usage_date date, project_id varchar, labels_json varchar",
        [],
    ),
}
GOVERNANCE = {
    "fx_rates": [
        {
            "currency": "USD",
            "reporting_currency": "USD",
            "rate": "1",
            "valid_from": None,
            "valid_to": None,
            "source": "reporting currency",
        },
        *(
            {
                "currency": "EUR",
                "reporting_currency": "USD",
                "rate": str(rate),
                "valid_from": start,
                "valid_to": end,
                "source": "fixture",
            }
            for start, end, rate in EUR_RATES
        ),
    ],
    "budgets": [
        {
            "scope": "team",
            "scope_id": "beta",
            "amount_per_month": "100",
            "currency": "EUR",
            "starts_on": date(2026, 1, 1),
            "ends_on": None,
            "owner": "beta@example.com",
        },
        {
            "scope": "application",
            "scope_id": "app-a",
            "amount_per_month": "1000",
            "currency": "USD",
            "starts_on": SEP,
            "ends_on": None,
            "owner": "alpha@example.com",
        },
    ],
}


def write_fixture(database: Path, landing: Path, tables: dict = TABLES) -> None:
    """The upstream tables in the warehouse (replaced when they exist) and governance landed."""
    with duckdb.connect(str(database)) as con:
        for name, (columns, rows) in tables.items():
            con.execute(f"create schema if not exists {name.split('.')[0]}")
            con.execute(f"create or replace table {name} ({columns})")
            names = [c.split()[0] for c in re.split(r",(?![^(]*\))", columns)]
            for row in rows:
                con.execute(
                    f"insert into {name} values ({', '.join('?' for _ in names)})",
                    [row[n] for n in names],
                )
    (landing / "governance").mkdir(parents=True, exist_ok=True)
    for name, rows in GOVERNANCE.items():
        table = pa.Table.from_pylist(rows, SCHEMAS[name])
        pq.write_table(table, landing / "governance" / f"{name}.parquet")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    base = tmp_path_factory.mktemp("chargeback")
    database = base / "warehouse.duckdb"
    landing = base / "landing"
    write_fixture(database, landing)
    dbt_build(base, database, landing, SELECT)
    with duckdb.connect(str(database), read_only=True) as con:
        yield con


def eur_rate(day: date) -> Decimal:
    return next(r for start, end, r in EUR_RATES if start <= day and (end is None or day < end))


def rate(currency: str, day: date) -> Decimal:
    return Decimal(1) if currency == "USD" else eur_rate(day)


def seat_days_by_month() -> dict[tuple, list[date]]:
    held: dict[tuple, list[date]] = {}
    for row in seat_rows():
        key = (row["tool"], row["seat_holder_key"], month_of(row["activity_date"]))
        held.setdefault(key, []).append(row["activity_date"])
    return held


def seat_daily_costs() -> dict[tuple, Decimal]:
    """(tool, holder, day) -> the day's share: price / days in month cut to 10 decimals, the last
    held day of the month taking what makes the month price x days held / days in month."""
    costs = {}
    for (tool, holder, month), held in seat_days_by_month().items():
        price = Decimal(SEAT_PRICES[tool][0])
        length = calendar.monthrange(month.year, month.month)[1]
        daily = (price / length).quantize(Decimal("1e-10"), ROUND_DOWN)
        total = (price * len(held) / length).quantize(Decimal("1e-10"), ROUND_HALF_UP)
        for day in held:
            costs[(tool, holder, day)] = daily
        costs[(tool, holder, max(held))] = total - daily * (len(held) - 1)
    return costs


CENT = Decimal("0.01")


def largest_remainder(exact: dict, total: Decimal | None = None) -> dict:
    """Whole cents adding up to `total` (default: the exact total to the cent): each amount rounded
    down, the cents left one each to the largest remainders, ties by key (None last), as
    int_chargeback_lines assigns them."""
    total = to_the_cent(sum(exact.values())) if total is None else total
    floors = {k: (v / CENT).to_integral_value(ROUND_FLOOR) * CENT for k, v in exact.items()}
    left = int((total - sum(floors.values())) / CENT)

    def tie_order(key):
        parts = key if isinstance(key, tuple) else (key,)
        return tuple((part is None, part or "") for part in parts)

    ranked = sorted(exact, key=lambda k: (-(exact[k] - floors[k]), tie_order(k)))
    return {k: floors[k] + (CENT if k in ranked[:left] else 0) for k in exact}


def test_chargeback_equals_invoiced_usage_plus_seat_charges_per_month_and_currency(warehouse):
    # each provider's and each tool's month is an invoice, stated in whole cents
    invoices: dict[tuple, Decimal] = {}
    for row in COSTS:
        key = (month_of(row["usage_date"]), row["billing_currency"], row["provider"])
        invoices[key] = invoices.get(key, Decimal(0)) + row["billed_cost"]
    for (tool, _holder, month), held in seat_days_by_month().items():
        price, currency = SEAT_PRICES[tool]
        length = calendar.monthrange(month.year, month.month)[1]
        invoices[(month, currency, tool)] = (
            invoices.get((month, currency, tool), Decimal(0)) + Decimal(price) * len(held) / length
        )
    expected: dict[tuple, Decimal] = {}
    for (month, currency, _provider), exact in invoices.items():
        expected[(month, currency)] = expected.get((month, currency), Decimal(0)) + to_the_cent(
            exact
        )
    got = {
        (month, currency): total
        for month, currency, total in warehouse.execute(
            "select billing_month, billing_currency, sum(billed_cost)"
            " from marts.rpt_chargeback_monthly group by all"
        ).fetchall()
    }
    assert got == expected
    # the exact amounts behind the cents add up to the invoiced usage to the last decimal
    usage = dict(
        ((m, c), t)
        for m, c, t in warehouse.execute(
            "select billing_month, billing_currency, sum(billed_cost_exact)"
            " from intermediate.int_chargeback_lines where charge_kind = 'usage' group by all"
        ).fetchall()
    )
    for (month, currency), total in usage.items():
        assert total == sum(
            r["billed_cost"]
            for r in COSTS
            if month_of(r["usage_date"]) == month and r["billing_currency"] == currency
        )
    # August is closed (the data runs to 10 September), September is not
    closed = dict(
        warehouse.execute(
            "select distinct billing_month, is_closed_month from marts.rpt_chargeback_monthly"
        ).fetchall()
    )
    assert closed == {AUG: True, SEP: False}


def test_every_cent_is_attributed_or_on_the_unattributed_line(warehouse):
    lines = warehouse.execute(
        "select provider, allocation_method, team_id, application_id, cost_center_id,"
        " sum(billed_cost) from marts.rpt_chargeback_monthly where billing_month = ?"
        " and charge_kind = 'usage' and provider in ('aws_bedrock', 'azure_openai')"
        " group by all order by provider",
        [AUG],
    ).fetchall()
    assert lines == [
        ("aws_bedrock", "unattributed", None, None, "unattributed", Decimal("5.55")),
        ("azure_openai", "tag", "beta", "app-b", "CC-200", Decimal("7.77")),
    ]
    ghost = warehouse.execute(
        "select allocation_method, team_id, cost_center_id, seat_days, billed_cost"
        " from marts.rpt_chargeback_monthly where provider = 'cursor'"
    ).fetchall()
    assert ghost == [("unattributed", None, "unattributed", 31, Decimal("40.0000000000"))]


def test_a_movers_seat_is_charged_to_the_old_team_before_the_move_day_and_the_new_team_from_it(
    warehouse,
):
    daily = seat_daily_costs()
    exact: dict[str, Decimal] = {}
    for (_tool, holder, day), cost in daily.items():
        if holder == "mover@example.com" and month_of(day) == AUG:
            team = "alpha" if day < MOVE_DAY else "beta"
            exact[team] = exact.get(team, Decimal(0)) + cost
    got = dict(
        warehouse.execute(
            "select team_id, billed_cost from marts.rpt_chargeback_monthly"
            " where provider = 'github_copilot' and billing_month = ?",
            [AUG],
        ).fetchall()
    )
    # 19.00 x 14/31 and x 17/31 in whole cents: 8.58 and 10.42, the cent left going to the larger
    # remainder
    assert got == largest_remainder(exact) == {"alpha": Decimal("8.58"), "beta": Decimal("10.42")}
    assert sum(got.values()) == Decimal("19.00")  # a whole month held is the whole price
    by_day = dict(
        warehouse.execute(
            "select activity_date, team_id from intermediate.int_seat_cost_amortised_daily"
            " where seat_holder_key = 'mover@example.com' and activity_date in (?, ?)",
            [MOVE_DAY - timedelta(days=1), MOVE_DAY],
        ).fetchall()
    )
    assert by_day == {MOVE_DAY - timedelta(days=1): "alpha", MOVE_DAY: "beta"}
    seat_days = dict(
        warehouse.execute(
            "select team_id, seat_days from marts.rpt_chargeback_monthly"
            " where provider = 'github_copilot' and billing_month = ?",
            [AUG],
        ).fetchall()
    )
    assert seat_days == {"alpha": (MOVE_DAY - AUG).days, "beta": 31 - (MOVE_DAY - AUG).days}


def test_a_coarse_invoice_splits_by_token_share_to_the_last_decimal(warehouse):
    rows = warehouse.execute(
        "select application_id, allocation_method, cost_center_id, billed_cost, total_tokens"
        " from intermediate.int_usage_cost_allocated where provider = 'anthropic'"
    ).fetchall()
    total_tokens = sum(COARSE_TOKENS.values())
    got = {app: (method, cc, cost, tokens) for app, method, cc, cost, tokens in rows}
    assert set(got) == set(COARSE_TOKENS)
    for app, tokens in COARSE_TOKENS.items():
        method, cc, cost, got_tokens = got[app]
        assert got_tokens == tokens
        assert method == ("token_share" if app else "unattributed")
        assert cc == (TEAMS[APPS[app][1]][1] if app else "unattributed")
        share = COARSE_COST * tokens / total_tokens
        assert abs(cost - share) <= Decimal("1e-10"), (app, cost, share)
    assert sum(cost for _, _, cost, _ in got.values()) == COARSE_COST
    # charged in whole cents: 30.00003, 60.00006 and 9.99991 round down to 99.99, and the cent
    # left goes to the largest remainder
    charged = dict(
        warehouse.execute(
            "select application_id, billed_cost from marts.rpt_chargeback_monthly"
            " where provider = 'anthropic'"
        ).fetchall()
    )
    shares = {app: COARSE_COST * tokens / total_tokens for app, tokens in COARSE_TOKENS.items()}
    assert charged == {"app-a": Decimal("30.00"), "app-b": Decimal("60.00"), None: Decimal("10.00")}
    assert charged == largest_remainder(shares)


def test_fx_converts_each_day_at_the_rate_valid_that_day(warehouse):
    # each day converts at its own rate (kept at 10 decimals), the month's invoice then to the cent
    exact_seat = sum(
        (cost * eur_rate(day)).quantize(Decimal("1e-10"), ROUND_HALF_UP)
        for (tool, _holder, day), cost in seat_daily_costs().items()
        if tool == "m365_copilot"
    )
    seat = warehouse.execute(
        "select billing_currency, billed_cost, reporting_currency, reporting_cost"
        " from marts.rpt_chargeback_monthly where provider = 'm365_copilot'"
    ).fetchall()
    assert seat == [("EUR", Decimal("28.10"), "USD", to_the_cent(exact_seat))]
    # the rate changes mid-month: a single rate for the month would give another figure
    assert to_the_cent(exact_seat) not in {Decimal("28.10") * r for _, _, r in EUR_RATES}
    eur_usage = warehouse.execute(
        "select reporting_cost from marts.rpt_chargeback_monthly"
        " where charge_kind = 'usage' and billing_currency = 'EUR'"
    ).fetchall()
    assert eur_usage == [(Decimal("20.00") * eur_rate(date(2026, 8, 9)),)]


def test_every_closed_month_line_is_whole_cents_and_adds_up_to_its_invoice_and_cost_centre(
    warehouse,
):
    invoice_keys = ["billing_month", "provider", "charge_kind", "billing_currency"]
    line_keys = ["team_id", "application_id", "model_id", "allocation_method"]
    keys = [*invoice_keys, "cost_center_id", *line_keys]
    joined = " and ".join(f"lines.{k} is not distinct from chargeback.{k}" for k in keys)
    rows = warehouse.execute(
        f"select {', '.join(f'chargeback.{k}' for k in keys)}, chargeback.billed_cost,"
        " chargeback.reporting_cost, lines.billed_cost_exact, lines.reporting_cost_exact"
        " from marts.rpt_chargeback_monthly as chargeback"
        f" inner join intermediate.int_chargeback_lines as lines on {joined}"
        " where chargeback.is_closed_month and chargeback.restated_month is null"
    ).fetchall()
    closed = warehouse.execute(
        "select count(*) from marts.rpt_chargeback_monthly where is_closed_month"
    ).fetchone()[0]
    assert len(rows) == closed and {r[1:3] for r in rows} >= {
        ("anthropic", "usage"),
        ("github_copilot", "seat"),
        ("m365_copilot", "seat"),
    }
    # 10.005 is 10.01 to the cent: the three lines round down to 3.33 and the two cents left go to
    # the first cost centres of equal remainders
    vertex = {r[6]: r[len(keys)] for r in rows if r[1] == "google_vertex"}
    assert vertex == {"app-a": Decimal("3.34"), "app-b": Decimal("3.34"), None: Decimal("3.33")}
    width = len(keys)
    for amount_at in (width, width + 1):  # billing, then reporting currency
        exact_at = amount_at + 2
        invoices: dict[tuple, dict] = {}
        for row in rows:
            assert row[amount_at] == row[amount_at].quantize(CENT), row
            invoices.setdefault(row[:4], {})[row[4:width]] = (row[amount_at], row[exact_at])
        for invoice, lines in invoices.items():
            got = {key: amount for key, (amount, _) in lines.items()}
            exact = {key: value for key, (_, value) in lines.items()}
            # the invoice to the cent, split among cost centres, then each centre among its lines
            assert sum(got.values()) == to_the_cent(sum(exact.values())), invoice
            centres: dict[str, Decimal] = {}
            for key, value in exact.items():
                centres[key[0]] = centres.get(key[0], Decimal(0)) + value
            for centre, part in largest_remainder(centres).items():
                mine = {k[1:]: v for k, v in exact.items() if k[0] == centre}
                assert {k: got[(centre, *k)] for k in mine} == largest_remainder(mine, part), (
                    invoice,
                    centre,
                )


def test_budget_forecast_and_variance_for_the_open_month(warehouse):
    days_elapsed = (LAST_INVOICED - SEP).days + 1
    days_in_month = 30
    beta_usage = sum(
        r["billed_cost"] for r in COSTS if r["team_id"] == "beta" and r["usage_date"] >= SEP
    )
    september_seats = {key: cost for key, cost in seat_daily_costs().items() if key[2] >= SEP}
    # the mover holds September's only seat, so the tool's September invoice, to the cent, is theirs
    assert {holder for _, holder, _ in september_seats} == {"mover@example.com"}
    beta_seats = to_the_cent(sum(september_seats.values()))
    app_a = sum(
        r["billed_cost"] for r in COSTS if r["application_id"] == "app-a" and r["usage_date"] >= SEP
    )
    cents = Decimal("0.01")
    expected = {}
    for scope, scope_id, mtd, budget in (
        ("team", "beta", beta_usage + beta_seats, Decimal(100) * eur_rate(SEP)),
        ("application", "app-a", app_a, Decimal(1000)),
    ):
        forecast = (mtd * days_in_month / days_elapsed).quantize(cents, ROUND_HALF_UP)
        variance = forecast - budget
        expected[(scope, scope_id)] = (
            LAST_INVOICED,
            budget,
            mtd,
            days_elapsed,
            days_in_month,
            forecast,
            variance,
            (variance * 100 / budget).quantize(Decimal("0.0001"), ROUND_HALF_UP),
            forecast > budget,
        )
    rows = warehouse.execute(
        "select scope, scope_id, as_of_date, budget_amount, month_to_date_cost, days_elapsed,"
        " days_in_month, forecast_month_end_cost, forecast_variance, forecast_variance_pct,"
        " is_forecast_over_budget from marts.rpt_budget_variance where budget_month = ?",
        [SEP],
    ).fetchall()
    assert {(r[0], r[1]): tuple(r[2:]) for r in rows} == expected
    assert expected[("team", "beta")][-1] is True  # planted over budget
    assert expected[("application", "app-a")][-1] is False
    # the team budget also covers August (closed: the forecast is what was spent)
    august = warehouse.execute(
        "select days_elapsed, forecast_month_end_cost = round(month_to_date_cost, 2)"
        " from marts.rpt_budget_variance where budget_month = ? and scope_id = 'beta'",
        [AUG],
    ).fetchall()
    assert august == [(31, True)]


def test_budget_quarter_and_year_sum_the_months_in_effect_at_each_months_rate(warehouse):
    # beta's EUR budget runs from January: each month at its first day's rate (1.10 to August, 1.20
    # from September); app-a's starts in September, so its quarter holds one month and its year four
    eur = {month: eur_rate(date(2026, month, 1)) for month in range(1, 13)}
    beta_q3 = sum(Decimal(100) * eur[m] for m in (7, 8, 9))
    beta_year = sum(Decimal(100) * eur[m] for m in range(1, 13))
    assert (beta_q3, beta_year) == (Decimal("340"), Decimal("1360"))
    monthly = dict(
        warehouse.execute(
            "select budget_month, month_to_date_cost from marts.rpt_budget_variance"
            " where scope = 'application' and scope_id = 'app-a'"
        ).fetchall()
    )
    app_a_costs = {
        month: sum(
            (r["reporting_cost"] for r in chargeback_rows(warehouse, month, "app-a")), Decimal(0)
        )
        for month in (AUG, SEP)
    }
    assert monthly == {SEP: app_a_costs[SEP]}  # no budget in August: no August row
    rows = warehouse.execute(
        "select scope_id, quarter_start, quarter_budget_amount, year_budget_amount,"
        " quarter_to_date_cost, year_to_date_cost, forecast_quarter_end_cost >= quarter_to_date_cost,"
        " forecast_quarter_variance = forecast_quarter_end_cost - quarter_budget_amount"
        " from marts.rpt_budget_variance where budget_month = ?",
        [SEP],
    ).fetchall()
    beta_costs = {
        month: sum(
            (r["reporting_cost"] for r in chargeback_rows(warehouse, month, None, "beta")),
            Decimal(0),
        )
        for month in (AUG, SEP)
    }
    to_date = {"beta": sum(beta_costs.values()), "app-a": sum(app_a_costs.values())}
    assert {r[0]: r[1:] for r in rows} == {
        "beta": (
            date(2026, 7, 1),
            beta_q3,
            beta_year,
            to_date["beta"],
            to_date["beta"],
            True,
            True,
        ),
        "app-a": (
            date(2026, 7, 1),
            Decimal(1000),
            Decimal(4000),
            to_date["app-a"],
            to_date["app-a"],
            True,
            True,
        ),
    }


def chargeback_rows(warehouse, month: date, application: str | None, team: str | None = None):
    """The published chargeback lines of a month for an application, or a team (all its lines)."""
    column, value = ("application_id", application) if application else ("team_id", team)
    cursor = warehouse.execute(
        f"select reporting_cost from marts.rpt_chargeback_monthly where billing_month = ?"
        f" and {column} = ?",
        [month, value],
    )
    return [{"reporting_cost": r[0]} for r in cursor.fetchall()]
