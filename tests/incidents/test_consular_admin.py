"""R5.6: the consular mandatory-notification country list is editable by administrators (Django admin).

Invented edit: Mexico is not on the shipped list (CNA 5th ed.); a superuser adds it to the list
in effect, through the admin, and the rule then treats Mexican nationals as mandatory-notification.
"""

from __future__ import annotations

from datetime import date

from compliance.core.models import User
from incidents.consular import services as consular
from incidents.consular.models import ConsularCountry, ConsularCountryList
from tests.base import BaseTestCase, sign_in

ARREST_DAY = date(2026, 3, 2)
ADD_URL = "/admin/incidents/consularcountry/add/"


class ConsularCountryAdminTests(BaseTestCase):
    def setUp(self):
        self.root = User.objects.create_superuser("root", "root@example.test", "invented-root-password")
        self.current = consular.country_list_at(ARREST_DAY)
        self.assertIsNone(consular.mandatory_country("Mexico", self.current))  # the shipped list

    def mexico_post(self):
        return {"country_list": self.current.pk, "code": "MX", "name": "Mexico", "aliases": "Estados Unidos Mexicanos"}

    def test_case_R5_6_superuser_adds_a_country_in_the_admin(self):
        sign_in(self.client, self.root)
        response = self.client.post(ADD_URL, self.mexico_post())
        self.assertEqual(response.status_code, 302, response.content[:2000])
        entry = consular.mandatory_country("Mexico", consular.country_list_at(ARREST_DAY))
        self.assertIsNotNone(entry)
        self.assertEqual((entry.code, entry.country_list), ("MX", self.current))
        self.assertIsNotNone(consular.mandatory_country("estados unidos mexicanos", self.current))  # the alias
        # Audited: the creation row names the administrator.
        history = entry.history.get()
        self.assertEqual((history.history_type, history.history_user), ("+", self.root))

    def test_case_R5_6_superuser_adds_a_country_on_the_list_page(self):
        """The list's own change page (the country inline), as an administrator correcting the list would."""
        sign_in(self.client, self.root)
        existing = list(self.current.countries.order_by("pk"))
        data = {
            "version": self.current.version,
            "source": self.current.source,
            "published_on": self.current.published_on.isoformat(),
            "effective_from": self.current.effective_from.isoformat(),
            "notes": self.current.notes,
            "countries-TOTAL_FORMS": str(len(existing) + 1),
            "countries-INITIAL_FORMS": str(len(existing)),
            "countries-MIN_NUM_FORMS": "0",
            "countries-MAX_NUM_FORMS": "1000",
        }
        if self.current.confirmed:
            data["confirmed"] = "on"
        for index, country in enumerate(existing):
            prefix = f"countries-{index}-"
            data.update(
                {
                    f"{prefix}id": country.pk,
                    f"{prefix}country_list": self.current.pk,
                    f"{prefix}code": country.code,
                    f"{prefix}name": country.name,
                    f"{prefix}aliases": country.aliases,
                    f"{prefix}note": country.note,
                }
            )
        new = f"countries-{len(existing)}-"
        data.update({f"{new}country_list": self.current.pk, f"{new}code": "MX", f"{new}name": "Mexico"})
        response = self.client.post(f"/admin/incidents/consularcountrylist/{self.current.pk}/change/", data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(self.current.countries.count(), len(existing) + 1)
        entry = consular.mandatory_country("MX", self.current)
        self.assertEqual(entry.name, "Mexico")
        self.assertEqual(entry.history.get().history_user, self.root)
        # Unchanged countries get no history row (no phantom changes, H2).
        self.assertEqual(ConsularCountry.history.filter(history_type="~").count(), 0)
        # The shipped list has its "+" history row from migration 0016 (no author: it came with the software);
        # saving the list unchanged writes no row (H2).
        baseline = ConsularCountryList.history.get(id=self.current.pk)
        self.assertEqual(
            (baseline.history_type, baseline.history_user, baseline.version), ("+", None, self.current.version)
        )
        self.assertIn("Shipped with the application", baseline.history_change_reason)
        data["countries-TOTAL_FORMS"] = data["countries-INITIAL_FORMS"] = str(len(existing) + 1)
        data[f"{new}id"] = entry.pk
        response = self.client.post(f"/admin/incidents/consularcountrylist/{self.current.pk}/change/", data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ConsularCountryList.history.filter(id=self.current.pk).count(), 1)
        self.assertEqual(ConsularCountry.history.filter(history_type="~").count(), 0)

    def test_case_R5_6_staff_without_admin_rights_get_no_access(self):
        # The app's own staff role (not Django "staff"): sent to the admin sign-in.
        sign_in(self.client, self.staff_a)
        response = self.client.post(ADD_URL, self.mexico_post())
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/admin/login/"))
        # A Django-staff account without model permissions: refused.
        clerk = User.objects.create_user("clerk", "clerk@example.test", "invented-clerk-password", is_staff=True)
        sign_in(self.client, clerk)
        self.assertEqual(self.client.post(ADD_URL, self.mexico_post()).status_code, 403)
        self.assertEqual(self.client.get("/admin/incidents/consularcountrylist/").status_code, 403)
        self.assertFalse(ConsularCountry.objects.filter(code="MX").exists())
        self.assertIsNone(consular.mandatory_country("Mexico", self.current))
