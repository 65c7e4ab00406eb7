"""Findings workflow: reads for the findings page, the supervisor's actions, and the rules' own side.

A finding is opened by a rule (a sweep, a late outcome) and worked by a supervisor
(``review_records`` in its agency):

* ``finding_acknowledge`` — seen and being handled (open → acknowledged);
* ``finding_resolve`` — fixed, with a note saying how (open/acknowledged → resolved);
* ``finding_mark_false_positive`` — the rule fired wrongly, with the reason
  (open/acknowledged → false positive).

Resolved and false-positive findings are closed. A supervisor may reopen a closed
finding with a reason (``finding_reopen``: e.g. the corrective action did not hold):
it is open again, the same row, so the rule that opened it still cannot open a second
one for the same record and kind (unique constraint, case D4), and it can be
acknowledged and resolved again. Every change is a history row on ``Finding`` (who,
when, the note as change reason); the earlier resolution stays in the history.

A rule whose condition can be fixed on the record itself (R4.3: the signed warrant
attached) closes and reopens its own finding as the system account
(``finding_resolve_by_system`` / ``finding_reopen_by_system``), with the same state
changes and history as the supervisor's actions. A finding that only a decision recorded on
its record may close (``CLOSE_GUARDS``: a U.S.-citizenship claim is closed by the
supervisor's recorded resolution of the claim) is closed by that decision
(``finding_resolve_on_record``), attributed to the person who recorded it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.feed import finding_opened_emit
from compliance.core.models import Finding
from compliance.core.system_account import system_user

SUPERVISOR_ONLY_MESSAGE = "Only a supervisor of this agency may act on its findings."
NOTE_REQUIRED_MESSAGE = "Say how the finding was resolved."
REASON_REQUIRED_MESSAGE = "Say why this finding is a false positive."
CLOSED_MESSAGE = "This finding is already closed ({status})."
NOT_OPEN_MESSAGE = "Only an open finding can be acknowledged; this one is {status}."
REOPEN_REASON_REQUIRED_MESSAGE = "Say why this finding is reopened."
NOT_CLOSED_MESSAGE = "Only a resolved or false-positive finding can be reopened; this one is {status}."

OPEN_STATUSES = (Finding.Status.OPEN, Finding.Status.ACKNOWLEDGED)
CLOSED_STATUSES = (Finding.Status.RESOLVED, Finding.Status.FALSE_POSITIVE)
#: The status filter's extra value: open or acknowledged (the page's default).
ACTIVE = "active"


#: Age buckets of open findings (the dashboard's columns and the findings list's ``age`` filter): key, label, and
#: the age range in days since ``opened_at`` (real 24-hour days at the moment asked; upper bound None: no limit).
AGE_BUCKETS = (
    ("lt7", "Under 7 days", 0, 7),
    ("7to30", "7 to 30 days", 7, 30),
    ("30to90", "30 to 90 days", 30, 90),
    ("gt90", "Over 90 days", 90, None),
)
AGE_LABELS = {key: label for key, label, _, _ in AGE_BUCKETS}


def age_q(bucket: str, now: datetime) -> Q:
    """Findings whose age at ``now`` (aware) falls in ``bucket`` (a key of ``AGE_BUCKETS``).

    A finding opened exactly 7 days (168 hours) before ``now`` is in "7to30", one a second younger in
    "lt7": each bucket includes its lower bound and excludes its upper one.

    Raises:
        KeyError: ``bucket`` is not a key of ``AGE_BUCKETS``.
    """
    lowest, highest = {key: (lo, hi) for key, _, lo, hi in AGE_BUCKETS}[bucket]
    condition = Q(opened_at__lte=now - timedelta(days=lowest))
    if highest is not None:
        condition &= Q(opened_at__gt=now - timedelta(days=highest))
    return condition


def findings_for(
    user, *, status: str = ACTIVE, kind: str = "", severity: str = "", age: str = "", now: datetime | None = None
) -> QuerySet[Finding]:
    """Findings of every agency where ``user`` holds ``view_records``, newest first, filtered.

    Args:
        status: a ``Finding.Status`` value, ``"active"`` (open or acknowledged) or "" (all).
        kind, severity: a ``Finding.Kind`` / ``Severity`` value or "" (all).
        age: a key of ``AGE_BUCKETS`` (``age_q`` at ``now``) or "" (any age).
        now: the aware instant ages are measured at (default: the current time).

    Agency, content type and the users are joined; the page prefetches the
    records (one query per record type), so the count does not grow with rows.
    """
    queryset = access.scope(Finding.objects.all(), user, access.VIEW).select_related(
        "agency", "content_type", "resolved_by", "acknowledged_by"
    )
    if status == ACTIVE:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if severity:
        queryset = queryset.filter(severity=severity)
    if age in AGE_LABELS:
        queryset = queryset.filter(age_q(age, now or timezone.now()))
    return queryset.order_by("-opened_at", "-pk")


def finding_open_once(
    *, record, kind: str, severity: str, rule: str, summary: str, opened_at: datetime
) -> tuple[Finding, bool]:
    """The finding of ``kind`` for ``record``, opened now if it has none: ``(finding, created)``.

    One finding per (record, kind) whatever the number of callers (the unique constraint makes
    a second impossible, case D4); an existing one, open or closed, is returned unchanged.
    The caller's ``acting_as`` attributes the history row. ``opened_at`` is an aware datetime.
    A new finding writes its ``finding.opened`` feed event in the same transaction (``compliance.core.feed``).
    """
    with transaction.atomic():
        finding, created = Finding.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            kind=kind,
            defaults={
                "agency_id": record.agency_id,
                "severity": severity,
                "rule": rule,
                "summary": summary,
                "opened_at": opened_at,
            },
        )
        if created:
            finding_opened_emit(finding, record=record)
    return finding, created


def _lock_for_review(finding: Finding, actor) -> Finding:
    if not access.can(actor, access.REVIEW, finding.agency):
        raise PermissionDenied(SUPERVISOR_ONLY_MESSAGE)
    # Locked: two supervisors acting at once must not overwrite each other's decision silently.
    return Finding.objects.select_for_update().get(pk=finding.pk)


def _refuse_closed(locked: Finding) -> None:
    if locked.status in CLOSED_STATUSES:
        raise ValidationError(CLOSED_MESSAGE.format(status=locked.get_status_display().lower()))


def finding_acknowledge(*, finding: Finding, actor) -> Finding:
    """A supervisor acknowledges an open finding.

    Raises:
        PermissionDenied: ``actor`` lacks ``review_records`` in the finding's agency.
        ValidationError: the finding is not open.
    """
    with transaction.atomic(), acting_as(actor, reason="Finding acknowledged"):
        locked = _lock_for_review(finding, actor)
        if locked.status != Finding.Status.OPEN:
            raise ValidationError(NOT_OPEN_MESSAGE.format(status=locked.get_status_display().lower()))
        locked.status = Finding.Status.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = actor
        locked.save()
    return locked


#: Finding kind → callable(finding) returning why it cannot be resolved yet (or None). Apps register their
#: own in ``AppConfig.ready`` (e.g. incidents: a passed hold deadline while the person is still held).
RESOLVE_GUARDS: dict[str, object] = {}

#: Finding kind → callable(finding) returning why a supervisor may not close it on the findings page at all
#: yet, neither resolved nor marked a false positive (or None): the finding is closed by a decision recorded
#: on its record instead (``finding_resolve_on_record``), e.g. incidents: a U.S.-citizenship claim is closed
#: only by the supervisor's recorded resolution of the claim (R5.1–R5.2).
CLOSE_GUARDS: dict[str, object] = {}


def close_refusal(finding: Finding) -> str | None:
    """Why ``finding`` may not be closed on the findings page (its ``CLOSE_GUARDS`` entry), or None.

    For the finding's page: such a finding shows the reason instead of the resolve and false-positive
    forms. At most the guard's own queries.
    """
    guard = CLOSE_GUARDS.get(finding.kind)
    return guard(finding) if guard else None


def _refuse_guarded(finding: Finding, guards: dict, field: str) -> None:
    guard = guards.get(finding.kind)
    problem = guard(finding) if guard else None
    if problem:
        raise ValidationError({field: problem})


def finding_resolve(*, finding: Finding, actor, note: str) -> Finding:
    """A supervisor resolves a finding, saying how (``note`` required; kept on the row and in history).

    Raises:
        PermissionDenied: ``actor`` lacks ``review_records`` in the finding's agency.
        ValidationError: ``{"note": ...}`` when blank, or when the kind's guard in
            ``RESOLVE_GUARDS`` says the condition still holds (e.g. the person is still held past
            the hold deadline: record the release or transfer first) or its guard in
            ``CLOSE_GUARDS`` says only a decision on the record closes it; the finding is already closed.
    """
    _refuse_guarded(finding, CLOSE_GUARDS, "note")
    _refuse_guarded(finding, RESOLVE_GUARDS, "note")
    return _close(finding=finding, actor=actor, text=note, status=Finding.Status.RESOLVED, field="note")


def finding_mark_false_positive(*, finding: Finding, actor, reason: str) -> Finding:
    """A supervisor marks a finding a false positive, saying why (``reason`` required).

    Raises:
        PermissionDenied: ``actor`` lacks ``review_records`` in the finding's agency.
        ValidationError: ``{"reason": ...}`` when blank, or when the kind's guard in ``CLOSE_GUARDS``
            says only a decision on the record closes it; the finding is already closed.
    """
    _refuse_guarded(finding, CLOSE_GUARDS, "reason")
    return _close(finding=finding, actor=actor, text=reason, status=Finding.Status.FALSE_POSITIVE, field="reason")


def _close(*, finding: Finding, actor, text: str, status: str, field: str) -> Finding:
    text = text.strip()
    if not text:
        message = NOTE_REQUIRED_MESSAGE if status == Finding.Status.RESOLVED else REASON_REQUIRED_MESSAGE
        raise ValidationError({field: message})
    label = Finding.Status(status).label
    with transaction.atomic(), acting_as(actor, reason=f"Finding {label.lower()}"):
        locked = _lock_for_review(finding, actor)
        _refuse_closed(locked)
        _set_closed(locked, status=status, text=text, actor=actor)
        locked.save()
    return locked


def _set_closed(locked: Finding, *, status: str, text: str, actor) -> None:
    locked.status = status
    locked.resolution_note = text
    locked.resolved_at = timezone.now()
    locked.resolved_by = actor


def finding_reopen(*, finding: Finding, actor, reason: str) -> Finding:
    """A supervisor reopens a resolved or false-positive finding, saying why (``reason`` required).

    The finding becomes ``open`` again (the findings page lists it with the open ones):
    ``reopened_at`` (aware UTC, now), ``reopened_by`` and ``reopen_reason`` are set; the
    earlier closure (``resolved_*``, ``resolution_note``) and acknowledgement are cleared
    from the row and kept in its history, whose change reason names the earlier status.
    The same row is reused, so no sweep can open a second finding of its kind for the
    record; it can be acknowledged and resolved again.

    Raises:
        PermissionDenied: ``actor`` lacks ``review_records`` in the finding's agency.
        ValidationError: ``{"reason": ...}`` when blank; the finding is not closed.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REOPEN_REASON_REQUIRED_MESSAGE})
    with transaction.atomic():
        locked = _lock_for_review(finding, actor)
        if locked.status not in CLOSED_STATUSES:
            raise ValidationError(NOT_CLOSED_MESSAGE.format(status=locked.get_status_display().lower()))
        was = locked.get_status_display().lower()
        _set_reopened(locked, reason=reason, actor=actor)
        with acting_as(actor, reason=f"Finding reopened (was {was})"):
            locked.save()
        finding_opened_emit(locked, reopened=True)
    return locked


