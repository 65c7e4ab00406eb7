"""Searches on a person never travel in the URL (SECURITY.md F6), and searches and exports are limited per user
(SECURITY.md F11: beyond the limit, HTTP 429 with our page and an access-log row)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import time_machine
from django.test import override_settings
from django.urls import reverse

from compliance.core.models import AccessLog
from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_officer
from tests.incidents.helpers import make_detainer

LOG = reverse("incidents:detainer_list")
ROSTER = reverse("training:roster")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def links(body: bytes) -> list[str]:
    return re.findall(r'(?:href|action)="([^"]*)"', body.decode())


class PrivateSearchTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(
            self.agency_a, actor=self.staff_a, booking_number="BK-QZ-4417", a_number="A087654321"
        )
        self.officer = make_officer(self.agency_a, 1, last_name="Quillfeather")
        sign_in(self.client, self.supervisor_a)

    def assert_kept_out_of_urls(self, response, *secrets):
        self.assertEqual(response.status_code, 302)
        page = self.client.get(response.url)
        self.assertEqual(page.status_code, 200)
        addresses = [response.url, *links(page.content)]
        for secret in secrets:
            with self.subTest(secret=secret):
                self.assertFalse([url for url in addresses if secret.lower() in url.lower()])
                paths = AccessLog.objects.values_list("path", flat=True)
                self.assertFalse([path for path in paths if secret.lower() in path.lower()])
        return page

    def test_F6_a_number_look_up_travels_in_the_post_body_and_a_token_only(self):
        response = self.client.post(LOG + "?outcome=open", {"booking_or_a_number": "A087654321"})
        page = self.assert_kept_out_of_urls(response, "087654321", "A087654321")
        self.assertEqual([row.pk for row in page.context["detainers"]], [self.detainer.pk])
        self.assertContains(page, 'data-testid="number-search-on"')

    def test_F6_booking_number_look_up_travels_in_the_post_body_and_a_token_only(self):
        response = self.client.post(LOG, {"booking_or_a_number": "BK-QZ-4417"})
        page = self.assert_kept_out_of_urls(response, "BK-QZ-4417", "QZ-4417")
        self.assertEqual([row.pk for row in page.context["detainers"]], [self.detainer.pk])

    def test_F6_detainer_name_look_up_travels_in_the_post_body_and_a_token_only(self):
        last = self.detainer.subject_last_name
        response = self.client.post(LOG, {"subject_last_name": last})
        page = self.assert_kept_out_of_urls(response, last)
        self.assertEqual([row.pk for row in page.context["detainers"]], [self.detainer.pk])

    def test_F6_roster_name_search_travels_in_the_post_body_and_a_token_only(self):
        make_officer(self.agency_a, 2, last_name="Otherwise")
        response = self.client.post(ROSTER, {"q": "Quillfeather"})
        page = self.assert_kept_out_of_urls(response, "Quillfeather")
        self.assertEqual([o.pk for o in page.context["page_obj"]], [self.officer.pk])
        self.assertContains(page, 'data-testid="roster-search-on"')

    def test_F6_the_query_string_does_not_search_by_number_or_name(self):
        page = self.client.get(LOG, {"number": "A087654321", "subject_last_name": self.detainer.subject_last_name})
        self.assertFalse(page.context["number_search"] or page.context["name_search"])
        make_officer(self.agency_a, 2, last_name="Otherwise")
        self.assertEqual(self.client.get(ROSTER, {"q": "Quillfeather"}).context["page_obj"].paginator.count, 2)

    def test_F6_a_token_of_another_session_reads_as_expired(self):
        token = self.client.post(LOG, {"booking_or_a_number": "A087654321"}).url.split("number=")[1]
        other = self.client_class()
        sign_in(other, self.staff_a)
        page = other.get(LOG, {"number": token})
        self.assertContains(page, 'data-testid="number-search-expired"')


@override_settings(RATE_LIMITS_PER_USER={"search": (3, 60), "export": (2, 3600)})
@time_machine.travel(NOW, tick=False)
class RateLimitTests(BaseTestCase):
    def setUp(self):
        make_detainer(self.agency_a, actor=self.staff_a, booking_number="BK-1")
        sign_in(self.client, self.supervisor_a)

    def test_F11_searches_beyond_the_limit_get_429_with_our_page_and_one_throttled_row(self):
        for _ in range(3):
            self.assertEqual(self.client.post(LOG, {"booking_or_a_number": "BK-1"}).status_code, 302)
        response = self.client.post(LOG, {"booking_or_a_number": "BK-1"})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")
        self.assertContains(response, "Try again in 1 minute", status_code=429)
        self.assertTemplateUsed(response, "base.html")
        [row] = AccessLog.objects.filter(outcome=AccessLog.Outcome.THROTTLED)
        self.assertEqual(
            (row.action, row.user, row.agency, row.path), ("search", self.supervisor_a, self.agency_a, LOG)
        )
        self.assertEqual(self.client.get(LOG).status_code, 200)  # reading the log is not a search
        self.assertEqual(self.client.post(ROSTER, {"q": "x"}).status_code, 429)  # one count for every search
        with time_machine.travel(datetime(2026, 11, 25, 12, 1, 1, tzinfo=UTC), tick=False):
            self.assertEqual(self.client.post(LOG, {"booking_or_a_number": "BK-1"}).status_code, 302)

    def test_F11_searches_under_the_limit_write_no_throttled_row(self):
        for _ in range(3):
            self.client.post(LOG, {"booking_or_a_number": "BK-1"})
        self.assertFalse(AccessLog.objects.filter(outcome=AccessLog.Outcome.THROTTLED).exists())

    def test_F11_exports_beyond_the_limit_get_429_with_our_page_and_one_throttled_row(self):
        export = reverse("incidents:detainer_export")
        self.assertEqual(self.client.get(export).status_code, 200)
        self.assertEqual(self.client.get(reverse("training:roster_export_csv")).status_code, 200)
        response = self.client.get(export)
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "3600")
        self.assertContains(response, "Try again in 60 minutes", status_code=429)
        [row] = AccessLog.objects.filter(outcome=AccessLog.Outcome.THROTTLED)
        self.assertEqual((row.action, row.user, row.path), ("export", self.supervisor_a, export))
        self.assertEqual(AccessLog.objects.filter(action="export", outcome="success").count(), 2)

    def test_F11_each_user_has_their_own_count(self):
        export = reverse("incidents:detainer_export")
        for _ in range(2):
            self.client.get(export)
        other = self.client_class()
        sign_in(other, self.auditor_a)
        self.assertEqual(other.get(export).status_code, 200)
