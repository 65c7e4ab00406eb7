"""Pages of commitments: the agency's list, make one (at an event, a meeting or on its own), its page, change it,
record it done, drop it, reopen it.

Records are reached through ``compliance.core.access`` (another agency's answers 404); a user who
may see the commitment but not take the step gets 403 (an auditor never writes). The services check
the rules again and their errors are shown next to the field.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from community.commitments import selectors, services
from community.commitments.forms import CommitmentCompleteForm, CommitmentFilterForm, CommitmentForm, ReasonForm
from community.commitments.models import Commitment
from community.outreach.models import OutreachEvent
from community.steering_committee.models import CommitteeMeeting
from compliance.core import access, keyset
from compliance.core.forms import add_service_errors
from compliance.core.pages import PAGE_SIZE, change_agencies_or_403, initial_agency


@login_required
@require_GET
def commitment_list(request):
    """Commitments of one agency (``?agency=``): open ones soonest due first by default; filters ``show`` (open,
    overdue, due_soon, done, dropped, all), ``mine``, ``origin`` (event, meeting, none). Pages: keyset (``?cursor=``,
    ``compliance.core.keyset``, order ``selectors.commitment_order``; a bad cursor gives the first page), first /
    previous / next / last with the filters kept; the count is capped at ``keyset.COUNT_CAP``. Fixed number of
    queries."""
    agency = access.current_agency(request, access.VIEW)
    if agency is None:
        return render(request, "community/commitments/list.html", {"agency": None})
    filters = CommitmentFilterForm(request.GET)
    filters.is_valid()  # each field is optional; an unknown value is dropped and the default applies
    show = filters.cleaned_data.get("show") or selectors.OPEN
    mine = bool(filters.cleaned_data.get("mine"))
    origin = filters.cleaned_data.get("origin") or ""
    commitments = selectors.commitments_filtered(user=request.user, agency=agency, show=show, mine=mine, origin=origin)
    cursor = keyset.cursor_decode(request.GET.get("cursor"), salt=selectors.COMMITMENT_CURSOR_SALT)
    page = keyset.keyset_page([keyset.Segment(commitments, selectors.commitment_order(show))], cursor, size=PAGE_SIZE)
    rows = selectors.commitment_rows(page.rows, agency=agency)
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    query = {"agency": agency.public_id, "show": show, "origin": origin}
    if mine:
        query["mine"] = "on"
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "filters": filters,
        "show": show,
        "show_label": dict(selectors.SHOW_CHOICES)[show],
        "rows": rows,
        "page": page,
        "links": keyset.page_links(
            page, {key: str(value) for key, value in query.items() if value}, salt=selectors.COMMITMENT_CURSOR_SALT
        ),
        "pages_label": "Pages of the commitments",
        "count": keyset.count_capped(commitments),
        "count_cap": keyset.COUNT_CAP,
        "today": services.agency_today(agency),
        "can_add": access.can(request.user, access.CHANGE, agency),
        "can_assign": access.can(request.user, access.CHANGE, agency),
    }
    return render(request, "community/commitments/list.html", context)


def _origin_or_404(request):
    """The event (``?event=``) or meeting (``?meeting=``) a new commitment is made at, found through access."""
    for key, model in (("event", OutreachEvent), ("meeting", CommitteeMeeting)):
        value = request.GET.get(key)
        if not value:
            continue
        try:
            public_id = uuid.UUID(value)
        except ValueError as exc:
            raise Http404("No such record.") from exc
        found = access.get_scoped_or_404(model.objects.select_related("agency"), request.user, public_id=public_id)
        return key, found
    return None, None


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request):
    """Make a commitment: at the event ``?event=<uuid>`` or meeting ``?meeting=<uuid>`` (another agency's: 404),
    or on its own (the agency chosen when the user may change several). 403 without ``change_records``."""
    kind, origin = _origin_or_404(request)
    if origin is not None:
        if not services.may_change(request.user, origin.agency):
            raise PermissionDenied(services.CHANGE_NOT_ALLOWED_MESSAGE)
        agencies, fixed = [origin.agency], origin.agency
    else:
        agencies, fixed = change_agencies_or_403(request.user), None
    initial = {"agency": initial_agency(request.user, agencies)}
    form = CommitmentForm(request.POST or None, agencies=agencies, agency=fixed, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "agency"}
        try:
            commitment = services.commitment_create(
                agency=form.selected_agency(), actor=request.user, **({kind: origin} if kind else {}), **fields
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Commitment recorded.")
            return redirect("community:commitment_detail", public_id=commitment.public_id)
    context = {
        "form": form,
        "origin": origin,
        "origin_kind": kind,
        "origin_query": f"{kind}={origin.public_id}" if origin is not None else "",
        "agency": fixed,
        "today": services.agency_today(fixed) if fixed is not None else None,
    }
    return render(request, "community/commitments/form.html", context)


@login_required
@require_GET
def commitment_detail(request, public_id):
    """One commitment: what, made at, owner, due, status, evidence or drop reason, closed by and when."""
    commitment = selectors.commitment_or_404(request.user, public_id)
    context = {
        "commitment": commitment,
        "agency": commitment.agency,
        "row": selectors.commitment_rows([commitment], agency=commitment.agency)[0],
        "may": selectors.permissions_for(request.user, commitment),
        "today": services.agency_today(commitment.agency),
    }
    return render(request, "community/commitments/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_edit(request, public_id):
    """Change an open commitment's description, owner or due date (``change_records``; else 403)."""
    commitment = selectors.commitment_or_404(request.user, public_id)
    if not services.may_change(request.user, commitment.agency):
        raise PermissionDenied(services.CHANGE_NOT_ALLOWED_MESSAGE)
    is_open = commitment.status == Commitment.Status.OPEN
    initial = {name: getattr(commitment, name) for name in services.COMMITMENT_FIELDS}
    form = CommitmentForm(request.POST or None, agencies=[commitment.agency], agency=commitment.agency, initial=initial)
    if request.method == "POST" and is_open and form.is_valid():
        try:
            services.commitment_update(commitment=commitment, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Commitment updated.")
            return redirect("community:commitment_detail", public_id=commitment.public_id)
    context = {"form": form, "commitment": commitment, "is_open": is_open, "agency": commitment.agency}
    context["today"] = services.agency_today(commitment.agency)
    return render(request, "community/commitments/form.html", context)


def _step(request, public_id, *, form_class, allowed, service, wants_open: bool, done_message: str, title: str):
    commitment = selectors.commitment_or_404(request.user, public_id)
    if not allowed(request.user, commitment):
        raise PermissionDenied("You may not do this with this commitment.")
    applies = (commitment.status == Commitment.Status.OPEN) == wants_open
    initial = {"completed_on": services.agency_today(commitment.agency)} if form_class is CommitmentCompleteForm else {}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and applies and form.is_valid():
        try:
            service(commitment=commitment, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done_message)
            return redirect("community:commitment_detail", public_id=commitment.public_id)
    context = {"commitment": commitment, "form": form, "applies": applies, "title": title}
    return render(request, "community/commitments/step.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def commitment_complete(request, public_id):
    """Record commitment ``public_id`` done with its evidence: its owner or a supervisor (else 403)."""
    return _step(
        request,
        public_id,
        form_class=CommitmentCompleteForm,
        allowed=services.may_complete,
        service=services.commitment_complete,
        wants_open=True,
        done_message="Commitment recorded as done.",
        title="Record a commitment done",
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_drop(request, public_id):
    """Drop commitment ``public_id`` with a reason: supervisors only (else 403)."""
    return _step(
        request,
        public_id,
        form_class=ReasonForm,
        allowed=lambda user, commitment: services.may_supervise(user, commitment.agency),
        service=services.commitment_drop,
        wants_open=True,
        done_message="Commitment dropped.",
        title="Drop a commitment",
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_reopen(request, public_id):
    """Reopen a done or dropped commitment with a reason: supervisors only (else 403)."""
    return _step(
        request,
        public_id,
        form_class=ReasonForm,
        allowed=lambda user, commitment: services.may_supervise(user, commitment.agency),
        service=services.commitment_reopen,
        wants_open=False,
        done_message="Commitment reopened.",
        title="Reopen a commitment",
    )
