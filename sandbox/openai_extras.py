"""OpenAI usage beyond completions and embeddings: images, audio, moderations, vector stores, code
interpreter, file search and web search, with the cost lines billed for each.

Each kind is served by its own usage endpoint with its own metrics and group-by fields; the costs
endpoint bills them as line items with their own quantity units.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from sandbox.activity import AMOUNT_QUANTUM, Activity, CostLine
from sandbox.enterprise import EPOCH, Enterprise, stable_int, unix


@dataclass(frozen=True)
class ExtraKind:
    """One usage endpoint: result object name, metrics, group-by fields, how it is billed."""

    endpoint: str
    object_name: str
    metrics: tuple[str, ...]
    group_by: tuple[str, ...]
    line_item: str  # "{model}" is replaced
    billed_metric: str
    unit_price: Decimal  # USD per billed unit
    quantity_unit: str


KINDS: dict[str, ExtraKind] = {
    k.endpoint: k
    for k in [
        ExtraKind(
            "images",
            "organization.usage.images.result",
            ("images", "num_model_requests"),
            ("project_id", "user_id", "api_key_id", "model", "size", "source"),
            "{model}, images",
            "images",
            Decimal("0.04"),
            "images",
        ),
        ExtraKind(
            "audio_speeches",
            "organization.usage.audio_speeches.result",
            ("characters", "num_model_requests"),
            ("project_id", "user_id", "api_key_id", "model"),
            "{model}, characters",
            "characters",
            Decimal("0.000015"),
            "characters",
        ),
        ExtraKind(
            "audio_transcriptions",
            "organization.usage.audio_transcriptions.result",
            ("seconds", "num_model_requests"),
            ("project_id", "user_id", "api_key_id", "model"),
            "{model}, audio seconds",
            "seconds",
            Decimal("0.0001"),
            "duration_seconds",
        ),
        ExtraKind(
            "moderations",
            "organization.usage.moderations.result",
            ("input_tokens", "num_model_requests"),
            ("project_id", "user_id", "api_key_id", "model"),
            "{model}, input",
            "input_tokens",
            Decimal("0"),
            "tokens",
        ),
        ExtraKind(
            "vector_stores",
            "organization.usage.vector_stores.result",
            ("usage_bytes",),
            ("project_id",),
            "vector store storage",
            "usage_bytes",
            Decimal("0.10") / Decimal(2**30),
            "gibibyte_hours",
        ),
        ExtraKind(
            "code_interpreter_sessions",
            "organization.usage.code_interpreter_sessions.result",
            ("num_sessions",),
            ("project_id",),
            "code interpreter sessions",
            "num_sessions",
            Decimal("0.03"),
            None,
        ),
        ExtraKind(
            "file_search_calls",
            "organization.usage.file_searches.result",
            ("num_requests",),
            ("project_id", "user_id", "api_key_id", "vector_store_id"),
            "file search tool calls",
            "num_requests",
            Decimal("0.0025"),
            None,
        ),
        ExtraKind(
            "web_search_calls",
            "organization.usage.web_searches.result",
            ("num_requests", "num_model_requests"),
            ("project_id", "user_id", "api_key_id", "model", "context_level"),
            "{model}, web search tool calls",
            "num_requests",
            Decimal("0.01"),
            None,
        ),
    ]
}

# application, endpoint, model, base volume per day, fixed group values
ADOPTION = [
    (
        "brand-image-briefs",
        "images",
        "gpt-image-1",
        60,
        {"size": "1024x1024", "source": "image.generation"},
    ),
    (
        "growth-copywriter",
        "images",
        "gpt-image-1",
        25,
        {"size": "1024x1792", "source": "image.edit"},
    ),
    ("support-assistant", "audio_speeches", "tts-1", 180_000, {}),
    ("americas-call-notes", "audio_transcriptions", "whisper-1", 52_000, {}),
    ("support-assistant", "moderations", "omni-moderation-latest", 2_400_000, {}),
    ("mobile-chat", "moderations", "omni-moderation-latest", 1_600_000, {}),
    ("product-feedback-miner", "vector_stores", None, 7_500_000_000, {}),
    ("support-assistant", "vector_stores", None, 21_000_000_000, {}),
    ("analytics-sql-helper", "code_interpreter_sessions", None, 140, {}),
    ("support-assistant", "file_search_calls", None, 2_600, {"vector_store_id": "vs_support_kb"}),
    (
        "sales-email-drafter",
        "web_search_calls",
        "gpt-4.1-mini-2025-04-14",
        900,
        {"context_level": "medium"},
    ),
]
REQUEST_SIZE = {"images": 1, "audio_speeches": 450, "audio_transcriptions": 95, "moderations": 380}


@dataclass(frozen=True)
class ExtraRecord:
    day: date
    endpoint: str
    group: dict
    metrics: dict


def _model_family(model: str | None) -> str:
    return model.rsplit("-20", 1)[0] if model and "-20" in model else (model or "")


class OpenAIExtras:
    """Generates the extra usage kinds per day from the same enterprise and volume curve."""

    def __init__(self, enterprise: Enterprise, activity: Activity) -> None:
        self.enterprise, self.activity = enterprise, activity
        self._cache: dict[date, list[ExtraRecord]] = {}

    def usage(self, day: date) -> list[ExtraRecord]:
        if day not in self._cache:
            self._cache[day] = self._generate(day)
        return self._cache[day]

    def _generate(self, day: date) -> list[ExtraRecord]:
        if day < EPOCH:
            return []
        ent = self.enterprise
        apps = {a.name: a for a in ent.applications}
        records = []
        for app_name, endpoint, model, base, fixed in ADOPTION:
            app = apps[app_name]
            project = next(
                p
                for p in ent.projects
                if p.application_id == app.application_id and p.environment == "production"
            )
            if project.created_at >= unix(day) + 86400:
                continue
            keys = [k for k in ent.api_keys if k.project_id == project.project_id]
            key = keys[0]
            rng = random.Random(stable_int(ent.seed, day.isoformat(), "extra", app_name, endpoint))
            factor = self.activity.volume_factor(
                day, app.application_id, app.use_category == "customer_facing"
            )
            if endpoint == "vector_stores":
                factor = (
                    1 + 0.002 * (day - date(2026, 1, 1)).days
                )  # storage grows steadily, no weekly cycle
            amount = int(base * factor * math.exp(rng.gauss(0, 0.1)))
            if amount <= 0:
                continue
            kind = KINDS[endpoint]
            metrics = {kind.billed_metric: amount}
            if "num_model_requests" in kind.metrics:
                size = REQUEST_SIZE.get(endpoint)
                metrics["num_model_requests"] = (
                    max(1, amount // size) if size else max(1, amount // 3)
                )
            group = {
                "project_id": project.project_id,
                "user_id": None,
                "api_key_id": key.api_key_id,
                "model": model,
                **fixed,
            }
            records.append(
                ExtraRecord(day, endpoint, {g: group.get(g) for g in kind.group_by}, metrics)
            )
        return records

    def costs(self, day: date) -> list[CostLine]:
        lines = []
        for r in self.usage(day):
            kind = KINDS[r.endpoint]
            # vector stores: the price is per GiB-day, so bytes held for the day x price per byte-day
            amount = (Decimal(r.metrics[kind.billed_metric]) * kind.unit_price).quantize(
                AMOUNT_QUANTUM, ROUND_HALF_EVEN
            )
            if amount <= 0:
                continue
            item = kind.line_item.format(model=_model_family(r.group.get("model")))
            lines.append(
                CostLine(
                    day,
                    r.group["project_id"],
                    r.group.get("api_key_id"),
                    item,
                    r.metrics[kind.billed_metric],
                    amount,
                    kind.quantity_unit,
                )
            )
        return lines
