"""The compliance marts on the sandbox enterprise after the first backfill (2026-09-01 .. 2026-09-20).

Every finding the sandbox and the example governance planted is reported, with the right subject,
days and status, and nothing else is: no false positive on a clean application.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from governance.load import load_governance
from sandbox.checks import expected_leavers_with_keys, observed_sensitive_data
from sandbox.governance_example import PLANTED_APPLICATION_FINDINGS
from sandbox.identity import IdentityDirectory
from sandbox.providers import anthropic, aws_bedrock, azure_openai, google_vertex, litellm
from tests.e2e.deployment import FIRST, LAST

pytestmark = pytest.mark.e2e

WINDOW_DAYS = (LAST - FIRST).days + 1
EXCEPTION_EXPIRES = date(2026, 9, 10)  # EXC-001, governance/exceptions.yml


def query(deployment, sql: str) -> list[tuple]:
    """Rows of the release with people named (from the restricted mart, as the reports naming them do)."""
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        rows = con.execute(sql).fetchall()
    return [tuple(deployment.named(v) if isinstance(v, str) else v for v in row) for row in rows]


def expected_shadow_credentials(deployment) -> set[str]:
    """Each provider's credentials that belong to no declared application, from the sandbox."""
    state = deployment.sandbox.state
    enterprise = state.enterprise
    by_name = {p.name: p for p in state.providers}
    undeclared = {a.application_id for a in enterprise.applications if not a.declared}
    shadow = {
        f"openai:{k.api_key_id}"
        for k in enterprise.api_keys
        if enterprise.project(k.project_id).application_id in undeclared
    }
    shadow |= {
        f"anthropic:{by_name['anthropic'].key_id(k)}"
        for k in anthropic.KEYS
        if k.application_id in undeclared
    }
    shadow.add("anthropic:default")  # Console traffic: default workspace, no key
    shadow |= {
        f"aws_bedrock:{a.account_id}"
        for a in aws_bedrock.ACCOUNTS
        if a.application_id in undeclared
    }
    shadow |= {
        f"azure_openai:{by_name['azure_openai'].resource_id(app)}"
        for app in undeclared
        if app in azure_openai.ACCOUNTS
    }
    shadow |= {
        f"google_vertex:{google_vertex.PROJECTS[app][0]}"
        for app in undeclared
        if app in google_vertex.PROJECTS
    }
    shadow |= {
        f"litellm:{litellm.hashed_key(enterprise.seed, r.key_alias)}"
        for r in litellm.ROUTES
        if r.personal
    }
    shadow.add("otel:notebook-experiments")  # a notebook's service.name nobody declared
    return shadow


def test_every_planted_application_finding_and_nothing_else(deployment):
    rows = query(
        deployment,
        "select rule, subject_id, count(*) from fct_policy_violations "
        "where subject_type = 'application' group by 1, 2",
    )
    found: dict[str, set[str]] = {}
    for rule, subject, days in rows:
        found.setdefault(rule, set()).add(subject)
        assert days == WINDOW_DAYS, (rule, subject)  # every planted finding is daily
    assert found == PLANTED_APPLICATION_FINDINGS


def test_an_exception_suppresses_until_it_expires_then_the_violation_is_reraised(deployment):
    rows = query(
        deployment,
        "select subject_id, usage_date, status, exception_id from fct_policy_violations "
        "where policy_id = 'POL-001' order by 1, 2",
    )
    critique = [(d, s, e) for app, d, s, e in rows if app == "app-design-critique"]
    assert {(s, e) for d, s, e in critique if d < EXCEPTION_EXPIRES} == {("excepted", "EXC-001")}
    assert {(s, e) for d, s, e in critique if d >= EXCEPTION_EXPIRES} == {("reraised", "EXC-001")}
    copywriter = {(s, e) for app, d, s, e in rows if app == "app-growth-copywriter"}
    assert copywriter == {("excepted", "EXC-002")}  # in force until 2027-03-31
    # every other finding is open
    statuses = query(
        deployment, "select distinct status from fct_policy_violations where policy_id != 'POL-001'"
    )
    assert statuses == [("open",)]


def test_shadow_ai_is_every_undeclared_credential(deployment):
    expected = expected_shadow_credentials(deployment)
    violations = {
        s
        for (s,) in query(
            deployment,
            "select distinct subject_id from fct_policy_violations where policy_id = 'POL-007'",
        )
    }
    assert violations == expected
    report = {
        f"{p}:{c}"
        for p, c in query(
            deployment, "select credential_provider, credential_id from rpt_shadow_ai"
        )
    }
    assert report == expected
    # an unreviewed model used from a shadow credential is its own finding
    unreviewed = query(
        deployment,
        "select distinct subject_id from fct_policy_violations where policy_id = 'POL-002' and subject_type = 'credential'",
    )
    assert unreviewed == [("anthropic:default",)]


