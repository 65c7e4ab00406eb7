"""Writes of the MOA checklist: apply the shipped templates, edit, confirm, add, documents (issue #15 item 1).

Each service takes keyword-only arguments and the acting user (``actor=``), checks the actor's
permission in the agreement's agency (``compliance.core.access``), writes in one transaction with
history attributed through ``acting_as``, and raises ``ValidationError`` keyed by field for bad
input, ``PermissionDenied`` for a user who may not.

* Requirements (``administer_agency``): ``requirements_apply`` copies the model's templates
  (``compliance.moa.templates``) onto an agreement — idempotent, a key already there is kept as it
  is (edited text, confirmation and status untouched); ``requirement_update`` edits the text,
  section, parameters and whether it applies; ``requirement_confirm`` marks it checked against the
  signed MOA; ``requirement_add`` adds a custom requirement (met by documents unless another
  evaluator is chosen).
* Documents (``review_records``: supervisors and administrators): ``document_attach`` checks the
  file by content (PDF, PNG or JPEG; ``incidents.case_files.services.attachment_prepare``: magic
  bytes, a real parser, the size cap, the virus scan) and stores it privately;
  ``document_withdraw`` withdraws one (kept, no longer evidence) with a required reason.
* Every change that can move a requirement's status (a document attached or withdrawn, a requirement added
  or edited) re-checks that requirement in the same transaction (``compliance.moa.status
  .requirement_recheck``), so the stored status matches the evidence at once.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agreement, AgreementRequirement, Clause, RequirementDocument
from compliance.moa.evidence import EVALUATORS
from compliance.moa.status import requirement_recheck
from compliance.moa.templates import templates_for
from incidents.case_files import scanner
from incidents.case_files.services import attachment_prepare

ADMINISTER_ONLY = "Only an administrator of the agency can change its agreement's requirements."
REVIEW_ONLY = "Only a supervisor or an administrator of the agency can attach or withdraw documents."
QUARANTINED = "The virus scan flagged this file: it was not attached."
UNKNOWN_EVIDENCE = "Choose how the requirement is met from the list."
PARAMETERS_NOT_OBJECT = 'Enter the settings as a JSON object, e.g. {"grace_days": 14}.'
VALID_UNTIL_BEFORE_FROM = "The end of validity must be on or after its start."
WITHDRAW_REASON_REQUIRED = "Enter why the document is withdrawn."
KEY_TAKEN = "This agreement already has a requirement with this title; choose another title."

#: Editable fields of ``requirement_update``.
UPDATE_FIELDS = frozenset({"title", "text", "moa_section", "parameters", "active"})


def may_administer(user, agency) -> bool:
    """Whether ``user`` may change ``agency``'s requirements (``administer_agency``)."""
    return access.can(user, access.ADMINISTER, agency)


def may_attach(user, agency) -> bool:
    """Whether ``user`` may attach and withdraw documents in ``agency`` (``review_records``)."""
    return access.can(user, access.REVIEW, agency)


def require_administer(user, agency) -> None:
    """Raise ``PermissionDenied`` (403, ``ADMINISTER_ONLY``) unless ``user`` may change ``agency``'s requirements."""
    if not may_administer(user, agency):
        raise PermissionDenied(ADMINISTER_ONLY)


def require_attach(user, agency) -> None:
    """Raise ``PermissionDenied`` (403, ``REVIEW_ONLY``) unless ``user`` may attach and withdraw documents there."""
    if not may_attach(user, agency):
        raise PermissionDenied(REVIEW_ONLY)


def requirements_apply(*, agreement: Agreement, actor) -> list[AgreementRequirement]:
    """Copy the shipped requirements of ``agreement.model`` onto it; keys already there are kept untouched.

    Args:
        agreement: the agreement.
        actor: an administrator of its agency.

    Returns:
        The requirements created by this call (empty when every key was there already).

    Raises:
        PermissionDenied: ``actor`` does not administer the agency.
    """
    require_administer(actor, agreement.agency)
    with transaction.atomic(), acting_as(actor, reason="Shipped requirements applied"):
        Agreement.objects.select_for_update().filter(pk=agreement.pk).first()
        existing = set(AgreementRequirement.objects.filter(agreement=agreement).values_list("key", flat=True))
        created = []
        for position, template in enumerate(templates_for(agreement.model), start=1):
            if template.key in existing:
                continue
            evaluator = EVALUATORS.get(template.evidence)
            parameters = {**(evaluator.defaults if evaluator else {}), **template.parameters}
            requirement = AgreementRequirement(
                agency=agreement.agency,
                agreement=agreement,
                clause=template.clause,
                key=template.key,
                title=template.title,
                text=template.text,
                source=template.source,
                evidence=template.evidence,
                parameters=parameters,
                position=position * 10,
            )
            requirement.save()
            created.append(requirement)
    return created


def _clean_parameters(value) -> dict:
    if not isinstance(value, dict):
        raise ValidationError({"parameters": PARAMETERS_NOT_OBJECT})
    return value


def requirement_update(*, requirement: AgreementRequirement, actor, **fields) -> AgreementRequirement:
    """Change ``fields`` (of ``UPDATE_FIELDS``) of ``requirement``; a save that changes nothing writes nothing.

    Raises:
        PermissionDenied: ``actor`` does not administer the agency.
        ValidationError: ``parameters`` not a JSON object; an unknown field (a programming error: ValueError).
    """
    require_administer(actor, requirement.agency)
    unknown = set(fields) - UPDATE_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if "parameters" in fields:
        fields["parameters"] = _clean_parameters(fields["parameters"])
    changed = [name for name, value in fields.items() if getattr(requirement, name) != value]
    if not changed:
        return requirement
    with transaction.atomic(), acting_as(actor, reason="Requirement edited"):
        for name in changed:
            setattr(requirement, name, fields[name])
        requirement.save(update_fields=[*changed, "updated_at"])
        requirement_recheck(requirement)
    return requirement


