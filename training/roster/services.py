"""Writes to the training roster. Views, the roster import and commands all call these.

Every function takes the acting user (``actor=``), runs in one transaction and
attributes its history rows to the actor with ``acting_as`` (so a command or a
task is attributed as well as a request). Validation errors are raised as
``django.core.exceptions.ValidationError`` keyed by field, so a form can show
them next to the field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.models import Agreement
from compliance.core.names import name_clean
from training.lifecycle import services as lifecycle
from training.lifecycle.services import exam_record as exam_record  # re-exported: bulk, sessions, tests
from training.lifecycle.services import officer_set_status as officer_set_status  # re-exported: bulk, sessions, tests
from training.requirements import services as requirements
from training.roster import authorization, facts, rules
from training.roster.models import Certification, Course, Officer, Rank

BADGE_TAKEN = "Another officer of this agency already has this badge number."
COURSE_CODE_TAKEN = "This agency already has a course with this code."
SUPERVISOR_NOT_IN_AGENCY = "Choose a supervisor who reviews records in this officer's agency."
COURSE_OTHER_AGENCY = "The course belongs to another agency."
COMPLETED_IN_FUTURE = "The completion date cannot be after today ({today}) in the agency's time zone."

# Foreign keys come from scoped querysets and constraints are checked above with
# field-keyed messages; public_id is a fresh UUID4. Skipping them saves a query
# per key on imports.
_CHECKED_ELSEWHERE = ["agency", "supervisor", "officer", "course", "public_id"]

OFFICER_FIELDS = (
    "first_name",
    "last_name",
    "badge_number",
    "unit",
    "email",
    "status",
    "supervisor",
    "agreement",
    "rank",
    "user",
)
#: Stored as people have them (``compliance.core.names.name_clean``); a single name is the last name.
NAME_FIELDS = ("first_name", "last_name")
STATUS_FROM_FORM_NOTE = "Changed on the officer form."
CREATE_AS_DESIGNATED = (
    "A new officer cannot start as certified / designated: add them as nominated, then designate them on their "
    "page once everything designation needs is recorded. Missing now: {missing}."
)


def _check_supervisor(supervisor, agency) -> None:
    if supervisor is not None and not (supervisor.is_active and access.can(supervisor, access.REVIEW, agency)):
        raise ValidationError({"supervisor": SUPERVISOR_NOT_IN_AGENCY})


RANK_OTHER_AGENCY = "Choose a rank of this officer's agency's rank order."
ACCOUNT_NOT_IN_AGENCY = "Choose the sign-in account of an active user of this officer's agency."
ACCOUNT_TAKEN = "This sign-in account is already linked to another officer: each account belongs to one officer."


def _check_rank(rank: Rank | None, agency) -> None:
    if rank is not None and rank.agency_id != agency.pk:
        raise ValidationError({"rank": RANK_OTHER_AGENCY})


def _check_account(user, agency, *, officer_pk: int | None = None) -> None:
    """The officer's own sign-in account: an active user of ``agency`` linked to no other officer."""
    if user is None:
        return
    if not (user.is_active and access.can(user, access.VIEW, agency)):
        raise ValidationError({"user": ACCOUNT_NOT_IN_AGENCY})
    if Officer.objects.filter(user=user).exclude(pk=officer_pk).exists():
        raise ValidationError({"user": ACCOUNT_TAKEN})


def _check_agreement(agreement, agency) -> None:
    if agreement is not None and agreement.agency_id != agency.pk:
        raise ValidationError({"agreement": lifecycle.AGREEMENT_OTHER_AGENCY})


def default_agreement(agency):
    """The agency's one agreement in force, if it has exactly one: where a new officer serves. One query."""
    agreements = list(Agreement.objects.filter(agency=agency, status=Agreement.Status.ACTIVE)[:2])
    return agreements[0] if len(agreements) == 1 else None


