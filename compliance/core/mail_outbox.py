"""E-mail at most once per idempotency key, even when the process dies mid-send (SECURITY.md F-1; issue #13).

Two phases around the SMTP conversation (``compliance.core.models.OutboundMail``):

1. ``mail_claim`` (inside the caller's transaction, with the records the e-mail reports): inserts the claim,
   state ``claimed``, under a unique key. A second run or worker hits the constraint: the caller's transaction
   rolls back and nothing is sent twice.
2. ``mail_deliver`` (after that commit, outside any transaction): a conditional update ``claimed``/``failed`` →
   ``sending`` commits first (one process wins it), then the message goes out with a Message-ID derived from
   the key, then ``sent`` is committed. Died before step 2's first commit: still ``claimed``, retried by
   ``mail_outbox_flush``. Died after it: ``sending`` forever — the server may have accepted the mail, so it is
   never resent; ``mail_outbox_flush`` marks it ``unconfirmed`` after ``SENDING_TIMEOUT`` and logs it (ids only).

A refusal by the server (an SMTP reply code, refused recipients) or a failure to connect means it was not
accepted: ``failed``, retried by the next flush up to ``MAX_ATTEMPTS`` starts. Any other error in mid-send
(timeout, dropped connection) is ambiguous: ``unconfirmed`` at once. Logs carry the row id, purpose and error
class only: never an address, subject or body.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone

from compliance.core.failpoints import failpoint
from compliance.core.models import OutboundMail

logger = logging.getLogger(__name__)

State = OutboundMail.State

#: A claim left ``sending`` this long is marked ``unconfirmed`` (longer than any SMTP conversation; our choice).
SENDING_TIMEOUT = timedelta(minutes=15)
#: Send starts per claim before a refused one is given up (our choice).
MAX_ATTEMPTS = 5
#: Errors that mean the server did not accept the message: safe to retry.
NOT_ACCEPTED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


def message_id_for(key: str) -> str:
    """The Message-ID header for ``key``: ``<sha256(key)[:40]@domain>`` (domain of DEFAULT_FROM_EMAIL).

    Derived from the key alone, so a resend (if one ever happened) is recognisable as the same message by the
    receiving side; a hash, so the header names no person.
    """
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">").strip() or "compliance.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def address_token(address: str) -> str:
    """A stable token for an e-mail address in an idempotency key (a hash: keys never hold an address)."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:24]


def mail_claim(*, key: str, purpose: str, message: EmailMessage, now: datetime) -> OutboundMail:
    """Record the claim to send ``message`` once under ``key``. Call inside the caller's transaction.

    Args:
        key: the idempotency key (≤ 200 characters, no personal data: ids, dates, ``address_token``).
        purpose: a short name of the kind of e-mail (``digest``, ``follow-up``, ``minutes``).
        message: the message to send (subject, body, ``to``); its Message-ID is set from the key.
        now: an aware datetime, the claim's creation time.

    Returns:
        The saved ``OutboundMail`` in state ``claimed``.

    Raises:
        IntegrityError: a claim with this key exists (another run or worker has it): send nothing.
    """
    return OutboundMail.objects.create(
        key=key,
        purpose=purpose,
        message_id=message_id_for(key),
        subject=str(message.subject)[:300],
        body=message.body,
        to=list(message.to),
        created_at=now,
    )


def _message(mail: OutboundMail) -> EmailMessage:
    return EmailMessage(subject=mail.subject, body=mail.body, to=mail.to, headers={"Message-ID": mail.message_id})


def _settle(mail_id: int, state: str, error: Exception | None = None) -> str:
    fields = {"state": state}
    if error is not None:
        fields["error"] = type(error).__name__
    if state == State.SENT:
        fields["sent_at"] = timezone.now()
    OutboundMail.objects.filter(pk=mail_id, state=State.SENDING).update(**fields)
    return state


def mail_deliver(mail_id: int) -> str:
    """Send claim ``mail_id`` if it is ``claimed`` or ``failed`` and nobody else is sending it; return its state.

    Call outside any transaction (each state change must commit on its own). Returns ``sent``, ``failed`` (not
    accepted; retried later), ``given_up`` (refused ``MAX_ATTEMPTS`` times), ``unconfirmed`` (ambiguous error),
    or the state another process left it in (``sending``/``sent``…) when this call did not send.
    """
    failpoint("mail.before_sending")
    won = OutboundMail.objects.filter(pk=mail_id, state__in=(State.CLAIMED, State.FAILED)).update(
        state=State.SENDING, sending_at=timezone.now(), attempts=F("attempts") + 1
    )
    mail = OutboundMail.objects.get(pk=mail_id)
    if not won:
        return mail.state
    failed_state = State.FAILED if mail.attempts < MAX_ATTEMPTS else State.GIVEN_UP
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as exc:  # nothing was sent: safe to retry
        logger.warning("Outbound mail #%s (%s) not sent: %s", mail.pk, mail.purpose, type(exc).__name__)
        return _settle(mail.pk, failed_state, exc)
    try:
        failpoint("mail.before_send")
        connection.send_messages([_message(mail)])
        failpoint("mail.after_send")
    except NOT_ACCEPTED as exc:
        logger.warning("Outbound mail #%s (%s) refused: %s", mail.pk, mail.purpose, type(exc).__name__)
        return _settle(mail.pk, failed_state, exc)
    except (OSError, smtplib.SMTPException) as exc:  # incl. timeouts and dropped connections
        logger.error(
            "Outbound mail #%s (%s) unconfirmed (%s): the server may have accepted it; not resent",
            mail.pk,
            mail.purpose,
            type(exc).__name__,
        )
        return _settle(mail.pk, State.UNCONFIRMED, exc)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.close()
    return _settle(mail.pk, State.SENT)


def mail_outbox_flush(*, now: datetime | None = None, purpose: str | None = None) -> dict[str, int]:
    """Send what is waiting and mark what died mid-send (the sweep; beat runs it, and each mail job first).

    Args:
        now: an aware datetime (default: the current time); a claim ``sending`` since before
            ``now - SENDING_TIMEOUT`` becomes ``unconfirmed``.
        purpose: only claims of this purpose (default: all).

    Returns:
        Counts: ``sent``, ``failed`` (still to retry or given up), ``unconfirmed`` (marked by this call).
    """
    now = now or timezone.now()
    claims = OutboundMail.objects.all() if purpose is None else OutboundMail.objects.filter(purpose=purpose)
    result = {"sent": 0, "failed": 0, "unconfirmed": 0}
    stale = list(claims.filter(state=State.SENDING, sending_at__lt=now - SENDING_TIMEOUT).values_list("pk", "purpose"))
    for pk, kind in stale:
        if OutboundMail.objects.filter(pk=pk, state=State.SENDING).update(state=State.UNCONFIRMED):
            # An administrator checks with the mail server's log (Message-ID); never resent automatically.
            logger.error("Outbound mail #%s (%s) left sending: unconfirmed, not resent", pk, kind)
            result["unconfirmed"] += 1
    for pk in claims.filter(state__in=(State.CLAIMED, State.FAILED)).order_by("pk").values_list("pk", flat=True):
        state = mail_deliver(pk)
        if state == State.SENT:
            result["sent"] += 1
        elif state in (State.FAILED, State.GIVEN_UP):
            result["failed"] += 1
        elif state == State.UNCONFIRMED:
            result["unconfirmed"] += 1
    return result
