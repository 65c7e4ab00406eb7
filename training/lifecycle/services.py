"""An officer's 287(g) lifecycle: status changes with effective dates, the nomination checklist, exams.

The steps, in the field's terms (DOMAIN.md R2.7–R2.9): nominated → background
checks → in training → certified/designated → suspended → separated, and
disqualified (R2.2). Every change is an ``OfficerStatusChange`` row with the
day it took effect, which may be earlier than the day it is recorded;
``Officer.status`` mirrors the latest row. Authorization on a past day reads
the rows (``training.roster.authorization``), never ``Officer.status``.

Writes follow the house rules (keyword-only, ``actor=``, one transaction,
history attributed with ``acting_as``). The officer row is locked with
``select_for_update`` in each write: two requests changing one officer's status
(or recording two failed exams) at once must see each other's result.
``officer_set_status`` and ``exam_record`` are also re-exported by
``training.roster.services``, where the roster's bulk actions and training sessions call them.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from compliance.core.audit import acting_as
from compliance.core.models import Agreement
from training.lifecycle.models import ExamAttempt, OfficerStatusChange
from training.lifecycle.qualification import CHECKLIST as CHECKLIST  # re-exported: views, forms
from training.lifecycle.qualification import checklist_missing as checklist_missing  # re-exported: views
from training.roster import authorization, rules
from training.roster.models import Course, Officer

Status = Officer.Status

# Which status may follow which. Separated officers may be nominated again;
# disqualification (R2.2) is final.
ALLOWED_CHANGES: dict[str, frozenset[str]] = {
    Status.NOMINATED: frozenset({Status.BACKGROUND, Status.SEPARATED, Status.DISQUALIFIED}),
    Status.BACKGROUND: frozenset({Status.IN_TRAINING, Status.SEPARATED, Status.DISQUALIFIED}),
    Status.IN_TRAINING: frozenset({Status.DESIGNATED, Status.SEPARATED, Status.DISQUALIFIED}),
    Status.DESIGNATED: frozenset({Status.SUSPENDED, Status.SEPARATED, Status.DISQUALIFIED}),
    Status.SUSPENDED: frozenset({Status.DESIGNATED, Status.SEPARATED, Status.DISQUALIFIED}),
    Status.SEPARATED: frozenset({Status.NOMINATED}),
    Status.DISQUALIFIED: frozenset(),
}

SAME_STATUS = "The officer is already {status}."
CHANGE_NOT_ALLOWED = "An officer who is {current} cannot become {wanted}."
EFFECTIVE_IN_FUTURE = "The effective date cannot be after today ({today}) in the agency's time zone."
EFFECTIVE_BEFORE_LAST = "The change cannot take effect before the officer's last status change ({last})."
NEEDS_AGREEMENT = (
    "Link the officer to an agreement before designating them: authority comes only through the agreement, "
    "which sets the training requirements and the cap (R1.1, R1.8)."
)
AGREEMENT_NOT_IN_FORCE = "The agreement must be in force on the effective day ({day}): {why}."
CHECKLIST_INCOMPLETE = "The nomination checklist is incomplete (R2.8). Missing: {missing}."
TRAINING_INCOMPLETE = "The required training must cover the effective day (R2.4, R2.7): {gap}."
CREDENTIAL_REQUIRED = "Record the ICE credential {what} issued at certification (R2.9)."
OVER_CAP = (
    "The agreement allows at most {cap} designated officer{plural} (R1.8) and {count} are designated: "
    "no one more can be certified until one leaves or the cap is corrected."
)
AGREEMENT_OTHER_AGENCY = "The agreement belongs to another agency."
CHECK_IN_FUTURE = "The date cannot be after today ({today})."
SCORE_RANGE = "A score is a whole percent from 0 to 100."
EXAM_IN_FUTURE = "The exam date cannot be after today ({today}) in the agency's time zone."
EXAM_COURSE_OTHER_AGENCY = "The course belongs to another agency."
EXAM_NOT_IN_PROGRAM = "An officer who is {status} takes no more exams."
REMEDIATION_NEEDS_FAILURE = "A remediation re-test follows a failed exam; this officer failed none in this course."
REMEDIATION_USED = "The one remediation re-test of this course was already used, on {day} (R2.2)."
DISQUALIFIED_NOTE = "Disqualified automatically: {failures} failed exams in {course} (R2.2)."


def designated_count(agreement: Agreement, *, excluding: Officer | None = None) -> int:
    """Officers designated under ``agreement`` now (the ones the cap of R1.8 counts). One query."""
    officers = agreement.officers.filter(status=Status.DESIGNATED)
    if excluding is not None and excluding.pk is not None:
        officers = officers.exclude(pk=excluding.pk)
    return officers.count()


def cap_error(agreement: Agreement | None, *, officer: Officer | None = None) -> str | None:
    """The refusal message when designating one more officer under ``agreement`` would pass its cap.

    Call inside a transaction after locking the agreement row
    (``Agreement.objects.select_for_update()``), so two designations at once
    cannot both take the last place. None when there is room or no cap.
    """
    if agreement is None or agreement.max_authorized_officers is None:
        return None
    count = designated_count(agreement, excluding=officer)
    cap = agreement.max_authorized_officers
    if count < cap:
        return None
    return OVER_CAP.format(cap=cap, plural="" if cap == 1 else "s", count=count)


def lock_agreement(agreement_id: int | None) -> Agreement | None:
    """The agreement row, locked until the end of the transaction (cap checks), or None."""
    if agreement_id is None:
        return None
    return Agreement.objects.select_for_update().get(pk=agreement_id)


def last_status_change(officer: Officer) -> OfficerStatusChange | None:
    """The officer's latest status change by effective date. One query."""
    return officer.status_changes.order_by("-effective_on", "-pk").first()