def _check_badge_free(agency, badge_number: str, *, exclude_pk: int | None = None) -> None:
    taken = Officer.objects.filter(agency=agency, badge_number=badge_number)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"badge_number": BADGE_TAKEN})


def officer_create(
    *,
    actor,
    agency,
    last_name: str,
    first_name: str = "",
    badge_number: str,
    unit: str = "",
    email: str = "",
    status: str = Officer.Status.NOMINATED,
    supervisor=None,
    agreement=None,
    rank: Rank | None = None,
    user=None,
    reason: str | None = None,
) -> Officer:
    """Add an officer to ``agency``'s roster.

    A new nomination starts as "nominated" and moves on with
    ``officer_set_status``, which alone designates: a designation needs the
    nomination checklist (R2.8), the ICE credential (R2.9), the required
    training and an agreement in force (``training.roster.authorization``), none
    of which a new row carries. So ``status`` "designated" is refused with
    everything missing named (forms, imports); any other status is stored as
    given, with no status change recorded (it counts from before any date).

    Args:
        actor: the user doing it (history author).
        agency: the officer's agency; the caller checked ``actor`` may change records there.
        last_name, first_name: as typed; stored through ``compliance.core.names.name_clean``
            (NFC, outer spaces trimmed). A person with a single name has it as ``last_name``
            and ``first_name`` blank.
        supervisor: an active user holding ``review_records`` in ``agency``, or None;
            receives the officer's expiry notices.
        agreement: the ``compliance.Agreement`` (of ``agency``) the officer serves
            under; None picks the agency's agreement in force when it has
            exactly one, else leaves it blank.
        rank: a ``Rank`` of ``agency``'s rank order, or None.
        user: the officer's own sign-in account: an active user of ``agency`` linked to no other officer.
        reason: ``history_change_reason`` (e.g. the imported file's name).

    Returns:
        The saved ``Officer``.

    Raises:
        ValidationError: badge number taken in the agency, bad supervisor, an
            agreement of another agency, the agreement's cap reached, status "designated" (keyed
            "status", naming what is missing), or a field failing model validation, e.g. no last
            name (keyed by field).
    """
    _check_agreement(agreement, agency)
    officer = Officer(
        agency=agency,
        first_name=name_clean(first_name),
        last_name=name_clean(last_name),
        badge_number=badge_number.strip(),
        unit=unit.strip(),
        email=email.strip(),
        status=status,
        supervisor=supervisor,
        rank=rank,
        user=user,
    )
    with transaction.atomic(), acting_as(actor, reason=reason):
        officer.agreement = agreement or default_agreement(agency)
        _check_badge_free(agency, officer.badge_number)
        _check_supervisor(supervisor, agency)
        _check_rank(rank, agency)
        _check_account(user, agency)
        if status == Officer.Status.DESIGNATED:
            missing = designations_missing(officers={"new": officer}, day=rules.agency_today(agency))["new"]
            raise ValidationError({"status": CREATE_AS_DESIGNATED.format(missing="; ".join(missing))})
        officer.full_clean(exclude=_CHECKED_ELSEWHERE, validate_constraints=False)
        officer.save()
        facts.training_facts_refresh(officer_ids=[officer.pk])
    return officer


