"""Billing variances the sandbox plants on purpose, and the reconciliation lines they put off.

Everywhere else the sandbox bills catalog list prices of the usage day (or a rate
governance/price_overrides.yml declares), so rated cost matches invoiced cost. Two things depart:
- one OpenAI project is overbilled on a few days (a billing error to dispute);
- Vertex AI raises Gemini 2.5 Flash's token prices mid-month before the catalog knows (a price
  change to declare as an override, which then restates rated cost from that day).
`planted_variances` lists the account lines those touch: the lines the warehouse's cost
reconciliation must flag as out of tolerance, and the only ones, once the days have settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sandbox.enterprise import Enterprise

OVERBILLED_APPLICATION = "app-contract-reviewer"
OVERBILLED_DAYS = (date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5))
OVERBILL_FACTOR = Decimal("1.25")
PRICE_CHANGE_MODEL = "gemini-2.5-flash"
PRICE_CHANGE_FROM = date(2026, 11, 16)
PRICE_CHANGE_FACTOR = Decimal("1.20")


@dataclass(frozen=True)
class PlantedVariance:
    provider: str
    account_id: str
    day: date
    cause: str


def overbilled_project(enterprise: Enterprise) -> str:
    return next(
        p.project_id
        for p in enterprise.projects
        if p.application_id == OVERBILLED_APPLICATION and p.environment == "production"
    )


def openai_bill_factor(enterprise: Enterprise, project_id: str, day: date) -> Decimal:
    """What OpenAI's bill multiplies list-price cost by for one project and day."""
    if day in OVERBILLED_DAYS and project_id == overbilled_project(enterprise):
        return OVERBILL_FACTOR
    return Decimal(1)


def vertex_price_factor(model: str, day: date) -> Decimal:
    """What Vertex AI's token prices are, relative to the catalog, for one model and day."""
    if model == PRICE_CHANGE_MODEL and day >= PRICE_CHANGE_FROM:
        return PRICE_CHANGE_FACTOR
    return Decimal(1)


def planted_variances(enterprise: Enterprise, start: date, end: date) -> list[PlantedVariance]:
    """Account lines (provider, account, day) in [start, end) the plants put off list price."""
    from sandbox.providers.google_vertex import PROJECTS

    lines = [
        PlantedVariance(
            "openai",
            overbilled_project(enterprise),
            day,
            f"overbilled x{OVERBILL_FACTOR} ({OVERBILLED_APPLICATION}, production)",
        )
        for day in OVERBILLED_DAYS
    ]
    flash_projects = sorted(
        project_id
        for project_id, workloads, _ in PROJECTS.values()
        if any(w.model == PRICE_CHANGE_MODEL for w in workloads)
    )
    day = PRICE_CHANGE_FROM
    while day < end:
        lines.extend(
            PlantedVariance(
                "google_vertex",
                project_id,
                day,
                f"{PRICE_CHANGE_MODEL} prices x{PRICE_CHANGE_FACTOR} from {PRICE_CHANGE_FROM}",
            )
            for project_id in flash_projects
        )
        day += timedelta(days=1)
    return sorted(
        (v for v in lines if start <= v.day < end), key=lambda v: (v.day, v.provider, v.account_id)
    )
