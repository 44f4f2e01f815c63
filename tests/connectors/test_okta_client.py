"""The Okta connector over real HTTP: Link-header paging to the last page against the sandbox (exact
counts, DEPROVISIONED users from their own list), 429 with Retry-After or X-Rate-Limit-Reset, a wrong
token named without echoing it, paging links kept on the org, and the documented user shape."""

from __future__ import annotations

import json
import time as clock
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest

from connectors.errors import ConnectorError, SourceRequestError
from connectors.okta.client import OktaClient, next_link
from tests.canned_server import CannedServer
from tests.conftest import TEST_SECRETS

TOKEN = TEST_SECRETS["OKTA_API_TOKEN"]
AS_OF = datetime(2026, 10, 1, 6, tzinfo=UTC)


def client_for(server, token: str = TOKEN, **options) -> OktaClient:
    options = {"backoff_base": 0.01, "backoff_max": 2.0, "max_attempts": 4, **options}
    return OktaClient(token, server.url, source_id="okta_test", **options)


def add_fault(server, **fault) -> None:
    httpx.post(f"{server.url}/_sandbox/faults", json=fault).raise_for_status()


def counting(client: OktaClient) -> list[str]:
    calls: list[str] = []
    get_json = client.http.get_json

    def wrapped(path, params=None):
        calls.append(path)
        return get_json(path, params)

    client.http.get_json = wrapped
    return calls


