"""Training session pages: list, schedule, detail with the roster, enroll, results, issue certifications.

Any user holding ``view_records`` in the agency reads sessions; scheduling,
enrolling, recording results and issuing need ``change_records``. Without it
(an auditor) every write answers 404, GET or POST, like another agency's record.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance.core import access
from compliance.core.pages import agency_or_404, paginate
from training.roster import rules
from training.roster.models import Course
from training.sessions import services as sessions
from training.sessions.forms import EnrollForm, EnrollmentResultFormSet, SessionForm
from training.sessions.models import TrainingSession

PAGE_SIZE = 50
NOTHING_ISSUED = "Nothing was issued: correct the rows marked below, then issue again."


def _session_or_404(request, public_id, perm: str) -> TrainingSession:
    return access.get_scoped_or_404(
        TrainingSession.objects.select_related("agency", "course", "certifications_issued_by"),
        request.user,
        perm,
        public_id=public_id,
    )


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


@login_required
@require_GET
def session_list(request):
    agency = agency_or_404(request, access.VIEW)
    sessions_qs = access.scope(sessions.sessions_for_agency(agency=agency), request.user, access.VIEW)
    page_obj = paginate(request, sessions_qs, per_page=PAGE_SIZE)
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "page_obj": page_obj,
        "query_string": urlencode({"agency": agency.public_id}),
        "today": rules.agency_today(agency),
        "can_change": access.can(request.user, access.CHANGE, agency),
    }
    return render(request, "training/session_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request):
    agency = agency_or_404(request, access.CHANGE)
    courses = access.scope(Course.objects.filter(agency=agency), request.user, access.CHANGE).order_by("code")
    form = SessionForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        try:
            session = sessions.session_create(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            for field, messages_ in exc.message_dict.items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Session scheduled. Enroll the officers who take it.")
            return redirect("training:session_detail", public_id=session.public_id)
    agencies = list(access.agencies_for(request.user, access.CHANGE).order_by("state", "name"))
    context = {"agency": agency, "agencies": agencies if len(agencies) > 1 else [], "form": form}
    return render(request, "training/session_form.html", context)


def _results_formset(roster, data=None):
    initial = [
        {
            "enrollment": enrollment.public_id,
            "attended": enrollment.attended,
            "exam_score_percent": enrollment.exam_score_percent,
            "is_remediation": enrollment.is_remediation,
        }
        for enrollment in roster
    ]
    return EnrollmentResultFormSet(data, initial=initial, prefix="results")


def _bound_results_formset(roster):
    """The roster's stored values as a bound, validated formset, so row errors can be added to it."""
    data = {"results-TOTAL_FORMS": str(len(roster)), "results-INITIAL_FORMS": str(len(roster))}
    for index, enrollment in enumerate(roster):
        data[f"results-{index}-enrollment"] = str(enrollment.public_id)
        if enrollment.attended:
            data[f"results-{index}-attended"] = "on"
        if enrollment.exam_score_percent is not None:
            data[f"results-{index}-exam_score_percent"] = str(enrollment.exam_score_percent)
        if enrollment.is_remediation:
            data[f"results-{index}-is_remediation"] = "on"
    formset = _results_formset(roster, data)
    formset.is_valid()
    return formset


def _render_detail(request, session, *, formset=None, enroll_form=None, issue_errors=()):
    roster = sessions.session_roster(session=session)
    can_change = access.can(request.user, access.CHANGE, session.agency)
    is_open = session.certifications_issued_at is None
    editable = can_change and is_open
    if editable and formset is None:
        formset = _results_formset(roster)
    forms_by_id = {}
    if formset is not None:
        forms_by_id = {str(form["enrollment"].value()): form for form in formset.forms}
    rows = [
        {
            "enrollment": enrollment,
            "form": forms_by_id.get(str(enrollment.public_id)),
            "passed": sessions.exam_passed(enrollment.exam_score_percent),
        }
        for enrollment in roster
    ]
    context = {
        "session": session,
        "agency": session.agency,
        "rows": rows,
        "formset": formset if editable else None,
        "enroll_form": (enroll_form or EnrollForm()) if editable else None,
        "issue_errors": list(issue_errors),
        "can_change": can_change,
        "is_open": is_open,
        "today": rules.agency_today(session.agency),
        "pass_mark": sessions.PASS_MARK_PERCENT,
    }
    return render(request, "training/session_detail.html", context)


@login_required
@require_GET
def session_detail(request, public_id):
    return _render_detail(request, _session_or_404(request, public_id, access.VIEW))


