"""The run summary's reconciliation lines add up the published lines without double counting."""

from __future__ import annotations

from datetime import date

import duckdb

from orchestration.cli.reconciliation import reconciliation_lines


def test_lines_sum_accounts_and_gateways_apart():
    con = duckdb.connect()
    con.execute(
        """
        create table rpt_cost_reconciliation as select * from (values
            (date '2026-09-01', 'openai', 'account', null, 9.50, 10.00, true, 0),
            (date '2026-09-01', 'openai', 'unattributed', null, null, 2.00, false, 3),
            (date '2026-09-01', 'openai', 'gateway', 4.00, 3.90, null, true, 0),
            (date '2026-08-01', 'openai', 'account', null, 100.00, 100.00, true, 0)
        ) as t(usage_date, provider, line_type, measured_cost, rated_cost, invoiced_cost,
               is_within_tolerance, unpriced_usage_rows)
        """
    )
    (title, line) = reconciliation_lines(con, date(2026, 9, 1), date(2026, 9, 30))
    assert title.startswith("Cost reconciliation 2026-09-01 .. 2026-09-30")
    assert "invoiced       $12.00" in line
    assert "rated        $9.50" in line
    assert "measured      $4.00" in line
    assert "coverage  83.3%" in line
    assert "unattributed      $2.00" in line
    assert "1 line(s) out of tolerance" in line
    assert "3 usage row(s) with no known price" in line
