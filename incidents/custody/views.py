"""The custody board: open detainers by nearest hold deadline, with quick actions (R4.5–R4.8).

A jail shift reads it: time remaining in each agency's zone, coloured by
urgency, a STOP mark on a row whose U.S.-citizenship claim is unresolved (R5.1),
a mark where consular notification is due or overdue (R5.5), and four
quick-action links per row (service on the subject, ICE notified, transferred to
ICE custody, released). The rows refresh themselves every minute (htmx polling of
``custody_board_rows``), without keeping an unattended session alive. The board itself renders no
form (100 unbound forms per page cost about three times the page's other work,
docs/performance.md "Detainer log"): each link opens that one form on its own
page, or, with htmx, inside the row (``HX-Request`` → only the form fragment).
The form posts to the same URL, which calls the services and returns to the
board (``next``: the board page and ``?agency=`` the link came from).

Each view writes the access log (the board: one row per agency shown, with its
count; an action page: one row naming the detainer). Another agency's detainer answers
404; read-only users (auditors) see no actions and get 403 on the action page,
GET or POST.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from compliance.core import access
from compliance.core.agency_time import in_zone
from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, Finding, access_log_per_agency, access_log_record
from compliance.core.pages import is_local_path, paginate, require_change, several_agencies
from compliance.core.sessions import passive_request
from incidents.citizenship import services as citizenship
from incidents.consular import services as consular
from incidents.custody import selectors
from incidents.custody.forms import CustodyEndForm, IceNotifiedForm, ServiceForm
from incidents.detainers import services
from incidents.detainers.checks import form_authorizes_hold, holds_authorized
from incidents.detainers.lead_times import deadline_urgency, normalise_lead_hours
from incidents.detainers.models import Detainer
from incidents.detainers.selectors import detainer_or_404, open_findings_by_detainer

#: action in the URL → (form, label, success message, short label of the board's link)
ACTIONS = {
    "service": (ServiceForm, "Record service on the subject", "Service of the detainer recorded.", "Record service"),
    "ice-notified": (IceNotifiedForm, "Record ICE notified", "ICE notification recorded.", "ICE notified"),
    "transfer": (
        CustodyEndForm,
        "Transferred to ICE custody",
        "Transfer to ICE custody recorded.",
        "Transferred to ICE custody",
    ),
    "release": (CustodyEndForm, "Released", "Release recorded.", "Released"),
}
OUTCOMES = {"transfer": Detainer.Outcome.TRANSFERRED, "release": Detainer.Outcome.RELEASED}
LATE_MESSAGE = (
    "Custody ended after the 48-hour hold deadline: a critical finding and an incident were opened for "
    "supervisor review."
)
NO_AUTHORITY_MESSAGE = (
    "The person was held past the release time on a form that cannot authorize a hold (I-247N): a critical "
    "finding was opened and the supervisors were told (R4.1)."
)


def _perform(action: str, *, detainer, actor, data) -> Detainer:
    if action == "service":
        return services.detainer_record_service(detainer=detainer, actor=actor, **data)
    if action == "ice-notified":
        return services.detainer_record_ice_notified(detainer=detainer, actor=actor, **data)
    return services.detainer_record_outcome(detainer=detainer, actor=actor, outcome=OUTCOMES[action], **data)


#: The board's self-refresh: htmx asks for its rows this often (templates/incidents/_custody_board_rows.html).
REFRESH_SECONDS = 60
#: Consular-notification marks on a row (R5.5 [U]): ``consular_status`` states past the warning time.
CONSULAR_MARKS = {"warning": "Consular notification due", "overdue": "Consular notification overdue"}
#: The STOP mark's words on a row (R5.1): the claim unresolved, or U.S. citizenship confirmed.
STOP_MARKS = {
    citizenship.STOPPED_MESSAGE: "U.S.-citizenship claim unresolved: no 287(g) step",
    citizenship.CITIZEN_MESSAGE: "U.S. citizen confirmed: lift the detainer and release",
}


@login_required
@never_cache
def custody_board(request):
    """Open detainers, nearest hold deadline first; time remaining in the agency's zone; quick-action links.

    The rows refresh themselves every ``REFRESH_SECONDS`` (``custody_board_rows``).
    """
    return render(request, "incidents/custody_board.html", _board_context(request))


@passive_request
@login_required
@never_cache
def custody_board_rows(request):
    """The board's rows alone (same ``?agency=`` and ``?page=``), for the board's self-refresh by htmx polling.

    A passive request (``compliance.core.sessions.passive_request``): a board left
    open does not keep its session alive, so 30 minutes after the person's last
    own request the poll meets an ended session and the page goes to the sign-in
    page (``HX-Redirect``). Access-logged like the board: it shows the rows again.
    """
    return render(request, "incidents/_custody_board_rows.html", _board_context(request))


def _board_context(request) -> dict:
    """The board's rows and links for ``request`` (scope, ``?agency=``, ``?page=``), access-logged.

    Each row: the detainer, its deadline urgency, whether a hold is authorized,
    its STOP mark (R5.1, ``incidents.citizenship.services.stop_reason``), its
    consular mark (R5.5, ``incidents.consular.services.consular_status`` "warning" or
    "overdue") and its quick-action links. The marks read stored fields only: the
    page's query count does not grow with its rows.
    """
    detainers, only_agency = access.narrow_to_requested_agency(selectors.custody_board_for(request.user), request)
    page = paginate(request, detainers)
    rows = list(page.object_list)
    # One access-log row per agency shown, so each agency's auditors see it (SECURITY.md D3).
    access_log_per_agency(
        request,
        action=AccessLog.Action.LIST,
        counts=Counter(row.agency for row in rows),
        empty_agency=only_agency,
    )
    now = timezone.now()
    leads = normalise_lead_hours(settings.HOLD_DEADLINE_ALERT_HOURS)
    changeable = set(access.agency_ids_for(request.user, access.CHANGE))
    # One batch for the page: the officer authorization check does not query per row.
    authorized = holds_authorized(rows, at=now)
    # R5.1: an open U.S.-citizenship claim shows on its row, not only when someone tries an action (one query).
    claims = open_findings_by_detainer(rows, kinds=[Finding.Kind.CITIZENSHIP_CLAIM])
    next_query = _next_query(request, only_agency, page.number)
    board = []
    for detainer in rows:
        seconds = (detainer.hold_deadline - now).total_seconds() if detainer.hold_deadline else None
        stop = citizenship.stop_reason(detainer)
        consular_state = consular.consular_status(detainer, now=now).state
        board.append(
            {
                "detainer": detainer,
                "urgency": deadline_urgency(seconds, leads),
                "can_change": detainer.agency_id in changeable,
                "hold_authorized": authorized[detainer.pk],
                # R4.1: an I-247N never authorizes a hold: no countdown, no verdict on the row.
                "notification_only": not form_authorizes_hold(detainer.form),
                # R5.1: the STOP in force (its mark) and the claim's open finding; R5.5: the consular mark.
                "stop": STOP_MARKS.get(stop, stop) if stop else "",
                "citizenship_finding": claims.get(detainer.pk, {}).get(Finding.Kind.CITIZENSHIP_CLAIM),
                "consular": consular_state if consular_state in CONSULAR_MARKS else "",
                "consular_mark": CONSULAR_MARKS.get(consular_state, ""),
                "actions": _action_links(detainer, next_query) if detainer.agency_id in changeable else [],
            }
        )
    agencies_shown = {row.agency for row in rows}
    clock = only_agency or (agencies_shown.pop() if len(agencies_shown) == 1 else None)
    return {
        "page_obj": page,
        "board": board,
        "now": now,
        "leads": leads,
        "show_authorized": True,
        "can_import": bool(changeable),
        "several_agencies": several_agencies(request.user, only_agency),
        "only_agency": only_agency,
        "query_string": f"agency={only_agency.public_id}" if only_agency else "",
        "rows_url": _rows_url(only_agency, page.number if "page" in request.GET else None),
        "refresh_seconds": REFRESH_SECONDS,
        # The time of this refresh on the clock of the agency shown (the server's zone for several).
        "refreshed_at": in_zone(now, clock or settings.TIME_ZONE),
    }


def _rows_url(only_agency, page_number: int | None) -> str:
    """The rows' URL for the poll: the same agency and page as the board the person opened."""
    params = {}
    if only_agency is not None:
        params["agency"] = str(only_agency.public_id)
    if page_number is not None:
        params["page"] = str(page_number)
    url = reverse("incidents:custody_board_rows")
    return f"{url}?{urlencode(params)}" if params else url


