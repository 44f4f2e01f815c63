"""Flatten genai-prices' bundled price data into an effective-dated catalog table.

Only the data shipped inside the installed package is read (`genai_prices.data`); its auto-update
(`UpdatePrices`) is never started, so nothing is downloaded. Each row is one price component of one
model, tier and context band, valid on [effective_from, effective_to) (UTC dates, null = open).
Prices are USD per million tokens, kept as exact decimal strings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from importlib.metadata import version
from itertools import pairwise

import pyarrow as pa
from genai_prices import data as bundled
from genai_prices import types

# genai-prices provider id -> the warehouse's provider id; others keep their own id.
PROVIDERS = {
    "aws": "aws_bedrock",
    "azure": "azure_openai",
    "google": "google_vertex",
}
# Vendor prefixes of Bedrock model ids, which canonical model ids drop.
VENDOR_PREFIXES = ("amazon", "anthropic", "meta", "mistral", "cohere", "ai21", "deepseek", "qwen")
# The warehouse's price components and genai-prices' per-million-token price keys.
COMPONENTS = {
    "input": "input_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write": "cache_write_mtok",
    "cache_write_1h": "cache_write_1h_mtok",
    "output": "output_mtok",
}
# Price tiers and the request context genai-prices selects their variant prices by.
TIERS: dict[str, dict[str, str] | None] = {
    "standard": None,
    "batch": {"processing": "batch"},
    "flex": {"service_tier": "flex"},
    "priority": {"service_tier": "priority"},
}
SCHEMA = pa.schema(
    [
        ("provider", pa.string()),
        ("source_provider_id", pa.string()),
        ("model_id", pa.string()),
        ("price_tier", pa.string()),
        ("component", pa.string()),
        ("band_threshold_tokens", pa.int64()),
        ("band_upper_tokens", pa.int64()),
        ("price_per_mtok", pa.string()),
        ("effective_from", pa.date32()),
        ("effective_to", pa.date32()),
        ("has_time_of_day_prices", pa.bool_()),
        ("catalog_version", pa.string()),
    ]
)
ALIAS_SCHEMA = pa.schema(
    [
        ("provider", pa.string()),
        ("model_ref", pa.string()),
        ("model_id", pa.string()),
        ("match_kind", pa.string()),
        ("match_order", pa.int64()),
    ]
)
# genai-prices match clauses a reference can be tested against in SQL, by their match_kind.
PATTERN_CLAUSES = {
    types.ClauseStartsWith: ("starts_with", "starts_with"),
    types.ClauseEndsWith: ("ends_with", "ends_with"),
    types.ClauseContains: ("contains", "contains"),
}


@dataclass(frozen=True)
class Catalog:
    prices: pa.Table
    aliases: pa.Table
    version: str


def catalog_version() -> str:
    return f"genai-prices=={version('genai-prices')}"


@lru_cache(maxsize=2)
def bundled_catalog(known_refs: tuple[str, ...]) -> Catalog:
    """The catalog of the bundled price data, built once per process: it changes only with the
    package, and matching the known ids against its patterns takes about 0.3 s a run."""
    return build_catalog(known_refs=list(known_refs))


def build_catalog(
    providers: list[types.Provider] | None = None, known_refs: list[str] = ()
) -> Catalog:
    """Prices and model aliases. `known_refs` are extra model ids (e.g. the warehouse's canonical
    ids) resolved with genai-prices' own matching rules, so they join even where the package
    matches by prefix or pattern."""
    providers = bundled.providers if providers is None else providers
    release = catalog_version()
    rows: list[dict] = []
    aliases: dict[tuple[str, str], str] = {}
    for provider in providers:
        warehouse_provider = PROVIDERS.get(provider.id, provider.id)
        for model in provider.models:
            rows.extend(_model_rows(warehouse_provider, provider.id, model, release))
            for ref in {model.id.lower(), *_equals(model.match)}:
                aliases.setdefault((warehouse_provider, ref), model.id)
        for ref in known_refs:
            ref = ref.strip().lower()
            found = _find(provider, ref, providers)
            if found is not None:
                aliases.setdefault((warehouse_provider, ref), found.id)
    alias_rows = [
        {"provider": p, "model_ref": ref, "model_id": model_id, "match_kind": "equals"}
        for (p, ref), model_id in sorted(aliases.items())
    ]
    for provider in providers:
        alias_rows.extend(_pattern_rows(PROVIDERS.get(provider.id, provider.id), provider))
    return Catalog(
        prices=pa.Table.from_pylist(rows, SCHEMA),
        aliases=pa.Table.from_pylist(alias_rows, ALIAS_SCHEMA),
        version=release,
    )


def _pattern_rows(warehouse_provider: str, provider: types.Provider) -> list[dict]:
    """The provider's prefix, suffix and substring match rules, in the order genai-prices tries
    its models (the first model that matches wins), for references no exact alias names, such as
    Bedrock's dated and region-prefixed ids (us.anthropic.claude-sonnet-4-5-20250929-v1:0).
    Providers with a rule SQL cannot test (regex, all-of) get none: a rule skipped ahead of a
    matching one would pick the wrong model."""
    rows: dict[tuple[str, str, str], dict] = {}
    for order, model in enumerate(provider.models):
        clauses = _any_of(model.match)
        if clauses is None:
            return []
        for clause in clauses:
            if isinstance(clause, types.ClauseEquals):
                continue
            kind, field = PATTERN_CLAUSES[type(clause)]
            pattern = getattr(clause, field).lower()
            rows.setdefault(
                (pattern, kind, model.id),
                {
                    "provider": warehouse_provider,
                    "model_ref": pattern,
                    "model_id": model.id,
                    "match_kind": kind,
                    "match_order": order,
                },
            )
    return list(rows.values())


def _any_of(match: types.MatchLogic) -> list | None:
    """The leaf clauses of an any-of rule, or None when it has a clause SQL cannot test."""
    if isinstance(match, types.ClauseOr):
        leaves = [_any_of(m) for m in match.or_]
        return None if any(x is None for x in leaves) else [c for x in leaves for c in x]
    if isinstance(match, types.ClauseEquals) or type(match) in PATTERN_CLAUSES:
        return [match]
    return None


def _find(
    provider: types.Provider, ref: str, providers: list[types.Provider]
) -> types.ModelInfo | None:
    """The provider's own model a canonical id names, trying the vendor-prefixed form that
    Bedrock ids use (canonical ids drop it: amazon.nova-pro -> nova-pro)."""
    for candidate in (ref, *(f"{vendor}.{ref}" for vendor in VENDOR_PREFIXES)):
        found = provider.find_model(candidate, all_providers=providers)
        if found is not None and any(found is m for m in provider.models):
            return found
    return None


def _model_rows(provider: str, source_id: str, model: types.ModelInfo, release: str) -> list[dict]:
    """Time-of-day prices (off-peak windows) have no place on a calendar: the rows carry the price
    outside every window and say the model has them (rated cost is then approximate)."""
    model, time_of_day = _without_time_of_day(model)
    rows = []
    for tier, context in TIERS.items():
        for start, end in _intervals(model):
            if context is not None and not _variant_active(model, context, start):
                continue
            at = datetime.combine(start or date(1970, 1, 1), datetime.min.time(), tzinfo=UTC)
            prices = model.get_prices(at, dict(context) if context else None)
            for component, key in COMPONENTS.items():
                value = getattr(prices, key, None)
                for threshold, upper, price in _bands(value):
                    rows.append(
                        {
                            "provider": provider,
                            "source_provider_id": source_id,
                            "model_id": model.id,
                            "price_tier": tier,
                            "component": component,
                            "band_threshold_tokens": threshold,
                            "band_upper_tokens": upper,
                            "price_per_mtok": _exact(price),
                            "effective_from": start,
                            "effective_to": end,
                            "has_time_of_day_prices": time_of_day,
                            "catalog_version": release,
                        }
                    )
    return _merge_adjacent(rows)


def _without_time_of_day(model: types.ModelInfo) -> tuple[types.ModelInfo, bool]:
    if isinstance(model.prices, types.ModelPrice):
        return model, False
    kept = [p for p in model.prices if not isinstance(p.constraint, types.TimeOfDateConstraint)]
    if len(kept) == len(model.prices):
        return model, False
    return dataclasses.replace(model, prices=kept), True


def _intervals(model: types.ModelInfo) -> list[tuple[date | None, date | None]]:
    """[from, to) date intervals between every start date the model's prices or variants name."""
    starts: set[date] = set()
    if not isinstance(model.prices, types.ModelPrice):
        starts.update(
            p.constraint.start_date
            for p in model.prices
            if isinstance(p.constraint, types.StartDateConstraint)
        )
    for variant in model.price_variants or ():
        if isinstance(variant.constraint, types.StartDateConstraint):
            starts.add(variant.constraint.start_date)
    bounds: list[date | None] = [None, *sorted(starts), None]
    return list(pairwise(bounds))


