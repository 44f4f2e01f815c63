"""GitHub Copilot in the sandbox: seat assignments, the usage-metrics reports and premium requests.

`Authorization: Bearer <token>`; wrong tokens get GitHub's 401 `{"message": "Bad credentials"}`.
Seats page with `page`/`per_page` (default 50, at most 100) and a `Link` header. The reports endpoint
answers `{download_links, report_day}`; the links are signed, expire after ten minutes and refuse an
`Authorization` header (as signed storage URLs do); each file is NDJSON with at most
`REPORT_FILE_ROWS` records. Seat holders and their activity come from `sandbox.saas_seats`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from connectors.sandbox_keys import SANDBOX_KEYS
from sandbox.activity import Activity
from sandbox.enterprise import EPOCH, Enterprise, Person, stable_int
from sandbox.ground_truth import empty_totals
from sandbox.providers import Response
from sandbox.saas_seats import SaasSeats, day_start, seats_for

TOOL = "github_copilot"
SECRET_ENV = "GITHUB_TOKEN"
DEFAULT_SECRET = SANDBOX_KEYS[SECRET_ENV]
ORG = "example-corp"
ORG_NODE_ID = "O_kgDOSandbox"
DOWNLOAD_PREFIX = "/copilot-report-files/"
SEATS_DEFAULT_PAGE, SEATS_MAX_PAGE = 50, 100
REPORT_FILE_ROWS = 150
LINK_TTL = timedelta(minutes=10)
PREMIUM_PRICE = Decimal("0.04")
DOCS = "https://docs.github.com/rest"
EDITORS = (
    "vscode/1.104.0/copilot-chat/0.31.2",
    "JetBrains-IU/252.23892.409/copilot-intellij/1.5.57",
    "vscode/1.103.2/copilot/1.364.0",
    "copilot-cli/0.0.330",
)
MODELS = ("claude-sonnet-4.5", "gpt-4.1", "gpt-5-mini", "gemini-2.5-pro")
PREMIUM_MODELS = {"claude-sonnet-4.5": 1, "gemini-2.5-pro": 1}  # multiplier per interaction
FEATURES = ("code_completion", "chat_panel_ask_mode", "agent_edit")


def github_error(status: int, message: str) -> Response:
    return Response.json(
        {"message": message, "documentation_url": DOCS, "status": str(status)}, status
    )


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class GitHubCopilotProvider:
    name = TOOL
    prefixes = (f"/orgs/{ORG}/copilot/", f"/organizations/{ORG}/settings/", DOWNLOAD_PREFIX)

    def __init__(
        self,
        enterprise: Enterprise,
        activity: Activity,
        clock: Callable[[], datetime],
        secrets: Mapping[str, str],
    ) -> None:
        self.enterprise, self.clock = enterprise, clock
        self.seats: SaasSeats = seats_for(enterprise)
        self.token = secrets.get(SECRET_ENV) or os.environ.get(SECRET_ENV) or DEFAULT_SECRET
        self.seed = enterprise.seed
        self._user_records = lru_cache(maxsize=512)(self._compute_user_records)

    # ---- people as GitHub knows them -----------------------------------------------------------

    @staticmethod
    def login(person: Person) -> str:
        """Enterprise Managed Users style: the normalized email local part and the short code."""
        return person.email.split("@")[0].replace(".", "-") + "_examplecorp"

    def user_id(self, person: Person) -> int:
        return 4_000_000 + stable_int(self.seed, "github-user", person.person_id) % 90_000_000

    def seat(self, person: Person, now: datetime) -> dict:
        today = now.date()
        created = self.seats.seat_created_on(TOOL, person)
        created_at = day_start(created) + timedelta(
            minutes=stable_int(self.seed, "seat-minute", person.person_id) % 1440
        )
        last_day = self.seats.last_active_day(TOOL, person, today - timedelta(days=1))
        last_at = None
        if last_day is not None:
            last_at = day_start(last_day) + timedelta(
                seconds=stable_int(self.seed, "gh-last", person.person_id, last_day) % 86400
            )
        removed = self.seats.seat_removed_on(TOOL, person)
        pending = removed.isoformat() if removed else None
        if pending is None and stable_int(self.seed, "gh-cancel", person.person_id) % 40 == 0:
            pending = (today.replace(day=1) + timedelta(days=32)).replace(day=1).isoformat()
        team = self.enterprise.team_on(person.person_id, created)
        assigning = None
        if stable_int(self.seed, "gh-team", person.person_id) % 10 < 7:
            assigning = {
                "id": 100 + stable_int(team) % 9000,
                "slug": team,
                "name": team.replace("-", " ").title(),
            }
        data = self.enterprise.team(self.enterprise.team_on(person.person_id, today)).department
        return {
            "created_at": iso(created_at),
            "updated_at": iso(created_at),
            "pending_cancellation_date": pending,
            "last_activity_at": iso(last_at) if last_at else None,
            "last_activity_editor": EDITORS[
                stable_int(self.seed, "gh-editor", person.person_id) % len(EDITORS)
            ]
            if last_at
            else None,
            "last_authenticated_at": iso(last_at - timedelta(hours=3)) if last_at else None,
            "plan_type": "enterprise" if data == "data" else "business",
            "assignee": {
                "login": self.login(person),
                "id": self.user_id(person),
                "type": "User",
                "site_admin": False,
                "email": person.email,
            },
            "assigning_team": assigning,
        }

    # ---- daily metrics -------------------------------------------------------------------------

    def user_record(self, person: Person, day: date) -> dict:
        def n(label: str, top: int) -> int:
            return 1 + stable_int(self.seed, "gh-metric", label, person.person_id, day) % top

        by_model_feature = []
        for position, feature in enumerate(FEATURES):
            if position and n(f"uses-{feature}", 3) == 1:
                continue
            model = MODELS[n(f"model-{feature}", len(MODELS)) - 1]
            by_model_feature.append(
                {
                    "model": model,
                    "feature": feature,
                    "user_initiated_interaction_count": n(f"ui-{feature}", 20),
                    "code_generation_activity_count": n(f"gen-{feature}", 30),
                    "code_acceptance_activity_count": n(f"acc-{feature}", 15),
                }
            )
        features = {e["feature"] for e in by_model_feature}
        total = Counter()
        for entry in by_model_feature:
            for key in (
                "user_initiated_interaction_count",
                "code_generation_activity_count",
                "code_acceptance_activity_count",
            ):
                total[key] += entry[key]
        added = n("loc-add", 400)
        return {
            "user_id": self.user_id(person),
            "user_login": self.login(person),
            "day": day.isoformat(),
            "organization_id": ORG_NODE_ID,
            "enterprise_id": None,
            **dict(total),
            "loc_suggested_to_add_sum": added + n("loc-sug", 300),
            "loc_suggested_to_delete_sum": n("loc-sugdel", 50),
            "loc_added_sum": added,
            "loc_deleted_sum": n("loc-del", 80),
            "used_agent": "agent_edit" in features,
            "used_chat": "chat_panel_ask_mode" in features,
            "used_cli": n("cli", 5) == 1,
            "used_copilot_coding_agent": False,
            "used_copilot_code_review_active": n("review", 7) == 1,
            "used_copilot_code_review_passive": False,
            "totals_by_ide": [
                {
                    "ide": "vscode",
                    "user_initiated_interaction_count": total["user_initiated_interaction_count"],
                    "last_known_plugin_version": {
                        "plugin": "copilot-chat",
                        "plugin_version": "0.31.2",
                        "sampled_at": iso(day_start(day) + timedelta(hours=9)),
                    },
                    "last_known_ide_version": {
                        "ide_version": "1.104.0",
                        "sampled_at": iso(day_start(day) + timedelta(hours=9)),
                    },
                }
            ],
            "totals_by_feature": [
                {
                    "feature": e["feature"],
                    "user_initiated_interaction_count": e["user_initiated_interaction_count"],
                    "code_generation_activity_count": e["code_generation_activity_count"],
                    "code_acceptance_activity_count": e["code_acceptance_activity_count"],
                }
                for e in by_model_feature
            ],
            "totals_by_model_feature": by_model_feature,
        }

    def user_records(self, day: date) -> list[dict]:
        return self._user_records(day)

    def _compute_user_records(self, day: date) -> list[dict]:
        return [self.user_record(p, day) for p in self.seats.active_people(TOOL, day)]

    def org_record(self, day: date) -> dict:
        users = self.user_records(day)

        def active_within(days: int, flag: str | None = None) -> int:
            people = set()
            for back in range(days):
                for person in self.seats.active_people(TOOL, day - timedelta(days=back)):
                    people.add(person.person_id)
            if flag is None:
                return len(people)
            return sum(1 for r in users if r[flag])  # approximated on the day's users

        sums = Counter()
        by_model_feature: dict[tuple[str, str], Counter] = defaultdict(Counter)
        for record in users:
            for key, value in record.items():
                if key.endswith(("_count", "_sum")):
                    sums[key] += value
            for entry in record["totals_by_model_feature"]:
                for key, value in entry.items():
                    if key.endswith("_count"):
                        by_model_feature[(entry["model"], entry["feature"])][key] += value
        return {
            "day": day.isoformat(),
            "organization_id": ORG_NODE_ID,
            "daily_active_users": len(users),
            "weekly_active_users": active_within(7),
            "monthly_active_users": active_within(28),
            "monthly_active_chat_users": active_within(1, "used_chat"),
            "monthly_active_agent_users": active_within(1, "used_agent"),
            **dict(sums),
            "totals_by_model_feature": [
                {"model": model, "feature": feature, **dict(counts)}
                for (model, feature), counts in sorted(by_model_feature.items())
            ],
            "pull_requests": {"total_created": len(users) // 4, "total_merged": len(users) // 5},
        }

    def premium_items(self, day: date) -> list[dict]:
        quantity: Counter = Counter()
        for record in self.user_records(day):
            for entry in record["totals_by_model_feature"]:
                if entry["model"] in PREMIUM_MODELS and entry["feature"] != "code_completion":
                    quantity[entry["model"]] += (
                        entry["user_initiated_interaction_count"] * PREMIUM_MODELS[entry["model"]]
                    )
        items = []
        for model, gross in sorted(quantity.items()):
            discount = gross * 3 // 4  # the plan's included requests
            items.append(
                {
                    "product": "Copilot",
                    "sku": "Copilot Premium Request",
                    "model": model,
                    "unitType": "requests",
                    "pricePerUnit": PREMIUM_PRICE,
                    "grossQuantity": gross,
                    "grossAmount": gross * PREMIUM_PRICE,
                    "discountQuantity": discount,
                    "discountAmount": discount * PREMIUM_PRICE,
                    "netQuantity": gross - discount,
                    "netAmount": (gross - discount) * PREMIUM_PRICE,
                }
            )
        return items

    # ---- HTTP --------------------------------------------------------------------------------

    def handle(self, path: str, query, headers: Mapping[str, str]) -> Response:
        if path.startswith(DOWNLOAD_PREFIX):
            return self.download(path, query, headers)
        auth = headers.get("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() not in ("bearer", "token") or not token or token != self.token:
            return github_error(401, "Bad credentials")
        host = headers.get("Host") or "127.0.0.1"
        base = f"/orgs/{ORG}/copilot/"
        if path == f"{base}billing/seats":
            return self.seat_page(path, query, host)
        for kind in ("users-1-day", "organization-1-day"):
            if path == f"{base}metrics/reports/{kind}":
                return self.report_links(kind, query, host)
        if path == f"/organizations/{ORG}/settings/billing/premium_request/usage":
            return self.premium_usage(query)
        return github_error(404, "Not Found")

    def seat_page(self, path: str, query, host: str) -> Response:
        try:
            page = int(query.one("page", "1"))
            per_page = int(query.one("per_page", str(SEATS_DEFAULT_PAGE)))
        except ValueError:
            return github_error(422, "page and per_page must be integers")
        per_page = min(max(per_page, 1), SEATS_MAX_PAGE)
        now = self.clock()
        holders = self.seats.seat_holders(TOOL, now.date())
        last = max(1, -(-len(holders) // per_page))
        chosen = holders[(page - 1) * per_page : page * per_page] if page >= 1 else []

        def link(number: int, rel: str) -> str:
            return f'<http://{host}{path}?{urlencode({"page": number, "per_page": per_page})}>; rel="{rel}"'

        links = []
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links += [link(1, "first"), link(page - 1, "prev")]
        headers = {"Link": ", ".join(links)} if links else {}
        body = {"total_seats": len(holders), "seats": [self.seat(p, now) for p in chosen]}
        return Response.json(body, headers=headers)

    def signature(self, kind: str, day: str, expires: int) -> str:
        text = f"{self.seed}:{self.token}:{kind}:{day}:{expires}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def report_links(self, kind: str, query, host: str) -> Response:
        value = query.one("day")
        try:
            day = date.fromisoformat(value or "")
        except ValueError:
            return github_error(422, "day must be a date in YYYY-MM-DD format")
        if day >= self.clock().date():
            return github_error(404, "Not Found")
        if day < EPOCH:
            return Response.json({"download_links": [], "report_day": day.isoformat()})
        rows = len(self.user_records(day)) if kind == "users-1-day" else 1
        files = max(1, -(-rows // REPORT_FILE_ROWS))
        expires = int((self.clock() + LINK_TTL).timestamp())
        links = [
            f"http://{host}{DOWNLOAD_PREFIX}{kind}/{day.isoformat()}/{n}.ndjson?"
            + urlencode({"expires": expires, "sig": self.signature(kind, day.isoformat(), expires)})
            for n in range(files)
        ]
        return Response.json({"download_links": links, "report_day": day.isoformat()})

    def download(self, path: str, query, headers: Mapping[str, str]) -> Response:
        if headers.get("Authorization"):
            return Response(400, b"Only one auth mechanism allowed", {})
        try:
            kind, day_text, name = path.removeprefix(DOWNLOAD_PREFIX).split("/")
            number = int(name.removesuffix(".ndjson"))
            expires = int(query.one("expires", "0"))
        except ValueError:
            return Response(404, b"BlobNotFound", {})
        if query.one("sig") != self.signature(kind, day_text, expires):
            return Response(403, b"AuthenticationFailed: signature mismatch", {})
        if expires < self.clock().timestamp():
            return Response(403, b"AuthenticationFailed: signed URL expired", {})
        day = date.fromisoformat(day_text)
        if kind == "users-1-day":
            records = self.user_records(day)[
                number * REPORT_FILE_ROWS : (number + 1) * REPORT_FILE_ROWS
            ]
        else:
            records = [self.org_record(day)]
        text = "".join(json.dumps(r, default=str) + "\n" for r in records)
        return Response(200, text.encode(), {"Content-Type": "application/x-ndjson"})

    def premium_usage(self, query) -> Response:
        try:
            year, month = int(query.one("year", "0")), int(query.one("month", "0"))
            day = date(year, month, int(query.one("day", "0")))
        except ValueError:
            return github_error(422, "year, month and day must form a date")
        items = self.premium_items(day) if day < self.clock().date() else []
        body = {
            "timePeriod": {"year": day.year, "month": day.month, "day": day.day},
            "organization": ORG,
            "usageItems": [{k: _number(v) for k, v in item.items()} for item in items],
        }
        return Response(200, json.dumps(body), {})

    # ---- provider protocol -------------------------------------------------------------------

    def ground_truth(self, start: date, end: date, as_of: datetime) -> dict:
        return empty_totals()  # seats and activity do not feed the token usage marts

    def write_exports(self, root: Path, start: date, end: date, as_of: datetime) -> dict[str, str]:
        return {}

    def environment(self, base_url: str) -> dict[str, str]:
        return {"GITHUB_API_URL": base_url}

    def declared_credentials(self) -> list[dict]:
        return []

    def corrupt(self, day: date) -> None:
        pass

    def reset(self) -> None:
        pass


def _number(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


def build(
    enterprise: Enterprise,
    activity: Activity,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str],
) -> GitHubCopilotProvider:
    return GitHubCopilotProvider(enterprise, activity, clock, secrets)
