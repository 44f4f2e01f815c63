"""Each stakeholder question in reports/questions/ answered over the published warehouse, checked against
the sandbox enterprise's own facts (first backfill, 2026-09-01 .. 2026-09-20)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from governance.load import load_governance
from tests.e2e.deployment import FIRST, LAST

pytestmark = pytest.mark.e2e

QUESTIONS = Path(__file__).resolve().parents[2] / "reports" / "questions"


def answer(deployment, name: str, **parameters) -> list[dict]:
    sql = (QUESTIONS / f"{name}.sql").read_text()
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        cursor = con.execute(sql, parameters or None)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    # people are keys in the release: the answers that name them read the restricted mart
    return [
        {
            c: deployment.named(v) if isinstance(v, str) else v
            for c, v in zip(columns, row, strict=True)
        }
        for row in rows
    ]


def test_every_question_file_is_checked_here():
    tested = {
        name.removeprefix("test_")
        for name in globals()
        if name.startswith("test_") and name != "test_every_question_file_is_checked_here"
    }
    assert {p.stem for p in QUESTIONS.glob("*.sql")} == tested


def test_finance_what_drove_the_spike(deployment):
    (spike,) = deployment.sandbox.state.activity.spikes_between(FIRST, LAST + timedelta(days=1))
    top = answer(deployment, "finance_what_drove_the_spike", period_start=FIRST)[0]
    assert top["application_id"] == spike.application_id
    assert spike.start <= top["usage_date"] < spike.start + timedelta(days=spike.days)
    assert top["cost"] > 3 * top["baseline"]
    assert (
        top["team_id"]
        == deployment.sandbox.state.enterprise.application(spike.application_id).owning_team_id
    )


def test_finance_spike_price_vs_volume(deployment):
    state = deployment.sandbox.state
    (spike,) = state.activity.spikes_between(FIRST, LAST + timedelta(days=1))
    top = answer(deployment, "finance_spike_price_vs_volume")[0]
    assert (top["application_id"], top["usage_date"]) == (spike.application_id, spike.start)
    assert top["team_id"] == state.enterprise.application(spike.application_id).owning_team_id
    assert top["volume_effect"] + top["price_effect"] == top["increase"]
    assert top["volume_effect"] > Decimal("0.95") * top["increase"]  # the planted spike is traffic
    assert top["cost"] > 3 * top["baseline"]
    assert top["top_model"] is not None


def test_finance_idle_paid_seats(deployment):
    from sandbox.saas_seats import seats_for

    seats = seats_for(deployment.sandbox.state.enterprise)
    rows = answer(deployment, "finance_idle_paid_seats")
    copilot = {r["seat_holder_email"] for r in rows if r["tool"] == "github_copilot"}
    # Copilot's seat API reports last activity from before the window; other tools only from landed days
    assert copilot == seats.idle_emails("github_copilot", LAST)
    assert all(r["list_price_per_seat_month"] > 0 for r in rows)
    leavers = seats.leavers_with_seats("github_copilot", LAST)
    assert {
        r["seat_holder_email"] for r in rows if r["person_status"] == "departed"
    } >= leavers & copilot


def test_compliance_customer_data_models_last_quarter(deployment):
    rows = answer(
        deployment, "compliance_customer_data_models_last_quarter", quarter_start=date(2026, 7, 1)
    )
    models = {(r["provider"], r["model_id"]) for r in rows}
    assert ("google_vertex", "gemini-2.5-flash") in models  # support assistant, the planted finding
    assert ("openai", "gpt-4.1-nano") in models  # ticket triage reads customer tickets
    assert ("openai", "gpt-4o") not in models  # only low-sensitivity applications use it
    assert not answer(
        deployment, "compliance_customer_data_models_last_quarter", quarter_start=date(2026, 4, 1)
    )
    # observed beside declared: where customer personal data was found in prompts, and by whom
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        observed = set(
            con.execute(
                "select distinct provider, model_id from rpt_observed_sensitive_data "
                "where data_category = 'customer_personal_data'"
            ).fetchall()
        )
        declared = set(
            con.execute(
                "select distinct provider, model_id from rpt_sensitive_data_model_usage "
                "where data_category = 'customer_personal_data' and usage_quarter = date '2026-07-01'"
            ).fetchall()
        )
    assert {(r["provider"], r["model_id"]): r["basis"] for r in rows} == {
        model: "declared and observed"
        if model in declared and model in observed
        else "declared"
        if model in declared
        else "observed"
        for model in declared | observed
    }
    support = next(r for r in rows if (r["provider"], r["model_id"]) == ("openai", "gpt-4.1-mini"))
    assert support["basis"] == "declared and observed"
    assert "app-support-assistant" in support["observed_senders"]
    assert support["observed_entity_types"] == "EMAIL_ADDRESS,PHONE_NUMBER"
    # the SQL helper pastes customers' emails into gpt-4.1 prompts without declaring personal data
    helper = next(r for r in rows if (r["provider"], r["model_id"]) == ("openai", "gpt-4.1"))
    assert "app-analytics-sql-helper" in helper["observed_senders"]


def test_compliance_undeclared_personal_data(deployment):
    from governance.load import load_governance

    state = deployment.sandbox.state
    planted = state.observed_sensitive_data(FIRST, LAST + timedelta(days=1))
    category = {
        "EMAIL_ADDRESS": "customer_personal_data",
        "PHONE_NUMBER": "customer_personal_data",
        "CREDIT_CARD": "special_category_payment",
        "IBAN_CODE": "special_category_payment",
    }
    declared = {a.id: set(a.data_categories) for a in load_governance().applications.applications}
    expected: dict[tuple, int] = {}
    for (application, _, _, entity), requests in planted.items():
        kind = category.get(entity)
        if kind and kind not in declared[application]:
            key = (application, kind, entity)
            expected[key] = expected.get(key, 0) + requests
    rows = answer(deployment, "compliance_undeclared_personal_data")
    assert {
        (r["application_id"], r["data_category"], r["entity_type"]): r["requests"] for r in rows
    } == expected
    assert set(expected) == {
        ("app-analytics-sql-helper", "customer_personal_data", "EMAIL_ADDRESS"),
        ("app-analytics-sql-helper", "special_category_payment", "CREDIT_CARD"),
        ("app-contract-reviewer", "special_category_payment", "IBAN_CODE"),
    }
    helper = next(r for r in rows if r["entity_type"] == "CREDIT_CARD")
    assert helper["models"] == "vllm:llama-3-3-70b-instruct"
    assert (helper["first_date"], helper["last_date"]) == (FIRST, LAST)
    assert all(r["credential"] is None for r in rows)


def test_compliance_open_findings(deployment):
    rows = answer(deployment, "compliance_open_findings", period_end=LAST)
    by_policy: dict[str, set[str]] = {}
    for row in rows:
        by_policy.setdefault(row["policy_id"], set()).add(row["subject_id"])
    assert by_policy["POL-001"] == {
        "app-design-critique"
    }  # its exception expired; copywriter's holds
    assert by_policy["POL-002"] == {"app-contract-reviewer", "anthropic:default"}
    assert len(by_policy["POL-007"]) == 11  # see test_compliance: every undeclared credential
    critique = next(r for r in rows if r["subject_id"] == "app-design-critique")
    assert (critique["status"], critique["first_day"], critique["last_day"]) == (
        "reraised",
        FIRST,
        LAST,
    )
    # while EXC-001 was in force (to 9 September) the critique's finding was not open
    before = answer(deployment, "compliance_open_findings", period_end=date(2026, 9, 9))
    assert "app-design-critique" not in {r["subject_id"] for r in before}
    assert len([r for r in before if r["policy_id"] == "POL-007"]) == 11


def test_compliance_overdue_findings(deployment):
    from governance.load import load_governance
    from sandbox.checks import overdue_findings

    governance = load_governance()
    rows = answer(deployment, "compliance_overdue_findings")
    # On 2026-09-20 only a critical finding has run out of days (7 from 1 September; high ones have
    # 30, medium 90): the support assistant's, acknowledged but not remediated, its team's.
    assert [(r["owner_team_id"], r["finding_key"]) for r in rows] == [
        ("support-ops", "POL-004:app-support-assistant")
    ]
    (row,) = rows
    assert (row["status"], row["ticket_id"], row["owner_basis"]) == (
        "acknowledged",
        "SEC-2288",
        "application",
    )
    assert (row["opened_date"], row["due_date"], row["days_overdue"]) == (
        FIRST,
        FIRST + timedelta(days=governance.remediation_sla.days.critical),
        12,
    )
    assert row["team_overdue_findings"] == 1 and row["evaluated_date"] == LAST
    owner = next(t.owner for t in governance.teams.teams if t.id == "support-ops")
    assert row["team_owner_email"] == owner.lower()
    # the make-run check works the same answer out from the sandbox and governance
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        got, expected = overdue_findings(con, deployment.sandbox.state, LAST)
    assert got == expected == {("support-ops", "POL-004:app-support-assistant")}


def test_compliance_exceptions_open_or_expired(deployment):
    rows = {
        r["exception_id"]: r for r in answer(deployment, "compliance_exceptions_open_or_expired")
    }
    assert set(rows) == {"EXC-001", "EXC-002"}
    expired, in_force = rows["EXC-001"], rows["EXC-002"]
    assert (expired["excepted_from"], expired["excepted_until"]) == (FIRST, date(2026, 9, 9))
    assert (expired["reraised_from"], expired["expires_on"]) == (
        date(2026, 9, 10),
        date(2026, 9, 10),
    )
    assert (in_force["excepted_until"], in_force["reraised_from"]) == (LAST, None)


def test_compliance_leavers_still_using_ai(deployment):
    enterprise = deployment.sandbox.state.enterprise
    left = {
        enterprise.person(e.person_id).email: e.on
        for e in enterprise.person_events
        if e.kind == "left"
    }
    rows = answer(deployment, "compliance_leavers_still_using_ai")
    assert sorted(r["person_id"] for r in rows) == [
        "ben.okafor@example-corp.com",
        "rosa.quist4@example-corp.com",
    ]
    for row in rows:
        assert row["first_date"] == max(left[row["person_id"]], FIRST)
        assert row["last_date"] == LAST and row["request_count"] > 0


def test_compliance_monitoring_evidence(deployment):
    rows = answer(deployment, "compliance_monitoring_evidence")
    # every control of every policy: ten policies on three frameworks, the leavers' seats on two
    assert len(rows) == sum(len(p.controls) for p in load_governance().policies.policies) == 32
    assert {r["framework"] for r in rows} == {"eu_ai_act", "iso_42001", "nist_ai_rmf"}
    assert all(r["is_enabled"] and r["evaluated_through_date"] == LAST for r in rows)


def test_engineering_failures_fallbacks_latency(deployment):
    rows = answer(deployment, "engineering_failures_fallbacks_latency", period_start=FIRST)
    keys = {(r["gateway"], r["application_key"]) for r in rows}
    assert ("otel", "code-review-bot") in keys and ("litellm", "team-support-assistant") in keys
    assert all(0 <= r["failures"] < r["requests"] and 0 <= r["failure_pct"] < 100 for r in rows)
    assert sum(r["fallbacks"] for r in rows) > 0
    assert rows == sorted(rows, key=lambda r: -r["requests"])


def test_engineering_usage_drift(usage_drift_release):
    """On the gateway history around the planted drift (tests/e2e/deployment.py drift_release)."""
    release, drift = usage_drift_release, usage_drift_release.drift
    team = release.state.enterprise.application(drift.application_id).owning_team_id
    week_end = drift.week_start + timedelta(days=6)
    rows = answer(
        release,
        "engineering_usage_drift",
        team_id=team,
        period_start=drift.week_start,
        period_end=week_end,
    )
    assert {(r["application_id"], r["iso_week_start"], r["measure"]) for r in rows} == {
        (drift.application_id, drift.week_start, m) for m in drift.measures
    }
    assert all(r["reason"].startswith("drift (8 baseline weeks)") for r in rows)
    tokens = next(r for r in rows if r["measure"] == "tokens_per_request")
    assert 2.9 < tokens["value"] / tokens["baseline_value"] < 3.1
    # the week after still differs from a baseline of seven weeks before the change and one after
    later = answer(
        release,
        "engineering_usage_drift",
        team_id=team,
        period_start=week_end + timedelta(days=1),
        period_end=release.last,
    )
    assert {r["measure"] for r in later} == {"tokens_per_request", "model_mix"}
    # the other gateway teams did not change how they use AI beyond the thresholds
    for other in ("mobile", "analytics", "machine-learning", "developer-experience"):
        everything = {"period_start": release.first, "period_end": release.last}
        assert not answer(release, "engineering_usage_drift", team_id=other, **everything)


def test_executive_where_spend_grows(deployment):
    truth = deployment.truth()
    rows = answer(deployment, "executive_where_spend_grows")
    september = {r["provider"]: r["spend"] for r in rows if r["month"] == date(2026, 9, 1)}
    expected = {
        p: Decimal(t["invoiced_cost_usd"])
        for p, t in truth.items()
        if Decimal(t["invoiced_cost_usd"])
    }
    assert {p: s.quantize(Decimal("0.01")) for p, s in september.items() if s} == {
        p: s.quantize(Decimal("0.01")) for p, s in expected.items()
    }
    # the backfill covers part of September: its run rate is the spend scaled to the month
    covered = (LAST - FIRST).days + 1
    for row in (r for r in rows if r["month"] == date(2026, 9, 1)):
        assert (row["days_covered"], row["days_in_month"]) == (covered, 30)
        scaled = (row["spend"] * 30 / covered).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert row["run_rate"] == scaled
