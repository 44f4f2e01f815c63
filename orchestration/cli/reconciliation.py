"""The cost reconciliation in a few lines for the run summary: per provider, rated against invoiced
and measured cost, coverage, lines out of tolerance and usage without a known price."""

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
            count(*) filter (where not is_within_tolerance) as out_of_tolerance,
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
    for provider, invoiced, rated, measured, covered, unattributed, outside, unpriced in rows:
        coverage = f"{covered / invoiced * 100:.1f}%" if invoiced and covered is not None else "-"
        lines.append(
            f"  {provider:<14} invoiced {_money(invoiced):>12}  rated {_money(rated):>12}"
            f"  measured {_money(measured):>10}  coverage {coverage:>6}"
            f"  unattributed {_money(unattributed):>10}  {outside} line(s) out of tolerance"
            + (f"  {unpriced} usage row(s) with no known price" if unpriced else "")
        )
    return lines
