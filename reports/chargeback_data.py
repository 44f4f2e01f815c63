"""What the chargeback report shows for one month, read from the published warehouse.

Money stays `Decimal` from DuckDB to the files: no query here casts to a floating type.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from reports.names import DisplayNames
from reports.periods import month_label, previous_month

CENT = Decimal("0.01")
TREND_MONTHS = 12
TOP_MOVERS = 8
UNATTRIBUTED = "unattributed"


def natural_key(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


class ReportError(Exception):
    """The published warehouse cannot produce the report asked for (missing table, empty month)."""


@dataclass(frozen=True)
class ChargebackLine:
    cost_center_id: str
    team_id: str | None
    team_name: str | None
    application_id: str | None
    application_name: str | None
    provider: str
    model_id: str | None
    charge_kind: str
    allocation_method: str
    billing_currency: str
    billed_cost: Decimal
    reporting_currency: str
    reporting_cost: Decimal
    total_tokens: int | None
    seat_days: int | None


LINE_COLUMNS = tuple(ChargebackLine.__dataclass_fields__)


@dataclass(frozen=True)
class Mover:
    label: str
    previous: Decimal
    current: Decimal
    # the split of the change from rpt_spend_drivers; None when computed from the cost facts
    volume_effect: Decimal | None = None
    price_effect: Decimal | None = None

    @property
    def change(self) -> Decimal:
        return self.current - self.previous


@dataclass(frozen=True)
class BudgetBurn:
    scope: str
    scope_id: str
    scope_name: str
    budget_amount: Decimal
    month_to_date_cost: Decimal
    forecast_month_end_cost: Decimal
    is_forecast_over_budget: bool

    @property
    def burn_pct(self) -> Decimal:
        if not self.budget_amount:
            return Decimal(0)
        return (self.month_to_date_cost / self.budget_amount * 100).quantize(Decimal("0.1"))


@dataclass
class ChargebackMonth:
    month: date
    is_closed_month: bool
    reporting_currency: str
    lines: list[ChargebackLine]
    mart_totals: dict[str, Decimal]  # per cost centre, summed by the database
    billed_totals: dict[str, Decimal]  # per billing currency, summed by the database
    trend: list[tuple[date, str, Decimal]] = field(default_factory=list)
    movers: list[Mover] = field(default_factory=list)
    movers_source: str = ""
    budgets: list[BudgetBurn] = field(default_factory=list)
    cost_centre_names: dict[str, str] = field(default_factory=dict)  # from governance, when named

    @property
    def label(self) -> str:
        return month_label(self.month)

    def cost_centre_label(self, cost_center_id: str) -> str:
        """`Engineering / Platform (CC-110)`, or the bare id when governance names none."""
        name = self.cost_centre_names.get(cost_center_id)
        return f"{name} ({cost_center_id})" if name else cost_center_id

    def cost_centres(self) -> list[str]:
        """In natural order (CC-110 before CC-1010), the unattributed line last."""
        return sorted(self.mart_totals, key=lambda cc: (cc == UNATTRIBUTED, natural_key(cc)))

    def cost_centres_by_total(self) -> list[str]:
        return sorted(self.mart_totals, key=lambda cc: (-self.mart_totals[cc], natural_key(cc)))

    def lines_for(self, cost_center_id: str) -> list[ChargebackLine]:
        return [line for line in self.lines if line.cost_center_id == cost_center_id]

    def total(self, cost_center_id: str | None = None) -> Decimal:
        lines = self.lines if cost_center_id is None else self.lines_for(cost_center_id)
        return sum((line.reporting_cost for line in lines), Decimal(0))

    def grand_total(self) -> Decimal:
        return sum(self.mart_totals.values(), Decimal(0))

    def by_kind(self, cost_center_id: str) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for line in self.lines_for(cost_center_id):
            totals[line.charge_kind] += line.reporting_cost
        return dict(totals)

    def teams_of(self, cost_center_id: str) -> list[str]:
        return sorted(
            {line.team_name or line.team_id or "" for line in self.lines_for(cost_center_id)} - {""}
        )

    def previous_total(self) -> Decimal | None:
        previous = previous_month(self.month)
        values = [amount for month, _, amount in self.trend if month == previous]
        return sum(values, Decimal(0)) if values else None

    def by_provider_model(self) -> list[tuple[str, str, Decimal]]:
        totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for line in self.lines:
            model = line.model_id or ("seats" if line.charge_kind == "seat" else "unknown model")
            totals[(line.provider, model)] += line.reporting_cost
        return sorted(((p, m, v) for (p, m), v in totals.items()), key=lambda row: -row[2])

    def check_ties_out(self) -> None:
        """The lines read equal the database's own sums per cost centre, to the cent."""
        for cost_center_id, expected in self.mart_totals.items():
            got = self.total(cost_center_id)
            if got.quantize(CENT) != expected.quantize(CENT):
                raise ReportError(
                    f"chargeback lines of {cost_center_id} for {self.label} sum to {got}, "
                    f"the mart says {expected}: the published release is inconsistent, rebuild it"
                )


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        name
        for (name,) in con.execute("select table_name from information_schema.tables").fetchall()
    }


def require_tables(con: duckdb.DuckDBPyConnection, database: Path, *names: str) -> None:
    missing = sorted(set(names) - table_names(con))
    if missing:
        raise ReportError(
            f"{database} has no table {', '.join(missing)}: publish a release that includes "
            f"{'it' if len(missing) == 1 else 'them'} (make run) before asking for this report"
        )


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    if not database.exists():
        raise ReportError(
            f"no published warehouse at {database}: publish one first (`make run` on the sandbox, "
            "`make live` on your own sources)"
        )
    return duckdb.connect(str(database), read_only=True)