def requirement_confirm(*, requirement: AgreementRequirement, actor) -> AgreementRequirement:
    """Mark ``requirement`` checked against the signed MOA (``confirmed_at``/``confirmed_by``); again: no change.

    Raises:
        PermissionDenied: ``actor`` does not administer the agency.
    """
    require_administer(actor, requirement.agency)
    if requirement.confirmed_at is not None:
        return requirement
    with transaction.atomic(), acting_as(actor, reason="Requirement checked against the signed MOA"):
        requirement.confirmed_at = timezone.now()
        requirement.confirmed_by = actor
        requirement.save(update_fields=["confirmed_at", "confirmed_by", "updated_at"])
    return requirement


def requirement_add(
    *,
    agreement: Agreement,
    actor,
    title: str,
    text: str,
    clause: str = Clause.OTHER,
    moa_section: str = "",
    evidence: str = "document",
    parameters: dict | None = None,
) -> AgreementRequirement:
    """Add a custom requirement to ``agreement``, confirmed (an administrator wrote it from the signed MOA).

    Its key is ``custom-`` and the title's slug. Raises ``PermissionDenied`` (not an administrator) or
    ``ValidationError`` (unknown evaluator, parameters not an object, a title whose key is taken).
    """
    require_administer(actor, agreement.agency)
    if evidence not in EVALUATORS:
        raise ValidationError({"evidence": UNKNOWN_EVIDENCE})
    evaluator = EVALUATORS[evidence]
    parameters = {**evaluator.defaults, **_clean_parameters(parameters if parameters is not None else {})}
    key = ("custom-" + (slugify(title) or "requirement"))[:60]
    key = re.sub(r"-+$", "", key)
    with transaction.atomic(), acting_as(actor, reason="Requirement added"):
        if AgreementRequirement.objects.filter(agreement=agreement, key=key).exists():
            raise ValidationError({"title": KEY_TAKEN})
        last = AgreementRequirement.objects.filter(agreement=agreement).aggregate(last=Max("position"))["last"] or 0
        requirement = AgreementRequirement(
            agency=agreement.agency,
            agreement=agreement,
            clause=clause,
            key=key,
            title=title,
            text=text,
            moa_section=moa_section,
            source="Custom: written by the agency from its signed MOA",
            evidence=evidence,
            parameters=parameters,
            position=min(last + 10, 32000),
            confirmed_at=timezone.now(),
            confirmed_by=actor,
        )
        requirement.save()
        requirement_recheck(requirement)
    return requirement


def document_attach(
    *,
    requirement: AgreementRequirement,
    actor,
    upload,
    title: str,
    note: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> RequirementDocument:
    """Attach a document to ``requirement`` as evidence, after checking the file by its content.

    Args:
        requirement: the requirement.
        actor: a supervisor or administrator of its agency.
        upload: the uploaded file (``UploadedFile``).
        title, note: what the document is.
        valid_from, valid_until: agency-local dates it is valid (blank: open-ended).

    Returns:
        The new ``RequirementDocument``.

    Raises:
        PermissionDenied: ``actor`` may not attach in the agency.
        ValidationError: keyed by ``file`` (empty, too large, not a PDF/PNG/JPEG by content, renamed, scanner
            unavailable, flagged by the scan) or ``valid_until`` (before ``valid_from``); nothing is stored.
    """
    require_attach(actor, requirement.agency)
    if valid_from and valid_until and valid_until < valid_from:
        raise ValidationError({"valid_until": VALID_UNTIL_BEFORE_FROM})
    prepared = attachment_prepare(upload, field="file")
    if prepared.scan == scanner.FOUND:
        raise ValidationError({"file": QUARANTINED})
    document = RequirementDocument(
        agency=requirement.agency,
        requirement=requirement,
        title=title,
        note=note,
        content_type_name=prepared.content_type,
        size=len(prepared.data),
        sha256=prepared.sha256,
        valid_from=valid_from,
        valid_until=valid_until,
        uploaded_by=actor,
    )
    document.file.save("upload", ContentFile(prepared.data), save=False)  # the name is ignored (random)
    try:
        with transaction.atomic(), acting_as(actor, reason="Requirement document attached"):
            document.save()
            requirement_recheck(requirement)
    except BaseException:
        document.file.storage.delete(document.file.name)
        raise
    return document


def document_withdraw(*, document: RequirementDocument, actor, reason: str) -> RequirementDocument:
    """Withdraw ``document`` (kept and downloadable, no longer evidence) and re-check its requirement; again: no
    change.

    Args:
        document: the document.
        actor: a supervisor or administrator of its agency.
        reason: why (required; kept as the history's change reason, cut to its column).

    Raises:
        PermissionDenied: ``actor`` may not withdraw in the agency.
        ValidationError: ``reason`` blank (keyed by ``reason``).
    """
    require_attach(actor, document.agency)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": WITHDRAW_REASON_REQUIRED})
    if document.withdrawn_at is not None:
        return document
    with transaction.atomic(), acting_as(actor, reason=f"Requirement document withdrawn: {reason}"):
        document.withdrawn_at = timezone.now()
        document.save(update_fields=["withdrawn_at", "updated_at"])
        requirement_recheck(document.requirement)
    return document


DOWNLOAD_EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}


def document_download_name(document: RequirementDocument) -> str:
    """The name a document is downloaded under: its title's slug and its real type's extension."""
    return (slugify(document.title)[:80] or "document") + DOWNLOAD_EXTENSIONS.get(document.content_type_name, "")
