"""Accessible inline SVG charts, drawn on the server (no script, no CDN).

Charts are laid out in percentages of their width with text at a fixed size, so one
drawing stays legible from a phone to a laptop: each row puts its label on a line of its
own above its bar. Every chart has `role="img"`, an `aria-label` and a `<title>` that
summarise it in words; the page puts a data table right after each chart.

Colours are presentation attributes (the Content-Security-Policy refuses inline styles)
and keep at least 3:1 contrast against white, as WCAG asks of graphics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

INK = "#1d2433"
ACCENT = "#2d5b8a"
TRACK = "#e8eef5"
INTERVAL_FILL = "#9db8d6"
# Backgrounds of published bands behind a mean, lowest scores first (text stays INK).
BAND_TINTS = ("#eef3ea", "#f6f1dc", "#f9e6cf", "#f6d6cc", "#efc6c6")
BAND_HEAD = 22
GRID = "#8a93a3"
FONT_SIZE = 14
LABEL_HEIGHT = 20
BAR_HEIGHT = 16
ROW_GAP = 10
AXIS_HEIGHT = 24
# The plot runs from LEFT% to LEFT+SPAN% of the chart's width.
LEFT = 2.0
SPAN = 96.0
# About what fits on one line of a 340 px wide chart (a phone) at 14 px.
LABEL_CHARS = 40


@dataclass(frozen=True)
class BandBar:
    """One band (or run of bands) with the coded range its share falls in, in percent."""

    label: str
    text: str
    lower: float
    upper: float


@dataclass(frozen=True)
class Whisker:
    """One group's mean, optionally with its 95% confidence interval; or only a range.

    A ranged row (a small group's figures) is drawn as the interval its mean lies in, with
    no dot: there is no point estimate to show.
    """

    label: str
    mean: float
    ci_low: float | None = None
    ci_high: float | None = None
    ranged: bool = False
    # The name read out, when the drawn label is shortened (e.g. without the organisation).
    spoken: str | None = None


def number(value: float | None, places: int = 1) -> str:
    """A figure for reading: fixed decimals, a real minus sign; a dash when missing."""
    if value is None:
        return "–"
    text = f"{value:.{places}f}"
    return text.replace("-", "−") if value < 0 else text


def _short(label: str, room: int = LABEL_CHARS) -> str:
    """Chart labels stay on one line at phone width; the table beside carries them in full."""
    return label if len(label) <= room else label[: room - 1].rstrip() + "…"


def _x(value: float, low: float, high: float) -> float:
    """Where a value sits, in percent of the chart's width (clamped to the plot)."""
    share = 0.0 if high <= low else (value - low) / (high - low)
    return round(LEFT + SPAN * min(max(share, 0.0), 1.0), 2)


def _svg(summary: str, height: int, body: list[str]) -> Markup:
    label = escape(summary)
    head = (
        f'<svg class="chart" role="img" aria-label="{label}" width="100%" height="{height}" '
        f'font-size="{FONT_SIZE}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{label}</title>"
    )
    # Every text part above went through escape(); numbers are formatted by this module.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  # nosec B704


def _text(x: float, y: float, content: str, anchor: str = "start", fill: str = INK) -> str:
    return f'<text x="{x}%" y="{y}" text-anchor="{anchor}" fill="{fill}">{escape(content)}</text>'


def _vline(x: float, y1: float, y2: float, colour: str, *, width: int = 1, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x}%" x2="{x}%" y1="{y1}" y2="{y2}" stroke="{colour}" '
        f'stroke-width="{width}"{dashed}/>'
    )


def nice_ticks(low: float, high: float, most: int = 5) -> list[float]:
    """Round axis values inside [low, high]: steps of 1, 2 or 5 times a power of ten."""
    return list(_ticks(low, high, most))


@lru_cache(maxsize=64)
def _ticks(low: float, high: float, most: int) -> tuple[float, ...]:
    if high <= low:
        return (low,)
    rough = (high - low) / max(most - 1, 1)
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + 1e-9:
        ticks.append(round(value, 6))
        value += step
    return tuple(ticks)


@lru_cache(maxsize=256)
def _axis_marks(
    y: float, scale: tuple[float, float], ticks: tuple[float, ...], unit: str
) -> tuple[str, str]:
    """The gridlines and tick labels of an axis: the same for every chart of that shape.

    They depend on the axis alone (never on a figure), so each shape is drawn once.
    """
    low, high = scale
    grid, labels = [], []
    for tick in ticks:
        x = _x(tick, low, high)
        anchor = "start" if x <= LEFT + 1 else "end" if x >= LEFT + SPAN - 1 else "middle"
        grid.append(_vline(x, 0, y - AXIS_HEIGHT + 4, GRID, dash="2 3"))
        labels.append(_text(x, y - 6, f"{number(tick, 0)}{unit}", anchor, INK))
    return "".join(grid), "".join(labels)


def _axis(
    body: list[str], y: float, scale: tuple[float, float], ticks: Sequence[float], unit: str
) -> list[str]:
    """Gridlines under the drawing (so labels stay on top), tick values along the bottom."""
    grid, labels = _axis_marks(y, (float(scale[0]), float(scale[1])), tuple(ticks), unit)
    return [grid, *body, labels]


