"""A resident files a complaint in Spanish with a photo, in a real browser, and reads its status (issue #11 item 1).

The language is chosen with the switcher (a plain form: it works without JavaScript too); a refused
form keeps what was typed; the tracking number is read off the "received" page and typed on the
status page. axe-core checks every public page it shows (WCAG 2.x A/AA).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from compliance.core.models import Agency
from incidents.incident_log.models import Incident
from tests.browser.axe import assert_accessible
from tests.community.helpers import png_bytes

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_resident_files_a_complaint_in_spanish_and_reads_its_status(page, live_server, tmp_path):
    cache.clear()
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    photo = tmp_path / "foto.png"
    photo.write_bytes(png_bytes())

    page.goto(f"{live_server.url}/complaints/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
    page.get_by_test_id("language-es").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", level=1).inner_text() == "Presentar una queja sobre un agente"

    # Sent without saying what happened: refused, everything typed kept, in Spanish.
    page.get_by_label("¿Sobre qué agencia es su queja?").select_option(str(agency.public_id))
    page.get_by_label("¿En qué fecha pasó?").fill("2026-11-20")
    page.get_by_label("¿Dónde pasó?").fill("Carretera 9 cerca de Alder")
    page.locator("label[for=id_immigration_0]").click()  # USWDS draws the radio on its label
    page.get_by_label("Correo electrónico (opcional)").fill("rosa@example.test")
    page.get_by_test_id("send-complaint").click()
    assert page.get_by_test_id("error-summary").is_visible()
    assert "Hay un problema con lo que escribió" in page.get_by_test_id("error-summary").inner_text()
    assert page.get_by_label("¿Dónde pasó?").input_value() == "Carretera 9 cerca de Alder"
    assert page.get_by_label("Correo electrónico (opcional)").input_value() == "rosa@example.test"
    assert_accessible(page)

    page.get_by_label("¿Qué pasó?").fill("Un agente me detuvo dos horas y me preguntó por mis papeles.")
    page.get_by_label("Documentos o fotos (opcional)").set_input_files(str(photo))
    page.get_by_test_id("send-complaint").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Recibimos su queja"
    number = page.get_by_test_id("tracking-number").inner_text().strip()
    assert number not in page.url
    assert_accessible(page)

    incident = Incident.objects.get(tracking_number=number)
    assert incident.contact.language == "es"
    assert incident.attachments.get().file_name == "foto.png"

    page.get_by_role("link", name="Consultar el estado de una queja").first.click()
    page.get_by_label("Número de seguimiento").fill(number.replace("-", "").lower())
    page.get_by_test_id("look-up").click()
    assert page.get_by_test_id("stage").inner_text() == "Recibida: en espera de revisión"
    assert "status" in page.url and number not in page.url
    assert_accessible(page)
