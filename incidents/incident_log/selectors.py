"""Reads for the incident log and the supervisor's queue, scoped through ``compliance.core.access``.

Each selector does its joins here so templates cannot cause a query per row.

Deadlines (DOMAIN.md R3.5; the agency's ``IncidentSettings``, or the defaults when the
agency has no row), for an *open* case (the queue is a work list; a closed case that was
never referred is the report's and the deadline findings' business): it is *past the
investigation target* when more than ``investigation_target_days`` days (real elapsed
time, 24-hour days) have passed since it was received; its *ICE referral is overdue*
when it concerns immigration authority (``immigration_related`` "yes"), no referral to
ICE OPR / the Joint Intake Center is recorded and ``ice_referral_hours`` real hours have
passed since it was received. "Overdue" in the queue is either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from compliance.core import access, keyset
from incidents.incident_log.models import Incident, IncidentSettings, SubjectOfficer
from incidents.referrals.case_settings import incident_settings_by_agency
from incidents.referrals.models import Referral

#: Defaults of ``IncidentSettings`` for an agency that has not saved its own (check against the MOA).
DEFAULT_ICE_REFERRAL_HOURS = IncidentSettings._meta.get_field("ice_referral_hours").default
DEFAULT_INVESTIGATION_TARGET_DAYS = IncidentSettings._meta.get_field("investigation_target_days").default

#: Closures that need no ICE referral of their own (the case it merged into carries it; not our matter): the report.
NO_REFERRAL_CLOSURES = (Incident.Closure.MERGED, Incident.Closure.NOT_AGENCY_MATTER)

#: The queue's stage filter: the four stages, and "open" (every stage but closed).
STAGE_OPEN = "open"

#: The queue's order (newest received first, the id breaking ties): indexes ``incident_agency_received_idx``,
#: ``incident_received_idx`` and the filters' indexes hold it. Keyset pages (``compliance.core.keyset``).
QUEUE_ORDER = (keyset.Key("received_at", descending=True), keyset.Key("pk", descending=True))
QUEUE_CURSOR_SALT = "incidents.queue"
QUEUE_PAGE_SIZE = 25


@dataclass(frozen=True)
class CaseDeadlines:
    """One agency's case deadlines: ICE referral within ``ice_referral_hours`` (hours), close within
    ``investigation_target_days`` (days), both counted from ``received_at`` in real elapsed time."""

    ice_referral_hours: int = DEFAULT_ICE_REFERRAL_HOURS
    investigation_target_days: int = DEFAULT_INVESTIGATION_TARGET_DAYS

    @property
    def referral_window(self) -> timedelta:
        return timedelta(hours=self.ice_referral_hours)

    @property
    def investigation_window(self) -> timedelta:
        return timedelta(days=self.investigation_target_days)


def case_deadlines_for(agency_ids: Iterable[int]) -> dict[int, CaseDeadlines]:
    """Each agency's ``CaseDeadlines`` (its ``IncidentSettings`` row, or the defaults), by agency pk.

    Args:
        agency_ids: primary keys of agencies the caller already scoped.

    Returns:
        A dict with an entry for every id given. One query.
    """
    # The settings as every page and job reads them (incidents.referrals.case_settings: the row or the defaults).
    return {
        agency_id: CaseDeadlines(row.ice_referral_hours, row.investigation_target_days)
        for agency_id, row in incident_settings_by_agency(agency_ids).items()
    }


def ice_referral_exists():
    """``Exists`` of an ICE OPR referral of the outer case (to filter an ``Incident`` queryset)."""
    return Exists(Referral.objects.filter(incident=OuterRef("pk"), recipient=Referral.Recipient.ICE_OPR))


def overdue_q(deadlines: dict[int, CaseDeadlines], *, now: datetime) -> Q:
    """Open cases past the investigation target or with an overdue ICE referral at ``now`` (module docstring).

    Args:
        deadlines: ``case_deadlines_for`` of every agency the queryset may hold (one term per agency,
            so each agency's own settings apply).
        now: aware datetime.

    Returns:
        A ``Q`` for an ``Incident`` queryset: "not closed" first (the open-cases partial index), then
        one ``NOT EXISTS`` on the referrals whatever the number of agencies.
    """
    past_target, referral_due = Q(pk__in=[]), Q(pk__in=[])
    for agency_id, deadline in deadlines.items():
        past_target |= Q(agency_id=agency_id, received_at__lt=now - deadline.investigation_window)
        referral_due |= Q(agency_id=agency_id, received_at__lt=now - deadline.referral_window)
    referral_overdue = Q(immigration_related=Incident.Immigration.YES) & referral_due & ~ice_referral_exists()
    return ~Q(status=Incident.Status.CLOSED) & (past_target | referral_overdue)


def incidents_for(user, *, perm: str = access.VIEW, status: str | None = None) -> QuerySet[Incident]:
    """Incidents of every agency where ``user`` holds ``perm``, newest first; optionally one status."""
    queryset = access.scope(Incident.objects.all(), user, perm).select_related("agency", "detainer")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-occurred_at", "-pk")


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, already validated (``incidents.incident_log.forms.QueueFilterForm``).

    ``stage``: an ``Incident.Status`` value, ``STAGE_OPEN`` or ""; ``kind``: an ``Incident.Kind`` value or "";
    ``officer``: a roster ``Officer`` the user may see, or None; ``overdue``: only overdue cases;
    ``source``: an ``Incident.Source`` value or ""; ``mine``: only cases assigned to the user; ``severity``: an
    ``Incident.Severity`` value or "" (the dashboard's open incidents by severity link here).
    """

    stage: str = ""
    kind: str = ""
    officer: object = None
    overdue: bool = False
    source: str = ""
    mine: bool = False
    severity: str = ""


def queue_for(
    user, filters: QueueFilters, *, agency_ids: list[int], deadlines: dict[int, CaseDeadlines], now: datetime
) -> QuerySet:
    """The supervisor's queue: cases of the agencies where ``user`` may view records, newest received first.

    Args:
        user: the signed-in user ("assigned to me").
        filters: ``QueueFilters``.
        agency_ids: primary keys of the agencies where ``user`` holds VIEW
            (``access.agencies_for(user, access.VIEW)``): a list of values, not a subquery, so
            PostgreSQL walks the ``(agency, received_at, id)`` index and stops after the page.
        deadlines: ``case_deadlines_for`` those agencies (the overdue filter uses it).
        now: aware datetime the overdue filter is asked at.

    Returns:
        ``Incident`` queryset with agency and investigator joined, ordered ``-received_at, -pk``
        (stable, ``QUEUE_ORDER``). Its keyset page costs one query, the count another; the officer filter one more.
    """
    queryset = Incident.objects.filter(agency_id__in=agency_ids).select_related("agency", "investigator")
    if filters.stage == STAGE_OPEN:
        queryset = queryset.exclude(status=Incident.Status.CLOSED)
    elif filters.stage:
        queryset = queryset.filter(status=filters.stage)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.mine:
        queryset = queryset.filter(investigator=user)
    if filters.officer is not None:
        # The officer's cases first (one indexed query, a few hundred ids), so the page is a primary-key look-up.
        cases = SubjectOfficer.objects.filter(officer=filters.officer).values_list("incident_id", flat=True)
        queryset = queryset.filter(pk__in=list(cases))
    if filters.overdue:
        queryset = queryset.filter(overdue_q(deadlines, now=now))
    return queryset.order_by("-received_at", "-pk")


@dataclass(frozen=True)
class QueueRow:
    """One case as the queue shows it: ``age`` (timedelta since received), and which deadline it has missed."""

    incident: Incident
    age: timedelta
    past_target: bool
    referral_overdue: bool

    @property
    def overdue(self) -> bool:
        return self.past_target or self.referral_overdue

    @property
    def age_text(self) -> str:
        """The age in whole days (``12 days``), or whole hours under a day (``5 hours``)."""
        return duration_text(self.age)


def duration_text(span: timedelta) -> str:
    """``span`` in whole days (``1 day``, ``12 days``), or whole hours under a day (``0 hours``, ``5 hours``)."""
    if span >= timedelta(days=1):
        days = span.days
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(0, int(span.total_seconds() // 3600))
    return f"{hours} hour{'s' if hours != 1 else ''}"


def queue_rows(incidents: Iterable[Incident], *, deadlines: dict[int, CaseDeadlines], now: datetime) -> list[QueueRow]:
    """``QueueRow`` of each case of a ``queue_for`` page. One query (which of them have an ICE referral).

    Args:
        incidents: the page's cases (already scoped).
        deadlines: ``case_deadlines_for`` their agencies.
        now: aware datetime; a closed case's age is its time to close.
    """
    incidents = list(incidents)
    referred = set(
        Referral.objects.filter(
            agency_id__in={incident.agency_id for incident in incidents},
            incident__in=incidents,
            recipient=Referral.Recipient.ICE_OPR,
        ).values_list("incident_id", flat=True)
    )
    rows = []
    for incident in incidents:
        deadline = deadlines.get(incident.agency_id, CaseDeadlines())
        is_closed = incident.status == Incident.Status.CLOSED
        age = ((incident.closed_at or now) if is_closed else now) - incident.received_at
        past_target = not is_closed and now - incident.received_at > deadline.investigation_window
        referral_overdue = (
            not is_closed
            and incident.immigration_related == Incident.Immigration.YES
            and incident.pk not in referred
            and now - incident.received_at > deadline.referral_window
        )
        rows.append(QueueRow(incident, age, past_target, referral_overdue))
    return rows


def incident_or_404(user, public_id, perm: str = access.VIEW) -> Incident:
    """The case ``public_id`` if ``user`` holds ``perm`` in its agency, else 404 (existence not leaked, C1)."""
    return access.get_scoped_or_404(
        Incident.objects.select_related("agency", "detainer", "reported_by", "investigator", "closed_by"),
        user,
        perm,
        public_id=public_id,
    )
