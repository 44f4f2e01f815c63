"""Spend drivers, savings opportunities, the FOCUS export and decimal money on the sandbox enterprise
after the first backfill (2026-09-01 .. 2026-09-20), checked against the sandbox's own facts: its
planted spike, its OpenAI bill and usage, its governance and its seats."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from sandbox import governance_example as governance
from sandbox.enterprise import MODELS
from tests.dbt.test_money_columns_are_decimal import is_money
from tests.e2e.deployment import AS_OF_FIRST_RUN, FIRST, LAST

pytestmark = pytest.mark.e2e

MTOK = Decimal(1_000_000)
SEPTEMBER = date(2026, 9, 1)


def query(deployment, sql: str, parameters: list | None = None) -> list[dict]:
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        cursor = con.execute(sql, parameters)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def openai_bill(deployment, application_id: str, day: date) -> dict[str, tuple[int, Decimal]]:
    """The sandbox's OpenAI cost lines of one application on a day, as billed at the first run."""
    state = deployment.sandbox.state
    lines: dict[str, tuple[int, Decimal]] = {}
    for line in state.activity.costs_as_of(day, AS_OF_FIRST_RUN):
        if state.enterprise.project(line.project_id).application_id == application_id:
            quantity, amount = lines.get(line.line_item, (0, Decimal(0)))
            lines[line.line_item] = (quantity + line.quantity, amount + line.amount_usd)
    return lines


def expected_openai_drivers(deployment, application_id: str, day: date) -> dict[str, dict]:
    """Per model: the day against its trailing 7-day average, decomposed by the documented rule."""
    now = openai_bill(deployment, application_id, day)
    before: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for n in range(1, 8):
        for item, (quantity, amount) in openai_bill(
            deployment, application_id, day - timedelta(n)
        ).items():
            before[item][0] += Decimal(quantity) / 7
            before[item][1] += amount / 7
    out: dict[str, dict] = defaultdict(lambda: defaultdict(Decimal))
    for item in set(now) | set(before):
        quantity, cost = now.get(item, (0, Decimal(0)))
        quantity_before, cost_before = before.get(item, [Decimal(0), Decimal(0)])
        change = cost - cost_before
        volume = (
            cost_before * quantity / quantity_before - cost_before if quantity_before else change
        )
        figures = out[item.split(",")[0]]  # "o4-mini, cached input (batch)" -> model o4-mini
        figures["cost_current"] += cost
        figures["cost_before"] += cost_before
        figures["volume_effect"] += volume
        figures["price_effect"] += change - volume
    return out


def test_the_planted_spike_is_the_top_driver_by_team_application_and_model(deployment):
    state = deployment.sandbox.state
    (spike,) = state.activity.spikes_between(FIRST, LAST + timedelta(days=1))
    team = state.enterprise.application(spike.application_id).owning_team_id
    rows = query(
        deployment,
        "select * from rpt_spend_drivers where comparison = 'day_vs_trailing_7d' "
        "and period_start = ? and billing_currency = 'USD'",
        [spike.start],
    )
    top = next(r for r in rows if r["change_rank"] == 1)
    assert (top["application_id"], top["team_id"]) == (spike.application_id, team)

    def largest(dimension: str) -> str:
        totals: Counter = Counter()
        for r in rows:
            totals[r[dimension]] += r["cost_change"]
        return totals.most_common(1)[0][0]

    assert largest("application_id") == spike.application_id
    assert largest("team_id") == team
    spiked = [r for r in rows if r["application_id"] == spike.application_id]
    change = sum(r["cost_change"] for r in spiked)
    volume = sum(r["volume_effect"] for r in spiked)
    assert change > 3 * sum(r["cost_before"] for r in spiked)  # the planted 7x traffic
    assert volume > Decimal("0.95") * change  # a volume spike, not a price change
    assert all(r["volume_effect"] + r["price_effect"] == r["cost_change"] for r in rows)

    # its OpenAI rows are the sandbox's bill, decomposed by the documented rule
    expected = expected_openai_drivers(deployment, spike.application_id, spike.start)
    openai = {r["model_id"]: r for r in spiked if r["provider"] == "openai"}
    for model, figures in expected.items():
        for measure, value in figures.items():
            assert abs(openai[model][measure] - value) < Decimal("0.000001"), (model, measure)
    expected_top = max(
        expected, key=lambda m: expected[m]["cost_current"] - expected[m]["cost_before"]
    )
    assert max(openai.values(), key=lambda r: r["cost_change"])["model_id"] == expected_top


