"""Agreement pages: the agreement list, its training requirements and officer cap (R1.8, R2.4–R2.6).

Agency administrators only.

Every page needs ``administer_agency`` in the agreement's agency; anyone else,
including another agency's administrator, gets 404. Writes go through
``training.requirements.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import Agreement
from training.lifecycle.forms import AgreementCapForm, RequirementAddForm, RequirementEditForm
from training.lifecycle.services import designated_count
from training.requirements import services as requirements
from training.requirements.models import TrainingRequirement
from training.roster.models import Course

KIND_ORDER = list(TrainingRequirement.Kind.values)  # basic, refresher, annual


def _agreement_or_404(request, public_id) -> Agreement:
    return access.get_scoped_or_404(
        Agreement.objects.select_related("agency"), request.user, access.ADMINISTER, public_id=public_id
    )


@login_required
@require_GET
def agreement_list(request):
    agency = access.current_agency(request, access.ADMINISTER)
    if agency is None:
        raise Http404("No agency.")
    agreements = agency.agreements.order_by("model", "-signed_on")
    agencies = list(access.agencies_for(request.user, access.ADMINISTER).order_by("state", "name"))
    context = {"agency": agency, "agencies": agencies if len(agencies) > 1 else [], "agreements": agreements}
    return render(request, "training/agreement_list.html", context)


def _forms(agreement, data=None):
    rows = sorted(
        agreement.training_requirements.select_related("course"),
        key=lambda row: (KIND_ORDER.index(row.kind), row.course.code),
    )
    cap_form = AgreementCapForm(data, initial={"max_authorized_officers": agreement.max_authorized_officers})
    row_forms = [
        (
            row,
            RequirementEditForm(
                data,
                prefix=f"r{row.pk}",
                initial={name: getattr(row, name) for name in requirements.REQUIREMENT_FIELDS},
            ),
        )
        for row in rows
    ]
    return cap_form, row_forms


def _add_form(agreement, data=None):
    taken = agreement.training_requirements.values("course_id")
    courses = Course.objects.filter(agency_id=agreement.agency_id).exclude(pk__in=taken).order_by("code")
    return RequirementAddForm(data, prefix="add", courses=courses)


def _render(request, agreement, cap_form, row_forms, add_form):
    context = {
        "agreement": agreement,
        "cap_form": cap_form,
        "row_forms": row_forms,
        "add_form": add_form,
        "designated": designated_count(agreement),
        "has_defaults": agreement.model in requirements.DEFAULT_REQUIREMENTS,
        "check_against_moa": requirements.CHECK_AGAINST_MOA,
    }
    return render(request, "training/agreement_requirements.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_requirements(request, public_id):
    agreement = _agreement_or_404(request, public_id)
    if request.method == "GET":
        cap_form, row_forms = _forms(agreement)
        return _render(request, agreement, cap_form, row_forms, _add_form(agreement))
    cap_form, row_forms = _forms(agreement, request.POST)
    valid = cap_form.is_valid() & all([form.is_valid() for _row, form in row_forms])
    if valid:
        changes = [
            (row, {k: v for k, v in form.cleaned_data.items() if k != "remove"})
            for row, form in row_forms
            if not form.cleaned_data["remove"]
        ]
        removals = [row for row, form in row_forms if form.cleaned_data["remove"]]
        try:
            requirements.agreement_training_update(
                actor=request.user,
                agreement=agreement,
                max_authorized_officers=cap_form.cleaned_data["max_authorized_officers"],
                changes=changes,
                removals=removals,
            )
        except ValidationError as exc:
            forms_by_key = {f"requirement-{row.pk}": form for row, form in row_forms}
            for key, messages_ in exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]:
                target = forms_by_key.get(key, cap_form)
                for message in messages_:
                    target.add_error(key if key in target.fields else None, message)
        else:
            messages.success(request, "Training requirements and officer cap saved.")
            return redirect("training:agreement_requirements", public_id=agreement.public_id)
    return _render(request, agreement, cap_form, row_forms, _add_form(agreement))


@login_required
@require_POST
def agreement_requirements_defaults(request, public_id):
    agreement = _agreement_or_404(request, public_id)
    created = requirements.requirement_defaults_apply(actor=request.user, agreement=agreement)
    if created:
        codes = ", ".join(requirement.course.code for requirement in created)
        messages.success(request, f"Default requirements added: {codes}. Check each value against the signed MOA.")
    else:
        messages.info(request, "Every default requirement was already there; nothing added.")
    return redirect("training:agreement_requirements", public_id=agreement.public_id)


@login_required
@require_POST
def agreement_requirement_add(request, public_id):
    agreement = _agreement_or_404(request, public_id)
    add_form = _add_form(agreement, request.POST)
    if add_form.is_valid():
        try:
            requirements.requirement_add(actor=request.user, agreement=agreement, **add_form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(add_form, exc)
        else:
            messages.success(request, "Requirement added.")
            return redirect("training:agreement_requirements", public_id=agreement.public_id)
    cap_form, row_forms = _forms(agreement)
    return _render(request, agreement, cap_form, row_forms, add_form)
