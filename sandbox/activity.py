"""Day-by-day activity of the synthetic enterprise: usage records and the cost lines billed for them.

Each day is generated from (seed, day) alone, so a day's numbers never depend on which window is asked
for. Costs of the most recent days are provisional and restated upward once they settle, as real
billing data is.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from sandbox.cost_plants import openai_bill_factor
from sandbox.enterprise import EPOCH, MODELS, Enterprise, stable_int, unix

WEEKDAY_INTERNAL = [1.00, 1.06, 1.08, 1.04, 0.93, 0.32, 0.27]
WEEKDAY_CUSTOMER = [1.00, 1.01, 1.02, 1.02, 1.04, 0.86, 0.80]
DAILY_GROWTH = 0.004
SPIKE_BLOCK_DAYS = 28
SPIKE_FACTOR = 7.0
SPIKE_CANDIDATES = (
    "support-assistant",
    "code-review-bot",
    "contract-reviewer",
    "analytics-sql-helper",
    "ml-eval-harness",
    "doc-summarizer",
)
VOLUME_SCALE = 8  # multiplies every application's base request rate
SETTLEMENT_DAYS = 3  # costs of a day are final once this many days have passed
PROVISIONAL_SHARE = Decimal("0.9")
AMOUNT_QUANTUM = Decimal("0.00000001")
MTOK = Decimal(1_000_000)


@dataclass(frozen=True)
class UsageRecord:
    """One row of usage at the finest grain the sandbox keeps (day x key x model)."""

    day: date
    operation: str
    project_id: str
    user_id: str | None
    api_key_id: str
    model: str
    batch: bool
    service_tier: str
    num_model_requests: int
    input_tokens: int
    input_cached_tokens: int
    input_cache_write_tokens: int
    output_tokens: int

    @property
    def input_uncached_tokens(self) -> int:
        return self.input_tokens - self.input_cached_tokens - self.input_cache_write_tokens


@dataclass(frozen=True)
class CostLine:
    """One billed line: day x project x key x line item, final amount in USD."""

    day: date
    project_id: str
    api_key_id: str
    line_item: str
    quantity: int
    amount_usd: Decimal
    quantity_unit: str | None = "tokens"


@dataclass(frozen=True)
class Spike:
    application_id: str
    start: date
    days: int


def as_billed(lines: list[CostLine], day: date, as_of: datetime) -> list[CostLine]:
    """Cost lines as billing shows them at `as_of`: a day is provisional until it settles."""
    if as_of.date() >= day + timedelta(days=SETTLEMENT_DAYS):
        return lines
    return [
        replace(
            c,
            amount_usd=(c.amount_usd * PROVISIONAL_SHARE).quantize(AMOUNT_QUANTUM, ROUND_HALF_EVEN),
        )
        for c in lines
    ]


class Activity:
    """Generates and caches the enterprise's activity per day."""

    def __init__(self, enterprise: Enterprise) -> None:
        self.enterprise = enterprise
        self._usage = lru_cache(maxsize=2048)(self._generate_usage)
        self._costs = lru_cache(maxsize=2048)(self._generate_costs)

    def spike_for_block(self, block: int) -> Spike:
        rng = random.Random(stable_int(self.enterprise.seed, "spike", block))
        candidates = [a for a in self.enterprise.applications if a.name in SPIKE_CANDIDATES]
        app = rng.choice(candidates)
        start = EPOCH + timedelta(days=block * SPIKE_BLOCK_DAYS + rng.randrange(5, 20))
        return Spike(app.application_id, start, 2)

    def spikes_between(self, start: date, end: date) -> list[Spike]:
        first = max(0, (start - EPOCH).days // SPIKE_BLOCK_DAYS)
        last = max(0, (end - EPOCH).days // SPIKE_BLOCK_DAYS)
        spikes = [self.spike_for_block(b) for b in range(first, last + 1)]
        return [s for s in spikes if s.start < end and s.start + timedelta(days=s.days) > start]

    def usage(self, day: date) -> list[UsageRecord]:
        return self._usage(day)

    def final_costs(self, day: date) -> list[CostLine]:
        return self._costs(day)

    def costs_as_of(self, day: date, as_of: datetime) -> list[CostLine]:
        """Cost lines as billing shows them at `as_of`: recent days are provisional."""
        lines = self._costs(day)
        if as_of.date() >= day + timedelta(days=SETTLEMENT_DAYS):
            return lines
        return [
            CostLine(
                c.day,
                c.project_id,
                c.api_key_id,
                c.line_item,
                c.quantity,
                (c.amount_usd * PROVISIONAL_SHARE).quantize(AMOUNT_QUANTUM, ROUND_HALF_EVEN),
            )
            for c in lines
        ]

    def volume_factor(self, day: date, application_id: str, customer_facing: bool) -> float:
        """Weekday x growth x spike multiplier of an application's traffic on a day."""
        weekday = (WEEKDAY_CUSTOMER if customer_facing else WEEKDAY_INTERNAL)[day.weekday()]
        growth = 1.0 + DAILY_GROWTH * (day - EPOCH).days
        spike = self.spike_for_block((day - EPOCH).days // SPIKE_BLOCK_DAYS)
        in_spike = (
            spike.application_id == application_id and 0 <= (day - spike.start).days < spike.days
        )
        return weekday * growth * (SPIKE_FACTOR if in_spike else 1.0)

    def _generate_usage(self, day: date) -> list[UsageRecord]:
        if day < EPOCH:
            return []
        ent = self.enterprise
        owners = {u.user_id for u in ent.org_users}
        records = []
        day_start = unix(day)
        for key in ent.api_keys:
            project = ent.project(key.project_id)
            if key.created_at >= day_start + 86400 or project.created_at >= day_start + 86400:
                continue
            app = ent.application(project.application_id)
            customer_facing = app.use_category == "customer_facing"
            factor = self.volume_factor(day, app.application_id, customer_facing) * key.share
            if project.environment == "staging":
                factor *= 0.08
            if project.archived_at is not None and project.archived_at <= day_start:
                factor *= 0.1
            for model_name, base_requests, in_per_req, out_per_req, cached_share in app.profile:
                rng = random.Random(
                    stable_int(ent.seed, day.isoformat(), key.api_key_id, model_name)
                )
                requests = int(base_requests * VOLUME_SCALE * factor * math.exp(rng.gauss(0, 0.12)))
                if requests <= 0:
                    continue
                model = MODELS[model_name]
                input_tokens = int(requests * in_per_req * math.exp(rng.gauss(0, 0.08)))
                cached = (
                    int(input_tokens * cached_share * rng.uniform(0.85, 1.1)) if cached_share else 0
                )
                cached = min(cached, input_tokens)
                output = (
                    int(requests * out_per_req * math.exp(rng.gauss(0, 0.1))) if out_per_req else 0
                )
                records.append(
                    UsageRecord(
                        day,
                        model.operation,
                        project.project_id,
                        key.owner_user_id if key.owner_user_id in owners else None,
                        key.api_key_id,
                        model_name,
                        key.is_batch,
                        key.service_tier,
                        requests,
                        input_tokens,
                        cached,
                        0,
                        output,
                    )
                )
        return records

    def _generate_costs(self, day: date) -> list[CostLine]:
        totals: dict[tuple[str, str, str], tuple[int, Decimal]] = {}

        def add(project_id: str, key_id: str, item: str, tokens: int, price: Decimal) -> None:
            if tokens <= 0:
                return
            q, amount = totals.get((project_id, key_id, item), (0, Decimal(0)))
            totals[(project_id, key_id, item)] = (
                q + tokens,
                amount + Decimal(tokens) * price / MTOK,
            )

        for r in self._generate_usage(day):
            model = MODELS[r.model]
            discount = Decimal("0.5") if r.batch or r.service_tier == "flex" else Decimal(1)
            suffix = " (batch)" if r.batch else " (flex)" if r.service_tier == "flex" else ""
            add(
                r.project_id,
                r.api_key_id,
                f"{model.family}, input{suffix}",
                r.input_uncached_tokens,
                model.input_per_mtok * discount,
            )
            add(
                r.project_id,
                r.api_key_id,
                f"{model.family}, cached input{suffix}",
                r.input_cached_tokens,
                model.cached_input_per_mtok * discount,
            )
            add(
                r.project_id,
                r.api_key_id,
                f"{model.family}, output{suffix}",
                r.output_tokens,
                model.output_per_mtok * discount,
            )
        return [
            CostLine(
                day,
                p,
                k,
                item,
                q,
                (amount * openai_bill_factor(self.enterprise, p, day)).quantize(
                    AMOUNT_QUANTUM, ROUND_HALF_EVEN
                ),
            )
            for (p, k, item), (q, amount) in sorted(totals.items())
        ]
