"""A resident who reaches a missing or withdrawn public page gets a "not found" page in the public layout."""

import uuid

from django.test import override_settings

from tests.base import BaseTestCase, sign_in


@override_settings(DEBUG=False)
class PublicNotFoundTests(BaseTestCase):
    def test_an_unknown_agencys_figures_answer_a_public_not_found_page_in_the_visitors_language(self):
        for path in (f"/transparency/{uuid.uuid4()}/", f"/transparency/{uuid.uuid4()}/figures.csv", "/transparency/x/"):
            with self.subTest(path=path):
                response = self.client.get(path, HTTP_ACCEPT_LANGUAGE="es")
                self.assertEqual(response.status_code, 404)
                self.assertTemplateUsed(response, "public/404.html")
                self.assertContains(response, "Página no encontrada", status_code=404)
                self.assertContains(response, 'href="/transparency/"', status_code=404)
                self.assertNotContains(response, "dashboard", status_code=404)

    def test_in_english_too(self):
        response = self.client.get(f"/transparency/{uuid.uuid4()}/", HTTP_ACCEPT_LANGUAGE="en")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, 'href="/complaints/"', status_code=404)

    def test_a_staff_path_keeps_the_staff_not_found_page(self):
        sign_in(self.client, self.staff_a)
        response = self.client.get(f"/outreach/{uuid.uuid4()}/")
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, "Back to the dashboard", status_code=404)
