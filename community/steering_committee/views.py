"""Steering-committee pages: the overview per agency, the requirement per agreement, members, meetings, minutes.

Thin: records are found through ``compliance.core.access`` (another agency's → 404; seen but not
changeable → 403), forms validate, ``services`` write (their ``ValidationError`` goes onto the form),
``selectors`` read.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from community.steering_committee import selectors, services
from community.steering_committee.forms import (
    CommitteeMemberForm,
    CommitteeRequirementForm,
    DecisionForm,
    MeetingCancelForm,
    MeetingForm,
    MeetingHeldForm,
    MemberEndTermForm,
)
from community.steering_committee.models import (
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    CommitteeRequirement,
    MeetingAttendance,
)
from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import Agreement
from compliance.core.pages import agency_or_404, require_change, with_agency
from compliance.core.private_files import private_file_response

#: Past meetings and membership changes the overview shows (latest first): a fixed cost whatever the history.
OVERVIEW_ROWS = 20


def _overview_url(agency) -> str:
    return with_agency(reverse("community:committee"), agency)


def _meeting_or_404(request, public_id) -> CommitteeMeeting:
    return access.get_scoped_or_404(
        CommitteeMeeting.objects.select_related("agency", "minutes_approved_by"),
        request.user,
        access.VIEW,
        public_id=public_id,
    )


def _member_or_404(request, public_id) -> CommitteeMember:
    return access.get_scoped_or_404(
        CommitteeMember.objects.select_related("agency"), request.user, access.VIEW, public_id=public_id
    )


def _term_end_words(term_end, today) -> str:
    verb = "ended" if term_end < today else "ends"
    return f"term {verb} on {term_end.isoformat()}"


def _member_change(before, row, roles: dict, today) -> str | None:
    """What changed between two history rows of one member, in words, or None when nothing listed changed."""
    if row.history_type == "+":
        added = f"Added as {roles.get(row.role, row.role).lower()}"
        return f"{added}, {_term_end_words(row.term_end, today)}" if row.term_end else added
    if before is None or row.history_type != "~":
        return None
    parts = []
    if before.term_end != row.term_end:
        if row.term_end is None:
            parts.append("Term reopened (serving until further notice)")
        elif before.term_end is None:
            parts.append(_term_end_words(row.term_end, today).capitalize())
        else:
            parts.append(f"Term end moved from {before.term_end.isoformat()} to {row.term_end.isoformat()}")
    if before.role != row.role:
        old, new = roles.get(before.role, before.role), roles.get(row.role, row.role)
        parts.append(f"Role changed from {old.lower()} to {new.lower()}")
    if before.voting != row.voting:
        parts.append("Now a voting member" if row.voting else "No longer a voting member")
    return "; ".join(parts) or None


def membership_changes(agency, *, limit: int = OVERVIEW_ROWS) -> list[dict]:
    """The latest changes to the committee's membership from the members' history, newest first, at most ``limit``.

    Listed: a member added (with the term's end when set then), the term's end set (by "End term" or by
    editing the member: "Term ended on …", or "Term ends on …" while the day is today or later, on the
    agency's calendar), moved or cleared, the role changed, voting changed. One query (the agency's member
    history rows with their authors).
    """
    rows = list(
        CommitteeMember.history.filter(agency=agency)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    today = selectors.agency_today(agency)
    changes, previous = [], {}
    roles = dict(CommitteeMember.Role.choices)
    for row in rows:
        what = _member_change(previous.get(row.id), row, roles, today)
        if what:
            changes.append(
                {
                    "name": row.name,
                    "what": what,
                    "who": row.history_user,
                    "when": row.history_date,
                    "id": row.history_id,
                }
            )
        previous[row.id] = row
    changes.sort(key=lambda change: (change["when"], change["id"]), reverse=True)
    return changes[:limit]


def _quorum_warning(agency, quorum: int | None) -> str:
    """A warning when a set ``quorum`` exceeds the voting members serving today (members may be appointed later)."""
    voting = selectors.voting_members_serving(agency, selectors.agency_today(agency))
    if not selectors.quorum_unreachable(quorum, voting):
        return ""
    if voting == 0:
        serving = "no voting member serves"
    else:
        serving = f"only {voting} voting member{'' if voting == 1 else 's'} serve{'s' if voting == 1 else ''}"
    return (
        f"The quorum is {quorum} but {serving} today: no meeting can reach it until more voting members are appointed."
    )


@login_required
def committee(request):
    """The committee of one agency (``?agency=``, else the home agency): requirement, members, meetings, changes."""
    agency = agency_or_404(request, access.VIEW)
    now = timezone.now()
    today = selectors.agency_today(agency, now=now)
    requirements = selectors.requirements_of(agency)
    last_held = selectors.last_held_day(agency, before=now)
    voting_today = selectors.voting_members_serving(agency, today)
    quorum = selectors.quorum_setting(requirements, today)
    required_rows = [
        {
            "requirement": requirement,
            "in_force": selectors.agreement_in_force_on(requirement.agreement, today),
            "counted_from": selectors.counted_from(requirement),
            "due": selectors.next_due(requirement, last_held) if requirement.required else None,
            "missed": requirement.required and selectors.is_missed(requirement, last_held, today),
            "quorum_unreachable": selectors.quorum_unreachable(requirement.quorum, voting_today),
        }
        for requirement in requirements
    ]
    with_requirement = {r.agreement_id for r in requirements}
    agreements_without = [
        agreement
        for agreement in Agreement.objects.filter(agency=agency).order_by("model", "signed_on", "pk")
        if agreement.pk not in with_requirement
    ]
    members = list(
        CommitteeMember.objects.filter(agency=agency)
        .select_related("organisation", "contact")
        .order_by("name", "term_start", "pk")
    )
    current = [m for m in members if m.term_end is None or m.term_end >= today]
    past = [m for m in members if m.term_end is not None and m.term_end < today]
    upcoming = list(
        CommitteeMeeting.objects.filter(agency=agency, status=CommitteeMeeting.Status.SCHEDULED, starts_at__gte=now)
        .select_related("agency")
        .order_by("starts_at", "pk")[:OVERVIEW_ROWS]
    )
    earlier = list(
        CommitteeMeeting.objects.filter(agency=agency, starts_at__lt=now)
        .select_related("agency")
        .order_by("-starts_at", "-pk")[:OVERVIEW_ROWS]
    )
    quorums = selectors.meeting_quorums(agency, earlier, quorum=quorum)
    for meeting in earlier:
        meeting.quorum = quorums.get(meeting.pk)
    context = {
        "agency": agency,
        "today": today,
        "last_held": last_held,
        "required_rows": required_rows,
        "voting_today": voting_today,
        "settings_differ": selectors.settings_differ(requirements, today),
        "applied_quorum": quorum,
        "applied_minutes_days": selectors.minutes_approval_days(requirements, today),
        "agreements_without": agreements_without,
        "current_members": current,
        "past_members": past,
        "upcoming": upcoming,
        "earlier": earlier,
        "changes": membership_changes(agency),
        "can_change": services.may_change(request.user, agency),
        "can_administer": services.may_administer(request.user, agency),
        "other_agencies": [
            other
            for other in access.agencies_for(request.user, access.VIEW).order_by("state", "name")
            if other.pk != agency.pk
        ],
    }
    return render(request, "community/committee/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee_requirement(request, public_id):
    """An agreement's committee requirement (administrators of its agency)."""
    agreement = access.get_scoped_or_404(
        Agreement.objects.select_related("agency"), request.user, access.ADMINISTER, public_id=public_id
    )
    requirement = CommitteeRequirement.objects.filter(agreement=agreement, agreement__agency=agreement.agency).first()
    if request.method == "POST":
        form = CommitteeRequirementForm(request.POST, instance=CommitteeRequirement(agreement=agreement))
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in services.REQUIREMENT_FIELDS}
            try:
                services.requirement_save(agreement=agreement, actor=request.user, **fields)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Committee requirement saved.")
                warning = _quorum_warning(agreement.agency, form.cleaned_data["quorum"])
                if warning:
                    messages.warning(request, warning)
                return redirect(_overview_url(agreement.agency))
    else:
        form = CommitteeRequirementForm(instance=requirement or CommitteeRequirement(agreement=agreement))
    history = (
        list(requirement.history.select_related("history_user").order_by("-history_date")[:OVERVIEW_ROWS])
        if requirement
        else []
    )
    context = {
        "form": form,
        "agreement": agreement,
        "requirement": requirement,
        "history": history,
        "quorum_warning": _quorum_warning(agreement.agency, requirement.quorum) if requirement else "",
    }
    return render(request, "community/committee/requirement_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee_member_create(request):
    """Add a member to the committee of the agency (``?agency=``, else the home agency)."""
    agency = agency_or_404(request, access.VIEW)
    require_change(request.user, agency)
    form = CommitteeMemberForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_create(agency=agency, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Member added.")
            return redirect(_overview_url(agency))
    return render(request, "community/committee/member_form.html", {"form": form, "agency": agency, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def committee_member_edit(request, public_id):
    """Change a member's details, role, voting or term."""
    member = _member_or_404(request, public_id)
    require_change(request.user, member.agency)
    initial = {name: getattr(member, name) for name in services.MEMBER_FIELDS}
    initial["organisation"] = member.organisation.public_id if member.organisation_id else None
    initial["contact"] = member.contact.public_id if member.contact_id else None
    form = CommitteeMemberForm(request.POST or None, agency=member.agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Member updated.")
            return redirect(_overview_url(member.agency))
    context = {"form": form, "agency": member.agency, "member": member}
    return render(request, "community/committee/member_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee_member_end(request, public_id):
    """End a member's term."""
    member = _member_or_404(request, public_id)
    require_change(request.user, member.agency)
    form = MemberEndTermForm(request.POST or None, initial={"term_end": selectors.agency_today(member.agency)})
    if request.method == "POST" and form.is_valid():
        try:
            services.member_end_term(member=member, actor=request.user, term_end=form.cleaned_data["term_end"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Term ended.")
            return redirect(_overview_url(member.agency))
    return render(request, "community/committee/member_end.html", {"form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def committee_meeting_create(request):
    """Schedule a meeting (or log one held earlier, then record it held)."""
    agency = agency_or_404(request, access.VIEW)
    require_change(request.user, agency)
    form = MeetingForm(request.POST or None, agency=agency)
    if request.method == "POST" and form.is_valid():
        meeting = services.meeting_schedule(agency=agency, actor=request.user, **form.cleaned_data)
        messages.success(request, "Meeting scheduled.")
        return redirect("community:committee_meeting", public_id=meeting.public_id)
    return render(request, "community/committee/meeting_form.html", {"form": form, "agency": agency, "meeting": None})


@login_required
def committee_meeting(request, public_id):
    """One meeting: when, where, agenda; once held, attendance and quorum, minutes, decisions, action items."""
    meeting = _meeting_or_404(request, public_id)
    agency = meeting.agency
    now = timezone.now()
    today = selectors.agency_today(agency, now=now)
    attendance = list(
        MeetingAttendance.objects.filter(meeting=meeting, member__agency=agency)
        .select_related("member")
        .order_by("member__name", "pk")
    )
    quorum = None
    if meeting.status == CommitteeMeeting.Status.HELD:
        quorum = selectors.meeting_quorum(
            meeting, quorum=selectors.quorum_setting(selectors.requirements_of(agency), today)
        )
    decisions = list(CommitteeDecision.objects.filter(meeting=meeting, meeting__agency=agency).order_by("number"))
    can_change = services.may_change(request.user, agency)
    context = {
        "meeting": meeting,
        "agency": agency,
        "attendance": attendance,
        "quorum": quorum,
        "decisions": decisions,
        "can_change": can_change,
        "can_approve": services.may_approve(request.user, agency),
        "in_future": meeting.starts_at > now,
        "overview_url": _overview_url(agency),
    }
    return render(request, "community/committee/meeting_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee_meeting_edit(request, public_id):
    """Change a scheduled meeting's start, location or agenda."""
    meeting = _meeting_or_404(request, public_id)
    require_change(request.user, meeting.agency)
    initial = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    form = MeetingForm(request.POST or None, agency=meeting.agency, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(meeting=meeting, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting updated.")
            return redirect("community:committee_meeting", public_id=meeting.public_id)
    context = {"form": form, "agency": meeting.agency, "meeting": meeting}
    return render(request, "community/committee/meeting_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee_meeting_held(request, public_id):
    """Record a meeting held: attendance of the members serving that day, the public, minutes text and/or PDF."""
    meeting = _meeting_or_404(request, public_id)
    agency = meeting.agency
    require_change(request.user, agency)
    day = selectors.local_day(agency, meeting.starts_at)
    members = list(selectors.members_serving_on(agency, day))
    present = set(
        MeetingAttendance.objects.filter(meeting=meeting, present=True, member__agency=agency).values_list(
            "member__public_id", flat=True
        )
    )
    initial = {
        "attendance": [str(key) for key in present],
        "public_attendance": meeting.public_attendance,
        "minutes": meeting.minutes,
    }
    form = MeetingHeldForm(request.POST or None, request.FILES or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data.get("minutes_file")
            prepared = services.minutes_file_prepare(upload) if upload else None
            services.meeting_record_held(
                meeting=meeting,
                actor=request.user,
                present=form.present_members(),
                public_attendance=form.cleaned_data.get("public_attendance"),
                minutes=form.cleaned_data.get("minutes") or "",
                minutes_file=prepared,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting recorded as held.")
            return redirect("community:committee_meeting", public_id=meeting.public_id)
    context = {"form": form, "meeting": meeting, "agency": agency, "in_future": meeting.starts_at > timezone.now()}
    return render(request, "community/committee/meeting_held.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee_meeting_cancel(request, public_id):
    """Cancel a scheduled meeting with the reason."""
    meeting = _meeting_or_404(request, public_id)
    require_change(request.user, meeting.agency)
    form = MeetingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Meeting cancelled.")
            return redirect("community:committee_meeting", public_id=meeting.public_id)
    return render(request, "community/committee/meeting_cancel.html", {"form": form, "meeting": meeting})


@login_required
@require_http_methods(["GET", "POST"])
def committee_minutes_approve(request, public_id):
    """A supervisor approves a held meeting's minutes (confirmation page, then POST)."""
    meeting = _meeting_or_404(request, public_id)
    if not services.may_approve(request.user, meeting.agency):
        raise PermissionDenied(services.SUPERVISOR_ONLY_MESSAGE)
    if request.method == "POST":
        try:
            services.minutes_approve(meeting=meeting, actor=request.user)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, "Minutes approved.")
        return redirect("community:committee_meeting", public_id=meeting.public_id)
    quorum = None
    if meeting.status == CommitteeMeeting.Status.HELD:
        today = selectors.agency_today(meeting.agency)
        quorum = selectors.meeting_quorum(
            meeting, quorum=selectors.quorum_setting(selectors.requirements_of(meeting.agency), today)
        )
    return render(request, "community/committee/minutes_approve.html", {"meeting": meeting, "quorum": quorum})


@login_required
def committee_minutes_download(request, public_id):
    """The meeting's minutes PDF, as a download (access-logged); without a file, back to the meeting."""
    meeting = _meeting_or_404(request, public_id)
    if not meeting.minutes_file:
        messages.info(request, "This meeting has no minutes file.")
        return redirect("community:committee_meeting", public_id=meeting.public_id)
    return private_file_response(
        request,
        record=meeting,
        stored_file=meeting.minutes_file,
        filename=meeting.minutes_file_name or "minutes.pdf",
        content_type="application/pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
def committee_decision_add(request, public_id):
    """Record a decision taken at a held meeting (numbered next)."""
    meeting = _meeting_or_404(request, public_id)
    require_change(request.user, meeting.agency)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_add(meeting=meeting, actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("community:committee_meeting", public_id=meeting.public_id)
    return render(request, "community/committee/decision_form.html", {"form": form, "meeting": meeting})