@login_required
@require_POST
def session_enroll(request, public_id):
    session = _session_or_404(request, public_id, access.CHANGE)
    form = EnrollForm(request.POST)
    if form.is_valid():
        try:
            enrolled = sessions.session_enroll(
                actor=request.user, session=session, badge_numbers=form.cleaned_data["badge_numbers"]
            )
        except ValidationError as exc:
            for message in exc.message_dict.get("badge_numbers", []) if hasattr(exc, "error_dict") else exc.messages:
                form.add_error("badge_numbers", message)
        else:
            messages.success(request, f"{len(enrolled)} officer{'s' if len(enrolled) != 1 else ''} enrolled.")
            return redirect("training:session_detail", public_id=session.public_id)
    return _render_detail(request, session, enroll_form=form)


@login_required
@require_POST
def session_unenroll(request, public_id):
    session = _session_or_404(request, public_id, access.CHANGE)
    enrollment = session.enrollments.filter(public_id=_uuid_or_none(request.POST.get("enrollment"))).first()
    if enrollment is None:
        messages.error(request, "That officer is not enrolled in this session (any more).")
        return redirect("training:session_detail", public_id=session.public_id)
    try:
        sessions.session_unenroll(actor=request.user, enrollment=enrollment)
    except ValidationError as exc:
        messages.error(request, " ".join(_error_messages(exc)))
    else:
        messages.success(request, "Officer taken off the session.")
    return redirect("training:session_detail", public_id=session.public_id)


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _posted_results(request, session):
    """The roster formset from the POST and its rows as ``EnrollmentResult``s (None when invalid)."""
    formset = _results_formset(sessions.session_roster(session=session), request.POST)
    if not formset.is_valid():
        return formset, None
    results = [
        sessions.EnrollmentResult(
            enrollment_id=str(data["enrollment"]),
            attended=data["attended"],
            exam_score_percent=data["exam_score_percent"],
            is_remediation=data["is_remediation"],
        )
        for data in formset.cleaned_data
        if data
    ]
    return formset, results


@login_required
@require_POST
def session_results(request, public_id):
    session = _session_or_404(request, public_id, access.CHANGE)
    formset, results = _posted_results(request, session)
    if results is not None:
        try:
            changed = sessions.session_results_record(actor=request.user, session=session, results=results)
        except sessions.SessionRowsError as exc:
            _add_row_errors(formset, exc)
        except ValidationError as exc:
            return _render_detail(request, session, issue_errors=_error_messages(exc))
        else:
            messages.success(request, f"Results saved ({changed} row{'s' if changed != 1 else ''} changed).")
            return redirect("training:session_detail", public_id=session.public_id)
    return _render_detail(request, session, formset=formset)


def _add_row_errors(formset, error: sessions.SessionRowsError) -> None:
    """Put each row's errors next to that row's fields (rows matched by enrollment id)."""
    forms_by_id = {str(form["enrollment"].value()): form for form in formset.forms}
    for enrollment_id, fields in error.rows.items():
        form = forms_by_id.get(enrollment_id)
        if form is None:
            continue
        for field, messages_ in fields.items():
            for message in messages_:
                form.add_error(None if field == "__all__" else field, message)


@login_required
@require_POST
def session_issue(request, public_id):
    session = _session_or_404(request, public_id, access.CHANGE)
    formset, results = None, None
    if "results-TOTAL_FORMS" in request.POST:  # the roster form's "Issue" button: save its rows too
        formset, results = _posted_results(request, session)
        if results is None:
            return _render_detail(request, session, formset=formset, issue_errors=[NOTHING_ISSUED])
    try:
        result = sessions.session_certifications_issue(actor=request.user, session=session, results=results)
    except sessions.SessionRowsError as exc:
        formset = formset or _bound_results_formset(sessions.session_roster(session=session))
        _add_row_errors(formset, exc)
        return _render_detail(request, session, formset=formset, issue_errors=[NOTHING_ISSUED])
    except ValidationError as exc:
        return _render_detail(request, session, formset=formset, issue_errors=_error_messages(exc))
    issued = len(result.certifications)
    messages.success(
        request,
        f"{issued} certification{'s' if issued != 1 else ''} issued"
        + (f"; {len(result.failed)} did not pass the exam" if result.failed else "")
        + (f"; {result.absent} absent" if result.absent else "")
        + ".",
    )
    return redirect("training:session_detail", public_id=session.public_id)