def _next_query(request, only_agency, page_number: int) -> str:
    """``?next=<this board page>`` for the action links, or "" for the plain first page (the default)."""
    params = {}
    if only_agency is not None:
        params["agency"] = str(only_agency.public_id)
    if "page" in request.GET and page_number != 1:
        params["page"] = str(page_number)
    if not params:
        return ""
    return "?" + urlencode({"next": f"{reverse('incidents:custody_board')}?{urlencode(params)}"})


def _action_links(detainer: Detainer, next_query: str) -> list[dict]:
    """The four quick-action links of one row: no form on the board, the form opens on request."""
    # One reverse per row: the four URLs differ only in their last segment.
    base = reverse("incidents:custody_action", args=[detainer.public_id, "service"]).removesuffix("service/")
    return [
        {"action": action, "label": short, "url": f"{base}{action}/{next_query}"}
        for action, (_, _, _, short) in ACTIONS.items()
    ]


def _safe_next(request) -> str:
    """The ``next`` of the request (GET or POST) when it is a path on this site, else the board.

    Anything else is ignored (``compliance.core.pages.is_local_path``): a URL naming
    a scheme or a host (open-redirect guard), a relative path, or one holding a
    newline or other control character, which would fail the redirect after the
    quick action was saved. Read before the action, so the answer never depends on it.
    """
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if is_local_path(wanted):
        return wanted
    return reverse("incidents:custody_board")


