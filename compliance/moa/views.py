"""The MOA checklist pages: the index of agreements, one agreement's checklist, edits, documents (issue #15 item 1).

Thin: records are found through ``compliance.core.access`` (another agency's → 404; seen but not
allowed → 403), forms validate, ``services`` write (their ``ValidationError`` goes onto the form),
``selectors`` read. Staff and auditors read; supervisors and administrators attach documents and
check now; administrators apply the templates and edit, confirm and add requirements.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from compliance.core.pages import NOT_SAVED, form_saved
from compliance.core.private_files import private_file_response
from compliance.moa import selectors, services
from compliance.moa.forms import DocumentForm, DocumentWithdrawForm, RequirementAddForm, RequirementForm
from compliance.moa.status import requirements_check
from compliance.moa.templates import templates_for


def _checklist_redirect(agreement, anchor: str = ""):
    response = redirect("moa:checklist", public_id=agreement.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _requirement_redirect(requirement):
    """The checklist, scrolled to ``requirement``."""
    return _checklist_redirect(requirement.agreement, f"requirement-{requirement.public_id}")


def _without(data: dict, *names: str) -> dict:
    return {name: value for name, value in data.items() if name not in names}


@login_required
def moa_index(request):
    """The agreements of the agencies the user may view, with their requirements' counts by status."""
    agreements = list(selectors.agreements_for(request.user))
    return render(request, "moa/index.html", {"agreements": agreements})


@login_required
def moa_checklist(request, public_id):
    """One agreement's checklist: each requirement's status, reason, last met on, evidence, documents, findings."""
    agreement = selectors.agreement_or_404(request.user, public_id)
    checklist = selectors.checklist(agreement, now=timezone.now())
    agency = agreement.agency
    context = {
        "agreement": agreement,
        "checklist": checklist,
        "can_administer": services.may_administer(request.user, agency),
        "can_attach": services.may_attach(request.user, agency),
        "templates_missing": bool(templates_for(agreement.model))
        and len({row.requirement.key for row in checklist.rows} | {r.key for r in checklist.inactive})
        < len(templates_for(agreement.model)),
    }
    return render(request, "moa/checklist.html", context)


@login_required
@require_POST
def moa_check_now(request, public_id):
    """Evaluate the agreement's requirements now and store what changed (supervisors and administrators)."""
    agreement = selectors.agreement_or_404(request.user, public_id)
    if not services.may_attach(request.user, agreement.agency):
        raise PermissionDenied(services.REVIEW_ONLY.replace("attach or withdraw documents", "check now"))
    result = requirements_check(agency=agreement.agency, agreement=agreement, actor=request.user)
    messages.success(request, f"Checked {result.checked} requirements: {result.changed} changed since the last check.")
    return _checklist_redirect(agreement)


@login_required
@require_POST
def moa_apply_templates(request, public_id):
    """Add the shipped requirements of the agreement's model that it does not have yet (administrators)."""
    agreement = selectors.agreement_or_404(request.user, public_id)
    services.require_administer(request.user, agreement.agency)
    created = services.requirements_apply(agreement=agreement, actor=request.user)
    if created:
        requirements_check(agency=agreement.agency, agreement=agreement, actor=request.user)
        messages.success(
            request,
            f"{len(created)} shipped requirements added. Check each against your signed MOA, then confirm it.",
        )
    else:
        messages.info(request, "Every shipped requirement is already on this agreement: nothing was added.")
    return _checklist_redirect(agreement)


@login_required
@require_http_methods(["GET", "POST"])
def moa_requirement_add(request, public_id):
    """Add a requirement of the signed MOA that the templates do not have (administrators)."""
    agreement = selectors.agreement_or_404(request.user, public_id)
    services.require_administer(request.user, agreement.agency)
    form = RequirementAddForm(request.POST or None)
    requirement = form_saved(
        request, form, lambda data: services.requirement_add(agreement=agreement, actor=request.user, **data)
    )
    if requirement is not NOT_SAVED:
        messages.success(request, "Requirement added.")
        return _requirement_redirect(requirement)
    return render(request, "moa/requirement_add.html", {"form": form, "agreement": agreement})


@login_required
@require_http_methods(["GET", "POST"])
def moa_requirement_edit(request, public_id):
    """Edit a requirement's words, section, settings and whether it applies (administrators)."""
    requirement = selectors.requirement_or_404(request.user, public_id)
    services.require_administer(request.user, requirement.agency)
    initial = {name: getattr(requirement, name) for name in services.UPDATE_FIELDS}
    form = RequirementForm(request.POST or None, initial=initial)
    saved = form_saved(
        request, form, lambda data: services.requirement_update(requirement=requirement, actor=request.user, **data)
    )
    if saved is not NOT_SAVED:
        messages.success(request, "Requirement saved.")
        return _requirement_redirect(requirement)
    return render(request, "moa/requirement_edit.html", {"form": form, "requirement": requirement})


@login_required
@require_POST
def moa_requirement_confirm(request, public_id):
    """Mark a requirement checked against the signed MOA (administrators)."""
    requirement = selectors.requirement_or_404(request.user, public_id)
    services.require_administer(request.user, requirement.agency)
    services.requirement_confirm(requirement=requirement, actor=request.user)
    messages.success(request, f"“{requirement.title}” confirmed against the signed MOA.")
    return _requirement_redirect(requirement)


@login_required
@require_http_methods(["GET", "POST"])
def moa_document_add(request, public_id):
    """Attach a document as evidence for a requirement (supervisors and administrators)."""
    requirement = selectors.requirement_or_404(request.user, public_id)
    services.require_attach(request.user, requirement.agency)
    form = DocumentForm(request.POST or None, request.FILES or None)
    saved = form_saved(
        request,
        form,
        lambda data: services.document_attach(
            requirement=requirement, actor=request.user, upload=data["file"], **_without(data, "file")
        ),
    )
    if saved is not NOT_SAVED:
        messages.success(request, "Document attached.")
        return _requirement_redirect(requirement)
    return render(request, "moa/document_add.html", {"form": form, "requirement": requirement})


@login_required
@require_http_methods(["GET", "POST"])
def moa_document_withdraw(request, public_id):
    """Confirm (GET) and withdraw (POST, with a required reason) a document: kept and downloadable, no longer
    evidence (supervisors and administrators)."""
    document = selectors.document_or_404(request.user, public_id)
    services.require_attach(request.user, document.agency)
    form = DocumentWithdrawForm(request.POST or None)
    saved = form_saved(
        request,
        form,
        lambda data: services.document_withdraw(document=document, actor=request.user, reason=data["reason"]),
    )
    if saved is not NOT_SAVED:
        messages.success(request, f"“{document.title}” withdrawn.")
        return _requirement_redirect(document.requirement)
    return render(request, "moa/document_withdraw.html", {"form": form, "document": document})


@login_required
def moa_document_download(request, public_id):
    """A document as a download (access-logged as an export)."""
    document = selectors.document_or_404(request.user, public_id)
    return private_file_response(
        request,
        record=document,
        stored_file=document.file,
        filename=services.document_download_name(document),
        content_type=document.content_type_name or "application/octet-stream",
    )
