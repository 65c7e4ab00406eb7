"""Shared data of the inspection-readiness tests (issue #15 item 2): one agreement with invented requirements.

Only the foundation's evaluators (``document``, ``agreement_term``) and one evaluator registered here for the tests
(``inspection_test_cases``: a figure, a list and a finding kind) are used, so the tests hold whatever evaluators
are added later. ``register_test_evaluator``/``unregister_test_evaluator`` wrap a test module.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.contrib.contenttypes.models import ContentType

from compliance.core.audit import acting_as
from compliance.core.findings import finding_acknowledge, finding_resolve
from compliance.core.models import AgreementRequirement, Clause, Finding, RequirementDocument, RequirementStatus
from compliance.moa.evidence import EVALUATORS, Evaluator, Evidence, EvidenceItem, Figure, register
from incidents.corrective_actions.models import CorrectiveAction
from tests.compliance.helpers import make_incident

TEST_EVALUATOR = "inspection_test_cases"
PERIOD_START = date(2026, 1, 1)  # the period: 2026-01-01 to 2026-03-31, Chicago days
PERIOD_END = date(2026, 3, 31)
NOW = datetime(2026, 4, 10, 15, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _cases(requirement, period) -> Evidence:
    """An invented evaluator: met, one figure, one listed item dated the period's last day."""
    return Evidence(
        RequirementStatus.MET,
        "Invented: every complaint was referred on time.",
        figures=(Figure("Complaints referred on time", "4 of 4"),),
        items=(EvidenceItem("Invented case list", "4 cases", on=period.end),),
        finding_kinds=(Finding.Kind.REFERRAL_OVERDUE,),
    )


def register_test_evaluator() -> None:
    if TEST_EVALUATOR not in EVALUATORS:
        register(Evaluator(TEST_EVALUATOR, "Invented case figures (test)", _cases))


def unregister_test_evaluator() -> None:
    EVALUATORS.pop(TEST_EVALUATOR, None)


def requirement(agreement, key, *, clause, evidence, position, title, actor, at=None, **fields):
    with time_machine.travel(at or utc(2025, 6, 1, 15), tick=False), acting_as(actor, reason="test setup"):
        return AgreementRequirement.objects.create(
            agency=agreement.agency,
            agreement=agreement,
            key=key,
            clause=clause,
            title=title,
            text=f"The MOA requires: {title} (invented).",
            evidence=evidence,
            position=position,
            **fields,
        )


def status_change(item: AgreementRequirement, status: str, reason: str, *, at: datetime, actor) -> None:
    with time_machine.travel(at, tick=False), acting_as(actor, reason="status check"):
        item = AgreementRequirement.objects.get(pk=item.pk)
        item.status, item.status_reason, item.status_since = status, reason, at
        item.save()


def document(item, title, *, at: datetime, actor, valid_until=None) -> RequirementDocument:
    with time_machine.travel(at, tick=False), acting_as(actor, reason="test setup"):
        return RequirementDocument.objects.create(
            agency=item.agency, requirement=item, title=title, uploaded_by=actor, valid_until=valid_until
        )


def finding_on(record, kind, opened_at: datetime, *, summary: str) -> Finding:
    with time_machine.travel(opened_at, tick=False):
        return Finding.objects.create(
            agency=record.agency,
            kind=kind,
            severity=Finding.Severity.MEDIUM,
            rule="R3.5 (invented)",
            summary=summary,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            opened_at=opened_at,
        )


