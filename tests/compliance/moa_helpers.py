"""Shared set-up of the MOA checklist tests (invented records only)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from compliance.core.models import AgreementRequirement
from compliance.moa.evidence import Period
from compliance.moa.services import requirements_apply


def period_to_today(agency, *, months_days: int = 365, as_of: datetime | None = None) -> Period:
    """The 12 months (365 days) to the agency's today, answered a second from now (records just written count)."""
    as_of = as_of or timezone.now() + timedelta(seconds=1)
    today = timezone.localdate(as_of, agency.zone)
    return Period(start=today - timedelta(days=months_days - 1), end=today, as_of=as_of)


def today_of(agency) -> date:
    return timezone.localdate(timezone.now(), agency.zone)


def applied(agreement, admin) -> dict[str, AgreementRequirement]:
    """Apply the shipped templates to ``agreement`` as ``admin``; key → requirement."""
    requirements_apply(agreement=agreement, actor=admin)
    return {r.key: r for r in AgreementRequirement.objects.filter(agreement=agreement).select_related("agreement")}
