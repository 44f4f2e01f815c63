"""Controls that act, on the sandbox deployment: an evidence pack for last quarter that lists exactly
the planted findings and seals them; the planted spike's, leavers' and leavers' seats' alerts
delivered once to a local webhook and SMTP server; and a bad batch (negative cost, cached above
input, a page served twice) that fails the gate, publishes nothing, keeps the release byte for byte
and raises one data-quality alert naming every failed expectation, after which the next good release
sends nothing again, the spike's and leavers' alerts included.

This module runs before test_compliance, whose last test changes governance.
"""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta

import duckdb
import httpx
import pytest

from alerting.delivery import build_senders, current_messages, deliver
from evidence.ledger import Ledger
from governance.load import load_governance
from governance.schema import Channels, EmailChannel, WebhookChannel
from orchestration.cli import evidence as evidence_cli
from sandbox.checks import expected_leavers_with_keys
from sandbox.governance_example import PLANTED_APPLICATION_FINDINGS
from sandbox.saas_seats import seats_for
from tests.alert_receivers import SmtpReceiver, WebhookReceiver
from tests.e2e.deployment import FIRST, LAST
from tests.e2e.test_compliance import expected_shadow_credentials
from warehouse.paths import Paths

pytestmark = pytest.mark.e2e

BAD_DAY = date(2026, 9, 15)


def held_seats(deployment) -> set[str]:
    """`tool:email` of the paid seats the sandbox's leavers (and suspended people) still hold on
    each tool's last seat day in the published release."""
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        last_seat_day = con.execute(
            "select tool, max(activity_date) from fct_seat_assignments_daily group by tool"
        ).fetchall()
    seats = seats_for(deployment.sandbox.state.enterprise)
    return {
        f"{tool}:{email}"
        for tool, day in last_seat_day
        for email in seats.inactive_holders(tool, day)
    }


@pytest.fixture(scope="module")
def receivers(tmp_path_factory):
    """A webhook and an SMTP server on 127.0.0.1 standing in for the shipped channels, and a
    delivery pass over the current release with governance's own routing and severities."""
    log = tmp_path_factory.mktemp("alerts") / "deliveries.jsonl"
    with WebhookReceiver() as hook, SmtpReceiver() as smtp:
        governance = load_governance()
        config = governance.alerting.model_copy(
            update={
                "channels": Channels(
                    webhook=WebhookChannel(url_env="E2E_ALERT_HOOK"),
                    email=EmailChannel(
                        host="127.0.0.1",
                        port=smtp.port,
                        security="none",
                        from_address="alerts@example-corp.com",
                        to=["governance@example-corp.com"],
                    ),
                )
            }
        )

        def delivery_pass():
            senders, waiting = build_senders(config, {"E2E_ALERT_HOOK": hook.url("/hook")})
            assert waiting == {}
            _, messages = current_messages(Paths.from_env(), governance)
            try:
                return deliver(messages, config, log, senders, sleep=lambda _: None)
            finally:
                for sender in senders.values():
                    sender.close()

        yield hook, smtp, delivery_pass


