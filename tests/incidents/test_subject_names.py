"""Subjects' names as people have them: the detainer form, the STOP's same-subject match, the log's name look-up.

Stored in Unicode NFC with outer spaces trimmed; compared by one folded key
(``compliance.core.names.name_key``, stored as ``Detainer.subject_last_name_key``/``subject_first_name_key``),
so a name pasted from a PDF in decomposed form or typed in capitals is the same person, on SQLite as
on PostgreSQL (CI runs this file on both). A person with a single name is the last name alone.
Invented people throughout.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlparse

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance.core.names import name_index
from incidents.citizenship import services as citizenship
from incidents.detainer_log import paging
from incidents.detainer_log.name_search import SESSION_KEY
from incidents.detainers import services
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer
from tests.incidents.test_detainer_views import NOW as FORM_NOW
from tests.incidents.test_detainer_views import detainer_post

BORN = date(1990, 5, 2)
CLAIM_AT = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)
LOG = reverse("incidents:detainer_list")


def nfd(text: str) -> str:
    """``text`` as a PDF often hands it over: accents as separate combining marks."""
    return unicodedata.normalize("NFD", text)


@time_machine.travel(FORM_NOW, tick=False)
class DetainerFormNameTests(BaseTestCase):
    def setUp(self):
        sign_in(self.client, self.staff_a)

    def test_a_decomposed_name_from_the_form_is_stored_composed_and_trimmed(self):
        self.client.post(
            "/detainers/new/",
            detainer_post(subject_last_name=f"  {nfd('ÁLVAREZ')}\u00a0", subject_first_name=nfd(" José ")),
        )
        detainer = Detainer.objects.get(booking_number="BK-20001")
        self.assertEqual((detainer.subject_last_name, detainer.subject_first_name), ("ÁLVAREZ", "José"))
        self.assertTrue(unicodedata.is_normalized("NFC", detainer.subject_last_name + detainer.subject_first_name))
        self.assertEqual(
            (detainer.subject_last_name_key, detainer.subject_first_name_key),
            (name_index("álvarez"), name_index("josé")),
        )

    def test_a_subject_with_a_single_name_is_logged_and_shown_exactly(self):
        response = self.client.post(
            "/detainers/new/", detainer_post(subject_last_name="Suharto", subject_first_name="")
        )
        detainer = Detainer.objects.get(booking_number="BK-20001")
        self.assertRedirects(response, reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertEqual((detainer.subject_last_name, detainer.subject_first_name), ("Suharto", ""))
        page = self.client.get(reverse("incidents:detainer_detail", args=[detainer.public_id]))
        self.assertContains(page, "<dt>Name</dt><dd>Suharto</dd>", html=False)
        self.assertNotContains(page, "Suharto,")
        log = self.client.get(LOG)
        self.assertContains(log, ">Suharto</a>", html=False)
        self.assertNotContains(log, "Suharto,")

    def test_a_last_name_of_only_spaces_is_refused_next_to_the_field(self):
        response = self.client.post(
            "/detainers/new/", detainer_post(subject_last_name=" \u200b ", subject_first_name="X")
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["subject_last_name"], ["This field is required."])
        self.assertFalse(Detainer.objects.exists())

    def test_the_service_refuses_a_subject_without_a_last_name(self):
        with self.assertRaises(ValidationError) as raised:
            make_detainer(self.agency_a, actor=self.staff_a, subject_last_name="  ")
        self.assertEqual(raised.exception.message_dict["subject_last_name"], [services.SUBJECT_NAME_MESSAGE])
        self.assertFalse(Detainer.objects.exists())


@time_machine.travel(FORM_NOW, tick=False)
class SubjectStopNameTests(BaseTestCase):
    """R5.1: the same name + date of birth as a detainer in STOP, however the name is written, is the same person."""

    def stop(self, last: str, first: str, number: int = 1) -> Detainer:
        stopped = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            number=number,
            subject_last_name=last,
            subject_first_name=first,
            subject_date_of_birth=BORN,
        )
        citizenship.citizenship_claim_record(
            detainer=stopped, actor=self.staff_a, uscitizenship_claimed=True, recorded_at=CLAIM_AT
        )
        return stopped

    def refused(self, last: str, first: str) -> str:
        before = Detainer.objects.count()
        with self.assertRaises(ValidationError) as raised:
            make_detainer(
                self.agency_a,
                actor=self.staff_a,
                number=50,
                subject_last_name=last,
                subject_first_name=first,
                subject_date_of_birth=BORN,
            )
        self.assertEqual(Detainer.objects.count(), before)
        [message] = raised.exception.message_dict["subject_last_name"]
        return message

    def test_capitals_and_a_decomposed_paste_match_the_name_typed_by_hand(self):
        self.stop("Álvarez", "José")
        for last, first in (("ÁLVAREZ", "JOSÉ"), (nfd("ÁLVAREZ"), nfd("José")), (" álvarez ", "josé")):
            with self.subTest(last=ascii(last), first=ascii(first)):
                self.assertIn("same name and date of birth as detainer booking BK-00001", self.refused(last, first))

    def test_a_name_stored_decomposed_is_matched_by_the_composed_one(self):
        stopped = self.stop("Núñez", "Inés")
        # A row written before names were cleaned, as pasted: decomposed (the key is derived at save).
        Detainer.objects.filter(pk=stopped.pk).update(subject_last_name=nfd("NÚÑEZ"), subject_first_name=nfd("Inés"))
        stopped.refresh_from_db()
        stopped.save()
        self.assertEqual(stopped.subject_last_name_key, name_index("núñez"))
        self.assertIn("same name and date of birth", self.refused("Núñez", "INÉS"))

    def test_a_subject_with_a_single_name_is_matched_on_it(self):
        self.stop("Suharto", "")
        self.assertIn("same name and date of birth", self.refused("SUHARTO", ""))

    def test_another_name_or_an_accent_less_spelling_is_another_person(self):
        self.stop("Peña", "Ana")
        other = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            number=60,
            subject_last_name="Pena",
            subject_first_name="Ana",
            subject_date_of_birth=BORN,
        )
        self.assertIsNotNone(other.pk)

    def test_the_form_shows_the_refusal_next_to_the_name(self):
        self.stop("Álvarez", "José")
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            "/detainers/new/",
            detainer_post(
                subject_last_name=nfd("ÁLVAREZ"), subject_first_name="JOSÉ", subject_date_of_birth=BORN.isoformat()
            ),
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("same name and date of birth", response.context["form"].errors["subject_last_name"][0])


@time_machine.travel(FORM_NOW, tick=False)
class DetainerLogNameSearchTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.capitals = make_detainer(
            cls.agency_a, actor=cls.staff_a, number=1, subject_last_name="ÁLVAREZ", subject_first_name="ROSA"
        )
        cls.decomposed = make_detainer(
            cls.agency_a, actor=cls.staff_a, number=2, subject_last_name="Álvarez", subject_first_name="Luis"
        )
        Detainer.objects.filter(pk=cls.decomposed.pk).update(subject_last_name=nfd("Álvarez"))  # as once pasted
        cls.unaccented = make_detainer(cls.agency_a, actor=cls.staff_a, number=3, subject_last_name="Alvarez")
        cls.single = make_detainer(
            cls.agency_a, actor=cls.staff_a, number=4, subject_last_name="Suharto", subject_first_name=""
        )
        cls.other_agency = make_detainer(cls.agency_b, actor=cls.staff_b, number=5, subject_last_name="Álvarez")

    def setUp(self):
        sign_in(self.client, self.staff_a)

    def find(self, last: str, first: str = "", url: str = LOG):
        response = self.client.post(url, {"subject_last_name": last, "subject_first_name": first})
        self.assertEqual(response.status_code, 302)
        return response

    def rows(self, response) -> set[int]:
        return {row.pk for row in response.context["detainers"]}

    def test_small_letters_find_the_name_stored_in_capitals_or_decomposed_through_the_page(self):
        page = self.client.get(self.find("álvarez").url)
        self.assertEqual(self.rows(page), {self.capitals.pk, self.decomposed.pk})
        self.assertContains(page, 'data-testid="name-search-on"')
        self.assertEqual(self.rows(self.client.get(self.find("ÁLVAREZ", "rosa").url)), {self.capitals.pk})
        self.assertEqual(self.rows(self.client.get(self.find(nfd("ÁLVAREZ"), "LUIS").url)), {self.decomposed.pk})
        self.assertEqual(self.rows(self.client.get(self.find("alvarez").url)), {self.unaccented.pk})
        self.assertEqual(self.rows(self.client.get(self.find("suharto").url)), {self.single.pk})

    def test_the_name_never_goes_into_the_address_only_an_opaque_token(self):
        response = self.find("Álvarez", "Rosa", url=f"{LOG}?outcome=open&cursor=abc")
        query = parse_qs(urlparse(response.url).query)
        self.assertEqual(set(query), {"outcome", "name"})  # the other filters kept, the old page dropped
        [token] = query["name"]
        self.assertNotIn("lvarez", response.url.lower())
        self.assertNotIn("rosa", response.url.lower())
        self.assertEqual(self.client.session[SESSION_KEY][token], [name_index("álvarez"), name_index("rosa")])

    def test_the_pages_links_keep_the_token_and_clearing_drops_it(self):
        for number in range(6, 6 + paging.PAGE_SIZE):
            make_detainer(self.agency_a, actor=self.staff_a, number=number, subject_last_name="Álvarez")
        url = self.find("álvarez").url
        token = parse_qs(urlparse(url).query)["name"][0]
        page = self.client.get(url)
        self.assertEqual(len(page.context["detainers"]), paging.PAGE_SIZE)
        older = page.context["links"]["older"]
        self.assertEqual(parse_qs(urlparse(older).query)["name"], [token])
        self.assertEqual(len(self.client.get(LOG + older).context["detainers"]), 2)
        self.assertNotIn("name=", page.context["clear_name_link"])

    def test_an_unknown_or_expired_token_narrows_nothing_and_says_so(self):
        page = self.client.get(LOG, {"name": "not-a-token"})
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, 'data-testid="name-search-expired"')
        self.assertEqual(len(page.context["detainers"]), 4)  # agency A's whole log

    def test_another_agency_is_never_found(self):
        page = self.client.get(self.find("ÁLVAREZ").url)
        self.assertNotIn(self.other_agency.pk, self.rows(page))

    def test_a_missing_last_name_is_shown_next_to_the_field(self):
        response = self.client.post(LOG, {"subject_last_name": " ", "subject_first_name": "Rosa"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["name_form"].errors["subject_last_name"], ["This field is required."])
        self.assertNotIn(SESSION_KEY, self.client.session)
