"""HTML rendering: Jinja templates next to this module, money formatted for people."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


def money(value: Decimal | int | None, currency: str = "") -> str:
    amount = Decimal(value or 0).quantize(Decimal("0.01"))
    return f"{amount:,.2f} {currency}".strip()


def signed_money(value: Decimal | None, currency: str = "") -> str:
    amount = Decimal(value or 0).quantize(Decimal("0.01"))
    return f"{amount:+,.2f} {currency}".strip()


def pct(value: Decimal | float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{Decimal(value):,.{digits}f}%"


def integer(value: int | None) -> str:
    return "" if value is None else f"{int(value):,}"


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(money=money, signed_money=signed_money, pct=pct, integer=integer)
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
