"""The custody board: open detainers by nearest hold deadline, with quick actions (issue 4, item 5).

A jail shift reads it: time remaining in each agency's zone, coloured by
urgency, and four small POST forms per row (service on the subject, ICE
notified, transferred to ICE custody, released) calling the services. Each
view writes the access log (the board: one row with the count shown). Another
agency's detainer answers 404; read-only users (auditors) see no forms and get
403 on a post.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from compliance import access
from compliance.models import AccessLog, access_log_record
from incidents import selectors, services
from incidents.checks import holds_authorized
from incidents.custody_forms import CustodyEndForm, IceNotifiedForm, ServiceForm
from incidents.forms_citizenship import add_service_errors
from incidents.lead_times import deadline_urgency, normalise_lead_hours
from incidents.models import Detainer
from incidents.views.common import paginate, require_change

#: action in the URL → (form, label, success message)
ACTIONS = {
    "service": (ServiceForm, "Record service on the subject", "Service of the detainer recorded."),
    "ice-notified": (IceNotifiedForm, "Record ICE notified", "ICE notification recorded."),
    "transfer": (CustodyEndForm, "Transferred to ICE custody", "Transfer to ICE custody recorded."),
    "release": (CustodyEndForm, "Released", "Release recorded."),
}
OUTCOMES = {"transfer": Detainer.Outcome.TRANSFERRED, "release": Detainer.Outcome.RELEASED}
LATE_MESSAGE = (
    "Custody ended after the 48-hour hold deadline: a critical finding and an incident were opened for "
    "supervisor review."
)


def _perform(action: str, *, detainer, actor, data) -> Detainer:
    if action == "service":
        return services.detainer_record_service(detainer=detainer, actor=actor, **data)
    if action == "ice-notified":
        return services.detainer_record_ice_notified(detainer=detainer, actor=actor, **data)
    return services.detainer_record_outcome(detainer=detainer, actor=actor, outcome=OUTCOMES[action], **data)


@login_required
@never_cache
def custody_board(request):
    """Open detainers, nearest hold deadline first; time remaining in the agency's zone; quick actions."""
    detainers, only_agency = access.narrow_to_requested_agency(selectors.custody_board_for(request.user), request)
    page = paginate(request, detainers)
    rows = list(page.object_list)
    agencies_shown = {row.agency_id for row in rows}
    access_log_record(
        request,
        action=AccessLog.Action.LIST,
        agency=rows[0].agency if len(agencies_shown) == 1 else None,
        count=len(rows),
    )
    now = timezone.now()
    leads = normalise_lead_hours(settings.HOLD_DEADLINE_ALERT_HOURS)
    changeable = set(access.agencies_for(request.user, access.CHANGE).values_list("pk", flat=True))
    # One batch for the page: the officer authorization check does not query per row.
    authorized = holds_authorized(rows, at=now)
    board = []
    for detainer in rows:
        seconds = (detainer.hold_deadline - now).total_seconds() if detainer.hold_deadline else None
        board.append(
            {
                "detainer": detainer,
                "urgency": deadline_urgency(seconds, leads),
                "can_change": detainer.agency_id in changeable,
                "hold_authorized": authorized[detainer.pk],
                "actions": _action_forms(detainer) if detainer.agency_id in changeable else [],
            }
        )
    context = {
        "page_obj": page,
        "board": board,
        "now": now,
        "leads": leads,
        "show_authorized": True,
        "can_import": bool(changeable),
        "several_agencies": only_agency is None and access.agencies_for(request.user, access.VIEW).count() > 1,
        "only_agency": only_agency,
        "query_string": f"agency={only_agency.public_id}" if only_agency else "",
    }
    return render(request, "incidents/custody_board.html", context)


def _action_forms(detainer: Detainer) -> list[dict]:
    """The four quick-action forms of one row, unbound, with element ids unique on the page."""
    auto_id = f"id_{detainer.public_id.hex[:12]}_%s"
    return [
        {"action": action, "label": label, "form": form_class(agency=detainer.agency, auto_id=f"{auto_id}_{action}")}
        for action, (form_class, label, _) in ACTIONS.items()
    ]


@login_required
@never_cache
@require_POST
def custody_action(request, public_id, action):
    """One quick action on one detainer; back to the board, or the form with its errors next to the fields."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    detainer = access.get_scoped_or_404(
        Detainer.objects.select_related("agency"), request.user, access.VIEW, public_id=public_id
    )
    require_change(request.user, detainer.agency)
    form_class, label, success = ACTIONS[action]
    form = form_class(request.POST, agency=detainer.agency)
    if form.is_valid():
        try:
            done = _perform(action, detainer=detainer, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:  # e.g. a U.S.-citizenship STOP (R5.1): shown on the form
            add_service_errors(form, error)
        else:
            if done.hold_deadline is not None and done.outcome_at and done.outcome_at > done.hold_deadline:
                messages.warning(request, f"{success} {LATE_MESSAGE}")
            else:
                messages.success(request, success)
            return redirect("incidents:custody_board")
    # The page names the detainer (personal data).
    access_log_record(request, action=AccessLog.Action.VIEW, record=detainer)
    context = {"detainer": detainer, "form": form, "action": action, "label": label, "now": timezone.now()}
    return render(request, "incidents/custody_action.html", context)
