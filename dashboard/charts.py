"""A stacked bar chart laid out on the server, drawn by the template as inline SVG.

No chart library: the page renders offline, without JavaScript, and prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from dashboard.stats import Bucket

WIDTH = 960
HEIGHT = 260
LEFT = 44  # room for the count labels
BOTTOM = 24  # room for the time labels
TOP = 8


@dataclass(frozen=True)
class Segment:
    state: str
    count: int
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    label: str
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class StackedBars:
    width: int
    height: int
    left: int
    plot_bottom: int
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    states: list[str]


def stacked_bars(buckets: list[Bucket], step: timedelta, states: list[str]) -> StackedBars:
    plot_height = HEIGHT - TOP - BOTTOM
    plot_bottom = HEIGHT - BOTTOM
    peak = _nice_ceiling(max((b.total for b in buckets), default=0))
    slot = (WIDTH - LEFT) / max(len(buckets), 1)
    gap = min(2.0, slot * 0.2)
    label_format = "%b %d %H:00" if step < timedelta(days=1) else "%b %d"
    bars = []
    for i, bucket in enumerate(buckets):
        y = float(plot_bottom)
        segments = []
        for state in states:
            count = bucket.counts.get(state, 0)
            if not count:
                continue
            height = plot_height * count / peak
            y -= height
            segments.append(Segment(state, count, round(y, 2), round(height, 2)))
        bars.append(
            Bar(
                round(LEFT + i * slot + gap / 2, 2),
                round(slot - gap, 2),
                bucket.start.strftime(label_format),
                bucket.total,
                segments,
            )
        )
    y_ticks = [Tick(round(plot_bottom - plot_height * n / peak, 2), str(n)) for n in (0, peak // 2, peak)]
    x_ticks = [Tick(round(bar.x + bar.width / 2, 2), bar.label) for bar in _labelled(bars, buckets, step)]
    return StackedBars(WIDTH, HEIGHT, LEFT, plot_bottom, bars, y_ticks, x_ticks, states)


def _nice_ceiling(value: int) -> int:
    """A round top for the y axis (10, 20, 50, 100, ...) that is even, so its half is a whole number."""
    if value <= 2:
        return 2
    magnitude = 1
    while True:
        for factor in (2, 4, 6, 8, 10):
            if value <= factor * magnitude:
                return factor * magnitude
        magnitude *= 10


def _labelled(bars: list[Bar], buckets: list[Bucket], step: timedelta) -> list[Bar]:
    """About six bars to label; over several days of hours, the midnights, so the labels read as dates."""
    if step < timedelta(days=1) and len(buckets) > 36:
        midnights = [bar for bar, bucket in zip(bars, buckets, strict=True) if bucket.start.hour == 0]
        return [Bar(b.x, b.width, b.label.removesuffix(" 00:00"), b.total, b.segments) for b in midnights]
    return bars[:: max(1, len(bars) // 6)]
