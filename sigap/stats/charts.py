"""Charts as inline SVG markup, drawn on the server.

No scripts and no style attributes (the Content-Security-Policy is 'self'):
shapes carry classes styled in ``stats/stats.css`` plus ``fill`` presentation
attributes as a fallback. Every text is escaped. Each chart has a <title> and
sits next to a table holding the same numbers, which is what screen readers and
downloads use.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SERIES_FILLS = ("#1f5f8b", "#d9822b", "#4f8a3c", "#8b3a62")
WIDTH = 640
_ids = itertools.count(1)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _number(value: Any) -> str:
    """A shown value: localised, thousands grouped, floats to one decimal."""
    if isinstance(value, float):
        return formats.number_format(value, decimal_pos=1)
    return formats.number_format(value, force_grouping=True)


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _legend(series: Sequence[str], y: float) -> list[str]:
    parts = []
    x = 8.0
    for index, name in enumerate(series):
        fill = SERIES_FILLS[index % len(SERIES_FILLS)]
        parts.append(f'<rect class="bar s{index}" x="{_fmt(x)}" y="{_fmt(y)}" width="12" height="12" fill="{fill}"/>')
        parts.append(f'<text class="legend" x="{_fmt(x + 16)}" y="{_fmt(y + 10)}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return parts


def hbars(title: str, rows: Sequence[tuple[Any, Sequence[Any]]], series: Sequence[str],
          *, unit: str = "", peak: float | None = None) -> SafeString:
    """Horizontal bars, one group per row (label on the left, value at the end of each bar)."""
    if not rows:
        return mark_safe("")
    chart_id = f"chart-{next(_ids)}"
    n_series = max(1, len(series))
    bar_h = 14.0
    group_h = bar_h * n_series + 8
    label_w = 190.0
    value_w = 56.0
    top = 24.0 if n_series > 1 else 6.0
    height = top + group_h * len(rows) + 4
    peak = peak or max((v for _label, values in rows for v in values), default=0) or 1
    scale = (WIDTH - label_w - value_w - 8) / peak
    parts = [
        f'<svg class="chart chart-h" viewBox="0 0 {WIDTH} {_fmt(height)}" role="img" '
        f'aria-labelledby="{chart_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}">{escape(title)}</title>',
    ]
    if n_series > 1:
        parts += _legend(series, 4)
    for r, (raw_label, values) in enumerate(rows):
        label = str(raw_label)
        y0 = top + r * group_h
        parts.append(
            f'<text class="label" x="{_fmt(label_w - 6)}" y="{_fmt(y0 + group_h / 2 + 2)}" '
            f'text-anchor="end">{escape(_short(label, 30))}</text>'
        )
        for s, value in enumerate(values):
            y = y0 + s * bar_h + 2
            w = max(0.0, value * scale)
            fill = SERIES_FILLS[s % len(SERIES_FILLS)]
            parts.append(
                f'<rect class="bar s{s}" x="{_fmt(label_w)}" y="{_fmt(y)}" width="{_fmt(w)}" '
                f'height="{_fmt(bar_h - 3)}" fill="{fill}"/>'
            )
            parts.append(
                f'<text class="value" x="{_fmt(label_w + w + 4)}" y="{_fmt(y + bar_h - 5)}">'
                f"{escape(_number(value) + unit)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def columns(title: str, rows: Sequence[tuple[Any, Sequence[Any]]], series: Sequence[str],
            ticks: Sequence[str] | None = None) -> SafeString:
    """Vertical columns over time (months), one group per period.

    ``ticks``: the axis label under each group ("" for none, a newline for a
    second line); by default the row labels, thinned to about twelve.
    """
    if not rows:
        return mark_safe("")
    chart_id = f"chart-{next(_ids)}"
    n_series = max(1, len(series))
    height = 220.0
    top, bottom, left, right = 26.0, 34.0, 36.0, 8.0
    plot_h = height - top - bottom
    plot_w = WIDTH - left - right
    group_w = plot_w / len(rows)
    bar_w = max(1.0, (group_w - 2) / n_series)
    peak = max((v for _label, values in rows for v in values), default=0) or 1
    parts = [
        f'<svg class="chart chart-v" viewBox="0 0 {WIDTH} {_fmt(height)}" role="img" '
        f'aria-labelledby="{chart_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}">{escape(title)}</title>',
    ]
    parts += _legend(series, 4)
    for fraction in (0, 0.5, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line class="grid" x1="{_fmt(left)}" x2="{_fmt(WIDTH - right)}" y1="{_fmt(y)}" '
                     f'y2="{_fmt(y)}" stroke="#cccccc"/>')
        parts.append(f'<text class="axis" x="{_fmt(left - 4)}" y="{_fmt(y + 4)}" text-anchor="end">'
                     f"{_number(round(peak * fraction))}</text>")
    every = max(1, -(-len(rows) // 12))
    if ticks is None:
        ticks = [str(label) if i % every == 0 else "" for i, (label, _values) in enumerate(rows)]
    for i, (raw_label, values) in enumerate(rows):
        label = str(raw_label)
        x0 = left + i * group_w + 1
        for s, value in enumerate(values):
            h = plot_h * value / peak
            fill = SERIES_FILLS[s % len(SERIES_FILLS)]
            parts.append(
                f'<rect class="bar s{s}" x="{_fmt(x0 + s * bar_w)}" y="{_fmt(top + plot_h - h)}" '
                f'width="{_fmt(max(0.5, bar_w - 1))}" height="{_fmt(h)}" fill="{fill}">'
                f"<title>{escape(label)}: {escape(_number(value))}</title></rect>"
            )
        if i < len(ticks) and ticks[i]:
            # A tick may have a second line ("Jan\n2026"): month above, year below, so labels stay short.
            for line, text in enumerate(ticks[i].split("\n")[:2]):
                parts.append(
                    f'<text class="axis" x="{_fmt(x0 + group_w / 2)}" y="{_fmt(height - bottom + 14 + 12 * line)}" '
                    f'text-anchor="middle">{escape(text)}</text>'
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
