"""The U.S.-citizenship page of a detainer: the claim (STOP), its escalation to ICE, its resolution (R5.1–R5.3).

Reached only through ``compliance.core.access`` (another agency's detainer → 404).
Recording a claim needs ``change_records``; the escalation and the resolution
need ``review_records`` (supervisors): a user who can see the detainer but
lacks the permission gets 403. The page shows personal data, so each view is
access-logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, access_log_record
from compliance.core.pages import require_change
from incidents.citizenship import services as citizenship
from incidents.citizenship.forms import CitizenshipClaimForm, CitizenshipEscalationForm, CitizenshipResolutionForm
from incidents.detainers.models import Detainer
from incidents.detainers.selectors import detainer_or_404


def _require_review(user, detainer: Detainer) -> None:
    if not access.can(user, access.REVIEW, detainer.agency):
        raise PermissionDenied(citizenship.SUPERVISOR_ONLY_MESSAGE)


def _render_citizenship(request, detainer, *, claim_form=None, escalation_form=None, resolution_form=None):
    can_review = access.can(request.user, access.REVIEW, detainer.agency)
    open_claim = detainer.citizenship_claim_recorded and not detainer.citizenship_resolution
    access_log_record(request, action=AccessLog.Action.VIEW, record=detainer)
    context = {
        "detainer": detainer,
        "stop": citizenship.stop_reason(detainer),
        "elapsed": citizenship.duration_text(citizenship.claim_to_resolution(detainer)),
        "claim_form": claim_form or CitizenshipClaimForm(instance=detainer),
        "escalation_form": (escalation_form or CitizenshipEscalationForm(agency=detainer.agency))
        if can_review and open_claim
        else None,
        "resolution_form": (resolution_form or CitizenshipResolutionForm(agency=detainer.agency))
        if can_review and open_claim and detainer.citizenship_escalated_at
        else None,
    }
    return render(request, "incidents/detainer_citizenship.html", context, status=200)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def detainer_citizenship(request, public_id):
    """The claim page: anyone who may change records records a claim or sign (R5.1)."""
    detainer = detainer_or_404(request.user, public_id)
    require_change(request.user, detainer.agency)
    if request.method == "POST":
        form = CitizenshipClaimForm(request.POST, instance=Detainer.objects.get(pk=detainer.pk))
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in CitizenshipClaimForm.Meta.fields}
            try:
                citizenship.citizenship_claim_record(detainer=detainer, actor=request.user, **values)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.warning(request, "Recorded. " + (citizenship.STOPPED_MESSAGE if any(values.values()) else ""))
                return redirect("incidents:detainer_citizenship", public_id=detainer.public_id)
        return _render_citizenship(request, detainer, claim_form=form)
    return _render_citizenship(request, detainer)


def _supervisor_step(request, public_id, *, form_class, write, success: str, next_view: str, form_key: str):
    """A supervisor's step on a claim (escalation, resolution): review_records or 403, the form, the service.

    The service's refusals show next to their field on the claim page; success goes to ``next_view``.
    """
    detainer = detainer_or_404(request.user, public_id)
    _require_review(request.user, detainer)
    form = form_class(request.POST, agency=detainer.agency)
    if form.is_valid():
        try:
            write(detainer=detainer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(next_view, public_id=detainer.public_id)
    return _render_citizenship(request, detainer, **{form_key: form})


@login_required
@never_cache
@require_POST
def detainer_citizenship_escalate(request, public_id):
    """A supervisor records the escalation to ICE and the R5.2 triage."""
    return _supervisor_step(
        request,
        public_id,
        form_class=CitizenshipEscalationForm,
        write=citizenship.citizenship_escalation_record,
        success="Escalation recorded.",
        next_view="incidents:detainer_citizenship",
        form_key="escalation_form",
    )


@login_required
@never_cache
@require_POST
def detainer_citizenship_resolve(request, public_id):
    """A supervisor records the resolution (R5.2); STOP ends unless citizenship was confirmed."""
    return _supervisor_step(
        request,
        public_id,
        form_class=CitizenshipResolutionForm,
        write=citizenship.citizenship_resolve,
        success="Resolution recorded.",
        next_view="incidents:detainer_detail",
        form_key="resolution_form",
    )
