"""What a person wants to see after a run: where the outputs are, spend by team and model, top movers,
and (against the sandbox) whether the published totals equal the sandbox's ground truth."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import httpx

from orchestration.lib.publish import current_dir


def _money(value: Decimal | float | None) -> str:
    return f"${Decimal(value or 0):,.2f}"


def published_summary(published: Path, days: int = 30) -> tuple[str, dict]:
    database = current_dir(published) / "warehouse.duckdb"
    if not database.exists():
        return f"nothing published yet under {published}", {}
    lines = [
        f"Published warehouse: {database}",
        f"Parquet exports:     {current_dir(published) / 'parquet'}",
    ]
    with duckdb.connect(str(database), read_only=True) as con:
        last = con.execute("select max(usage_date) from fct_ai_cost_daily").fetchone()[0]
        first = con.execute("select min(usage_date) from fct_ai_cost_daily").fetchone()[0]
        start = last - timedelta(days=days - 1)
        totals = con.execute(
            """
            select
                (select sum(billed_cost) from fct_ai_cost_daily),
                (select sum(input_tokens) from fct_ai_usage_daily),
                (select sum(output_tokens) from fct_ai_usage_daily),
                (select sum(request_count) from fct_ai_usage_daily)
            """
        ).fetchone()
        lines += [
            f"History: {first} .. {last}; cost {_money(totals[0])}, "
            f"{totals[1]:,} input tokens, {totals[2]:,} output tokens, {totals[3]:,} requests",
            "",
            f"Spend by team and model, last {days} days ({start} .. {last}):",
        ]
        rows = con.execute(
            """
            select coalesce(team_id, '(unattributed)') as team, model_id, sum(billed_cost) as spend
            from fct_ai_cost_daily where usage_date >= ?
            group by all order by spend desc limit 15
            """,
            [start],
        ).fetchall()
        lines += [f"  {team:<24} {model:<24} {_money(spend):>14}" for team, model, spend in rows]
        movers = con.execute(
            """
            with weekly as (
                select coalesce(application_id, '(unattributed)') as application,
                    sum(case when usage_date > ? - 7 then billed_cost else 0 end) as this_week,
                    sum(case when usage_date <= ? - 7 and usage_date > ? - 14 then billed_cost else 0 end) as last_week
                from fct_ai_cost_daily where usage_date > ? - 14 group by all
            )
            select application, last_week, this_week, this_week - last_week as change
            from weekly order by abs(this_week - last_week) desc limit 5
            """,
            [last, last, last, last],
        ).fetchall()
        lines += ["", "Top movers, last 7 days against the 7 before:"]
        lines += [
            f"  {app:<30} {_money(before):>12} -> {_money(after):>12}  ({'+' if change >= 0 else '-'}{_money(abs(change))})"
            for app, before, after, change in movers
        ]
    figures = {
        "first": first,
        "last": last,
        "cost": totals[0],
        "input_tokens": totals[1],
        "output_tokens": totals[2],
        "requests": totals[3],
    }
    return "\n".join(lines), figures


def compare_with_sandbox(base_url: str, figures: dict) -> str | None:
    """Compare published totals with the sandbox's ground truth; None when the source is not a sandbox."""
    root = base_url.split("/v1")[0]
    try:
        truth = httpx.get(
            f"{root}/_sandbox/ground_truth",
            params={
                "start_date": figures["first"].isoformat(),
                "end_date": (figures["last"] + timedelta(days=1)).isoformat(),
            },
            timeout=60,
        )
    except httpx.HTTPError:
        return None
    if truth.status_code != 200:
        return None
    body = truth.json()
    cost_truth = Decimal(body["cost_usd"])
    cost_ok = abs(cost_truth - Decimal(figures["cost"])) < Decimal("0.005")
    tokens_ok = (
        body["usage"]["input_tokens"] == figures["input_tokens"]
        and body["usage"]["output_tokens"] == figures["output_tokens"]
    )
    requests_ok = body["usage"]["request_count"] == figures["requests"]
    verdict = "MATCH" if cost_ok and tokens_ok and requests_ok else "MISMATCH"
    return (
        f"Sandbox ground truth {figures['first']} .. {figures['last']}: cost {_money(cost_truth)} "
        f"({'equal to the cent' if cost_ok else 'DIFFERENT'}), input tokens {body['usage']['input_tokens']:,} "
        f"and output tokens {body['usage']['output_tokens']:,} ({'exactly equal' if tokens_ok else 'DIFFERENT'}), "
        f"requests {'equal' if requests_ok else 'DIFFERENT'}: {verdict}"
    )


def yesterday_utc() -> date:
    from datetime import UTC, datetime

    return datetime.now(UTC).date() - timedelta(days=1)
