"""Horizontal bar charts for staff pages, drawn as inline SVG from
`workspace/_bar_chart.html` (attributes only, no style: the CSP allows no
inline style, and nothing is loaded from outside). A chart always sits beside
or below the table holding the same figures, and carries them in its <desc>.
"""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, BAR_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 720, 560, 44, 16


@dataclass
class Bar:
    label: str
    value: float
    text: str  # the value as shown beside the bar, e.g. "29%（2/7）"
    description: str = ""  # the value in words for screen readers (default: text)
    label_y: int = 0
    bar_y: int = 0
    width: int = 0
    value_x: int = 0
    value_y: int = 0


def bars(items: list[tuple], *, top: float | None = None) -> dict:
    """Bars of (label, value, text[, description]), each row a label above
    its bar; `top` is the value of a full bar (default: the largest value)."""
    top = top if top is not None else max((item[1] for item in items), default=0)
    out = []
    for i, (label, value, text, *words) in enumerate(items):
        y = i * ROW_HEIGHT
        width = max(1, round(min(value, top) * BAR_WIDTH / top)) if top else 1
        out.append(Bar(label, value, text, words[0] if words else text, label_y=y + 14, bar_y=y + 20, width=width, value_x=width + 6,
                       value_y=y + 20 + BAR_HEIGHT - 3))
    return {"bars": out, "width": WIDTH, "height": max(1, len(out) * ROW_HEIGHT), "bar_height": BAR_HEIGHT,
            "full": BAR_WIDTH}