def designations_missing(
    *, officers: dict[str, Officer], completions: dict[str, list[tuple[Course, date]]] | None = None, day: date
) -> dict[str, list[str]]:
    """What each officer lacks to be authorized as designated on ``day``: the gate of every path that designates.

    The reasons of the one rule (``training.roster.authorization.authorization_reasons``)
    other than the status itself: no agreement or one not in force, the
    nomination checklist (R2.8), the ICE credential (R2.9), the required
    training covering ``day`` (R2.4, R2.7). ``officer_set_status`` applies the
    same rule when it designates; the roster import asks here before writing.

    Args:
        officers: key (e.g. a badge number) → ``Officer``, saved or not (a new
            row: no stored certifications), judged under its ``agreement``.
        completions: key → (course, completion day) the planned write would
            record too (an import's rows); their expiries follow the officer's
            agreement's requirements (``requirements.expiry_under``), as
            ``certification_record`` would store them.
        day: the agency-local date of the designation.

    Returns:
        key → reasons, empty when nothing is missing. Five queries whatever the number.
    """
    trainings = authorization.planned_trainings(officers=officers)
    missing = {}
    for key, training in trainings.items():
        for course, completed_on in (completions or {}).get(key, ()):
            training.certifications.append(_planned_certification(training, course, completed_on))
        missing[key] = authorization.authorization_reasons(
            officer=training.officer,
            day=day,
            status=Officer.Status.DESIGNATED,
            agreement=training.agreement,
            training_gap=training.training_gap_on(day),
        )
    return missing


def _planned_certification(training: authorization.OfficerTraining, course: Course, completed_on: date):
    """An unsaved ``Certification`` with the expiry ``certification_record`` would give it (no query)."""
    requirement = next((r for r in training.requirements if r.course_id == course.pk), None)
    basic = {r.course_id for r in training.requirements if r.kind == requirements.Kind.BASIC}
    graduations = [c.completed_on for c in training.certifications if c.course_id in basic]
    if course.pk in basic:
        graduations.append(completed_on)
    expires_on = requirements.expiry_under(requirement, course, completed_on, min(graduations, default=None))
    return Certification(course=course, completed_on=completed_on, expires_on=expires_on)


def officer_update(*, actor, officer: Officer, data: dict[str, Any], reason: str | None = None) -> Officer:
    """Change some of an officer's fields; fields absent from ``data`` are left as they are.

    A new ``status`` is a lifecycle step: it goes through ``officer_set_status``
    effective today (the agency's date), with all its rules. A new
    ``agreement`` recomputes the officer's certification expiries under that
    agreement's requirements and, for a designated officer, must have room
    under its cap (R1.8).

    Args:
        actor: the user doing it (history author).
        officer: the officer to change (the caller checked access to it).
        data: new values for any of ``OFFICER_FIELDS``; other keys raise ValueError.
        reason: ``history_change_reason``.

    Returns:
        The officer. No history row is written when nothing changed (case H2).

    Raises:
        ValidationError: badge taken, bad supervisor, agreement of another agency
            or full, a refused status change, invalid field (keyed by field).
        ValueError: ``data`` names a field that cannot be changed here.
    """
    unknown = set(data) - set(OFFICER_FIELDS)
    if unknown:
        raise ValueError(f"Cannot change {sorted(unknown)} with officer_update.")
    new_status = data.get("status", officer.status)
    old_agreement_id = officer.agreement_id
    changed = False
    for name, value in data.items():
        if name in NAME_FIELDS:
            value = name_clean(value)
        elif isinstance(value, str):
            value = value.strip()
        if name != "status" and getattr(officer, name) != value:
            setattr(officer, name, value)
            changed = True
    agreement_changed = officer.agreement_id != old_agreement_id
    if not changed and new_status == officer.status:
        return officer
    with transaction.atomic(), acting_as(actor, reason=reason):
        if "badge_number" in data:
            _check_badge_free(officer.agency, officer.badge_number, exclude_pk=officer.pk)
        if "supervisor" in data:
            _check_supervisor(officer.supervisor, officer.agency)
        if "rank" in data:
            _check_rank(officer.rank, officer.agency)
        if "user" in data:
            _check_account(officer.user, officer.agency, officer_pk=officer.pk)
        if agreement_changed:
            _check_agreement(officer.agreement, officer.agency)
            if officer.status == Officer.Status.DESIGNATED:
                over = lifecycle.cap_error(lifecycle.lock_agreement(officer.agreement_id), officer=officer)
                if over:
                    raise ValidationError({"agreement": over})
        if changed:
            officer.full_clean(exclude=_CHECKED_ELSEWHERE, validate_constraints=False)
            officer.save()
        if agreement_changed:
            requirements.certifications_recompute(actor=actor, officers=[officer], reason="Officer's agreement changed")
        if new_status != officer.status:
            officer_set_status(
                actor=actor,
                officer=officer,
                status=new_status,
                effective_on=rules.agency_today(officer.agency),
                note=STATUS_FROM_FORM_NOTE,
            )
    return officer


