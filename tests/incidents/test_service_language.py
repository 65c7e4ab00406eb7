"""R3.8 on the service of the detainer: language required, interpreter type stored (incidents.actions.language)."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from incidents.actions import language as service_language
from incidents.citizenship.services import STOPPED_MESSAGE, citizenship_claim_record
from incidents.custody.forms import ServiceForm
from incidents.detainers import services
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import local_datetime_post, make_detainer

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)  # 2026-03-09 07:00 CDT
SERVED = datetime(2026, 3, 9, 11, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class ServiceLanguageServiceTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(self.agency_a, actor=self.staff_a)

    def serve(self, **overrides):
        values = {"served_on_subject_at": SERVED, "served_by": "Deputy Invented #7", "service_language": "Spanish"}
        values.update(overrides)
        return services.detainer_record_service(detainer=self.detainer, actor=self.staff_a, **values)

    def refused(self, **overrides) -> dict:
        with self.assertRaises(ValidationError) as raised:
            self.serve(**overrides)
        self.detainer.refresh_from_db()
        self.assertIsNone(self.detainer.served_on_subject_at)  # nothing saved
        return raised.exception.message_dict

    def test_it_stores_language_interpreter_and_its_type(self):
        served = self.serve(interpreter_used=True, service_interpreter_type="video")
        self.assertEqual(
            (served.service_language, served.interpreter_used, served.service_interpreter_type),
            ("Spanish", True, "video"),
        )

    def test_no_interpreter_is_stored_as_none(self):
        served = self.serve(service_language="  English ")
        self.assertEqual(
            (served.service_language, served.interpreter_used, served.service_interpreter_type),
            ("English", False, "none"),
        )

    def test_a_blank_language_is_refused(self):
        errors = self.refused(service_language="  ")
        self.assertEqual(errors, {"service_language": [service_language.LANGUAGE_REQUIRED_MESSAGE]})

    def test_a_used_interpreter_needs_its_type(self):
        for bad in ("", "none", "carrier pigeon"):
            errors = self.refused(interpreter_used=True, service_interpreter_type=bad)
            self.assertEqual(errors, {"service_interpreter_type": [service_language.INTERPRETER_TYPE_REQUIRED_MESSAGE]})

    def test_a_type_without_an_interpreter_is_refused(self):
        errors = self.refused(interpreter_used=False, service_interpreter_type="telephone")
        self.assertEqual(errors, {"interpreter_used": [service_language.INTERPRETER_NOT_USED_MESSAGE]})

    def test_every_problem_is_reported_at_once(self):
        errors = self.refused(served_by="", service_language="", interpreter_used=True)
        self.assertEqual(set(errors), {"served_by", "service_language", "service_interpreter_type"})

    def test_R5_1_service_is_refused_while_stop_is_in_force(self):
        citizenship_claim_record(
            detainer=self.detainer, actor=self.staff_a, citizenship_sign_us_id=True, recorded_at=SERVED
        )
        with self.assertRaises(ValidationError) as raised:
            self.serve()
        self.assertEqual(raised.exception.messages, [STOPPED_MESSAGE])
        self.detainer.refresh_from_db()
        self.assertIsNone(self.detainer.served_on_subject_at)
        self.assertEqual((self.detainer.served_by, self.detainer.service_language), ("", ""))


@time_machine.travel(NOW, tick=False)
class ServiceFormTests(BaseTestCase):
    def form(self, **overrides):
        data = {
            **local_datetime_post("served_on_subject_at", "2026-03-09", "06:00"),
            "served_by": "Deputy Invented #7",
            "service_language": "Haitian Creole",
        }
        data.update(overrides)
        return ServiceForm(data, agency=self.agency_a)

    def test_a_valid_form_gives_the_service_its_arguments(self):
        form = self.form(interpreter_used="on", service_interpreter_type="in_person")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["service_interpreter_type"], "in_person")

    def test_the_language_is_required_next_to_the_field(self):
        form = self.form(service_language=" ")
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["service_language"], [service_language.LANGUAGE_REQUIRED_MESSAGE])

    def test_a_used_interpreter_needs_its_type_next_to_the_field(self):
        form = self.form(interpreter_used="on")
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["service_interpreter_type"], [service_language.INTERPRETER_TYPE_REQUIRED_MESSAGE])

    def test_a_type_without_an_interpreter_is_refused_next_to_the_box(self):
        form = self.form(service_interpreter_type="telephone")
        self.assertFalse(form.is_valid())
        self.assertEqual(form.errors["interpreter_used"], [service_language.INTERPRETER_NOT_USED_MESSAGE])

    def test_no_interpreter_is_not_offered_as_a_kind(self):
        values = [value for value, _ in self.form().fields["service_interpreter_type"].choices]
        self.assertEqual(values, ["", "in_person", "telephone", "video"])


@time_machine.travel(NOW, tick=False)
class ServiceShownTests(BaseTestCase):
    def setUp(self):
        self.detainer = make_detainer(
            self.agency_a, actor=self.staff_a, would_be_released_at=datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
        )
        sign_in(self.client, self.staff_a)

    def test_the_board_form_refuses_a_blank_language_and_saves_nothing(self):
        url = reverse("incidents:custody_action", args=[self.detainer.public_id, "service"])
        data = {**local_datetime_post("served_on_subject_at", "2026-03-09", "06:00"), "served_by": "Deputy Vale"}
        response = self.client.post(url, data)
        self.assertContains(response, service_language.LANGUAGE_REQUIRED_MESSAGE, status_code=200)
        error_id = f"id_{self.detainer.public_id.hex[:12]}_service_service_language-error"  # next to the field
        self.assertContains(response, f'id="{error_id}"', status_code=200)
        self.detainer.refresh_from_db()
        self.assertIsNone(self.detainer.served_on_subject_at)

    def test_the_board_and_the_detainer_page_show_language_and_interpreter(self):
        url = reverse("incidents:custody_action", args=[self.detainer.public_id, "service"])
        data = {
            **local_datetime_post("served_on_subject_at", "2026-03-09", "06:00"),
            "served_by": "Deputy Vale",
            "service_language": "Vietnamese",
            "interpreter_used": "on",
            "service_interpreter_type": "telephone",
        }
        self.assertRedirects(self.client.post(url, data), "/custody/")
        self.assertEqual(Detainer.objects.get(pk=self.detainer.pk).service_interpreter_type, "telephone")
        shown = '<span data-testid="service-language">Vietnamese; interpreter (telephone)</span>'
        self.assertContains(self.client.get("/custody/"), shown, html=False)
        page = self.client.get(reverse("incidents:detainer_detail", args=[self.detainer.public_id]))
        self.assertContains(page, shown)
        self.assertContains(page, "by Deputy Vale")

    def test_an_older_service_without_a_language_says_so(self):
        # A row served before R3.8 was enforced: no language, no interpreter type.
        self.detainer.served_on_subject_at, self.detainer.served_by = NOW, "B-1"
        self.detainer.save()
        page = self.client.get(reverse("incidents:detainer_detail", args=[self.detainer.public_id]))
        self.assertContains(page, "language not recorded; no interpreter")

    def test_other_agency_gets_404(self):
        sign_in(self.client, self.staff_b)
        url = reverse("incidents:custody_action", args=[self.detainer.public_id, "service"])
        self.assertEqual(self.client.post(url, {"service_language": "French"}).status_code, 404)
