"""Consular notification as a check on the detainer page (DOMAIN.md R5.4–R5.5).

Registered into ``incidents.detainers.checks.CHECKS`` by ``register()``, which
``IncidentsConfig.ready`` calls once (so ``incidents.detainers.checks`` never has to import
this module, and nothing imports in a circle).
"""

from __future__ import annotations

from datetime import datetime

from compliance.core.agency_time import in_zone
from incidents.consular import services as consular
from incidents.detainers import checks
from incidents.detainers.models import Detainer

CONSULAR_SOURCE = "VCCR Art. 36(1)(b); U.S. Dept. of State, Consular Notification and Access manual, 5th ed., 2018"


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
    # A duty still within its time is due, not "does not apply" (a national of any country is owed it, R5.4).
    return checks.Check(
        name, rule, CONSULAR_SOURCE, None, message, blocks_hold=False, due=status.state in ("due", "warning")
    )


def register() -> None:
    """Append the consular check to ``incidents.detainers.checks.CHECKS`` once (idempotent)."""
    checks.register_checks(check_consular_notification)
