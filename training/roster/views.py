"""Officer and course pages: officer page, officer and course forms, certification entry. Thin views.

Access through ``compliance.core.access``; writes through ``training.roster.services``.
The roster list, its bulk actions and exports are in ``list_views``.

Who sees what: any user holding ``view_records`` in an agency sees its roster,
officers and courses; creating and changing needs ``change_records``. A user
without that permission (an auditor) gets 404 on every create/change page, GET
or POST, exactly like a record of another agency.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, Agreement, access_log_record
from compliance.core.pages import agency_or_404, change_agencies_or_404, with_agency
from training.evidence.services import with_certificate_files
from training.lifecycle.views import officer_lifecycle_context
from training.reminders.notices import notice_log_for_officer
from training.roster import rules, selectors, services
from training.roster.authorization import officer_trainings
from training.roster.forms import CertificationForm, CourseForm, OfficerForm
from training.roster.models import Course, Rank
from training.roster.timeline import officer_timeline

PAGE_SIZE = 50


@login_required
@require_GET
def officer_detail(request, public_id):
    officer = selectors.officer_or_404(request.user, public_id, related=("agency", "supervisor", "agreement"))
    access_log_record(request, action=AccessLog.Action.VIEW, record=officer)  # SECURITY.md D3
    today = rules.agency_today(officer.agency)
    lines = selectors.officer_certification_lines(officer=officer, today=today)
    with_certificate_files(line.certification for line in lines)  # each line's certificate files (evidence)
    # The training status and authorization follow the officer's agreement's requirements (R2.4, R2.7).
    training = officer_trainings([officer])[officer.pk]
    training_status = training.training_status(today)
    context = {
        "officer": officer,
        "today": today,
        "lines": lines,
        "missing_courses": training_status.missing_courses,
        "nothing_required": training_status.nothing_required,
        "required_course_ids": training.required_course_ids(),
        "status": training_status.status,
        "status_label": training_status.label,
        **officer_lifecycle_context(officer=officer, training=training, today=today),
        "can_change": access.can(request.user, access.CHANGE, officer.agency),
        "notices": notice_log_for_officer(officer=officer),  # the "Notices" section
        "timeline": officer_timeline(officer=officer, today=today),  # the "Timeline" section
    }
    return render(request, "training/officer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def officer_create(request):
    agencies = change_agencies_or_404(request.user)
    initial_agency = access.current_agency(request, access.CHANGE)
    form = OfficerForm(
        request.POST or None,
        agencies=agencies,
        agency_initial=initial_agency,
        supervisors=selectors.supervisor_choices(agencies=agencies),
        agreements=Agreement.objects.filter(agency__in=agencies).select_related("agency"),
        ranks=Rank.objects.filter(agency__in=agencies).select_related("agency").order_by("-seniority", "name"),
        accounts=selectors.account_choices(agencies=agencies),
    )
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "agency"}
        try:
            officer = services.officer_create(actor=request.user, agency=form.selected_agency(), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Officer added to the roster.")
            return redirect("training:officer_detail", public_id=officer.public_id)
    return render(request, "training/officer_form.html", {"form": form, "officer": None})


@login_required
@require_http_methods(["GET", "POST"])
def officer_edit(request, public_id):
    officer = selectors.officer_or_404(request.user, public_id, perm=access.CHANGE, related=("agency", "supervisor"))
    initial = {name: getattr(officer, name) for name in services.OFFICER_FIELDS}
    form = OfficerForm(
        request.POST or None,
        initial=initial,
        supervisors=selectors.supervisor_choices(agencies=[officer.agency]),
        agreements=officer.agency.agreements.all(),
        ranks=Rank.objects.filter(agency=officer.agency).order_by("-seniority", "name"),
        accounts=selectors.account_choices(agencies=[officer.agency]),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_update(actor=request.user, officer=officer, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Officer saved.")
            return redirect("training:officer_detail", public_id=officer.public_id)
    return render(request, "training/officer_form.html", {"form": form, "officer": officer})


@login_required
@require_http_methods(["GET", "POST"])
def certification_create(request, public_id):
    officer = selectors.officer_or_404(request.user, public_id, perm=access.CHANGE)
    courses = access.scope(Course.objects.filter(agency=officer.agency), request.user, access.CHANGE).order_by("code")
    form = CertificationForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        try:
            certification = services.certification_record(actor=request.user, officer=officer, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Certification recorded; last valid day {certification.expires_on.isoformat()}.")
            return redirect("training:officer_detail", public_id=officer.public_id)
    return render(request, "training/certification_form.html", {"form": form, "officer": officer})


@login_required
@require_GET
def course_list(request):
    agency = agency_or_404(request, access.VIEW)
    courses = access.scope(Course.objects.filter(agency=agency), request.user, access.VIEW).order_by("code")
    agencies = list(access.agencies_for(request.user, access.VIEW).order_by("state", "name"))
    context = {
        "agency": agency,
        "agencies": agencies if len(agencies) > 1 else [],
        "courses": courses,
        "can_change": access.can(request.user, access.CHANGE, agency),
        "can_administer": access.can(request.user, access.ADMINISTER, agency),
    }
    return render(request, "training/course_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    agencies = change_agencies_or_404(request.user)
    form = CourseForm(
        request.POST or None, agencies=agencies, agency_initial=access.current_agency(request, access.CHANGE)
    )
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "agency"}
        agency = form.selected_agency()
        try:
            services.course_create(actor=request.user, agency=agency, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Course added.")
            return redirect(with_agency(reverse("training:course_list"), agency))
    return render(request, "training/course_form.html", {"form": form})
