"""The MOA checklist's lines in the supervisors' daily digest (issue #15 item 1).

A requirement whose stored status changes to at risk or not met raises one ``RequirementNotice``
(``compliance.moa.status``). Each is told once to every active user who holds ``review_records``
(supervisors) or ``administer_agency`` in its agency, in their next daily digest
(``training.reminders``: e-mail and in-app notification, at most one digest per recipient and
day), as one line: the agreement's model, the requirement's title, its new status and reason, and a
link to the checklist. No personal data: titles and reasons are about the agency's records in
general. ``RequirementNoticeDelivery`` (unique per notice and recipient) is the "told" mark,
written in the digest's own transaction.

Registered into ``training.reminders.sections.DIGEST_SECTIONS`` by ``digest_section_register``
(``ComplianceConfig.ready``). Queries: one for the notices, one per agency for its recipients,
one for what was told.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from compliance.core import access
from compliance.core.models import RequirementNotice, RequirementNoticeDelivery
from training.reminders.sections import DigestSection, SectionLine, digest_section_add

TITLE = "Your agreement's requirements (MOA checklist)"
#: Notices older than this are no longer told (a change nobody was around to hear of is stale news).
TELL_WITHIN_DAYS = 14


def notice_text(notice: RequirementNotice) -> str:
    """The digest's sentence for ``notice``: model, title, new status and reason. No personal data."""
    requirement = notice.requirement
    status = dict(RequirementNotice._meta.get_field("status").choices)[notice.status]
    return f"{requirement.agreement.model} — {requirement.title}: {status.lower()}. {notice.reason}".strip()


def _recipients(agency) -> list:
    holders = get_users_with_perms(
        agency, only_with_perms_in=[access.REVIEW, access.ADMINISTER], with_group_users=False
    )
    return list(holders.filter(is_active=True).order_by("pk"))


def requirement_lines(agency_ids: set[int] | None, now: datetime) -> list[SectionLine]:
    """The notices of ``agency_ids`` (None: all) not told yet to each of their recipients, as digest lines."""
    notices = RequirementNotice.objects.filter(
        changed_at__gte=now - timedelta(days=TELL_WITHIN_DAYS), changed_at__lte=now
    ).select_related("requirement__agreement", "agency")
    if agency_ids is not None:
        notices = notices.filter(agency_id__in=agency_ids)
    notices = list(notices.order_by("changed_at", "pk"))
    if not notices:
        return []
    told = set(RequirementNoticeDelivery.objects.filter(notice__in=notices).values_list("notice_id", "recipient_id"))
    recipients = {}
    lines = []
    for notice in notices:
        agency = notice.agency
        if agency.pk not in recipients:
            recipients[agency.pk] = _recipients(agency)
        link = reverse("moa:checklist", kwargs={"public_id": notice.requirement.agreement.public_id})
        today = timezone.localdate(now, agency.zone)
        for user in recipients[agency.pk]:
            if (notice.pk, user.pk) in told:
                continue
            lines.append(SectionLine(notice.pk, user, agency, today, notice_text(notice), link))
    return lines


def requirement_lines_record(lines: list[SectionLine], sent_for_date: date, now: datetime) -> None:
    """Mark ``lines`` told (inside the digest's transaction; a line told by another run raises IntegrityError)."""
    RequirementNoticeDelivery.objects.bulk_create(
        [
            RequirementNoticeDelivery(notice_id=line.key, recipient=line.user, sent_for_date=sent_for_date, sent_at=now)
            for line in lines
        ]
    )


def digest_section_register() -> None:
    """Add the MOA checklist's section to the daily digest (called by ``ComplianceConfig.ready``)."""
    digest_section_add(DigestSection(TITLE, requirement_lines, requirement_lines_record))