def _set_reopened(locked: Finding, *, reason: str, actor) -> None:
    locked.status = Finding.Status.OPEN
    locked.reopened_at = timezone.now()
    locked.reopened_by = actor
    locked.reopen_reason = reason
    locked.resolved_at = None
    locked.resolved_by = None
    locked.resolution_note = ""
    locked.acknowledged_at = None
    locked.acknowledged_by = None


# --- The rule's own side: a finding whose condition the system sees fixed, or back (e.g. R4.3) ---


def finding_resolve_by_system(*, finding: Finding, note: str) -> Finding | None:
    """The rule that opened ``finding`` sees its condition fixed: resolved, attributed to ``system_user()``.

    Same state change as ``finding_resolve`` (status, note, ``resolved_at``/``resolved_by``, one
    history row whose reason says so), without the supervisor check: no person decided it, the
    record changed (e.g. a signed I-200 was attached to the I-247A, R4.3). Call it inside the
    transaction that changed the record.

    Returns:
        The resolved finding, or None when it was already closed (a supervisor's decision stands).
    """
    return _resolve_as(finding, actor=system_user(), note=note, reason=f"Finding resolved by the system: {note}")


def finding_resolve_on_record(*, finding: Finding, actor, note: str) -> Finding | None:
    """A person's decision recorded on the finding's record closes it: resolved, attributed to ``actor``.

    For findings only such a decision may close (``CLOSE_GUARDS``), e.g. the supervisor's recorded
    resolution of a U.S.-citizenship claim closes the claim's finding (R5.1–R5.2). Same state change
    as ``finding_resolve`` (status, ``note``, ``resolved_at`` now in UTC, ``resolved_by`` = ``actor``,
    one history row whose reason says so), without the review check here: the record's own service
    checked ``actor``'s permission. Call it inside the transaction that recorded the decision.

    Returns:
        The resolved finding, or None when it was already closed.
    """
    return _resolve_as(finding, actor=actor, note=note, reason=f"Finding resolved on its record: {note}")


