"""The supervisor dashboard: one agency's training, custody, incident, findings and outreach figures and trends."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from compliance.core import access
from compliance.core.charts import chart_svg_for_page
from compliance.core.findings import AGE_BUCKETS
from compliance.core.models import AgreementModel
from compliance.dashboard import dashboard_figures
from training.requirements.models import TrainingRequirement


@login_required
def dashboard(request):
    """Figures for the current agency (``?agency=<public_id>`` to switch; other agency → 404)."""
    agency = access.current_agency(request, access.VIEW)
    if agency is None:
        return render(request, "compliance/dashboard.html", {"agency": None})
    # Stale-while-revalidate: the cached part may be the last built one while a worker rebuilds it (the page says so).
    figures = dashboard_figures(agency=agency, stale_ok=True)
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    nonce = request.csp_nonce
    return render(
        request,
        "compliance/dashboard.html",
        {
            "agency": agency,
            "agencies": agencies if len(agencies) > 1 else [],
            "f": figures,
            # The case settings link (ICE-notice hours, investigation target) for this agency's administrators.
            "can_administer": access.can(request.user, access.ADMINISTER, agency),
            # The legal holds link for supervisors and administrators (they place and release holds).
            "can_review": access.can(request.user, access.REVIEW, agency),
            # Built by pygal from integers and fixed labels only; no user text inside.
            "roster_chart": mark_safe(chart_svg_for_page(figures.roster_chart_svg, nonce)),  # noqa: S308
            # The trend charts (every chart after the roster's), each with its title and list link.
            "trend_charts": [
                (chart, mark_safe(chart_svg_for_page(chart.svg, nonce)))  # noqa: S308 (pygal, integers only)
                for chart in figures.charts[1:]
            ],
            "age_buckets": [(key, label) for key, label, _, _ in AGE_BUCKETS],
            "currency_rows": currency_rows(agency, figures.training_currency),
        },
    )


def currency_rows(agency, currency) -> list[dict]:
    """The training-currency table's rows: each ``CourseCurrency`` with its model's and kind's labels and the
    roster link (designated officers of that model who completed the course; the roster shows each one's expiry).
    """
    models = dict(AgreementModel.choices)
    kinds = dict(TrainingRequirement.Kind.choices)
    roster = reverse("training:roster")
    rows = []
    for row in currency:
        params = {"agency": str(agency.public_id), "officer_status": "designated", "course": row.course_public_id}
        if row.model:
            params["model"] = row.model
        rows.append(
            {
                "row": row,
                "model_label": models.get(row.model, "Agency's required courses (no agreement requirements)"),
                "kind_label": kinds.get(row.kind, "Required course"),
                "link": f"{roster}?{urlencode(params)}",
            }
        )
    return rows
