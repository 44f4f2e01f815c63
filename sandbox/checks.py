"""After a sandbox run: do the published marts report what the sandbox enterprise did and planted?

`compare_with_sandbox` compares the published per-provider totals with the sandbox's ground truth.

Checks the planted policy findings per rule, the leavers whose keys are still used, the movers'
team on both sides of their move day (dim_person in the warehouse), the idle Copilot seats on the
last day, each closed month's chargeback against what was invoiced, its seat cost per tool against
the sandbox's seat charges, the planted billing variances (the only reconciliation lines out of
tolerance on settled days), the planted usage drift (the only drift reported) and the sensitive
data planted in prompt text (requests per application and entity type, and the personal data sent
undeclared), against the sandbox enterprise itself (not against the warehouse); and the overdue
findings per owning team, worked out from the published findings' days with the sandbox's own
owners and the governance register and SLA days.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import httpx

from governance.load import load_governance
from orchestration.cli.reconciliation import out_of_tolerance_lines
from orchestration.cli.summary import CENT, MAX_LINE, USAGE_MEASURES, dollars
from orchestration.lib.sources import sources_config
from reports.executive_data import QUESTIONS_DIR
from sandbox import self_hosted
from sandbox.activity import SETTLEMENT_DAYS
from sandbox.chargeback_truth import RevealedBy, invoiced_by_month, seat_charges, to_the_cent
from sandbox.cost_plants import planted_variances
from sandbox.governance_example import PLANTED_APPLICATION_FINDINGS
from sandbox.providers.litellm import planted_drift
from sandbox.saas_seats import seats_for
from sandbox.server import SandboxState
from warehouse.pseudonym import reidentify
from warehouse.publish import current_dir, read_directory

ROOT = Path(__file__).resolve().parents[1]
ENTITY_CATEGORIES = ROOT / "dbt_project" / "seeds" / "sensitive_entity_categories.csv"
QUESTIONS = ROOT / "reports" / "questions"
PERSONAL_CATEGORIES = frozenset(
    {"customer_personal_data", "special_category_health", "special_category_payment"}
)


def compare_with_sandbox(sandbox_url: str, figures: dict) -> tuple[str, bool]:
    """Compare published per-provider totals with the sandbox's ground truth for the same days:
    the lines to print, and whether every provider matched."""
    truth = httpx.get(
        f"{sandbox_url}/_sandbox/ground_truth",
        params={
            "start_date": figures["first"].isoformat(),
            "end_date": (figures["last"] + timedelta(days=1)).isoformat(),
        },
        timeout=120,
    ).json()["published"]
    lines = [
        f"Sandbox ground truth {figures['first']} .. {figures['last']} (tokens exact, money to the cent):"
    ]
    all_match = True
    for provider, expected in sorted(truth.items()):
        published = figures["providers"].get(provider, {})
        problems = [
            f"{m} {published.get('usage', {}).get(m, 0):,} != {expected['usage'][m]:,}"
            for m in USAGE_MEASURES
            if published.get("usage", {}).get(m, 0) != expected["usage"][m]
        ]
        for kind in ("invoiced", "measured"):
            want = Decimal(expected[f"{kind}_cost_usd"]).quantize(CENT)
            got = Decimal(published.get(f"{kind}_cost_usd", 0)).quantize(CENT)
            if want != got:
                problems.append(f"{kind} cost {dollars(got)} != {dollars(want)}")
        all_match &= not problems
        lines.append(f"  {provider:<14} {'MATCH' if not problems else 'MISMATCH'}")
        lines += [f"  {'':<14}   {problem}" for problem in problems]
    lines.append("All providers match." if all_match else "Some providers DO NOT match.")
    return "\n".join(lines), all_match


def expected_leavers_with_keys(state: SandboxState, end: date) -> dict[str, date]:
    """People who left by `end` and hold an OpenAI key (their keys keep working): email -> left on."""
    enterprise = state.enterprise
    users = {u.user_id: u.person_id for u in enterprise.org_users}
    holders = {users[k.owner_user_id] for k in enterprise.api_keys if k.owner_user_id}
    return {
        enterprise.person(e.person_id).email: e.on
        for e in enterprise.person_events
        if e.kind == "left" and e.on <= end and e.person_id in holders
    }


def mover_team_days(warehouse: Path, state: SandboxState, end: date) -> tuple[set, set]:
    """(email, day, team) on the day before and the day of every planted move by `end`: as the
    warehouse's people history (dim_person) says, and as the sandbox's people history says."""
    enterprise = state.enterprise
    days = {
        (enterprise.person(e.person_id).email, day): enterprise.team_on(e.person_id, day)
        for e in enterprise.person_events
        if e.kind == "moved" and e.on <= end
        for day in (e.on - timedelta(days=1), e.on)
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = {
            (email, day, team)
            for (email, day), _ in days.items()
            for (team,) in con.execute(
                "select team_id from marts.dim_person where email = ? "
                "and valid_from <= ? and (valid_to is null or ? < valid_to)",
                [email, day, day],
            ).fetchall()
        }
    return got, {(email, day, team) for (email, day), team in days.items()}


def seat_days_of(con, months: set[date]) -> dict[str, list[date]]:
    """tool -> the days of `months` the warehouse holds seats for (snapshot and carried-back days)."""
    seat_days: dict[str, list[date]] = {}
    for tool, day in con.execute(
        "select distinct tool, activity_date from fct_seat_assignments_daily"
    ).fetchall():
        if day.replace(day=1) in months:
            seat_days.setdefault(tool, []).append(day)
    return seat_days


def revealed_by(con, state: SandboxState) -> RevealedBy:
    """Each tool's first seat snapshot day; the seat lists were pulled during this run (today)."""
    first = dict(
        con.execute(
            "select tool, min(activity_date) from fct_seat_assignments_daily"
            " where not is_carried_back group by tool"
        ).fetchall()
    )
    return RevealedBy(first_snapshot=first, pulled_on=state.now().date())


