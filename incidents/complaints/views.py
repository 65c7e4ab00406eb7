"""The complainant's contact details, shown on their own page so that each viewing is access-logged (D3).

Reached from the case page's "Show contact details" link (``_complainant.html``). Only the
assigned investigator and the agency's supervisors (``privacy.contact_visible_to``) see it;
anyone else who may see the case gets 403, anyone who may not gets 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from compliance.core.models import AccessLog, access_log_record
from incidents.complaints.models import ComplaintContact
from incidents.complaints.privacy import contact_visible_to
from incidents.incident_log.selectors import incident_or_404


@login_required
@require_GET
def complainant_contact(request, public_id):
    """The contact details of a public complaint's complainant; one access-log row per viewing."""
    incident = incident_or_404(request.user, public_id)
    if not contact_visible_to(request.user, incident):
        raise PermissionDenied
    contact = ComplaintContact.objects.filter(incident=incident).first()
    if contact is not None:
        access_log_record(request, action=AccessLog.Action.VIEW, record=contact, agency=incident.agency)
    return render(request, "incidents/case/complainant_contact.html", {"incident": incident, "contact": contact})