def _resolve_as(finding: Finding, *, actor, note: str, reason: str) -> Finding | None:
    with transaction.atomic(), acting_as(actor, reason=reason):
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.status in CLOSED_STATUSES:
            return None
        _set_closed(locked, status=Finding.Status.RESOLVED, text=note, actor=actor)
        locked.save()
    return locked


def finding_reopen_by_system(*, finding: Finding, reason: str) -> Finding | None:
    """The condition of a closed ``finding`` is back (e.g. the signed warrant was removed): reopened by the system.

    Same state change as ``finding_reopen`` (open again, same row, earlier closure kept in the
    history), attributed to ``system_user()`` with ``reason``, without the supervisor check.

    Returns:
        The reopened finding, or None when it was not closed (nothing to do).
    """
    actor = system_user()
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        if locked.status not in CLOSED_STATUSES:
            return None
        was = locked.get_status_display().lower()
        _set_reopened(locked, reason=reason, actor=actor)
        with acting_as(actor, reason=f"Finding reopened by the system (was {was}): {reason}"):
            locked.save()
        finding_opened_emit(locked, reopened=True)
    return locked


def last_closure(finding: Finding):
    """The finding's latest closed state before now, from its history (a historical row), or None.

    For the page of a reopened finding: how it had been resolved, by whom, and when.
    One query.
    """
    return (
        finding.history.filter(status__in=CLOSED_STATUSES)
        .select_related("resolved_by")
        .order_by("-history_date", "-history_id")
        .first()
    )
