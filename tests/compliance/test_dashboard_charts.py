"""The dashboard's trend charts label their value axis with whole numbers, each once (a new user read "0 0 0 1 1 1"
on a chart of small counts, in the page and in the review packet)."""

import re
from datetime import date

from compliance.dashboard.charts import integer_ticks, trend_chart_svgs
from compliance.dashboard.trends import MonthFigures


def value_axis_labels(svg: str) -> list[str]:
    axis = svg[svg.index('class="axis y') :]
    axis = axis[: axis.index("</g></g>") + 8]
    return re.findall(r"<text[^>]*>([^<]*)</text>", axis)


def test_integer_ticks_are_whole_even_steps_covering_the_maximum_in_at_most_five_steps():
    for maximum in range(0, 2_000):
        ticks = integer_ticks(maximum)
        step = ticks[1] - ticks[0]
        assert ticks[0] == 0 and ticks[-1] >= maximum, maximum
        assert all(b - a == step for a, b in zip(ticks, ticks[1:], strict=False)), maximum
        assert len(ticks) - 1 <= 5, (maximum, ticks)
        assert str(step)[0] in "125" and set(str(step)[1:]) <= {"0"}, (maximum, step)
    assert integer_ticks(1) == [0, 1]
    assert integer_ticks(7) == [0, 2, 4, 6, 8]


def test_a_chart_of_small_counts_shows_each_whole_number_once():
    held = [0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    months = [
        MonthFigures(
            month=date(2026, n, 1),
            last_day=date(2026, n, 28),
            detainers_received=2 * count,
            holds_past_deadline=count,
        )
        for n, count in enumerate(held, start=1)
    ]
    svgs = trend_chart_svgs(months)
    assert value_axis_labels(svgs["holds"]) == ["0", "1"]
    assert value_axis_labels(svgs["detainers"]) == ["0", "1", "2"]
    assert value_axis_labels(svgs["findings"]) == ["0", "1"]  # nothing at all: still 0 and 1, not 0.0 … 1.0
