"""Officer lifecycle pages: status change, nomination checklist, exams; and the officer page's lifecycle section.

Thin views: access through ``compliance.core.access`` (another agency's officer,
or a user without ``change_records``, gets 404), writes through
``training.lifecycle.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from compliance.core import access
from compliance.core.forms import add_service_errors
from training.lifecycle import services as lifecycle
from training.lifecycle.forms import ChecklistForm, ExamForm, StatusChangeForm
from training.lifecycle.models import ExamAttempt
from training.roster.authorization import OfficerTraining
from training.roster.models import Course, Officer
from training.roster.selectors import officer_or_404


def _officer_for_change(request, public_id) -> Officer:
    return officer_or_404(request.user, public_id, perm=access.CHANGE, related=("agency", "agreement"))


def officer_lifecycle_context(*, officer: Officer, training: OfficerTraining, today) -> dict:
    """The officer page's lifecycle section: authorized today and why not, periods, status history, checklist, exams.

    ``training`` comes from ``training.roster.authorization.officer_trainings`` (already
    loaded). Two queries (status changes with their author, exam attempts).
    """
    authorization = training.authorization_on(today)
    return {
        "authorization": authorization,  # the one rule today, with every reason when not authorized
        "authorized_today": authorization.authorized,
        "authorization_periods": training.periods(),
        "status_changes": list(officer.status_changes.select_related("recorded_by").order_by("effective_on", "pk")),
        "checklist": [(label, getattr(officer, name)) for name, label in lifecycle.CHECKLIST.items()],
        "checklist_missing": lifecycle.checklist_missing(officer),
        "exam_attempts": list(
            ExamAttempt.objects.filter(officer=officer).select_related("course").order_by("taken_on", "pk")
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def officer_status_change(request, public_id):
    officer = _officer_for_change(request, public_id)
    form = StatusChangeForm(
        request.POST or None,
        current=officer.status,
        initial={"effective_on": timezone.localdate(timezone=officer.agency.zone)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.officer_set_status(actor=request.user, officer=officer, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Status changed to {officer.get_status_display().lower()}.")
            return redirect("training:officer_detail", public_id=officer.public_id)
    context = {"form": form, "officer": officer, "checklist_missing": lifecycle.checklist_missing(officer)}
    return render(request, "training/officer_status_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def officer_checklist(request, public_id):
    officer = _officer_for_change(request, public_id)
    initial = {name: getattr(officer, name) for name in lifecycle.CHECKLIST}
    form = ChecklistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lifecycle.officer_checklist_update(actor=request.user, officer=officer, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Nomination checklist saved.")
            return redirect("training:officer_detail", public_id=officer.public_id)
    return render(request, "training/officer_checklist_form.html", {"form": form, "officer": officer})


@login_required
@require_http_methods(["GET", "POST"])
def exam_create(request, public_id):
    officer = _officer_for_change(request, public_id)
    courses = access.scope(Course.objects.filter(agency=officer.agency), request.user, access.CHANGE).order_by("code")
    form = ExamForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        try:
            attempt = lifecycle.exam_record(actor=request.user, officer=officer, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            outcome = "passed" if attempt.passed else "failed"
            text = f"Exam recorded: {attempt.score_percent} %, {outcome}."
            if officer.status == Officer.Status.DISQUALIFIED:
                text += " Two failed exams: the officer is now disqualified (R2.2)."
            messages.success(request, text)
            return redirect("training:officer_detail", public_id=officer.public_id)
    return render(request, "training/exam_form.html", {"form": form, "officer": officer})
