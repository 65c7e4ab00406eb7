"""No personal data on the public transparency pages (issue #12 item 4): a crawl of every page and CSV.

A sentinel name, booking number and A-number are planted in a detainer, a complaint with its
contact details and an outreach contact; every public page (the index, every period the picker
offers, English and Spanish) and every CSV is read: none of them appears anywhere.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.urls import reverse
from django.utils import timezone

from community.organisations.models import Contact
from community.outreach.models import OutreachEvent
from incidents.complaints.services import complaint_submit
from tests.base import BaseTestCase
from tests.community.transparency_helpers import outreach_events, publish
from tests.incidents.helpers import make_detainer

NAME = "Zebulon Quillfeather"
BOOKING = "BK-SENTINEL-5591"
A_NUMBER = "A098765432"
EMAIL = "zebulon.sentinel@example.org"
PHONE = "555-0199-4242"
SENTINELS = ("Zebulon", "Quillfeather", "SENTINEL", "5591", "098765432", "zebulon.sentinel", "0199-4242")


class NoPersonalDataTests(BaseTestCase):
    def setUp(self):
        now = timezone.now()
        for number, received_at in ((1, now), (2, datetime(2026, 1, 5, 15, 0, tzinfo=UTC))):
            make_detainer(
                self.agency_a,
                actor=self.staff_a,
                number=number,
                subject_first_name="Zebulon",
                subject_last_name=f"Quillfeather{number}" if number > 1 else "Quillfeather",
                booking_number=f"{BOOKING}-{number}",
                a_number=A_NUMBER if number == 1 else "A098765439",
                received_at=received_at,
            )
        complaint_submit(
            agency=self.agency_a,
            description=f"{NAME} was stopped; booking {BOOKING}, A-number {A_NUMBER}.",
            occurred_at=now,
            location="Quillfeather Road",
            officer_description="Officer Quillfeather",
            name=NAME,
            email=EMAIL,
            phone=PHONE,
        )
        Contact.objects.create(agency=self.agency_a, name=NAME, email=EMAIL, phone=PHONE, notes=A_NUMBER)
        OutreachEvent.objects.create(
            agency=self.agency_a,
            kind=OutreachEvent.Kind.COMMUNITY_MEETING,
            title=f"Meeting with {NAME}",
            held_on=timezone.localdate(now, timezone=self.agency_a.zone),
        )
        outreach_events(self.agency_a, **{OutreachEvent.Kind.PRESENTATION: 12})
        publish(self.agency_a, self.admin_a)

    def assertClean(self, url: str, body: str):
        for sentinel in SENTINELS:
            self.assertNotIn(sentinel.lower(), body.lower(), f"{sentinel} on {url}")

    def test_no_public_page_or_csv_shows_a_name_booking_or_a_number(self):
        page = reverse("transparency:agency", args=[self.agency_a.public_id])
        csv = reverse("transparency:csv", args=[self.agency_a.public_id])
        periods = re.findall(r'<option value="([0-9Q-]+)"', self.client.get(page).content.decode())
        self.assertGreaterEqual(len(periods), 8)
        visited = 0
        for language in ("en", "es"):
            headers = {"HTTP_ACCEPT_LANGUAGE": language}
            index = self.client.get(reverse("transparency:index"), **headers)
            self.assertClean("index", index.content.decode())
            for period in periods:
                for url in (f"{page}?period={period}", f"{csv}?period={period}"):
                    response = self.client.get(url, **headers)
                    self.assertEqual(response.status_code, 200, url)
                    body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
                    self.assertClean(url, body)
                    visited += 1
        self.assertEqual(visited, 2 * 2 * len(periods))
        # The crawl read real figures: the planted detainer and complaint were counted (as "fewer than 10").
        self.assertIn("fewer than 10", self.client.get(page).content.decode())
