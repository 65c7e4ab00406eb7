"""The retention schedules page (administrators) and the legal hold pages (supervisors and administrators place
and lift holds; auditors read the list)."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compliance.core.models import SCHEDULE_FIELDS, AccessLog, LegalHold, RetentionSettings
from compliance.core.privacy.holds import (
    DUPLICATE_MESSAGE,
    NOT_ALLOWED_MESSAGE,
    legal_hold_place,
    legal_hold_release,
)
from compliance.core.privacy.schedules import AUDIT_MINIMUM_MESSAGE
from compliance.retention.purge import retention_purge
from compliance.retention.views import HOLDS_LIST_MESSAGE
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_incident
from tests.incidents.helpers import make_detainer

SETTINGS_URL = reverse("retention:settings")
HOLDS_URL = reverse("retention:holds")


def periods(**changes) -> dict:
    values = {name: default for name, default in SCHEDULE_FIELDS.values()}
    values.update(changes)
    return {name: str(value) for name, value in values.items()}


class RetentionSettingsPageTests(BaseTestCase):
    def test_G3_the_defaults_are_marked_until_an_administrator_confirms_them(self):
        sign_in(self.client, self.admin_a)
        page = self.client.get(SETTINGS_URL).content.decode()
        self.assertEqual(page.count("Default — check against your records schedule"), len(SCHEDULE_FIELDS))
        self.assertIn("Nobody has confirmed these periods yet", page)
        self.assertFalse(RetentionSettings.objects.exists())  # reading writes nothing

    def test_G3_an_administrators_save_confirms_the_periods_and_is_audited(self):
        sign_in(self.client, self.admin_a)
        response = self.client.post(SETTINGS_URL, periods(detainer_subject_days=2555))
        self.assertEqual(response.status_code, 302)
        row = RetentionSettings.objects.get(agency=self.agency_a)
        self.assertEqual((row.detainer_subject_days, row.confirmed_by), (2555, self.admin_a))
        self.assertEqual(row.history.latest("history_date").history_user, self.admin_a)
        page = self.client.get(SETTINGS_URL).content.decode()
        self.assertNotIn("Default — check against your records schedule", page)
        self.assertIn("Confirmed by", page)

    def test_D7_the_form_refuses_an_audit_period_under_365_days(self):
        sign_in(self.client, self.admin_a)
        response = self.client.post(SETTINGS_URL, periods(audit_log_days=364))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, AUDIT_MINIMUM_MESSAGE)
        self.assertContains(response, 'data-testid="error-summary"')
        self.assertFalse(RetentionSettings.objects.exists())

    def test_C5_staff_do_not_reach_the_settings(self):
        sign_in(self.client, self.staff_a)
        self.assertEqual(self.client.get(SETTINGS_URL).status_code, 404)
        self.assertEqual(self.client.post(SETTINGS_URL, periods()).status_code, 404)
        self.assertFalse(RetentionSettings.objects.exists())

    def test_C4_supervisors_and_auditors_read_the_settings_and_cannot_change_them(self):
        for user in (self.supervisor_a, self.auditor_a):
            sign_in(self.client, user)
            page = self.client.get(SETTINGS_URL)
            self.assertEqual(page.status_code, 200)
            self.assertContains(page, 'data-testid="read-only"')
            self.assertContains(page, 'data-testid="no-purges"')
            self.assertNotContains(page, "Save and confirm")
            self.assertEqual(self.client.post(SETTINGS_URL, periods(complaint_days=0)).status_code, 403)
        self.assertFalse(RetentionSettings.objects.exists())


class RetentionPreviewTests(BaseTestCase):
    """Issue #14 trial item 3: a shorter period that purges records now is shown and must be confirmed."""

    def setUp(self):
        for number in (1, 2):
            detainer = make_detainer(self.agency_a, actor=self.staff_a, number=number, subject_last_name="Keepme")
            Detainer.objects.filter(pk=detainer.pk).update(
                outcome=Detainer.Outcome.RELEASED, outcome_at=timezone.now() - timedelta(hours=1)
            )
        sign_in(self.client, self.admin_a)

    def test_a_shortening_that_purges_now_says_how_many_and_needs_the_tick(self):
        response = self.client.post(SETTINGS_URL, periods(detainer_subject_days=0))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'data-testid="purge-warning"')
        self.assertContains(response, "the next purge will remove the personal data of 2 detainer subjects")
        self.assertContains(response, 'data-testid="error-link-confirm_purge"')
        self.assertFalse(RetentionSettings.objects.exists())
        response = self.client.post(SETTINGS_URL, {**periods(detainer_subject_days=0), "confirm_purge": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(RetentionSettings.objects.get(agency=self.agency_a).detainer_subject_days, 0)
        self.assertEqual(Detainer.objects.exclude(subject_last_name="").count(), 2)  # saving purges nothing
        page = self.client.get(SETTINGS_URL).content.decode()
        self.assertIn("Detainer subjects&#x27; personal data: 2 to remove", page)

    def test_a_shortening_that_purges_nothing_saves_without_the_tick(self):
        response = self.client.post(SETTINGS_URL, periods(detainer_subject_days=30, import_file_days=1))
        self.assertEqual(response.status_code, 302)

    def test_recent_purges_one_line_per_run_by_schedule_name(self):
        self.client.post(SETTINGS_URL, {**periods(detainer_subject_days=0), "confirm_purge": "on"})
        retention_purge(agency_ids=[self.agency_a.pk])
        retention_purge(agency_ids=[self.agency_a.pk])
        page = self.client.get(SETTINGS_URL).content.decode()
        self.assertNotIn('data-testid="no-purges"', page)
        self.assertIn("Detainer subjects&#x27; personal data: 2 removed", page)
        self.assertEqual(page.count("Nothing was due"), 1)  # the second run
        self.assertNotIn("detainer-subject", page)
        self.assertIn(reverse("retention:holds"), page)


class LegalHoldPageTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a, number=1, a_number="A999000005")
        self.place_url = reverse("retention:hold_place_detainer", args=[self.detainer.public_id])
        self.detail_url = reverse("incidents:detainer_detail", args=[self.detainer.public_id])

    def test_a_supervisor_places_a_hold_and_the_record_page_says_so(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(
            self.place_url, {"scope": "subject", "reason": "litigation", "reference": "CV-2026-001"}
        )
        self.assertRedirects(response, self.detail_url, fetch_redirect_response=False)
        hold = LegalHold.objects.get()
        self.assertEqual((hold.scope, hold.placed_by, hold.agency), ("subject", self.supervisor_a, self.agency_a))
        self.assertEqual(hold.history.get().history_user, self.supervisor_a)
        page = self.client.get(self.detail_url).content.decode()
        self.assertIn("Under legal hold:", page)
        self.assertIn("Litigation, reference CV-2026-001", page)
        self.assertNotIn("A999000005", self.place_url + response["Location"])  # nothing personal in URLs

    def test_C5_staff_get_403_and_an_access_log_row(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(self.place_url, {"scope": "record", "reason": "other", "reference": "X"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(LegalHold.objects.exists())
        self.assertTrue(
            AccessLog.objects.filter(user=self.staff_a, outcome=AccessLog.Outcome.DENIED).exists(),
            "a refused privileged request is logged",
        )
        self.assertNotContains(self.client.get(self.detail_url), 'data-testid="place-legal-hold"')

    def test_another_agencys_supervisor_gets_404(self):
        sign_in(self.client, self.supervisor_b)
        response = self.client.post(self.place_url, {"scope": "record", "reason": "other", "reference": "X"})
        self.assertEqual(response.status_code, 404)

    def test_a_subject_hold_needs_an_a_number(self):
        nameless = make_detainer(self.agency_a, actor=self.staff_a, number=2)
        sign_in(self.client, self.admin_a)
        url = reverse("retention:hold_place_detainer", args=[nameless.public_id])
        response = self.client.post(url, {"scope": "subject", "reason": "other", "reference": "X"})
        self.assertContains(response, "has no A-number")
        self.assertFalse(LegalHold.objects.exists())

    def test_a_release_is_audited_and_the_list_shows_both(self):
        hold = legal_hold_place(
            record=self.detainer, actor=self.supervisor_a, scope="record", reason="investigation", reference="IA-9"
        )
        sign_in(self.client, self.admin_a)
        url = reverse("retention:hold_release", args=[hold.public_id])
        self.assertContains(self.client.post(url, {"reason": ""}), "This field is required")
        response = self.client.post(url, {"reason": "Investigation closed"})
        self.assertEqual(response.status_code, 302)
        hold.refresh_from_db()
        self.assertEqual((hold.released_by, hold.release_reason), (self.admin_a, "Investigation closed"))
        self.assertEqual(hold.history.latest("history_date").history_user, self.admin_a)
        page = self.client.get(HOLDS_URL).content.decode()
        self.assertIn('data-testid="no-active-holds"', page)
        self.assertIn("Investigation closed", page)
        self.assertNotIn("Under legal hold:", self.client.get(self.detail_url).content.decode())

    def test_the_list_page_query_count_does_not_grow_with_holds(self):
        sign_in(self.client, self.supervisor_a)
        legal_hold_place(record=self.detainer, actor=self.supervisor_a, scope="record", reason="other", reference="1")
        self.client.get(HOLDS_URL)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as one:
            self.client.get(HOLDS_URL)
        for n in range(2, 8):
            other = make_detainer(self.agency_a, actor=self.staff_a, number=n)
            legal_hold_place(record=other, actor=self.supervisor_a, scope="record", reason="other", reference=str(n))
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(HOLDS_URL)
        self.assertEqual(len(response.context["active"]), 7)
        self.assertEqual(len(many), len(one))

    def test_holds_of_another_agency_are_not_listed(self):
        legal_hold_place(record=self.detainer, actor=self.supervisor_a, scope="record", reason="other", reference="Z")
        sign_in(self.client, self.supervisor_b)
        self.assertIn('data-testid="no-active-holds"', self.client.get(HOLDS_URL).content.decode())
        self.assertEqual(Detainer.objects.count(), 1)


class LegalHoldTrialFixesTests(BaseTestCase):
    """Trial #14 items 1, 6 (the holds list), 8 and 9."""

    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a, number=1, a_number="A999000005")
        self.place_url = reverse("retention:hold_place_detainer", args=[self.detainer.public_id])
        self.detail_url = reverse("incidents:detainer_detail", args=[self.detainer.public_id])

    def _hold(self, **fields):
        values = {"scope": "record", "reason": "litigation", "reference": "CV-2026-0042"} | fields
        return legal_hold_place(record=self.detainer, actor=self.supervisor_a, **values)

    def test_item1_the_record_page_says_records_retention_and_lift_not_release(self):
        hold = self._hold()
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(self.detail_url).content.decode()
        self.assertIn("Legal hold on these records (kept from the retention purge)", page)
        self.assertIn("nothing to do with holding the person in custody", page)
        lift = reverse("retention:hold_release", args=[hold.public_id])
        self.assertIn(f'href="{lift}" data-testid="lift-legal-hold">Lift legal hold</a>', page)
        self.assertNotIn("Release this hold", page)
        # Its own card, ended before the custody verdict starts.
        self.assertLess(page.index("</section>"), page.index('data-testid="hold-verdict"'))

    def test_item8_an_identical_active_hold_is_refused_with_a_message(self):
        self._hold()
        sign_in(self.client, self.supervisor_a)
        same = {"scope": "record", "reason": "litigation", "reference": "cv-2026-0042 "}
        response = self.client.post(self.place_url, same)
        self.assertContains(response, DUPLICATE_MESSAGE)
        self.assertEqual(LegalHold.objects.count(), 1)
        other = {"scope": "record", "reason": "litigation", "reference": "CV-2026-0043"}
        self.assertEqual(self.client.post(self.place_url, other).status_code, 302)
        self.assertEqual(LegalHold.objects.count(), 2)

    def test_item8_an_identical_subject_hold_is_refused_from_another_detainer_of_the_subject(self):
        self._hold(scope="subject")
        twin = make_detainer(self.agency_a, actor=self.staff_a, number=2, a_number="A999000005")
        with self.assertRaises(ValidationError) as raised:
            legal_hold_place(
                record=twin, actor=self.admin_a, scope="subject", reason="litigation", reference="CV-2026-0042"
            )
        self.assertEqual(raised.exception.message_dict, {"reference": [DUPLICATE_MESSAGE]})

    def test_item8_the_message_after_a_subject_hold_speaks_of_every_detainer(self):
        sign_in(self.client, self.supervisor_a)
        response = self.client.post(
            self.place_url, {"scope": "subject", "reason": "litigation", "reference": "CV-1"}, follow=True
        )
        self.assertContains(response, "keeps every detainer of this subject until it is lifted")
        self.assertNotContains(response, "skips this record")

    def test_item8_the_case_form_asks_no_one_option_choice(self):
        incident = make_incident(self.agency_a, 1)
        sign_in(self.client, self.supervisor_a)
        url = reverse("retention:hold_place_case", args=[incident.public_id])
        self.assertNotContains(self.client.get(url), 'name="scope"')
        self.assertEqual(self.client.post(url, {"reason": "other", "reference": "IA-1"}).status_code, 302)
        self.assertEqual(LegalHold.objects.get().scope, "record")

    def test_item8_the_list_names_each_record_and_links_to_it(self):
        self._hold()
        incident = make_incident(self.agency_a, 1)
        legal_hold_place(record=incident, actor=self.supervisor_a, scope="record", reason="other", reference="IA-1")
        sign_in(self.client, self.supervisor_a)
        page = self.client.get(HOLDS_URL).content.decode()
        self.assertIn(f'<a class="usa-link" href="{self.detail_url}">Detainer, booking BK-00001</a>', page)
        case_url = reverse("incidents:incident_detail", args=[incident.public_id])
        self.assertIn(f'<a class="usa-link" href="{case_url}">Case: Invented incident 1</a>', page)

    def test_item8_the_release_page_has_cancel_and_a_released_hold_shows_a_notice_not_a_form(self):
        hold = self._hold()
        url = reverse("retention:hold_release", args=[hold.public_id])
        sign_in(self.client, self.admin_a)
        page = self.client.get(url).content.decode()
        self.assertIn(f'href="{HOLDS_URL}?agency={self.agency_a.public_id}">Cancel</a>', page)
        self.assertIn("Detainer, booking BK-00001", page)
        legal_hold_release(hold=hold, actor=self.supervisor_a, reason="Settled")
        page = self.client.get(url)
        self.assertContains(page, 'data-testid="hold-already-released"')
        self.assertNotContains(page, 'name="reason"')
        self.assertContains(page, "Settled")
        response = self.client.post(url, {"reason": "Again"})
        self.assertContains(response, 'data-testid="hold-already-released"')
        hold.refresh_from_db()
        self.assertEqual((hold.release_reason, hold.released_by), ("Settled", self.supervisor_a))

    def test_item6_an_auditor_reads_the_holds_list_without_lift_links(self):
        hold = self._hold()
        sign_in(self.client, self.auditor_a)
        page = self.client.get(HOLDS_URL)
        self.assertContains(page, "CV-2026-0042")
        self.assertNotContains(page, reverse("retention:hold_release", args=[hold.public_id]))
        release = self.client.post(reverse("retention:hold_release", args=[hold.public_id]), {"reason": "x"})
        self.assertEqual(release.status_code, 403)
        self.assertContains(release, "Auditors read and export", status_code=403)
        hold.refresh_from_db()
        self.assertIsNone(hold.released_at)

    def test_item9_staff_are_refused_with_a_message_for_staff(self):
        sign_in(self.client, self.staff_a)
        for response in (self.client.get(self.place_url), self.client.get(HOLDS_URL)):
            self.assertEqual(response.status_code, 403)
            self.assertNotContains(response, "Auditors", status_code=403)
        self.assertContains(self.client.get(self.place_url), NOT_ALLOWED_MESSAGE, status_code=403)
        self.assertContains(self.client.get(HOLDS_URL), HOLDS_LIST_MESSAGE, status_code=403)

    def test_item6_someone_of_no_agency_gets_404_on_the_list(self):
        sign_in(self.client, self.outsider)
        self.assertEqual(self.client.get(HOLDS_URL).status_code, 404)
