"""The account page's chart: cumulative emissions by month against the allowance, as inline SVG.

Drawn on the server, with no script and no style attributes (the content security policy allows neither):
lines and labels carry classes that webapp/static/accounts.css colours. The allowance is a horizontal line; with
retired offsets, a second, dashed line shows allowance + offsets, the budget the balance is measured against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 72, 150, 16, 36
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
GRID_LINES = 4
_GRAMS_PER_TONNE = 1_000_000


@dataclass(frozen=True)
class ChartLine:
    css_class: str
    label: str
    grams: int


def cumulative_g(monthly_g: Sequence[int]) -> list[int]:
    totals, running = [], 0
    for grams in monthly_g:
        running += grams
        totals.append(running)
    return totals


def _nice_ceiling_t(grams: int) -> int:
    """A round number of tonnes at or above `grams`: 1, 2 or 5 times a power of ten."""
    tonnes = max(Decimal(grams) / _GRAMS_PER_TONNE, Decimal(1))
    magnitude = Decimal(10) ** (len(str(int(tonnes))) - 1)
    for step in (1, 2, 5, 10):
        if tonnes <= step * magnitude:
            return int((step * magnitude).to_integral_value(rounding=ROUND_CEILING))
    raise AssertionError("unreachable: 10 x magnitude exceeds tonnes")


def balance_chart(monthly_g: Sequence[int], year: int, limits: Sequence[ChartLine]) -> Markup:
    """SVG of the cumulative sum of `monthly_g` (12 months) with a horizontal line for each of `limits`."""
    totals = cumulative_g(monthly_g)
    top_t = _nice_ceiling_t(max([*totals, *(line.grams for line in limits), 1]))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(month_index: int) -> float:
        return LEFT + plot_width * (month_index + 0.5) / 12

    def y(grams: int) -> float:
        return TOP + plot_height * (1 - grams / (top_t * _GRAMS_PER_TONNE))

    parts = [
        f'<svg class="balance-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">Cumulative emissions in {year} against the allowance</title>',
        f'<desc id="chart-desc">Cumulative emissions reach {totals[-1] / _GRAMS_PER_TONNE:,.3f} t CO2e by December; '
        + "; ".join(f"{escape(line.label)} {line.grams / _GRAMS_PER_TONNE:,.3f} t" for line in limits) + ".</desc>",
    ]
    for step in range(GRID_LINES + 1):
        grams = top_t * _GRAMS_PER_TONNE * step // GRID_LINES
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{LEFT + plot_width}" y1="{y(grams):.1f}" '
                     f'y2="{y(grams):.1f}"/>')
        parts.append(f'<text class="chart-axis" x="{LEFT - 6}" y="{y(grams) + 4:.1f}" text-anchor="end">'
                     f'{grams // _GRAMS_PER_TONNE:,} t</text>')
    for index, month in enumerate(MONTHS):
        parts.append(f'<text class="chart-axis" x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                     f'text-anchor="middle">{month}</text>')
    for line in limits:
        parts.append(f'<line class="{escape(line.css_class)}" x1="{LEFT}" x2="{LEFT + plot_width}" '
                     f'y1="{y(line.grams):.1f}" y2="{y(line.grams):.1f}"/>')
        parts.append(f'<text class="chart-label {escape(line.css_class)}-label" x="{LEFT + plot_width + 6}" '
                     f'y="{y(line.grams) + 4:.1f}">{escape(line.label)}</text>')
    points = " ".join(f"{x(index):.1f},{y(grams):.1f}" for index, grams in enumerate(totals))
    parts.append(f'<polyline class="chart-emissions" points="{points}"/>')
    parts += [f'<circle class="chart-emissions-point" cx="{x(index):.1f}" cy="{y(grams):.1f}" r="3">'
              f'<title>{MONTHS[index]}: {grams / _GRAMS_PER_TONNE:,.3f} t CO2e so far</title></circle>'
              for index, grams in enumerate(totals)]
    parts.append(f'<text class="chart-label chart-emissions-label" x="{LEFT + plot_width + 6}" '
                 f'y="{y(totals[-1]) + 4:.1f}">emissions</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