def _focus_first_field(form) -> None:
    """``autofocus`` on the first field with an error, else the first visible field (htmx focuses it on swap)."""
    names = [name for name, field in form.fields.items() if not field.widget.is_hidden]
    wanted = next((name for name in names if name in form.errors), names[0] if names else None)
    if wanted is None:
        return
    widget = form.fields[wanted].widget
    # A date + time pair: only its date input takes the focus.
    target = widget.widgets[0] if hasattr(widget, "widgets") else widget
    target.attrs["autofocus"] = True


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def custody_action(request, public_id, action):
    """One quick action on one detainer.

    GET: its form, as a page or (``HX-Request``) as the fragment the board loads
    into the row. POST: the service is called; on success back to ``next`` (a
    local URL, else the board) with a message (an htmx post gets ``HX-Redirect``);
    on errors the form again with each error next to its field.

    Raises:
        Http404: unknown action, or a detainer outside the user's view scope.
        PermissionDenied: the user may view but not change the agency's records (403).
    """
    if action not in ACTIONS:
        raise Http404("No such action.")
    detainer = detainer_or_404(request.user, public_id)
    require_change(request.user, detainer.agency)
    form_class, label, success, _ = ACTIONS[action]
    auto_id = f"id_{detainer.public_id.hex[:12]}_{action}_%s"  # unique when several rows hold a form
    is_htmx = request.headers.get("HX-Request") == "true"
    next_url = _safe_next(request)
    if request.method == "POST":
        form = form_class(request.POST, agency=detainer.agency, auto_id=auto_id)
        if form.is_valid():
            try:
                done = _perform(action, detainer=detainer, actor=request.user, data=form.cleaned_data)
            except ValidationError as error:  # e.g. a U.S.-citizenship STOP (R5.1): shown on the form
                add_service_errors(form, error)
            else:
                if done.hold_deadline is not None and done.outcome_at and done.outcome_at > done.hold_deadline:
                    messages.warning(request, f"{success} {LATE_MESSAGE}")
                elif getattr(done, "recorded_rule_breaks", None):
                    messages.warning(request, f"{success} {NO_AUTHORITY_MESSAGE}")
                else:
                    messages.success(request, success)
                if is_htmx:  # the whole board reloads (the row may have left it); the message shows there
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = next_url
                    return response
                return redirect(next_url)
    else:
        form = form_class(agency=detainer.agency, auto_id=auto_id)
    _focus_first_field(form)
    # The page names the detainer (personal data).
    access_log_record(request, action=AccessLog.Action.VIEW, record=detainer)
    context = {
        "detainer": detainer,
        "form": form,
        "action": action,
        "label": label,
        "now": timezone.now(),
        "next_url": next_url,
        "inline": is_htmx,
        "already_recorded": _already_recorded(detainer, action),
    }
    template = "incidents/_custody_action_form.html" if is_htmx else "incidents/custody_action.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _already_recorded(detainer: Detainer, action: str) -> str:
    """What saving this quick action would replace, in the agency's zone ("" when nothing): shown above the form."""
    recorded = {"service": detainer.served_on_subject_at, "ice-notified": detainer.ice_notified_at}.get(action)
    if recorded is None:
        return ""
    return in_zone(recorded, detainer.agency)
