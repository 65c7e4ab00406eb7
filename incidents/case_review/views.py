"""The case page: everything about one incident or complaint, and the review steps a user may take from it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from compliance.core import access
from compliance.core.models import AccessLog, access_log_record
from incidents.incident_log.selectors import incident_or_404


@login_required
def incident_detail(request, public_id):
    incident = incident_or_404(request.user, public_id)
    access_log_record(request, action=AccessLog.Action.VIEW, record=incident)  # SECURITY.md D3
    context = {
        "incident": incident,
        "can_change": access.can(request.user, access.CHANGE, incident.agency),
    }
    return render(request, "incidents/case/case_detail.html", context)
