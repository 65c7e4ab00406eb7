"""Per-agreement training requirements: shipped defaults, edits, and the expiry they give.

The agreement (MOA) is the controlling document (DOMAIN.md, design principle),
so every agreement carries its own ``TrainingRequirement`` rows. They start from
``DEFAULT_REQUIREMENTS`` for the agreement's model (JEM / WSO / TFM) and an
agency administrator edits them. Values tagged [S] or [U] in DOMAIN.md are
only starting values: the requirements page says they must be checked against
the signed MOA, and each row keeps the tag of its shipped default.

Which courses an officer must hold:

* an officer linked to an agreement that has requirements: that agreement's
  requirements. The basic course and the refresher form one chain (the basic
  course's completion counts as the first refresher; each refresher renews
  it): the basic course must have been completed, and some completion in the
  chain must cover the day. Each annual course must have a completion covering
  the day;
* any other officer (a legacy row without an agreement, or an agreement whose
  requirements are not configured yet): the agency's courses flagged
  ``Course.required``, each current by its own ``validity_months``. That is the
  roster rule from before agreements carried requirements, kept so existing
  data keeps its meaning until an administrator applies the defaults.

A certification's ``expires_on`` follows the rule of the requirement its course
fulfils for the officer (``certification_expiry``), and is recomputed when an
administrator changes the rule or the officer's agreement changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.core.audit import acting_as
from compliance.core.models import Agreement, AgreementModel
from training.requirements.models import TrainingRequirement
from training.roster import rules
from training.roster.facts import training_facts_refresh
from training.roster.models import Certification, Course, Officer

Kind = TrainingRequirement.Kind
DueRule = TrainingRequirement.DueRule
Confidence = TrainingRequirement.Confidence
Delivery = Course.Delivery

CHECK_AGAINST_MOA = (
    "These values are starting defaults from public sources. Values marked [S] or [U] are not confirmed: "
    "check every value against the agreement as signed (the MOA) and correct it here."
)
NO_BASIC_REQUIREMENT = "An agreement's requirements must include a basic course."
COURSE_OTHER_AGENCY = "The course belongs to another agency."
COURSE_ALREADY_REQUIRED = "This course is already a requirement of the agreement."
MONTHS_REQUIRED = "Give the number of months for the 'N months after completion' rule."
CAP_TOO_LOW = "{count} officers are designated under this agreement now; the cap cannot be lower."


@dataclass(frozen=True)
class DefaultRequirement:
    """One shipped default: a course (created in the agency's catalogue if missing) and its rule."""

    code: str
    name: str
    kind: str
    due_rule: str
    validity_months: int | None  # None: the agreement's refresher interval (R2.4), for basic and refresher
    hours: int | None
    delivery: str
    confidence: str
    source: str


_REFRESHER = DefaultRequirement(
    "REFRESH",
    "287(g) refresher course",
    Kind.REFRESHER,
    DueRule.MONTHS,
    None,
    40,
    Delivery.IN_PERSON,
    Confidence.UNCONFIRMED,
    "R2.4: one-week refresher every two years [C]; 40 hours and in-person delivery [U].",
)
_ANNUAL = (
    DefaultRequirement(
        "ITSA",
        "IT security awareness, annual (ICE Virtual University)",
        Kind.ANNUAL,
        DueRule.FISCAL_YEAR,
        None,
        None,
        Delivery.ONLINE,
        Confidence.UNCONFIRMED,
        "R2.5: annual online courses exist [C]; this list, the hours and the fiscal-year due rule [U].",
    ),
    DefaultRequirement(
        "SBU",
        "Safeguarding Sensitive But Unclassified (FOUO) information, annual",
        Kind.ANNUAL,
        DueRule.FISCAL_YEAR,
        None,
        None,
        Delivery.ONLINE,
        Confidence.UNCONFIRMED,
        "R2.5: annual online courses exist [C]; this list, the hours and the fiscal-year due rule [U].",
    ),
)

# Per model (DOMAIN.md §1.2 and §2). The basic course's completion stays valid
# for the refresher interval: it counts as the first refresher (R2.4).
DEFAULT_REQUIREMENTS: dict[str, tuple[DefaultRequirement, ...]] = {
    AgreementModel.JEM: (
        DefaultRequirement(
            "IADP",
            "Immigration Authority Delegation Program (IADP) basic course",
            Kind.BASIC,
            DueRule.MONTHS,
            None,
            160,
            Delivery.IN_PERSON,
            Confidence.SECONDARY,
            "R2.1: 4-week course by ICE instructors at FLETC Charleston [C]; 160 hours [S].",
        ),
        _REFRESHER,
        *_ANNUAL,
    ),
    AgreementModel.WSO: (
        DefaultRequirement(
            "WSO-BASIC",
            "Warrant Service Officer basic course",
            Kind.BASIC,
            DueRule.MONTHS,
            None,
            8,
            Delivery.IN_PERSON,
            Confidence.UNCONFIRMED,
            "R2.6: WSO course length and delivery conflicting [U]; about one day (8 hours) reported.",
        ),
        _REFRESHER,
        *_ANNUAL,
    ),
    AgreementModel.TFM: (
        DefaultRequirement(
            "TFM-BASIC",
            "Task Force Model basic course",
            Kind.BASIC,
            DueRule.MONTHS,
            None,
            160,
            Delivery.IN_PERSON,
            Confidence.UNCONFIRMED,
            "R2.6: 4-week Charleston course [S], shorter online courses also reported [U].",
        ),
        _REFRESHER,
        *_ANNUAL,
    ),
}

CHAIN_KINDS = (Kind.BASIC, Kind.REFRESHER)


def requirement_defaults_apply(*, actor, agreement) -> list[TrainingRequirement]:
    """Give ``agreement`` the shipped default requirements of its model; keep what it has.

    Creates each default course in the agency's catalogue when no course has its
    code (``Course.required`` off: that flag is the legacy rule for officers
    without configured requirements), then a requirement for each default
    course that is not one already. Running it again adds nothing. The basic
    course and the refresher get the agreement's ``refresher_interval_months``
    (R2.4, default 24). Certifications of the agreement's officers are
    recomputed under the new rules.

    Args:
        actor: the agency administrator (history author).
        agreement: a ``compliance.Agreement`` the caller checked ``actor`` administers.

    Returns:
        The requirements created (empty when all were there).
    """
    created = []
    with transaction.atomic(), acting_as(actor, reason="Training requirement defaults applied"):
        existing_courses = set(agreement.training_requirements.values_list("course_id", flat=True))
        for default in DEFAULT_REQUIREMENTS[agreement.model]:
            months = default.validity_months or agreement.refresher_interval_months
            course = Course.objects.filter(agency_id=agreement.agency_id, code=default.code).first()
            if course is None:
                course = Course(
                    agency_id=agreement.agency_id,
                    code=default.code,
                    name=default.name,
                    validity_months=months if default.due_rule == DueRule.MONTHS else 12,
                    hours=default.hours,
                    delivery=default.delivery,
                    required=False,
                )
                course.save()
            if course.pk in existing_courses:
                continue
            requirement = TrainingRequirement(
                agency_id=agreement.agency_id,
                agreement=agreement,
                course=course,
                kind=default.kind,
                due_rule=default.due_rule,
                validity_months=months if default.due_rule == DueRule.MONTHS else None,
                hours=default.hours,
                delivery_mode=default.delivery,
                confidence=default.confidence,
                source=default.source,
            )
            requirement.save()
            existing_courses.add(course.pk)
            created.append(requirement)
        if created:
            certifications_recompute(actor=actor, officers=agreement.officers.all(), reason="Training rules changed")
    return created


def requirement_add(
    *,
    actor,
    agreement,
    course: Course,
    kind: str,
    due_rule: str,
    validity_months: int | None = None,
    hours: int | None = None,
    delivery_mode: str = Delivery.IN_PERSON,
) -> TrainingRequirement:
    """Make ``course`` a requirement of ``agreement`` (e.g. one more annual course, R2.5).

    Raises:
        ValidationError: course of another agency or already required, or the
            months rule without months (keyed by field).
    """
    if course.agency_id != agreement.agency_id:
        raise ValidationError({"course": COURSE_OTHER_AGENCY})
    _check_rule(due_rule, validity_months)
    requirement = TrainingRequirement(
        agency_id=agreement.agency_id,
        agreement=agreement,
        course=course,
        kind=kind,
        due_rule=due_rule,
        validity_months=validity_months if due_rule == DueRule.MONTHS else None,
        hours=hours,
        delivery_mode=delivery_mode,
        confidence=Confidence.CONFIRMED,
        source="Entered by the agency from its MOA.",
    )
    with transaction.atomic(), acting_as(actor):
        if agreement.training_requirements.filter(course=course).exists():
            raise ValidationError({"course": COURSE_ALREADY_REQUIRED})
        requirement.full_clean(exclude=["agency", "agreement", "course", "public_id"], validate_constraints=False)
        requirement.save()
        _check_has_basic(agreement)
        certifications_recompute(actor=actor, officers=agreement.officers.all(), reason="Training rules changed")
    return requirement


REQUIREMENT_FIELDS = ("kind", "due_rule", "validity_months", "hours", "delivery_mode")


def agreement_training_update(
    *,
    actor,
    agreement,
    max_authorized_officers: int | None,
    changes: Iterable[tuple[TrainingRequirement, dict]] = (),
    removals: Iterable[TrainingRequirement] = (),
) -> None:
    """Save an administrator's edits of an agreement's officer cap and training requirements.

    A changed refresher interval is also written to
    ``Agreement.refresher_interval_months`` so the two never disagree. Every
    certification of the agreement's officers is recomputed under the new
    rules, with history rows naming the actor. One transaction: every error
    is reported, nothing is saved.

    Args:
        actor: an agency administrator of the agreement's agency (checked by the caller).
        agreement: the ``compliance.Agreement``.
        max_authorized_officers: the MOA's officer cap (R1.8), None for no cap.
        changes: (requirement of this agreement, {field: new value}) pairs over
            ``REQUIREMENT_FIELDS``; an edited row's confidence becomes [C]
            ("entered by the agency from its MOA").
        removals: requirements of this agreement to delete.

    Raises:
        ValidationError: a cap below the number of officers designated now, a
            months rule without months, or no basic course left.
    """
    with transaction.atomic(), acting_as(actor, reason="Training requirements edited"):
        # Lock the agreement: a designation running at the same time checks the cap.
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        errors: dict[str, list[str]] = {}
        designated = agreement.officers.filter(status=Officer.Status.DESIGNATED).count()
        if max_authorized_officers is not None and max_authorized_officers < designated:
            errors.setdefault("max_authorized_officers", []).append(CAP_TOO_LOW.format(count=designated))
        rules_changed = False
        for requirement, data in changes:
            unknown = set(data) - set(REQUIREMENT_FIELDS)
            if unknown or requirement.agreement_id != agreement.pk:
                raise ValueError(f"Cannot change {sorted(unknown)} of requirement {requirement.pk} here.")
            changed = {name: value for name, value in data.items() if getattr(requirement, name) != value}
            if not changed:
                continue
            for name, value in changed.items():
                setattr(requirement, name, value)
            if requirement.due_rule != DueRule.MONTHS:
                requirement.validity_months = None
            try:
                _check_rule(requirement.due_rule, requirement.validity_months)
            except ValidationError as exc:
                errors.setdefault(f"requirement-{requirement.pk}", []).extend(exc.messages)
                continue
            requirement.confidence = Confidence.CONFIRMED
            requirement.source = "Entered by the agency from its MOA."
            requirement.save()
            rules_changed = rules_changed or bool({"kind", "due_rule", "validity_months"} & set(changed))
            if requirement.kind == Kind.REFRESHER and requirement.validity_months:
                agreement.refresher_interval_months = requirement.validity_months
        for requirement in removals:
            if requirement.agreement_id != agreement.pk:
                raise ValueError(f"Requirement {requirement.pk} is not of this agreement.")
            requirement.delete()
            rules_changed = True
        if errors:
            raise ValidationError(errors)
        agreement.max_authorized_officers = max_authorized_officers
        agreement.save()
        _check_has_basic(agreement)
        if rules_changed:
            certifications_recompute(actor=actor, officers=agreement.officers.all(), reason="Training rules changed")


def _check_rule(due_rule: str, validity_months: int | None) -> None:
    if due_rule == DueRule.MONTHS and not (validity_months and validity_months >= 1):
        raise ValidationError({"validity_months": MONTHS_REQUIRED})


def _check_has_basic(agreement) -> None:
    requirements = agreement.training_requirements.all()
    if requirements.exists() and not requirements.filter(kind=Kind.BASIC).exists():
        raise ValidationError(NO_BASIC_REQUIREMENT)


def graduation_dates(officers: Iterable[Officer], requirements: Iterable[TrainingRequirement]) -> dict[int, date]:
    """Academy graduation date per officer pk: earliest completion of a basic-course requirement. One query."""
    by_agreement: dict[int, set[int]] = {}
    for requirement in requirements:
        if requirement.kind == Kind.BASIC:
            by_agreement.setdefault(requirement.agreement_id, set()).add(requirement.course_id)
    officer_ids = [officer.pk for officer in officers if officer.agreement_id in by_agreement]
    graduated: dict[int, date] = {}
    if not officer_ids:
        return graduated
    agreement_of = {officer.pk: officer.agreement_id for officer in officers}
    rows = Certification.objects.filter(officer_id__in=officer_ids).values_list(
        "officer_id", "course_id", "completed_on"
    )
    for officer_id, course_id, completed_on in rows:
        earlier = officer_id not in graduated or completed_on < graduated[officer_id]
        if course_id in by_agreement[agreement_of[officer_id]] and earlier:
            graduated[officer_id] = completed_on
    return graduated


def expiry_under(requirement: TrainingRequirement | None, course: Course, completed_on: date, graduated_on) -> date:
    """Last valid day of a completion of ``course``: by ``requirement``'s rule, else the course's months."""
    if requirement is None:
        return rules.certification_expires_on(completed_on, course.validity_months)
    return rules.requirement_expires_on(
        due_rule=requirement.due_rule,
        completed_on=completed_on,
        validity_months=requirement.validity_months,
        graduated_on=graduated_on,
    )


def certification_expiry(*, officer: Officer, course: Course, completed_on: date) -> date:
    """The ``expires_on`` of a new certification of ``officer`` in ``course`` completed on ``completed_on``.

    By the rule of the officer's agreement's requirement for that course
    (months after completion — ``rules.certification_expires_on``, case T3 —,
    each fiscal year, or the anniversary of academy graduation, R2.4–R2.5);
    by ``course.validity_months`` when the course is not a requirement of the
    officer's agreement. At most two queries.

    Raises:
        ValueError: an expiry past year 9999.
    """
    requirement = None
    if officer.agreement_id is not None:
        requirement = TrainingRequirement.objects.filter(agreement_id=officer.agreement_id, course=course).first()
    graduated_on = None
    if requirement is not None and requirement.due_rule == DueRule.GRADUATION_ANNIVERSARY:
        basic = TrainingRequirement.objects.filter(agreement_id=officer.agreement_id, kind=Kind.BASIC)
        graduated_on = graduation_dates([officer], basic).get(officer.pk)
        if requirement.kind == Kind.BASIC:
            graduated_on = min(filter(None, (graduated_on, completed_on)))
    return expiry_under(requirement, course, completed_on, graduated_on)


def graduation_moves_expiries(*, officer: Officer, course: Course) -> bool:
    """True when a new completion of ``course`` may change the officer's other expiries.

    A basic-course completion is the academy graduation that the anniversary
    rule counts from (R2.5), so when the officer's agreement has an
    anniversary-rule requirement, a basic course recorded late moves their
    expiries. Up to two queries (none for an officer without agreement).
    """
    if officer.agreement_id is None:
        return False
    requirements = TrainingRequirement.objects.filter(agreement_id=officer.agreement_id)
    return (
        requirements.filter(course=course, kind=Kind.BASIC).exists()
        and requirements.filter(due_rule=DueRule.GRADUATION_ANNIVERSARY).exists()
    )


def certifications_recompute(*, actor, officers, reason: str) -> int:
    """Recompute ``expires_on`` of every certification of ``officers`` under the current rules.

    Called inside the transaction of a rule change or of an officer's agreement
    change. Changed rows are saved with one ``bulk_update`` (its history rows written by
    ``compliance.core.bulk_history``), attributed to ``actor`` with ``reason`` (case H1). A fixed
    number of queries plus the writes.

    Returns:
        How many certifications changed.
    """
    officers = list(officers)
    if not officers:
        return 0
    agreement_ids = {officer.agreement_id for officer in officers if officer.agreement_id}
    requirements = list(TrainingRequirement.objects.filter(agreement_id__in=agreement_ids))
    by_key = {(r.agreement_id, r.course_id): r for r in requirements}
    graduated = graduation_dates(officers, requirements)
    agreement_of = {officer.pk: officer.agreement_id for officer in officers}
    changed = []
    now = timezone.now()
    certifications = Certification.objects.filter(officer__in=officers).select_related("course")
    for certification in certifications:
        requirement = by_key.get((agreement_of[certification.officer_id], certification.course_id))
        expires_on = expiry_under(
            requirement, certification.course, certification.completed_on, graduated.get(certification.officer_id)
        )
        if expires_on != certification.expires_on:
            certification.expires_on = expires_on
            certification.updated_at = now  # bulk_update does not apply auto_now
            changed.append(certification)
    if changed:
        with acting_as(actor, reason=reason):
            Certification.objects.bulk_update(changed, ["expires_on", "updated_at"])
    # The rules or the officers' agreement changed: their stored roster facts follow (training.roster.facts).
    training_facts_refresh(officer_ids=[officer.pk for officer in officers])
    return len(changed)
