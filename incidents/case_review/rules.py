"""The review workflow's rules as plain functions: who may investigate, close and act on a case (no database).

Issue #11 items 2 and 3 (DOMAIN.md R3.5): a supervisor triages and assigns an
investigator who is not the subject officer and not below the subject officer in
the agency's rank order where it records one; only a supervisor closes; nobody
closes their own case; a case cannot close with a corrective action still open
unless a supervisor records why. The services (``incidents.case_review.services``)
read the facts and call these; the messages below are what the pages show.
"""

from __future__ import annotations

from collections.abc import Iterable

from incidents.incident_log.models import Incident

Status = Incident.Status

# Messages, each naming its rule.
NOT_SUPERVISOR = "Only a supervisor of the case's agency may {step}."
NOT_INVESTIGATOR_OR_SUPERVISOR = "Only the case's investigator or a supervisor of its agency may {step}."
WRONG_STAGE = "This step needs the case to be {needed}; it is {stage}."
INVESTIGATOR_CANNOT_CHANGE = "The investigator must be an active user who may change records in the case's agency."
INVESTIGATOR_IS_SUBJECT = "The investigator cannot be a subject officer of the case they investigate."
INVESTIGATOR_BELOW_SUBJECT = (
    "The investigator's rank ({investigator_rank}) is below the most senior subject officer's ({subject_rank}) in the "
    "agency's rank order: choose an investigator of equal or higher rank."
)
SUBJECT_IS_INVESTIGATOR = (
    "This officer's sign-in account is the case's investigator: assign another investigator before adding them."
)
OWN_CASE = "Nobody closes their own case: you are its {role}."
NO_ALLEGATION = "Add at least one allegation before sending the case to supervisor review."
UNDISPOSED = "Every allegation needs a disposition before supervisor review ({count} without one)."
OPEN_ACTIONS = (
    "{count} corrective action(s) are still open. Close them first, or record why the case closes with them open."
)
REQUIRED = "This field is required."


def stage_refusal(stage: str, allowed: Iterable[str]) -> str | None:
    """The message when a step needing one of ``allowed`` stages is tried at ``stage``; None when allowed."""
    allowed = tuple(allowed)
    if stage in allowed:
        return None
    needed = " or ".join(str(Status(value).label).lower() for value in allowed)
    return WRONG_STAGE.format(needed=needed, stage=str(Status(stage).label).lower())


def rank_below(investigator_seniority: int | None, subject_seniorities: Iterable[int | None]) -> int | None:
    """The most senior subject officer's seniority when the investigator ranks below it, else None.

    Args:
        investigator_seniority: ``Rank.seniority`` of the investigator's officer record (higher is more
            senior); None when they have no officer record or no rank (the rule does not apply).
        subject_seniorities: the subject officers' seniorities; None for one without a rank (left out).

    Returns:
        The blocking seniority, or None (no rank order to compare, or the investigator is not below).
    """
    ranked = [value for value in subject_seniorities if value is not None]
    if investigator_seniority is None or not ranked:
        return None
    top = max(ranked)
    return top if investigator_seniority < top else None


def own_case_role(
    *, actor_id: int, investigator_id: int | None, subject_user_ids: Iterable[int], reporter_id: int | None, source: str
) -> str | None:
    """Why ``actor`` may not close the case ("investigator", "subject officer", "reporter"), or None.

    The reporter counts only for a case staff logged (``Source.STAFF``); a rule's finding or the
    public opened the others (the reporter there is the system account or nobody).
    """
    if investigator_id is not None and actor_id == investigator_id:
        return "investigator"
    if actor_id in set(subject_user_ids):
        return "subject officer"
    if source == Incident.Source.STAFF and reporter_id is not None and actor_id == reporter_id:
        return "reporter"
    return None


def undisposed_count(dispositions: Iterable[str]) -> int:
    """How many allegations have no disposition yet (blank)."""
    return sum(1 for value in dispositions if not value)
