"""Writes to the detainer record: log, edit, outcome, service on the subject, ICE notified, hold violation.

The detainer pages, the custody board and the deadline sweep call these. A hold past its
deadline opens a critical finding and an incident (``incidents.incident_log.services``).

Past facts are recorded, future steps are gated (docs/decisions/past-facts-and-gates.md):
a save that records something that already happened and broke a rule (a handling officer
not authorized that day, an action outside the agreement, a hold on an I-247N, custody
ended after the hold deadline) is saved with its explanation, opens its finding and tells
the supervisors (``incidents.detainers.rule_breaks``); what the system gates before it
happens (a 287(g) step or a transfer under a U.S.-citizenship STOP, R5.1) is refused.

Each function takes keyword-only arguments and the acting user (``actor``), runs
in one transaction, and attributes every history row it writes to ``actor``
(``acting_as``), inside a request or not. Callers check permissions first
(``compliance.core.access``); these functions do not, so the deadline sweep can act
as the system account.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.core.agency_time import in_zone
from compliance.core.audit import acting_as
from compliance.core.findings import finding_open_once
from compliance.core.models import Agency, Finding
from compliance.core.names import name_clean
from compliance.core.writes import refuse_unknown_fields
from incidents.actions.language import service_language_errors, stored_interpreter_type
from incidents.actions.services import record_action_stop_refusal
from incidents.citizenship.services import ensure_not_stopped
from incidents.citizenship.subject_stop import ensure_subject_not_stopped
from incidents.consular.services import DERIVED_FROM as CONSULAR_DERIVED_FROM
from incidents.consular.services import consular_derive
from incidents.detainers import rule_breaks, rules
from incidents.detainers.checks import form_authorizes_hold, held_without_authority
from incidents.detainers.lift_reasons import LiftReason
from incidents.detainers.models import Detainer
from incidents.detainers.no_warrant import no_warrant_sync, warrant_missing
from incidents.detainers.scope import agreement_in_force
from incidents.detainers.validators import a_number_normalise, country_code_normalise
from incidents.incident_log.models import Incident
from incidents.incident_log.services import incident_create

#: The fields that identify the subject (R5.1 subject match: ``incidents.citizenship.subject_stop``).
SUBJECT_IDENTIFIERS = ("a_number", "booking_number", "subject_last_name", "subject_first_name", "subject_date_of_birth")

# The I-247A and compliance fields (incidents.detainers.record_fields; DOMAIN.md §7.1–7.2).
RECORD_FIELDS = frozenset(
    {
        "subject_sex",
        "subject_country_of_citizenship",
        "a_number",
        "offense_level",
        "form_version",
        "issuing_office",
        "box_1_probable_cause",
        "box_2_transfer_for_proceeding",
        "pc_basis",
        "release_cause",
        "local_hold_authority",
        "ice_supervisor",
        "agreement",
        "action",
        "action_at",
    }
)

DETAINER_FIELDS = (
    frozenset(
        {
            "subject_last_name",
            "subject_first_name",
            "subject_date_of_birth",
            "booking_number",
            "booked_at",
            "underlying_charge",
            "form",
            "issued_at",
            "received_at",
            "warrant_type",
            "warrant_signed",
            "would_be_released_at",
            "handling_officer",
            "minor_offense_only",  # R3.3; GAO-09-109 finding 1
        }
    )
    | RECORD_FIELDS
)


LIFT_REASON_VOCABULARY_MESSAGE = "Choose one of ICE's lift reasons."

HOLD_VIOLATION_RULE = "R4.7–R4.8 48-hour hold limit"

HOLD_VIOLATION_TITLE = "Hold past the 48-hour deadline"

LATE_OUTCOME_REASON = "Outcome recorded after the hold deadline"

LATE_OUTCOME_MESSAGE = (
    "Custody ended {ended}, {over} after the hold deadline {deadline}: a hold past 48 hours is a critical "
    "violation (R4.7–R4.8)."
)

OUTCOME_PENDING_MESSAGE = "An outcome must be transferred, released or lifted; pending is not an outcome."

LIFT_REASON_MESSAGE = "A lifted or declined detainer needs a reason."


class OutcomeAlreadyRecorded(Exception):  # noqa: N818 (a state, not a failure of the code)
    """The detainer's outcome is already recorded and the caller asked not to overwrite it (``only_if_pending``).

    ``detainer``: the locked, current row (its ``outcome`` and ``outcome_at`` say what is recorded).
    """

    def __init__(self, detainer: Detainer):
        super().__init__("The detainer's outcome is already recorded.")
        self.detainer = detainer


OUTCOME_BEFORE_BOOKING_MESSAGE = "Custody cannot end before the booking ({booked}): check the date and time."

#: How far ahead of this server's clock an outcome time may be (a JMS's clock a little ahead): beyond it, future.
OUTCOME_CLOCK_SKEW = timedelta(minutes=5)

SUBJECT_NAME_MESSAGE = "Enter the subject's last name, or their only name if they have just one."


def _derive_deadline(detainer: Detainer) -> None:
    """Set ``hold_deadline`` from ``would_be_released_at`` (R4.7); a moved deadline is alerted afresh.

    A form that never authorizes a hold (the I-247N, R4.1) gets none, whatever its date: no
    deadline, no custody-board countdown (``checks.form_authorizes_hold``).
    """
    release = detainer.would_be_released_at
    can_hold = form_authorizes_hold(detainer.form)
    deadline = rules.hold_deadline(release) if release is not None and can_hold else None
    if deadline != detainer.hold_deadline:
        detainer.hold_deadline = deadline
        # The earlier alert was about the old deadline; the sweep warns again for the new one.
        detainer.deadline_alerted_at = None


def _check_officer(detainer: Detainer) -> None:
    officer = detainer.handling_officer
    if officer is not None and officer.agency_id != detainer.agency_id:
        raise ValueError("The handling officer must be on the roster of the detainer's agency.")


def _apply_record_rules(detainer: Detainer, *, creating: bool) -> None:
    """Normalise the names, A-number and country code; the agreement is the agency's own (default: the one in force).

    Names are stored as people have them (``compliance.core.names.name_clean``: NFC, outer
    spaces trimmed); a person with a single name has it as the last name.

    Raises:
        ValidationError: no last name left after cleaning (``SUBJECT_NAME_MESSAGE``), a malformed
            A-number or country code (the form's messages).
        ValueError: the agreement belongs to another agency.
    """
    detainer.subject_last_name = name_clean(detainer.subject_last_name)
    detainer.subject_first_name = name_clean(detainer.subject_first_name)
    if not detainer.subject_last_name:
        raise ValidationError({"subject_last_name": SUBJECT_NAME_MESSAGE})
    detainer.a_number = a_number_normalise(detainer.a_number)
    detainer.subject_country_of_citizenship = country_code_normalise(detainer.subject_country_of_citizenship)
    if creating and detainer.agreement_id is None:
        detainer.agreement = agreement_in_force(agency=detainer.agency, at=detainer.action_at or detainer.received_at)
    if detainer.agreement is not None and detainer.agreement.agency_id != detainer.agency_id:
        raise ValueError("The agreement must be one of the detainer's agency.")


def detainer_create(*, agency: Agency, actor, reason: str | None = None, explanation: str = "", **fields) -> Detainer:
    """Log a new detainer in ``agency``.

    Args:
        agency: the agency holding the person.
        actor: the user logging it (history author).
        reason: optional history change reason (e.g. an import file name; no personal data).
        explanation: what happened and why, when the record states a past fact that broke a rule
            (required then; stored in ``Detainer.explanation`` and so in its history).
        **fields: keyword-only model values, any of ``DETAINER_FIELDS``. Datetimes
            are aware (UTC); ``would_be_released_at`` may be None until known.

    Returns:
        The saved ``Detainer``; ``hold_deadline`` = ``would_be_released_at`` + 48 h
        (``incidents.detainers.rules.hold_deadline``, R4.7–R4.8), never typed, and None for a
        form that never authorizes a hold (the I-247N, R4.1). An I-247A without a signed
        I-200/I-205 opens one R4.3 finding and e-mails the agency's supervisors after commit
        (``incidents.detainers.no_warrant``). A past fact that broke a rule — the handling
        officer not authorized at the action's instant (R2.4, R2.7), the action outside the
        agreement (R1.6), the person held past the release time on an I-247N (R4.1) — is saved
        as it happened: its finding opens and the supervisors are e-mailed after commit
        (``incidents.detainers.rule_breaks``); ``recorded_rule_breaks`` on the returned instance
        lists them. The consular duty is derived from the country of citizenship when the
        consular section is empty (R5.4, ``incidents.consular.services.consular_derive``).

    Raises:
        TypeError: a field outside ``DETAINER_FIELDS`` was passed (e.g. ``hold_deadline``).
        ValueError: ``would_be_released_at`` is naive, or the handling officer is of another agency.
        ValidationError: keyed ``subject_last_name`` when no last name is left after cleaning
            (``SUBJECT_NAME_MESSAGE``); keyed ``a_number``, ``booking_number`` or ``subject_last_name``: the same
            subject has another detainer of the agency in STOP (R5.1; ``incidents.citizenship.subject_stop``);
            keyed ``action``: a 287(g) action recorded while that STOP is in force; keyed
            ``explanation``: the record breaks a rule and ``explanation`` is blank (nothing saved).
    """
    refuse_unknown_fields(fields, DETAINER_FIELDS, "detainer_create")
    detainer = Detainer(agency=agency, **fields)
    _check_officer(detainer)
    _apply_record_rules(detainer, creating=True)
    _derive_deadline(detainer)
    consular_derive(detainer)  # R5.4: the country of citizenship is what the agency already knows
    record_action_stop_refusal(detainer, before=("", None))  # R5.1 STOP (incidents.actions.services)
    breaks = rule_breaks.record_rule_breaks(detainer, at=timezone.now())
    rule_breaks.explanation_required(breaks, explanation)
    detainer.explanation = explanation.strip()
    with transaction.atomic(), acting_as(actor, reason=rule_breaks.history_reason(breaks, reason)):
        # R5.1: no new detainer for a subject whose other detainer of the agency is in STOP.
        ensure_subject_not_stopped(detainer)
        detainer.save()
        # R4.3: an I-247A without a signed warrant opens a finding and alerts the supervisors, once.
        no_warrant_sync(detainer=detainer, actor=actor, was_missing=False)
        opened = rule_breaks.rule_breaks_open(detainer=detainer, breaks=breaks, actor=actor)
        rule_breaks.tell_supervisors_on_commit(detainer, opened)
    detainer.recorded_rule_breaks = breaks
    return detainer


def detainer_update(
    *, detainer: Detainer, actor, reason: str | None = None, explanation: str = "", **fields
) -> Detainer:
    """Change a detainer's logged values; the hold deadline follows ``would_be_released_at``.

    Args:
        detainer: the detainer (already permission-checked by the caller).
        actor: the user making the change (history author).
        reason: optional history change reason.
        explanation: what happened and why; required when the change records a rule break the
            record did not already state (``incidents.detainers.rule_breaks``). Stored in
            ``Detainer.explanation`` when given (blank leaves the stored one as it is).
        **fields: keyword-only new values, any of ``DETAINER_FIELDS``.

    Returns:
        The saved, locked-and-reloaded ``Detainer``. No history row when nothing changed (case H2).
        If the deadline moved, ``deadline_alerted_at`` is cleared so the sweep warns for the new one.
        The R4.3 finding follows the warrant: opened (with the supervisors' e-mail) when an I-247A
        is saved without a signed one, resolved by the system when it is attached, reopened
        when it is removed again (``incidents.detainers.no_warrant``). A rule break the change
        newly records (officer not authorized, action outside the agreement, hold on an I-247N)
        opens its finding (or reopens a closed one) and e-mails the supervisors after commit;
        ``recorded_rule_breaks`` on the returned instance lists them. A break the record already
        stated before the change asks nothing again and opens nothing.

    Raises:
        TypeError: a field outside ``DETAINER_FIELDS`` was passed.
        ValueError: the handling officer is of another agency.
        ValidationError: keyed ``action``: the 287(g) action is set or changed while a
            U.S.-citizenship STOP is in force (R5.1; ``incidents.actions.services.record_action_stop_refusal``);
            keyed by the identifier that matched when an edit of the subject's identifiers makes
            this the same person as another detainer of the agency in STOP (R5.1;
            ``incidents.citizenship.subject_stop``); keyed ``explanation``: the change records a new
            rule break and ``explanation`` is blank (nothing saved).
    """
    refuse_unknown_fields(fields, DETAINER_FIELDS, "detainer_update")
    now = timezone.now()
    with transaction.atomic():
        # Locked: the deadline sweep may be marking this row at the same moment.
        locked = Detainer.objects.select_for_update().get(pk=detainer.pk)
        before = (locked.action, locked.action_at)
        was_missing = warrant_missing(locked)
        breaks_before = rule_breaks.record_rule_breaks(locked, at=now)
        identity_before = [getattr(locked, name) for name in SUBJECT_IDENTIFIERS]
        consular_before = [getattr(locked, name) for name in CONSULAR_DERIVED_FROM]
        for name, value in fields.items():
            setattr(locked, name, value)
        # R5.1 STOP: setting or changing the 287(g) action is a 287(g) step (incidents.actions.services).
        record_action_stop_refusal(locked, before=before)
        _check_officer(locked)
        _apply_record_rules(locked, creating=False)
        if [getattr(locked, name) for name in SUBJECT_IDENTIFIERS] != identity_before:
            # R5.1: re-identifying the subject as someone in STOP is, in effect, a new detainer for them.
            ensure_subject_not_stopped(locked)
        _derive_deadline(locked)
        if [getattr(locked, name) for name in CONSULAR_DERIVED_FROM] != consular_before:
            consular_derive(locked)  # R5.4: the duty follows the nationality the agency knows
        breaks = rule_breaks.new_rule_breaks(breaks_before, rule_breaks.record_rule_breaks(locked, at=now))
        rule_breaks.explanation_required(breaks, explanation)
        if explanation.strip():
            locked.explanation = explanation.strip()
        with acting_as(actor, reason=rule_breaks.history_reason(breaks, reason)):
            locked.save()
            # R4.3: the finding follows the warrant (opened once, resolved when attached, reopened if removed).
            no_warrant_sync(detainer=locked, actor=actor, was_missing=was_missing)
            opened = rule_breaks.rule_breaks_open(detainer=locked, breaks=breaks, actor=actor, now=now)
        rule_breaks.tell_supervisors_on_commit(locked, opened)
    locked.recorded_rule_breaks = breaks
    return locked


def _outcome_rule_breaks(detainer: Detainer) -> list[rule_breaks.RuleBreak]:
    """The rule breaks a recorded outcome states: custody ended after the hold deadline (R4.7–R4.8), or after
    the release time on a form that cannot authorize a hold (R4.1). Empty while the outcome is pending."""
    if detainer.outcome == Detainer.Outcome.PENDING or detainer.outcome_at is None:
        return []
    breaks = []
    deadline = detainer.hold_deadline
    if deadline is not None and detainer.outcome_at > deadline:
        message = LATE_OUTCOME_MESSAGE.format(
            ended=in_zone(detainer.outcome_at, detainer.agency),
            over=_duration_text(detainer.outcome_at - deadline),
            deadline=in_zone(deadline, detainer.agency),
        )
        breaks.append(rule_breaks.RuleBreak(Finding.Kind.HOLD_DEADLINE_PASSED, message))
    problem = held_without_authority(detainer, detainer.outcome_at)
    if problem:
        breaks.append(rule_breaks.RuleBreak(Finding.Kind.HOLD_WITHOUT_AUTHORITY, problem))
    return breaks


def detainer_record_outcome(
    *,
    detainer: Detainer,
    actor,
    outcome: str,
    outcome_at: datetime,
    lift_reason: str = "",
    explanation: str = "",
    reason: str | None = None,
    only_if_pending: bool = False,
) -> Detainer:
    """Record how a detainer ended: transferred to ICE, released, or lifted/declined.

    Once an outcome is recorded the detainer is no longer open, so the deadline
    sweep stops watching it. A correction (another outcome later) is allowed
    and recorded in history. Custody that ended after the hold deadline (R4.7–R4.8),
    or after the release time on a form that cannot authorize a hold (an I-247N, R4.1),
    is a past fact: recorded as it happened, with ``explanation`` (required then),
    its critical finding (and, past the deadline, the incident) opened once, and the
    supervisors e-mailed after commit when the finding is new (the deadline sweep may
    have told them already).

    Args:
        detainer: the detainer (permission-checked by the caller).
        actor: the user recording it.
        outcome: a ``Detainer.Outcome`` value other than ``pending``.
        outcome_at: aware datetime it happened (UTC stored).
        lift_reason: required when ``outcome`` is ``lifted``: one of ICE's lift
            reasons (``incidents.detainers.lift_reasons.LiftReason``, shared/data/README.md).
        explanation: what happened and why, required when the outcome breaks a rule
            (stored in ``Detainer.explanation``, so in its history).
        only_if_pending: record it only over ``pending`` (the API: a JMS's retry must not move a recorded
            time; a correction is made on the detainer's page). The same outcome, time and lift reason again
            is a retry: the detainer is returned unchanged.

    Returns:
        The saved, locked-and-reloaded ``Detainer``; ``recorded_rule_breaks`` lists the rule
        breaks the outcome newly recorded.

    Raises:
        ValidationError: ``outcome`` is pending or unknown, a lifted detainer has
            no reason or one outside ICE's vocabulary, or ``outcome_at`` is naive; a transfer to
            ICE while a U.S.-citizenship STOP is in force (R5.1: gated); keyed ``outcome_at``: the time
            is in the future (beyond ``OUTCOME_CLOCK_SKEW``) or before the booking (a typo, not a fact: custody
            cannot end before it began); keyed ``explanation``: the outcome breaks a rule and ``explanation``
            is blank (nothing saved). The form and the API both get these answers from here.
        OutcomeAlreadyRecorded: ``only_if_pending`` and another outcome (or time) is recorded (nothing saved).
    """
    if outcome not in Detainer.Outcome.values or outcome == Detainer.Outcome.PENDING:
        raise ValidationError({"outcome": OUTCOME_PENDING_MESSAGE})
    if outcome == Detainer.Outcome.LIFTED and not lift_reason.strip():
        raise ValidationError({"lift_reason": LIFT_REASON_MESSAGE})
    if outcome == Detainer.Outcome.LIFTED and lift_reason.strip() not in LiftReason.values:
        raise ValidationError({"lift_reason": LIFT_REASON_VOCABULARY_MESSAGE})
    if timezone.is_naive(outcome_at):
        raise ValidationError({"outcome_at": "The time must carry a time zone."})
    now = timezone.now()
    if outcome_at > now + OUTCOME_CLOCK_SKEW:
        raise ValidationError({"outcome_at": rules.FUTURE_MESSAGE})
    with transaction.atomic():
        # Locked: the sweep must see either the old pending row or the outcome, not race it.
        locked = Detainer.objects.select_for_update(of=("self",)).select_related("agency").get(pk=detainer.pk)
        if only_if_pending and locked.outcome != Detainer.Outcome.PENDING:
            same = (locked.outcome, locked.outcome_at, locked.lift_reason) == (
                outcome,
                outcome_at,
                lift_reason.strip() if outcome == Detainer.Outcome.LIFTED else "",
            )
            if not same:
                raise OutcomeAlreadyRecorded(locked)
            locked.recorded_rule_breaks = []
            return locked
        if locked.booked_at is not None and outcome_at < locked.booked_at:
            booked = in_zone(locked.booked_at, locked.agency)
            raise ValidationError({"outcome_at": OUTCOME_BEFORE_BOOKING_MESSAGE.format(booked=booked)})
        if outcome == Detainer.Outcome.TRANSFERRED:
            # No transfer to ICE while a U.S.-citizenship claim is unresolved (R5.1 STOP).
            ensure_not_stopped(locked)
        breaks_before = _outcome_rule_breaks(locked)
        locked.outcome = outcome
        locked.outcome_at = outcome_at
        locked.lift_reason = lift_reason.strip() if outcome == Detainer.Outcome.LIFTED else ""
        breaks = rule_breaks.new_rule_breaks(breaks_before, _outcome_rule_breaks(locked))
        rule_breaks.explanation_required(breaks, explanation)
        if explanation.strip():
            locked.explanation = explanation.strip()
        with acting_as(actor, reason=rule_breaks.history_reason(breaks, reason)):
            locked.save()
        opened = []
        if locked.hold_deadline is not None and outcome_at > locked.hold_deadline:
            # The custody ended after the 48-hour limit: the hold itself was the violation (R4.8),
            # whether or not the sweep saw it first.
            incident = detainer_open_hold_violation(
                detainer=locked, actor=actor, found_at=now, ended_at=outcome_at, reason=LATE_OUTCOME_REASON
            )
            if incident is not None:
                opened.append(Finding.objects.get(**_finding_key(locked, Finding.Kind.HOLD_DEADLINE_PASSED)))
        opened += rule_breaks.rule_breaks_open(
            detainer=locked, breaks=[b for b in breaks if b.kind != Finding.Kind.HOLD_DEADLINE_PASSED], actor=actor
        )
        rule_breaks.tell_supervisors_on_commit(locked, opened)
    locked.recorded_rule_breaks = breaks
    return locked


def _finding_key(detainer: Detainer, kind: str) -> dict:
    return {"content_type": ContentType.objects.get_for_model(Detainer), "object_id": detainer.pk, "kind": kind}


def detainer_open_hold_violation(
    *, detainer: Detainer, actor, found_at: datetime, ended_at: datetime | None = None, reason: str | None = None
):
    """Open the critical finding and the incident for a hold that ran past its deadline, once.

    Called by the deadline sweep (hold still running) and by
    ``detainer_record_outcome`` (custody ended after the deadline). The unique
    constraint on (record, kind) makes a second finding impossible, so calling
    this twice opens nothing more.

    Args:
        detainer: the detainer, locked by the caller's transaction where races matter.
        actor: whom the finding and incident are attributed to.
        found_at: aware datetime the violation was detected (the finding's ``opened_at``).
        ended_at: aware datetime custody ended, when known (outcome recorded late).
        reason: history change reason for the rows written.

    Returns:
        The ``Incident`` opened, or None when the finding already existed.

    Source: DOMAIN.md R4.8 — any hold beyond ``hold_expires_at`` is a critical
    violation: release, notify the supervisor, open an incident.
    """
    deadline_text = in_zone(detainer.hold_deadline, detainer.agency)
    if ended_at is None:
        summary = (
            f"The hold deadline {deadline_text} passed with no outcome recorded. Release the person or "
            "record the transfer to ICE now, and review why the hold ran past 48 hours."
        )
    else:
        over = ended_at - detainer.hold_deadline
        summary = (
            f"Custody ended {in_zone(ended_at, detainer.agency)}, {_duration_text(over)} after the hold deadline "
            f"{deadline_text}. Review why the hold ran past 48 hours."
        )
    with transaction.atomic(), acting_as(actor, reason=reason):
        finding, created = finding_open_once(
            record=detainer,
            kind=Finding.Kind.HOLD_DEADLINE_PASSED,
            severity=Finding.Severity.CRITICAL,
            rule=HOLD_VIOLATION_RULE,
            summary=summary,
            opened_at=found_at,
        )
        if not created:
            return None
        return incident_create(
            agency=detainer.agency,
            actor=actor,
            kind=Incident.Kind.HOLD_VIOLATION,
            severity=Incident.Severity.CRITICAL,
            title=HOLD_VIOLATION_TITLE,
            description=summary + " (48-hour hold limit, I-247A guidance; R4.7–R4.8)",
            occurred_at=detainer.hold_deadline,
            detainer=detainer,
            finding=finding,
            reason=reason,
        )


def _duration_text(delta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return (f"{days} d " if days else "") + f"{hours} h {minutes:02d} min"


SERVICE_FIELDS_MESSAGE = "Say who served the copy."

NAIVE_TIME_MESSAGE = "The time must carry a time zone."


def detainer_record_service(
    *,
    detainer: Detainer,
    actor,
    served_on_subject_at: datetime,
    served_by: str,
    service_language: str,
    interpreter_used: bool = False,
    service_interpreter_type: str = "",
    reason: str | None = None,
) -> Detainer:
    """Record that a copy of the detainer was served on the person held (R4.5), with its language (R3.8).

    Args:
        detainer: the detainer (permission-checked by the caller).
        actor: the user recording it (history author).
        served_on_subject_at: aware datetime of service (UTC stored).
        served_by: who served it (name or badge; free text).
        service_language: the language the copy was given or explained in (required, R3.8).
        interpreter_used: whether an interpreter was used.
        service_interpreter_type: an ``InterpreterType`` value (in person, telephone, video):
            required when ``interpreter_used``, refused without it. Stored as ``none`` when no
            interpreter was used.

    Returns:
        The saved, locked-and-reloaded ``Detainer``. Recording it again corrects
        the earlier values (history keeps both).

    Raises:
        ValidationError: every problem at once, keyed by field: naive time
            (``served_on_subject_at``), ``served_by`` blank, ``service_language`` blank,
            ``service_interpreter_type`` missing for a used interpreter, or ``interpreter_used``
            false with a type given (``incidents.actions.language``); then, unkeyed, a
            U.S.-citizenship STOP in force (R5.1: nothing is saved).

    Source: DOMAIN.md R4.5 — no hold unless a copy was served on the subject;
    R3.8 — language, interpreter used and interpreter type on every service of a form.
    """
    errors: dict[str, str] = {}
    if timezone.is_naive(served_on_subject_at):
        errors["served_on_subject_at"] = NAIVE_TIME_MESSAGE
    if not served_by.strip():
        errors["served_by"] = SERVICE_FIELDS_MESSAGE
    errors.update(
        service_language_errors(
            language=service_language.strip(),
            interpreter_used=interpreter_used,
            interpreter_type=service_interpreter_type,
        )
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), acting_as(actor, reason=reason):
        locked = Detainer.objects.select_for_update().get(pk=detainer.pk)
        # Serving the detainer is a 287(g) step: refused while a citizenship claim is open (R5.1).
        ensure_not_stopped(locked)
        locked.served_on_subject_at = served_on_subject_at
        locked.served_by = served_by.strip()
        locked.service_language = service_language.strip()
        locked.interpreter_used = interpreter_used
        locked.service_interpreter_type = stored_interpreter_type(
            interpreter_used=interpreter_used, interpreter_type=service_interpreter_type
        )
        locked.save()
    return locked


def detainer_record_ice_notified(
    *, detainer: Detainer, actor, ice_notified_at: datetime, reason: str | None = None
) -> Detainer:
    """Record when ICE was told of the person's release date and time (I-247A's request to notify).

    Args:
        detainer: the detainer (permission-checked by the caller).
        actor: the user recording it (history author).
        ice_notified_at: aware datetime ICE was notified (UTC stored).

    Raises:
        ValidationError: naive time.
    """
    if timezone.is_naive(ice_notified_at):
        raise ValidationError({"ice_notified_at": NAIVE_TIME_MESSAGE})
    with transaction.atomic(), acting_as(actor, reason=reason):
        locked = Detainer.objects.select_for_update().get(pk=detainer.pk)
        locked.ice_notified_at = ice_notified_at
        locked.save()
    return locked
