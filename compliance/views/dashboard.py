"""The supervisor dashboard: one agency's training, custody, incident and outreach figures."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.safestring import mark_safe

from compliance.core import access
from compliance.core.charts import chart_svg_for_page
from compliance.dashboard import dashboard_figures


@login_required
def dashboard(request):
    """Figures for the current agency (``?agency=<public_id>`` to switch; other agency → 404)."""
    agency = access.current_agency(request, access.VIEW)
    if agency is None:
        return render(request, "compliance/dashboard.html", {"agency": None})
    figures = dashboard_figures(agency=agency)
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    return render(
        request,
        "compliance/dashboard.html",
        {
            "agency": agency,
            "agencies": agencies if len(agencies) > 1 else [],
            "f": figures,
            # The case settings link (ICE-notice hours, investigation target) for this agency's administrators.
            "can_administer": access.can(request.user, access.ADMINISTER, agency),
            # Built by pygal from integers and fixed labels only; no user text inside.
            "roster_chart": mark_safe(chart_svg_for_page(figures.roster_chart_svg, request.csp_nonce)),  # noqa: S308
        },
    )