def closed_months(con: duckdb.DuckDBPyConnection) -> list[date]:
    rows = con.execute(
        "select distinct billing_month from rpt_chargeback_monthly where is_closed_month order by 1"
    ).fetchall()
    return [month for (month,) in rows]


def load_chargeback(con: duckdb.DuckDBPyConnection, database: Path, month: date) -> ChargebackMonth:
    require_tables(con, database, "rpt_chargeback_monthly")
    rows = con.execute(
        f"select {', '.join(LINE_COLUMNS)} from rpt_chargeback_monthly where billing_month = ? "
        "order by cost_center_id, team_id nulls last, application_id nulls last, provider, "
        "model_id nulls last, charge_kind, allocation_method, billing_currency",
        [month],
    ).fetchall()
    if not rows:
        available = ", ".join(month_label(m) for m in closed_months(con)) or "none"
        raise ReportError(
            f"no chargeback lines for {month_label(month)} in {database}; closed months published: {available}"
        )
    lines = [ChargebackLine(*row) for row in rows]
    currencies = {line.reporting_currency for line in lines}
    if len(currencies) != 1:
        raise ReportError(
            f"chargeback lines for {month_label(month)} carry reporting currencies {sorted(currencies)}; "
            "one reporting currency per month is expected (governance FX settings)"
        )
    (is_closed,) = con.execute(
        "select bool_and(is_closed_month) from rpt_chargeback_monthly where billing_month = ?",
        [month],
    ).fetchone()
    mart_totals = dict(
        con.execute(
            "select cost_center_id, sum(reporting_cost) from rpt_chargeback_monthly "
            "where billing_month = ? group by cost_center_id",
            [month],
        ).fetchall()
    )
    billed_totals = dict(
        con.execute(
            "select billing_currency, sum(billed_cost) from rpt_chargeback_monthly "
            "where billing_month = ? group by billing_currency order by 1",
            [month],
        ).fetchall()
    )
    report = ChargebackMonth(
        month, bool(is_closed), currencies.pop(), lines, mart_totals, billed_totals
    )
    report.check_ties_out()
    report.trend = spend_trend(con, month)
    names = DisplayNames.load(con)
    report.movers, report.movers_source = top_movers(con, month, report.reporting_currency, names)
    report.budgets = budget_burn(con, month)
    report.cost_centre_names = names.cost_centers
    return report


def spend_trend(con: duckdb.DuckDBPyConnection, month: date) -> list[tuple[date, str, Decimal]]:
    return con.execute(
        "select billing_month, charge_kind, sum(reporting_cost) from rpt_chargeback_monthly "
        f"where billing_month <= ? and billing_month > ? - interval {TREND_MONTHS} month "
        "group by billing_month, charge_kind order by billing_month, charge_kind",
        [month, month],
    ).fetchall()


def top_movers(
    con: duckdb.DuckDBPyConnection, month: date, currency: str, names: DisplayNames
) -> tuple[list[Mover], str]:
    """Month-over-month change in invoiced cost per application and model, the biggest moves first:
    from rpt_spend_drivers when the release has it, else computed from fct_ai_cost_daily."""
    tables = table_names(con)
    if "rpt_spend_drivers" in tables:
        sql = """
            select coalesce(application_id, 'unattributed') as application,
                coalesce(model_id, 'no model') as model,
                sum(cost_before) as previous_cost, sum(cost_current) as current_cost,
                sum(volume_effect) as volume_effect, sum(price_effect) as price_effect
            from rpt_spend_drivers
            where comparison = 'month_over_month' and period_start = ? and billing_currency = ?
            group by all
        """
        params: list = [month, currency]
        source = "invoiced cost per application and model (rpt_spend_drivers, month over month)"
    elif "fct_ai_cost_daily" in tables:
        sql = """
            select coalesce(application_id, 'unattributed') as application,
                coalesce(model_id, 'no model') as model,
                sum(case when usage_date < ? then billed_cost else 0 end) as previous_cost,
                sum(case when usage_date >= ? then billed_cost else 0 end) as current_cost,
                null as volume_effect, null as price_effect
            from fct_ai_cost_daily
            where cost_kind = 'invoiced' and billing_currency = ?
                and usage_date >= ? and usage_date < ? + interval 1 month
            group by all
        """
        params = [month, month, currency, previous_month(month), month]
        source = "invoiced cost per application and model (fct_ai_cost_daily), month over month"
    else:
        return [], "not available: neither rpt_spend_drivers nor fct_ai_cost_daily is published"
    rows = con.execute(
        f"select * from ({sql}) where current_cost <> previous_cost "
        "order by abs(current_cost - previous_cost) desc, application, model limit ?",
        [*params, TOP_MOVERS],
    ).fetchall()
    movers = [
        Mover(f"{names.application(app)} · {names.model(model)}", previous, current, volume, price)
        for app, model, previous, current, volume, price in rows
    ]
    return movers, source


def budget_burn(con: duckdb.DuckDBPyConnection, month: date) -> list[BudgetBurn]:
    if "rpt_budget_variance" not in table_names(con):
        return []
    rows = con.execute(
        "select scope, scope_id, coalesce(scope_name, scope_id), budget_amount, month_to_date_cost, "
        "forecast_month_end_cost, is_forecast_over_budget from rpt_budget_variance "
        "where budget_month = ? and scope = 'team' and budget_amount > 0 "
        "order by month_to_date_cost / budget_amount desc, scope_id",
        [month],
    ).fetchall()
    return [BudgetBurn(*row) for row in rows]