def test_an_evidence_pack_for_last_quarter_lists_exactly_the_planted_findings(
    deployment, tmp_path, capsys
):
    pack = tmp_path / "2026-Q3"
    assert evidence_cli.main(["pack", "--period", "2026-Q3", "--out", str(pack)]) == 0
    with (pack / "findings.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    found: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        # the pack holds people's keys, as the release does: the restricted mart names them
        found.setdefault((row["subject_type"], row["rule"]), set()).add(
            deployment.named(row["subject_id"])
        )
    applications = {
        rule: found.get(("application", rule), set()) for rule in PLANTED_APPLICATION_FINDINGS
    }
    assert applications == PLANTED_APPLICATION_FINDINGS
    assert found[("credential", "shadow_credential")] == expected_shadow_credentials(deployment)
    assert found[("credential", "model_not_reviewed")] == {"anthropic:default"}
    leavers = {
        person
        for row in rows
        if row["rule"] == "usage_by_inactive_person"
        for person in deployment.named(row["person_ids"]).split("; ")
    }
    assert leavers == set(expected_leavers_with_keys(deployment.sandbox.state, LAST))
    # the seats people who left still held: those held on each tool's last seat day among them
    assert held_seats(deployment) <= found[("seat", "paid_seat_held_by_inactive_person")]
    # nothing else: every finding in the pack is one of those planted
    assert set(found) == {("application", r) for r in PLANTED_APPLICATION_FINDINGS} | {
        ("credential", "shadow_credential"),
        ("credential", "model_not_reviewed"),
        ("credential", "usage_by_inactive_person"),
        ("seat", "paid_seat_held_by_inactive_person"),
    }

    # the register's statuses as of the release, and the ledger's first entry that entered them
    planted = {
        "POL-004:app-support-assistant": "acknowledged",
        "POL-003:app-search-ranker": "risk_accepted",
        "POL-009:app-brand-image-briefs": "remediated",
    }
    with (pack / "remediation.csv").open() as handle:
        remediation = list(csv.DictReader(handle))
    assert {r["finding_key"]: r["status"] for r in remediation if r["status"] != "open"} == planted
    assert len(remediation) == len({(r["policy_id"], r["subject_id"]) for r in rows}) - 1
    first = json.loads((pack / "ledger_excerpt.jsonl").read_text().splitlines()[0])
    assert {c["finding_key"]: c["status"] for c in first["remediation"]} == planted

    assert evidence_cli.main(["verify-pack", str(pack)]) == 0
    assert "files match the manifest, ledger excerpt chain intact" in capsys.readouterr().out
    content = bytearray((pack / "findings.csv").read_bytes())
    content[-2] = ord("X") if content[-2] != ord("X") else ord("Y")  # one byte of one file
    (pack / "findings.csv").write_bytes(bytes(content))
    assert evidence_cli.main(["verify-pack", str(pack)]) == 1
    assert "findings.csv: sha256 does not match the manifest" in capsys.readouterr().err


def test_the_planted_spike_and_each_leaver_are_alerted_once_on_both_channels(deployment, receivers):
    hook, smtp, delivery_pass = receivers
    leavers = set(expected_leavers_with_keys(deployment.sandbox.state, LAST))
    assert len(leavers) == 2
    (spike,) = deployment.sandbox.state.activity.spikes_between(FIRST, LAST + timedelta(days=1))
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        spikes = con.execute(
            "select subject_id, first_seen_date, state, evaluated_date from fct_alerts "
            "where condition_type = 'cost_spike'"
        ).fetchall()
    # one alert for the spike's first day; the backfill reached two days past it, so it is over
    assert spikes == [(spike.application_id, spike.start, "resolved", LAST)]
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        seat_alerts = con.execute(
            "select subject_id from fct_alerts where condition_type = 'policy_violation'"
            " and subject_type = 'seat'"
        ).fetchall()
    held = held_seats(deployment)
    # every seat still held on the last day by a person who left is alerted, once
    assert held and held <= {deployment.named(subject) for (subject,) in seat_alerts}
    assert len(seat_alerts) == len({subject for (subject,) in seat_alerts})
    delivery_pass()
    usage_alerts = [b["text"] for b in hook.bodies if "AI usage by a" in b["text"]]
    usage_subjects = [m["Subject"] for m in smtp.messages if "AI usage by a" in m["Subject"]]
    for leaver in leavers:
        assert len([text for text in usage_alerts if leaver in text]) == 1, leaver
        assert len([subject for subject in usage_subjects if leaver in subject]) == 1, leaver
    for subject in [spike.application_id, *held]:
        assert len([b for b in hook.bodies if subject in b["text"]]) == 1, subject
        assert len([m for m in smtp.messages if subject in m["Subject"]]) == 1, subject
    (spike_text,) = [b["text"] for b in hook.bodies if spike.application_id in b["text"]]
    assert spike_text.startswith(f"High alert: cost spike (over by {spike.start.isoformat()})")
    # a new release with the same conditions sends none of them again: the last test's final run


def test_a_bad_batch_fails_the_gate_keeps_the_release_and_raises_one_alert(deployment, receivers):
    hook, smtp, delivery_pass = receivers
    delivery_pass()  # whatever the current release still owes is sent first
    sent = len(hook.bodies), len(smtp.messages)
    release = deployment.published_db.resolve().parent
    files = {p: p.read_bytes() for p in release.rglob("*") if p.is_file()}
    totals = deployment.published_totals()
    httpx.post(
        f"{deployment.sandbox.url}/_sandbox/corrupt",
        json={
            "date": BAD_DAY.isoformat(),
            "faults": ["negative_cost", "cached_above_input", "duplicate_page"],
        },
    ).raise_for_status()
    try:
        ingest, transform = deployment.run(partition=BAD_DAY)
    finally:
        httpx.delete(f"{deployment.sandbox.url}/_sandbox/faults").raise_for_status()
    # the listing served twice is refused at the source: nothing of it lands
    failed = [e.step_key for e in ingest.all_events if e.is_step_failure]
    assert failed and all("embeddings" in step for step in failed), failed
    # negative cost and cached above input land, and the gate stops them
    assert not transform.success
    evaluations = {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data.passed
        for e in transform.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert evaluations["gx_fct_ai_usage_daily"] is False
    assert evaluations["gx_fct_ai_cost_daily"] is False
    logged = "\n".join(e.user_message for e in deployment.instance.all_logs(transform.run_id))
    assert "expectation failed: expect_column_values_to_be_between(uncached_input_tokens)" in logged
    # the evidence ledger records the failed run with its failed checks and nothing published
    ledger = Ledger(deployment.data / "evidence" / "ledger.jsonl")
    assert ledger.verify()[0]
    (entry,) = [e for e in ledger.entries() if e["run_id"] == transform.run_id]
    assert entry["status"] == "FAILURE" and entry["published"] is None
    checks = {c["check"]: c["passed"] for c in entry["checks"]}
    assert checks["gx_fct_ai_usage_daily"] is False and checks["gx_fct_ai_cost_daily"] is False
    assert not [
        e
        for e in transform.all_events
        if e.is_step_success and e.step_key == "published__warehouse"
    ]
    # the release that was current stays current, every file byte for byte
    assert deployment.published_db.resolve().parent == release
    assert {p: p.read_bytes() for p in release.rglob("*") if p.is_file()} == files
    assert deployment.published_totals() == totals

    # one alert for the failed run, on each routed channel, listing every failed expectation; and
    # one operational alert for the OpenAI source whose refused listing failed its pull
    delivery_pass()
    new_hooks, new_mails = hook.bodies[sent[0] :], smtp.messages[sent[1] :]
    assert len(new_hooks) == 2 and len(new_mails) == 2
    (quality,) = [b for b in new_hooks if b["text"].startswith("High alert: data quality failed")]
    (source,) = [b for b in new_hooks if b["text"].startswith("High alert: source failed")]
    assert "Source openai/" in source["text"] and "embeddings" in str(source["blocks"])
    text = quality["text"] + str(quality["blocks"])
    assert "suite fct_ai_usage_daily failed" in text and "suite fct_ai_cost_daily failed" in text
    assert "expect_column_values_to_be_between(uncached_input_tokens)" in text
    assert "expect_column_values_to_be_between(billed_cost)" in text
    assert delivery_pass().delivered == []

    # the source fixed, the next run publishes again and nothing new is alerted: the planted spike,
    # the leavers and their seats are still in the new release, and none of them is sent again
    alerted = published_alert_subjects(deployment)
    assert all(r.success for r in deployment.run(partition=BAD_DAY))
    assert deployment.published_db.resolve().parent != release
    assert deployment.published_totals() == totals
    (spike,) = deployment.sandbox.state.activity.spikes_between(FIRST, LAST + timedelta(days=1))
    assert spike.application_id in alerted and held_seats(deployment) <= alerted
    assert published_alert_subjects(deployment) == alerted
    sent = len(hook.bodies), len(smtp.messages)
    assert delivery_pass().delivered == [] and (len(hook.bodies), len(smtp.messages)) == sent


def published_alert_subjects(deployment) -> set[str]:
    """The subjects of the current release's alerts, people named."""
    with duckdb.connect(str(deployment.published_db), read_only=True) as con:
        rows = con.execute("select distinct subject_id from fct_alerts").fetchall()
    return {deployment.named(subject) for (subject,) in rows}
