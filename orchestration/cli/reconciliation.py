"""The cost reconciliation in a few lines for the run summary: per provider, rated against invoiced
and measured cost, coverage, invoiced cost rating cannot price, lines out of tolerance on settled
days (days the provider still restates are counted apart) and usage without a known price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb


def _money(value: Decimal | None) -> str:
    return "-" if value is None else f"${Decimal(value):,.2f}"


def reconciliation_lines(con: duckdb.DuckDBPyConnection, start: date, end: date) -> list[str]:
    """Lines for published rpt_cost_reconciliation over [start, end] (inclusive)."""
    rows = con.execute(
        """
        select
            provider,
            sum(case when line_type <> 'gateway' then invoiced_cost end) as invoiced,
            sum(case when line_type <> 'gateway' then rated_cost end) as rated,
            sum(case when line_type = 'gateway' then measured_cost end) as measured,
            sum(case when line_type = 'account' then invoiced_cost end) as covered,
            sum(case when line_type = 'unattributed' then invoiced_cost end) as unattributed,
            sum(case when line_type <> 'gateway' then unrated_invoiced_cost end) as unrated,
            count(*) filter (where not is_within_tolerance and not is_provisional) as out_of_tolerance,
            count(distinct usage_date) filter (where is_provisional) as provisional_days,
            sum(unpriced_usage_rows) filter (where line_type <> 'gateway') as unpriced
        from rpt_cost_reconciliation
        where usage_date between ? and ?
        group by provider
        order by provider
        """,
        [start, end],
    ).fetchall()
    lines = [
        f"Cost reconciliation {start} .. {end} (rated = tokens x prices in effect each day):",
    ]
    for row in rows:
        provider, invoiced, rated, measured, covered, unattributed, unrated = row[:7]
        outside, provisional, unpriced = row[7:]
        coverage = f"{covered / invoiced * 100:.1f}%" if invoiced and covered is not None else "-"
        lines.append(
            f"  {provider:<14} invoiced {_money(invoiced):>13}  rated {_money(rated):>13}"
            f"  measured {_money(measured):>13}  coverage {coverage:>6}"
        )
        lines.append(
            f"  {'':<14} unattributed {_money(unattributed):>11}  not rateable {_money(unrated):>11}"
            f"  {outside} line(s) out of tolerance"
        )
        notes = [f"{provisional} provisional day(s) counted apart"] if provisional else []
        notes += [f"{unpriced} usage row(s) with no known price"] if unpriced else []
        if notes:
            lines.append(f"  {'':<14} {'; '.join(notes)}")
    return lines


def out_of_tolerance_lines(
    con: duckdb.DuckDBPyConnection, start: date, end: date
) -> set[tuple[str, str, date]]:
    """(provider, account, day) of settled account and unattributed lines out of tolerance."""
    return set(
        con.execute(
            """
            select provider, account_id, usage_date from rpt_cost_reconciliation
            where usage_date between ? and ? and line_type <> 'gateway'
                and not is_within_tolerance and not is_provisional
            """,
            [start, end],
        ).fetchall()
    )
