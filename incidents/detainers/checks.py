"""Every detainer checked against its legal limits (R1.6–R1.7, R2.4, R2.7, R4.1–R4.8, R4.10).

Three kinds of problem, three places (docs/decisions/past-facts-and-gates.md):

* input that cannot be right is **refused at the form**, with the reason next
  to the field (``refusal_*`` functions, called by ``DetainerForm``): a form
  impossible on its issue date (R4.1), Box 1 and Box 2 both ticked (R4.2);
* a **past fact that broke a rule** — an action outside the agreement's model
  (``action_problem``), a handling officer not authorized at the instant of the
  action (``officer_problem``), a hold on a form that cannot authorize one
  (``held_without_authority``, judged by ``check_hold_deadline``) — is **recorded**: saved, its check fails, a
  finding opens and the supervisors are told (``incidents.detainers.rule_breaks``),
  and the person recording it explains;
* what is a **state** of the record (no warrant yet, not served yet, deadline
  passed) is a failed ``Check``: ``detainer_checks`` lists them all, the
  detainer page shows them, and ``hold_authorized`` is False while any check
  that blocks a hold fails — and always for a form that never authorizes a hold
  (the I-247N: ``form_authorizes_hold``).

Each ``check_*`` function takes ``(detainer, at)`` (``at``: aware datetime, the
instant the question is asked) and returns one ``Check``. Other topic packages
register theirs with ``register_checks`` from ``AppConfig.ready`` (e.g. the
U.S.-citizenship STOP, R5.1, in ``incidents.citizenship.checks``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from compliance.core.agency_time import in_zone
from compliance.core.models import Agreement, AgreementModel
from incidents.detainers.choices import FLAGGED_PC_BASES, VALID_PC_BASES, Action, PCBasis
from incidents.detainers.models import Detainer
from incidents.detainers.scope import action_allowed, action_outside_model_message, wso_must_release_by

#: DOMAIN.md R4.1: only the I-247A may be issued since this date; the PEP forms only before it.
I247A_ONLY_SINCE = date(2017, 4, 2)
#: Forms that request a hold (the I-247N asks only for notification).
PEP_AND_LEGACY_FORMS = frozenset({Detainer.Form.I247D, Detainer.Form.I247X, Detainer.Form.I247})
#: Forms that never authorize a hold, whatever their date: the I-247N (R4.1; Federal Defenders NY).
NOTIFICATION_ONLY_FORMS = frozenset({Detainer.Form.I247N})

NOTIFICATION_ONLY_MESSAGE = "An I-247N asks only for notification of release; it never authorizes a hold."
HELD_PAST_RELEASE_MESSAGE = (
    "The person is still held on a form that cannot authorize a hold: state custody would have ended {release}. "
    "Release the person now (R4.1)."
)
CUSTODY_ENDED_PAST_RELEASE_MESSAGE = (
    "The person was held on a form that cannot authorize a hold: state custody would have ended {release}, "
    "custody ended {ended} (R4.1)."
)

FORM_AFTER_2017_MESSAGE = (
    "Since 2 April 2017 ICE issues detainers only on Form I-247A; an {form} issued on {issued} is not valid "
    "(ICE Policy 10074.2; Form I-247A guidance)."
)
I247A_BEFORE_2017_MESSAGE = (
    "Form I-247A is in use only since 2 April 2017; an I-247A issued on {issued} cannot be right. "
    "Check the issue date or the form (R4.1, ICE Policy 10074.2)."
)
BOX_CONFLICT_MESSAGE = (
    "Box 2 (transferred for a proceeding) and Box 1 (probable cause, with its basis boxes) cannot both be used: "
    "when Box 2 is ticked, Box 1 must be empty (R4.2, Form I-247A)."
)
OFFICER_NOT_AUTHORIZED_MESSAGE = (
    "{officer} was not authorized to use 287(g) authority on {day} (the day of the action): {reasons}. Check the "
    "officer's designation, training and agreement on the roster (R2.4, R2.7; MOA)."
)


def officer_not_authorized_message(officer, authorization) -> str:
    """``OFFICER_NOT_AUTHORIZED_MESSAGE`` for a negative ``training.roster.authorization.Authorization``."""
    return OFFICER_NOT_AUTHORIZED_MESSAGE.format(
        officer=officer, day=authorization.day.isoformat(), reasons=authorization.text
    )


AGREEMENT_AGENCY_MESSAGE = "This agreement belongs to another agency."
NO_HOLD = "No hold authorized"


@dataclass(frozen=True)
class Check:
    """One legal check of one detainer.

    Attributes:
        name: short name shown on the page ("Signed warrant attached").
        rule: DOMAIN.md rule id(s), e.g. "R4.3".
        source: the primary source the rule comes from.
        passed: True, False, or None when the rule does not apply (yet).
        message: what was found and, when failed, why and what to do.
        blocks_hold: a failure means no hold is authorized (``hold_authorized``).
        due: with ``passed`` None, a duty that applies and is still within its time (shown "Due",
            not "Does not apply"), e.g. consular notification before its finding time.
    """

    name: str
    rule: str
    source: str
    passed: bool | None
    message: str
    blocks_hold: bool = True
    due: bool = False

    @property
    def failed(self) -> bool:
        return self.passed is False

    @property
    def status(self) -> str:
        """ "passed", "failed", "due" or "n/a" (for templates and CSS)."""
        if self.passed is None and self.due:
            return "due"
        return {True: "passed", False: "failed", None: "n/a"}[self.passed]


# --- refusals at the form (pure; the form adds them next to the field) ---


def refusal_form_issue_date(*, form: str, issued_on: date) -> str | None:
    """R4.1: is ``form`` possible for a detainer issued on ``issued_on``? The refusal message, or None.

    Args:
        form: a ``Detainer.Form`` value.
        issued_on: the agency-local issue date.

    Returns:
        None when valid: an I-247A issued on or after 2017-04-02; an I-247D/N/X or
        legacy I-247 issued before 2017-04-02. Otherwise the message: 2017-04-01
        I-247A refused, 2017-04-02 I-247D refused.

    Source: DOMAIN.md R4.1 (ICE "Guidance for Completing Form I-247A"; ICE Policy
    10074.2, effective 2 April 2017; Federal Defenders NY on the I-247N).
    """
    if form == Detainer.Form.I247A:
        if issued_on < I247A_ONLY_SINCE:
            return I247A_BEFORE_2017_MESSAGE.format(issued=issued_on.isoformat())
        return None
    if issued_on >= I247A_ONLY_SINCE:
        return FORM_AFTER_2017_MESSAGE.format(form=form, issued=issued_on.isoformat())
    return None


def refusal_boxes(*, box_1: bool, box_2: bool, pc_basis: list[str]) -> str | None:
    """R4.2: Box 2 (transfer for a proceeding) excludes Box 1 and its basis checkboxes.

    Returns:
        ``BOX_CONFLICT_MESSAGE`` when Box 2 is ticked together with Box 1 or any
        probable-cause basis; else None.

    Source: DOMAIN.md R4.2 (Form I-247A (02/17) text; ICE I-247A guidance).
    """
    if box_2 and (box_1 or pc_basis):
        return BOX_CONFLICT_MESSAGE
    return None


def form_authorizes_hold(form: str) -> bool:
    """Can a detainer on ``form`` (a ``Detainer.Form`` value) ever authorize a hold? False for the I-247N.

    Whatever its issue date: the I-247N (Request for Voluntary Notification of Release) asks
    only to be told of the release. Such a detainer gets no hold deadline, no custody-board
    countdown and no "hold authorized" verdict. Pure.

    Source: DOMAIN.md R4.1 (ICE I-247A guidance; Federal Defenders NY on the I-247N).
    """
    return form not in NOTIFICATION_ONLY_FORMS


def held_without_authority(detainer: Detainer, at: datetime) -> str | None:
    """R4.1: was the person held on a form that cannot authorize a hold? The message saying so, or None.

    Args:
        detainer: its ``form``, ``would_be_released_at``, ``outcome`` and ``outcome_at`` are read
            (in memory: the values about to be saved count).
        at: aware datetime the question is asked.

    Returns:
        None for a form that can authorize a hold, or while the release time is unknown. For an
        I-247N: ``HELD_PAST_RELEASE_MESSAGE`` while the outcome is pending after the release time
        (``at`` later than ``would_be_released_at``), ``CUSTODY_ENDED_PAST_RELEASE_MESSAGE`` when the
        outcome came after it; None otherwise. Strict: a minute past the release time is a hold.
        Pure (no query beyond the agency for its zone).

    Source: DOMAIN.md R4.1 ("an I-247N never authorizes a hold").
    """
    release = detainer.would_be_released_at
    if form_authorizes_hold(detainer.form) or release is None:
        return None
    shown = in_zone(release, detainer.agency)
    if detainer.outcome != Detainer.Outcome.PENDING and detainer.outcome_at is not None:
        if detainer.outcome_at > release:
            return CUSTODY_ENDED_PAST_RELEASE_MESSAGE.format(
                release=shown, ended=in_zone(detainer.outcome_at, detainer.agency)
            )
        return None
    if at > release:
        return HELD_PAST_RELEASE_MESSAGE.format(release=shown)
    return None


def action_problem(*, agreement: Agreement | None, action: str) -> str | None:
    """R1.6: is ``action`` outside the agreement's model (e.g. an interview under WSO)? Why, or None.

    A past action outside the model is recorded, not refused (``incidents.detainers.rule_breaks``).

    Returns:
        The message, or None (no action, no agreement, or allowed).

    Source: DOMAIN.md R1.6 (ICE WSO release, 6 May 2019; GAO-21-186).
    """
    if not action or agreement is None:
        return None
    if action_allowed(model=agreement.model, action=action):
        return None
    return action_outside_model_message(model=agreement.model, action=action)


def officer_problem(*, officer, at: datetime, agreement: Agreement | None) -> str | None:
    """Was the handling officer not authorized at the instant of the action? Why, or None.

    A past action by an officer who was not authorized is recorded, not refused
    (``incidents.detainers.rule_breaks``).

    Args:
        officer: a ``training.Officer`` or None.
        at: aware datetime of the action (``action_at``, else ``received_at``).
        agreement: the detainer's agreement (the officer is judged under it), or None.

    Returns:
        ``OFFICER_NOT_AUTHORIZED_MESSAGE`` naming the officer, the agency-local
        day and every reason of the one rule, or None. Authorization is by
        agency-local day (``training.roster.authorization.officer_authorization_at``):
        an action at 23:59 on the last valid day passes, one at 00:00 the next day is refused.

    Source: DOMAIN.md R2.4 (overdue refresher → not authorized, block new
    actions), R2.7 (only trained, certified, authorized personnel).
    """
    from training.roster.authorization import officer_authorization_at

    if officer is None:
        return None
    authorization = officer_authorization_at(officer=officer, at=at, agreement=agreement)
    if authorization:
        return None
    return officer_not_authorized_message(officer, authorization)


# --- checks of the record's state ---


def _issued_on(detainer: Detainer) -> date | None:
    if detainer.issued_at is None:
        return None
    return timezone.localdate(detainer.issued_at, timezone=detainer.agency.zone)


def check_form_valid(detainer: Detainer, at: datetime) -> Check:
    """R4.1: the detainer form is valid for its issue date and can authorize a hold at all.

    Passed: an I-247A issued on/after 2017-04-02, or an I-247D/X (or legacy
    I-247) issued before it; an I-247N issued before it or with no issue date
    (it never authorizes a hold, whatever its date, so the message says so and
    nothing else hangs on the date). Failed: a form impossible on its issue date,
    or a rescinded form that could request a hold (I-247D/X, I-247) with no issue
    date recorded when it was received on/after 2017-04-02 (it counts only if
    issued before). With no issue date, the receipt date bounds it (issued ≤ received).

    Source: DOMAIN.md R4.1 (ICE I-247A guidance; ICE Policy 10074.2; Federal Defenders NY).
    """
    name, rule, source = "Form valid on its issue date", "R4.1", "ICE Policy 10074.2; Form I-247A guidance"
    issued_on = _issued_on(detainer)
    if not form_authorizes_hold(detainer.form):
        # Nothing hangs on its date: it never authorizes a hold (``check_hold_deadline`` judges any hold on it).
        problem = refusal_form_issue_date(form=detainer.form, issued_on=issued_on) if issued_on else None
        if problem:
            return Check(name, rule, source, False, problem, blocks_hold=False)
        when = f" issued {issued_on.isoformat()}" if issued_on else ""
        return Check(name, rule, source, True, f"{detainer.form}{when}. {NOTIFICATION_ONLY_MESSAGE}")
    if issued_on is not None:
        problem = refusal_form_issue_date(form=detainer.form, issued_on=issued_on)
        if problem:
            return Check(name, rule, source, False, f"{NO_HOLD}: {problem}")
        return Check(name, rule, source, True, f"{detainer.form} issued {issued_on.isoformat()}.")
    received_on = timezone.localdate(detainer.received_at, timezone=detainer.agency.zone)
    if detainer.form == Detainer.Form.I247A:
        if received_on < I247A_ONLY_SINCE:
            problem = I247A_BEFORE_2017_MESSAGE.format(issued=f"or before {received_on.isoformat()}")
            return Check(name, rule, source, False, f"{NO_HOLD}: {problem}")
        return Check(name, rule, source, True, "I-247A (issue date not recorded).")
    if received_on < I247A_ONLY_SINCE:
        message = f"{detainer.form} received {received_on.isoformat()}, before 2017-04-02."
        return Check(name, rule, source, True, message)
    message = (
        f"{NO_HOLD}: an {detainer.form} counts only if issued before 2 April 2017, and no issue date is recorded. "
        "Record the issue date."
    )
    return Check(name, rule, source, False, message)


def check_probable_cause_shown(detainer: Detainer, at: datetime) -> Check:
    """R4.2: an I-247A shows a probable-cause basis: Box 1 with at least one of its four boxes, or Box 2.

    Does not apply to other forms. Box 2 with Box 1 is refused at the form
    (``refusal_boxes``) and fails here too if stored that way.

    Source: DOMAIN.md R4.2 (Form I-247A (02/17) text; ICE I-247A guidance).
    """
    name, rule, source = "Probable-cause basis shown", "R4.2", "Form I-247A (02/17); ICE I-247A guidance"
    if detainer.form != Detainer.Form.I247A:
        return Check(name, rule, source, None, "Applies to the I-247A only.")
    bases = set(detainer.pc_basis or [])
    box_1 = detainer.box_1_probable_cause or bool(bases)
    if detainer.box_2_transfer_for_proceeding:
        if box_1:
            return Check(name, rule, source, False, f"{NO_HOLD}: {BOX_CONFLICT_MESSAGE}")
        return Check(name, rule, source, True, "Box 2: the subject was transferred for a proceeding.")
    valid = bases & VALID_PC_BASES
    if valid:
        labels = "; ".join(PCBasis(b).label for b in PCBasis.values if b in valid)
        return Check(name, rule, source, True, f"Box 1: {labels}.")
    message = "no probable-cause basis is ticked. Record Box 1 with its basis as printed on the I-247A, or Box 2."
    return Check(name, rule, source, False, f"{NO_HOLD}: {message}")


def check_probable_cause_valid(detainer: Detainer, at: datetime) -> Check:
    """R4.4: no detainer may rest on "investigation initiated" or "foreign-born, no database match".

    Failed when either flagged basis is recorded. It blocks the hold when no
    valid basis is recorded beside it; with a valid basis too, the detainer is
    still flagged for supervisor review but the hold rests on the valid basis.

    Source: DOMAIN.md R4.4 (ICE Policy 10074.2); Miranda-Olivares v. Clackamas
    County (D. Or. 2014); Gonzalez v. ICE, 416 F. Supp. 3d 995 (C.D. Cal. 2019).
    """
    name, rule, source = (
        "Probable-cause basis is lawful",
        "R4.4",
        "ICE Policy 10074.2; Miranda-Olivares (D. Or. 2014); Gonzalez v. ICE (C.D. Cal. 2019)",
    )
    bases = set(detainer.pc_basis or [])
    flagged = [b for b in PCBasis.values if b in bases & FLAGGED_PC_BASES]
    if not flagged:
        return Check(name, rule, source, True if bases else None, "No invalid basis recorded.")
    labels = "; ".join(PCBasis(b).label for b in flagged)
    if bases & VALID_PC_BASES:
        message = f"Flagged for supervisor review: {labels}. The hold may rest only on the other basis recorded."
        return Check(name, rule, source, False, message, blocks_hold=False)
    message = f"{NO_HOLD}: the only basis recorded is not probable cause ({labels})."
    return Check(name, rule, source, False, message)


def check_warrant_attached(detainer: Detainer, at: datetime) -> Check:
    """R4.3: an I-247A authorizes a hold only with a signed I-200 or I-205.

    Does not apply to other forms (ICE Policy 10074.2 took effect with the
    I-247A; an I-247N never authorizes a hold anyway).

    Source: DOMAIN.md R4.3 (ICE Policy 10074.2, issued 24 Mar 2017, effective 2 Apr 2017).
    """
    name, rule, source = "Signed I-200 or I-205 attached", "R4.3", "ICE Policy 10074.2"
    if detainer.form != Detainer.Form.I247A:
        return Check(name, rule, source, None, "Applies to the I-247A only.")
    if detainer.warrant_type and detainer.warrant_signed:
        return Check(name, rule, source, True, f"{detainer.warrant_type} signed.")
    if detainer.warrant_type:
        why = f"the {detainer.warrant_type} is not signed"
    else:
        why = "no I-200 or I-205 warrant is attached"
    return Check(name, rule, source, False, f"{NO_HOLD}: {why}. Attach the signed warrant; supervisor review needed.")


def check_served_on_subject(detainer: Detainer, at: datetime) -> Check:
    """R4.5: the detainer takes effect only once a copy was served on the subject (``served_on_subject_at``).

    Does not apply to an I-247N (no hold to take effect). A service recorded
    before the detainer was issued or received cannot be a service of *this*
    detainer (a typing error, or a copy of an earlier one): it fails, naming
    both times, until corrected.

    Source: DOMAIN.md R4.5 (ICE "Guidance for Completing Form I-247A").
    """
    name, rule, source = "Copy served on the subject", "R4.5", "ICE I-247A guidance"
    if detainer.form == Detainer.Form.I247N:
        return Check(name, rule, source, None, "An I-247N requests no hold.")
    served = detainer.served_on_subject_at
    if served is None or served > at:
        return Check(name, rule, source, False, f"{NO_HOLD}: no copy of the detainer has been served on the subject.")
    existed_from = max(t for t in (detainer.issued_at, detainer.received_at) if t is not None)
    if served < existed_from:
        message = (
            f"{NO_HOLD}: the service recorded ({in_zone(served, detainer.agency)}) is before the detainer was "
            f"issued or received ({in_zone(existed_from, detainer.agency)}). Correct the service time."
        )
        return Check(name, rule, source, False, message)
    return Check(name, rule, source, True, f"Served {in_zone(served, detainer.agency)}.")


def check_hold_deadline(detainer: Detainer, at: datetime) -> Check:
    """R4.7–R4.8: no hold past would-otherwise-be-released + 48 consecutive hours.

    Passed while ``at`` is at or before ``hold_deadline`` (or the outcome came by
    then); failed once it passed with no outcome, or the outcome came after it.
    Does not apply until the release time is known.

    A form that never authorizes a hold (the I-247N, R4.1) has no 48 hours: does not apply while
    no hold is recorded on it; failed once the person is held past the time state custody would
    otherwise have ended (``held_without_authority``). Such a hold, once recorded, also opens a
    critical finding at once (``incidents.detainers.rule_breaks``), and the deadline sweep opens it
    when the release time passes with the person still held.

    Source: DOMAIN.md R4.7–R4.8 (ICE I-247A guidance; Form I-247A (02/17)); cases D1–D4; R4.1
    (ICE I-247A guidance; Federal Defenders NY on the I-247N).
    """
    name, rule, source = "Within the 48-hour hold limit", "R4.7–R4.8", "ICE I-247A guidance; Form I-247A (02/17)"
    if not form_authorizes_hold(detainer.form):
        rule, source = "R4.1, R4.7–R4.8", "ICE I-247A guidance; Federal Defenders NY"
        problem = held_without_authority(detainer, at)
        if problem:
            return Check(name, rule, source, False, f"{NO_HOLD}: {problem}")
        release = detainer.would_be_released_at
        when = f"at {in_zone(release, detainer.agency)}" if release else "when state custody ends"
        return Check(name, rule, source, None, f"No hold on this form: release the person {when}.")
    deadline = detainer.hold_deadline
    if deadline is None:
        return Check(name, rule, source, None, "The time the person would otherwise be released is not known yet.")
    shown = in_zone(deadline, detainer.agency)
    if detainer.outcome != Detainer.Outcome.PENDING and detainer.outcome_at is not None:
        if detainer.outcome_at > deadline:
            return Check(name, rule, source, False, f"Custody ended after the hold deadline {shown}.")
        return Check(name, rule, source, True, f"Custody ended by the hold deadline {shown}.")
    if at > deadline:
        message = f"{NO_HOLD}: the hold deadline {shown} has passed. Release the person or record the transfer now."
        return Check(name, rule, source, False, message)
    return Check(name, rule, source, True, f"Hold deadline {shown}.")


def _action_instant(detainer: Detainer) -> datetime:
    """The instant the handling officer acted: ``action_at``, else ``received_at``."""
    return detainer.action_at or detainer.received_at


def officers_authorized_for(detainers) -> dict:
    """Was each detainer's handling officer authorized at the instant of its action? detainer pk → answer.

    Each answer is a ``training.roster.authorization.Authorization`` (true when
    authorized, else with the reasons), the same one ``officer_problem`` gives
    one by one (judged under the detainer's agreement, on the agency-local day
    of ``action_at`` or ``received_at``), in five queries whatever the number of
    detainers: for list pages such as the custody board. Detainers with no
    handling officer are absent.
    """
    from training.roster.authorization import officer_trainings

    detainers = [detainer for detainer in detainers if detainer.handling_officer_id is not None]
    trainings = officer_trainings({d.handling_officer_id: d.handling_officer for d in detainers}.values())
    answers = {}
    for detainer in detainers:
        officer = detainer.handling_officer
        day = timezone.localdate(_action_instant(detainer), timezone=officer.agency.zone)
        answers[detainer.pk] = trainings[officer.pk].authorization_on(day, agreement=detainer.agreement)
    return answers


def check_handling_officer_authorized(detainer: Detainer, at: datetime) -> Check:
    """The handling officer was authorized at the instant of the action (``action_at``, else ``received_at``).

    Recorded as a rule break when saved (``officer_problem``; ``incidents.detainers.rule_breaks``),
    and judged here again as the roster stands now (later training corrections).

    Source: DOMAIN.md R2.4, R2.7 (MOA "Nomination of Personnel"; only trained,
    certified and authorized officers); ``training.roster.authorization``.
    """
    name, rule, source = "Handling officer authorized", "R2.4, R2.7", "MOA; training.roster.authorization"
    officer = detainer.handling_officer
    if officer is None:
        return Check(name, rule, source, None, "No handling officer recorded.", blocks_hold=False)
    when = _action_instant(detainer)
    # Precomputed for a whole page by ``checks_for_page``; else asked now (five queries).
    known = getattr(detainer, "_officer_authorized", None)
    if known is None:
        problem = officer_problem(officer=officer, at=when, agreement=detainer.agreement)
    else:
        problem = None if known else officer_not_authorized_message(officer, known)
    if problem:
        return Check(name, rule, source, False, f"{NO_HOLD}: {problem}")
    return Check(name, rule, source, True, f"{officer} authorized on {in_zone(when, detainer.agency)}.")


def check_action_in_scope(detainer: Detainer, at: datetime) -> Check:
    """R1.6: the recorded 287(g) action is one the agreement's model allows.

    Source: DOMAIN.md R1.6 (ICE WSO release, 6 May 2019; GAO-21-186).
    """
    name, rule, source = "Action within the agreement", "R1.6", "ICE WSO release (6 May 2019); GAO-21-186"
    if not detainer.action:
        return Check(
            name,
            rule,
            source,
            None,
            "No action recorded on the detainer form itself; logged 287(g) actions have their own check.",
        )
    agreement = detainer.agreement
    if agreement is None:
        return Check(name, rule, source, False, "No agreement recorded for this action: record the MOA it is under.")
    problem = action_problem(agreement=agreement, action=detainer.action)
    if problem:
        return Check(name, rule, source, False, f"{NO_HOLD}: {problem}")
    return Check(name, rule, source, True, f"{Action(detainer.action).label} — allowed under {agreement.model}.")


def check_wso_transfer_clock(detainer: Detainer, at: datetime) -> Check:
    """R1.7 / R4.10: after a WSO arrest, ICE has 48 hours to take custody, or the person is released.

    Applies when the action is ``execute_arrest_in_facility`` under a WSO
    agreement without IGSA. Passed while ``at`` ≤ arrest + 48 h, or the person
    was transferred/released by then; failed otherwise.

    Source: DOMAIN.md R1.7, R4.10 (ICE release of 6 May 2019).
    """
    name, rule, source = "WSO 48-hour transfer clock", "R1.7, R4.10", "ICE WSO release (6 May 2019)"
    agreement = detainer.agreement
    if detainer.action != Action.EXECUTE_ARREST_IN_FACILITY or agreement is None or detainer.action_at is None:
        return Check(name, rule, source, None, "No WSO arrest recorded.")
    if agreement.model == AgreementModel.WSO and agreement.igsa:
        return Check(name, rule, source, None, "The agreement has an IGSA: the 48-hour clock does not apply.")
    must = wso_must_release_by(arrested_at=detainer.action_at, model=agreement.model, igsa=agreement.igsa)
    if must is None:
        return Check(name, rule, source, None, "Not a WSO agreement.")
    shown = in_zone(must, detainer.agency)
    ended = detainer.outcome_at if detainer.outcome != Detainer.Outcome.PENDING else None
    if ended is not None:
        if ended > must:
            return Check(name, rule, source, False, f"Custody passed to ICE or ended after {shown}, past the 48 hours.")
        return Check(name, rule, source, True, f"Custody ended by {shown}.")
    if at > must:
        return Check(name, rule, source, False, f"{NO_HOLD}: ICE did not take custody by {shown}. Release the person.")
    return Check(name, rule, source, True, f"ICE must take custody by {shown}, or the person is released.")


#: The checks run for every detainer, in display order. Other topics append theirs (``register_checks``).
CHECKS: list[Callable[[Detainer, datetime], Check]] = [
    check_form_valid,
    check_probable_cause_shown,
    check_probable_cause_valid,
    check_warrant_attached,
    check_served_on_subject,
    check_handling_officer_authorized,
    check_action_in_scope,
    check_hold_deadline,
    check_wso_transfer_clock,
]


#: Batched reads for a page of detainers (``checks_for_page``), registered by other topics whose checks
#: would otherwise query per row: ``(preload(detainers, at), clear(detainer))`` pairs. ``preload`` stores
#: what the check needs on each instance; ``clear`` removes it once that detainer was judged.
#: E.g. ``incidents.actions.checks`` (logged 287(g) actions).
PAGE_PRELOADERS: list[tuple[Callable[[list[Detainer], datetime], None], Callable[[Detainer], None]]] = []


def register_checks(*functions: Callable[[Detainer, datetime], Check]) -> None:
    """Append check functions to ``CHECKS`` once each, in order (idempotent; called from ``AppConfig.ready``)."""
    for function in functions:
        if function not in CHECKS:
            CHECKS.append(function)


def detainer_checks(detainer: Detainer, *, at: datetime | None = None) -> list[Check]:
    """Every registered check of ``detainer`` as of ``at``.

    Args:
        detainer: a saved detainer; ``agency``, ``agreement`` and
            ``handling_officer`` are read (select them related to save queries).
        at: aware datetime the question is asked (default: now).

    Returns:
        One ``Check`` per function in ``CHECKS``, in order. The officer check
        costs up to six queries (``training.roster.authorization``); the rest none
        beyond the related rows.

    Raises:
        ValueError: ``at`` is naive.
    """
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("at must be an aware datetime.")
    return [check(detainer, at) for check in CHECKS]


def hold_authorized(detainer: Detainer, *, at: datetime | None = None) -> bool:
    """May the agency hold the person on this detainer at ``at`` (default now)?

    False while any check that blocks a hold has failed (``Check.blocks_hold``):
    a form invalid for its date or a hold on an I-247N (R4.1), no probable-cause basis or
    only an invalid one (R4.2, R4.4), no signed warrant (R4.3), not served
    (R4.5), handling officer not authorized, action outside the agreement
    (R1.6), hold deadline or WSO clock passed (R4.7, R1.7), and whatever other
    topics registered (e.g. a U.S.-citizenship STOP, R5.1). Holding is still a
    local decision that needs local authority (R4.9): True means the detainer
    itself is in order, not that holding is required. Always False for a form
    that never authorizes a hold (the I-247N, ``form_authorizes_hold``).
    """
    if not form_authorizes_hold(detainer.form):
        return False
    return not any(check.failed and check.blocks_hold for check in detainer_checks(detainer, at=at))


def checks_for_page(detainers, *, at: datetime | None = None) -> dict[int, list[Check]]:
    """``detainer_checks`` for many detainers at once: detainer pk → its checks, queries independent of the count.

    Args:
        detainers: saved detainers with ``agency``, ``agreement`` and
            ``handling_officer__agency`` selected (``select_related``).
        at: aware datetime (default now).

    Returns:
        The same checks as ``detainer_checks`` one by one; the officer check is
        batched (``officers_authorized_for``: five queries) and other topics'
        batched reads run once (``PAGE_PRELOADERS``).
        Checks registered by other topics must not query per row.

    Raises:
        ValueError: ``at`` is naive.
    """
    detainers = list(detainers)
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("at must be an aware datetime.")
    officer_answers = officers_authorized_for(detainers)
    for preload, _ in PAGE_PRELOADERS:
        preload(detainers, at)
    result = {}
    for detainer in detainers:
        detainer._officer_authorized = officer_answers.get(detainer.pk)
        try:
            result[detainer.pk] = detainer_checks(detainer, at=at)
        finally:
            del detainer._officer_authorized
            for _, clear in PAGE_PRELOADERS:
                clear(detainer)
    return result


def holds_authorized(detainers, *, at: datetime | None = None) -> dict[int, bool]:
    """``hold_authorized`` for a page of detainers: detainer pk → bool, queries independent of the count.

    Same answers as ``hold_authorized`` one by one, from ``checks_for_page`` (batched reads).
    """
    detainers = list(detainers)
    can_hold = {detainer.pk: form_authorizes_hold(detainer.form) for detainer in detainers}
    return {
        pk: can_hold[pk] and not any(check.failed and check.blocks_hold for check in found)
        for pk, found in checks_for_page(detainers, at=at).items()
    }
