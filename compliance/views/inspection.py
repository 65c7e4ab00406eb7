"""Inspection readiness pages (issue #15 item 2): the agreements to choose from, one agreement's page, its PDF request.

The page and the PDF are built by the same ``compliance.moa.inspection.inspection_context``. Reading the page
needs ``view_records`` in the agreement's agency; requesting the PDF needs ``export_reports`` there, the
re-authentication and the export limit of every report request (``compliance.views.reports.report_request``).
Another agency's agreement answers 404. Periods are dates, not personal data: they are in the address.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import Agreement, Report
from compliance.core.reauthentication import recently_authenticated_required
from compliance.core.throttle import EXPORT, rate_limited, throttle_remaining
from compliance.moa.evidence import Period
from compliance.moa.inspection import default_period, inspection_context, period_shortcuts
from compliance.moa.inspection_forms import InspectionPeriodForm
from compliance.reports.inspection_readiness import parameters
from compliance.reports.periods import checked_at_for
from compliance.reports.services import report_request, report_requested_notice


@login_required
@require_GET
def inspection_index(request):
    """The agreements of every agency the user may view, each linking to its inspection-readiness page."""
    agreements = (
        access.scope(Agreement.objects.all(), request.user, access.VIEW)
        .select_related("agency")
        .order_by("agency__state", "agency__name", "model", "-signed_on", "pk")
    )
    return render(request, "compliance/inspection_index.html", {"agreements": agreements})


def _page(request, agreement: Agreement, form: InspectionPeriodForm, *, status: int = 200):
    """The page for ``agreement`` with ``form`` (bound; its period and basis when valid, no report when not)."""
    agency = agreement.agency
    today = timezone.localdate(timezone=agency.zone)
    context = {
        "agreement": agreement,
        "agency": agency,
        "form": form,
        "shortcuts": period_shortcuts(today),
        "can_export": access.can(request.user, access.EXPORT, agency),
        "inspection": None,
    }
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        as_of = checked_at_for(as_of=end, zone=agency.zone, requested_at=timezone.now())
        context.update(
            inspection_context(agreement=agreement, period=Period(start, end, as_of), basis=form.cleaned_data["basis"])
        )
    if context["can_export"]:
        context["exports_remaining"], context["export_limit"] = throttle_remaining(request.user, EXPORT)
    return render(request, "compliance/inspection_page.html", context, status=status)


@login_required
@require_GET
def inspection_page(request, public_id):
    """One agreement's inspection readiness over ``?start=&end=`` (agency-local dates; default the last 12 months).

    Users holding ``view_records`` in the agreement's agency; others 404. A bad period (not a date, reversed, in the
    future, over three years) shows the form with the message next to the field and no report, never a 500.
    """
    agreement = access.get_scoped_or_404(
        Agreement.objects.select_related("agency"), request.user, access.VIEW, public_id=public_id
    )
    if "start" in request.GET or "end" in request.GET:
        data = request.GET
    else:
        start, end = default_period(timezone.localdate(timezone=agreement.agency.zone))
        data = {"start": start.isoformat(), "end": end.isoformat(), "basis": Report.Basis.EFFECTIVE.value}
    return _page(request, agreement, InspectionPeriodForm(data, agency=agreement.agency))


@login_required
@require_POST
@recently_authenticated_required  # asking for a report of the agency's records: within 5 minutes (B5)
# A PDF (F11): only accepted requests count (they redirect); a period sent back with errors does not.
@rate_limited(EXPORT, accepted=lambda _request, response: response.status_code == 302)
def inspection_request(request, public_id):
    """Request the inspection-readiness PDF of the posted period through the reports service; to the reports page.

    Users holding ``export_reports`` in the agreement's agency; others 404. A bad period gives the page back with
    the message next to the field.
    """
    agreement = access.get_scoped_or_404(
        Agreement.objects.select_related("agency"), request.user, access.EXPORT, public_id=public_id
    )
    form = InspectionPeriodForm(request.POST, agency=agreement.agency)
    if form.is_valid():
        try:
            report = report_request(
                actor=request.user,
                agency=agreement.agency,
                kind=Report.Kind.INSPECTION_READINESS,
                as_of=form.cleaned_data["end"],
                period_start=form.cleaned_data["start"],
                basis=form.cleaned_data["basis"],
                parameters=parameters(agreement),
            )
        except ValidationError as error:  # the service's own checks (e.g. the day turned meanwhile)
            add_service_errors(form, error)
        else:
            handed, notice = report_requested_notice(report)
            (messages.success if handed else messages.warning)(request, notice)
            return redirect("reports:list")
    return _page(request, agreement, form, status=400)