def m365_tenants() -> set[str]:
    return {s.organization_id for s in sources_config().sources if s.type == "m365_copilot"}


def closed_month_chargeback(con, state: SandboxState) -> tuple[set, set]:
    """(month, currency, total) of each closed month: the published chargeback, and the invoiced
    totals from the sandbox (usage ground truth plus seat holders at list price, on the days before
    the first seat snapshot as far as the seat lists pulled reveal them)."""
    got = {
        (month, currency, str(total))
        for month, currency, total in con.execute(
            "select billing_month, billing_currency, sum(billed_cost) from rpt_chargeback_monthly"
            " where is_closed_month group by billing_month, billing_currency"
        ).fetchall()
    }
    months = {month for month, _, _ in got}
    if not months:
        return got, set()
    first, last = con.execute(
        "select min(usage_date), max(usage_date) from fct_ai_cost_daily where cost_kind = 'invoiced'"
    ).fetchone()
    truth = invoiced_by_month(
        state,
        first,
        last + timedelta(days=1),
        seat_days_of(con, months),
        load_governance().seat_prices,
        m365_tenants(),
        revealed_by(con, state),
    )
    return got, {(m, c, str(total)) for (m, c), total in truth.items() if m in months}


def closed_month_seat_cost(con, state: SandboxState) -> tuple[set, set]:
    """(month, tool, currency, total) of each closed month's seat lines: the published chargeback,
    and the sandbox's seat charges for the same days (as the seat lists pulled reveal them)."""
    got = {
        (month, tool, currency, str(total))
        for month, tool, currency, total in con.execute(
            "select billing_month, provider, billing_currency, sum(billed_cost)"
            " from rpt_chargeback_monthly where is_closed_month and charge_kind = 'seat'"
            " group by billing_month, provider, billing_currency"
        ).fetchall()
    }
    months = {month for month, _, _, _ in got}
    reveal, prices, tenants = revealed_by(con, state), load_governance().seat_prices, m365_tenants()
    expected = set()
    for tool, days in seat_days_of(con, months).items():
        charges = seat_charges(state, {tool: days}, prices, tenants, reveal)
        expected |= {(m, tool, c, str(to_the_cent(total))) for (m, c), total in charges.items()}
    return got, expected


