"""Reads of referrals and a case's deadlines, scoped through ``compliance.core.access`` (no query per row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from compliance.core import access
from incidents.incident_log.models import Incident, IncidentSettings
from incidents.referrals.case_settings import incident_settings_for
from incidents.referrals.deadlines import (
    IceReferralStatus,
    case_time_to_close,
    duration_text,
    ice_referral_status,
    investigation_deadline,
)
from incidents.referrals.models import Referral
from incidents.referrals.services import may_refer


def referral_or_404(user, public_id, perm: str = access.VIEW) -> Referral:
    """The referral ``public_id`` if ``user`` holds ``perm`` in its agency, else 404 (existence not leaked, C1)."""
    return access.get_scoped_or_404(
        Referral.objects.select_related("agency", "incident", "incident__agency"),
        user,
        perm,
        public_id=public_id,
    )


@dataclass(frozen=True)
class CaseReferrals:
    """The referrals panel of a case page."""

    referrals: list[Referral]
    settings: IncidentSettings
    ice: IceReferralStatus
    investigation_deadline: datetime
    time_to_close: timedelta | None
    can_record: bool

    @property
    def time_to_close_text(self) -> str:
        return duration_text(self.time_to_close)


def case_referrals(*, incident: Incident, user, now: datetime | None = None) -> CaseReferrals:
    """Referrals of ``incident`` (reached through access), its ICE-notice status and deadlines, for ``user``.

    A fixed number of queries (referrals, settings, the user's permission checks).
    """
    now = now or timezone.now()
    referrals = list(
        Referral.objects.filter(incident=incident, agency=incident.agency)
        .select_related("recorded_by")
        .order_by("referred_at", "pk")
    )
    settings = incident_settings_for(incident.agency)
    ice_times = [r.referred_at for r in referrals if r.recipient == Referral.Recipient.ICE_OPR]
    ice = ice_referral_status(
        incident=incident, settings=settings, first_ice_referral_at=min(ice_times, default=None), now=now
    )
    return CaseReferrals(
        referrals=referrals,
        settings=settings,
        ice=ice,
        investigation_deadline=investigation_deadline(incident, settings),
        time_to_close=case_time_to_close(incident),
        can_record=may_refer(user, incident),
    )


def deadline_counts(*, agency, now: datetime) -> dict[str, int]:
    """For the dashboard: ``cases_past_target`` (open, past the investigation target) and ``referrals_overdue``
    (concerning immigration authority, ICE deadline passed, no ICE OPR referral recorded). Two queries.
    """
    settings = incident_settings_for(agency)
    no_ice_referral = ~Exists(Referral.objects.filter(incident=OuterRef("pk"), recipient=Referral.Recipient.ICE_OPR))
    return Incident.objects.filter(agency=agency).aggregate(
        cases_past_target=Count(
            "pk",
            filter=~Q(status=Incident.Status.CLOSED)
            & Q(received_at__lt=now - timedelta(days=settings.investigation_target_days)),
        ),
        referrals_overdue=Count(
            "pk",
            filter=Q(immigration_related=Incident.Immigration.YES)
            & Q(received_at__lt=now - timedelta(hours=settings.ice_referral_hours))
            & Q(no_ice_referral),
        ),
    )