def build(case) -> None:
    """The data every inspection test reads, on ``case`` (a ``BaseTestCase`` class in ``setUpTestData``)."""
    boss, admin = case.supervisor_a, case.admin_a
    boss.first_name, boss.last_name = "Pat", "Quillfeather"
    boss.save()
    agreement = case.agreement_a
    with time_machine.travel(utc(2024, 1, 10), tick=False), acting_as(admin, reason="test setup"):
        agreement.signed_on, agreement.expires_on = date(2024, 1, 15), date(2026, 6, 1)
        agreement.save()
    case.term = requirement(
        agreement,
        "duration-term",
        clause=Clause.DURATION,
        evidence="agreement_term",
        position=1,
        title="Agreement signed and in force",
        actor=admin,
        moa_section="Section XX",
        confirmed_at=utc(2025, 6, 2, 15),
        confirmed_by=admin,
    )
    case.policy = requirement(
        agreement,
        "complaints-policy",
        clause=Clause.COMPLAINTS,
        evidence="document",
        position=2,
        title="Complaint procedure published",
        actor=admin,
    )
    case.cases = requirement(
        agreement,
        "complaints-cases",
        clause=Clause.COMPLAINTS,
        evidence=TEST_EVALUATOR,
        position=3,
        title="Complaints referred to ICE",
        actor=admin,
    )
    requirement(
        agreement,
        "media-inactive",
        clause=Clause.MEDIA,
        evidence="document",
        position=4,
        title="Inactive media clause",
        actor=admin,
        active=False,
    )
    requirement(
        case.agreement_b,
        "other-agency",
        clause=Clause.MEDIA,
        evidence="document",
        position=1,
        title="Birch media clause",
        actor=case.supervisor_b,
    )
    status_change(
        case.policy, RequirementStatus.NOT_MET, "No valid document is attached.", at=utc(2026, 2, 1, 15), actor=boss
    )
    status_change(case.policy, RequirementStatus.MET, "1 valid document attached.", at=utc(2026, 2, 15, 15), actor=boss)
    case.policy_document = document(
        case.policy, "Complaint policy 2026", at=utc(2026, 2, 14, 15), actor=boss, valid_until=date(2027, 12, 31)
    )
    # Findings against "Complaints referred to ICE": one resolved in the period with a corrective action, one open.
    case.incident = make_incident(case.agency_a, 1)
    case.resolved = finding_on(
        case.incident, Finding.Kind.REFERRAL_OVERDUE, utc(2026, 2, 5, 15), summary="Complaint not referred in 48 h."
    )
    with time_machine.travel(utc(2026, 2, 6, 15), tick=False):
        finding_acknowledge(finding=Finding.objects.get(pk=case.resolved.pk), actor=boss)
    with time_machine.travel(utc(2026, 2, 20, 15), tick=False):
        finding_resolve(
            finding=Finding.objects.get(pk=case.resolved.pk), actor=boss, note="Referred to ICE OPR on 2026-02-19."
        )
    with time_machine.travel(utc(2026, 2, 21, 15), tick=False), acting_as(boss, reason="test setup"):
        CorrectiveAction.objects.create(
            agency=case.agency_a,
            incident=case.incident,
            kind=CorrectiveAction.Kind.TRAINING,
            description="Refresher on referral deadlines (invented).",
            owner=boss,
            due_on=date(2026, 3, 15),
            status=CorrectiveAction.Status.DONE,
            evidence="Roll call training held (invented).",
            completed_on=date(2026, 3, 10),
            created_by=boss,
        )
    case.open_finding = finding_on(
        make_incident(case.agency_a, 2),
        Finding.Kind.REFERRAL_OVERDUE,
        utc(2026, 3, 20, 15),
        summary="Second complaint not referred in 48 h.",
    )
    # Not against any requirement (kind), closed before the period, another agency's: none is shown.
    finding_on(make_incident(case.agency_a, 3), Finding.Kind.OTHER, utc(2026, 2, 2, 15), summary="Unrelated finding.")
    old = finding_on(
        make_incident(case.agency_a, 4), Finding.Kind.REFERRAL_OVERDUE, utc(2025, 10, 1, 15), summary="Old finding."
    )
    with time_machine.travel(utc(2025, 10, 3, 15), tick=False):
        finding_resolve(finding=Finding.objects.get(pk=old.pk), actor=boss, note="Closed long ago.")
    finding_on(
        make_incident(case.agency_b, 5), Finding.Kind.REFERRAL_OVERDUE, utc(2026, 2, 5, 15), summary="Birch finding."
    )
