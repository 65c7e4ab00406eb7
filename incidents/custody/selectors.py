"""The custody board's read: open detainers in the user's scope, nearest hold deadline first.

Scoped through ``compliance.core.access``; the joins are done here so templates
cannot cause a query per row.
"""

from __future__ import annotations

from django.db.models import F, QuerySet

from compliance.core import access
from incidents.detainers.models import Detainer


def custody_board_for(user) -> QuerySet[Detainer]:
    """Open detainers of every agency where ``user`` may view records, nearest hold deadline first.

    Detainers whose release time (so deadline) is not known yet come last, newest
    received first. Agency, agreement and handling officer are joined, as
    ``incidents.detainers.checks.holds_authorized`` needs: a constant number of queries
    whatever the page shows.
    """
    return (
        access.scope(Detainer.objects.open(), user, access.VIEW)
        # The agreement and the officer's agency are read by incidents.detainers.checks.holds_authorized.
        .select_related("agency", "agreement", "handling_officer__agency")
        .order_by(F("hold_deadline").asc(nulls_last=True), "-received_at", "-pk")
    )
