"""After a sandbox run: do the published governance and people marts report what the sandbox planted?

Checks the planted policy findings per rule, the leavers whose keys are still used, and the idle
Copilot seats on the last day, against the sandbox enterprise itself (not against the warehouse).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from orchestration.lib.publish import current_dir
from sandbox.governance_example import PLANTED_APPLICATION_FINDINGS
from sandbox.saas_seats import seats_for
from sandbox.server import SandboxState


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


def check_lines(published: Path, state: SandboxState, end: date) -> list[str]:
    database = current_dir(published) / "warehouse.duckdb"
    with duckdb.connect(str(database), read_only=True) as con:
        found: dict[str, set[str]] = {}
        for rule, subject in con.execute(
            "select distinct rule, subject_id from fct_policy_violations where subject_type = 'application'"
        ).fetchall():
            found.setdefault(rule, set()).add(subject)
        leavers = {
            p
            for (p,) in con.execute(
                "select distinct person_id from fct_policy_violations where rule = 'usage_by_inactive_person'"
            ).fetchall()
        }
        last_seat_day = con.execute(
            "select max(activity_date) from fct_seat_assignments_daily"
        ).fetchone()[0]
        idle = {
            e
            for (e,) in con.execute(
                "select seat_holder_email from fct_seat_assignments_daily "
                "where tool = 'github_copilot' and is_idle and activity_date = ?",
                [last_seat_day],
            ).fetchall()
        }
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
    if last_seat_day:
        expected_idle = seats_for(state.enterprise).idle_emails("github_copilot", last_seat_day)
        checks.append((f"idle Copilot seats on {last_seat_day}", idle, expected_idle))
    lines = ["Sandbox plants (governance findings, leavers, idle seats):"]
    for label, got, expected in checks:
        verdict = (
            "MATCH"
            if got == expected
            else f"DIFF missing {sorted(expected - got)} extra {sorted(got - expected)}"
        )
        lines.append(f"  {label:<52} {len(got):>4}  {verdict}")
    return lines
