"""The one-line hold summary at the top of the detainer page.

The legal checks list (``incidents.detainers.checks.detainer_checks``) is the single place for
rule results; this summary only says whether a hold is authorized and, when not,
the first reason, pointing to the list for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incidents.detainers import checks
from incidents.detainers.models import Detainer

#: The summary of a form that never authorizes a hold (R4.1): no verdict on a hold at all.
NOTIFICATION_ONLY_TEXT = (
    "Notification only: this form asks ICE to be told of the release. Tell ICE before the release (R4.6) and "
    "release the person when state custody ends."
)


@dataclass(frozen=True)
class HoldVerdict:
    """Attributes:
    authorized: no check that blocks a hold failed (``checks.hold_authorized``); False for a
        notification-only form.
    text: "No hold authorized: <first reason>" (empty when authorized); for a notification-only
        form ``NOTIFICATION_ONLY_TEXT``, or the reason the person is held without authority.
    reason: the failing check the text comes from, or None.
    others: how many more checks that block a hold failed (shown in the list).
    notification_only: the form never authorizes a hold (the I-247N, R4.1): the page says so
        instead of giving a hold verdict, unless a hold was recorded on it (then ``reason`` is set).
    """

    authorized: bool
    text: str
    reason: checks.Check | None
    others: int
    notification_only: bool = False


def hold_verdict(detainer: Detainer, legal_checks: list[checks.Check], *, at: datetime) -> HoldVerdict:
    """Summarise ``legal_checks`` (``detainer_checks(detainer, at=at)``) for the top of the detainer page.

    Args:
        detainer: the detainer the checks are about.
        legal_checks: its checks, in display order.
        at: aware datetime the checks were run for.

    Returns:
        A ``HoldVerdict``. The first reason is the first failing check that blocks a hold, in
        display order, except that a passed time limit comes first — the 48-hour hold deadline
        (R4.7–R4.8) or the WSO 48-hour transfer clock (R1.7): then the person must be released
        now, the most urgent thing on the page. A form that never authorizes a hold (the I-247N,
        R4.1) gets no hold verdict: ``notification_only`` with ``NOTIFICATION_ONLY_TEXT``, or the
        reason the person is held without authority. No queries.
    """
    if not checks.form_authorizes_hold(detainer.form):
        # R4.1: an I-247N is never a hold, so no hold verdict — unless the person was held on it.
        held = checks.check_hold_deadline(detainer, at)
        if held.failed:
            return HoldVerdict(authorized=False, text=held.message, reason=held, others=0, notification_only=True)
        return HoldVerdict(authorized=False, text=NOTIFICATION_ONLY_TEXT, reason=None, others=0, notification_only=True)
    blockers = [check for check in legal_checks if check.failed and check.blocks_hold]
    if not blockers:
        return HoldVerdict(authorized=True, text="", reason=None, others=0)
    time_limits = {checks.check_hold_deadline(detainer, at), checks.check_wso_transfer_clock(detainer, at)}
    first = sorted(blockers, key=lambda check: check not in time_limits)[0]
    prefix = f"{checks.NO_HOLD}: "
    text = first.message if first.message.startswith(prefix) else prefix + first.message
    return HoldVerdict(authorized=False, text=text, reason=first, others=len(blockers) - 1)