def test_leavers_whose_keys_are_still_used(deployment):
    left = expected_leavers_with_keys(deployment.sandbox.state, LAST)
    expected = {email: max(left_on, FIRST) for email, left_on in left.items()}
    assert len(expected) == 2  # ben.okafor (2026-08-18) and rosa.quist4 (2026-08-27)
    rows = query(
        deployment,
        "select person_id, min(usage_date), max(usage_date), count(distinct usage_date) "
        "from fct_policy_violations where policy_id = 'POL-006' group by 1",
    )
    assert {p: first for p, first, _, _ in rows} == expected
    for person, first, last, days in rows:
        assert (last, days) == (LAST, (LAST - first).days + 1), person
    anomalies = query(
        deployment,
        "select person_id, first_date from rpt_access_anomalies where anomaly_type = 'inactive_person_active'",
    )
    assert dict(anomalies) == expected


def test_every_open_finding_has_an_owner_a_status_and_a_due_date(deployment):
    from governance.load import load_governance

    enterprise = deployment.sandbox.state.enterprise
    open_findings = {
        f"{policy}:{subject}"
        for policy, subject in query(
            deployment,
            "select policy_id, subject_id from (select *, row_number() over (partition by"
            " policy_id, subject_id order by usage_date desc) as recency"
            " from fct_policy_violations) where recency = 1 and status in ('open', 'reraised')",
        )
    }
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        cursor = con.execute("select * from rpt_remediation")
        names = [c[0] for c in cursor.description]
        rows = {
            deployment.named(r[0]): {
                c: deployment.named(v) if isinstance(v, str) else v
                for c, v in zip(names, r, strict=True)
            }
            for r in cursor.fetchall()
        }
    assert set(rows) == open_findings
    # the register (governance/remediation.yml); POL-009's remediation is dated 21 September, after
    # the last day, so nothing has reappeared since
    assert {k: r["status"] for k, r in rows.items() if r["status"] != "open"} == {
        "POL-004:app-support-assistant": "acknowledged",
        "POL-003:app-search-ranker": "risk_accepted",
        "POL-009:app-brand-image-briefs": "remediated",
    }
    assert not any(r["is_reraised"] for r in rows.values())
    assert rows["POL-003:app-search-ranker"]["age_days"] == 7  # accepted on 8 September
    days = load_governance().remediation_sla.days.model_dump()
    users = {u.user_id: u.person_id for u in enterprise.org_users}
    holders = {f"openai:{k.api_key_id}": users.get(k.owner_user_id) for k in enterprise.api_keys}
    directory = IdentityDirectory(enterprise)
    people = {p.email: p.person_id for p in enterprise.people}

    def left_or_suspended(person_id: str) -> date:
        """The first day of the window the person is no longer active (a seat's finding opens)."""
        return next(
            day
            for day in (FIRST + timedelta(n) for n in range((LAST - FIRST).days + 1))
            if directory.resolved_status(person_id, day) != "active"
        )

    by_basis: dict[str, int] = {}
    for key, row in rows.items():
        opened = EXCEPTION_EXPIRES if key == "POL-001:app-design-critique" else FIRST
        if row["subject_type"] == "seat":  # a leaver's seat: from the day they left
            holder = people[row["subject_id"].partition(":")[2]]
            opened = left_or_suspended(holder)
            assert row["owner_team_id"] == enterprise.team_on(holder, LAST), key
            assert row["owner_basis"] in ("credential_holder_manager", "credential_holder")
        assert (row["opened_date"], row["evaluated_date"]) == (opened, LAST), key
        assert row["due_date"] == opened + timedelta(days=days[row["severity"]]), key
        by_basis[row["owner_basis"]] = by_basis.get(row["owner_basis"], 0) + 1
        if row["application_id"]:
            app = enterprise.application(row["application_id"])
            assert (row["owner_team_id"], row["owner_basis"]) == (app.owning_team_id, "application")
        elif row["subject_type"] == "seat":
            pass  # owned by the holder's team, checked above
        elif holders.get(row["subject_id"]):
            holder = holders[row["subject_id"]]
            # in the sandbox a person's manager leads their own team
            assert row["owner_team_id"] == enterprise.team_on(holder, LAST), key
            assert row["credential_holder"] == enterprise.person(holder).email.lower()
            assert row["owner_basis"] in ("credential_holder_manager", "credential_holder")
        else:
            assert (row["owner_team_id"], row["owner_basis"]) == (None, "unowned"), key
    assert by_basis["credential_holder_manager"] >= 1 and by_basis["unowned"] >= 1


def test_customer_data_by_model_last_quarter_is_one_query(deployment):
    """'Which models touched customer data last quarter?' on the sandbox enterprise."""
    rows = query(
        deployment,
        """
        select distinct provider, model_id
        from rpt_sensitive_data_model_usage
        where data_category = 'customer_personal_data' and usage_quarter = date '2026-07-01'
        order by 1, 2
        """,
    )
    # the applications the example governance says handle customer personal data, and their models
    handled = query(
        deployment,
        """
        select distinct u.provider, u.model_id
        from fct_ai_usage_daily as u
        where u.application_id in (
            'app-support-assistant', 'app-ticket-triage', 'app-sales-email-drafter',
            'app-payments-fraud-notes', 'app-mobile-chat', 'app-privacy-dsar-helper',
            'app-recruiting-screener', 'app-americas-call-notes'
        ) and (u.request_count > 0 or u.total_tokens > 0 or u.unit_count > 0)
        order by 1, 2
        """,
    )
    assert rows == handled
    assert ("google_vertex", "gemini-2.5-flash") in rows  # the planted data-category finding