def band_chart(title: str, bars: Sequence[BandBar]) -> Markup:
    """Each band's coded share drawn as the interval it lies in (lower..upper percent).

    An interval, never a bar from 0: a bracket with end caps over a light span, because an
    exact count is exactly what the release withholds, and the shares of several bands,
    read as bars, would seem to add up to more than 100 %.
    """
    row = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    height = row * len(bars) + AXIS_HEIGHT
    body: list[str] = []
    for index, bar in enumerate(bars):
        top = index * row
        start, end = _x(bar.lower, 0, 100), _x(bar.upper, 0, 100)
        # The share sits at the right end of the label line, so it is never cut off.
        room = LABEL_CHARS - len(bar.text) - 2
        body.append(_text(LEFT, top + LABEL_HEIGHT - 6, _short(bar.label, room)))
        body.append(_text(LEFT + SPAN, top + LABEL_HEIGHT - 6, bar.text, "end"))
        middle = top + LABEL_HEIGHT + BAR_HEIGHT / 2
        body.append(
            f'<line x1="{LEFT}%" x2="{LEFT + SPAN}%" y1="{middle}" y2="{middle}" '
            f'stroke="{TRACK}" stroke-width="4"/>'
        )
        body.append(
            f'<rect class="interval" x="{start}%" y="{middle - 5}" '
            f'width="{round(max(end - start, 0.5), 2)}%" height="10" fill="{INTERVAL_FILL}"/>'
        )
        for x in (start, end):
            body.append(_vline(x, middle - 8, middle + 8, ACCENT, width=3))
    body = _axis(body, height, (0, 100), [0, 25, 50, 75, 100], "%")
    summary = (
        f"{title}. "
        + "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
        + ". Each share is a range; ranges never add up to 100%."
    )
    return _svg(summary, height, body)


def _describe(row: Whisker) -> str:
    if row.ranged:
        between = f"between {number(row.ci_low)} and {number(row.ci_high)}"
        return f"{row.spoken or row.label}: mean {between} (a small group: shown as a range)"
    words = f"{row.spoken or row.label}: mean {number(row.mean)}"
    if row.ci_low is not None and row.ci_high is not None:
        words += f" (95% confidence interval {number(row.ci_low)} to {number(row.ci_high)})"
    return words


@dataclass(frozen=True)
class BandSpan:
    """A published band drawn behind means: its label, score bounds and tint."""

    label: str
    low: float
    high: float
    tint: str


def tints_for(count: int, higher_is_better: bool) -> list[str]:
    """One tint per band, lowest scores first, warmer towards the end that is a concern."""
    if count <= 0:
        return []
    picks = [BAND_TINTS[round(i * (len(BAND_TINTS) - 1) / max(count - 1, 1))] for i in range(count)]
    return picks[::-1] if higher_is_better else picks


@lru_cache(maxsize=256)
def _band_backdrop(bands: tuple[BandSpan, ...], low: float, high: float, bottom: float) -> str:
    """Shaded columns for each band, with the band's name in the head row when it fits.

    Drawn from the published bands and the axis alone (never a figure), so once per shape.
    """
    body = []
    for band in bands:
        start = _x(max(band.low, low), low, high)
        end = _x(min(band.high + 1, high), low, high)
        if band is bands[-1]:
            end = _x(min(band.high, high), low, high)
        width = round(max(end - start, 0), 2)
        body.append(
            f'<rect x="{start}%" y="0" width="{width}%" height="{bottom}" fill="{band.tint}"/>'
        )
        # About 8 px a character on a 600 px chart: 1 % of the width holds 0.75 characters.
        if len(band.label) <= width * 0.75:
            body.append(_text((start + end) / 2, BAND_HEAD - 7, band.label, "middle"))
    return "".join(body)


def whisker_chart(
    title: str,
    rows: Sequence[Whisker],
    axis: tuple[float, float],
    reference: float | None = None,
    bands: Sequence[BandSpan] = (),
) -> Markup:
    """Means as dots with 95% confidence-interval whiskers; small groups' ranges as intervals.

    With `bands`, the published bands are shaded behind the rows, so a reader sees at once
    which band each mean (or range) sits in.
    """
    low, high = axis
    row_height = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    head = BAND_HEAD if bands else 0
    height = head + row_height * len(rows) + AXIS_HEIGHT
    body = [_band_backdrop(tuple(bands), low, high, height - AXIS_HEIGHT)] if bands else []
    if reference is not None and low <= reference <= high:
        body.append(
            _vline(_x(reference, low, high), 0, height - AXIS_HEIGHT, INK, width=2, dash="6 4")
        )
    for index, row in enumerate(rows):
        top = head + index * row_height
        middle = top + LABEL_HEIGHT + BAR_HEIGHT / 2
        body.append(_text(LEFT, top + LABEL_HEIGHT - 6, _short(row.label)))
        body.append(
            f'<line x1="{LEFT}%" x2="{LEFT + SPAN}%" y1="{middle}" y2="{middle}" '
            f'stroke="{TRACK}" stroke-width="4"/>'
        )
        if row.ci_low is not None and row.ci_high is not None:
            start, end = _x(row.ci_low, low, high), _x(row.ci_high, low, high)
            if row.ranged:
                body.append(
                    f'<rect class="interval" x="{start}%" y="{middle - 5}" '
                    f'width="{round(max(end - start, 0.5), 2)}%" height="10" '
                    f'fill="{INTERVAL_FILL}"/>'
                )
            else:
                body.append(
                    f'<line x1="{start}%" x2="{end}%" y1="{middle}" y2="{middle}" '
                    f'stroke="{ACCENT}" stroke-width="3"/>'
                )
            for x in (start, end):
                body.append(_vline(x, middle - 8, middle + 8, ACCENT, width=3))
        if not row.ranged:
            body.append(
                f'<circle cx="{_x(row.mean, low, high)}%" cy="{middle}" r="6" fill="{INK}"/>'
            )
    body = _axis(body, height, axis, nice_ticks(low, high), "")
    described = "; ".join(_describe(row) for row in rows)
    if bands:
        described += ". Bands: " + "; ".join(
            f"{b.label} {number(b.low, 0)} to {number(b.high, 0)}" for b in bands
        )
    return _svg(f"{title}. {described}.", height, body)
