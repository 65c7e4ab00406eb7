"""E-mail at most once per key (compliance.core.mail_outbox; SECURITY.md F-1; issue #13 item 6): the state machine.

The process "dies" at each failpoint (``COMPLIANCE_FAILPOINT_ACTION=raise``: ``FailpointKill``, the in-process
stand-in for SIGKILL; tests/compliance/test_mail_kill_worker.py kills a real worker). Then the next run must
send a message whose send never started, and never resend one whose send may have reached the server.
"""

import os
import smtplib
from datetime import UTC, date, datetime, timedelta
from unittest import mock

from django.core import mail
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from compliance.core import mail_outbox
from compliance.core.failpoints import FailpointKill
from compliance.core.models import OutboundMail
from tests.base import BaseTestCase
from tests.training.helpers import make_certification, make_course, make_officer
from training.reminders.models import ReminderDigest
from training.reminders.services import send_certification_reminders

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
State = OutboundMail.State
OFFICER_ADDRESS = "dana.z@agency.example"


def armed(point: str):
    """Arm failpoint ``point`` in raise mode for the block."""
    return mock.patch.dict(os.environ, {"COMPLIANCE_FAILPOINT": point, "COMPLIANCE_FAILPOINT_ACTION": "raise"})


class DisconnectingEmailBackend:
    """A server that drops the connection in mid-send: whether it accepted the message is unknown."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RecipientRefusingEmailBackend(DisconnectingEmailBackend):
    """A server that answers the recipient with a 550: it did not accept the message."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.test": (550, b"No such user")})


class MailOutboxTests(BaseTestCase):
    def claim(self, key="test:1", to="someone@example.test") -> OutboundMail:
        with transaction.atomic():
            return mail_outbox.mail_claim(
                key=key, purpose="test", message=EmailMessage(subject="Hello", body="Body\n", to=[to]), now=NOW
            )

    def state(self, claim) -> str:
        claim.refresh_from_db()
        return claim.state

    def test_a_claim_is_sent_once_with_a_message_id_derived_from_its_key(self):
        claim = self.claim()
        self.assertEqual(mail_outbox.mail_deliver(claim.pk), State.SENT)
        self.assertEqual(mail_outbox.mail_deliver(claim.pk), State.SENT)  # a second call sends nothing
        [message] = mail.outbox
        self.assertEqual(message.extra_headers["Message-ID"], mail_outbox.message_id_for("test:1"))
        self.assertRegex(mail_outbox.message_id_for("test:1"), r"^<[0-9a-f]{40}@localhost>$")
        self.assertEqual((claim.__class__.objects.get().attempts, self.state(claim)), (1, State.SENT))

    def test_a_second_claim_of_the_same_key_is_refused(self):
        self.claim()
        with self.assertRaises(IntegrityError):
            self.claim()

    def test_killed_before_the_send_started_the_claim_is_sent_by_the_next_run(self):
        claim = self.claim()
        with armed("mail.before_sending"), self.assertRaises(FailpointKill):
            mail_outbox.mail_deliver(claim.pk)
        self.assertEqual((self.state(claim), len(mail.outbox)), (State.CLAIMED, 0))
        self.assertEqual(mail_outbox.mail_outbox_flush(now=NOW), {"sent": 1, "failed": 0, "unconfirmed": 0})
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail_outbox.mail_outbox_flush(now=NOW), {"sent": 0, "failed": 0, "unconfirmed": 0})
        self.assertEqual(len(mail.outbox), 1)

    def test_killed_after_the_server_accepted_it_is_never_resent_and_marked_unconfirmed(self):
        claim = self.claim()
        with armed("mail.after_send"), self.assertRaises(FailpointKill):
            mail_outbox.mail_deliver(claim.pk)
        self.assertEqual((self.state(claim), len(mail.outbox)), (State.SENDING, 1))
        # Within the timeout the sweep leaves it alone (it may still be in flight); after it, unconfirmed.
        self.assertEqual(mail_outbox.mail_outbox_flush(), {"sent": 0, "failed": 0, "unconfirmed": 0})
        later = claim.__class__.objects.get().sending_at + mail_outbox.SENDING_TIMEOUT + timedelta(seconds=1)
        with self.assertLogs("compliance.core.mail_outbox", "ERROR") as logs:
            result = mail_outbox.mail_outbox_flush(now=later)
        self.assertEqual(result, {"sent": 0, "failed": 0, "unconfirmed": 1})
        self.assertEqual((self.state(claim), len(mail.outbox)), (State.UNCONFIRMED, 1))
        self.assertIn(f"Outbound mail #{claim.pk} (test) left sending: unconfirmed, not resent", logs.output[0])
        self.assertNotIn("someone@", "".join(logs.output))
        mail_outbox.mail_outbox_flush(now=later + timedelta(days=1))
        self.assertEqual(len(mail.outbox), 1)

    def test_killed_between_marking_sending_and_the_send_it_is_not_resent_either(self):
        # The price of at most once: "sending" is committed before the SMTP conversation starts.
        claim = self.claim()
        with armed("mail.before_send"), self.assertRaises(FailpointKill):
            mail_outbox.mail_deliver(claim.pk)
        mail_outbox.mail_outbox_flush(now=timezone.now() + timedelta(hours=1))
        self.assertEqual((self.state(claim), len(mail.outbox)), (State.UNCONFIRMED, 0))

    @override_settings(EMAIL_BACKEND="tests.training.helpers.RefusingEmailBackend")
    def test_a_server_that_cannot_be_reached_is_retried_then_given_up(self):
        claim = self.claim()
        with self.assertLogs("compliance.core.mail_outbox", "WARNING"):
            for _ in range(mail_outbox.MAX_ATTEMPTS - 1):
                self.assertEqual(mail_outbox.mail_deliver(claim.pk), State.FAILED)
            self.assertEqual(mail_outbox.mail_deliver(claim.pk), State.GIVEN_UP)
            self.assertEqual(mail_outbox.mail_outbox_flush(now=NOW), {"sent": 0, "failed": 0, "unconfirmed": 0})
        claim.refresh_from_db()
        self.assertEqual((claim.attempts, claim.error), (mail_outbox.MAX_ATTEMPTS, "ConnectionRefusedError"))

    @override_settings(EMAIL_BACKEND="tests.compliance.test_mail_outbox.RecipientRefusingEmailBackend")
    def test_a_refused_recipient_is_failed_and_retried(self):
        claim = self.claim()
        with self.assertLogs("compliance.core.mail_outbox", "WARNING") as logs:
            self.assertEqual(mail_outbox.mail_deliver(claim.pk), State.FAILED)
        self.assertIn("refused: SMTPRecipientsRefused", logs.output[0])
        self.assertNotIn("x@example.test", "".join(logs.output))
        with self.settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self.assertEqual(mail_outbox.mail_outbox_flush(now=NOW)["sent"], 1)
        self.assertEqual((self.state(claim), len(mail.outbox)), (State.SENT, 1))

    @override_settings(EMAIL_BACKEND="tests.compliance.test_mail_outbox.DisconnectingEmailBackend")
    def test_a_connection_dropped_mid_send_is_unconfirmed_not_retried(self):
        claim = self.claim()
        with self.assertLogs("compliance.core.mail_outbox", "ERROR") as logs:
            self.assertEqual(mail_outbox.mail_deliver(claim.pk), State.UNCONFIRMED)
        self.assertIn("unconfirmed (SMTPServerDisconnected)", logs.output[0])
        with self.settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            self.assertEqual(mail_outbox.mail_outbox_flush(now=NOW)["sent"], 0)
        self.assertEqual(len(mail.outbox), 0)

    def test_failpoints_do_nothing_outside_tests(self):
        claim = self.claim()
        with armed("mail.after_send"), self.settings(TESTING=False):
            self.assertEqual(mail_outbox.mail_deliver(claim.pk), State.SENT)

    def test_an_address_is_never_in_a_key(self):
        token = mail_outbox.address_token(" Dana.Z@Agency.example ")
        self.assertEqual(token, mail_outbox.address_token("dana.z@agency.example"))
        self.assertNotIn("dana", token)


