"""The OpenAI Administration API, as the sandbox serves it.

Shapes follow the published OpenAPI description: the `page` envelope of time buckets for usage and
costs, the `list` envelope with `after` cursors for inventory, limit caps per endpoint and bucket width,
group-by echo fields that are null unless grouped, and dollars as JSON numbers for costs.
"""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sandbox.activity import Activity, CostLine, UsageRecord, as_billed
from sandbox.enterprise import Enterprise, unix
from sandbox.openai_extras import KINDS as EXTRA_KINDS
from sandbox.openai_extras import OpenAIExtras

# bucket width -> (seconds, default limit, max limit)
USAGE_BUCKETS = {"1d": (86400, 7, 31), "1h": (3600, 24, 168), "1m": (60, 60, 1440)}
COSTS_DEFAULT_LIMIT, COSTS_MAX_LIMIT = 7, 180
LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT = 20, 100
# Share of a day's traffic per UTC hour, in thousandths (sums to 1000): a working-day curve.
HOURLY_PROFILE = [
    14,
    12,
    11,
    11,
    13,
    18,
    28,
    42,
    58,
    66,
    68,
    66,
    60,
    62,
    64,
    62,
    56,
    48,
    40,
    34,
    30,
    26,
    20,
    11,
]

USAGE_GROUPS = {
    "completions": ("project_id", "user_id", "api_key_id", "model", "batch", "service_tier"),
    "embeddings": ("project_id", "user_id", "api_key_id", "model"),
    **{name: kind.group_by for name, kind in EXTRA_KINDS.items()},
}
COST_GROUPS = ("project_id", "line_item", "api_key_id")
COMPLETIONS_METRICS = (
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_cache_write_tokens",
    "input_uncached_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
    "num_model_requests",
)
EMBEDDINGS_METRICS = ("input_tokens", "num_model_requests")


