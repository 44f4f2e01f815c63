"""The run summary's reconciliation lines add up the published lines without double counting."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.cli.reconciliation import out_of_tolerance_lines, reconciliation_lines
from orchestration.cli.summary import MAX_LINE


def test_lines_sum_accounts_and_gateways_apart():
    con = duckdb.connect()
    con.execute(
        """
        create table rpt_cost_reconciliation as select * from (values
            (date '2026-09-01', 'openai', 'account', 'proj_a', null, 9.50, 10.00, 0.40, true, false, 0),
            (date '2026-09-01', 'openai', 'unattributed', '(unattributed)', null, null, 2.00, 0, false, false, 3),
            (date '2026-09-01', 'openai', 'gateway', 'gateway:litellm', 4.00, 3.90, null, 0, true, false, 0),
            (date '2026-09-02', 'openai', 'account', 'proj_a', null, 9.00, 10.00, 0, false, true, 0),
            (date '2026-08-01', 'openai', 'account', 'proj_a', null, 100.00, 100.00, 0, true, false, 0)
        ) as t(usage_date, provider, line_type, account_id, measured_cost, rated_cost, invoiced_cost,
               unrated_invoiced_cost, is_within_tolerance, is_provisional, unpriced_usage_rows)
        """
    )
    (title, *lines) = reconciliation_lines(con, date(2026, 9, 1), date(2026, 9, 30))
    assert title.startswith("Cost reconciliation 2026-09-01 .. 2026-09-30")
    # a provider's figures on three lines, each at most MAX_LINE characters
    assert len(lines) == 3 and max(len(line) for line in lines) <= MAX_LINE
    amounts, rest, notes = (" ".join(line.split()) for line in lines)
    assert amounts == "openai invoiced $22.00 rated $18.50 measured $4.00 coverage 90.9%"
    assert rest == "unattributed $2.00 not rateable $0.40 1 line(s) out of tolerance"
    # the provisional day's line is off too, but the provider may still restate it
    assert notes == ("1 provisional day(s) counted apart; 3 usage row(s) with no known price")
    assert out_of_tolerance_lines(con, date(2026, 9, 1), date(2026, 9, 30)) == {
        ("openai", "(unattributed)", date(2026, 9, 1))
    }
