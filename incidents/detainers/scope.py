"""What an agreement's model lets officers do, and the WSO transfer clock (DOMAIN.md §1.2, R1.6–R1.7, R4.10).

Pure rules (``action_allowed``, ``agreements_covering``, ``wso_must_release_by``) plus the reads
(``agreement_in_force``, ``agreements_in_force``) that pick the default agreement for a new detainer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from compliance.core.models import Agency, Agreement, AgreementModel
from incidents.detainers.choices import Action

#: R1.7 / R4.10: after a WSO arrest ICE has 48 hours to take custody (unless an IGSA exists).
WSO_TRANSFER_LIMIT = timedelta(hours=48)

#: R1.6: the delegated actions each model allows.
#: JEM: in the correctional facility only (interview, processing, detainers, warrants), no field arrests.
#: WSO: only serving and executing ICE warrants in the jail; no interview, no processing.
#: TFM: field duties too (prior approval and ICE supervision, R3.10, are recorded elsewhere).
ALLOWED_ACTIONS: dict[str, frozenset[str]] = {
    AgreementModel.JEM: frozenset(
        {Action.INTERVIEW, Action.PROCESS, Action.SERVE_WARRANT, Action.EXECUTE_ARREST_IN_FACILITY}
    ),
    AgreementModel.WSO: frozenset({Action.SERVE_WARRANT, Action.EXECUTE_ARREST_IN_FACILITY}),
    AgreementModel.TFM: frozenset(Action.values),
}

ACTION_OUTSIDE_MODEL_MESSAGE = (
    "{action} is outside the {model} agreement. That agreement allows only: {allowed} (R1.6; the MOA's 287(g) model)."
)


def action_allowed(*, model: str, action: str) -> bool:
    """May an officer under an agreement of ``model`` take ``action``?

    Args:
        model: an ``AgreementModel`` value (JEM / WSO / TFM).
        action: an ``incidents.detainers.choices.Action`` value.

    Returns:
        True when ``ALLOWED_ACTIONS[model]`` holds it; False for an unknown model.
        E.g. WSO + interview → False; WSO + serve_warrant → True; JEM + field_arrest → False.

    Source: DOMAIN.md R1.6 (ICE WSO release of 6 May 2019; GAO-21-186).
    """
    return action in ALLOWED_ACTIONS.get(model, frozenset())


def agreements_covering(agreements: list[Agreement], *, action: str) -> list[Agreement]:
    """Those of ``agreements`` whose model allows ``action``, in the same order.

    The detainer form's default where several agreements are in force: the one
    that covers the chosen action (e.g. JEM and WSO in force, an interview → the
    JEM; serving a warrant → both, so the person chooses). No action → none.
    Source: DOMAIN.md R1.6.
    """
    return [agreement for agreement in agreements if action_allowed(model=agreement.model, action=action)]


def action_outside_model_message(*, model: str, action: str) -> str:
    """The refusal shown next to the action field when ``action_allowed`` is False."""
    allowed = sorted(ALLOWED_ACTIONS.get(model, frozenset()), key=Action.values.index)
    return ACTION_OUTSIDE_MODEL_MESSAGE.format(
        action=Action(action).label,
        model=AgreementModel(model).label if model in AgreementModel.values else model,
        allowed="; ".join(Action(a).label for a in allowed) or "nothing",
    )


def wso_must_release_by(*, arrested_at: datetime | None, model: str | None, igsa: bool) -> datetime | None:
    """When a person arrested by a Warrant Service Officer must be released unless ICE has taken custody.

    Args:
        arrested_at: aware datetime of the WSO arrest (the detainer's ``action_at``
            when its action is ``execute_arrest_in_facility``), or None.
        model: the agreement's model; the clock exists only under WSO.
        igsa: the agreement's Intergovernmental Service Agreement flag.

    Returns:
        ``arrested_at + 48 h`` in UTC (real elapsed hours, DST-safe), or None when
        there is no WSO arrest or an IGSA suspends the clock.

    Raises:
        ValueError: ``arrested_at`` is naive.

    Source: DOMAIN.md R1.7, R4.10 (ICE release of 6 May 2019).
    """
    if arrested_at is None or model != AgreementModel.WSO or igsa:
        return None
    if timezone.is_naive(arrested_at):
        raise ValueError("arrested_at must be an aware datetime.")
    return arrested_at.astimezone(UTC) + WSO_TRANSFER_LIMIT


def agreement_in_force(*, agency: Agency, at: datetime) -> Agreement | None:
    """The agency's one agreement in force at ``at``, the default for a new detainer.

    In force: status "In force", ``signed_on`` on or before the agency-local
    date of ``at`` (or unknown), ``expires_on`` on or after it (or none).

    Returns:
        That agreement, or None when there is none or several (e.g. JEM and WSO
        signed the same day): the user then chooses. One query.

    Raises:
        ValueError: ``at`` is naive.
    """
    candidates = agreements_in_force(agency=agency, at=at)
    return candidates[0] if len(candidates) == 1 else None


def agreements_in_force(*, agency: Agency, at: datetime) -> list[Agreement]:
    """Every agreement of ``agency`` in force at ``at`` (same rule as ``agreement_in_force``), by model. One query.

    Raises:
        ValueError: ``at`` is naive.
    """
    if timezone.is_naive(at):
        raise ValueError("at must be an aware datetime.")
    day = timezone.localdate(at, timezone=agency.zone)
    return list(
        Agreement.objects.filter(agency=agency, status=Agreement.Status.ACTIVE)
        .filter(Q(signed_on__isnull=True) | Q(signed_on__lte=day))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .order_by("model", "pk")
    )


def several_agreements_message(agreements: list[Agreement]) -> str:
    """The refusal when no agreement was chosen and several are in force (e.g. JEM and WSO signed the same day)."""
    models = ", ".join(agreement.get_model_display() for agreement in agreements)
    return f"Several agreements are in force at that time ({models}): choose the MOA this is done under (R1.6)."