def people_of(con) -> dict[str, str]:
    """Person key -> email from the restricted people_directory beside the release `con` reads:
    the checks compare people with the sandbox's, so they name them as the reports that must do."""
    path = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    return read_directory(Path(path).parent) if path else {}


def overdue_findings(con, state: SandboxState, end: date) -> tuple[set, set]:
    """(owning team, finding key) of each overdue finding on `end`: as the published answer to
    reports/questions/compliance_overdue_findings.sql says, and as worked out here from the days of
    each published finding with the sandbox's owners (the application's team; for an OpenAI key no
    application declares, or a seat held by a person who left, its holder's team, which is their
    manager's, the team's lead) and
    governance's register and SLA days. Findings nobody can own count under "(no team)"."""
    sql = (QUESTIONS_DIR / "compliance_overdue_findings.sql").read_text()
    named = people_of(con)
    got = {
        (team or "(no team)", reidentify(key, named))
        for team, key in con.execute(
            f"select owner_team_id, finding_key from (\n{sql}\n) as answer"
        ).fetchall()
    }
    governance = load_governance()
    sla_days = governance.remediation_sla.days.model_dump()
    entries = [*governance.remediation.entries, *governance.remediation_tickets]
    register = {}
    for entry in sorted(entries, key=lambda e: e.changed_at, reverse=True):
        register.setdefault(entry.finding_key, entry)  # the latest; the register's on a tie
    enterprise = state.enterprise
    people = {u.user_id: u.person_id for u in enterprise.org_users}
    key_owners = {
        f"openai:{k.api_key_id}": people.get(k.owner_user_id) for k in enterprise.api_keys
    }
    seat_holders = {p.email: p.person_id for p in enterprise.people}
    days: dict[tuple, list] = defaultdict(list)
    for policy, subject, severity, application, day, status in con.execute(
        "select policy_id, subject_id, severity, application_id, usage_date, status"
        " from fct_policy_violations where usage_date <= ?",
        [end],
    ).fetchall():
        days[(policy, reidentify(subject, named), severity, application)].append((day, status))
    expected = set()
    for (policy, subject, severity, application), seen in days.items():
        seen.sort()
        if seen[-1][1] not in ("open", "reraised"):
            continue  # an exception in force covers its latest day: not an open finding
        excepted = [day for day, status in seen if status == "excepted"]
        opened = [
            day
            for day, status in seen
            if status != "excepted" and day > max(excepted, default=date.min)
        ]
        entry = register.get(f"{policy}:{subject}")
        status = entry.status if entry else "open"
        if status == "remediated":
            again = [day for day in opened if day > entry.changed_at.date()]
            status, opened = ("open", again) if again else (status, opened)
        if status not in ("open", "acknowledged") or end <= opened[0] + timedelta(
            sla_days[severity]
        ):
            continue
        if application:
            team = enterprise.application(application).owning_team_id
        elif key_owners.get(subject):
            team = enterprise.team_on(key_owners[subject], seen[-1][0])
        elif subject.partition(":")[2] in seat_holders:  # a seat: its holder's, as for a key
            team = enterprise.team_on(seat_holders[subject.partition(":")[2]], seen[-1][0])
        else:
            team = "(no team)"
        expected.add((team, f"{policy}:{subject}"))
    return got, expected


def usage_drift_found(con) -> set[tuple[str, date, str]]:
    """(application, first week, measure) of every run of consecutive drifting weeks in
    rpt_usage_drift, with every measure that drifted in the run."""
    weeks: dict[str, dict[date, set[str]]] = {}
    for application, week, measure in con.execute(
        "select application_id, iso_week_start, measure from rpt_usage_drift where is_significant"
    ).fetchall():
        weeks.setdefault(application, {}).setdefault(week, set()).add(measure)
    found = set()
    for application, drifting in weeks.items():
        onset = None
        for week in sorted(drifting):
            if onset is None or week - timedelta(days=7) not in drifting:
                onset = week
            found |= {(application, onset, measure) for measure in drifting[week]}
    return found


