"""Pages of referrals (record one, record its response) and the agency's case settings page.

Records are reached through ``compliance.core.access`` (another agency's answers 404); a user
who may see the case but not record referrals gets 403. The case settings page is for users
holding ``administer_agency`` in the agency (anyone else: 404, as the reminder settings page).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.pages import agency_or_404, with_agency
from incidents.incident_log.selectors import incident_or_404
from incidents.referrals import services
from incidents.referrals.case_settings import incident_settings_for, incident_settings_save
from incidents.referrals.forms import IncidentSettingsForm, ReferralForm, ReferralResponseForm
from incidents.referrals.selectors import referral_or_404


def _case_url(incident) -> str:
    return reverse("incidents:incident_detail", kwargs={"public_id": incident.public_id}) + "#referrals"


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request, public_id):
    """Record a referral of case ``public_id`` (time typed on the agency's clock): a supervisor or the investigator."""
    incident = incident_or_404(request.user, public_id)
    if not services.may_refer(request.user, incident):
        raise PermissionDenied(services.NOT_ALLOWED_MESSAGE)
    form = ReferralForm(request.POST or None, agency=incident.agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_record(incident=incident, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Referral recorded.")
            return redirect(_case_url(incident))
    return render(request, "incidents/referral_form.html", {"incident": incident, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def referral_response(request, public_id):
    """Record the response to referral ``public_id``: a supervisor or the case's investigator (else 403)."""
    referral = referral_or_404(request.user, public_id)
    incident = referral.incident
    if not services.may_refer(request.user, incident):
        raise PermissionDenied(services.NOT_ALLOWED_MESSAGE)
    initial = {
        "response": referral.response,
        "response_on": referral.response_on or timezone.localdate(timezone.now(), timezone=incident.agency.zone),
    }
    form = ReferralResponseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_response_record(referral=referral, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Response recorded.")
            return redirect(_case_url(incident))
    context = {"incident": incident, "referral": referral, "form": form}
    return render(request, "incidents/referral_response_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_settings(request):
    """The agency's ICE-notice hours and investigation target (``?agency=``; administrators only)."""
    agency = agency_or_404(request, access.ADMINISTER)
    current = incident_settings_for(agency)
    initial = {
        "ice_referral_hours": current.ice_referral_hours,
        "investigation_target_days": current.investigation_target_days,
    }
    form = IncidentSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            incident_settings_save(agency=agency, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Case settings saved; the deadlines sweep uses them from its next run.")
            return redirect(with_agency(reverse("incidents:case_settings"), agency))
    agencies = list(access.agencies_for(request.user, access.ADMINISTER).order_by("state", "name"))
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "form": form,
        "current": current,
        # The row's own history (AuditedHistory), newest first; none before the first save.
        "history": list(current.history.select_related("history_user").order_by("-history_date")[:20])
        if current.pk
        else [],
    }
    return render(request, "incidents/case_settings.html", context)
