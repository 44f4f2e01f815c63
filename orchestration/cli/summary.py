"""What a person wants to see after a run: where the outputs are, spend by team and model, top movers,
and (against the sandbox) whether the published totals equal the sandbox's ground truth per provider."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.cli.reconciliation import reconciliation_lines
from reports.executive_data import question_sql
from warehouse.publish import current_dir

CENT = Decimal("0.01")
USAGE_MEASURES = (
    "request_count",
    "input_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "output_tokens",
)


def dollars(value: Decimal | float | None) -> str:
    return f"${Decimal(value or 0):,.2f}"


NOT_REPORTED = "not reported"
# the longest line the run summary prints: it reads in a terminal and pastes into a ticket
MAX_LINE = 120


def _reported_money(figures: dict, key: str) -> str:
    return dollars(figures[key]) if figures.get(key) is not None else NOT_REPORTED


def _reported_count(figures: dict, measure: str) -> str:
    usage = figures.get("usage")
    if usage is None or measure in figures.get("not_reported", ()):
        return NOT_REPORTED
    return f"{usage[measure]:,}"


def provider_totals(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Published usage and cost per provider, on the same measures as the sandbox's ground truth."""
    totals: dict[str, dict] = {}
    usage = con.execute(
        f"select provider, {', '.join(f'sum({m})' for m in USAGE_MEASURES)} from fct_ai_usage_daily group by provider"
    ).fetchall()
    for provider, *values in usage:
        totals.setdefault(provider, {})["usage"] = dict(
            zip(USAGE_MEASURES, [int(v or 0) for v in values], strict=True)
        )
        # "not reported", not 0: a measure that sums to null, and requests counted as none beside
        # tokens (the usage reports of Anthropic, Azure and Vertex count no requests)
        usage = dict(zip(USAGE_MEASURES, values, strict=True))
        totals[provider]["not_reported"] = sorted(
            m
            for m, v in usage.items()
            if v is None or (m == "request_count" and not v and usage["input_tokens"])
        )
    costs = con.execute(
        "select provider, cost_kind, sum(billed_cost) from fct_ai_cost_daily group by provider, cost_kind"
    ).fetchall()
    for provider, kind, amount in costs:
        totals.setdefault(provider, {})[f"{kind}_cost_usd"] = Decimal(amount)
    return totals


def published_summary(published: Path, days: int = 30) -> tuple[str, dict]:
    database = current_dir(published) / "warehouse.duckdb"
    if not database.exists():
        return f"nothing published yet under {published}", {}
    lines = [
        f"Published warehouse: {database}",
        f"Parquet exports:     {current_dir(published) / 'parquet'}",
    ]
    with duckdb.connect(str(database), read_only=True) as con:
        first, last = con.execute(
            "select min(usage_date), max(usage_date) from fct_ai_cost_daily"
        ).fetchone()
        start = last - timedelta(days=days - 1)
        by_provider = provider_totals(con)
        lines += [
            f"History: {first} .. {last}",
            "",
            "Per provider (invoiced cost is the bill; measured is what gateways recorded):",
            f"  {'provider':<14} {'invoiced':>15} {'measured':>15} {'input tokens':>18}"
            f" {'output tokens':>18} {'requests':>15}",
        ]
        for provider, figures in sorted(by_provider.items()):
            lines.append(
                f"  {provider:<14} {_reported_money(figures, 'invoiced_cost_usd'):>15}"
                f" {_reported_money(figures, 'measured_cost_usd'):>15}"
                f" {_reported_count(figures, 'input_tokens'):>18}"
                f" {_reported_count(figures, 'output_tokens'):>18}"
                f" {_reported_count(figures, 'request_count'):>15}"
            )
        lines += ["", f"Invoiced spend by team and model, last {days} days ({start} .. {last}):"]
        rows = con.execute(
            """
            select coalesce(team_id, '(unattributed)') as team, provider, model_id, sum(billed_cost) as spend
            from fct_ai_cost_daily where usage_date >= ? and cost_kind = 'invoiced'
            group by all order by spend desc limit 15
            """,
            [start],
        ).fetchall()
        lines += [
            f"  {team:<24} {provider:<12} {model or '-':<28} {dollars(spend):>14}"
            for team, provider, model, spend in rows
        ]
        movers = con.execute(
            """
            with weekly as (
                select coalesce(application_id, '(unattributed)') as application,
                    sum(case when usage_date > ? - 7 then billed_cost else 0 end) as this_week,
                    sum(case when usage_date <= ? - 7 and usage_date > ? - 14 then billed_cost else 0 end) as last_week
                from fct_ai_cost_daily where usage_date > ? - 14 and cost_kind = 'invoiced' group by all
            )
            select application, last_week, this_week, this_week - last_week as change
            from weekly order by abs(this_week - last_week) desc limit 5
            """,
            [last, last, last, last],
        ).fetchall()
        lines += ["", "Top movers (invoiced), last 7 days against the 7 before:"]
        lines += [
            f"  {app:<30} {dollars(before):>12} -> {dollars(after):>12}  ({'+' if change >= 0 else '-'}{dollars(abs(change))})"
            for app, before, after, change in movers
        ]
        tables = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables"
            ).fetchall()
        }
        if "rpt_cost_reconciliation" in tables:
            lines += ["", *reconciliation_lines(con, start, last)]
        if "fct_policy_violations" in tables:
            lines += ["", *findings_lines(con, start, last)]
    return "\n".join(lines), {"first": first, "last": last, "providers": by_provider}


def findings_lines(con: duckdb.DuckDBPyConnection, start: date, last: date) -> list[str]:
    """Findings open on the last day, per policy: one finding is one subject of one policy
    (reports/questions/compliance_open_findings.sql, the definition the reports use)."""
    cursor = con.execute(question_sql("compliance_open_findings"), {"period_end": last})
    columns = [d[0] for d in cursor.description]
    per_policy: dict[tuple, list[int]] = {}
    for row in cursor.fetchall():
        finding = dict(zip(columns, row, strict=True))
        counts = per_policy.setdefault(
            (finding["policy_id"], finding["rule"], finding["severity"]), [0, 0]
        )
        counts[0] += 1
        counts[1] += finding["first_day"] >= start
    total = sum(open_ for open_, _ in per_policy.values())
    lines = [
        f"Governance findings open on {last}: {total} (a finding is one subject of one policy)"
    ]
    lines += [
        f"  {policy} {rule:<38} {severity:<8} {open_:>3} open  {new:>3} new since {start}"
        for (policy, rule, severity), (open_, new) in sorted(per_policy.items())
    ]
    return lines


def yesterday_utc() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)