def usage_drift_planted(state: SandboxState, first: date, last: date) -> set[tuple[str, date, str]]:
    """(application, week, measure) the planted drift must be reported as, when the days from
    `first` to `last` hold its week whole and the baseline weeks a verdict needs before it."""
    drift = planted_drift(state.enterprise.seed)
    rules = load_governance().thresholds.drift
    first_monday = first + timedelta(days=-first.weekday() % 7)
    baseline_weeks = min((drift.week_start - first_monday).days // 7, rules.baseline_weeks)
    if baseline_weeks < rules.min_baseline_weeks or drift.week_start + timedelta(days=6) > last:
        return set()
    return {(drift.application_id, drift.week_start, measure) for measure in drift.measures}


def observed_sensitive_data(con, state: SandboxState, end: date) -> tuple[set, set, set, set]:
    """(application, entity type, requests) over the published days to `end`, as
    rpt_observed_sensitive_data says and as the sandbox planted; then (application, data category,
    entity type, requests) of the personal data sent undeclared, as
    reports/questions/compliance_undeclared_personal_data.sql answers and as planted."""
    first = con.execute("select min(usage_date) from fct_ai_usage_daily").fetchone()[0]
    if first is None:
        return set(), set(), set(), set()
    got = {
        (application, entity, int(requests))
        for application, entity, requests in con.execute(
            "select coalesce(application_id, credential_provider || ':' || credential_id),"
            " entity_type, sum(request_count) from rpt_observed_sensitive_data"
            " where usage_date <= ? group by 1, 2",
            [end],
        ).fetchall()
    }
    planted: Counter = Counter()
    for (application, _, _, entity), requests in state.observed_sensitive_data(
        first, end + timedelta(days=1)
    ).items():
        planted[(application, entity)] += requests
    with ENTITY_CATEGORIES.open() as handle:
        category = {row["entity_type"]: row["data_category"] for row in csv.DictReader(handle)}
    declared = {a.id: set(a.data_categories) for a in load_governance().applications.applications}
    cursor = con.execute((QUESTIONS / "compliance_undeclared_personal_data.sql").read_text())
    columns = [d[0] for d in cursor.description]
    answered = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    undeclared = {
        (
            r["application_id"] or r["credential"],
            r["data_category"],
            r["entity_type"],
            r["requests"],
        )
        for r in answered
        if r["last_date"] <= end
    }
    return (
        got,
        {(application, entity, n) for (application, entity), n in planted.items()},
        undeclared,
        {
            (application, category[entity], entity, n)
            for (application, entity), n in planted.items()
            if category[entity] in PERSONAL_CATEGORIES
            and category[entity] not in declared.get(application, set())
        },
    )


def check_lines(
    published: Path, state: SandboxState, end: date, warehouse: Path | None = None
) -> tuple[list[str], bool]:
    """A line per planted case (MATCH, or DIFF with what is missing and extra), and whether all
    matched."""
    database = current_dir(published) / "warehouse.duckdb"
    people = read_directory(current_dir(published))
    with duckdb.connect(str(database), read_only=True) as con:
        found: dict[str, set[str]] = {}
        for rule, subject in con.execute(
            "select distinct rule, subject_id from fct_policy_violations where subject_type = 'application'"
        ).fetchall():
            found.setdefault(rule, set()).add(subject)
        leavers = {
            reidentify(p, people)
            for (p,) in con.execute(
                "select distinct person_id from fct_policy_violations where rule = 'usage_by_inactive_person'"
            ).fetchall()
        }
        last_seat_day = con.execute(
            "select max(activity_date) from fct_seat_assignments_daily"
        ).fetchone()[0]
        idle = {
            reidentify(e, people)
            for (e,) in con.execute(
                "select seat_holder_email from fct_seat_assignments_daily "
                "where tool = 'github_copilot' and is_idle and activity_date = ?",
                [last_seat_day],
            ).fetchall()
        }
        last_day_of_tool = dict(
            con.execute(
                "select tool, max(activity_date) from fct_seat_assignments_daily group by tool"
            ).fetchall()
        )
        inactive_seats = set(
            con.execute(
                "select distinct subject_id from fct_policy_violations"
                " where rule = 'paid_seat_held_by_inactive_person'"
                " and usage_date = (select max(activity_date) from fct_seat_assignments_daily as s"
                " where s.tool = split_part(subject_id, ':', 1))"
            ).fetchall()
        )
        chargeback, invoiced = closed_month_chargeback(con, state)
        seat_cost, seat_truth = closed_month_seat_cost(con, state)
        first_day = con.execute("select min(usage_date) from rpt_cost_reconciliation").fetchone()[0]
        off_lines = out_of_tolerance_lines(con, first_day, end) if first_day else set()
        overdue, overdue_truth = overdue_findings(con, state, end)
        drift_found = usage_drift_found(con)
        usage_days = con.execute(
            "select min(usage_date), max(usage_date) from fct_ai_usage_daily"
        ).fetchone()
        observed, sent, undeclared, sent_undeclared = observed_sensitive_data(con, state, end)
        self_hosted_days = dict(
            con.execute(
                "select usage_date, sum(billed_cost) from fct_ai_cost_daily"
                " where provider = ? and cost_kind = 'invoiced' group by usage_date",
                [self_hosted.PROVIDER],
            ).fetchall()
        )
    checks = [
        (f"{rule} findings", found.get(rule, set()), expected)
        for rule, expected in sorted(PLANTED_APPLICATION_FINDINGS.items())
    ]
    checks.append(
        (
            "leavers whose keys are still used",
            leavers,
            set(expected_leavers_with_keys(state, end)),
        )
    )
    if warehouse is not None:
        got, expected = mover_team_days(warehouse, state, end)
        checks.append(("movers' team the day before and the day of the move", got, expected))
    if last_seat_day:
        expected_idle = seats_for(state.enterprise).idle_emails("github_copilot", last_seat_day)
        checks.append((f"idle Copilot seats on {last_seat_day}", idle, expected_idle))
    if last_day_of_tool:
        seats = seats_for(state.enterprise)
        expected_inactive = {
            f"{tool}:{email}"
            for tool, day in last_day_of_tool.items()
            for email in seats.inactive_holders(tool, day)
        }
        checks.append(
            (
                "paid seats still held by leavers (each tool's last day)",
                {reidentify(subject, people) for (subject,) in inactive_seats},
                expected_inactive,
            )
        )
    checks.append(("chargeback of each closed month = invoiced, to the cent", chargeback, invoiced))
    checks.append(("seat cost of each closed month = sandbox seat charges", seat_cost, seat_truth))
    if self_hosted_days:
        # every day with GPU rows is charged in full, the idle ones too
        checks.append(
            (
                f"{self_hosted.DEPLOYMENT} GPU cost per day allocated to {self_hosted.PROVIDER}",
                set(self_hosted_days.items()),
                {(day, self_hosted.DAY_COST) for day in self_hosted_days},
            )
        )
    if first_day:
        settled_end = min(
            end + timedelta(days=1), state.now().date() - timedelta(SETTLEMENT_DAYS - 1)
        )
        planted = {
            (v.provider, v.account_id, v.day)
            for v in planted_variances(state.enterprise, first_day, settled_end)
        }
        checks.append(("cost lines out of tolerance (planted variances)", off_lines, planted))
    checks.append(("overdue findings per owning team (remediation SLA)", overdue, overdue_truth))
    if usage_days[0]:
        checks.append(
            (
                "usage drift (application, first week, measure)",
                drift_found,
                usage_drift_planted(state, *usage_days),
            )
        )
    checks.append(("sensitive data in prompts, per application and type", observed, sent))
    checks.append(("personal data sent undeclared, per application", undeclared, sent_undeclared))
    lines = [
        "Sandbox plants (findings, leavers, movers, seats, billing variances, remediation, drift,"
        " sensitive data):"
    ]
    width = max(len(label) for label, _, _ in checks)
    for label, got, expected in checks:
        if got == expected:
            lines.append(f"  {label:<{width}} {len(got):>4}  MATCH")
            continue
        lines.append(f"  {label:<{width}} {len(got):>4}  DIFF")
        for kind, items in (("missing", expected - got), ("extra", got - expected)):
            lines += [f"      {kind}: {item}"[:MAX_LINE] for item in sorted(items, key=str)]
    return lines, all(got == expected for _, got, expected in checks)
