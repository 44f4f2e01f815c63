"""Charts as inline SVG (matplotlib, no files, no network): the HTML reports stay self-contained."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.dates import DateFormatter, MonthLocator
from matplotlib.ticker import FuncFormatter

INK = "#1f2933"
MUTED = "#7b8794"
PALETTE = ("#2f6fde", "#f59f00", "#12b886", "#e8590c", "#7048e8", "#0ca678", "#d6336c", "#495057")
UP = "#e03131"
DOWN = "#2f9e44"


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#cbd2d9")
    ax.tick_params(colors=INK, labelsize=9)
    ax.grid(axis="x" if ax.get_xlabel() == "" else "y", color="#e4e7eb", linewidth=0.8)
    ax.set_axisbelow(True)


def _money_axis(currency: str):
    """Tick labels short enough to read and exact enough to tell apart (1.5k beside 2k, never two
    2k), and no negative zero."""

    def label(value, _pos):
        value = 0.0 if abs(value) < 1e-9 else value
        scale, suffix = next(
            ((s, x) for s, x in ((1_000_000, "M"), (1_000, "k")) if abs(value) >= s), (1, "")
        )
        return f"{value / scale:,.3f}".rstrip("0").rstrip(".") + suffix

    return FuncFormatter(label)


def signed_amount(value: float) -> str:
    """+1,234.50 / -0.25 / 0.00: a change as displayed, without a sign when it shows as zero."""
    cents = round(value, 2)
    return "0.00" if cents == 0 else f"{cents:+,.2f}"


def _svg(fig) -> str:
    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        fig.savefig(
            buffer,
            format="svg",
            bbox_inches="tight",
            transparent=True,
            metadata={"Creator": None, "Date": None, "Format": None, "Type": None},
        )
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _figure(width: float, height: float):
    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    fig.patch.set_alpha(0)
    return fig, ax


def spend_trend(points: Sequence[tuple[date, str, Decimal]], highlight: date, currency: str) -> str:
    """Stacked monthly columns per charge kind, the report month emphasised."""
    months = sorted({month for month, _, _ in points})
    kinds = sorted({kind for _, kind, _ in points})
    fig, ax = _figure(7.2, 3.0)
    bottoms = [0.0] * len(months)
    labels = [m.strftime("%b %Y") for m in months]
    for i, kind in enumerate(kinds):
        heights = [
            float(sum((a for m, k, a in points if m == month and k == kind), Decimal(0)))
            for month in months
        ]
        bars = ax.bar(
            labels, heights, bottom=bottoms, color=PALETTE[i % len(PALETTE)], label=kind, width=0.6
        )
        for bar, month in zip(bars, months, strict=True):
            if month != highlight:
                bar.set_alpha(0.45)
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    for x, (month, total) in enumerate(zip(months, bottoms, strict=True)):
        ax.annotate(
            f"{total:,.0f}",
            (x, total),
            ha="center",
            va="bottom",
            fontsize=8,
            color=INK if month == highlight else MUTED,
            fontweight="bold" if month == highlight else "normal",
            xytext=(0, 2),
            textcoords="offset points",
        )
    ax.set_ylabel(currency, color=MUTED, fontsize=9)
    ax.yaxis.set_major_formatter(_money_axis(currency))
    ax.legend(
        frameon=False, fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(kinds)
    )
    _style(ax)
    ax.grid(axis="x", visible=False)
    return _svg(fig)


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence[Decimal],
    currency: str,
    colors: Sequence[str] | None = None,
    diverging: bool = False,
) -> str:
    """Labelled horizontal bars, biggest on top; diverging bars are red up and green down, grey for a
    change that shows as zero."""
    count = max(len(labels), 1)
    fig, ax = _figure(7.2, 0.5 + 0.34 * count)
    floats = [float(v) for v in values]
    if diverging:
        colors = [UP if round(v, 2) > 0 else DOWN if round(v, 2) < 0 else MUTED for v in floats]
    ax.barh(
        list(labels)[::-1],
        floats[::-1],
        color=list(colors or [PALETTE[0]] * count)[::-1],
        height=0.62,
    )
    span = max((abs(v) for v in floats), default=0) or 1
    for y, value in enumerate(floats[::-1]):
        text = signed_amount(value) if diverging else f"{value:,.2f}"
        ax.annotate(
            text,
            (value, y),
            xytext=(4 if value >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if value >= 0 else "right",
            va="center",
            fontsize=8,
            color=INK,
        )
    if diverging:
        ax.axvline(0, color="#9aa5b1", linewidth=0.8)
        ax.set_xlim(-span * 1.35 if min(floats, default=0) < 0 else 0, span * 1.35)
    else:
        ax.set_xlim(0, span * 1.25)
    ax.xaxis.set_major_formatter(_money_axis(currency))
    ax.set_xlabel(currency, color=MUTED, fontsize=9)
    _style(ax)
    ax.grid(axis="y", visible=False)
    return _svg(fig)


def budget_burn(
    labels: Sequence[str], burn_pct: Sequence[Decimal], forecast_pct: Sequence[Decimal]
) -> str:
    """Share of budget spent per team, the forecast as a tick, and the 100 % line."""
    count = max(len(labels), 1)
    fig, ax = _figure(7.2, 0.5 + 0.34 * count)
    spent = [float(v) for v in burn_pct][::-1]
    forecast = [float(v) for v in forecast_pct][::-1]
    names = list(labels)[::-1]
    colors = [UP if f > 100 else ("#f59f00" if f > 90 else DOWN) for f in forecast]
    ax.barh(names, spent, color=colors, height=0.62)
    ax.scatter(forecast, names, marker="|", s=220, color=INK, zorder=3, label="forecast month end")
    ax.axvline(100, color=INK, linestyle="--", linewidth=0.9)
    for y, value in enumerate(spent):
        ax.annotate(
            f"{value:,.0f}%",
            (value, y),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
        )
    ax.set_xlim(0, max([*spent, *forecast, 100]) * 1.2)
    ax.set_xlabel("% of monthly budget", color=MUTED, fontsize=9)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    _style(ax)
    ax.grid(axis="y", visible=False)
    return _svg(fig)


def series_lines(series: dict[str, Sequence[tuple[date, Decimal]]], unit: str) -> str:
    """One line per series over months (the executive summary's spend per provider)."""
    fig, ax = _figure(7.2, 3.0)
    for i, (name, points) in enumerate(sorted(series.items())):
        xs = [month for month, _ in points]
        ys = [float(value) for _, value in points]
        ax.plot(
            xs,
            ys,
            marker="o",
            markersize=3,
            linewidth=1.8,
            color=PALETTE[i % len(PALETTE)],
            label=name,
        )
    ax.yaxis.set_major_formatter(_money_axis(unit))
    ax.set_ylabel(unit, color=MUTED, fontsize=9)
    # one tick per month (the points), and the legend above the plot, off the lines
    ax.xaxis.set_major_locator(MonthLocator())
    ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    ax.legend(frameon=False, fontsize=8, ncols=3, loc="lower left", bbox_to_anchor=(0, 1.0))
    _style(ax)
    return _svg(fig)
