"""Answers to the stakeholder questions for one period, from the published warehouse.

The queries are the ones in reports/questions/, run unchanged: before running them, temporary views with
the mart's name restrict each dated mart to the period (nothing after the month's end), so the same
SQL answers "as of the end of this month". A mart missing from the release makes its answer say so
instead of failing the report.

People are pseudonymous keys in the published marts. Two answers must name them, and say so: who
still uses AI after leaving, and which paid seats are idle (whose seat to reclaim). Those two read
the release's restricted people_directory (warehouse.publish.read_directory) and show emails; every
other answer shows keys, as the marts hold them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from reports.html import signed_money
from reports.names import TOOLS, DisplayNames, header, short_id, words
from reports.periods import (
    month_label,
    next_month,
    previous_month,
    previous_quarter_start,
)
from warehouse.pseudonym import reidentify
from warehouse.publish import read_directory

QUESTIONS_DIR = Path(__file__).parent / "questions"  # package data: the queries people run too
# dated marts and the column that dates a row: rows after the period are hidden from the questions
DATED_MARTS = {
    "fct_ai_cost_daily": "usage_date",
    "fct_ai_usage_daily": "usage_date",
    "fct_policy_violations": "usage_date",
    "fct_gateway_requests_daily": "usage_date",
    "fct_seat_assignments_daily": "activity_date",
    "rpt_access_anomalies": "first_date",
    "rpt_sensitive_data_model_usage": "usage_month",
    "rpt_observed_sensitive_data": "usage_date",
}
MAX_ROWS = 10
CENT = Decimal("0.01")
UNAPPROVED_RULES = ("model_not_approved_for_application", "model_not_reviewed", "shadow_credential")


@dataclass
class Answer:
    question: str
    headline: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    source: str = ""
    chart: str = ""
    missing: str = ""  # why there is no answer (a mart absent from the release)
    # headline numbers, counted before the table is cut to MAX_ROWS
    figures: dict = field(default_factory=dict)
    # the columns shown (default: all) and how a column's values read (default: by column name)
    shown: list[str] | None = None
    formats: dict = field(default_factory=dict)
    headers: list[str] = field(default_factory=list)

    def records(self) -> list[dict]:
        """Rows by column name: headlines do not depend on the column order of a reports/questions query."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def present(self, names: DisplayNames) -> None:
        """Cut the table to MAX_ROWS, the shown columns and their display values, with headers in words."""
        columns = self.shown or self.columns
        formats = {**value_formats(names), **self.formats}
        self.rows = [
            tuple(
                formats[c](record[c]) if c in formats and record[c] is not None else record[c]
                for c in columns
            )
            for record in self.records()[:MAX_ROWS]
        ]
        self.columns = list(columns)
        self.headers = [header(c) for c in columns]


@dataclass
class ExecutiveSummary:
    month: date
    as_of: date | None
    currency: str
    sections: dict[str, list[Answer]]

    @property
    def label(self) -> str:
        return month_label(self.month)


def count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def month_name(month: date) -> str:
    return month.strftime("%B %Y")


def value_formats(names: DisplayNames) -> dict:
    """How values of a column read, by column name, for every answer."""
    return {
        "team_id": names.team,
        "application_id": names.application,
        "cost_center_id": names.cost_center,
        "provider": names.provider,
        "model_id": names.model,
        "models": names.models,
        "tool": lambda tool: TOOLS.get(tool, words(tool)),
        "credential_ids": lambda ids: ", ".join(
            f"{names.provider(c.partition(':')[0])} {short_id(c.partition(':')[2])}"
            for c in ids.split(",")
        ),
        **{
            column: words
            for column in (
                "rule",
                "opportunity_kind",
                "person_status",
                "status",
                "data_category",
                "scope",
                "framework",
                "severity",
            )
        },
    }


def shows_as_zero(amount: Decimal | None) -> bool:
    """Rounding residue: an amount that reads 0.00."""
    return amount is None or Decimal(amount).quantize(CENT) == 0


def question_sql(name: str) -> str:
    return (QUESTIONS_DIR / f"{name}.sql").read_text()