def course_create(
    *,
    actor,
    agency,
    code: str,
    name: str,
    validity_months: int,
    hours: int | None = None,
    delivery: str = Course.Delivery.IN_PERSON,
    required: bool = True,
) -> Course:
    """Add a course to ``agency``'s catalogue (e.g. IADP basic, 24-month refresher, R2.4).

    Raises:
        ValidationError: code already used in the agency, validity below 1 month,
            or another invalid field (keyed by field).
    """
    course = Course(
        agency=agency,
        code=code.strip(),
        name=name.strip(),
        validity_months=validity_months,
        hours=hours,
        delivery=delivery,
        required=required,
    )
    if validity_months is not None and validity_months < 1:
        raise ValidationError({"validity_months": "A course stays valid for at least one month."})
    with transaction.atomic(), acting_as(actor):
        if Course.objects.filter(agency=agency, code=course.code).exists():
            raise ValidationError({"code": COURSE_CODE_TAKEN})
        course.full_clean(exclude=_CHECKED_ELSEWHERE, validate_constraints=False)
        course.save()
        if course.required:  # the legacy rule: every officer of the agency without requirements must hold it
            facts.training_facts_refresh_agency(agency_id=agency.pk)
    return course


def certification_record(
    *,
    actor,
    officer: Officer,
    course: Course,
    completed_on: date,
    certificate_number: str = "",
    reason: str | None = None,
) -> Certification:
    """Record that ``officer`` completed ``course`` on ``completed_on``.

    ``expires_on`` is derived, never typed: by the rule of the officer's
    agreement's requirement for the course (``requirements.certification_expiry``:
    months after completion with ``rules.certification_expires_on``, case T3;
    each fiscal year; the anniversary of academy graduation), else by the
    course's months. A renewal is a new row; the earlier one stays as history
    and gets no more reminders. A late basic course moves the anniversary-rule
    expiries of the officer's other courses, which are recomputed.

    Args:
        actor: the user doing it (history author).
        officer: the officer (the caller checked access to it).
        course: a course of the officer's agency.
        completed_on: completion date; not after the agency's local today.
        certificate_number: optional number printed on the certificate.
        reason: ``history_change_reason`` (e.g. the imported file's name).

    Returns:
        The saved ``Certification``.

    Raises:
        ValidationError: course of another agency, completion in the future or
            an expiry past year 9999 (keyed by field).
    """
    if course.agency_id != officer.agency_id:
        raise ValidationError({"course": COURSE_OTHER_AGENCY})
    today = rules.agency_today(officer.agency)
    if completed_on > today:
        raise ValidationError({"completed_on": COMPLETED_IN_FUTURE.format(today=today.isoformat())})
    certification = Certification(
        agency_id=officer.agency_id,
        officer=officer,
        course=course,
        completed_on=completed_on,
        expires_on=requirements.certification_expiry(officer=officer, course=course, completed_on=completed_on),
        certificate_number=certificate_number.strip(),
    )
    with transaction.atomic(), acting_as(actor, reason=reason):
        certification.full_clean(exclude=_CHECKED_ELSEWHERE, validate_constraints=False)
        certification.save()
        if requirements.graduation_moves_expiries(officer=officer, course=course):
            requirements.certifications_recompute(
                actor=actor, officers=[officer], reason=reason or "Basic course recorded"
            )
        else:  # certifications_recompute refreshes the stored facts itself
            facts.training_facts_refresh(officer_ids=[officer.pk])
    return certification
