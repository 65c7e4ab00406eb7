"""The dashboard's charts as inline SVG (pygal through ``compliance.core.charts``): the roster and the 12-month trends.

Every chart holds only integers and fixed labels (months as ``YYYY-MM``), never user text, so the same
SVG serves the page (with the response's CSP nonce added by ``chart_svg_for_page``) and the review
packet PDF. Each chart has a title (pygal writes it as the SVG's ``<title>``); the page puts the same
figures in a data table beside it for screen readers and keyboard users.
"""

from __future__ import annotations

import functools

import pygal

from compliance.core.charts import chart_new, chart_svg

ROSTER_SERIES = (
    ("current", "Current"),
    ("expiring", "Expiring within 90 days"),
    ("expired", "Expired"),
    ("missing", "Missing a required course"),
)

#: Chart titles (the page's headings and the review packet's captions use them too).
DETAINERS_TITLE = "Detainers received per month"
HOLDS_TITLE = "Holds past the 48-hour deadline, by month received"
FINDINGS_TITLE = "Findings opened and closed per month"


def roster_chart_svg(roster: dict[str, int]) -> str:
    """A horizontal bar chart of the roster figures as inline SVG (no script, no external links).

    Drawing it costs pygal tens of milliseconds; the same four counts always give the same SVG, so the
    last ``ROSTER_CHART_MEMO`` drawings are kept in the process (``_roster_chart``).
    """
    return _roster_chart(tuple(roster.get(key, 0) for key, _ in ROSTER_SERIES))


#: How many roster charts (distinct sets of counts) each process keeps drawn.
ROSTER_CHART_MEMO = 256


@functools.lru_cache(maxsize=ROSTER_CHART_MEMO)
def _roster_chart(counts: tuple[int, ...]) -> str:
    chart = chart_new(
        pygal.HorizontalBar,
        colors=("#00a91c", "#ffbe2e", "#b50909", "#1b1b1b"),
        height=220,
        width=640,
        show_legend=True,
        legend_at_bottom=True,
        print_values=True,
        # Counts are printed on the bars; a value axis would show 0.1, 0.2… for small numbers.
        show_x_labels=False,
        show_x_guides=False,
    )
    chart.title = "Officers by training status"
    for (_, label), count in zip(ROSTER_SERIES, counts, strict=True):
        chart.add(label, [count])
    return chart_svg(chart)


#: The most value-axis labels a trend chart shows (besides 0).
MAX_TICKS = 5


def integer_ticks(maximum: int) -> list[int]:
    """The value-axis labels of a chart of counts up to ``maximum``: whole numbers from 0, evenly spaced by 1, 2,
    5, 10, 20, 50… so that at most ``MAX_TICKS`` steps cover ``maximum`` (never "0 0 1 1" from rounded halves).
    """
    step = 1
    while maximum > step * MAX_TICKS:
        for factor in (2, 5, 10):
            if maximum <= step * factor * MAX_TICKS or factor == 10:
                step *= factor
                break
    top = max(step, -(-maximum // step) * step)
    return list(range(0, top + 1, step))


def _monthly_bar(title: str, labels: list[str], series: list[tuple[str, list[int]]], colors: tuple[str, ...]) -> str:
    maximum = max((value for _name, values in series for value in values), default=0)
    chart = chart_new(
        pygal.Bar,
        colors=colors,
        height=260,
        width=640,
        show_legend=len(series) > 1,
        legend_at_bottom=True,
        x_label_rotation=45,
        value_formatter=lambda value: f"{value:.0f}",
    )
    chart.title = title
    chart.x_labels = labels
    # Whole numbers only on the value axis, each once (pygal's own scale prints 0.2 steps for small counts).
    chart.y_labels = integer_ticks(maximum)
    for name, values in series:
        chart.add(name, values)
    return chart_svg(chart)


def trend_chart_svgs(months) -> dict[str, str]:
    """The three trend charts of ``months`` (``compliance.dashboard.trends.MonthFigures``, oldest first).

    Returns:
        ``{"detainers", "holds", "findings"}`` → inline SVG string.
    """
    labels = [month.label for month in months]
    return {
        "detainers": _monthly_bar(
            DETAINERS_TITLE, labels, [("Received", [m.detainers_received for m in months])], ("#005ea2",)
        ),
        "holds": _monthly_bar(
            HOLDS_TITLE, labels, [("Held past 48 h", [m.holds_past_deadline for m in months])], ("#b50909",)
        ),
        "findings": _monthly_bar(
            FINDINGS_TITLE,
            labels,
            [("Opened", [m.findings_opened for m in months]), ("Closed", [m.findings_closed for m in months])],
            ("#e66f0e", "#00a91c"),
        ),
    }
