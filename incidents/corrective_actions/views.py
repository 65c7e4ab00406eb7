"""Pages of corrective actions: add one to a case, record it done, cancel it, and the list of open ones.

Records are reached through ``compliance.core.access`` (another agency's answers 404); a user
who may see the case but not take the step gets 403 (an auditor never writes). The services
check the rules again and their errors are shown next to the field.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import Agency
from incidents.corrective_actions import services
from incidents.corrective_actions.forms import (
    CorrectiveActionCancelForm,
    CorrectiveActionCompleteForm,
    CorrectiveActionForm,
)
from incidents.corrective_actions.models import CorrectiveAction
from incidents.corrective_actions.selectors import action_or_404, actions_page
from incidents.incident_log.selectors import incident_or_404


def _case_url(incident) -> str:
    return reverse("incidents:incident_detail", kwargs={"public_id": incident.public_id}) + "#corrective-actions"


@login_required
@require_http_methods(["GET", "POST"])
def corrective_action_add(request, public_id):
    """Add a corrective action to case ``public_id``: a supervisor or the case's investigator (else 403; 404 outside
    the user's agencies). Redirects to the case page's panel once saved."""
    incident = incident_or_404(request.user, public_id)
    if not services.may_add(request.user, incident):
        raise PermissionDenied(services.ADD_NOT_ALLOWED_MESSAGE)
    form = CorrectiveActionForm(request.POST or None, incident=incident)
    if request.method == "POST" and form.is_valid():
        try:
            services.corrective_action_add(incident=incident, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Corrective action added.")
            return redirect(_case_url(incident))
    context = {
        "incident": incident,
        "form": form,
        "today": services.agency_today(incident.agency),
        "closed": incident.status == incident.Status.CLOSED,
    }
    return render(request, "incidents/corrective_action_form.html", context)


def _step(request, public_id, *, form_class, allowed, service, done_message: str, template_title: str):
    action = action_or_404(request.user, public_id)
    if not allowed(request.user, action):
        raise PermissionDenied("You may not do this with this corrective action.")
    is_open = action.status == CorrectiveAction.Status.OPEN
    initial = (
        {"completed_on": services.agency_today(action.agency)} if form_class is CorrectiveActionCompleteForm else {}
    )
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and is_open and form.is_valid():
        try:
            service(action=action, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done_message)
            return redirect(_case_url(action.incident))
    context = {"action": action, "incident": action.incident, "form": form, "is_open": is_open, "title": template_title}
    return render(request, "incidents/corrective_action_step.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def corrective_action_complete(request, public_id):
    """Record action ``public_id`` done with its evidence: its owner or a supervisor (else 403)."""
    return _step(
        request,
        public_id,
        form_class=CorrectiveActionCompleteForm,
        allowed=services.may_complete,
        service=services.corrective_action_complete,
        done_message="Corrective action recorded as done.",
        template_title="Record a corrective action done",
    )


@login_required
@require_http_methods(["GET", "POST"])
def corrective_action_cancel(request, public_id):
    """Cancel action ``public_id`` with a reason: supervisors only (else 403)."""
    return _step(
        request,
        public_id,
        form_class=CorrectiveActionCancelForm,
        allowed=lambda user, action: services.is_supervisor(user, action.agency),
        service=services.corrective_action_cancel,
        done_message="Corrective action cancelled.",
        template_title="Cancel a corrective action",
    )


@login_required
@require_GET
def corrective_action_list(request):
    """Open corrective actions of one agency (``?agency=``): the user's own, or all (``?show=all``, supervisors)."""
    agency: Agency | None = access.current_agency(request, access.VIEW)
    if agency is None:
        return render(request, "incidents/corrective_action_list.html", {"agency": None, "rows": []})
    everyone = request.GET.get("show") == "all"
    rows, supervisor = actions_page(user=request.user, agency=agency, everyone=everyone)
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "rows": rows,
        "everyone": everyone and supervisor,
        "supervisor": supervisor,
        "overdue_count": sum(1 for row in rows if row.overdue),
        "today": services.agency_today(agency),
    }
    return render(request, "incidents/corrective_action_list.html", context)
