"""The offense-level page: detainers by offense level, and those for a traffic or other minor offense only.

Source: DOMAIN.md R3.3 (priority levels) and GAO-09-109 finding 1 (287(g) used for minor offenses).

Aggregate counts only (no personal data), so no access-log row. One agency per
page: ``?agency=<public id>`` (another agency → 404, ``compliance.core.access``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

from compliance.core import access
from compliance.core.charts import chart_svg_for_page
from incidents.offense_levels.charts import OffensePeriodForm, offense_level_chart_svg
from incidents.offense_levels.selectors import offense_level_shares


@login_required
def offense_levels(request):
    """Counts and shares by offense level (R3.3) for the current agency, optionally within a period."""
    agency = access.current_agency(request, access.VIEW)
    if agency is None:
        raise Http404("No agency.")
    form = OffensePeriodForm(request.GET or None)
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    shares = offense_level_shares(agency=agency, start=start, end=end)
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "form": form,
        "shares": shares,
        # Built by pygal from integers and fixed labels only; no user text inside.
        "chart": mark_safe(chart_svg_for_page(offense_level_chart_svg(shares), request.csp_nonce)),  # noqa: S308
    }
    return render(request, "incidents/offense_levels.html", context)
