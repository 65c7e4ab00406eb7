"""A resident's complaint, filed without an account: the case, its contact, its attachments, in one transaction.

``complaint_submit`` is called by the public intake page (``community.complaint_intake``). It checks
every attached file first (``incidents.case_files.services.attachment_prepare``: content, size, virus
scan), so a refused file writes nothing; then, in one transaction, it opens the case (source
public, kind complaint, stage received, severity medium, a title without names), stores the
contact (none for an anonymous complaint), the files, a timeline line ``RECEIVED`` with no actor,
and, when an e-mail address was given, records the "received" notice (mailed on commit, in the
complainant's language: ``incidents.complaints.notices``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from compliance.core.audit import acting_as
from compliance.core.models import Agency, Severity
from incidents.case_files.models import CaseAttachment
from incidents.case_files.services import attachment_files_remove, attachment_prepare, attachment_save
from incidents.complaints import notices
from incidents.complaints.models import ComplaintContact
from incidents.complaints.tracking import tracking_number_new
from incidents.incident_log.models import CaseEvent, Incident, case_event_record
from incidents.incident_log.notices import case_notify, case_reviewers, case_summary

#: The title staff see in lists and e-mails: never a name.
TITLE = "Public complaint"
#: Tries before giving up on drawing a tracking number nobody has (a clash is ~1 in 10¹⁴ per case).
TRACKING_TRIES = 5


def complaint_submit(
    *,
    agency: Agency,
    description: str,
    occurred_at: datetime,
    location: str = "",
    officer_description: str = "",
    immigration_related: str = Incident.Immigration.UNSURE,
    name: str = "",
    email: str = "",
    phone: str = "",
    language: str = "en",
    uploads: Sequence = (),
) -> Incident:
    """Open a public complaint in ``agency``; return the case with its new ``tracking_number``.

    Args:
        agency: the agency the complaint is about (the resident chose it).
        description: what happened, as typed.
        occurred_at: aware datetime (the agency-local date and time, converted; stored UTC).
        location, officer_description: where; the officer as named (name or badge), optional.
        immigration_related: an ``Incident.Immigration`` value (yes / no / not sure).
        name, email, phone: the complainant's contact, each optional; all blank = anonymous (no contact row).
        language: a ``settings.LANGUAGES`` code; notices to the complainant are written in it.
        uploads: up to ``settings.CASE_FILE_MAX_COUNT`` uploaded files (PDF, PNG, JPEG; each
            ``settings.CASE_FILE_MAX_BYTES`` at most).

    Returns:
        The new ``Incident`` (stage received, source public, kind complaint, severity medium).

    Raises:
        ValidationError: keyed by ``"attachments"`` (too many files, or one refused; message in the
            active language) or ``"language"`` (not an offered language). Nothing is written.
    """
    if len(uploads) > settings.CASE_FILE_MAX_COUNT:
        limit = settings.CASE_FILE_MAX_COUNT
        raise ValidationError(
            {
                "attachments": ngettext("Attach at most %(limit)d file.", "Attach at most %(limit)d files.", limit)
                % {"limit": limit}
            }
        )
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": gettext("Choose one of the languages offered.")})
    prepared = [attachment_prepare(upload, field="attachments") for upload in uploads]
    saved: list[CaseAttachment] = []
    try:
        with transaction.atomic(), acting_as(None, reason="Public complaint received"):
            incident = _incident_with_tracking_number(
                agency=agency,
                description=description,
                occurred_at=occurred_at,
                location=location,
                officer_description=officer_description,
                immigration_related=immigration_related,
            )
            case_event_record(incident=incident, kind=CaseEvent.Kind.RECEIVED, actor=None, at=incident.received_at)
            if name or email or phone:
                ComplaintContact.objects.create(
                    incident=incident, name=name, email=email, phone=phone, language=language
                )
            for item in prepared:
                saved.append(attachment_save(incident=incident, prepared=item, actor=None, from_public=True))
            notices.complainant_notice_send(incident=incident, kind=notices.RECEIVED, actor=None)
            immigration = (
                " It concerns immigration authority: check the ICE referral deadline."
                if incident.immigration_related == Incident.Immigration.YES
                else ""
            )
            case_notify(
                incident=incident,
                recipients=case_reviewers(incident),
                text=f"New public complaint to triage: {case_summary(incident)}.{immigration}",
            )
    except BaseException:
        attachment_files_remove(saved)
        raise
    return incident


def _incident_with_tracking_number(**fields) -> Incident:
    """Save a new public complaint under a fresh tracking number (drawn again on the rare clash)."""
    for attempt in range(TRACKING_TRIES):
        incident = Incident(
            kind=Incident.Kind.COMPLAINT,
            severity=Severity.MEDIUM,
            status=Incident.Status.RECEIVED,
            source=Incident.Source.PUBLIC,
            received_at=timezone.now(),
            tracking_number=tracking_number_new(),
            **fields,
        )
        # Told apart in the queue, on the case page and in the report by its number (not personal data).
        incident.title = f"{TITLE} {incident.tracking_number}"
        try:
            with transaction.atomic():  # a savepoint: a clash rolls back only this try
                incident.save()
        except IntegrityError:
            if attempt == TRACKING_TRIES - 1:
                raise
            continue
        return incident
    raise AssertionError("unreachable")
