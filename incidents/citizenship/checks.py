"""The U.S.-citizenship STOP as a check on the detainer page (DOMAIN.md R5.1–R5.2).

Registered into ``incidents.detainers.checks.CHECKS`` by ``register()``, which
``IncidentsConfig.ready`` calls once (so ``incidents.detainers.checks`` never has to import
this module, and nothing imports in a circle).
"""

from __future__ import annotations

from datetime import datetime

from incidents.citizenship import services as citizenship
from incidents.detainers import checks
from incidents.detainers.models import Detainer

CITIZENSHIP_SOURCE = "ICE Directive 16001.2 (10 Nov 2015); ICE guidance of 19 Nov 2009 (R5.2)"


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


def register() -> None:
    """Append the STOP check to ``incidents.detainers.checks.CHECKS`` once (idempotent)."""
    checks.register_checks(check_citizenship_stop)
