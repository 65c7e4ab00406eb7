"""The daily lapse check: record, with history, that a certification lapsed (case H1).

A certification's ``expires_on`` is its last valid day, inclusive (case T1), so
it has lapsed once the agency-local today is after it. The roster status is
derived from dates and nothing stored changes when that happens, so an auditor
reading the audit trail could not see that the system noticed. This job stores
the fact: it sets ``Certification.lapse_recorded_on`` to the agency-local date
of the run, one saved row and one history row per certification, attributed to
the system account with the reason ``LAPSE_REASON`` (never ``QuerySet.update()``,
which writes no history).

Why this field and not a "lapsed on" date: the first day without coverage is
always ``expires_on`` + 1 day and storing it would duplicate ``expires_on``.
What the record cannot otherwise show is that, and when, the system noticed;
the history row adds the exact instant and the author.

Which certifications lapse: those that are the latest of their officer and
course (``selectors.latest_certifications``, the rule of the reminders and of
the roster, backed by ``cert_officer_course_latest_idx``; under an agreement's
requirements the basic course and the refresher are one chain, so a basic
course followed by a refresher is renewed, not lapsed). A certification
renewed before it expired never lapses. Every course counts, required or not,
and every officer, whatever their status: the mark says the certification
lapsed, not that the officer lost authorization (``training.roster.authorization``
decides that from completion and expiry dates).

Once recorded, the mark stays: a renewal recorded later leaves the old row's
``lapse_recorded_on`` (it did lapse; the renewal makes the new row the latest,
so the old one is never looked at again). Two limits follow from looking only
at latest certifications, both visible on the officer's timeline, which
derives lapses from the dates (``training.roster.timeline``): a renewal recorded
before the job ran (the job was down for days, or training entered late) hides
the old row's lapse from the job; and a renewal whose completion date, entered
late, covers the day after the old expiry leaves the mark on a certification
that, by the dates, did not lapse — the mark records what was on file that day.

The job is idempotent: a second run the same day, or any later run, finds the
marked rows already marked and writes nothing. Runs daily on beat at 05:40 UTC
(``compliance/celery.py``), which is the evening of the lapse day in the
continental United States west of the Eastern zone and just after midnight in
it, so ``lapse_recorded_on`` is normally the first day without coverage; a run
missed for some days records the day it caught up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Q

from compliance.core.audit import acting_as
from compliance.core.models import Agency
from compliance.core.system_account import system_user
from training.roster import rules
from training.roster.selectors import latest_certifications

LAPSE_REASON = "Certification lapsed"


def certifications_record_lapses(*, today: date | None = None, agency: Agency | None = None) -> int:
    """Record today's lapses: set ``lapse_recorded_on`` on each newly lapsed latest certification.

    Args:
        today: the date to judge by, for every agency (tests, a catch-up run);
            default: each agency's own local date (``rules.agency_today``), so at
            2026-03-01 03:00 UTC a certification valid through 2026-02-28 has
            lapsed in America/New_York (already March 1) but not yet in
            America/Chicago (still February 28).
        agency: only this agency's certifications; default every agency.

    Returns:
        How many certifications were marked (0 on a second run).

    Three queries plus one save and one history row per marked certification,
    in one transaction, attributed to ``system_user()`` with the reason
    ``LAPSE_REASON`` (case H1). Rows are locked (``select_for_update``) and the
    "not marked yet" test is part of the locked query, so two workers running
    at once cannot both mark a row.
    """
    agencies = [agency] if agency is not None else list(Agency.objects.order_by("pk"))
    by_day: dict[date, list[int]] = defaultdict(list)
    for each in agencies:
        by_day[today or rules.agency_today(each)].append(each.pk)
    if not by_day:
        return 0
    # One condition per distinct local date (two or three across US zones), one query.
    lapsed = Q()
    for day, agency_ids in by_day.items():
        lapsed |= Q(agency_id__in=agency_ids, expires_on__lt=day)
    day_of = {agency_id: day for day, agency_ids in by_day.items() for agency_id in agency_ids}
    with transaction.atomic(), acting_as(system_user(), reason=LAPSE_REASON):
        certifications = list(
            latest_certifications()
            .filter(lapsed, lapse_recorded_on__isnull=True)
            .select_for_update(of=("self",))
            .order_by("agency_id", "expires_on", "pk")
        )
        for certification in certifications:
            certification.lapse_recorded_on = day_of[certification.agency_id]
            certification.save(update_fields=["lapse_recorded_on", "updated_at"])
    return len(certifications)
