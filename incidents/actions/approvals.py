"""ICE supervision and prior approval of a logged 287(g) action (DOMAIN.md R1.6 TFM, R3.4, R3.10).

The rule, as applied here (pure; ``incidents.actions.checks`` flags logged rows that lack it):

* A **field action under a Task Force Model agreement** (``FIELD_ACTIONS``
  under ``AgreementModel.TFM``) needs the supervising ICE officer
  (``ice_supervisor``, R3.4) and ICE's prior approval: its reference
  (``prior_approval_reference``) and the instant it was given
  (``prior_approval_at``), at or before the action (R3.10). A logged action is a
  past fact: one taken without them is **recorded** as it happened, with an
  explanation, a finding and the supervisors told (``missing_approval``;
  ``incidents.detainers.rule_breaks``; docs/decisions/past-facts-and-gates.md).
* On any action, a prior approval, when recorded, has both its reference and
  its time, and its time is not after the action: input that cannot be right is
  **refused** at the field (``approval_errors``).

**[S] — secondary source, keep it configurable.** R3.10 comes from the 2009 MOA
revision as summarized for Prince William County (moonhowlings.net, 12 Oct
2009); whether the 2025 TFM MOA keeps it is unverified: check the agency's
signed MOA. The rule lives in the constants below, not per agreement (the
``compliance.Agreement`` model has no setting for it yet).

Not modelled (a simplification of R3.10):

* "Planned operations whose only purpose is immigration enforcement" are not
  told apart from other field arrests: every TFM field action needs the
  approval, which is stricter than R3.10.
* "Any immigration arrest made without state or local charges" needs ICE
  approval under R3.10 (not necessarily *prior*); here only the TFM field
  action is required to carry it. A JEM action needs a booking on state or
  local charges anyway (``incidents.actions.services``); a WSO arrest on a person with
  no charge is not checked for an approval.
* The approval is a reference typed by the user: it is not verified against
  ICE, and the supervisor is not checked against the MOA's ICE point-of-contact
  roster (Appendix A).
* Approval of an operation covering several actions is recorded again on each
  action (no "operation" record).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from compliance.core.agency_time import in_zone
from compliance.core.models import AgreementModel
from incidents.detainers.choices import Action

#: R1.6: the actions taken during field duties (outside the correctional facility).
FIELD_ACTIONS = frozenset({Action.FIELD_ARREST})
#: R1.6 / R3.10 [S]: the models whose field actions need ICE supervision and prior approval.
APPROVAL_MODELS = frozenset({AgreementModel.TFM})

APPROVED_AT_MESSAGE = (
    "Say when ICE gave the prior approval, with its time zone: required for a field action under a Task Force "
    "Model agreement (R1.6, R3.10)."
)
REFERENCE_WITHOUT_TIME_MESSAGE = "Say when ICE gave this prior approval."
TIME_WITHOUT_REFERENCE_MESSAGE = "Record the reference of the prior approval given at this time."
APPROVAL_AFTER_ACTION_MESSAGE = "The prior approval ({approved}) cannot be after the action ({performed})."
MISSING_FOR_ROW_MESSAGE = "Field action under the Task Force Model without {missing} (R1.6, R3.10)."


def approval_required(*, model: str, kind: str) -> bool:
    """Does an action of ``kind`` under an agreement of ``model`` need ICE supervision and prior approval?

    True for a field arrest under TFM; False otherwise. Source: DOMAIN.md R1.6, R3.10 [S].
    """
    return model in APPROVAL_MODELS and kind in FIELD_ACTIONS


def approval_errors(
    *,
    prior_approval_reference: str,
    prior_approval_at: datetime | None,
    performed_at: datetime | None,
    agency,
) -> dict[str, list[str]]:
    """The refusals of the approval fields of one action, keyed by field name (empty when in order).

    Only input that cannot be right is refused: half a prior approval (its reference without its
    time, or the reverse), a naive time, an approval after the action. A TFM field action with no
    ICE supervisor or no prior approval at all is a past fact that broke R3.10: it is not refused
    here but recorded (``missing_approval``).

    Args:
        prior_approval_reference: stripped text.
        prior_approval_at: aware datetime (UTC stored) or None; a naive one is refused.
        performed_at: aware datetime of the action, or None when it is itself refused.
        agency: for showing instants on the agency's clock.

    Returns:
        ``{"prior_approval_reference": [...], "prior_approval_at": [...]}`` (only the failing keys).
    """
    errors: dict[str, list[str]] = {}
    if prior_approval_at is not None and timezone.is_naive(prior_approval_at):
        return {"prior_approval_at": [APPROVED_AT_MESSAGE]}
    if prior_approval_reference and prior_approval_at is None:
        errors["prior_approval_at"] = [REFERENCE_WITHOUT_TIME_MESSAGE]
    elif prior_approval_at is not None and not prior_approval_reference:
        errors["prior_approval_reference"] = [TIME_WITHOUT_REFERENCE_MESSAGE]
    if prior_approval_at is not None and performed_at is not None and prior_approval_at > performed_at:
        errors.setdefault("prior_approval_at", []).append(
            APPROVAL_AFTER_ACTION_MESSAGE.format(
                approved=in_zone(prior_approval_at, agency), performed=in_zone(performed_at, agency)
            )
        )
    return errors


def missing_approval(*, model: str, kind: str, ice_supervisor: str, reference: str, approved_at) -> str | None:
    """What R3.10 record an action lacks (a TFM field action without ICE supervision or prior approval), or None.

    Used when the action is recorded (a rule break: ``incidents.actions.services``) and when a
    logged row is judged again (``incidents.actions.checks``).

    Returns:
        ``MISSING_FOR_ROW_MESSAGE`` naming the missing records, or None when the
        action needs none or has them all.
    """
    if not approval_required(model=model, kind=kind):
        return None
    missing = []
    if not ice_supervisor:
        missing.append("a supervising ICE officer")
    if not reference or approved_at is None:
        missing.append("ICE's prior approval (reference and time)")
    if not missing:
        return None
    return MISSING_FOR_ROW_MESSAGE.format(missing=" or ".join(missing))
