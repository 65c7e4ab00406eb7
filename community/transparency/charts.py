"""The public page's charts: one pygal SVG per published table, drawn from its published cells only.

A suppressed cell ("fewer than N") is left out of the chart (no bar, no slice), so the chart never
shows more than the table beside it. Labels are the table's own (translated) labels, drawn in the
language active when the chart is rendered. The chart is decorative for screen readers: the page
hides it (``aria-hidden``) and the table beside it is the accessible form.
"""

from __future__ import annotations

import pygal
from django.utils.translation import gettext

from community.transparency.tables import PublishedTable
from compliance.core.charts import chart_new, chart_svg

#: USWDS colours with enough contrast on white, one per column (series).
SERIES_COLORS = ("#005ea2", "#e5a000", "#00a91c", "#d83933", "#8168b3", "#1b1b1b")


def table_chart_svg(table: PublishedTable) -> str:
    """The inline SVG chart of ``table`` (``chart_svg``: no script), or ``""`` when it has none or nothing to draw.

    Args:
        table: a published table; its ``source.chart`` is ``"bar"`` (rows along the axis, one series per
            column, drawn top-down in the table's row order), ``"pie"`` (one slice per row of its first column)
            or ``""`` (no chart).

    Returns:
        The SVG text (pass it through ``compliance.core.charts.chart_svg_for_page`` with the page's nonce).
    """
    source = table.source
    shown = [[cell.value for cell in row] for row in table.cells]
    if not source.chart or not any(value for row in shown for value in row if value is not None):
        return ""
    options = {
        "height": 120 + 36 * len(source.rows),
        "width": 640,
        "show_legend": len(source.columns) > 1 or source.chart == "pie",
        "legend_at_bottom": True,
        "print_values": True,
        "show_x_labels": False,
        "show_x_guides": False,
    }
    if source.chart == "pie":
        chart = chart_new(pygal.Pie, colors=SERIES_COLORS, **options)
        for label, row in zip(source.rows, shown, strict=True):
            if row[0]:
                chart.add(str(label), [row[0]])
    else:
        # pygal draws a horizontal bar chart's first label at the bottom: give it the rows bottom-up, so the
        # chart reads top-down in the table's row order.
        chart = chart_new(pygal.HorizontalBar, colors=SERIES_COLORS, **options)
        chart.x_labels = [str(label) for label in reversed(source.rows)]
        for j, column in enumerate(source.columns):
            chart.add(str(column), [row[j] for row in reversed(shown)])
    chart.title = str(source.title)
    return chart_svg(chart)


def no_chart_reason(table: PublishedTable, svg: str) -> str:
    """Why a table that should have a chart shows none, in the active language; ``""`` when it has its chart.

    Args:
        table: the published table; ``svg``: what ``table_chart_svg`` drew for it.

    Returns:
        "No chart: some figures are withheld to protect privacy" when suppressed cells left nothing to draw,
        "No chart: every figure is zero" when there is nothing to draw otherwise, or ``""``.
    """
    if svg or not table.source.chart:
        return ""
    if any(cell.suppressed for row in table.cells for cell in row):
        return gettext("No chart: some figures are withheld to protect privacy.")
    return gettext("No chart: every figure is zero.")
