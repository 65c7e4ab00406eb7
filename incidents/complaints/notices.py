"""Notices to a complainant who gave an e-mail address: in their language, with no names, each sent at most once.

A notice says the stage of their complaint and its tracking number (and, for a complaint
closed as not an agency matter, the reason the supervisor wrote for them), and links to the
public status page (the bare page: the number is typed there, never put in the link). It never
carries a name, an officer, an internal note or a link with personal data. It is written in the
complainant's language (``ComplaintContact.language``), whatever the language of the person
whose action sent it. Each notice is recorded
as a ``CaseEvent`` (``COMPLAINANT_NOTIFIED``, the notice's kind as text) in the caller's
transaction and mailed on commit; a notice of a kind already recorded for the case's
current round (since its last reopening) is not sent again.
"""

from __future__ import annotations

from functools import partial

from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from compliance.core.site_links import absolute_url
from incidents.incident_log.models import CaseEvent, Incident, case_event_record

RECEIVED = "received"
DECLINED = "declined"
CLOSED = "closed"
KINDS = (RECEIVED, DECLINED, CLOSED)


def complainant_notice_send(*, incident: Incident, kind: str, actor=None) -> bool:
    """Record and (on commit) e-mail one notice of ``kind`` to the complainant of ``incident``.

    Args:
        incident: a public complaint (others have no complainant: nothing is sent).
        kind: ``RECEIVED``, ``DECLINED`` or ``CLOSED``.
        actor: the user whose action caused the notice (timeline author); None for the public.

    Returns:
        True if a notice was recorded and queued; False if there is no address or it was already sent.

    Raises:
        ValueError: unknown ``kind``.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown complainant notice {kind!r}.")
    contact = getattr(incident, "contact", None) if incident.source == Incident.Source.PUBLIC else None
    if contact is None or not contact.reachable:
        return False
    since = incident.reopened_at or incident.received_at
    already = incident.events.filter(kind=CaseEvent.Kind.COMPLAINANT_NOTIFIED, text=kind, at__gte=since).exists()
    if already:
        return False
    case_event_record(incident=incident, kind=CaseEvent.Kind.COMPLAINANT_NOTIFIED, actor=actor, text=kind)
    message = _message(incident=incident, kind=kind, address=contact.email, language=contact.language)
    transaction.on_commit(partial(message.send, fail_silently=False))
    return True


def _message(*, incident: Incident, kind: str, address: str, language: str) -> EmailMessage:
    with translation.override(language):
        number = incident.tracking_number or ""
        if kind == RECEIVED:
            subject = gettext("Your complaint was received")
            body = gettext(
                "We received your complaint. Its tracking number is %(number)s. Keep it: with it you can "
                "see the stage of your complaint on the complaint status page."
            ) % {"number": number}
        elif kind == DECLINED:
            subject = gettext("Your complaint was closed")
            body = gettext(
                "Your complaint %(number)s was reviewed and closed because it is not a matter for this agency."
            ) % {"number": number}
            if incident.closure_reason:
                body += "\n\n" + gettext("The reason given: %(reason)s") % {"reason": incident.closure_reason}
        else:
            subject = gettext("The review of your complaint is finished")
            body = gettext("The review of your complaint %(number)s is finished and the case is closed.") % {
                "number": number
            }
        body += "\n\n" + gettext("See the stage of your complaint at %(link)s with your tracking number.") % {
            "link": absolute_url(reverse("complaints:status"))
        }
    return EmailMessage(subject=subject, body=body, to=[address])