def officer_set_status(
    *,
    actor,
    officer: Officer,
    status: str,
    effective_on: date,
    note: str = "",
    ice_credential_id: str = "",
    ice_credential_issued_on: date | None = None,
    reason: str | None = None,
) -> OfficerStatusChange:
    """Move ``officer`` to ``status`` from the agency-local day ``effective_on``.

    Rules (DOMAIN.md): only the steps of ``ALLOWED_CHANGES``; the effective day
    is not in the future and not before the officer's last change (history
    stays in order; a change recorded late keeps its real day). Designation
    ("certified / designated", also a reinstatement) needs what the one rule of
    ``training.roster.authorization`` needs on the effective day — an agreement
    in force, the complete nomination checklist (R2.8), the ICE credential id
    and issue date (R2.9), the required training covering that day (R2.4,
    R2.7) — and room under the agreement's cap (R1.8); so a designation never
    stands without them. Its effective day becomes ``certified_on``. Separation keeps the officer and history and sets
    ``separated_early`` when it comes less than 24 months after certification
    (R2.8).

    Args:
        actor: the user doing it (recorded as ``recorded_by`` and history author).
        officer: the officer (the caller checked ``actor`` may change its records).
        status: an ``Officer.Status`` value.
        effective_on: the agency-local day the change took effect.
        note: free text kept on the status change (not in history reasons or logs).
        ice_credential_id, ice_credential_issued_on: at designation (R2.9).
        reason: the officer history row's change reason (default "Status change"; an
            import names its file).

    Returns:
        The new ``OfficerStatusChange``. ``officer`` is refreshed with the new values.

    Raises:
        ValidationError: keyed by field ("status", "effective_on",
            "ice_credential_id", "ice_credential_issued_on"); every problem of a
            designation is reported at once.
    """
    with transaction.atomic(), acting_as(actor, reason=reason or "Status change"):
        locked = Officer.objects.select_for_update().select_related("agency").get(pk=officer.pk)
        change = _set_status(
            actor=actor,
            officer=locked,
            status=status,
            effective_on=effective_on,
            note=note,
            ice_credential_id=ice_credential_id.strip(),
            ice_credential_issued_on=ice_credential_issued_on,
        )
    for name in ("status", "certified_on", "separated_early", "ice_credential_id", "ice_credential_issued_on"):
        setattr(officer, name, getattr(locked, name))
    return change


