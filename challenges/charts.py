"""Small server-side SVG bar charts: geometry computed here, drawn by a template, readable without JavaScript.

A chart is plain data (no markup built in Python, so nothing needs mark_safe); the template
`challenges/dashboard/_bar_chart.html` draws it with a <title> and <desc>, and the page shows
the same numbers in a table for screen readers and print.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 320
HEIGHT = 170
PLOT_LEFT = 30  # room for the y-axis numbers
PLOT_RIGHT = WIDTH - 8
PLOT_TOP = 16  # room for the value above the tallest bar
PLOT_BOTTOM = HEIGHT - 22  # room for the week labels


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class Gridline:
    value: int
    y: float


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    gridlines: tuple[Gridline, ...]
    measured: bool
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT
    baseline: int = PLOT_BOTTOM

    @property
    def label_y(self) -> int:
        return self.height - 6

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def _axis_top(highest: int) -> int:
    """A round number at or above the highest value, so the gridlines read 0, half and top."""
    if highest <= 4:
        return 4
    magnitude = 10 ** int(math.log10(highest))
    for step in (1, 2, 5, 10):
        top = step * magnitude
        if top >= highest and top % 2 == 0:
            return top
    return 10 * magnitude


def bar_chart(
    *,
    key: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    describe_label: str = "{}",
    measured: bool = True,
) -> BarChart:
    """One bar per label (a week), scaled to a round axis top; `measured=False` marks a series not yet collected."""
    if len(labels) != len(values):
        raise ValueError("A bar chart needs one value per label.")
    top = _axis_top(max(values, default=0))
    plot_height = PLOT_BOTTOM - PLOT_TOP
    slot = (PLOT_RIGHT - PLOT_LEFT) / max(len(values), 1)
    bar_width = round(min(slot * 0.7, 36), 1)
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = round(plot_height * value / top, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                x=round(PLOT_LEFT + slot * index + (slot - bar_width) / 2, 1),
                y=round(PLOT_BOTTOM - height, 1),
                width=bar_width,
                height=height,
            )
        )
    gridlines = tuple(
        Gridline(value=value, y=round(PLOT_BOTTOM - plot_height * value / top, 1)) for value in (0, top // 2, top)
    )
    description = "; ".join(
        f"{describe_label.format(label)}: {value}" for label, value in zip(labels, values, strict=True)
    )
    return BarChart(
        key=key,
        title=title,
        description=description or "No weeks yet.",
        bars=tuple(bars),
        gridlines=gridlines,
        measured=measured,
    )
