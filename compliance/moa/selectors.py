"""Reads of the MOA checklist, scoped through ``compliance.core.access`` (issue #15 item 1).

``agreements_for`` lists the agreements a user may view with their requirements' counts by status;
``checklist`` gives one agreement's requirements with their evidence now (``requirement_evidence``
over ``compliance.moa.status.checklist_period``), their valid and withdrawn documents and the open
findings against them. Queries: a fixed number per requirement (its evaluator's), never per record
the evidence counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from compliance.core import access
from compliance.core.models import Agreement, AgreementRequirement, Finding, RequirementDocument, RequirementStatus
from compliance.moa.evaluators_records import findings_open_at
from compliance.moa.evidence import EVALUATORS, Evidence, Period, requirement_evidence
from compliance.moa.status import checklist_period


def agreements_for(user) -> QuerySet[Agreement]:
    """The agreements of the agencies ``user`` may view, with ``n_met``, ``n_at_risk``, ``n_not_met``, ``n_unknown``,
    ``n_unconfirmed`` and ``n_requirements`` (active requirements). One query."""
    active = Q(requirements__active=True)
    by = {
        f"n_{status}": Count("requirements", filter=active & Q(requirements__status=status))
        for status in RequirementStatus.values
    }
    return (
        Agreement.objects.filter(agency_id__in=access.agency_ids_for(user, access.VIEW))
        .select_related("agency")
        .annotate(
            n_requirements=Count("requirements", filter=active),
            n_unconfirmed=Count("requirements", filter=active & Q(requirements__confirmed_at__isnull=True)),
            **by,
        )
        .order_by("agency__name", "model", "-signed_on", "pk")
    )


def agreement_or_404(user, public_id, perm: str = access.VIEW) -> Agreement:
    """The agreement ``public_id`` if ``user`` holds ``perm`` in its agency, else 404."""
    return access.get_scoped_or_404(Agreement.objects.select_related("agency"), user, perm, public_id=public_id)


def requirement_or_404(user, public_id, perm: str = access.VIEW) -> AgreementRequirement:
    """The requirement ``public_id`` if ``user`` holds ``perm`` in its agency, else 404."""
    return access.get_scoped_or_404(
        AgreementRequirement.objects.select_related("agreement", "agency"), user, perm, public_id=public_id
    )


def document_or_404(user, public_id, perm: str = access.VIEW) -> RequirementDocument:
    """The document ``public_id`` if ``user`` holds ``perm`` in its agency, else 404."""
    return access.get_scoped_or_404(
        RequirementDocument.objects.select_related("requirement__agreement", "agency"), user, perm, public_id=public_id
    )


@dataclass
class ChecklistRow:
    """One requirement on the checklist page: the stored status, the evidence now, documents, open findings."""

    requirement: AgreementRequirement
    evidence: Evidence
    how: str
    documents: list[RequirementDocument] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Checklist:
    agreement: Agreement
    period: Period
    rows: list[ChecklistRow]
    inactive: list[AgreementRequirement]
    counts: dict[str, int]


def checklist(agreement: Agreement, *, now: datetime) -> Checklist:
    """Every requirement of ``agreement`` (active ones with their evidence at ``now``; inactive ones listed)."""
    period = checklist_period(agreement.agency, now)
    requirements = list(
        AgreementRequirement.objects.filter(agency_id=agreement.agency_id, agreement=agreement)
        .select_related("agreement", "agency", "confirmed_by")
        .order_by("position", "pk")
    )
    documents: dict[int, list[RequirementDocument]] = {}
    for document in RequirementDocument.objects.filter(
        agency_id=agreement.agency_id, requirement__agreement=agreement
    ).order_by("-created_at"):
        documents.setdefault(document.requirement_id, []).append(document)
    rows = []
    for requirement in requirements:
        if not requirement.active:
            continue
        evidence = requirement_evidence(requirement, period=period)
        evaluator = EVALUATORS.get(requirement.evidence)
        findings = (
            findings_open_at(agency_id=agreement.agency_id, kinds=list(evidence.finding_kinds), at=now)
            if evidence.finding_kinds
            else []
        )
        rows.append(
            ChecklistRow(
                requirement=requirement,
                evidence=evidence,
                how=evaluator.label if evaluator else requirement.evidence,
                documents=documents.get(requirement.pk, []),
                findings=findings,
            )
        )
    counts = Counter(row.requirement.status for row in rows)
    return Checklist(
        agreement=agreement,
        period=period,
        rows=rows,
        inactive=[r for r in requirements if not r.active],
        counts={status: counts.get(status, 0) for status in RequirementStatus.values},
    )