def low_sensitivity_cheaper_models() -> dict[str, tuple[str, str]]:
    """application -> (model it uses on OpenAI, cheapest approved cheaper sibling), from the sandbox
    enterprise and its example governance."""
    from sandbox.enterprise import APPLICATIONS

    use_categories = {f"app-{name}": use for name, _, use, _ in APPLICATIONS}
    profiles = {f"app-{name}": profile for name, _, _, profile in APPLICATIONS}
    family_of = {m: f for f, (ids, _) in governance.MODEL_FAMILIES.items() for m in ids}
    found = {}
    for name, (approved, _, tier) in governance.APPLICATIONS.items():
        app = f"app-{name}"
        approved = governance.PLANTED.get(name, {}).get("approved_models", approved)
        if tier != "low":
            continue
        for snapshot, *_ in profiles[app]:
            used = MODELS[snapshot]
            family = family_of.get(used.family)
            candidates = [
                MODELS[s]
                for s in MODELS
                if family_of.get(MODELS[s].family) == family
                and MODELS[s].family != used.family
                and (f"family:{family}" in approved or MODELS[s].family in approved)
                and use_categories[app]
                in governance.MODEL_OVERRIDES.get(MODELS[s].family, {}).get(
                    "allowed_use_categories", governance.USE_CATEGORIES
                )
                and MODELS[s].input_per_mtok < used.input_per_mtok
                and MODELS[s].output_per_mtok < used.output_per_mtok
            ]
            if candidates:
                cheapest = min(candidates, key=lambda m: (m.input_per_mtok, m.output_per_mtok))
                found[app] = (used.family, cheapest.family)
    return found


def openai_tokens(deployment, application_id: str, model: str) -> tuple[int, int, int]:
    """(uncached input, cached input, output) of an application on a model over the window."""
    state = deployment.sandbox.state
    uncached = cached = output = 0
    for n in range((LAST - FIRST).days + 1):
        for r in state.activity.usage(FIRST + timedelta(n)):
            app = state.enterprise.project(r.project_id).application_id
            if app == application_id and MODELS[r.model].family == model:
                uncached += r.input_uncached_tokens
                cached += r.input_cached_tokens
                output += r.output_tokens
    return uncached, cached, output


def test_savings_name_every_low_sensitivity_application_on_a_pricier_model(deployment):
    rows = query(
        deployment,
        "select * from rpt_savings_opportunities where opportunity_kind = 'cheaper_model' "
        "and provider = 'openai' and usage_month = ?",
        [SEPTEMBER],
    )
    expected = low_sensitivity_cheaper_models()
    assert expected  # the sandbox has the case: it-helpdesk-bot runs gpt-4.1-mini
    assert {
        r["application_id"]: (r["model_id"], r["alternative_model_id"]) for r in rows
    } == expected
    days = (LAST - FIRST).days + 1
    for row in rows:
        used, cheaper = (
            MODELS_BY_FAMILY[row["model_id"]],
            MODELS_BY_FAMILY[row["alternative_model_id"]],
        )
        uncached, cached, output = openai_tokens(deployment, row["application_id"], row["model_id"])
        saving = (
            uncached * (used.input_per_mtok - cheaper.input_per_mtok)
            + cached * (used.cached_input_per_mtok - cheaper.cached_input_per_mtok)
            + output * (used.output_per_mtok - cheaper.output_per_mtok)
        ) / MTOK
        assert row["days_observed"] == days
        assert abs(row["observed_saving"] - saving) <= saving * Decimal("0.001")
        assert row["estimated_monthly_saving"] == pytest.approx(saving * 30 / days, rel=1e-3)


MODELS_BY_FAMILY = {m.family: m for m in MODELS.values()}