def _variant_active(model: types.ModelInfo, context: dict[str, str], start: date | None) -> bool:
    at = datetime.combine(start or date(1970, 1, 1), datetime.min.time(), tzinfo=UTC)
    return any(
        variant.when.items() <= context.items()
        and (variant.constraint is None or variant.constraint.active(at))
        and any(getattr(variant.prices, key, None) is not None for key in COMPONENTS.values())
        for variant in model.price_variants or ()
    )


def _bands(value: Decimal | types.TieredPrices | None) -> list[tuple[int, int | None, Decimal]]:
    """(threshold, upper, price): a band applies to a request whose input tokens n satisfy
    threshold < n <= upper (the base band, threshold 0, also takes n = 0); genai-prices applies
    the crossed band's price to every token of the request."""
    if value is None:
        return []
    if not isinstance(value, types.TieredPrices):
        return [(0, None, value)]
    starts = [0, *(t.start for t in value.tiers)]
    prices = [value.base, *(t.price for t in value.tiers)]
    uppers = [*starts[1:], None]
    return list(zip(starts, uppers, prices, strict=True))


def _merge_adjacent(rows: list[dict]) -> list[dict]:
    """Join consecutive intervals whose price is unchanged, so a row is one price's validity."""
    merged: list[dict] = []
    for row in sorted(rows, key=_order):
        last = merged[-1] if merged else None
        if (
            last is not None
            and _identity(last) == _identity(row)
            and last["price_per_mtok"] == row["price_per_mtok"]
            and last["effective_to"] == row["effective_from"]
        ):
            last["effective_to"] = row["effective_to"]
        else:
            merged.append(dict(row))
    return merged


