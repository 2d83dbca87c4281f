"""Chart geometry for the audit pages: plain values in, numbers for the templates out.

No chart library: a stacked bar is an SVG of patterned rectangles (`audit_tags.share_bar`),
a trend is an SVG drawn by `audit/_trend_chart.html` from `trend_chart`; both are drawn with
attributes, never inline styles, so the Content-Security-Policy needs no 'unsafe-inline'.
Every chart carries its numbers as text and sits beside a table with the same figures, so it
reads without colour.
"""

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

from core.numbers import PERCENT_PLACES, percent_text, rounded_text
from core.vocabulary import FUNCTION_LABELS, FUNCTIONS

# A segment narrower than this share has no room for its label inside; the legend has it.
LABEL_MIN_SHARE = Fraction(8, 100)
# A position along a bar, in % of its width, has this many decimals at most.
POSITION_PLACES = 4


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    share: Fraction
    text: str  # "62.5%", inside the bar and in the tables alike
    start: str  # where the segment starts, in % of the bar's width: "12.5"
    width: str  # its width, in %: "62.5"
    centre: str  # where its label sits, in %
    show_text: bool


def bar_segments(shares) -> list[Segment]:
    """One segment per function, in the order of FUNCTIONS; [] when there are no shares."""
    if shares is None:
        return []
    segments = []
    before = Fraction(0)
    for key in FUNCTIONS:
        share = shares[key]
        segments.append(
            Segment(
                key=key,
                label=FUNCTION_LABELS[key],
                share=share,
                text=percent_text(share),
                start=_percent(before),
                width=_percent(share),
                centre=_percent(before + share / 2),
                show_text=share >= LABEL_MIN_SHARE,
            )
        )
        before += share
    return segments