class ApiError(Exception):
    """An error the API answers with an `ErrorResponse` body."""

    def __init__(self, status: int, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param = status, message, param

    def body(self) -> dict:
        kind = "invalid_request_error" if self.status < 500 else "server_error"
        return {"error": {"message": self.message, "type": kind, "param": self.param, "code": None}}


@dataclass
class Query:
    """Query string parameters, repeated keys kept as lists; `name[]` is read as `name`."""

    params: dict[str, list[str]]

    def one(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name) or self.params.get(f"{name}[]")
        return values[-1] if values else default

    def many(self, name: str) -> list[str]:
        values = (self.params.get(name) or []) + (self.params.get(f"{name}[]") or [])
        return [v for value in values for v in value.split(",") if v]

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.one(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise ApiError(
                400, f"Invalid value for '{name}': expected an integer, got {value!r}.", name
            ) from None

    def limit(self, default: int, maximum: int, minimum: int = 1) -> int:
        limit = self.integer("limit", default)
        if not minimum <= limit <= maximum:
            raise ApiError(
                400,
                f"Invalid 'limit': {limit}. It must be between {minimum} and {maximum}.",
                "limit",
            )
        return limit


# corrupt() fault name -> the set of days it applies to
CORRUPTIONS = {
    "cached_above_input": "corrupt_days",
    "negative_cost": "negative_cost_days",
    "duplicate_page": "duplicate_page_days",
}
REPLAY = ".again"  # a cursor suffix: serve the page at this offset a second time


def encode_cursor(index: int) -> str:
    return "page_" + base64.urlsafe_b64encode(str(index).encode()).decode()


def decode_cursor(token: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(token.removeprefix("page_").encode()).decode())
    except Exception:
        raise ApiError(400, "Invalid 'page' cursor.", "page") from None


def split_exactly(value: int, weights: list[int]) -> list[int]:
    """Split an integer across weights so the parts always sum back to the value."""
    total, cumulative, parts, previous = sum(weights), 0, [], 0
    for w in weights:
        cumulative += w
        current = value * cumulative // total
        parts.append(current - previous)
        previous = current
    return parts


class OpenAIAdminApi:
    """Answers OpenAI Administration API requests from the enterprise's activity."""

    def __init__(
        self, enterprise: Enterprise, activity: Activity, clock: Callable[[], datetime]
    ) -> None:
        self.enterprise, self.activity, self.clock = enterprise, activity, clock
        self.extras = OpenAIExtras(enterprise, activity)
        # Fault injection, per day (see corrupt()): the payloads of these days break an invariant.
        self.corrupt_days: set[date] = set()  # cached input above input
        self.negative_cost_days: set[date] = set()  # a usage charge billed negative
        self.duplicate_page_days: set[date] = set()  # embeddings usage: the page is served twice
        # Late restatements (see restate()): USD added to a day's largest cost line, for good.
        self.restated: dict[date, Decimal] = {}

    def restate(self, day: date, amount_usd: Decimal) -> None:
        """The bill of a past day changes by `amount_usd`, however long ago it settled."""
        self.restated[day] = self.restated.get(day, Decimal(0)) + amount_usd

    def corrupt(self, day: date, faults: set[str]) -> None:
        unknown = faults - set(CORRUPTIONS)
        if unknown:
            raise ValueError(
                f"unknown corruption {sorted(unknown)}; known: {', '.join(CORRUPTIONS)}"
            )
        for fault in faults:
            getattr(self, CORRUPTIONS[fault]).add(day)

    def reset(self) -> None:
        for days in CORRUPTIONS.values():
            getattr(self, days).clear()

    def route(self, path: str, query: Query) -> dict:
        parts = path.strip("/").split("/")
        if parts[:2] != ["v1", "organization"]:
            raise ApiError(404, f"Unknown path {path}.")
        rest = parts[2:]
        if rest[:1] == ["usage"] and len(rest) == 2 and rest[1] in USAGE_GROUPS:
            return self.usage(rest[1], query)
        if rest == ["costs"]:
            return self.costs(query)
        if rest == ["projects"]:
            return self.projects(query)
        if len(rest) == 3 and rest[0] == "projects" and rest[2] == "api_keys":
            return self.api_keys(rest[1], query)
        if len(rest) == 3 and rest[0] == "projects" and rest[2] == "service_accounts":
            return self.service_accounts(rest[1], query)
        if rest == ["users"]:
            return self.users(query)
        raise ApiError(404, f"Unknown path {path}.")

    # ---- usage and costs -------------------------------------------------------------------

    def _window(self, query: Query, width_seconds: int) -> tuple[int, int]:
        start = query.integer("start_time")
        if start is None:
            raise ApiError(400, "Missing required parameter: 'start_time'.", "start_time")
        now = int(self.clock().timestamp())
        end = query.integer("end_time", now)
        start -= start % width_seconds
        return start, end

    def _page(
        self,
        buckets: list[tuple[int, int]],
        query: Query,
        limit: int,
        results: Callable[[int, int], list[dict]],
        duplicate_days: set[date] = frozenset(),
    ) -> dict:
        cursor = query.one("page") or ""
        replay = cursor.endswith(REPLAY)
        offset = decode_cursor(cursor.removesuffix(REPLAY)) if cursor else 0
        chosen = buckets[offset : offset + limit]
        has_more = offset + limit < len(buckets)
        next_page = encode_cursor(offset + limit) if has_more else None
        if not replay and duplicate_days & {
            datetime.fromtimestamp(s - s % 86400, UTC).date() for s, _ in chosen
        }:
            # Fault injection: a broken cursor hands out this same page once more.
            has_more, next_page = True, encode_cursor(offset) + REPLAY
        return {
            "object": "page",
            "data": [
                {"object": "bucket", "start_time": s, "end_time": e, "results": results(s, e)}
                for s, e in chosen
            ],
            "has_more": has_more,
            "next_page": next_page,
        }

    @staticmethod
    def _buckets(start: int, end: int, width: int) -> list[tuple[int, int]]:
        return [(s, s + width) for s in range(start, end, width)]

    def day_rows(self, kind: str, day: date) -> list[tuple[dict, dict[str, int]]]:
        """(group values, metrics) of one usage kind for a day, at the finest grain kept."""
        if kind in EXTRA_KINDS:
            return [(r.group, r.metrics) for r in self.extras.usage(day) if r.endpoint == kind]
        metrics = COMPLETIONS_METRICS if kind == "completions" else EMBEDDINGS_METRICS
        return [
            ({g: getattr(r, g) for g in USAGE_GROUPS[kind]}, self._record_metrics(r, metrics))
            for r in self.activity.usage(day)
            if r.operation == kind
        ]

    def usage(self, kind: str, query: Query) -> dict:
        width_name = query.one("bucket_width", "1d")
        if width_name not in USAGE_BUCKETS:
            raise ApiError(
                400,
                f"Invalid 'bucket_width': {width_name!r}. Use one of 1m, 1h, 1d.",
                "bucket_width",
            )
        width, default_limit, max_limit = USAGE_BUCKETS[width_name]
        limit = query.limit(default_limit, max_limit)
        start, end = self._window(query, width)
        group_by = query.many("group_by")
        allowed = USAGE_GROUPS[kind]
        for g in group_by:
            if g not in allowed:
                raise ApiError(
                    400,
                    f"Invalid 'group_by' value {g!r} for {kind} usage. Allowed: {', '.join(allowed)}.",
                    "group_by",
                )
        filters = {
            "project_id": set(query.many("project_ids")),
            "user_id": set(query.many("user_ids")),
            "api_key_id": set(query.many("api_key_ids")),
            "model": set(query.many("models")),
        }
        batch_filter = query.one("batch")
        if kind in EXTRA_KINDS:
            metrics, object_name = EXTRA_KINDS[kind].metrics, EXTRA_KINDS[kind].object_name
        else:
            metrics = COMPLETIONS_METRICS if kind == "completions" else EMBEDDINGS_METRICS
            object_name = f"organization.usage.{kind}.result"

        def results(bucket_start: int, bucket_end: int) -> list[dict]:
            groups: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(metrics, 0))
            day = datetime.fromtimestamp(bucket_start - bucket_start % 86400, UTC).date()
            while unix(day) < bucket_end:
                for group_values, values in self.day_rows(kind, day):
                    if any(
                        wanted and group_values.get(name) not in wanted
                        for name, wanted in filters.items()
                    ):
                        continue
                    if batch_filter is not None and group_values.get("batch") != (
                        batch_filter.lower() == "true"
                    ):
                        continue
                    share = self._share(unix(day), bucket_start, bucket_end, values)
                    if share is None:
                        continue
                    group = groups[tuple(group_values.get(g) for g in group_by)]
                    for name in metrics:
                        group[name] += share[name]
                day += timedelta(days=1)
            rows = []
            for key, values in groups.items():
                if not any(values.values()):
                    continue
                row = {"object": object_name, **values, **dict.fromkeys(allowed)}
                row.update(dict(zip(group_by, key, strict=True)))
                rows.append(row)
            return rows

        duplicate_days = self.duplicate_page_days if kind == "embeddings" else set()
        return self._page(self._buckets(start, end, width), query, limit, results, duplicate_days)

    def _record_metrics(self, record: UsageRecord, metrics: tuple[str, ...]) -> dict[str, int]:
        values = {
            "input_tokens": record.input_tokens,
            "output_tokens": record.output_tokens,
            "input_cached_tokens": record.input_cached_tokens,
            "input_cache_write_tokens": record.input_cache_write_tokens,
            "input_uncached_tokens": record.input_tokens - record.input_cached_tokens,
            "input_audio_tokens": 0,
            "output_audio_tokens": 0,
            "num_model_requests": record.num_model_requests,
        }
        if record.day in self.corrupt_days:
            # Fault injection: a payload that breaks the "cached never above input" rule.
            values["input_cached_tokens"] = record.input_tokens + 1
        return {m: values[m] for m in metrics}

    def cost_lines(self, day: date, as_of: datetime) -> list[CostLine]:
        """Every billed line of a day, as billing shows it at `as_of`."""
        lines = self.activity.costs_as_of(day, as_of) + as_billed(
            self.extras.costs(day), day, as_of
        )
        if lines and day in self.restated:
            largest = max(range(len(lines)), key=lambda i: lines[i].amount_usd)
            lines[largest] = replace(
                lines[largest], amount_usd=lines[largest].amount_usd + self.restated[day]
            )
        return lines

    @staticmethod
    def _share(
        day_start: int, bucket_start: int, bucket_end: int, values: dict[str, int]
    ) -> dict[str, int] | None:
        """The part of a day's values inside the bucket, split by hour and minute exactly."""
        if bucket_start <= day_start and day_start + 86400 <= bucket_end:
            return values
        if bucket_end <= day_start or bucket_start >= day_start + 86400:
            return None
        hour = (bucket_start - day_start) // 3600
        by_hour = {k: split_exactly(v, HOURLY_PROFILE)[hour] for k, v in values.items()}
        if bucket_end - bucket_start >= 3600:
            return by_hour
        minute = (bucket_start - day_start) % 3600 // 60
        return {k: split_exactly(v, [1] * 60)[minute] for k, v in by_hour.items()}

    def costs(self, query: Query) -> dict:
        if query.one("bucket_width", "1d") != "1d":
            raise ApiError(400, "Invalid 'bucket_width': costs only support '1d'.", "bucket_width")
        limit = query.limit(COSTS_DEFAULT_LIMIT, COSTS_MAX_LIMIT)
        start, end = self._window(query, 86400)
        group_by = query.many("group_by")
        for g in group_by:
            if g not in COST_GROUPS:
                raise ApiError(
                    400,
                    f"Invalid 'group_by' value {g!r} for costs. Allowed: {', '.join(COST_GROUPS)}.",
                    "group_by",
                )
        projects, keys = set(query.many("project_ids")), set(query.many("api_key_ids"))
        as_of = self.clock()

        def results(bucket_start: int, _bucket_end: int) -> list[dict]:
            day = datetime.fromtimestamp(bucket_start, UTC).date()
            if unix(day) + 86400 > int(as_of.timestamp()):
                return []
            groups: dict[tuple, list] = defaultdict(lambda: [Decimal(0), 0])
            units: dict[tuple, str] = {}
            for line in self.cost_lines(day, as_of):
                if (projects and line.project_id not in projects) or (
                    keys and line.api_key_id not in keys
                ):
                    continue
                key = tuple(getattr(line, g) for g in group_by)
                groups[key][0] += line.amount_usd
                groups[key][1] += line.quantity
                units[key] = line.quantity_unit
            rows = []
            for key, (amount, quantity) in groups.items():
                if not rows and day in self.negative_cost_days:
                    # Fault injection: a usage charge billed as a negative amount.
                    amount = -abs(amount) - 1
                grouped = dict(zip(group_by, key, strict=True))
                by_line_item = "line_item" in grouped
                rows.append(
                    {
                        "object": "organization.costs.result",
                        # Dollars as a JSON number, as the real endpoint sends them.
                        "amount": {"value": float(amount), "currency": "usd"},
                        "line_item": grouped.get("line_item"),
                        "project_id": grouped.get("project_id"),
                        "api_key_id": grouped.get("api_key_id"),
                        "quantity": quantity if by_line_item else None,
                        "quantity_unit": units[key] if by_line_item else None,
                    }
                )
            return rows

        return self._page(self._buckets(start, end, 86400), query, limit, results)

    # ---- inventory ---------------------------------------------------------------------------

    @staticmethod
    def _list(items: list[dict], query: Query) -> dict:
        limit = query.limit(LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT)
        after = query.one("after")
        start = 0
        if after:
            ids = [item["id"] for item in items]
            if after not in ids:
                raise ApiError(400, f"Invalid 'after' cursor: {after!r}.", "after")
            start = ids.index(after) + 1
        page = items[start : start + limit]
        return {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": start + limit < len(items),
        }

    def projects(self, query: Query) -> dict:
        include_archived = (query.one("include_archived", "false") or "").lower() == "true"
        items = [
            {
                "object": "organization.project",
                "id": p.project_id,
                "name": p.name,
                "created_at": p.created_at,
                "archived_at": p.archived_at,
                "status": "archived" if p.archived_at else "active",
                "external_key_id": None,
                "residency": "EU_STORAGE_PROCESSING" if "emea" in p.name else "GLOBAL",
            }
            for p in self.enterprise.projects
            if include_archived or p.archived_at is None
        ]
        return self._list(items, query)

    def api_keys(self, project_id: str, query: Query) -> dict:
        if project_id not in {p.project_id for p in self.enterprise.projects}:
            raise ApiError(404, f"No project found with id '{project_id}'.")
        users = {u.user_id: u for u in self.enterprise.org_users}
        accounts = {s.service_account_id: s for s in self.enterprise.service_accounts}
        now = int(self.clock().timestamp())
        items = []
        for key in self.enterprise.api_keys:
            if key.project_id != project_id:
                continue
            if key.owner_user_id:
                u = users[key.owner_user_id]
                owner = {
                    "type": "user",
                    "user": {
                        "id": u.user_id,
                        "email": u.email,
                        "name": u.name,
                        "created_at": u.added_at,
                        "role": "member",
                    },
                }
            else:
                s = accounts[key.owner_service_account_id]
                owner = {
                    "type": "service_account",
                    "service_account": {
                        "id": s.service_account_id,
                        "name": s.name,
                        "created_at": s.created_at,
                        "role": "member",
                    },
                }
            items.append(
                {
                    "object": "organization.project.api_key",
                    "id": key.api_key_id,
                    "name": key.name,
                    "redacted_value": key.redacted_value,
                    "created_at": key.created_at,
                    "last_used_at": now - now % 86400 - 3600 if key.created_at < now else None,
                    "owner_project_access": "active",
                    "owner": owner,
                }
            )
        return self._list(items, query)

    def service_accounts(self, project_id: str, query: Query) -> dict:
        if project_id not in {p.project_id for p in self.enterprise.projects}:
            raise ApiError(404, f"No project found with id '{project_id}'.")
        keys = {
            k.owner_service_account_id
            for k in self.enterprise.api_keys
            if k.project_id == project_id
        }
        items = [
            {
                "object": "organization.project.service_account",
                "id": s.service_account_id,
                "name": s.name,
                "role": "member",
                "created_at": s.created_at,
            }
            for s in self.enterprise.service_accounts
            if s.service_account_id in keys
        ]
        return self._list(items, query)

    def users(self, query: Query) -> dict:
        emails = set(query.many("emails"))
        items = [
            {
                "object": "organization.user",
                "id": u.user_id,
                "name": u.name,
                "email": u.email,
                "role": u.role,
                "added_at": u.added_at,
            }
            for u in self.enterprise.org_users
            if not emails or u.email in emails
        ]
        return self._list(items, query)