class Questions:
    def __init__(self, con: duckdb.DuckDBPyConnection, month: date):
        self.con = con
        self.month = month
        self.end = next_month(month)  # exclusive
        self.last_day = self.end - timedelta(days=1)
        self.tables = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables"
            ).fetchall()
        }
        catalog = con.execute("select current_database()").fetchone()[0]
        for table, column in DATED_MARTS.items():
            if table in self.tables:
                con.execute(
                    f'create or replace temp view "{table}" as select * from "{catalog}".main."{table}" '
                    f"where {column} < date '{self.end.isoformat()}'"
                )

        self.names = DisplayNames.load(con)
        path = con.execute(
            "select path from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0]
        # the restricted mart, read only by the answers that name people
        self.people = read_directory(Path(path).parent) if path else {}

    def named(self, answer: Answer) -> Answer:
        """`answer` with the people in its rows named (emails from the restricted mart)."""
        answer.rows = [
            tuple(reidentify(v, self.people) if isinstance(v, str) else v for v in row)
            for row in answer.rows
        ]
        return answer

    def has(self, *tables: str) -> str:
        """'' when every table is published, else the reason the answer is missing."""
        missing = [t for t in tables if t not in self.tables]
        return f"not in this release: {', '.join(missing)}" if missing else ""

    def run(self, sql: str, params: dict | list | None = None) -> tuple[list[str], list[tuple]]:
        cursor = self.con.execute(sql, params or [])
        return [c[0] for c in cursor.description], cursor.fetchall()

    def docs_question(
        self, answer: Answer, name: str, tables: tuple[str, ...], params=None
    ) -> Answer:
        answer.source = f"reports/questions/{name}.sql"
        answer.missing = self.has(*tables)
        if not answer.missing:
            answer.columns, answer.rows = self.run(question_sql(name), params)
        return answer


def load_summary(con: duckdb.DuckDBPyConnection, month: date) -> ExecutiveSummary:
    q = Questions(con, month)
    as_of = (
        con.execute("select max(usage_date) from fct_ai_cost_daily").fetchone()[0]
        if "fct_ai_cost_daily" in q.tables
        else None
    )
    currency = "USD"
    if "rpt_chargeback_monthly" in q.tables:
        found = con.execute(
            "select any_value(reporting_currency) from rpt_chargeback_monthly where billing_month = ?",
            [month],
        ).fetchone()[0]
        currency = found or currency
    sections = {
        "Finance": [
            spike(q),
            over_budget(q),
            chargeback(q, currency),
            idle_seats(q),
            savings(q),
        ],
        "Engineering": [gateways(q)],
        "Risk and compliance": [
            customer_data(q),
            unapproved(q),
            exceptions(q),
            leavers(q),
            monitoring(q),
            undeclared_personal_data(q),
        ],
        "Executives": [spend_growth(q), exposure_growth(q), governance_pace(q)],
    }
    for answers in sections.values():
        for answer in answers:
            if answer.columns:
                answer.present(q.names)
    return ExecutiveSummary(month, as_of, currency, sections)


def spike(q: Questions) -> Answer:
    answer = q.docs_question(
        Answer("Why did the AI bill spike, and which team, application and model drove it?"),
        "finance_what_drove_the_spike",
        ("fct_ai_cost_daily",),
        {"period_start": q.month},
    )
    if answer.missing:
        return answer
    if answer.rows:
        top = answer.records()[0]
        names = q.names
        answer.headline = (
            f"The biggest jump in {month_name(q.month)}: {names.application(top['application_id'])} "
            f"({names.team(top['team_id'])}) on {top['usage_date']:%d %b %Y}, {top['cost']:,.2f} "
            f"against a 7-day average of {top['baseline']:,.2f} (+{top['increase']:,.2f}), "
            f"on {names.models(top['models']) if top['models'] else 'unknown models'}."
        )
    else:
        answer.headline = (
            f"No day in {month_name(q.month)} stands out from its application's own trailing week."
        )
    return answer


def over_budget(q: Questions) -> Answer:
    answer = Answer("Who is over budget?", source="rpt_budget_variance")
    answer.missing = q.has("rpt_budget_variance")
    if answer.missing:
        return answer
    answer.columns, answer.rows = q.run(
        "select scope, scope_name, budget_amount, month_to_date_cost, forecast_month_end_cost, "
        "forecast_variance_pct from rpt_budget_variance "
        "where budget_month = ? and is_forecast_over_budget order by forecast_variance desc",
        [q.month],
    )
    answer.figures = {"over": len(answer.rows)}
    (budgets,) = q.con.execute(
        "select count(*) from rpt_budget_variance where budget_month = ?", [q.month]
    ).fetchone()
    answer.headline = (
        f"{len(answer.rows)} of {budgets} budgets are forecast over for {month_name(q.month)}"
        + (
            f"; furthest over: {answer.rows[0][1]} ({answer.rows[0][5]:+,.1f}%)."
            if answer.rows
            else "."
        )
    )
    return answer


def chargeback(q: Questions, currency: str) -> Answer:
    answer = Answer("What does each cost centre owe this month?", source="rpt_chargeback_monthly")
    answer.missing = q.has("rpt_chargeback_monthly")
    if answer.missing:
        return answer
    answer.columns, rows = q.run(
        "select cost_center_id, sum(case when charge_kind = 'usage' then reporting_cost else 0 end) as usage_cost, "
        "sum(case when charge_kind = 'seat' then reporting_cost else 0 end) as seat_cost, "
        "sum(reporting_cost) as total_cost from rpt_chargeback_monthly where billing_month = ? "
        "group by cost_center_id order by total_cost desc",
        [q.month],
    )
    total = sum((r[3] for r in rows), Decimal(0))
    answer.rows = [r for r in rows if not shows_as_zero(r[3])]
    answer.figures = {"total": total, "cost_centres": len(answer.rows)}
    answer.headline = f"{total:,.2f} {currency} across {count(len(answer.rows), 'cost centre')}" + (
        f"; the largest is {q.names.cost_center(answer.rows[0][0])} with {answer.rows[0][3]:,.2f}."
        if answer.rows
        else "."
    )
    return answer


def idle_seats(q: Questions) -> Answer:
    answer = q.docs_question(
        Answer("Which seats are paid for and unused?"),
        "finance_idle_paid_seats",
        ("fct_seat_assignments_daily",),
    )
    if answer.missing:
        return answer
    q.named(answer)
    monthly: dict[str, Decimal] = defaultdict(Decimal)
    for seat in answer.records():
        monthly[seat["currency_code"]] += seat["list_price_per_seat_month"] or Decimal(0)
    cost = ", ".join(f"{amount:,.2f} {cur}" for cur, amount in sorted(monthly.items()))
    answer.headline = f"{count(len(answer.rows), 'idle seat')} on the last day of the period" + (
        f", {cost} a month at list price." if cost else "."
    )
    answer.shown = [c for c in answer.columns if c != "seat_holder_key"]
    return answer


def savings(q: Questions) -> Answer:
    answer = Answer("Where can we save?", source="rpt_savings_opportunities")
    answer.missing = q.has("rpt_savings_opportunities")
    if answer.missing:
        return answer
    answer.columns, rows = q.run(
        "select opportunity_kind, currency, count(*) as opportunities, "
        "sum(estimated_monthly_saving) as estimated_monthly_saving "
        "from rpt_savings_opportunities where usage_month = ? "
        "group by opportunity_kind, currency order by estimated_monthly_saving desc",
        [q.month],
    )
    answer.rows = [r for r in rows if not shows_as_zero(r[3])]
    per_currency: dict[str, Decimal] = defaultdict(Decimal)
    for r in answer.records():
        per_currency[r["currency"]] += r["estimated_monthly_saving"]
    if answer.rows:
        top = answer.records()[0]
        total = ", ".join(f"{amount:,.2f} {cur}" for cur, amount in sorted(per_currency.items()))
        answer.headline = (
            f"About {total} a month; most from {words(top['opportunity_kind'])} "
            f"({top['estimated_monthly_saving']:,.2f} {top['currency']})."
        )
    else:
        answer.headline = f"No saving opportunity found for {month_name(q.month)}."
    return answer


def gateways(q: Questions) -> Answer:
    answer = q.docs_question(
        Answer("Which applications drive volume, failures, fallbacks and latency at the gateways?"),
        "engineering_failures_fallbacks_latency",
        ("fct_gateway_requests_daily",),
        {"period_start": q.month},
    )
    if answer.missing:
        return answer
    names = q.names
    records = answer.records()
    answer.columns = [*answer.columns, "application"]
    answer.rows = [
        (*r.values(), names.gateway_application(r["gateway"], r["application_key"]))
        for r in records
    ]
    answer.shown = ["application", "gateway", *answer.columns[2:-1]]
    answer.formats = {"gateway": names.provider}
    apps = answer.records()
    if apps:
        busiest = max(apps, key=lambda r: r["requests"] or 0)
        worst = max(apps, key=lambda r: r["failure_pct"] or 0)
        answer.headline = (
            f"{busiest['application']} sends the most requests ({busiest['requests']:,}); "
            f"{worst['application']} fails most often ({worst['failure_pct']}% of its requests)."
        )
    else:
        answer.headline = f"No gateway traffic in {month_name(q.month)}."
    return answer


def entity_words(types: str) -> str:
    """`EMAIL_ADDRESS,PHONE_NUMBER` -> `email address, phone number`."""
    return ", ".join(words(t.lower()) for t in types.split(","))


def customer_data(q: Questions) -> Answer:
    quarter = previous_quarter_start(q.end)
    answer = q.docs_question(
        Answer(
            f"Which models touched customer personal data last quarter ({quarter:%Y}-Q{(quarter.month + 2) // 3})?"
        ),
        "compliance_customer_data_models_last_quarter",
        ("rpt_sensitive_data_model_usage", "rpt_observed_sensitive_data"),
        {"quarter_start": quarter},
    )
    if not answer.missing:
        names = q.names
        records = answer.records()
        used = sorted({(r["provider"], r["model_id"]) for r in records})
        models = [f"{names.provider(p)} {m}" for p, m in used if not names.is_tool(m)]
        tools = sorted({words(m) for _, m in used if names.is_tool(m)})
        listed = ", ".join(models[:6]) + (" and more" if len(models) > 6 else "")
        observed = [r for r in records if r["basis"] != "declared"]
        undeclared = [r for r in records if r["basis"] == "observed"]
        answer.headline = (
            f"{count(len(models), 'model')}: {listed}"
            + (f"; and {count(len(tools), 'tool')}: {', '.join(tools)}" if tools else "")
            + "."
            if used
            else "None."
        ) + (
            f" Found in the prompts of {count(len(observed), 'model')}"
            + (
                f", {len(undeclared)} of them sent it by no declaring application"
                if undeclared
                else ""
            )
            + "."
            if observed
            else " None found in the prompt text the sources keep."
        )
        answer.figures = {"observed_only": len(undeclared)}
        answer.shown = ["provider", "model_id", "basis", "tokens", "observed_entity_types"]
        answer.formats = {"observed_entity_types": entity_words}
    return answer


def undeclared_personal_data(q: Questions) -> Answer:
    answer = q.docs_question(
        Answer("Which applications sent personal data we did not declare?"),
        "compliance_undeclared_personal_data",
        ("rpt_observed_sensitive_data",),
    )
    if not answer.missing:
        names = q.names
        records = answer.records()
        senders = sorted(
            {
                names.application(r["application_id"])
                if r["application_id"]
                else names.credential(r["credential"])
                for r in records
            }
        )
        answer.figures = {"senders": len(senders)}
        answer.headline = (
            f"{count(len(senders), 'sender')}: {', '.join(senders)}, found in prompts"
            f" ({', '.join(sorted({words(r['data_category']) for r in records}))})."
            if senders
            else "None found in the prompt text the sources keep."
        )
        answer.shown = [
            "application_id",
            "credential",
            "data_category",
            "entity_type",
            "models",
            "requests",
        ]
        answer.formats = {"entity_type": entity_words, "credential": names.credential}
    return answer


def open_findings(q: Questions, period_end: date) -> list[dict]:
    """Finding subjects open at `period_end` (reports/questions/compliance_open_findings.sql)."""
    columns, rows = q.run(question_sql("compliance_open_findings"), {"period_end": period_end})
    return [dict(zip(columns, row, strict=True)) for row in rows]


def unapproved(q: Questions) -> Answer:
    answer = q.docs_question(
        Answer("Which usage is unapproved or comes from shadow credentials?"),
        "compliance_open_findings",
        ("fct_policy_violations",),
        {"period_end": q.last_day},
    )
    if answer.missing:
        return answer
    names = q.names
    rows = [r for r in answer.records() if r["rule"] in UNAPPROVED_RULES]
    answer.columns = [*answer.columns, "subject", "requests_seen"]
    answer.rows = [
        (
            *r.values(),
            names.subject(r["subject_type"], r["subject_id"], r["application_id"]),
            # providers that bill tokens without counting requests report none
            r["requests"] or ("not reported" if r["tokens"] else 0),
        )
        for r in rows
    ]
    answer.shown = ["subject", "rule", "status", "first_day", "last_day", "tokens", "requests_seen"]
    answer.figures = {"open": len(rows)}
    by_rule = defaultdict(int)
    for r in rows:
        by_rule[r["rule"]] += 1
    parts = [
        count(by_rule[rule], label)
        for rule, label in (
            ("model_not_approved_for_application", "unapproved model use"),
            ("model_not_reviewed", "unreviewed model use"),
            ("shadow_credential", "shadow credential"),
        )
        if by_rule[rule]
    ]
    answer.headline = f"{count(len(rows), 'finding')} open at the end of {month_name(q.month)}" + (
        f": {', '.join(parts)}." if parts else "."
    )
    return answer


def exceptions(q: Questions) -> Answer:
    answer = q.docs_question(
        Answer("Which policy exceptions are open, and which expired while still needed?"),
        "compliance_exceptions_open_or_expired",
        ("fct_policy_violations",),
    )
    if not answer.missing:
        reraised = sum(1 for r in answer.records() if r["reraised_from"] is not None)
        answer.headline = f"{count(len(answer.rows), 'exception')} in use; {reraised} expired and the finding is raised again."
        answer.formats = {"subject_id": q.names.application}
    return answer


def leavers(q: Questions) -> Answer:
    answer = q.docs_question(
        Answer("Who still uses AI after leaving (or while suspended)?"),
        "compliance_leavers_still_using_ai",
        ("fct_policy_violations",),
    )
    if not answer.missing:
        q.named(answer)
        people = sorted({r["person_id"] for r in answer.records()})
        answer.figures = {"people": len(people)}
        answer.headline = (
            f"{count(len(people), 'person', 'people')}: {', '.join(people)}."
            if people
            else "Nobody."
        )
    return answer


def monitoring(q: Questions) -> Answer:
    answer = q.docs_question(
        Answer("What is the evidence that monitoring was in place?"),
        "compliance_monitoring_evidence",
        ("rpt_control_coverage",),
    )
    if not answer.missing:
        evaluated = [
            r
            for r in answer.records()
            if r["is_enabled"]
            and r["evaluated_through_date"] is not None
            and r["evaluated_through_date"] >= q.last_day
        ]
        answer.headline = (
            f"{len(evaluated)} of {len(answer.rows)} control mappings were evaluated through the end of "
            f"{month_name(q.month)} or later."
        )
    return answer


def spend_growth(q: Questions) -> Answer:
    answer = q.docs_question(
        Answer("Where is AI spend growing?"), "executive_where_spend_grows", ("fct_ai_cost_daily",)
    )
    if answer.missing:
        return answer
    from reports import charts

    names = q.names
    series: dict[str, list[tuple[date, Decimal]]] = defaultdict(list)
    growth = answer.records()
    for r in growth:
        series[names.provider(r["provider"])].append((r["month"], r["run_rate"]))
    answer.chart = charts.series_lines(series, "invoiced a month")
    this_month = sorted(
        (r for r in growth if r["month"] == q.month and not shows_as_zero(r["change"])),
        key=lambda r: -r["change"],
    )
    if this_month and this_month[0]["change"] > 0:
        top = this_month[0]
        answer.headline = (
            f"Fastest growth in {month_name(q.month)}: {names.provider(top['provider'])}, "
            f"{top['change']:+,.2f} on {month_name(previous_month(q.month))}"
            + (
                " (pro rata for the days covered)."
                if top["days_covered"] < top["days_in_month"]
                else "."
            )
        )
    else:
        answer.headline = f"No provider's spend grew in {month_name(q.month)}."
    month = answer.columns.index("month")
    answer.rows = [r for r in answer.rows if r[month] == q.month]
    answer.shown = ["provider", "spend", "run_rate", "change"]
    answer.formats = {"change": signed_money}
    if all(r["days_covered"] == r["days_in_month"] for r in answer.records()):
        answer.shown.remove("run_rate")
    return answer


def exposure_growth(q: Questions) -> Answer:
    answer = Answer("Where does exposure grow?", source="rpt_sensitive_data_model_usage")
    answer.missing = q.has("rpt_sensitive_data_model_usage")
    if answer.missing:
        return answer
    answer.columns, answer.rows = q.run(
        "select data_category, sum(case when usage_month = ? then total_tokens else 0 end) as tokens_this_month, "
        "sum(case when usage_month = ? then total_tokens else 0 end) as tokens_month_before, "
        "count(distinct case when usage_month = ? then model_id end) as models_this_month "
        "from rpt_sensitive_data_model_usage group by data_category "
        "order by tokens_this_month - tokens_month_before desc",
        [q.month, previous_month(q.month), q.month],
    )
    growing = [r for r in answer.rows if r[1] > r[2]]
    answer.headline = (
        f"Regulated data through AI grows in {count(len(growing), 'category', 'categories')}; "
        f"most: {words(growing[0][0])} ({growing[0][2]:,} to {growing[0][1]:,} tokens)."
        if growing
        else "No data category grows month over month."
    )
    return answer


def governance_pace(q: Questions) -> Answer:
    answer = Answer(
        "Does governance keep pace?",
        source="reports/questions/compliance_open_findings.sql",
    )
    answer.missing = q.has("fct_policy_violations")
    if answer.missing:
        return answer
    before_end = q.month - timedelta(days=1)
    now = open_findings(q, q.last_day)
    before = open_findings(q, before_end)
    rules = sorted({r["rule"] for r in now + before})
    answer.columns = ["rule", "open_findings", "open_before", "opened"]
    answer.rows = [
        (
            rule,
            sum(1 for r in now if r["rule"] == rule),
            sum(1 for r in before if r["rule"] == rule),
            sum(1 for r in now if r["rule"] == rule and r["first_day"] >= q.month),
        )
        for rule in rules
    ]
    answer.rows.sort(key=lambda r: (-r[1], r[0]))
    reraised = sum(1 for r in now if r["status"] == "reraised")
    answer.figures = {"open": len(now)}
    answer.headline = (
        f"{count(len(now), 'finding')} open at the end of {month_name(q.month)} "
        f"({len(before):,} at the end of {month_name(previous_month(q.month))}); "
        f"{sum(r[3] for r in answer.rows):,} opened in the month, {reraised:,} raised again after an "
        "exception expired."
    )
    if not q.has("rpt_inventory_coverage"):
        invoiced, attributed = q.con.execute(
            "select sum(invoiced_cost), sum(attributed_invoiced_cost) from rpt_inventory_coverage "
            "where usage_month = ?",
            [q.month],
        ).fetchone()
        if invoiced:
            share = (attributed or Decimal(0)) / invoiced * 100
            answer.source += ", rpt_inventory_coverage"
            answer.headline += (
                f" {share:.1f}% of invoiced spend in the month is on declared applications."
            )
    return answer