def small_bar(shares) -> tuple[list[tuple[str, str, str]], str]:
    """A table row's bar, as `bar_segments` and `shares_text` give it:
    ((start, width, key) of each segment with a share, the bar's name), in integers alone.

    A team's table draws one per person, and each segment's Fractions (the running start, its
    comparisons) and objects were most of a row's time. The four shares are put over one
    denominator, so each start is a sum of integers; each figure is rounded by the same rule,
    half away from zero (`core.numbers`), and a test holds it to `bar_segments` and
    `shares_text`."""
    if shares is None:
        return [], "No tagged minutes"
    values = [shares[key] for key in FUNCTIONS]
    common = lcm(*(value.denominator for value in values))
    drawn = []
    names = []
    before = 0
    for key, value in zip(FUNCTIONS, values, strict=True):
        numerator = value.numerator * (common // value.denominator)
        names.append(f"{FUNCTION_LABELS[key]} {_units_text(numerator, common, PERCENT_PLACES)}%")
        if numerator:
            drawn.append(
                (
                    _units_text(before, common, POSITION_PLACES),
                    _units_text(numerator, common, POSITION_PLACES),
                    key,
                )
            )
        before += numerator
    return drawn, ", ".join(names)


def _units_text(numerator, denominator, places) -> str:
    """`rounded_text(Fraction(numerator, denominator), places, times=100)` for a share from 0
    to 1: its percentage, half away from zero, trailing zeros dropped."""
    scale = 10**places
    whole = (200 * numerator * scale + denominator) // (2 * denominator)
    units, rest = divmod(whole, scale)
    if not rest:
        return str(units)
    return f"{units}.{rest:0{places}d}".rstrip("0")


def _percent(share) -> str:
    """A position along a bar, in % of its width, for an SVG attribute: 4 decimals at most."""
    return rounded_text(share, POSITION_PLACES, times=100)


def shares_text(shares, segments=None) -> str:
    """'Management 62.5%, Development 12.5%, ...': a bar's name, as exact as the tables (from
    its `segments` when they are made already: the same texts)."""
    if shares is None:
        return "No tagged minutes"
    if segments:
        return ", ".join(f"{segment.label} {segment.text}" for segment in segments)
    return ", ".join(f"{FUNCTION_LABELS[key]} {percent_text(shares[key])}" for key in FUNCTIONS)


# The monthly trend: a 100% stacked column per month.

PLOT_TOP = 12
PLOT_HEIGHT = 200
AXIS_WIDTH = 44
COLUMN_WIDTH = 40
COLUMN_GAP = 22
LABEL_SPACE = 40
# A column segment shorter than this (in px) has no room for its percentage.
LABEL_MIN_HEIGHT = 15


@dataclass(frozen=True)
class ColumnSegment:
    key: str
    label: str
    y: float
    height: float
    text: str
    text_y: float
    show_text: bool


@dataclass(frozen=True)
class Column:
    x: float
    centre: float
    month: str
    year: str
    empty: bool
    segments: tuple[ColumnSegment, ...]


@dataclass(frozen=True)
class TrendChart:
    width: int
    height: int
    plot_top: int
    plot_height: int
    plot_bottom: int
    plot_left: int
    plot_right: int
    axis_label_x: int
    column_width: int
    gridlines: tuple[tuple[float, str], ...]
    columns: tuple[Column, ...]
    empty_y: float
    month_y: float
    year_y: float


def _px(value) -> float:
    return round(float(value), 2)


# A segment shorter than LABEL_MIN_HEIGHT px, as a share of the column: compared exactly.
_LABEL_MIN_COLUMN_SHARE = Fraction(LABEL_MIN_HEIGHT, PLOT_HEIGHT)


def trend_chart(months) -> TrendChart:
    """Geometry for `months` (each with `start` and `minutes`): management at the bottom.

    Positions are worked out in floats (pixels, rounded to 2 decimals) from shares that are
    exact, a segment's height from the exact shares below it; whether a label fits is decided
    on the exact share. In Fractions a year's chart took 0.7 ms."""
    bottom = PLOT_TOP + PLOT_HEIGHT
    columns = []
    for index, month in enumerate(months):
        x = AXIS_WIDTH + COLUMN_GAP / 2 + index * (COLUMN_WIDTH + COLUMN_GAP)
        shares = month.minutes.shares
        segments = []
        if shares is not None:
            below = Fraction(0)
            for key in FUNCTIONS:
                share = shares[key]
                height = float(share) * PLOT_HEIGHT
                top = bottom - float(below + share) * PLOT_HEIGHT
                segments.append(
                    ColumnSegment(
                        key=key,
                        label=FUNCTION_LABELS[key],
                        y=_px(top),
                        height=_px(height),
                        text=percent_text(share),
                        text_y=_px(top + height / 2 + 4),
                        show_text=share >= _LABEL_MIN_COLUMN_SHARE,
                    )
                )
                below += share
        columns.append(
            Column(
                x=_px(x),
                centre=_px(x + COLUMN_WIDTH / 2),
                month=month.start.strftime("%b"),
                year=month.start.strftime("%Y"),
                empty=shares is None,
                segments=tuple(segments),
            )
        )
    width = AXIS_WIDTH + len(columns) * (COLUMN_WIDTH + COLUMN_GAP) + 4
    gridlines = tuple(
        (_px(bottom - PLOT_HEIGHT * Fraction(p, 100)), f"{p}%") for p in (0, 25, 50, 75, 100)
    )
    return TrendChart(
        width=width,
        height=bottom + LABEL_SPACE,
        plot_top=PLOT_TOP,
        plot_height=PLOT_HEIGHT,
        plot_bottom=bottom,
        plot_left=AXIS_WIDTH,
        plot_right=width - 4,
        axis_label_x=AXIS_WIDTH - 6,
        column_width=COLUMN_WIDTH,
        gridlines=gridlines,
        columns=tuple(columns),
        empty_y=bottom - PLOT_HEIGHT / 2,
        month_y=bottom + 16,
        year_y=bottom + 32,
    )
