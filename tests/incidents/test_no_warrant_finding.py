"""R4.3: an I-247A without a signed I-200/I-205 opens one finding and alerts the supervisors
(incidents.detainers.no_warrant)."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from compliance.core.findings import finding_acknowledge, finding_mark_false_positive, finding_resolve
from compliance.core.models import Finding
from compliance.core.system_account import system_user
from incidents.detainers import checks, services
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer
from tests.incidents.test_detainer_views import NOW as VIEW_NOW
from tests.incidents.test_detainer_views import detainer_post

NOW = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)


class NoWarrantFindingTests(BaseTestCase):
    def setUp(self):
        self.traveller = time_machine.travel(NOW, tick=False)
        self.traveller.start()
        self.addCleanup(self.traveller.stop)

    def log(self, **fields):
        values = {"warrant_type": "", "warrant_signed": False, "subject_last_name": "Quarrendell"}
        values.update(fields)
        with self.captureOnCommitCallbacks(execute=True):
            return make_detainer(self.agency_a, actor=self.staff_a, booking_number="AC-26-0099", **values)

    def update(self, detainer, **fields):
        with self.captureOnCommitCallbacks(execute=True):
            return services.detainer_update(detainer=detainer, actor=self.staff_a, **fields)

    def findings(self, detainer):
        return Finding.objects.filter(
            content_type=ContentType.objects.get_for_model(Detainer),
            object_id=detainer.pk,
            kind=Finding.Kind.NO_WARRANT,
        )

    def test_an_i247a_without_a_warrant_opens_one_finding_and_emails_the_supervisors_once(self):
        detainer = self.log()
        [finding] = self.findings(detainer)
        self.assertEqual(
            (finding.agency, finding.status, finding.severity, finding.opened_at),
            (self.agency_a, Finding.Status.OPEN, Finding.Severity.HIGH, NOW),
        )
        self.assertIn("R4.3", finding.rule)
        self.assertIn("ICE Policy 10074.2", finding.rule)
        self.assertIn("none attached", finding.summary)
        self.assertEqual(finding.history.first().history_user, self.staff_a)
        self.assertFalse(checks.hold_authorized(detainer, at=NOW))  # and the hold check agrees
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["admin_a@example.test", "supervisor_a@example.test"])
        self.assertIn(f"/findings/{finding.public_id}/", message.body)
        self.assertIn(f"/detainers/{detainer.public_id}/", message.body)

    def test_the_email_carries_links_not_personal_data(self):
        detainer = self.log(subject_first_name="Ottoline", a_number="A123456789")
        [message] = mail.outbox
        text = message.subject + message.body
        for personal in ("Quarrendell", "Ottoline", "AC-26-0099", "123456789", detainer.underlying_charge):
            self.assertNotIn(personal, text)

    def test_the_email_is_sent_only_after_commit(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            make_detainer(self.agency_a, actor=self.staff_a, warrant_type="", warrant_signed=False)
        self.assertEqual(len(mail.outbox), 0)
        self.assertEqual(len(callbacks), 1)

    def test_saving_again_adds_nothing(self):
        detainer = self.log()
        self.update(detainer, underlying_charge="Theft (invented)")
        self.update(detainer, warrant_type="I-200", warrant_signed=False)  # still unsigned
        self.assertEqual(self.findings(detainer).count(), 1)
        self.assertEqual(self.findings(detainer).get().status, Finding.Status.OPEN)
        self.assertEqual(len(mail.outbox), 1)

    def test_an_unsigned_warrant_opens_it_too(self):
        detainer = self.log(warrant_type="I-205", warrant_signed=False)
        self.assertIn("the I-205 is not signed", self.findings(detainer).get().summary)
        self.assertEqual(len(mail.outbox), 1)

    def test_attaching_a_signed_i200_resolves_it_as_the_system(self):
        detainer = self.log()
        self.update(detainer, warrant_type="I-200", warrant_signed=True)
        finding = self.findings(detainer).get()
        self.assertEqual(
            (finding.status, finding.resolution_note, finding.resolved_by, finding.resolved_at),
            (Finding.Status.RESOLVED, "Signed warrant attached", system_user(), NOW),
        )
        self.assertEqual(finding.history.first().history_user, system_user())
        self.assertEqual(len(mail.outbox), 1)  # no e-mail for the resolution

    def test_an_acknowledged_finding_is_resolved_too(self):
        detainer = self.log()
        finding_acknowledge(finding=self.findings(detainer).get(), actor=self.supervisor_a)
        self.update(detainer, warrant_type="I-205", warrant_signed=True)
        self.assertEqual(self.findings(detainer).get().status, Finding.Status.RESOLVED)

    def test_a_signed_warrant_from_the_start_opens_none(self):
        detainer = self.log(warrant_type="I-200", warrant_signed=True)
        self.assertFalse(self.findings(detainer).exists())
        self.assertEqual(len(mail.outbox), 0)

    def test_an_i247n_opens_none(self):
        detainer = self.log(form=Detainer.Form.I247N)
        self.assertFalse(self.findings(detainer).exists())
        self.assertEqual(len(mail.outbox), 0)

    def test_legacy_hold_forms_predate_policy_10074_2_and_open_none(self):
        # The R4.3 check does not apply to them (no warrant was required before 2 Apr 2017), so neither does the alert.
        for number, form in enumerate((Detainer.Form.I247D, Detainer.Form.I247X, Detainer.Form.I247), start=2):
            detainer = make_detainer(
                self.agency_a,
                actor=self.staff_a,
                number=number,
                form=form,
                warrant_type="",
                warrant_signed=False,
                received_at=datetime(2016, 5, 2, 15, 0, tzinfo=UTC),
            )
            self.assertIsNone(checks.check_warrant_attached(detainer, NOW).passed)
            self.assertFalse(self.findings(detainer).exists(), form)

    def test_changing_the_form_from_i247a_to_i247n_resolves_it_with_its_own_note(self):
        detainer = self.log()
        self.update(detainer, form=Detainer.Form.I247N)
        finding = self.findings(detainer).get()
        self.assertEqual(finding.status, Finding.Status.RESOLVED)
        self.assertIn("no longer an I-247A (I-247N)", finding.resolution_note)

    def test_an_update_that_removes_the_warrant_opens_it(self):
        detainer = self.log(warrant_type="I-200", warrant_signed=True)
        self.update(detainer, warrant_signed=False)
        self.assertEqual(self.findings(detainer).get().status, Finding.Status.OPEN)
        self.assertEqual(len(mail.outbox), 1)

    def test_removing_the_warrant_again_reopens_the_resolved_finding_and_tells_the_supervisors_again(self):
        detainer = self.log()
        self.update(detainer, warrant_type="I-200", warrant_signed=True)
        self.update(detainer, warrant_type="", warrant_signed=False)
        finding = self.findings(detainer).get()
        self.assertEqual(self.findings(detainer).count(), 1)  # the same row, reopened
        self.assertEqual(
            (finding.status, finding.reopened_by, finding.resolved_by, finding.resolution_note),
            (Finding.Status.OPEN, system_user(), None, ""),
        )
        self.assertIn("removed", finding.reopen_reason)
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(finding.history.filter(status=Finding.Status.RESOLVED).count(), 1)  # kept in history

    def test_a_supervisor_closure_while_still_missing_stands_until_the_warrant_changes(self):
        detainer = self.log()
        finding_mark_false_positive(
            finding=self.findings(detainer).get(),
            actor=self.supervisor_a,
            reason="The signed paper I-200 is in the jail file (invented).",
        )
        self.update(detainer, underlying_charge="Theft (invented)")
        self.assertEqual(self.findings(detainer).get().status, Finding.Status.FALSE_POSITIVE)
        # The warrant attached: a closed finding is left as the supervisor closed it.
        self.update(detainer, warrant_type="I-200", warrant_signed=True)
        self.assertEqual(self.findings(detainer).get().status, Finding.Status.FALSE_POSITIVE)
        # Then removed again: a new lapse, the finding is reopened.
        self.update(detainer, warrant_signed=False)
        self.assertEqual(self.findings(detainer).get().status, Finding.Status.OPEN)
        self.assertEqual(len(mail.outbox), 2)

    def test_a_finding_a_supervisor_resolved_can_be_reopened_by_the_rule(self):
        detainer = self.log()
        finding_resolve(finding=self.findings(detainer).get(), actor=self.supervisor_a, note="Warrant requested.")
        self.update(detainer, warrant_type="I-200", warrant_signed=True)
        self.update(detainer, warrant_type="I-200", warrant_signed=False)
        self.assertEqual(self.findings(detainer).get().status, Finding.Status.OPEN)

    def test_another_agency_supervisors_are_not_told(self):
        with self.captureOnCommitCallbacks(execute=True):
            make_detainer(self.agency_b, actor=self.staff_b, warrant_type="", warrant_signed=False)
        [message] = mail.outbox
        self.assertEqual(message.to, ["supervisor_b@example.test"])

    def test_logging_it_on_the_form_opens_the_finding(self):
        with time_machine.travel(VIEW_NOW, tick=False), self.captureOnCommitCallbacks(execute=True):
            sign_in(self.client, self.staff_a)
            response = self.client.post("/detainers/new/", detainer_post(warrant_type="", warrant_signed=""))
        self.assertEqual(response.status_code, 302)
        detainer = Detainer.objects.get(agency=self.agency_a)
        self.assertEqual(self.findings(detainer).count(), 1)
        self.assertEqual(len(mail.outbox), 1)
