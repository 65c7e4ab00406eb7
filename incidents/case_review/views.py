"""The case page, and the small pages of the review steps a user may take from it (issue #11 items 2, 3 and 6).

``incident_detail`` shows one case: its facts, stage and dates, subject officers with their
287(g) authorization at the time of the act, allegations and dispositions, the timeline and
the steps the viewer may take. Its query count does not grow with the agency's data (the
timeline, allegations and subject officers are one query each; each subject officer's
authorization is read on its own, a handful of queries per officer of this case).

``incident_step`` shows and takes one step (``STEPS``): the permission it needs is checked
before the form is read (a user without it gets 403, a case of another agency 404); the
service re-checks every rule and its refusals are shown next to the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import AccessLog, Finding, access_log_record
from incidents.case_review import forms, services
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Allegation, CaseEvent, Incident, SubjectOfficer
from incidents.incident_log.selectors import incident_or_404
from training.roster.authorization import officer_authorization_at

Status = Incident.Status
SUPERVISOR = "supervisor"  # REVIEW in the case's agency
WORKER = "investigator or supervisor"  # the case's investigator (with CHANGE), or REVIEW
STAFF = "staff"  # CHANGE


@dataclass(frozen=True)
class Step:
    """One review step: its form, who may take it, the stages it is offered in, and the service call."""

    title: str
    form: type
    who: str
    stages: tuple[str, ...]
    run: Callable
    done: str
    button: str = "Save"


def _detainer(incident, actor, data):
    detainer = Detainer.objects.filter(agency=incident.agency, booking_number=data["booking_number"].strip()).first()
    if detainer is None:
        raise ValidationError({"booking_number": "No detainer of this agency has that booking number."})
    return services.incident_detainer_link(incident=incident, actor=actor, detainer=detainer)


OPEN = (Status.RECEIVED, Status.UNDER_INVESTIGATION, Status.SUPERVISOR_REVIEW)
WORKING = (Status.UNDER_INVESTIGATION, Status.SUPERVISOR_REVIEW)

STEPS: dict[str, Step] = {
    "accept": Step(
        "Accept as a case",
        forms.AcceptForm,
        SUPERVISOR,
        (Status.RECEIVED,),
        lambda i, a, d: services.incident_accept(incident=i, actor=a, investigator=d["investigator"]),
        "Case accepted for investigation.",
        "Accept",
    ),
    "merge": Step(
        "Merge with another case",
        forms.MergeForm,
        SUPERVISOR,
        (Status.RECEIVED,),
        lambda i, a, d: services.incident_merge(incident=i, actor=a, into=d["into"], reason=d["reason"]),
        "Case merged.",
        "Merge",
    ),
    "decline": Step(
        "Close as not an agency matter",
        forms.DeclineForm,
        SUPERVISOR,
        (Status.RECEIVED,),
        lambda i, a, d: services.incident_decline(incident=i, actor=a, reason=d["reason"]),
        "Case closed as not an agency matter.",
        "Close as not an agency matter",
    ),
    "assign": Step(
        "Assign the investigator",
        forms.AssignForm,
        SUPERVISOR,
        WORKING,
        lambda i, a, d: services.incident_assign(incident=i, actor=a, investigator=d["investigator"]),
        "Investigator assigned.",
        "Assign",
    ),
    "note": Step(
        "Add a note",
        forms.NoteForm,
        STAFF,
        (*OPEN, Status.CLOSED),
        lambda i, a, d: services.case_note_add(incident=i, actor=a, text=d["text"]),
        "Note added.",
        "Add note",
    ),
    "officer": Step(
        "Link a subject officer",
        forms.SubjectOfficerForm,
        STAFF,
        OPEN,
        lambda i, a, d: services.subject_officer_add(incident=i, actor=a, officer=d["officer"]),
        "Subject officer linked.",
        "Link officer",
    ),
    "officer-remove": Step(
        "Remove a subject officer",
        forms.SubjectOfficerRemoveForm,
        STAFF,
        OPEN,
        lambda i, a, d: services.subject_officer_remove(incident=i, actor=a, officer=d["officer"]),
        "Subject officer removed.",
        "Remove officer",
    ),
    "allegation": Step(
        "Add an allegation",
        forms.AllegationForm,
        STAFF,
        (Status.RECEIVED, Status.UNDER_INVESTIGATION),
        lambda i, a, d: services.allegation_add(incident=i, actor=a, text=d["text"], officer=d["officer"]),
        "Allegation added.",
        "Add allegation",
    ),
    "disposition": Step(
        "Record a disposition",
        forms.DispositionForm,
        WORKER,
        WORKING,
        lambda i, a, d: services.allegation_dispose(
            allegation=d["allegation"], actor=a, disposition=d["disposition"], note=d["note"]
        ),
        "Disposition recorded.",
        "Record disposition",
    ),
    "submit": Step(
        "Send to supervisor review",
        forms.SubmitForm,
        WORKER,
        (Status.UNDER_INVESTIGATION,),
        lambda i, a, d: services.incident_submit_for_review(incident=i, actor=a, summary=d["summary"]),
        "Case sent to supervisor review.",
        "Send to review",
    ),
    "return": Step(
        "Return to investigation",
        forms.ReasonForm,
        SUPERVISOR,
        (Status.SUPERVISOR_REVIEW,),
        lambda i, a, d: services.incident_return(incident=i, actor=a, reason=d["reason"]),
        "Case returned to investigation.",
        "Return",
    ),
    "close": Step(
        "Close and sign off",
        forms.CloseForm,
        SUPERVISOR,
        (Status.SUPERVISOR_REVIEW,),
        lambda i, a, d: services.incident_close(
            incident=i, actor=a, narrative=d["narrative"], open_actions_reason=d["open_actions_reason"]
        ),
        "Case closed and signed off.",
        "Close and sign off",
    ),
    "reopen": Step(
        "Reopen the case",
        forms.ReasonForm,
        SUPERVISOR,
        (Status.CLOSED,),
        lambda i, a, d: services.incident_reopen(incident=i, actor=a, reason=d["reason"]),
        "Case reopened.",
        "Reopen",
    ),
    "detainer": Step(
        "Link a detainer",
        forms.DetainerLinkForm,
        STAFF,
        OPEN,
        _detainer,
        "Detainer linked.",
        "Link detainer",
    ),
    "finding": Step(
        "Link a finding",
        forms.FindingLinkForm,
        STAFF,
        OPEN,
        lambda i, a, d: services.incident_finding_link(incident=i, actor=a, finding=d["finding"]),
        "Finding linked.",
        "Link finding",
    ),
}


def _may(user, who: str, incident: Incident, perms: set[str]) -> bool:
    """Whether ``user`` (holding ``perms`` in the case's agency) may take a step needing ``who``."""
    if who == SUPERVISOR:
        return access.REVIEW in perms
    if who == WORKER:
        return access.REVIEW in perms or (access.CHANGE in perms and incident.investigator_id == user.pk)
    return access.CHANGE in perms


def _perms(user, incident: Incident) -> set[str]:
    """The agency permissions ``user`` holds in the case's agency (one query)."""
    from guardian.shortcuts import get_perms

    return set(get_perms(user, incident.agency)) if user.is_active else set()


def steps_for(user, incident: Incident, perms: set[str]) -> list[tuple[str, Step]]:
    """The steps ``user`` may take on ``incident`` at its stage, in ``STEPS`` order (the page's buttons)."""
    return [
        (slug, step)
        for slug, step in STEPS.items()
        if incident.status in step.stages and _may(user, step.who, incident, perms)
    ]


@login_required
def incident_detail(request, public_id):
    """The case page (any user who may view the agency's records; others 404). Access-logged (D3)."""
    incident = incident_or_404(request.user, public_id)
    access_log_record(request, action=AccessLog.Action.VIEW, record=incident)  # SECURITY.md D3
    perms = _perms(request.user, incident)
    subjects = list(
        SubjectOfficer.objects.filter(incident=incident)
        .select_related("officer__rank", "officer__agency")
        .order_by("officer__last_name", "officer__first_name")
    )
    subject_rows = [
        (link, officer_authorization_at(officer=link.officer, at=incident.occurred_at)) for link in subjects
    ]
    allegations = list(
        Allegation.objects.filter(incident=incident).select_related("officer", "disposed_by").order_by("created_at")
    )
    timeline = list(CaseEvent.objects.filter(incident=incident).select_related("actor").order_by("at", "pk"))
    findings = list(incident.linked_findings.order_by("-opened_at"))
    # "Remove a subject officer" only when there is one to remove; "record a disposition" only with an allegation.
    absent = {"officer-remove": not subjects, "disposition": not allegations}
    steps = [(slug, step) for slug, step in steps_for(request.user, incident, perms) if not absent.get(slug)]
    context = {
        "incident": incident,
        "can_change": access.CHANGE in perms,
        "subject_rows": subject_rows,
        "allegations": allegations,
        "timeline": timeline,
        "findings": findings,
        "steps": steps,
        "note_form": forms.NoteForm(incident=incident) if any(slug == "note" for slug, _ in steps) else None,
    }
    return render(request, "incidents/case/case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def incident_step(request, public_id, step):
    """One review step's page: GET shows its form, POST takes it (see ``STEPS`` and the module docstring)."""
    spec = STEPS.get(step)
    if spec is None:
        raise Http404("No such step.")
    incident = incident_or_404(request.user, public_id)
    if not _may(request.user, spec.who, incident, _perms(request.user, incident)):
        raise PermissionDenied(f"You may not {spec.title.lower()} on this case.")
    form = spec.form(request.POST or None, incident=incident)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                spec.run(incident, request.user, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error) or "You may not take this step.")
            else:
                messages.success(request, spec.done)
                return redirect("incidents:incident_detail", public_id=incident.public_id)
        status = 400
    context = {
        "incident": incident,
        "form": form,
        "step": spec,
        "slug": step,
        "offered": incident.status in spec.stages,
    }
    return render(request, "incidents/case/case_step.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def finding_case(request, public_id):
    """From a finding: open a case from it, or link it to an open case of its agency (CHANGE; others 403/404)."""
    finding = access.get_scoped_or_404(Finding.objects.select_related("agency"), request.user, public_id=public_id)
    if not access.can(request.user, access.CHANGE, finding.agency):
        raise PermissionDenied("You may read but not change this agency's records.")
    form = forms.FindingToCaseForm(request.POST or None, finding=finding, user=request.user)
    status = 200
    if request.method == "POST":
        if request.POST.get("do") == "open":
            incident = services.incident_open_from_finding(finding=finding, actor=request.user)
            messages.success(request, "Case opened from the finding.")
            return redirect("incidents:incident_detail", public_id=incident.public_id)
        if form.is_valid():
            incident = form.cleaned_data["incident"]
            try:
                services.incident_finding_link(incident=incident, actor=request.user, finding=finding)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Finding linked to the case.")
                return redirect("incidents:incident_detail", public_id=incident.public_id)
        status = 400
    return render(request, "incidents/case/finding_case.html", {"finding": finding, "form": form}, status=status)