def test_every_user_to_the_last_page_with_deprovisioned_and_suspended(sandbox):
    sandbox.state.as_of = AS_OF
    okta = sandbox.state.provider("okta")
    truth = okta.identity_truth()
    with client_for(sandbox, page_size=150) as client:
        calls = counting(client)
        users = list(client.users())
    listed = truth["counts"]["okta"] - truth["okta_deprovisioned"]
    assert len(users) == truth["counts"]["okta"] == 2400
    assert len({u["id"] for u in users}) == 2400
    assert (
        len(calls) == -(-listed // 150) + 1
    )  # every page of the default list, one of DEPROVISIONED
    statuses = Counter(u["status"] for u in users)
    assert statuses["DEPROVISIONED"] == truth["okta_deprovisioned"] == 5
    entries = okta.directory.entries_on(AS_OF.date())
    assert statuses["SUSPENDED"] == sum(e.status == "suspended" for e in entries) + 1
    planted = truth["planted"]
    person = sandbox.state.enterprise.person(planted.okta_only_suspended)
    (user,) = [u for u in users if u["profile_login"] == person.email]
    assert user["status"] == "SUSPENDED"
    assert user["statusChanged"] == f"{planted.okta_only_suspended_on}T00:00:00.000Z"
    # every profile attribute the warehouse needs, and managers that are users of the same org
    ids = {u["id"] for u in users}
    assert all(u["profile_employeeNumber"] and u["profile_costCenter"] for u in users)
    assert all(u["profile_department"] and u["profile_division"] for u in users)
    managed = [u for u in users if u["profile_managerId"]]
    assert len(managed) > 2300 and all(u["profile_managerId"] in ids for u in managed)


def test_groups_are_every_team(sandbox):
    with client_for(sandbox, page_size=10) as client:
        groups = list(client.groups())
    assert len(groups) == len(sandbox.state.enterprise.teams)
    assert {g["type"] for g in groups} == {"OKTA_GROUP"}


def test_rate_limited_then_served(sandbox):
    sandbox.state.as_of = AS_OF
    add_fault(sandbox, path="/api/v1/users", status=429, times=2, skip=1, retry_after=0)
    with client_for(sandbox, page_size=200) as client:
        users = list(client.users())
    assert len(users) == 2400


def test_waits_until_x_rate_limit_reset_when_there_is_no_retry_after():
    served: list[float] = []

    def respond(path, query):
        served.append(clock.time())
        if len(served) == 1:
            reset = str(int(clock.time()) + 2)
            return 429, {"X-Rate-Limit-Reset": reset, "X-Rate-Limit-Remaining": "0"}, "{}"
        return 200, {}, "[]"

    with CannedServer(respond) as server, client_for(server, backoff_max=5.0) as client:
        assert list(client.users()) == []
    assert served[1] - served[0] >= 0.9


def test_a_wrong_token_names_the_source_and_not_the_token(sandbox):
    wrong = "00WRONG-okta-token-5f1e2d3c"
    with client_for(sandbox, token=wrong) as client, pytest.raises(SourceRequestError) as caught:
        list(client.users())
    message = str(caught.value)
    assert message.startswith("okta_test: GET ")
    assert "HTTP 401" in message and "Invalid token provided" in message
    assert wrong not in message and TOKEN not in message


def test_an_empty_directory(sandbox, monkeypatch):
    directory = sandbox.state.provider("okta").directory
    monkeypatch.setattr(directory, "listed", lambda day, name: [])
    with client_for(sandbox) as client:
        assert list(client.users()) == []


def test_paging_links_never_leave_the_org():
    def respond(path, query):
        link = '<https://elsewhere.example/api/v1/users?after=x>; rel="next"'
        return 200, {"Link": link}, json.dumps([{"id": "00u1", "status": "ACTIVE", "profile": {}}])

    with CannedServer(respond) as server, client_for(server) as client:
        with pytest.raises(ConnectorError, match="okta_test: the paging link points outside"):
            list(client.users())


DOCUMENTED = [
    {
        "id": "00u1ab2cd3EF4gh5i6j7",
        "status": "ACTIVE",
        "created": "2024-05-01T08:00:00.000Z",
        "activated": "2024-05-01T08:05:00.000Z",
        "statusChanged": "2024-05-01T08:05:00.000Z",
        "lastLogin": "2026-03-03T07:58:12.000Z",
        "lastUpdated": "2026-02-11T09:30:00.000Z",
        "type": {"id": "oty1a2b3c4"},
        "profile": {
            "login": "alice@acme.com",
            "email": "alice@acme.com",
            "firstName": "Alice",
            "lastName": "Ng",
            "title": "Staff Engineer",
            "employeeNumber": 10442,
            "costCenter": "CC-4410",
            "department": "Search",
            "division": "Product",
            "managerId": "00u9zz8yy7XX",
            "manager": "Bo Li",
            "badgeColour": "blue",
        },
    }
]


def test_the_documented_user_shape_is_flattened():
    def respond(path, query):
        if query.get("filter"):
            return 200, {}, "[]"
        if query.get("after"):
            return 200, {}, json.dumps(DOCUMENTED)
        next_url = f"{server.url}/api/v1/users?limit=200&after=00u0"
        return 200, {"Link": f'<{next_url}>; rel="next"'}, "[]"

    with CannedServer(respond) as server, client_for(server) as client:
        (user,) = list(client.users())
        sent = server.requests
    assert [(s[0], s[1]) for s in sent] == [
        ("/api/v1/users", {"limit": ["200"]}),
        ("/api/v1/users", {"limit": ["200"], "after": ["00u0"]}),
        ("/api/v1/users", {"filter": ['status eq "DEPROVISIONED"'], "limit": ["200"]}),
    ]
    assert sent[0][2]["Authorization"] == f"SSWS {TOKEN}"
    assert user == {
        "id": "00u1ab2cd3EF4gh5i6j7",
        "status": "ACTIVE",
        "created": "2024-05-01T08:00:00.000Z",
        "activated": "2024-05-01T08:05:00.000Z",
        "statusChanged": "2024-05-01T08:05:00.000Z",
        "lastLogin": "2026-03-03T07:58:12.000Z",
        "lastUpdated": "2026-02-11T09:30:00.000Z",
        "passwordChanged": None,
        "type_id": "oty1a2b3c4",
        "profile_login": "alice@acme.com",
        "profile_email": "alice@acme.com",
        "profile_firstName": "Alice",
        "profile_lastName": "Ng",
        "profile_title": "Staff Engineer",
        "profile_employeeNumber": "10442",
        "profile_costCenter": "CC-4410",
        "profile_department": "Search",
        "profile_division": "Product",
        "profile_managerId": "00u9zz8yy7XX",
        "profile_manager": "Bo Li",
        "profile_badgeColour": "blue",  # a custom attribute: kept, lands in _extra_json
    }


def test_next_link_reads_several_links():
    header = '<https://o.okta.com/api/v1/users?limit=2>; rel="self", <https://o.okta.com/api/v1/users?after=00u2&limit=2>; rel="next"'
    assert next_link(header) == "https://o.okta.com/api/v1/users?after=00u2&limit=2"
    assert next_link('<https://o.okta.com/api/v1/users>; rel="self"') is None


def test_membership_events_date_every_planted_move_across_pages(sandbox):
    enterprise = sandbox.state.enterprise
    sandbox.state.as_of = datetime(2026, 11, 20, 6, tzinfo=UTC)
    since, until = datetime(2026, 8, 1, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
    moves = [e for e in enterprise.person_events if e.kind == "moved" and e.on < until.date()]
    with client_for(sandbox, page_size=5) as client:
        calls = counting(client)
        events = list(client.group_membership_events(since, until))
    assert len(moves) == 12 and len(events) == 2 * len(moves)
    assert len(calls) == -(-len(events) // 5)
    okta = sandbox.state.provider("okta")
    expected = set()
    for move in moves:
        person = enterprise.person(move.person_id)
        old = enterprise.team_on(move.person_id, move.on - timedelta(days=1))
        published = f"{move.on}T09:00:00.000Z"
        expected.add(("group.user_membership.remove", person.email, old, published))
        expected.add(
            ("group.user_membership.add", person.email, move.team_id, published[:-4] + "250Z")
        )
        assert old != move.team_id
    assert {
        (e["eventType"], e["user_alternateId"], e["group_displayName"], e["published"])
        for e in events
    } == expected
    assert {e["outcome_result"] for e in events} == {"SUCCESS"}
    assert all(
        e["user_id"] == okta.user_id(m.person_id)
        for m in moves
        for e in events
        if e["user_alternateId"] == enterprise.person(m.person_id).email
    )


def test_membership_events_are_bounded_by_the_window_and_the_clock(sandbox):
    enterprise = sandbox.state.enterprise
    move = next(e for e in enterprise.person_events if e.kind == "moved")
    sandbox.state.as_of = datetime.combine(move.on, time(8), UTC)  # before the 09:00 events
    day = datetime.combine(move.on, time(), UTC)
    with client_for(sandbox) as client:
        assert list(client.group_membership_events(day, day + timedelta(days=1))) == []
        sandbox.state.as_of = datetime.combine(move.on, time(10), UTC)
        same_day = list(client.group_membership_events(day, day + timedelta(days=1)))
        before = list(client.group_membership_events(day - timedelta(days=1), day))
    assert {e["user_alternateId"] for e in same_day} >= {enterprise.person(move.person_id).email}
    assert all(e["published"].startswith(str(move.on)) for e in same_day)
    assert all(not e["published"].startswith(str(move.on)) for e in before)


def test_a_filter_the_log_cannot_parse_is_a_clear_error(sandbox):
    response = httpx.get(
        f"{sandbox.url}/api/v1/logs",
        params={"filter": 'target.id eq "x"'},
        headers={"Authorization": f"SSWS {TOKEN}"},
    )
    assert response.status_code == 400
    assert "filter" in response.json()["errorSummary"]
