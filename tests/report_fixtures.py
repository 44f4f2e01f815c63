"""A small published warehouse for the report tests: the finance marts per their contracts, with
amounts at full DECIMAL(38,10) precision, plus the few columns of the other marts the reports read."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

MONTHS = (date(2026, 8, 1), date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1))
AS_OF = date(2026, 11, 26)
TEAMS = (
    ("platform", "Platform", "CC-110", "Engineering / Platform"),
    ("payments", "Payments", "CC-110", "Engineering / Platform"),
    ("analytics", "Analytics", "CC-210", "Data / Analytics"),
    ("legal-contracts", "Legal Contracts", "CC-810", None),
)
APPLICATIONS = (
    ("payments-assistant", "Payments assistant"),
    ("search-assistant", "Search assistant"),
    ("analytics-assistant", "Analytics assistant"),
    ("platform-assistant", "Platform assistant"),
)
USAGE = (
    ("openai", "gpt-4o", "credential"),
    ("anthropic", "claude-sonnet-4", "tag"),
    ("aws_bedrock", "claude-haiku-3-5", "token_share"),
)
SEATS = ("github_copilot", "cursor")


def amount(rng: random.Random, high: int) -> Decimal:
    """An amount in whole cents, as the chargeback mart charges them."""
    return Decimal(rng.randint(1, high * 100)) / Decimal(100)


def chargeback_rows(rng: random.Random) -> list[tuple]:
    rows = []
    for month in MONTHS:
        for team_id, team_name, cost_center, _ in TEAMS:
            application = f"{team_id}-assistant"
            for provider, model, method in USAGE:
                cost = amount(rng, 4000)
                rows.append(
                    (
                        month,
                        cost_center,
                        team_id,
                        team_name,
                        application,
                        application.title(),
                        provider,
                        model,
                        "usage",
                        method,
                        cost,
                        rng.randint(10**5, 10**8),
                        None,
                    )
                )
            for tool in SEATS:
                cost = amount(rng, 600)
                rows.append(
                    (
                        month,
                        cost_center,
                        team_id,
                        team_name,
                        None,
                        None,
                        tool,
                        None,
                        "seat",
                        "seat_assignment",
                        cost,
                        None,
                        rng.randint(20, 300),
                    )
                )
        rows.append(
            (
                month,
                "unattributed",
                None,
                None,
                None,
                None,
                "openai",
                "gpt-4o-mini",
                "usage",
                "unattributed",
                amount(rng, 900),
                rng.randint(10**4, 10**6),
                None,
            )
        )
    return rows


def build_published(path: Path, seed: int = 20261001) -> Path:
    rng = random.Random(seed)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table dim_team (team_id varchar, team_name varchar, cost_center_id varchar, "
            "cost_center_name varchar)"
        )
        con.executemany("insert into dim_team values (?, ?, ?, ?)", TEAMS)
        con.execute(
            "create table dim_application (application_id varchar, application_name varchar)"
        )
        con.executemany("insert into dim_application values (?, ?)", APPLICATIONS)
        con.execute(
            """create table dim_model as select * from (values
                ('gpt-4o', 'model'), ('claude-sonnet-4', 'model'), ('file-search', 'tool')
            ) as t(model_id, model_kind)"""
        )
        con.execute(
            """create table rpt_chargeback_monthly (
                chargeback_key varchar, billing_month date, is_closed_month boolean,
                cost_center_id varchar not null, team_id varchar, team_name varchar,
                application_id varchar, application_name varchar, provider varchar, model_id varchar,
                charge_kind varchar, allocation_method varchar, billing_currency varchar,
                billed_cost decimal(38,2), reporting_currency varchar, reporting_cost decimal(38,2),
                total_tokens bigint, seat_days bigint)"""
        )
        for i, (
            month,
            cc,
            team,
            team_name,
            app,
            app_name,
            provider,
            model,
            kind,
            method,
            cost,
            tokens,
            seats,
        ) in enumerate(chargeback_rows(rng)):
            con.execute(
                "insert into rpt_chargeback_monthly values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'USD', ?, 'USD', ?, ?, ?)",
                [
                    f"k{i}",
                    month,
                    month < AS_OF.replace(day=1),
                    cc,
                    team,
                    team_name,
                    app,
                    app_name,
                    provider,
                    model,
                    kind,
                    method,
                    cost,
                    cost,
                    tokens,
                    seats,
                ],
            )
        con.execute(
            """create table rpt_budget_variance (
                budget_variance_key varchar, budget_month date, as_of_date date, scope varchar,
                scope_id varchar, scope_name varchar, reporting_currency varchar,
                budget_amount decimal(38,10), month_to_date_cost decimal(38,10),
                days_elapsed integer, days_in_month integer, forecast_month_end_cost decimal(38,10),
                forecast_variance decimal(38,10), forecast_variance_pct decimal(38,4),
                is_forecast_over_budget boolean)"""
        )
        con.execute(
            """insert into rpt_budget_variance
            select 'b' || row_number() over (), billing_month, least(last_day(billing_month), date '2026-11-26'),
                'team', team_id, any_value(team_name), 'USD', budget, spent,
                day(least(last_day(billing_month), date '2026-11-26')), day(last_day(billing_month)),
                round(spent / day(least(last_day(billing_month), date '2026-11-26')) * day(last_day(billing_month)), 2),
                0, 0, false
            from (
                select billing_month, team_id, any_value(team_name) as team_name, sum(reporting_cost) as spent,
                    case when team_id = 'analytics' then 5000 else 12000 end as budget
                from rpt_chargeback_monthly where team_id is not null group by all
            ) group by billing_month, team_id, budget, spent"""
        )
        con.execute(
            """update rpt_budget_variance set forecast_variance = forecast_month_end_cost - budget_amount,
                forecast_variance_pct = round((forecast_month_end_cost - budget_amount) / budget_amount * 100, 4),
                is_forecast_over_budget = forecast_month_end_cost > budget_amount"""
        )
        # daily invoiced cost: each month's usage lines spread over its days
        con.execute(
            """create table fct_ai_cost_daily (
                usage_date date, provider varchar, cost_kind varchar, model_id varchar,
                application_id varchar, team_id varchar, cost_center_id varchar,
                billed_cost decimal(38,10), billing_currency varchar)"""
        )
        con.execute(
            """insert into fct_ai_cost_daily
            select d.day, provider, 'invoiced', model_id, application_id, team_id, cost_center_id,
                cast(billed_cost / count(*) over (partition by chargeback_key) as decimal(38,10)),
                billing_currency
            from rpt_chargeback_monthly
            cross join lateral (
                select billing_month + cast(unnest(generate_series(0, 27)) as integer) as day
            ) as d
            where charge_kind = 'usage' and d.day <= ?""",
            [AS_OF],
        )
        add_compliance_marts(con)
    return path


def add_compliance_marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """create table rpt_savings_opportunities as select * from (values
            ('idle_seats', date '2026-10-01', 'USD', 59.0000000000::decimal(38,10)),
            ('cheaper_model', date '2026-10-01', 'USD', 120.5000000001::decimal(38,10)),
            ('cheaper_model', date '2026-10-01', 'USD', 30.2500000000::decimal(38,10)),
            ('cache_hit_ratio', date '2026-09-01', 'USD', 999.0000000000::decimal(38,10))
        ) as t(opportunity_kind, usage_month, currency, estimated_monthly_saving)"""
    )
    con.execute(
        """create table rpt_inventory_coverage as select * from (values
            ('openai', date '2026-10-01', 1000.0000000000::decimal(38,10), 900.0000000000::decimal(38,10)),
            ('anthropic', date '2026-10-01', 3000.0000000000::decimal(38,10), 2700.1234000000::decimal(38,10)),
            ('openai', date '2026-09-01', 1000.0000000000::decimal(38,10), 100.0000000000::decimal(38,10))
        ) as t(provider, usage_month, invoiced_cost, attributed_invoiced_cost)"""
    )
    """The columns the stakeholder questions read; fct_gateway_requests_daily is left out on purpose."""
    con.execute(
        """create table fct_policy_violations as select * from (values
            (date '2026-10-03', 'POL-007', 'shadow_credential', 'medium', 'credential', 'openai:key-shadow', null, null, null, 'openai:key-shadow', 'open', 40, 4000, null, null),
            (date '2026-10-04', 'POL-007', 'shadow_credential', 'medium', 'credential', 'openai:key-shadow', null, null, null, 'openai:key-shadow', 'open', 35, 3500, null, null),
            (date '2026-09-20', 'POL-007', 'shadow_credential', 'medium', 'credential', 'anthropic:apikey_01ixwR2R1xUfW6Mj2hxMqadw', null, null, null, 'anthropic:apikey_01ixwR2R1xUfW6Mj2hxMqadw', 'open', 0, 700, null, null),
            (date '2026-10-09', 'POL-002', 'model_not_reviewed', 'high', 'application', 'analytics-assistant', 'analytics-assistant', 'analytics', null, 'openai:key-a2', 'open', 12, 1200, null, null),
            (date '2026-09-10', 'POL-001', 'model_not_approved_for_application', 'high', 'application', 'payments-assistant', 'payments-assistant', 'payments', null, 'openai:key-p', 'excepted', 5, 500, 'EXC-001', date '2026-09-30'),
            (date '2026-10-02', 'POL-001', 'model_not_approved_for_application', 'high', 'application', 'payments-assistant', 'payments-assistant', 'payments', null, 'openai:key-p', 'reraised', 6, 600, 'EXC-001', date '2026-09-30'),
            (date '2026-10-12', 'POL-006', 'usage_by_inactive_person', 'high', 'credential', 'openai:key-a', 'search-assistant', 'analytics', 'p-0042', 'openai:key-a', 'open', 50, 5000, null, null),
            (date '2026-10-20', 'POL-006', 'usage_by_inactive_person', 'high', 'credential', 'openai:key-a', 'search-assistant', 'analytics', 'p-0042', 'openai:key-a', 'open', 40, 4000, null, null),
            (date '2026-11-03', 'POL-006', 'usage_by_inactive_person', 'high', 'credential', 'anthropic:key-b', 'platform-assistant', 'platform', 'p-0077', 'anthropic:key-b', 'open', 30, 3000, null, null),
            (date '2026-11-20', 'POL-007', 'shadow_credential', 'medium', 'credential', 'anthropic:key-late', null, null, null, 'anthropic:key-late', 'open', 9, 900, null, null)
        ) as t(usage_date, policy_id, rule, severity, subject_type, subject_id, application_id, team_id,
               person_id, credential_ids, status, request_count, total_tokens, exception_id,
               exception_expires_on)"""
    )
    con.execute(
        """create table rpt_access_anomalies as select * from (values
            ('inactive_person_active', 'p-0042', 'search-assistant', 'openai', 'key-a', date '2026-10-12', date '2026-10-20', 5, 90),
            ('inactive_person_active', 'p-0077', 'platform-assistant', 'anthropic', 'key-b', date '2026-11-03', date '2026-11-09', 4, 30),
            ('new_person_for_application', 'p-0100', 'platform-assistant', 'openai', 'key-c', date '2026-10-01', date '2026-10-01', 1, 2)
        ) as t(anomaly_type, person_id, application_id, credential_provider, credential_id,
               first_date, last_date, active_days, request_count)"""
    )
    con.execute(
        """create table rpt_control_coverage as select * from (values
            ('eu_ai_act', 'Art. 12', 'POL-004', 'prompt_logging_forbidden', true, date '2026-11-26', 3, 0, 0),
            ('iso_42001', 'A.3.2', 'POL-007', 'shadow_credential', true, date '2026-11-26', 3, 0, 0),
            ('nist_ai_rmf', 'GOVERN 1.1', 'POL-009', 'retired_application_in_use', false, null, 0, 0, 0)
        ) as t(framework, control_reference, policy_id, rule, is_enabled, evaluated_through_date,
               open_violations, excepted_violations, reraised_violations)"""
    )
    con.execute(
        """create table fct_seat_assignments_daily as select * from (values
            (date '2026-10-31', 'github_copilot', 'gh:alice', 'alice@example.com', 'active', 'platform', 'business', 19.0000000000::decimal(38,10), 'USD', date '2026-08-02', true),
            (date '2026-10-31', 'cursor', 'cu:bob', 'bob@example.com', 'departed', 'payments', 'teams', 40.0000000000::decimal(38,10), 'USD', null, true),
            (date '2026-10-31', 'cursor', 'cu:carol', 'carol@example.com', 'active', 'payments', 'teams', 40.0000000000::decimal(38,10), 'USD', date '2026-10-30', false),
            (date '2026-11-26', 'cursor', 'cu:dan', 'dan@example.com', 'active', 'analytics', 'teams', 40.0000000000::decimal(38,10), 'USD', null, true)
        ) as t(activity_date, tool, seat_holder_key, seat_holder_email, person_status, team_id, plan,
               list_price_per_seat_month, currency_code, last_activity_date, is_idle)"""
    )
    con.execute(
        """create table rpt_observed_sensitive_data as select * from (values
            (date '2026-09-15', 'anthropic', 'claude-sonnet-4', 'payments-assistant', 'payments', 'anthropic', 'key-p2', 'EMAIL_ADDRESS', 'customer_personal_data', true, 12),
            (date '2026-10-05', 'openai', 'gpt-4.1-mini', 'analytics-assistant', 'analytics', 'openai', 'key-a2', 'CREDIT_CARD', 'special_category_payment', false, 3),
            (date '2026-11-04', 'openai', 'gpt-4o', null, null, 'litellm', 'key-late2', 'PHONE_NUMBER', 'customer_personal_data', false, 2)
        ) as t(usage_date, provider, model_id, application_id, team_id, credential_provider,
               credential_id, entity_type, data_category, is_declared_by_application, request_count)"""
    )
    con.execute(
        """create table rpt_sensitive_data_model_usage as select * from (values
            (date '2026-08-01', date '2026-07-01', 'customer_personal_data', 'openai', 'gpt-4o', 'payments-assistant', 1000),
            (date '2026-09-01', date '2026-07-01', 'customer_personal_data', 'anthropic', 'claude-sonnet-4', 'payments-assistant', 3000),
            (date '2026-09-01', date '2026-07-01', 'customer_personal_data', 'openai', 'gpt-4o', 'search-assistant', 500),
            (date '2026-10-01', date '2026-10-01', 'customer_personal_data', 'aws_bedrock', 'claude-haiku-3-5', 'payments-assistant', 7000),
            (date '2026-10-01', date '2026-10-01', 'employee_data', 'openai', 'gpt-4o', 'platform-assistant', 200)
        ) as t(usage_month, usage_quarter, data_category, provider, model_id, application_id, total_tokens)"""
    )