def _identity(row: dict) -> tuple:
    return (row["model_id"], row["price_tier"], row["component"], row["band_threshold_tokens"])


def _order(row: dict) -> tuple:
    return (*_identity(row), row["effective_from"] or date.min)


def _exact(price: Decimal) -> str:
    text = format(price, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _equals(match: types.MatchLogic) -> set[str]:
    """Every exact model reference a match clause names."""
    if isinstance(match, types.ClauseEquals):
        return {match.equals.lower()}
    if isinstance(match, types.ClauseOr):
        return set().union(*(_equals(m) for m in match.or_))
    return set()


def price_on(
    prices: pa.Table,
    provider: str,
    model_id: str,
    component: str,
    day: date,
    *,
    tier: str = "standard",
    input_tokens: int = 0,
) -> Decimal | None:
    """The catalog's price for one request on `day` (the lookup the warehouse's SQL does)."""
    for row in prices.to_pylist():
        if (
            (row["provider"], row["model_id"], row["price_tier"], row["component"])
            == (provider, model_id, tier, component)
            and (row["effective_from"] is None or row["effective_from"] <= day)
            and (row["effective_to"] is None or day < row["effective_to"])
            and (input_tokens > row["band_threshold_tokens"] or row["band_threshold_tokens"] == 0)
            and (row["band_upper_tokens"] is None or input_tokens <= row["band_upper_tokens"])
        ):
            return Decimal(row["price_per_mtok"])
    return None
