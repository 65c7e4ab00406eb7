"""U.S.-citizenship claims: the STOP state, its escalation and resolution (DOMAIN.md R5.1–R5.3).

ICE has no civil-immigration authority over a U.S. citizen (R5.1, ICE Directive
16001.2, 10 Nov 2015). When the person claims U.S. citizenship, or any sign of it
is recorded (U.S. birthplace, U.S. ID, a U.S.-citizen parent, derived
citizenship), the detainer is in **STOP**: no further 287(g) step (transfer to
ICE, service of the detainer, WSO service) until a supervisor (``review_records``)
records the escalation to ICE and its resolution (R5.2 triage). A confirmed
citizen stays stopped for good: the detainer must be lifted and the person
released. Claim → resolution time is the R5.3 metric (Galarza v. Szalczyk).

Services that perform a 287(g) step call ``ensure_not_stopped(detainer)`` first.

Besides the STOP, every claim or sign opens a critical finding linked to the detainer, closed
only by the supervisor's recorded resolution (``incidents.citizenship.claim_finding``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from compliance.core import access
from compliance.core.audit import acting_as
from compliance.core.feed import stop_raised_emit
from compliance.core.site_links import absolute_url
from incidents.citizenship.claim_finding import claim_finding_close, claim_finding_open
from incidents.citizenship.models import CitizenshipCategory, CitizenshipResolution, stopped_condition
from incidents.detainers.links import detainer_link
from incidents.detainers.models import Detainer
from incidents.detainers.rules import FUTURE_MESSAGE

RULE = "R5.1–R5.2 U.S.-citizenship claim: STOP until escalated and resolved (ICE Directive 16001.2)"

STOPPED_MESSAGE = (
    "STOP: a U.S.-citizenship claim or sign is recorded and not resolved. No 287(g) step (transfer, service, "
    "WSO service) may be taken until a supervisor records the escalation to ICE and its resolution (R5.1)."
)
CITIZEN_MESSAGE = (
    "STOP: this person was confirmed a U.S. citizen. ICE has no authority to detain a U.S. citizen: lift the "
    "detainer and release the person (R5.1–R5.2)."
)
SUPERVISOR_ONLY_MESSAGE = "Only a supervisor of this agency may record the escalation or the resolution of a claim."
NO_CLAIM_MESSAGE = "No U.S.-citizenship claim or sign is recorded on this detainer."
CANNOT_WITHDRAW_MESSAGE = "A recorded claim or sign cannot be removed; a supervisor resolves it instead (R5.1)."
NOT_ESCALATED_MESSAGE = "Record the escalation to ICE before the resolution (R5.1)."
ALREADY_RESOLVED_MESSAGE = "This claim is already resolved."
NOTE_REQUIRED_MESSAGE = "Write what was decided and on what evidence."
ESCALATED_TO_REQUIRED_MESSAGE = "Name the ICE officer or office the claim was escalated to."
CATEGORY_REQUIRED_MESSAGE = "Choose the triage category (R5.2)."
OPLA_REQUIRED_MESSAGE = "With some probative evidence, OPLA must be consulted first: record when (R5.2)."
CATEGORY_MISMATCH_MESSAGE = "This resolution does not fit the triage category {category!r} (R5.2)."

#: Which R5.2 triage categories each resolution may close.
_RESOLUTION_FITS = {
    CitizenshipResolution.CITIZEN_CONFIRMED: set(CitizenshipCategory.values),
    CitizenshipResolution.OPLA_ADVISED_CONTINUE: {CitizenshipCategory.PROBATIVE},
    CitizenshipResolution.NO_PROBATIVE_CONTINUE: {CitizenshipCategory.NO_PROBATIVE},
}
CLAIM_FIELDS = ("uscitizenship_claimed", *Detainer.SIGN_FIELDS)


# --- Reads ----------------------------------------------------------------------------------------------------


def is_stopped(detainer: Detainer) -> bool:
    """True while no 287(g) step may be taken on ``detainer`` (R5.1).

    Stopped when a claim or sign is recorded and either no resolution is
    recorded yet, or the resolution confirmed U.S. citizenship.
    """
    if not detainer.citizenship_claim_recorded:
        return False
    return detainer.citizenship_resolution in ("", CitizenshipResolution.CITIZEN_CONFIRMED)


def claim_recorded_q() -> Q:
    """``Detainer.citizenship_claim_recorded`` as a query filter: a claim or any sign of U.S. citizenship (R5.1)."""
    claim = Q(uscitizenship_claimed=True)
    for name in Detainer.SIGN_FIELDS:
        claim |= Q(**{name: True})
    return claim


def stopped_q() -> Q:
    """``is_stopped`` as a query filter: a claim or sign recorded, and unresolved or citizenship confirmed.

    ``incidents.citizenship.models.stopped_condition``, the condition of the partial index on detainers in STOP.
    """
    return stopped_condition()


def stop_reason(detainer: Detainer) -> str | None:
    """The message shown and raised while stopped, else None."""
    if not is_stopped(detainer):
        return None
    if detainer.citizenship_resolution == CitizenshipResolution.CITIZEN_CONFIRMED:
        return CITIZEN_MESSAGE
    return STOPPED_MESSAGE


def ensure_not_stopped(detainer: Detainer) -> None:
    """Refuse a 287(g) step on a detainer in STOP.

    Call it in every service that performs a 287(g) step (transfer to ICE,
    recording service of the detainer, WSO service), inside its transaction on
    the locked row.

    Raises:
        ValidationError: with ``STOPPED_MESSAGE`` (claim unresolved) or
            ``CITIZEN_MESSAGE`` (citizen confirmed). Source: DOMAIN.md R5.1.
    """
    reason = stop_reason(detainer)
    if reason:
        raise ValidationError(reason, code="citizenship_stop")


def claim_to_resolution(detainer: Detainer, *, now: datetime | None = None) -> timedelta | None:
    """R5.3 metric: time from the first claim/sign to the resolution (to ``now`` while unresolved).

    Returns None when no claim is recorded. Units: a ``timedelta`` (real elapsed time, UTC).
    """
    if detainer.citizenship_claim_at is None:
        return None
    end = detainer.citizenship_resolved_at or now or timezone.now()
    return end - detainer.citizenship_claim_at


def duration_text(delta: timedelta | None) -> str:
    """``2 d 3 h 05 min`` for the record page."""
    if delta is None:
        return "—"
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return (f"{days} d " if days else "") + f"{hours} h {minutes:02d} min"


# --- Writes ---------------------------------------------------------------------------------------------------


def _require_supervisor(actor, detainer: Detainer) -> None:
    if not access.can(actor, access.REVIEW, detainer.agency):
        raise PermissionDenied(SUPERVISOR_ONLY_MESSAGE)


def _not_future(name: str, value: datetime | None, now: datetime) -> None:
    if value is not None and value > now:
        raise ValidationError({name: FUTURE_MESSAGE})


def citizenship_claim_record(
    *,
    detainer: Detainer,
    actor,
    uscitizenship_claimed: bool = False,
    citizenship_sign_us_birthplace: bool = False,
    citizenship_sign_us_id: bool = False,
    citizenship_sign_us_parent: bool = False,
    citizenship_sign_derived: bool = False,
    citizenship_claim_details: str = "",
    recorded_at: datetime | None = None,
) -> Detainer:
    """Record a claim or sign of U.S. citizenship; the detainer enters STOP (R5.1).

    Any user who may change the agency's records may record one (caller checks
    ``change_records``). Signs are added, never removed: a supervisor resolves a
    claim (``citizenship_resolve``). The first claim/sign starts the R5.3 clock
    (``citizenship_claim_at`` = ``recorded_at`` or now, aware UTC) and opens one
    critical finding linked to the detainer (R5.1, ``claim_finding.claim_finding_open``),
    besides the STOP. Supervisors get an e-mail after commit carrying links only
    (the detainer and the finding; no personal data).

    Raises:
        ValidationError: a recorded claim/sign would be removed, or ``recorded_at`` is in the future.
    """
    wanted = {
        "uscitizenship_claimed": uscitizenship_claimed,
        "citizenship_sign_us_birthplace": citizenship_sign_us_birthplace,
        "citizenship_sign_us_id": citizenship_sign_us_id,
        "citizenship_sign_us_parent": citizenship_sign_us_parent,
        "citizenship_sign_derived": citizenship_sign_derived,
    }
    now = timezone.now()
    _not_future("recorded_at", recorded_at, now)
    with transaction.atomic(), acting_as(actor, reason="U.S.-citizenship claim recorded (R5.1)"):
        locked = Detainer.objects.select_for_update(of=("self",)).select_related("agency").get(pk=detainer.pk)
        removed = [name for name in CLAIM_FIELDS if getattr(locked, name) and not wanted[name]]
        if removed:
            raise ValidationError({name: CANNOT_WITHDRAW_MESSAGE for name in removed})
        was_recorded = locked.citizenship_claim_recorded
        for name, value in wanted.items():
            setattr(locked, name, value)
        locked.citizenship_claim_details = citizenship_claim_details.strip()
        newly = locked.citizenship_claim_recorded and not was_recorded
        if newly:
            locked.citizenship_claim_at = recorded_at or now
        locked.save()
        if newly:
            finding = claim_finding_open(detainer=locked, actor=actor)
            stop_raised_emit(detainer=locked)
            transaction.on_commit(lambda: _tell_supervisors(locked, finding))
    return locked


def citizenship_escalation_record(
    *,
    detainer: Detainer,
    actor,
    escalated_at: datetime,
    escalated_to: str,
    category: str,
    opla_consulted_at: datetime | None = None,
) -> Detainer:
    """A supervisor records the escalation of the claim to ICE and its R5.2 triage.

    Args:
        escalated_at: aware datetime the claim was escalated to ICE.
        escalated_to: the ICE officer or office (free text).
        category: a ``CitizenshipCategory`` value (R5.2).
        opla_consulted_at: aware datetime OPLA was consulted, if it was.

    Raises:
        PermissionDenied: ``actor`` does not hold ``review_records`` in the agency.
        ValidationError: no claim recorded, already resolved, missing values, future times.
    """
    _require_supervisor(actor, detainer)
    now = timezone.now()
    errors = {}
    if not escalated_to.strip():
        errors["escalated_to"] = ESCALATED_TO_REQUIRED_MESSAGE
    if category not in CitizenshipCategory.values:
        errors["category"] = CATEGORY_REQUIRED_MESSAGE
    if errors:
        raise ValidationError(errors)
    _not_future("escalated_at", escalated_at, now)
    _not_future("opla_consulted_at", opla_consulted_at, now)
    with transaction.atomic(), acting_as(actor, reason="U.S.-citizenship claim escalated to ICE (R5.1)"):
        locked = Detainer.objects.select_for_update().get(pk=detainer.pk)
        if not locked.citizenship_claim_recorded:
            raise ValidationError(NO_CLAIM_MESSAGE)
        if locked.citizenship_resolution:
            raise ValidationError(ALREADY_RESOLVED_MESSAGE)
        locked.citizenship_escalated_at = escalated_at
        locked.citizenship_escalated_to = escalated_to.strip()
        locked.citizenship_escalated_by = actor
        locked.citizenship_category = category
        if opla_consulted_at is not None:
            locked.citizenship_opla_consulted_at = opla_consulted_at
        locked.save()
    return locked


def citizenship_resolve(
    *,
    detainer: Detainer,
    actor,
    resolution: str,
    note: str,
    resolved_at: datetime | None = None,
    opla_consulted_at: datetime | None = None,
) -> Detainer:
    """A supervisor records how the claim was resolved; STOP ends unless citizenship was confirmed.

    The resolution also closes the claim's finding, attributed to the supervisor (R5.1;
    ``claim_finding.claim_finding_close``): the only way that finding is closed.

    R5.2: evidence of citizenship → no arrest, no removal (the detainer must be
    lifted and the person released: the record stays stopped for transfer);
    some probative evidence → OPLA consulted first (``opla_consulted_at``
    required); no probative evidence → the process continues, decision documented
    (``note`` required for every resolution).

    Raises:
        PermissionDenied: ``actor`` does not hold ``review_records`` in the agency.
        ValidationError: not escalated yet, already resolved, no note, OPLA not
            consulted for probative evidence, or a resolution that does not fit the triage.
    """
    _require_supervisor(actor, detainer)
    now = timezone.now()
    if resolution not in CitizenshipResolution.values:
        raise ValidationError({"resolution": "Choose the resolution."})
    if not note.strip():
        raise ValidationError({"note": NOTE_REQUIRED_MESSAGE})
    _not_future("resolved_at", resolved_at, now)
    _not_future("opla_consulted_at", opla_consulted_at, now)
    with transaction.atomic(), acting_as(actor, reason="U.S.-citizenship claim resolved (R5.2)"):
        locked = Detainer.objects.select_for_update().get(pk=detainer.pk)
        if not locked.citizenship_claim_recorded:
            raise ValidationError(NO_CLAIM_MESSAGE)
        if locked.citizenship_resolution:
            raise ValidationError(ALREADY_RESOLVED_MESSAGE)
        if locked.citizenship_escalated_at is None:
            raise ValidationError(NOT_ESCALATED_MESSAGE)
        if opla_consulted_at is not None:
            locked.citizenship_opla_consulted_at = opla_consulted_at
        category = locked.citizenship_category
        if category not in _RESOLUTION_FITS[resolution]:
            raise ValidationError({"resolution": CATEGORY_MISMATCH_MESSAGE.format(category=category)})
        if category == CitizenshipCategory.PROBATIVE and locked.citizenship_opla_consulted_at is None:
            raise ValidationError({"opla_consulted_at": OPLA_REQUIRED_MESSAGE})
        locked.citizenship_resolution = resolution
        locked.citizenship_resolution_note = note.strip()
        locked.citizenship_resolved_at = resolved_at or now
        locked.citizenship_resolved_by = actor
        locked.save()
        claim_finding_close(detainer=locked, actor=actor)
    return locked


def _tell_supervisors(detainer: Detainer, finding) -> None:
    """E-mail the agency's supervisors links (no name, no booking number) to investigate at once (R5.1)."""

    from incidents.detainers.selectors import agency_supervisor_emails

    to = agency_supervisor_emails([detainer.agency_id]).get(detainer.agency_id, [])
    if not to:
        return
    link = detainer_link(detainer)
    EmailMessage(
        subject="U.S.-citizenship claim recorded: detainer in STOP",
        body=(
            f"A claim or sign of U.S. citizenship was recorded on a detainer at {detainer.agency.name}.\n\n"
            "No 287(g) step may be taken until a supervisor records the escalation to ICE and its resolution "
            "(ICE Directive 16001.2; R5.1). Investigate immediately and with the highest priority.\n"
            f"Open the detainer: {link}\n"
            f"Finding: {absolute_url(reverse('findings:detail', args=[finding.public_id]))}\n"
        ),
        to=to,
    ).send()
