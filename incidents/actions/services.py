"""Record a 287(g) action taken on a detainer: a past fact, recorded even when it broke a rule.

Past facts are recorded, future steps are gated (docs/decisions/past-facts-and-gates.md). An
action that already happened is saved as it happened even when it broke a rule — an officer
not authorized that day (R2.4, R2.7), an action outside the agreement's model (R1.6), a Task
Force Model field action without ICE supervision or prior approval (R3.10) — with the
recorder's explanation (required then), its finding on the detainer and the supervisors told
(``incidents.detainers.rule_breaks``). What is refused: a 287(g) step while a U.S.-citizenship
STOP is in force (R5.1: gated), and input that cannot be right or is missing (a time in the
future or outside the custody it belongs to, an officer or agreement of another agency, the
language of an interview, half a prior approval, a JEM action on a detainer whose booking is not
recorded yet — record the booking first, then the action).

How the log relates to the record's own ``action`` / ``action_at``
(``incidents.detainers.record_fields``) — a deliberate choice:

* The record's ``action``, ``action_at`` and ``handling_officer`` stay what
  they were: the one action the detainer form records,
  checked by ``check_action_in_scope``, ``check_handling_officer_authorized``
  and ``check_wso_transfer_clock``. They are **not** copied into the log: a
  copy would have to follow every later edit of the record (and the record may
  hold an action with no officer or no time, which a log row may not).
* The log (``DetainerAction``) holds every **further** action — the second
  interview, the service of the warrant, the WSO arrest — each with its own
  instant, officer, agreement and language access (R3.8), checked by
  ``incidents.actions.checks``.
* The detainer page shows both in one "287(g) actions" table, the record's
  action first and marked as such, so a reader sees a single story; every
  action in it, from either place, is checked.
* Both paths refuse a 287(g) step while a U.S.-citizenship STOP is in force
  (R5.1): this service, and ``incidents.detainers.services.detainer_update`` (through
  ``record_action_stop_refusal``) when it sets or changes
  the record's action.

JEM (R1.6: "the subject must have a booking record under state or local
charges"): under a JEM agreement every action is refused on ``kind`` while the
detainer has no booking time or no underlying charge (the fix is on the
detainer record: the action can only be judged once the booking is recorded),
and on ``performed_at`` when it precedes the booking. TFM field actions need ICE
supervision and prior approval (R3.10, [S]): ``incidents.actions.approvals``.

Source for the rules: DOMAIN.md R1.6 (actions per model), R1.7/R4.10 (WSO
clock, checked later by ``incidents.actions.checks``), R2.4/R2.7 (officer
authorized at the instant), R3.8 (language access), R5.1–R5.2 (STOP).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from compliance.core import access
from compliance.core.agency_time import in_zone
from compliance.core.audit import acting_as
from compliance.core.models import AgreementModel, Finding
from incidents.actions.approvals import approval_errors, missing_approval
from incidents.actions.models import DetainerAction
from incidents.citizenship.services import stop_reason
from incidents.detainers import checks, rule_breaks
from incidents.detainers.choices import Action, InterpreterType
from incidents.detainers.models import Detainer
from incidents.detainers.rules import FUTURE_MESSAGE
from incidents.detainers.scope import agreements_in_force, several_agreements_message

#: R3.8: language access is recorded on every interview and every service of a form.
LANGUAGE_KINDS = frozenset({Action.INTERVIEW, Action.SERVE_WARRANT})
#: Taken on the detainer and its warrant: not before the detainer was received.
WARRANT_KINDS = frozenset({Action.SERVE_WARRANT, Action.EXECUTE_ARREST_IN_FACILITY})
#: JEM work on a person booked into the jail (R1.6): not before the booking (under JEM, no action is).
BOOKED_KINDS = frozenset({Action.INTERVIEW, Action.PROCESS})
#: In the facility: not after state custody ended (transfer, release, lift).
IN_FACILITY_KINDS = WARRANT_KINDS | BOOKED_KINDS

NOT_ALLOWED_MESSAGE = "You may read but not change this agency's records."
KIND_MESSAGE = "Choose the 287(g) action taken."
TIME_MESSAGE = "Say when the action was taken, with its time zone."
BEFORE_RECEIVED_MESSAGE = "This cannot be before the detainer was received ({received})."
BEFORE_BOOKED_MESSAGE = "This cannot be before the person was booked ({booked}) (R1.6: JEM acts on booked persons)."
AFTER_CUSTODY_MESSAGE = "Custody in the jail ended at {ended}: no in-facility action can follow it."
OFFICER_REQUIRED_MESSAGE = "Choose the officer who acted."
OFFICER_AGENCY_MESSAGE = "This officer is not on the roster of {agency}."
NO_AGREEMENT_MESSAGE = "No agreement in force at that time: choose the MOA the action was taken under (R1.6)."
LANGUAGE_MESSAGE = (
    "Record the language this {kind} was conducted in: required for every interview and every service of a form "
    "(R3.8, MOA civil-rights and interpreter section)."
)
INTERPRETER_TYPE_MESSAGE = "Say how the interpreter was provided: in person, by telephone or by video (R3.8)."
INTERPRETER_USED_MESSAGE = "An interpreter type is chosen but no interpreter is marked as used."
JEM_NOT_BOOKED_MESSAGE = (
    "Under a Jail Enforcement Model agreement an action is taken only on a person booked into the jail on state or "
    "local charges (R1.6): record on the detainer {missing} first."
)


def _jem_booking_refusal(detainer: Detainer, *, model: str) -> str | None:
    """R1.6 JEM: the subject must have a booking record (``booked_at``) under a state or local charge."""
    if model != AgreementModel.JEM:
        return None
    missing = []
    if detainer.booked_at is None:
        missing.append("the booking time")
    if not (detainer.underlying_charge or "").strip():
        missing.append("the state or local charge")
    if not missing:
        return None
    return JEM_NOT_BOOKED_MESSAGE.format(missing=" and ".join(missing))


def _time_errors(detainer: Detainer, *, kind: str, model: str, performed_at: datetime, now: datetime) -> list[str]:
    """Bounds on ``performed_at`` that make sense for ``kind`` under ``model`` (module constants say why).

    ``model`` is the agreement's model ("" when none is found): under JEM every
    action acts on a booked person, so none may precede the booking (R1.6).
    """
    agency = detainer.agency
    if performed_at > now:
        return [FUTURE_MESSAGE]
    problems = []
    if kind in WARRANT_KINDS and performed_at < detainer.received_at:
        problems.append(BEFORE_RECEIVED_MESSAGE.format(received=in_zone(detainer.received_at, agency)))
    booked_only = kind in BOOKED_KINDS or model == AgreementModel.JEM
    if booked_only and detainer.booked_at is not None and performed_at < detainer.booked_at:
        problems.append(BEFORE_BOOKED_MESSAGE.format(booked=in_zone(detainer.booked_at, agency)))
    ended = detainer.outcome_at if detainer.outcome != Detainer.Outcome.PENDING else None
    if kind in IN_FACILITY_KINDS and ended is not None and performed_at > ended:
        problems.append(AFTER_CUSTODY_MESSAGE.format(ended=in_zone(ended, agency)))
    return problems


def _language_errors(*, kind: str, language: str, interpreter_used: bool, interpreter_type: str) -> dict:
    errors: dict[str, list[str]] = {}
    if kind in LANGUAGE_KINDS and not language:
        errors["language"] = [LANGUAGE_MESSAGE.format(kind="interview" if kind == Action.INTERVIEW else "service")]
    if interpreter_used and interpreter_type in ("", InterpreterType.NONE):
        errors["interpreter_type"] = [INTERPRETER_TYPE_MESSAGE]
    elif not interpreter_used and interpreter_type not in ("", InterpreterType.NONE):
        errors["interpreter_used"] = [INTERPRETER_USED_MESSAGE]
    if interpreter_type and interpreter_type not in InterpreterType.values:
        errors["interpreter_type"] = [INTERPRETER_TYPE_MESSAGE]
    return errors


def detainer_action_record(
    *,
    detainer: Detainer,
    actor,
    kind: str,
    performed_at: datetime | None,
    officer,
    agreement=None,
    language: str = "",
    interpreter_used: bool = False,
    interpreter_type: str = "",
    ice_supervisor: str = "",
    prior_approval_reference: str = "",
    prior_approval_at: datetime | None = None,
    notes: str = "",
    explanation: str = "",
) -> DetainerAction:
    """Log one 287(g) action taken on ``detainer``, in one transaction on the locked detainer row.

    Args:
        detainer: the detainer (any instance; it is re-read and locked).
        actor: the user recording it: ``recorded_by`` and the history author.
        kind: an ``incidents.detainers.choices.Action`` value.
        performed_at: aware datetime of the action (UTC stored; the form reads it on the agency's clock).
        officer: the ``training.Officer`` who acted; must be on the detainer agency's roster.
        agreement: the ``compliance.Agreement`` it was taken under; default the
            detainer's, else the agency's agreement in force at ``performed_at``.
        language: the language an interview or service was conducted in (required for those, R3.8).
        interpreter_used, interpreter_type: R3.8; a used interpreter needs a type
            (``InterpreterType``); with none used, the type is stored as "none".
        ice_supervisor: name or ID of the supervising ICE officer (R3.4).
        prior_approval_reference, prior_approval_at: ICE's prior approval, its
            reference and aware instant (UTC stored), at or before ``performed_at``
            (R3.10). The three are required for a field action under a TFM
            agreement (R1.6; ``incidents.actions.approvals``, [S]).
        notes: free text (no need to repeat the subject's name).
        explanation: what happened and why; required when the action broke a rule (below).

    Returns:
        The saved ``DetainerAction``; one history row attributed to ``actor``. When the action
        broke a rule — ``kind`` outside the agreement's model (R1.6, ``checks.action_problem``;
        e.g. an interview or processing under WSO), ``officer`` not authorized on the
        agency-local day of ``performed_at`` (R2.4, R2.7, ``checks.officer_problem``), a TFM
        field action without the supervising ICE officer or ICE's prior approval (R3.4, R3.10,
        ``approvals.missing_approval``) — it is saved with ``explanation``, its finding opens on
        the detainer (one per detainer and rule; a closed one is reopened) and the supervisors
        are e-mailed after commit (``incidents.detainers.rule_breaks``); ``recorded_rule_breaks``
        on the returned instance lists them.

    Raises:
        PermissionDenied: ``actor`` lacks ``change_records`` in the detainer's agency.
        ValidationError: every refusal at once, keyed by field: ``__all__`` a
            U.S.-citizenship STOP in force (R5.1–R5.2, ICE Directive 16001.2: gated);
            ``kind`` under JEM on a detainer with no booking time or no state/local charge
            (R1.6: record the booking first); ``officer`` of another agency; ``performed_at``
            naive, in the future, before the detainer was received (warrant service or arrest),
            before the booking (interview, processing; any action under JEM), or after
            custody ended (any in-facility action); ``agreement`` of another agency or none found;
            ``language`` / ``interpreter_type`` / ``interpreter_used`` (R3.8);
            ``prior_approval_reference`` / ``prior_approval_at``: half of a prior approval, or an
            approval after the action (R3.10); then, once nothing else is wrong, ``explanation``
            blank while the action broke a rule (nothing is saved).
    """
    if not access.can(actor, access.CHANGE, detainer.agency):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    language, notes = language.strip(), notes.strip()
    ice_supervisor, prior_approval_reference = ice_supervisor.strip(), prior_approval_reference.strip()
    if not interpreter_used and not interpreter_type:
        interpreter_type = InterpreterType.NONE
    errors = _language_errors(
        kind=kind, language=language, interpreter_used=interpreter_used, interpreter_type=interpreter_type
    )
    if kind not in Action.values:
        errors["kind"] = [KIND_MESSAGE]
    if performed_at is None or timezone.is_naive(performed_at):
        errors["performed_at"] = [TIME_MESSAGE]
    if officer is None:
        errors["officer"] = [OFFICER_REQUIRED_MESSAGE]
    elif officer.agency_id != detainer.agency_id:
        errors["officer"] = [OFFICER_AGENCY_MESSAGE.format(agency=detainer.agency.name)]
    if agreement is not None and agreement.agency_id != detainer.agency_id:
        errors["agreement"] = [checks.AGREEMENT_AGENCY_MESSAGE]
    with transaction.atomic(), acting_as(actor):
        # Locked: a supervisor's citizenship decision or an outcome saved at this moment must be seen (R5.1).
        locked = (
            Detainer.objects.select_for_update(of=("self",)).select_related("agency", "agreement").get(pk=detainer.pk)
        )
        reason = stop_reason(locked)
        if reason:
            errors[NON_FIELD_ERRORS] = [reason]
        timed = "performed_at" not in errors
        if agreement is None:
            agreement = locked.agreement
            in_force = agreements_in_force(agency=locked.agency, at=performed_at) if agreement is None and timed else []
            if agreement is None and len(in_force) == 1:
                agreement = in_force[0]
            if agreement is None:
                message = several_agreements_message(in_force) if len(in_force) > 1 else NO_AGREEMENT_MESSAGE
                errors.setdefault("agreement", [message])
        model = agreement.model if "agreement" not in errors else ""
        if timed:
            problems = _time_errors(locked, kind=kind, model=model, performed_at=performed_at, now=timezone.now())
            if problems:
                errors["performed_at"] = problems
        breaks: list[rule_breaks.RuleBreak] = []
        if "agreement" not in errors and "kind" not in errors:
            problem = _jem_booking_refusal(locked, model=model)
            if problem:
                errors["kind"] = [problem]
            problem = checks.action_problem(agreement=agreement, action=kind) or missing_approval(
                model=model,
                kind=kind,
                ice_supervisor=ice_supervisor,
                reference=prior_approval_reference,
                approved_at=prior_approval_at,
            )
            if problem:
                breaks.append(rule_breaks.RuleBreak(Finding.Kind.ACTION_OUTSIDE_AGREEMENT, problem))
        approval = approval_errors(
            prior_approval_reference=prior_approval_reference,
            prior_approval_at=prior_approval_at,
            performed_at=performed_at if timed else None,
            agency=locked.agency,
        )
        for field, messages in approval.items():
            errors.setdefault(field, []).extend(messages)
        if "agreement" not in errors and "officer" not in errors and timed:
            problem = checks.officer_problem(officer=officer, at=performed_at, agreement=agreement)
            if problem:
                breaks.insert(0, rule_breaks.RuleBreak(Finding.Kind.OFFICER_NOT_AUTHORIZED, problem))
        if errors:
            raise ValidationError(errors)
        # What happened is recorded as it happened; a rule it broke needs the recorder's explanation.
        rule_breaks.explanation_required(breaks, explanation)
        action = DetainerAction(
            agency=locked.agency,
            detainer=locked,
            kind=kind,
            performed_at=performed_at,
            officer=officer,
            agreement=agreement,
            language=language,
            interpreter_used=interpreter_used,
            interpreter_type=interpreter_type,
            ice_supervisor=ice_supervisor,
            prior_approval_reference=prior_approval_reference,
            prior_approval_at=prior_approval_at,
            notes=notes,
            explanation=explanation.strip(),
            recorded_by=actor,
        )
        with acting_as(actor, reason=rule_breaks.history_reason(breaks)):
            action.save()
            opened = rule_breaks.rule_breaks_open(detainer=locked, breaks=breaks, actor=actor)
        rule_breaks.tell_supervisors_on_commit(locked, opened)
    action.recorded_rule_breaks = breaks
    return action


def record_action_stop_refusal(detainer: Detainer, *, before: tuple[str, datetime | None]) -> None:
    """R5.1 on the record form: setting or changing the record's 287(g) action while STOP is in force is refused.

    Args:
        detainer: the detainer with its new values set (not saved yet), read on the locked row.
        before: its ``(action, action_at)`` before the change (``("", None)`` on create).

    Raises:
        ValidationError: keyed ``action`` with the STOP message, when the new
            action is not blank, differs from ``before`` (action or its time),
            and ``incidents.citizenship.services.stop_reason`` is set. Clearing the action
            or leaving it unchanged is allowed.

    Source: DOMAIN.md R5.1–R5.2 (ICE Directive 16001.2).
    """
    if not detainer.action or (detainer.action, detainer.action_at) == before:
        return
    reason = stop_reason(detainer)
    if reason:
        raise ValidationError({"action": [reason]}, code="citizenship_stop")
