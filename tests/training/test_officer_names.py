"""Officers' names as people have them, on every path in: the officer form, the roster import, the roster search.

Stored in Unicode NFC with outer spaces trimmed; compared by one folded key
(``compliance.core.names.name_key``, stored as ``Officer.last_name_key``/``first_name_key``);
a person with a single name (``Suharto``) is the last name alone and shown exactly.
Invented people throughout.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.base import BaseTestCase, sign_in
from tests.training.helpers import make_officer, roster_search
from tests.training.test_import_preview import csv_bytes
from training.imports.models import PendingImport
from training.imports.services import roster_import, roster_preview
from training.roster import services
from training.roster.models import Officer

NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)
NFD_ALVAREZ = "A\u0301LVAREZ"  # capitals, and Á as A + combining acute: pasted from a PDF
HEADER = b"badge_number,last_name,first_name,unit,email,course_code,completed_on,certificate_number\r\n"


@time_machine.travel(NOW, tick=False)
class OfficerNamesTestCase(BaseTestCase):
    def login(self, user):
        self.client.logout()
        sign_in(self.client, user)

    def post_officer(self, **overrides):
        data = {"first_name": "Kai", "last_name": "Okoye", "badge_number": "N-1", "status": "nominated"}
        data.update(overrides)
        return self.client.post(reverse("training:officer_create"), data)


class OfficerFormNameTests(OfficerNamesTestCase):
    def test_a_decomposed_name_from_the_form_is_stored_composed_and_trimmed(self):
        self.login(self.staff_a)
        self.post_officer(last_name=f"  {NFD_ALVAREZ}\u00a0", first_name=" Jose\u0301 Mari\u0301a ")
        officer = Officer.objects.get(badge_number="N-1")
        self.assertEqual((officer.last_name, officer.first_name), ("ÁLVAREZ", "José María"))
        self.assertTrue(unicodedata.is_normalized("NFC", officer.last_name + officer.first_name))
        self.assertEqual((officer.last_name_key, officer.first_name_key), ("álvarez", "josé maría"))

    def test_a_person_with_a_single_name_is_recorded_and_shown_exactly(self):
        self.login(self.staff_a)
        response = self.post_officer(last_name="Suharto", first_name="")
        officer = Officer.objects.get(badge_number="N-1")
        self.assertRedirects(response, reverse("training:officer_detail", args=[officer.public_id]))
        self.assertEqual((officer.last_name, officer.first_name, officer.display_name), ("Suharto", "", "Suharto"))
        page = self.client.get(reverse("training:officer_detail", args=[officer.public_id]))
        self.assertContains(page, '<h1 class="margin-bottom-1">Suharto</h1>', html=False)
        self.assertNotContains(page, "Suharto,")
        roster = self.client.get(reverse("training:roster"))
        self.assertContains(roster, ">Suharto</a>", html=False)
        self.assertNotContains(roster, "Suharto,")

    def test_a_last_name_of_only_spaces_is_refused_next_to_the_field(self):
        self.login(self.staff_a)
        response = self.post_officer(last_name=" \u200b ", first_name="Kai")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].errors["last_name"], ["This field is required."])
        self.assertFalse(Officer.objects.filter(badge_number="N-1").exists())

    def test_an_edit_keeps_the_search_key_in_step(self):
        officer = make_officer(self.agency_a, "N-2", last="Lee", first="Kim")
        services.officer_update(actor=self.staff_a, officer=officer, data={"last_name": f" {NFD_ALVAREZ} "})
        officer.refresh_from_db()
        self.assertEqual((officer.last_name, officer.last_name_key), ("ÁLVAREZ", "álvarez"))
        self.assertEqual(officer.history.latest().last_name, "ÁLVAREZ")


class RosterSearchTests(OfficerNamesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.capitals = make_officer(cls.agency_a, "S-1", last="ÁLVAREZ", first="ROSA")
        cls.decomposed = make_officer(cls.agency_a, "S-2", last="Nu\u0301n\u0303ez", first="Ine\u0301s")
        make_officer(cls.agency_a, "S-3", last="Alvarado", first="Tom")
        make_officer(cls.agency_b, "S-9", last="Álvarez", first="Otra")

    def badges(self, q: str) -> list[str]:
        response = self.client.get(
            reverse("training:roster"), roster_search(self.client, {"q": q, "agency": self.agency_a.public_id})
        )
        self.assertEqual(response.status_code, 200)
        return [officer.badge_number for officer in response.context["page_obj"]]

    def test_small_letters_find_a_name_stored_in_capitals(self):
        self.login(self.supervisor_a)
        self.assertEqual(self.badges("álvarez"), ["S-1"])
        self.assertEqual(self.badges("ÁLVAREZ"), ["S-1"])
        self.assertEqual(self.badges("rosa álv"), ["S-1"])

    def test_the_composed_and_decomposed_forms_find_each_other(self):
        self.login(self.supervisor_a)
        self.assertEqual(self.badges("núñez"), ["S-2"])  # typed composed, stored as pasted (decomposed)
        self.assertEqual(self.badges(unicodedata.normalize("NFD", "INÉS")), ["S-2"])

    def test_accents_still_count(self):
        self.login(self.supervisor_a)
        self.assertEqual(self.badges("alvarez"), [])  # Álvarez is not Alvarez
        self.assertEqual(self.badges("alvar"), ["S-3"])


@time_machine.travel(NOW, tick=False)
class ImportNameTests(BaseTestCase):
    def run_import(self, data: bytes, **kwargs):
        return roster_import(actor=self.staff_a, agency=self.agency_a, data=data, file_name="names.csv", **kwargs)

    def test_a_person_with_a_single_name_imports_with_a_blank_first_name_and_shows_exactly(self):
        preview = roster_preview(agency=self.agency_a, data=csv_bytes("M-1,Suharto,,,,,,"), file_name="names.csv")
        self.assertEqual([(o.action, o.name, o.errors) for o in preview.outcomes], [("create", "Suharto", [])])
        result = self.run_import(csv_bytes("M-1,Suharto,,,,,,"))
        self.assertEqual(result.errors, [])
        officer = Officer.objects.get(badge_number="M-1")
        self.assertEqual((officer.last_name, officer.first_name, officer.display_name), ("Suharto", "", "Suharto"))

    def test_a_new_officer_without_a_last_name_is_a_row_error(self):
        result = self.run_import(csv_bytes("M-2,,Kai,,,,,"))
        self.assertEqual([(e.line, e.column) for e in result.errors], [(2, "last_name")])
        self.assertFalse(Officer.objects.exists())

    def test_decomposed_names_in_a_file_are_stored_composed_and_trimmed(self):
        result = self.run_import(csv_bytes(f"M-3, {NFD_ALVAREZ} ,\u200bJose\u0301,,,,,"))
        self.assertEqual(result.errors, [])
        officer = Officer.objects.get(badge_number="M-3")
        self.assertEqual((officer.last_name, officer.first_name), ("ÁLVAREZ", "José"))
        self.assertEqual(officer.last_name_key, "álvarez")

    def test_one_officers_rows_may_spell_the_name_in_other_capitals_or_forms_but_not_another_name(self):
        same = csv_bytes("M-4,Álvarez,Rosa,,,,,", f"M-4,{NFD_ALVAREZ},ROSA,,,,,")
        self.assertEqual(self.run_import(same).errors, [])
        officer = Officer.objects.get(badge_number="M-4")
        self.assertEqual((officer.last_name, officer.first_name), ("Álvarez", "Rosa"))  # the first spelling
        other = self.run_import(csv_bytes("M-5,Alvarez,Rosa,,,,,", "M-5,Álvarez,Rosa,,,,,"))
        self.assertEqual([(e.line, e.column) for e in other.errors], [(3, "last_name")])

    def test_an_upload_on_the_import_page_previews_and_imports_a_single_name(self):
        sign_in(self.client, self.staff_a)
        upload = SimpleUploadedFile("names.csv", HEADER + b"M-6,Suharto,,Jail,,,,\r\n")
        self.client.post(reverse("training:roster_import"), {"file": upload, "encoding": "utf-8"})
        pending = PendingImport.objects.get()
        url = reverse("training:roster_import_preview", args=[pending.public_id])
        page = self.client.get(url)
        self.assertContains(page, 'data-line="2" data-outcome="create"')
        self.assertNotContains(page, "Suharto,")
        self.client.post(url, {"choice": "all", "digest": page.context["digest"]})
        self.assertEqual(Officer.objects.get(badge_number="M-6").display_name, "Suharto")
