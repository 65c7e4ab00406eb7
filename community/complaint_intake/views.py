"""The public complaint pages: no account, in the visitor's language (English or Spanish).

* ``complaint_new``: the form; a valid complaint is filed by
  ``incidents.complaints.services.complaint_submit`` and the visitor is sent to
  ``complaint_received``, which shows the tracking number once (kept in the session for that
  one page: never in a URL). A rejected form is shown again with everything typed (files must
  be chosen again: the page says so).
* ``complaint_status``: the tracking number is typed and POSTed (SECURITY.md F6: never in a URL
  or a query string); the answer is the stage and dates only, or a plain "not found".
* Abuse: POSTs are rate-limited per client address (``limits``: 429 in the visitor's language, and an
  access-log row with outcome "throttled" so the abuse is visible, SECURITY.md F11);
  a filled honeypot field is answered as a success with a number that exists nowhere, and nothing
  is stored. Upload sizes: ``settings.CASE_FILE_MAX_BYTES`` each, ``CASE_FILE_MAX_COUNT`` files.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from community.complaint_intake import limits
from community.complaint_intake.forms import ComplaintForm, StatusForm
from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, access_log_event
from incidents.complaints.services import complaint_submit
from incidents.complaints.status import complaint_status as complaint_status_read
from incidents.complaints.tracking import tracking_number_new

#: The session key holding the tracking number until the "received" page has shown it.
RECEIVED_KEY = "complaint_intake.received"


def _throttled(request, kind: str, wait: int):
    """The 429 page in the visitor's language, and one access-log row (outcome ``throttled``; no user, no agency)."""
    action = AccessLog.Action.SEARCH if kind == limits.STATUS else AccessLog.Action.DENIED
    access_log_event(request, action=action, outcome=AccessLog.Outcome.THROTTLED)
    limit, window = settings.RATE_LIMITS_PER_ADDRESS[kind]
    context = {"kind": kind, "limit": limit, "window_minutes": window // 60, "wait_minutes": math.ceil(wait / 60)}
    response = render(request, "public/429.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    """The complaint form (GET; ``?agency=<public id>`` preselects an agency); POST files the complaint."""
    if request.method == "POST":
        for kind, count in ((limits.ATTEMPT, True), (limits.COMPLAINT, False)):
            wait = limits.address_wait(request, kind, count=count)
            if wait:
                return _throttled(request, limits.COMPLAINT, wait)
        form = ComplaintForm(request.POST, request.FILES)
        if form.is_bot:  # looks like a success; stores nothing
            limits.address_wait(request, limits.COMPLAINT)
            request.session[RECEIVED_KEY] = {"number": tracking_number_new(), "email": False}
            return redirect("complaints:received")
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = complaint_submit(
                    agency=data["agency"],
                    description=data["description"],
                    occurred_at=data["occurred_at"],
                    location=data["location"],
                    officer_description=data["officer"],
                    immigration_related=data["immigration"],
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    language=data["language"],
                    uploads=data["attachments"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                limits.address_wait(request, limits.COMPLAINT)  # counted once filed (checked above)
                request.session[RECEIVED_KEY] = {"number": incident.tracking_number, "email": bool(data["email"])}
                return redirect("complaints:received")
        files_dropped = bool(request.FILES)
    else:
        form = ComplaintForm(initial={"agency": _agency_from_query(request)})
        files_dropped = False
    return render(request, "public/complaint_form.html", {"form": form, "files_dropped": files_dropped})


def _agency_from_query(request) -> str | None:
    """``?agency=<public id>`` (an agency's own link to the form), if it names an agency; else None."""
    value = request.GET.get("agency", "")
    field = ComplaintForm.base_fields["agency"]
    try:
        return str(field.to_python(value).public_id) if value else None
    except ValidationError:
        return None


@never_cache  # the tracking number: not kept in a shared computer's cache or shown again by the back button
@require_GET
def complaint_received(request):
    """The tracking number, shown once after filing (read from the session, then forgotten)."""
    received = request.session.pop(RECEIVED_KEY, None)
    if not received:
        return redirect("complaints:new")
    return render(request, "public/complaint_received.html", {"number": received["number"], "email": received["email"]})


@never_cache
@require_http_methods(["GET", "POST"])
def complaint_status(request):
    """The status look-up: the form (GET); POST shows the stage and dates, or "not found"."""
    status = None
    looked_up = False
    if request.method == "POST":
        wait = limits.address_wait(request, limits.STATUS)
        if wait:
            return _throttled(request, limits.STATUS, wait)
        form = StatusForm(request.POST)
        if form.is_valid():
            status = complaint_status_read(form.cleaned_data["tracking_number"])
            looked_up = True
    else:
        form = StatusForm()
    return render(request, "public/complaint_status.html", {"form": form, "status": status, "looked_up": looked_up})
