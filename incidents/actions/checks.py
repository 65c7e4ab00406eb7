"""Every logged 287(g) action checked against its limits: the model, TFM approvals, the officer, the WSO clock.

``incidents.actions.services.detainer_action_record`` refuses a bad action when it is
recorded; this check judges the rows again as the record stands now (a
training correction, an agreement changed later, the WSO clock running), so
the detainer page shows the state and ``hold_authorized`` follows it.

Registered into ``incidents.detainers.checks.CHECKS`` by ``register()``
(``IncidentsConfig.ready``), and its batched read into
``incidents.detainers.checks.PAGE_PRELOADERS`` so a page of detainers (custody board)
costs the same number of queries whatever its length.

Queries: one for the actions of any number of detainers, plus five for
their officers (``training.roster.authorization.officer_trainings``); never one
per action.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from compliance.core.agency_time import in_zone
from compliance.core.models import AgreementModel
from incidents.actions.approvals import missing_approval
from incidents.actions.models import DetainerAction
from incidents.detainers import checks
from incidents.detainers.choices import Action
from incidents.detainers.models import Detainer
from incidents.detainers.scope import action_allowed, action_outside_model_message, wso_must_release_by

NAME = "Logged 287(g) actions within limits"
RULE = "R1.6, R1.7, R2.4, R2.7, R3.10, R4.10"
SOURCE = "ICE WSO release (6 May 2019); GAO-21-186; MOA; training.roster.authorization"

WSO_LATE_MESSAGE = "ICE did not take custody by {must} (48 hours after this WSO arrest): release the person."
WSO_ENDED_LATE_MESSAGE = "custody passed to ICE or ended after {must}, past the 48 hours of this WSO arrest."

#: Attribute names on a ``Detainer`` instance (private to this module).
_PRELOADED = "_logged_action_reviews"  # set for a page by ``preload_page``; cleared by ``clear_page``
_LAST = "_logged_action_reviews_at"  # (at, reviews) of the last check, read once by ``reviews_for_page``


@dataclass(frozen=True)
class ActionReview:
    """One logged action as judged at an instant.

    Attributes:
        action: the ``DetainerAction`` (officer, its agency, agreement and
            recorded_by selected).
        problems: why it is outside its limits; empty when in order.
        must_transfer_by: for a WSO arrest without IGSA, ``performed_at + 48 h`` (UTC); else None.
    """

    action: DetainerAction
    problems: tuple[str, ...]
    must_transfer_by: datetime | None

    @property
    def in_order(self) -> bool:
        return not self.problems


def actions_of(detainers: Iterable[Detainer]) -> dict[int, list[DetainerAction]]:
    """The logged actions of ``detainers``, oldest first: detainer pk → list. One query."""
    ids = [detainer.pk for detainer in detainers]
    found: dict[int, list[DetainerAction]] = {pk: [] for pk in ids}
    if not ids:
        return found
    rows = (
        DetainerAction.objects.filter(detainer_id__in=ids)
        .select_related("officer__agency", "agreement", "recorded_by")
        .order_by("detainer_id", "performed_at", "pk")
    )
    for row in rows:
        found[row.detainer_id].append(row)
    return found


def review_actions(detainers: Iterable[Detainer], *, at: datetime) -> dict[int, list[ActionReview]]:
    """Judge every logged action of ``detainers`` at ``at``: detainer pk → reviews, oldest action first.

    For each action (DOMAIN.md):

    * R1.6: its kind is one the agreement's model allows (``incidents.detainers.scope.action_allowed``);
    * R1.6, R3.10 [S]: a field action under TFM carries the supervising ICE
      officer and ICE's prior approval (``incidents.actions.approvals``; rows
      logged before the rule may lack them);
    * R2.4, R2.7: its officer was authorized on the agency-local day of
      ``performed_at``, under the action's agreement (the one rule of
      ``training.roster.authorization``: designated, serving under that agreement
      and it in force, checklist and ICE credential, training);
    * R1.7, R4.10: an ``execute_arrest_in_facility`` under a WSO agreement
      without IGSA: ICE took custody (or the person was released) within 48
      hours; failed once ``at`` is past that with the detainer still pending,
      or the outcome came later.

    Args:
        detainers: saved detainers (``agency`` selected for messages).
        at: aware datetime the question is asked.

    Returns:
        A dict with every detainer's pk (empty list when none logged).
        Queries: one, plus five for the actions' officers.
    """
    from training.roster.authorization import officer_trainings

    detainers = list(detainers)
    logged = actions_of(detainers)
    rows = [row for found in logged.values() for row in found]
    trainings = officer_trainings({row.officer_id: row.officer for row in rows}.values())
    authorized = {}
    for row in rows:
        day = timezone.localdate(row.performed_at, timezone=row.officer.agency.zone)
        authorized[row.pk] = trainings[row.officer_id].authorization_on(day, agreement=row.agreement)
    reviews: dict[int, list[ActionReview]] = {}
    for detainer in detainers:
        reviews[detainer.pk] = [
            _review(detainer, row, authorized=authorized[row.pk], at=at) for row in logged[detainer.pk]
        ]
    return reviews


def _review(detainer: Detainer, row: DetainerAction, *, authorized, at: datetime) -> ActionReview:
    problems = []
    agreement = row.agreement
    if not action_allowed(model=agreement.model, action=row.kind):
        problems.append(action_outside_model_message(model=agreement.model, action=row.kind))
    if not authorized:
        problems.append(checks.officer_not_authorized_message(row.officer, authorized))
    missing = missing_approval(
        model=agreement.model,
        kind=row.kind,
        ice_supervisor=row.ice_supervisor,
        reference=row.prior_approval_reference,
        approved_at=row.prior_approval_at,
    )
    if missing:
        problems.append(missing)
    must = None
    if row.kind == Action.EXECUTE_ARREST_IN_FACILITY and agreement.model == AgreementModel.WSO:
        must = wso_must_release_by(arrested_at=row.performed_at, model=agreement.model, igsa=agreement.igsa)
    if must is not None:
        shown = in_zone(must, detainer.agency)
        ended = detainer.outcome_at if detainer.outcome != Detainer.Outcome.PENDING else None
        if ended is not None and ended > must:
            problems.append(WSO_ENDED_LATE_MESSAGE.format(must=shown))
        elif ended is None and at > must:
            problems.append(WSO_LATE_MESSAGE.format(must=shown))
    return ActionReview(action=row, problems=tuple(problems), must_transfer_by=must)


def describe(review: ActionReview, agency) -> str:
    """``Interview at 2026-01-05 09:00 CST by Handler, Jordan (#H-1)``: names the action in messages."""
    action = review.action
    return f"{action.get_kind_display()} at {in_zone(action.performed_at, agency)} by {action.officer}"


def check_logged_actions(detainer: Detainer, at: datetime) -> checks.Check:
    """Every logged 287(g) action inside the agreement's model, approved if needed, officer authorized, WSO clock held.

    Passed None when no action is logged; False naming each offending action
    and why (``review_actions``); True otherwise. A failure blocks the hold,
    as the record's own action does (``check_action_in_scope``,
    ``check_handling_officer_authorized``, ``check_wso_transfer_clock``).

    Source: DOMAIN.md R1.6 (ICE WSO release, 6 May 2019; GAO-21-186), R1.7 and
    R4.10 (WSO 48-hour clock), R2.4 and R2.7 (only trained, certified,
    authorized officers), R3.10 [S] (TFM field action: ICE supervision and prior approval).
    """
    preloaded = getattr(detainer, _PRELOADED, None)
    reviews = preloaded if preloaded is not None else review_actions([detainer], at=at)[detainer.pk]
    # The detainer page's table reads the same reviews (``reviews_for_page``) instead of asking again.
    setattr(detainer, _LAST, (at, reviews))
    if not reviews:
        return checks.Check(NAME, RULE, SOURCE, None, "No 287(g) action logged beyond the record's own.")
    bad = [review for review in reviews if not review.in_order]
    if bad:
        found = "; ".join(f"{describe(r, detainer.agency)}: {' '.join(r.problems)}" for r in bad)
        return checks.Check(NAME, RULE, SOURCE, False, f"{checks.NO_HOLD}: {found}")
    count = len(reviews)
    noun = "action" if count == 1 else "actions"
    return checks.Check(
        NAME, RULE, SOURCE, True, f"{count} logged {noun}, each within the agreement by an authorized officer."
    )


def reviews_for_page(detainer: Detainer, *, at: datetime) -> list[ActionReview]:
    """The reviews the detail page's table shows: those the check just computed at ``at``, else computed now."""
    last = detainer.__dict__.pop(_LAST, None)
    if last is not None and last[0] == at:
        return last[1]
    return review_actions([detainer], at=at)[detainer.pk]


def preload_page(detainers: list[Detainer], at: datetime) -> None:
    """``checks.PAGE_PRELOADERS`` entry: review a page's actions in one batch before its checks run."""
    reviews = review_actions(detainers, at=at)
    for detainer in detainers:
        setattr(detainer, _PRELOADED, reviews[detainer.pk])


def clear_page(detainer: Detainer) -> None:
    """Forget what ``preload_page`` and the check stored on ``detainer``."""
    detainer.__dict__.pop(_PRELOADED, None)
    detainer.__dict__.pop(_LAST, None)


def register() -> None:
    """Append the check to ``checks.CHECKS`` and the batch read to ``checks.PAGE_PRELOADERS``, once."""
    checks.register_checks(check_logged_actions)
    if (preload_page, clear_page) not in checks.PAGE_PRELOADERS:
        checks.PAGE_PRELOADERS.append((preload_page, clear_page))
