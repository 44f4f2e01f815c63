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
    """+1,234.50 USD, or 0.00 USD for what shows as zero (never -0.00)."""
    amount = Decimal(value or 0).quantize(Decimal("0.01"))
    text = "0.00" if amount == 0 else f"{amount:+,.2f}"
    return f"{text} {currency}".strip()


def pct(value: Decimal | float | None, digits: int = 1) -> str:
    """12.3%, never -0.0%."""
    if value is None:
        return "-"
    shown = Decimal(value).quantize(Decimal(1).scaleb(-digits))
    return f"{abs(shown) if shown == 0 else shown:,.{digits}f}%"


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
