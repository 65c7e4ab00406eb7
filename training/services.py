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

from compliance import access
from compliance.audit import acting_as
from training import rules
from training.models import Certification, Course, Officer

BADGE_TAKEN = "Another officer of this agency already has this badge number."
COURSE_CODE_TAKEN = "This agency already has a course with this code."
SUPERVISOR_NOT_IN_AGENCY = "Choose a supervisor who reviews records in this officer's agency."
COURSE_OTHER_AGENCY = "The course belongs to another agency."
COMPLETED_IN_FUTURE = "The completion date cannot be after today ({today}) in the agency's time zone."

# Foreign keys come from scoped querysets and constraints are checked above with
# field-keyed messages; public_id is a fresh UUID4. Skipping them saves a query
# per key on imports.
_CHECKED_ELSEWHERE = ["agency", "supervisor", "officer", "course", "public_id"]

OFFICER_FIELDS = ("first_name", "last_name", "badge_number", "unit", "email", "status", "supervisor")


def _check_supervisor(supervisor, agency) -> None:
    if supervisor is not None and not (supervisor.is_active and access.can(supervisor, access.REVIEW, agency)):
        raise ValidationError({"supervisor": SUPERVISOR_NOT_IN_AGENCY})


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
    first_name: str,
    last_name: str,
    badge_number: str,
    unit: str = "",
    email: str = "",
    status: str = Officer.Status.DESIGNATED,
    supervisor=None,
    reason: str | None = None,
) -> Officer:
    """Add an officer to ``agency``'s roster.

    Args:
        actor: the user doing it (history author).
        agency: the officer's agency; the caller checked ``actor`` may change records there.
        supervisor: an active user holding ``review_records`` in ``agency``, or None;
            receives the officer's expiry notices.
        reason: ``history_change_reason`` (e.g. the imported file's name).

    Returns:
        The saved ``Officer``.

    Raises:
        ValidationError: badge number taken in the agency, bad supervisor, or a
            field failing model validation (keyed by field).
    """
    officer = Officer(
        agency=agency,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        badge_number=badge_number.strip(),
        unit=unit.strip(),
        email=email.strip(),
        status=status,
        supervisor=supervisor,
    )
    with transaction.atomic(), acting_as(actor, reason=reason):
        _check_badge_free(agency, officer.badge_number)
        _check_supervisor(supervisor, agency)
        officer.full_clean(exclude=_CHECKED_ELSEWHERE, validate_constraints=False)
        officer.save()
    return officer


def officer_update(*, actor, officer: Officer, data: dict[str, Any], reason: str | None = None) -> Officer:
    """Change some of an officer's fields; fields absent from ``data`` are left as they are.

    Args:
        actor: the user doing it (history author).
        officer: the officer to change (the caller checked access to it).
        data: new values for any of ``OFFICER_FIELDS``; other keys raise ValueError.
        reason: ``history_change_reason``.

    Returns:
        The officer. No history row is written when nothing changed (case H2).

    Raises:
        ValidationError: badge taken, bad supervisor, invalid field (keyed by field).
        ValueError: ``data`` names a field that cannot be changed here.
    """
    unknown = set(data) - set(OFFICER_FIELDS)
    if unknown:
        raise ValueError(f"Cannot change {sorted(unknown)} with officer_update.")
    changed = False
    for name, value in data.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(officer, name) != value:
            setattr(officer, name, value)
            changed = True
    if not changed:
        return officer
    with transaction.atomic(), acting_as(actor, reason=reason):
        if "badge_number" in data:
            _check_badge_free(officer.agency, officer.badge_number, exclude_pk=officer.pk)
        if "supervisor" in data:
            _check_supervisor(officer.supervisor, officer.agency)
        officer.full_clean(exclude=_CHECKED_ELSEWHERE, validate_constraints=False)
        officer.save()
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

    ``expires_on`` is derived with ``rules.certification_expires_on`` (case T3),
    never typed. A renewal is a new row; the earlier one stays as history and
    gets no more reminders.

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
        expires_on=rules.certification_expires_on(completed_on, course.validity_months),
        certificate_number=certificate_number.strip(),
    )
    with transaction.atomic(), acting_as(actor, reason=reason):
        certification.full_clean(exclude=_CHECKED_ELSEWHERE, validate_constraints=False)
        certification.save()
    return certification