def _set_status(
    *,
    actor,
    officer: Officer,
    status: str,
    effective_on: date,
    note: str,
    ice_credential_id: str = "",
    ice_credential_issued_on: date | None = None,
) -> OfficerStatusChange:
    """``officer_set_status`` on an officer row already locked by the caller's transaction."""
    if status not in Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    current = officer.status
    if status == current:
        raise ValidationError({"status": SAME_STATUS.format(status=Status(status).label.lower())})
    if status not in ALLOWED_CHANGES[current]:
        raise ValidationError(
            {
                "status": CHANGE_NOT_ALLOWED.format(
                    current=Status(current).label.lower(), wanted=Status(status).label.lower()
                )
            }
        )
    errors: dict[str, list[str]] = {}
    today = rules.agency_today(officer.agency)
    if effective_on > today:
        errors.setdefault("effective_on", []).append(EFFECTIVE_IN_FUTURE.format(today=today.isoformat()))
    last = last_status_change(officer)
    if last is not None and effective_on < last.effective_on:
        errors.setdefault("effective_on", []).append(EFFECTIVE_BEFORE_LAST.format(last=last.effective_on.isoformat()))
    if status == Status.DESIGNATED:
        _check_designation(officer, ice_credential_id, ice_credential_issued_on, effective_on, today, errors)
    if errors:
        raise ValidationError(errors)
    if status == Status.DESIGNATED:
        if ice_credential_id:
            officer.ice_credential_id = ice_credential_id
        if ice_credential_issued_on:
            officer.ice_credential_issued_on = ice_credential_issued_on
        if current == Status.IN_TRAINING or officer.certified_on is None:
            officer.certified_on = effective_on
    if status == Status.SEPARATED:
        certified = officer.certified_on or officer.ice_credential_issued_on
        officer.separated_early = rules.separated_early(certified, effective_on)
    change = OfficerStatusChange.objects.create(
        officer=officer,
        status=status,
        previous_status=current,
        effective_on=effective_on,
        recorded_by=actor,
        note=note.strip(),
    )
    officer.status = status
    officer.save()
    return change


def _check_designation(
    officer, credential_id: str, credential_issued_on, effective_on: date, today: date, errors
) -> None:
    """Everything a designation effective on ``effective_on`` lacks, added to ``errors`` by field."""
    agreement = lock_agreement(officer.agreement_id)
    training = authorization.officer_trainings([officer])[officer.pk]
    if agreement is None:
        errors.setdefault("status", []).append(NEEDS_AGREEMENT)
    elif not training.agreement_in_force_on(effective_on):
        why = authorization.authorization_reasons(
            officer=officer, day=effective_on, status=Status.DESIGNATED, agreement=agreement, training_gap=None
        )[0]
        errors.setdefault("status", []).append(AGREEMENT_NOT_IN_FORCE.format(day=effective_on.isoformat(), why=why))
    missing = checklist_missing(officer)
    if missing:
        errors.setdefault("status", []).append(CHECKLIST_INCOMPLETE.format(missing=", ".join(missing)))
    gap = training.training_gap_on(effective_on)
    if gap:
        errors.setdefault("status", []).append(TRAINING_INCOMPLETE.format(gap=gap))
    over = cap_error(agreement, officer=officer)
    if over:
        errors.setdefault("status", []).append(over)
    if not (credential_id or officer.ice_credential_id):
        errors.setdefault("ice_credential_id", []).append(CREDENTIAL_REQUIRED.format(what="id"))
    issued_on = credential_issued_on or officer.ice_credential_issued_on
    if issued_on is None:
        errors.setdefault("ice_credential_issued_on", []).append(CREDENTIAL_REQUIRED.format(what="issue date"))
    elif issued_on > today:
        errors.setdefault("ice_credential_issued_on", []).append(CHECK_IN_FUTURE.format(today=today.isoformat()))


def officer_checklist_update(
    *,
    actor,
    officer: Officer,
    us_citizen: bool,
    lea_background_check_on: date | None,
    ice_background_check_on: date | None,
    privacy_waiver_on_file: bool,
    service_commitment_signed: bool,
) -> Officer:
    """Record the nomination checklist of R2.8 for ``officer`` (all five items at once).

    Args:
        actor: the user doing it (history author).
        officer: the officer (the caller checked access).
        us_citizen: the candidate is a U.S. citizen (required).
        lea_background_check_on: day the LEA's 5-year criminal background check was done.
        ice_background_check_on: day ICE's independent check was done.
        privacy_waiver_on_file: the signed waiver giving ICE access to disciplinary records.
        service_commitment_signed: the 2-year service commitment is signed.

    Returns:
        The officer; no history row when nothing changed (case H2).

    Raises:
        ValidationError: a check date after the agency's today (keyed by field).
    """
    today = rules.agency_today(officer.agency)
    values = {
        "us_citizen": us_citizen,
        "lea_background_check_on": lea_background_check_on,
        "ice_background_check_on": ice_background_check_on,
        "privacy_waiver_on_file": privacy_waiver_on_file,
        "service_commitment_signed": service_commitment_signed,
    }
    errors = {
        name: CHECK_IN_FUTURE.format(today=today.isoformat())
        for name in ("lea_background_check_on", "ice_background_check_on")
        if values[name] is not None and values[name] > today
    }
    if errors:
        raise ValidationError(errors)
    changed = {name: value for name, value in values.items() if getattr(officer, name) != value}
    if not changed:
        return officer
    with transaction.atomic(), acting_as(actor, reason="Nomination checklist"):
        for name, value in changed.items():
            setattr(officer, name, value)
        officer.save()
    return officer