class DigestKillTests(BaseTestCase):
    """The reminder digest with the process killed at each point: one e-mail per recipient and day, ever."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        course = make_course(cls.agency_a, "IADP")
        officer = make_officer(cls.agency_a, "A-500", email=OFFICER_ADDRESS, supervisor=cls.supervisor_a)
        make_certification(officer, course, date(2024, 6, 30), expires_on=date(2026, 6, 30))

    def messages_to(self, address):
        return [m for m in mail.outbox if m.to == [address]]

    def test_killed_after_the_send_the_rerun_sends_nothing_again(self):
        with armed("mail.after_send"), self.assertRaises(FailpointKill):
            send_certification_reminders(now=NOW)
        # The first recipient's digest was committed with its claim, then sent; the process died before "sent".
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(list(OutboundMail.objects.values_list("state", flat=True)), [State.SENDING])
        result = send_certification_reminders(now=NOW + timedelta(minutes=5))
        self.assertEqual((result.digests_sent, result.emails_sent), (2, 2))  # the other two recipients
        result = send_certification_reminders(now=NOW + timedelta(hours=1))
        self.assertEqual((result.digests_sent, result.emails_sent), (0, 0))
        self.assertEqual(len(mail.outbox), 3)
        for address in (OFFICER_ADDRESS, "supervisor_a@example.test", "admin_a@example.test"):
            self.assertEqual(len(self.messages_to(address)), 1, address)
        self.assertEqual(
            sorted(OutboundMail.objects.values_list("state", flat=True)), [State.SENDING, State.SENT, State.SENT]
        )

    def test_killed_after_the_claim_before_the_send_the_rerun_sends_it_once(self):
        with armed("mail.before_sending"), self.assertRaises(FailpointKill):
            send_certification_reminders(now=NOW)
        self.assertEqual(len(mail.outbox), 0)
        self.assertEqual(ReminderDigest.objects.count(), 1)
        self.assertEqual(list(OutboundMail.objects.values_list("state", flat=True)), [State.CLAIMED])
        result = send_certification_reminders(now=NOW + timedelta(minutes=5))
        self.assertEqual(result.emails_sent, 3)  # the claimed one, then the two others
        send_certification_reminders(now=NOW + timedelta(hours=1))
        self.assertEqual(len(mail.outbox), 3)
        for address in (OFFICER_ADDRESS, "supervisor_a@example.test", "admin_a@example.test"):
            self.assertEqual(len(self.messages_to(address)), 1, address)
        self.assertEqual(set(OutboundMail.objects.values_list("state", flat=True)), {State.SENT})
