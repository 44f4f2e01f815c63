"""The sandbox enterprise is deterministic and behaves like the documented API."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from sandbox.activity import Activity
from sandbox.enterprise import Enterprise
from tests.conftest import TEST_ADMIN_KEY

AUTH = {"Authorization": f"Bearer {TEST_ADMIN_KEY}"}


def test_same_seed_same_company_and_numbers():
    a, b = Activity(Enterprise(7)), Activity(Enterprise(7))
    day = date(2026, 10, 6)
    assert a.usage(day) == b.usage(day)
    assert a.final_costs(day) == b.final_costs(day)
    assert Activity(Enterprise(8)).usage(day) != a.usage(day)


def test_enterprise_size():
    ent = Enterprise()
    assert len(ent.people) == 2400
    assert len({p.email for p in ent.people}) == 2400
    assert len({t.department for t in ent.teams}) == 10
    assert 20 <= len(ent.applications) <= 40 and len(ent.api_keys) >= 40
    assert sum(1 for a in ent.applications if not a.declared) == 3


def test_weekly_seasonality_growth_and_spikes():
    enterprise = Enterprise()
    activity = Activity(enterprise)

    def spend(day: date) -> float:
        return float(sum(c.amount_usd for c in activity.final_costs(day)))

    monday, saturday = date(2026, 10, 5), date(2026, 10, 10)
    assert spend(saturday) < 0.7 * spend(monday)
    assert spend(date(2026, 11, 16)) > spend(date(2026, 8, 3))  # growth, Monday against Monday
    spikes = activity.spikes_between(date(2026, 8, 1), date(2026, 11, 1))
    assert len(spikes) >= 3
    spike = spikes[0]
    before = spike.start - timedelta(days=7)

    def app_cost(day: date):
        return sum(
            c.amount_usd
            for c in activity.final_costs(day)
            if enterprise.project(c.project_id).application_id == spike.application_id
        )

    assert app_cost(spike.start) > 4 * app_cost(before)


def test_recent_costs_are_provisional_then_restated():
    from datetime import UTC, datetime

    activity = Activity(Enterprise())
    day = date(2026, 10, 1)
    early = sum(c.amount_usd for c in activity.costs_as_of(day, datetime(2026, 10, 2, tzinfo=UTC)))
    final = sum(c.amount_usd for c in activity.costs_as_of(day, datetime(2026, 10, 9, tzinfo=UTC)))
    assert early < final
    assert final == sum(c.amount_usd for c in activity.final_costs(day))


def test_limit_caps_and_group_by_validation(sandbox):
    base = f"{sandbox.url}/v1/organization"
    too_many = httpx.get(
        f"{base}/usage/completions", params={"start_time": 1788220800, "limit": 32}, headers=AUTH
    )
    assert too_many.status_code == 400 and too_many.json()["error"]["param"] == "limit"
    ok = httpx.get(f"{base}/costs", params={"start_time": 1788220800, "limit": 180}, headers=AUTH)
    assert ok.status_code == 200
    hourly_costs = httpx.get(
        f"{base}/costs", params={"start_time": 1788220800, "bucket_width": "1h"}, headers=AUTH
    )
    assert hourly_costs.status_code == 400
    bad_group = httpx.get(
        f"{base}/usage/embeddings",
        params={"start_time": 1788220800, "group_by": "batch"},
        headers=AUTH,
    )
    assert bad_group.status_code == 400


def test_ungrouped_fields_are_null_and_hourly_buckets_add_up_to_the_day(sandbox):
    base = f"{sandbox.url}/v1/organization/usage/completions"
    day_start = 1790208000  # 2026-09-25
    daily = httpx.get(
        base,
        params={"start_time": day_start, "end_time": day_start + 86400, "group_by": "model"},
        headers=AUTH,
    ).json()
    results = daily["data"][0]["results"]
    assert all(r["project_id"] is None and r["api_key_id"] is None and r["model"] for r in results)
    hourly = httpx.get(
        base,
        params={
            "start_time": day_start,
            "end_time": day_start + 86400,
            "bucket_width": "1h",
            "limit": 24,
        },
        headers=AUTH,
    ).json()
    assert len(hourly["data"]) == 24 and hourly["has_more"] is False
    hourly_total = sum(r["input_tokens"] for b in hourly["data"] for r in b["results"])
    assert hourly_total == sum(r["input_tokens"] for r in results)


def test_paging_cursor_walks_every_bucket(sandbox):
    base = f"{sandbox.url}/v1/organization/costs"
    params = {"start_time": 1788220800, "end_time": 1788220800 + 10 * 86400, "limit": 4}
    starts, page = [], None
    while True:
        body = httpx.get(
            base, params={**params, **({"page": page} if page else {})}, headers=AUTH
        ).json()
        starts += [b["start_time"] for b in body["data"]]
        if not body["has_more"]:
            assert body["next_page"] is None
            break
        page = body["next_page"]
    assert starts == [1788220800 + 86400 * i for i in range(10)]


def test_people_history_plants_movers_leavers_and_suspensions():
    from sandbox.enterprise import HISTORY_FROM, HISTORY_TO

    enterprise = Enterprise()
    kinds = [e.kind for e in enterprise.person_events]
    assert (kinds.count("moved"), kinds.count("left"), kinds.count("suspended")) == (12, 10, 4)
    assert kinds.count("reinstated") == 2
    assert all(
        HISTORY_FROM <= e.on <= HISTORY_TO + timedelta(days=21) for e in enterprise.person_events
    )
    assert enterprise.person_events == Enterprise().person_events  # deterministic

    mover = next(e for e in enterprise.person_events if e.kind == "moved")
    before, after = mover.on - timedelta(days=1), mover.on
    assert enterprise.team_on(mover.person_id, before) == enterprise.person(mover.person_id).team_id
    assert (
        enterprise.team_on(mover.person_id, after)
        == mover.team_id
        != enterprise.team_on(mover.person_id, before)
    )
    leaver = next(e for e in enterprise.person_events if e.kind == "left")
    assert enterprise.status_on(leaver.person_id, leaver.on - timedelta(days=1)) == "active"
    assert enterprise.status_on(leaver.person_id, leaver.on) == "departed"
    # half of the leavers own API keys, so their credentials outlive them
    owners = {
        u.person_id
        for u in enterprise.org_users
        if u.user_id in {k.owner_user_id for k in enterprise.api_keys}
    }
    leavers = {e.person_id for e in enterprise.person_events if e.kind == "left"}
    assert len(leavers & owners) >= 5


def test_one_usage_drift_is_planted_from_its_week_and_nothing_else_changes():
    """The planted drift: one application's gateway route moves to another model with three times
    the tokens per request from a Monday on; its request counts, failures, fallbacks and hours are
    those of the route without the drift."""
    from datetime import UTC, datetime

    from sandbox.providers.litellm import DRIFT_CANDIDATES, ROUTES, LiteLLMProvider, planted_drift

    drift = planted_drift()
    assert drift == planted_drift(Enterprise().seed)  # from the seed alone
    assert drift.week_start.weekday() == 0 and drift.token_factor == 3
    assert drift.measures == {"tokens_per_request", "model_mix", "new_model"}
    enterprise = Enterprise()
    activity = Activity(enterprise)

    def provider(*, drifting: bool) -> LiteLLMProvider:
        made = LiteLLMProvider(enterprise, activity, lambda: datetime(2026, 12, 1, tzinfo=UTC), {})
        if not drifting:
            made._drift_index = -1  # the same sandbox without the plant
        return made

    planted, plain = provider(drifting=True), provider(drifting=False)
    index = next(i for i, r in enumerate(ROUTES) if r.key_alias == drift.key_alias)
    assert ROUTES[index].application_id == drift.application_id

    def route_logs(source: LiteLLMProvider, day: date) -> list:
        return [log for log in source.logs(day) if log.route == index]

    before = drift.week_start - timedelta(days=1)
    assert planted.logs(before) == plain.logs(before)
    assert {planted.row(log)["model"] for log in route_logs(planted, before)} == {
        ROUTES[index].model
    }
    moved_to = next(c for c in DRIFT_CANDIDATES if c.key_alias == drift.key_alias)
    assert (moved_to.from_model_id, moved_to.model_id) == (drift.from_model, drift.to_model)
    for day in (drift.week_start, drift.week_start + timedelta(days=20)):
        moved, kept = route_logs(planted, day), route_logs(plain, day)
        assert len(moved) == len(kept)
        assert [(m.start, m.status, m.attempted_fallbacks) for m in moved] == [
            (k.start, k.status, k.attempted_fallbacks) for k in kept
        ]
        assert {planted.row(log)["model"] for log in moved} == {moved_to.model}
        tokens = sum(m.prompt_tokens + m.completion_tokens for m in moved)
        assert 2.9 < tokens / sum(k.prompt_tokens + k.completion_tokens for k in kept) < 3.1
        others = [log for log in planted.logs(day) if log.route != index]
        assert others == [log for log in plain.logs(day) if log.route != index]
