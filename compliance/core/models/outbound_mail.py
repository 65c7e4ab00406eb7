"""An e-mail sent at most once: a claim row committed before the send (SECURITY.md F-1, issue #13 item 6).

``key`` is the idempotency key (e.g. ``digest:user:12:2026-11-30``) under a unique constraint. States:

* ``claimed``: committed with the caller's records; the send has not started. Safe to (re)try.
* ``sending``: committed just before the SMTP conversation. If the process dies now, nobody knows whether the
  server accepted the mail: it is never resent automatically; the sweep marks it ``unconfirmed`` after
  ``compliance.core.mail_outbox.SENDING_TIMEOUT``.
* ``sent``: the server accepted it.
* ``failed``: the server refused it or could not be reached before accepting anything: retried later, up to
  ``MAX_ATTEMPTS`` times, then ``given_up``.
* ``unconfirmed``: left ``sending``; shown to administrators, never resent.

The message itself (subject, body, recipients) is kept so a retry sends the same message; it holds an address,
as the records it belongs to do: never copied to logs.
"""

from django.db import models


class OutboundMail(models.Model):
    class State(models.TextChoices):
        CLAIMED = "claimed", "Claimed (not sent yet)"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (will retry)"
        GIVEN_UP = "given_up", "Failed (gave up)"
        UNCONFIRMED = "unconfirmed", "Unconfirmed (not resent)"

    key = models.CharField(max_length=200, help_text="Idempotency key: one e-mail per key, ever.")
    purpose = models.CharField(max_length=40, help_text="What kind of e-mail, e.g. digest (for notices and logs).")
    state = models.CharField(max_length=12, choices=State.choices, default=State.CLAIMED)
    message_id = models.CharField(max_length=200, help_text="The Message-ID header, derived from the key.")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    to = models.JSONField(default=list)
    created_at = models.DateTimeField()
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=100, blank=True, help_text="The last error's class name (no text).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="outbound_mail_once_per_key")]
        indexes = [models.Index(fields=["state", "created_at"], name="outbound_mail_state")]

    def __str__(self) -> str:
        return f"{self.purpose} #{self.pk} ({self.state})"
