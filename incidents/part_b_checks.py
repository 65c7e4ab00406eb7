"""Part B's checks on the detainer page: the U.S.-citizenship STOP and consular notification.

Registered into ``incidents.checks.CHECKS`` by ``register()``, which
``IncidentsConfig.ready`` calls once (so ``incidents.checks`` never has to import
this module, and nothing imports in a circle).
"""

from __future__ import annotations

from datetime import datetime

from compliance.core.agency_time import in_zone
from incidents import checks, citizenship, consular
from incidents.models import Detainer

CITIZENSHIP_SOURCE = "ICE Directive 16001.2 (10 Nov 2015); ICE guidance of 19 Nov 2009 (R5.2)"
CONSULAR_SOURCE = "VCCR Art. 36(1)(b); U.S. Dept. of State, Consular Notification and Access manual, 5th ed., 2018"


def check_citizenship_stop(detainer: Detainer, at: datetime) -> checks.Check:
    """R5.1–R5.2: no 287(g) step, and no hold, while a U.S.-citizenship claim or sign is unresolved.

    Passed None when no claim or sign is recorded; False while stopped (claim
    unresolved, or citizenship confirmed); True once resolved so that the
    process may continue.
    """
    name, rule = "No unresolved U.S.-citizenship claim", "R5.1–R5.2"
    if not detainer.citizenship_claim_recorded:
        return checks.Check(name, rule, CITIZENSHIP_SOURCE, None, "No claim or sign of U.S. citizenship recorded.")
    reason = citizenship.stop_reason(detainer)
    if reason:
        return checks.Check(name, rule, CITIZENSHIP_SOURCE, False, reason)
    elapsed = citizenship.duration_text(citizenship.claim_to_resolution(detainer, now=at))
    return checks.Check(
        name,
        rule,
        CITIZENSHIP_SOURCE,
        True,
        f"Resolved: {detainer.get_citizenship_resolution_display()} ({elapsed} after the claim).",
    )


def check_consular_notification(detainer: Detainer, at: datetime) -> checks.Check:
    """R5.4–R5.5: the consular duty done; failed once it is still outstanding at the finding time (72 h, [U]).

    Never blocks a hold: a late notification is a violation of its own, not a
    reason the detainer lacks authority.
    """
    name, rule = "Consular notification", "R5.4–R5.5"
    status = consular.consular_status(detainer, now=at)
    if status.state == "done":
        return checks.Check(name, rule, CONSULAR_SOURCE, True, "Done and recorded.", blocks_hold=False)
    if status.state == "overdue":
        message = f"Overdue since {in_zone(status.finding_at, detainer.agency)}: {status.todo}"
        return checks.Check(name, rule, CONSULAR_SOURCE, False, message, blocks_hold=False)
    message = status.todo or ""
    if status.state == "warning":
        message += f" Overdue at {in_zone(status.finding_at, detainer.agency)} (R5.5 [U])."
    return checks.Check(name, rule, CONSULAR_SOURCE, None, message, blocks_hold=False)


PART_B_CHECKS = (check_citizenship_stop, check_consular_notification)


def register() -> None:
    """Append Part B's checks to ``incidents.checks.CHECKS`` once (idempotent)."""
    checks.register_checks(*PART_B_CHECKS)
