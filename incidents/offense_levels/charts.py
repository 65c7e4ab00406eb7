"""The offense-level page's period form and bar chart (DOMAIN.md R3.3; GAO-09-109 finding 1).

The figures themselves come from ``incidents.offense_levels.selectors.offense_level_shares``.
"""

from __future__ import annotations

import pygal
from django import forms

from compliance.core.charts import chart_new, chart_svg
from compliance.core.forms import BoundedDateField
from incidents.offense_levels.selectors import OffenseLevelShares

LEVEL_COLOUR = "#005ea2"
MINOR_COLOUR = "#ffbe2e"


class OffensePeriodForm(forms.Form):
    """Optional period, as agency-local dates (inclusive) on the detainer's received time."""

    start = BoundedDateField(
        label="Received from", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = BoundedDateField(
        label="Received through", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must be on or after the start date.")
        return cleaned


def offense_level_chart_svg(shares: OffenseLevelShares) -> str:
    """A bar chart of detainers by offense level, plus a highlighted minor-offense bar, as inline SVG.

    Only integers and fixed labels go into the chart (no user text); pygal's inline
    tooltip script is stripped (the page needs none and CSP forbids inline scripts).
    """
    chart = chart_new(
        pygal.Bar,
        colors=(LEVEL_COLOUR,),
        height=260,
        width=640,
        show_legend=False,
        print_values=True,
        truncate_label=-1,
        show_y_labels=False,
        show_y_guides=False,
    )
    chart.title = "Detainers by offense level"
    chart.x_labels = [
        *(f"Level {row.key}" if row.key.isdigit() else row.label for row in shares.levels),
        "Minor offense only",
    ]
    values = [row.count for row in shares.levels]
    chart.add("Detainers", [*values, {"value": shares.minor_count, "color": MINOR_COLOUR}])
    return chart_svg(chart)