def test_savings_flag_low_cache_hit_ratios(deployment):
    rows = query(
        deployment,
        "select application_id, model_id, cache_hit_ratio from rpt_savings_opportunities "
        "where opportunity_kind = 'cache_hit_ratio' and provider = 'openai' and usage_month = ?",
        [SEPTEMBER],
    )
    flagged = {(r["application_id"], r["model_id"]) for r in rows}
    state = deployment.sandbox.state
    for app in state.enterprise.applications:
        if not app.declared:
            continue
        for snapshot, *_ in app.profile:
            model = MODELS[snapshot]
            if model.operation != "completions":
                continue
            uncached, cached, _ = openai_tokens(deployment, app.application_id, model.family)
            ratio = cached / (uncached + cached)
            if ratio < 0.45:
                assert (app.application_id, model.family) in flagged, (app.name, ratio)
            elif ratio > 0.55:
                assert (app.application_id, model.family) not in flagged, (app.name, ratio)
    for r in rows:
        assert r["cache_hit_ratio"] < Decimal("0.5")


def test_savings_price_the_idle_copilot_seats_and_the_leavers_seats_per_team(deployment):
    from sandbox.saas_seats import seats_for

    enterprise = deployment.sandbox.state.enterprise
    seats = seats_for(enterprise)
    inactive = seats.inactive_holders("github_copilot", LAST)
    idle = seats.idle_emails("github_copilot", LAST) - inactive
    assert inactive and idle
    by_email = {p.email: p for p in seats.seat_holders("github_copilot", LAST)}
    for kind, holders in (("idle_seats", idle), ("inactive_holder_seats", inactive)):
        expected = Counter(enterprise.team_on(by_email[e].person_id, LAST) for e in holders)
        rows = query(
            deployment,
            "select * from rpt_savings_opportunities where opportunity_kind = ? "
            "and tool = 'github_copilot' and usage_month = ?",
            [kind, SEPTEMBER],
        )
        assert {r["team_id"]: r["idle_seat_count"] for r in rows} == dict(expected), kind
        for r in rows:
            assert r["evaluated_through"] == LAST
            n = r["idle_seat_count"]
            assert 19 * n <= r["estimated_monthly_saving"] <= 39 * n  # Business or Enterprise seats


def test_the_focus_export_is_the_invoiced_bill(deployment):
    truth = deployment.truth()
    rows = query(
        deployment,
        'select "ProviderName", "BillingCurrency", sum("BilledCost") as billed, count(*) as n, '
        'count(distinct "x_CostKey") as keys from fct_focus_ai_costs group by 1, 2',
    )
    names = {"openai": "OpenAI", "anthropic": "Anthropic", "aws_bedrock": "Amazon Web Services",
             "azure_openai": "Microsoft", "google_vertex": "Google Cloud"}  # fmt: skip
    billed = {r["ProviderName"]: r["billed"] for r in rows}
    for provider, name in names.items():
        assert abs(billed[name] - Decimal(truth[provider]["invoiced_cost_usd"])) < Decimal("0.01")
    assert all(r["n"] == r["keys"] for r in rows)
    status = {
        (r["app"], r["day"]): r["status"]
        for r in query(
            deployment,
            'select distinct "x_ApplicationId" as app, cast("ChargePeriodStart" as date) as day, '
            '"x_PolicyStatus" as status from fct_focus_ai_costs where "x_ApplicationId" is not null',
        )
    }
    violations: dict[tuple, set[str]] = defaultdict(set)
    for r in query(
        deployment,
        "select application_id, usage_date, status from fct_policy_violations "
        "where application_id is not null",
    ):
        violations[(r["application_id"], r["usage_date"])].add(r["status"])
    for key, value in status.items():
        found = violations.get(key, set())
        wanted = "open" if found & {"open", "reraised"} else "excepted" if found else "none"
        assert value == wanted, key
    assert {"open", "none"} <= set(status.values())


def test_no_published_money_column_is_a_float(deployment):
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name, data_type from information_schema.columns"
        ).fetchall()
    money = [(t, c, d) for t, c, d in columns if is_money(c)]
    assert {"rpt_spend_drivers", "rpt_savings_opportunities", "fct_focus_ai_costs"} <= {
        t for t, _, _ in money
    }
    assert [(t, c, d) for t, c, d in money if not d.startswith("DECIMAL")] == []
