"""Stored training facts: the date-independent half of each officer's roster status.

The roster status of an officer on a day (``authorization.OfficerTraining.training_status``)
depends on the date only through one comparison: "missing" when a required
course was never completed, else by the earliest expiry over the required
courses held. Those two facts are stored in ``OfficerTrainingFacts`` so the
roster page, its counts and the dashboard derive today's status in SQL from two
columns (``selectors.officers_with_training_status``) instead of recomputing
the rule per officer on every request (docs/performance.md).

Every write that can change the facts refreshes them in its own transaction:
``services.certification_record`` (also used by imports and session
certification issue), ``services.officer_create``, ``services.course_create``
(a course flagged required, legacy rule), and ``requirements.certifications_recompute``
(requirement changes, defaults applied, an officer's agreement change). The
``refresh_training_facts`` command (nightly on beat) recomputes all of them as a
safety net; it is idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from training.roster import authorization, rules
from training.roster.models import Officer, OfficerTrainingFacts

# Officers refreshed per round trip by ``training_facts_refresh_all``.
BATCH_SIZE = 2000
# The facts do not depend on the day; any day works for reading them off the rule.
_ANY_DAY = date(2000, 1, 1)


def training_facts_refresh(*, officer_ids: Iterable[int]) -> int:
    """Recompute and store the training facts of the officers with ``officer_ids``.

    Uses the officer page's Python rule (``authorization.officer_trainings`` and
    ``OfficerTraining.training_status``), so stored facts and officer page agree.
    At most seven queries whatever the number of officers (officers, the five of
    ``officer_trainings``, one upsert). Call it inside the writing transaction.

    Args:
        officer_ids: primary keys of ``Officer`` rows; unknown ids are ignored.

    Returns:
        How many officers' facts were written.
    """
    ids = sorted(set(officer_ids))
    if not ids:
        return 0
    officers = list(Officer.objects.filter(pk__in=ids))
    trainings = authorization.officer_trainings(officers)
    now = timezone.now()
    rows = []
    for officer in officers:
        status = trainings[officer.pk].training_status(_ANY_DAY)
        rows.append(
            OfficerTrainingFacts(
                officer_id=officer.pk,
                agency_id=officer.agency_id,
                missing_required=status.status == rules.MISSING,
                earliest_expiry=status.earliest_expiry,
                refreshed_at=now,
            )
        )
    OfficerTrainingFacts.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["officer"],
        update_fields=["agency", "missing_required", "earliest_expiry", "refreshed_at"],
    )
    return len(rows)


def training_facts_refresh_agency(*, agency_id: int) -> int:
    """``training_facts_refresh`` for every officer of one agency (e.g. a course newly flagged required)."""
    ids = list(Officer.objects.filter(agency_id=agency_id).values_list("pk", flat=True))
    return sum(training_facts_refresh(officer_ids=ids[i : i + BATCH_SIZE]) for i in range(0, len(ids), BATCH_SIZE))


def training_facts_refresh_all(*, agency_ids: Iterable[int] | None = None) -> int:
    """Recompute the facts of every officer (of ``agency_ids`` when given). Idempotent; nightly safety net.

    Returns:
        How many officers' facts were written.
    """
    officers = Officer.objects.order_by("pk")
    if agency_ids is not None:
        officers = officers.filter(agency_id__in=list(agency_ids))
    ids = list(officers.values_list("pk", flat=True))
    return sum(training_facts_refresh(officer_ids=ids[i : i + BATCH_SIZE]) for i in range(0, len(ids), BATCH_SIZE))