def exam_record(
    *,
    actor,
    officer: Officer,
    course: Course,
    taken_on: date,
    score_percent: int,
    is_remediation: bool = False,
    exam_name: str = "",
) -> ExamAttempt:
    """Record one exam of ``officer`` in ``course`` and apply the exam rule of R2.2.

    R2.2 [C]: an exam passes at 70 % or more (69 fails); the candidate gets
    **one** remediation re-test over the whole course, after a failed exam;
    failing two exams in the course, the remediation counted, disqualifies: the
    officer's status becomes "disqualified" from the exam day (or from their
    last status change, if that is later), in the same transaction.

    Args:
        actor: the user recording it (history author).
        officer: the candidate (the caller checked access).
        course: a course of the officer's agency.
        taken_on: the agency-local exam day; not in the future.
        score_percent: whole percent, 0–100.
        is_remediation: this is the course's one remediation re-test.
        exam_name: which exam of the course (module), optional.

    Returns:
        The saved ``ExamAttempt`` (``passed`` set). ``officer`` is refreshed.

    Raises:
        ValidationError: keyed by field — score out of range, day in the future,
            course of another agency, officer separated or disqualified, a
            remediation without a failed exam or a second remediation.
    """
    errors: dict[str, list[str]] = {}
    if not 0 <= score_percent <= 100:
        errors.setdefault("score_percent", []).append(SCORE_RANGE)
    if course.agency_id != officer.agency_id:
        errors.setdefault("course", []).append(EXAM_COURSE_OTHER_AGENCY)
    today = rules.agency_today(officer.agency)
    if taken_on > today:
        errors.setdefault("taken_on", []).append(EXAM_IN_FUTURE.format(today=today.isoformat()))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(actor, reason="Exam recorded"):
        locked = Officer.objects.select_for_update().select_related("agency").get(pk=officer.pk)
        if locked.status in (Status.SEPARATED, Status.DISQUALIFIED):
            raise ValidationError({"officer": EXAM_NOT_IN_PROGRAM.format(status=locked.get_status_display().lower())})
        earlier = list(ExamAttempt.objects.filter(officer=locked, course=course).order_by("taken_on", "pk"))
        if is_remediation:
            used = next((attempt for attempt in earlier if attempt.is_remediation), None)
            if used is not None:
                raise ValidationError({"is_remediation": REMEDIATION_USED.format(day=used.taken_on.isoformat())})
            if all(attempt.passed for attempt in earlier):
                raise ValidationError({"is_remediation": REMEDIATION_NEEDS_FAILURE})
        attempt = ExamAttempt(
            agency_id=locked.agency_id,
            officer=locked,
            course=course,
            exam_name=exam_name.strip(),
            taken_on=taken_on,
            score_percent=score_percent,
            is_remediation=is_remediation,
            passed=rules.exam_passed(score_percent),
        )
        attempt.save()
        failures = sum(1 for a in earlier if not a.passed) + (0 if attempt.passed else 1)
        if failures >= rules.EXAM_FAILURES_DISQUALIFY and Status.DISQUALIFIED in ALLOWED_CHANGES[locked.status]:
            last = last_status_change(locked)
            effective_on = max(taken_on, last.effective_on) if last is not None else taken_on
            _set_status(
                actor=actor,
                officer=locked,
                status=Status.DISQUALIFIED,
                effective_on=effective_on,
                note=DISQUALIFIED_NOTE.format(failures=failures, course=course.code),
            )
    officer.status = locked.status
    return attempt
