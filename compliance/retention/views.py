"""The retention pages: an agency's retention schedules (administrators change them; supervisors and auditors
read them) and its legal holds (supervisors and administrators place, list and release them, auditors read the
list; SECURITY.md C5: anyone else who may see the record gets 403, which ``DeniedRequestMiddleware`` writes to
the access log).

Records are reached through ``compliance.core.access`` (another agency's answers 404). Nothing personal goes in a
URL: records and holds are addressed by their public ids, the hold's reference and reasons travel by POST.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import SCHEDULE_FIELDS, LegalHold, RetentionPurge, RetentionSettings, Schedule
from compliance.core.pages import agency_or_404, with_agency
from compliance.core.privacy.holds import (
    NOT_ALLOWED_MESSAGE,
    legal_hold_place,
    legal_hold_release,
    may_hold,
)
from compliance.core.privacy.schedules import (
    ADMINISTER_ONLY_MESSAGE,
    retention_settings_for,
    retention_settings_save,
)
from compliance.core.system_account import system_user
from compliance.retention.forms import LegalHoldForm, LegalHoldReleaseForm, RetentionSettingsForm
from compliance.retention.purge import kind_label, retention_due
from incidents.detainers.models import Detainer
from incidents.detainers.selectors import detainer_or_404
from incidents.incident_log.models import Incident
from incidents.incident_log.selectors import incident_or_404

HOLDS_LIST_MESSAGE = "Only supervisors, administrators and auditors of this agency see its legal holds."


def _agencies(request, perm):
    agencies = list(access.agencies_for(request.user, perm).order_by("state", "name"))
    return agencies if len(agencies) > 1 else []


def _shortening_warnings(current, days: dict[str, int], due_now: dict[str, object]) -> list[str]:
    """One sentence per step that the proposed ``days`` shorten so that the next purge removes more than it would
    under ``current`` ("the next purge will remove the personal data of 5 detainer subjects …")."""
    proposed = RetentionSettings(agency=current.agency, **days)
    warnings = []
    for due in retention_due(proposed):
        before = due_now[due.kind]
        if due.days < before.days and due.purged > before.purged:
            warnings.append(
                f"{due.label}: the period goes from {before.days} to {due.days} days, so the next purge will "
                f"remove the personal data of {due.purged} {due.noun} (now {before.purged})."
            )
    return warnings


def _purge_runs(agency) -> list[dict]:
    """The agency's last purge runs, newest first: one entry per run (its steps share the instant they ran for,
    ``cutoff + period``), with the steps that purged or held something."""
    rows = RetentionPurge.objects.filter(agency=agency).select_related("configured_by").order_by("-started_at", "-pk")
    runs: dict = {}
    for row in rows[: 20 * 8]:
        key = row.cutoff + timedelta(days=row.period_days)
        run = runs.setdefault(key, {"at": key, "steps": [], "configured": set(), "purged": 0, "held": 0})
        run["purged"] += row.purged
        run["held"] += row.held
        by = row.configured_by
        run["configured"].add(by.get_full_name() or by.username if by else "the defaults (nobody had confirmed)")
        if row.purged or row.held:
            run["steps"].append({"label": kind_label(row.kind), "purged": row.purged, "held": row.held})
    for run in runs.values():
        run["configured"] = ", ".join(sorted(run["configured"]))
    return list(runs.values())[:20]


@login_required
@require_http_methods(["GET", "POST"])
def retention_settings(request):
    """The agency's retention periods (``?agency=``): supervisors and auditors read them, the changes and the last
    purges; administrators change them (others' POST: 403; no read permission: 404). A change that makes the
    next purge remove records now lists how many per kind and needs a ticked confirmation."""
    agency = agency_or_404(request, access.EXPORT)
    may_change = access.can(request.user, access.ADMINISTER, agency)
    if request.method == "POST" and not may_change:
        raise PermissionDenied(ADMINISTER_ONLY_MESSAGE)
    current = retention_settings_for(agency)
    due_now = {due.kind: due for due in retention_due(current)}
    fields = [name for name, _default in SCHEDULE_FIELDS.values()]
    form = RetentionSettingsForm(request.POST or None, initial={name: getattr(current, name) for name in fields})
    warnings = []
    if request.method == "POST" and form.is_valid():
        warnings = _shortening_warnings(current, form.cleaned_data, due_now)
        confirmed = not warnings or form.confirm_purge(warnings)
        if confirmed:
            try:
                retention_settings_save(agency=agency, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Retention schedules saved and confirmed; the nightly purge uses them.")
                return redirect(with_agency(reverse("retention:settings"), agency))
    rows = [
        {
            "label": Schedule(schedule).label,
            "days": current.days(schedule),
            "default": default,
            "is_default": current.confirmed_at is None,
        }
        for schedule, (_name, default) in SCHEDULE_FIELDS.items()
    ]
    history = []
    if current.pk:
        system = system_user()
        # The row's own history (AuditedHistory), newest first; none before the first purge or save.
        for row in current.history.select_related("history_user").order_by("-history_date")[:20]:
            row.by_system = row.history_user_id == system.pk
            history.append(row)
    context = {
        "agency": agency,
        "agencies": _agencies(request, access.EXPORT),
        "may_change": may_change,
        "form": form,
        "warnings": warnings,
        "current": current,
        "rows": rows,
        "due": [due for due in due_now.values() if due.purged or due.held],
        "history": history,
        "runs": _purge_runs(agency),
        "holds_url": with_agency(reverse("retention:holds"), agency),
    }
    return render(request, "retention/settings.html", context)


#: What the record pages print for a value the purge removed (``compliance.retention.purge.PURGED_TITLE``).
REMOVED = "[removed at the end of retention]"


def _record_links(holds: list[LegalHold]) -> dict[int, tuple[str, str]]:
    """``{hold pk: (URL of its record's page, its name)}``: "Detainer, booking <number>" or "Case <tracking number>"
    (the case's title when it has none). One query per kind of record, whatever the number of holds."""
    links = {}
    kinds = (
        (Detainer, "incidents:detainer_detail", ("booking_number",)),
        (Incident, "incidents:incident_detail", ("tracking_number", "title")),
    )
    for model, name, fields in kinds:
        content_type = ContentType.objects.get_for_model(model)
        mine = [hold for hold in holds if hold.content_type_id == content_type.pk]
        if not mine:
            continue
        rows = {
            row[0]: row[1:]
            for row in model.objects.filter(pk__in=[h.object_id for h in mine]).values_list("pk", "public_id", *fields)
        }
        for hold in mine:
            if hold.object_id not in rows:
                continue
            public_id, *values = rows[hold.object_id]
            if model is Detainer:
                label = f"Detainer, booking {values[0] or REMOVED}"
            else:
                label = f"Case {values[0]}" if values[0] else f"Case: {values[1] or REMOVED}"
            links[hold.pk] = (reverse(name, kwargs={"public_id": public_id}), label)
    return links


def _name_records(holds: list[LegalHold]) -> None:
    """Set ``record_url`` and ``record_label`` on each of ``holds`` (``_record_links``)."""
    links = _record_links(holds)
    for hold in holds:
        hold.record_url, hold.record_label = links.get(hold.pk, ("", hold.content_type.name.capitalize()))


@login_required
@require_http_methods(["GET"])
def hold_list(request):
    """The agency's legal holds, active first, each naming its record (``?agency=``; else 404).

    Read by those who may export the agency's reports (supervisors, administrators, auditors: an auditor checks the
    holds, read-only); the "Lift" links only for those who may place and release holds (``may_hold``). Staff: 403
    (``HOLDS_LIST_MESSAGE``); users of no agency: 404.
    """
    agency = access.current_agency(request, access.EXPORT)
    if agency is None:
        if access.holds_anywhere(request.user, access.VIEW):
            raise PermissionDenied(HOLDS_LIST_MESSAGE)
        raise Http404("No agency.")
    holds = list(
        LegalHold.objects.filter(agency=agency)
        .select_related("placed_by", "released_by", "content_type")
        .order_by("released_at", "-placed_at")[:500]
    )
    _name_records(holds)
    context = {
        "agency": agency,
        "agencies": _agencies(request, access.EXPORT),
        "may_release": may_hold(request.user, agency),
        "active": [h for h in holds if h.released_at is None],
        "released": [h for h in holds if h.released_at is not None],
    }
    return render(request, "retention/holds.html", context)


def _place(request, record, *, kind: str, back: str):
    if not may_hold(request.user, record.agency):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    subject_allowed = kind == "detainer"
    form = LegalHoldForm(request.POST or None, subject_allowed=subject_allowed)
    if request.method == "POST" and form.is_valid():
        try:
            hold = legal_hold_place(record=record, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if hold.scope == LegalHold.Scope.SUBJECT:
                message = (
                    "Legal hold placed: the retention purge keeps every detainer of this subject until it is lifted."
                )
            else:
                message = "Legal hold placed: the retention purge keeps this record until the hold is lifted."
            messages.success(request, message)
            return redirect(back)
    context = {"record": record, "kind": kind, "form": form, "back": back}
    return render(request, "retention/hold_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def hold_place_detainer(request, public_id):
    """Place a legal hold on detainer ``public_id`` or on every detainer of its subject (supervisors and
    administrators of its agency; others who may see it: 403)."""
    detainer = detainer_or_404(request.user, public_id)
    back = reverse("incidents:detainer_detail", kwargs={"public_id": detainer.public_id})
    return _place(request, detainer, kind="detainer", back=back)


@login_required
@require_http_methods(["GET", "POST"])
def hold_place_case(request, public_id):
    """Place a legal hold on case ``public_id`` (its contact, narratives and attachments are kept)."""
    incident = incident_or_404(request.user, public_id)
    back = reverse("incidents:incident_detail", kwargs={"public_id": incident.public_id})
    return _place(request, incident, kind="case", back=back)


@login_required
@require_http_methods(["GET", "POST"])
def hold_release(request, public_id):
    """Release hold ``public_id`` with a reason (supervisors and administrators of its agency)."""
    hold = access.get_scoped_or_404(
        LegalHold.objects.select_related("agency", "placed_by", "released_by", "content_type"),
        request.user,
        public_id=public_id,
    )
    if not may_hold(request.user, hold.agency):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    back = with_agency(reverse("retention:holds"), hold.agency)
    if hold.released_at is not None:
        # Already lifted (another tab, another supervisor): say so, no form; a POST changes nothing.
        _name_records([hold])
        return render(request, "retention/hold_release.html", {"hold": hold, "form": None, "back": back})
    form = LegalHoldReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            legal_hold_release(hold=hold, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Legal hold lifted: the retention purge may act on these records again.")
            return redirect(back)
    _name_records([hold])
    return render(request, "retention/hold_release.html", {"hold": hold, "form": form, "back": back})