def test_observed_sensitive_data_is_what_the_sandbox_planted_in_prompts(deployment):
    """Per application, provider, day and entity type, the requests whose kept text held it."""
    state = deployment.sandbox.state
    rows = query(
        deployment,
        "select application_id, provider, usage_date, entity_type, sum(request_count) "
        "from rpt_observed_sensitive_data group by all",
    )
    assert {tuple(r[:4]): r[4] for r in rows} == dict(
        state.observed_sensitive_data(FIRST, LAST + timedelta(days=1))
    )
    # the declared and allowed flags as the example governance plants them
    flags = query(
        deployment,
        "select distinct application_id, entity_type, is_declared_by_application, "
        "is_allowed_by_model from rpt_observed_sensitive_data order by 1, 2",
    )
    assert flags == [
        ("app-analytics-sql-helper", "CREDIT_CARD", False, False),  # Llama is not cleared for it
        ("app-analytics-sql-helper", "EMAIL_ADDRESS", False, True),
        ("app-code-review-bot", "API_KEY", True, True),
        ("app-code-review-bot", "AWS_ACCESS_KEY_ID", True, True),
        ("app-code-review-bot", "BEARER_TOKEN", True, True),
        ("app-contract-reviewer", "IBAN_CODE", False, True),
        ("app-support-assistant", "EMAIL_ADDRESS", True, True),
        ("app-support-assistant", "PHONE_NUMBER", True, True),
    ]
    # what make run checks: both MATCH lines
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        observed, planted, undeclared, sent = observed_sensitive_data(con, state, LAST)
    assert observed == planted and undeclared == sent
    assert {a for a, _, _, _ in undeclared} == {"app-analytics-sql-helper", "app-contract-reviewer"}
    # the search ranker and the eval harness sent text with nothing in it; mobile chat kept none
    apps = {
        a
        for (a,) in query(
            deployment, "select distinct application_id from rpt_observed_sensitive_data"
        )
    }
    assert not apps & {"app-search-ranker", "app-ml-eval-harness", "app-mobile-chat"}


def test_control_coverage_shows_every_policy_evaluated(deployment):
    rows = query(
        deployment,
        "select policy_id, count(*), max(evaluated_through_date), max(open_violations) "
        "from rpt_control_coverage group by 1 order by 1",
    )
    controls = {p.id: len(p.controls) for p in load_governance().policies.policies}
    assert [r[0] for r in rows] == [f"POL-{n:03d}" for n in range(1, 12)] == sorted(controls)
    assert all(count == controls[policy] and through == LAST for policy, count, through, _ in rows)
    assert all(open_ > 0 for policy, _, _, open_ in rows if policy != "POL-001")


def test_inventory_gaps_are_visible(deployment):
    unseen = query(
        deployment, "select application_id from dim_application where not is_seen_in_usage"
    )
    assert unseen == []  # every declared application is active in the sandbox
    coverage = query(
        deployment,
        "select provider, min(attributed_token_pct), max(undeclared_credentials_seen) "
        "from rpt_inventory_coverage where usage_month = date '2026-09-01' group by 1 order by 1",
    )
    by_provider = {p: (pct, n) for p, pct, n in coverage}
    assert by_provider["openai"][1] == 3  # the three shadow projects' keys
    assert 0 < by_provider["openai"][0] < 100
    assert by_provider["vllm"] == (100, 0)  # only reached through declared gateway keys


def findings(deployment) -> set[tuple]:
    return set(
        query(
            deployment,
            "select policy_id, subject_id, usage_date, status from fct_policy_violations",
        )
    )


def test_changing_governance_changes_only_the_affected_findings(deployment, tmp_path, monkeypatch):
    import shutil

    import yaml

    from governance.load import GOVERNANCE_DIR

    governance = tmp_path / "governance"
    shutil.copytree(
        GOVERNANCE_DIR, governance, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__")
    )
    applications = yaml.safe_load((governance / "applications.yml").read_text())
    critique = next(a for a in applications["applications"] if a["id"] == "app-design-critique")
    critique["approved_models"].append("family:gpt-4o")  # the review board approves gpt-4o
    (governance / "applications.yml").write_text(yaml.safe_dump(applications, sort_keys=False))
    monkeypatch.setenv("AIUW_GOVERNANCE_DIR", str(governance))

    before = findings(deployment)
    assert deployment.transform_only().success
    after = findings(deployment)
    assert after < before
    assert {(p, s) for p, s, _, _ in before - after} == {("POL-001", "app-design-critique")}

    # an invalid file stops the run before anything is published
    release = deployment.published_db.resolve()
    content = release.read_bytes()
    (governance / "exceptions.yml").write_text("exceptions:\n- id: EXC-9\n  policy: POL-001\n")
    result = deployment.transform_only()
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "exceptions.yml:2" in str(failure.event_specific_data.error)
    assert deployment.published_db.resolve() == release and release.read_bytes() == content
