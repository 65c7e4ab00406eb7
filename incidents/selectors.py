"""Reads for detainers and incidents, scoped through ``compliance.core.access``.

Each selector does its joins here so templates cannot cause a query per row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from compliance.core import access
from compliance.core.local_days import local_day_start
from compliance.core.models import Agency
from incidents.choices import OffenseLevel
from incidents.models import Detainer, Incident


def detainers_for(user, *, perm: str = access.VIEW) -> QuerySet[Detainer]:
    """Detainers of every agency where ``user`` holds ``perm``, open ones first by nearest hold deadline.

    Order: the detainer log's (``incidents.detainer_log``): open (outcome pending) before
    closed; open by ``hold_deadline`` ascending (no deadline yet last); then newest received
    first, ties by ``public_id`` descending. Agency and handling officer are joined.

    Not for pages of the log: this order sorts every row (no index holds it since
    migration 0011). The log page reads keyset pages through
    ``incidents.detainer_log.detainer_log_page``, index ranges with LIMIT.
    """
    pending = Detainer.Outcome.PENDING
    return (
        access.scope(Detainer.objects.all(), user, perm)
        .select_related("agency", "handling_officer")
        .order_by(
            Case(When(outcome=pending, then=Value(0)), default=Value(1), output_field=IntegerField()),
            F("hold_deadline").asc(nulls_last=True),
            "-received_at",
            "-public_id",
        )
    )


def incidents_for(user, *, perm: str = access.VIEW, status: str | None = None) -> QuerySet[Incident]:
    """Incidents of every agency where ``user`` holds ``perm``, newest first; optionally one status."""
    queryset = access.scope(Incident.objects.all(), user, perm).select_related("agency", "detainer")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-occurred_at", "-pk")


def agency_supervisor_emails(agency_ids: Iterable[int]) -> dict[int, list[str]]:
    """E-mail addresses of the active users holding ``review_records`` on each agency.

    Args:
        agency_ids: primary keys of ``compliance.Agency`` rows.

    Returns:
        ``{agency id: sorted addresses}``; agencies with nobody to tell are absent.
        Two queries whatever the number of agencies (direct and group object
        permissions), so the deadline sweep does not grow per agency.
    """
    keys = [str(pk) for pk in set(agency_ids)]
    if not keys:
        return {}
    agency_type = ContentType.objects.get_for_model(Agency)
    common = {"content_type": agency_type, "permission__codename": access.REVIEW, "object_pk__in": keys}
    direct = (
        get_user_obj_perms_model()
        .objects.filter(user__is_active=True, **common)
        .values_list("object_pk", "user__email")
    )
    via_group = (
        get_group_obj_perms_model()
        # One filter() call: the active user and the address are the same joined user.
        .objects.filter(group__user__is_active=True, **common)
        .values_list("object_pk", "group__user__email")
    )
    found: dict[int, set[str]] = defaultdict(set)
    for rows in (direct, via_group):
        for object_pk, email in rows:
            if email:
                found[int(object_pk)].add(email)
    return {pk: sorted(emails) for pk, emails in found.items()}


# --- Part C: custody board ---


def custody_board_for(user) -> QuerySet[Detainer]:
    """Open detainers of every agency where ``user`` may view records, nearest hold deadline first.

    Detainers whose release time (so deadline) is not known yet come last, newest
    received first. Agency, agreement and handling officer are joined, as
    ``incidents.checks.holds_authorized`` needs: a constant number of queries
    whatever the page shows.
    """
    return (
        access.scope(Detainer.objects.open(), user, access.VIEW)
        # The agreement and the officer's agency are read by incidents.checks.holds_authorized.
        .select_related("agency", "agreement", "handling_officer__agency")
        .order_by(F("hold_deadline").asc(nulls_last=True), "-received_at", "-pk")
    )


# --- Issue 4 item 7: offense-level view (R3.3; GAO-09-109 finding 1) ---

#: Key of the bucket for detainers with no offense level recorded.
UNKNOWN_LEVEL = "unknown"


@dataclass(frozen=True)
class LevelShare:
    """One row of the offense-level table: ``key`` is "1", "2", "3" or ``UNKNOWN_LEVEL``."""

    key: str
    label: str
    count: int
    share: float  # 0.0–1.0 of all detainers in the period; 0.0 when there are none

    @property
    def percent(self) -> float:
        return round(self.share * 100, 1)


@dataclass(frozen=True)
class OffenseLevelShares:
    """Detainers of one agency in a period, by offense level, and those for a minor offense only."""

    agency: object
    start: date | None
    end: date | None
    total: int
    levels: list[LevelShare]
    minor_count: int
    minor_share: float

    @property
    def minor_percent(self) -> float:
        return round(self.minor_share * 100, 1)


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0


def offense_level_shares(*, agency, start: date | None = None, end: date | None = None) -> OffenseLevelShares:
    """Counts and shares of ``agency``'s detainers by offense level, and of minor-offense-only ones.

    Args:
        agency: a ``compliance.Agency`` the caller already checked the user may view.
        start, end: optional agency-local dates (not datetimes), both inclusive, on the
            detainer's ``received_at``; a day runs from local midnight to local
            midnight in ``agency.time_zone`` (so a 23- or 25-hour DST day is whole).

    Returns:
        ``OffenseLevelShares``: one ``LevelShare`` per level 1, 2, 3 then "unknown"
        (no level recorded), each with its count and share of the total (0.0 when
        the period has no detainers), and the count/share of detainers whose only
        charge is a traffic or other minor offense (``minor_offense_only``).
        One aggregate query whatever the number of detainers.

    Raises:
        ValueError: ``start`` is after ``end``.

    Source: DOMAIN.md R3.3 (priority levels; the distribution must show use against
    minor offenses) and GAO-09-109 finding 1 ("4 of the 29 agencies used 287(g)
    authority for minor crimes such as speeding").
    """
    if start and end and start > end:
        raise ValueError("The start date is after the end date.")
    detainers = Detainer.objects.filter(agency=agency)
    if start:
        detainers = detainers.filter(received_at__gte=local_day_start(start, agency.zone))
    if end:
        detainers = detainers.filter(received_at__lt=local_day_start(end + timedelta(days=1), agency.zone))
    counts = detainers.order_by().aggregate(
        total=Count("pk"),
        minor=Count("pk", filter=Q(minor_offense_only=True)),
        **{f"level_{level.value}": Count("pk", filter=Q(offense_level=level.value)) for level in OffenseLevel},
    )
    total = counts["total"]
    rows = [(str(level.value), level.label, counts[f"level_{level.value}"]) for level in OffenseLevel]
    rows.append((UNKNOWN_LEVEL, "Not recorded", total - sum(count for _, _, count in rows)))
    levels = [LevelShare(key, label, count, _share(count, total)) for key, label, count in rows]
    return OffenseLevelShares(
        agency=agency,
        start=start,
        end=end,
        total=total,
        levels=levels,
        minor_count=counts["minor"],
        minor_share=_share(counts["minor"], total),
    )
