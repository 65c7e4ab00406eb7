"""From a resident's complaint in Spanish to a closed, signed-off review, in a real browser (issue #11).

A resident files a complaint in Spanish with an attachment and gets a tracking number; the
supervisor finds it in the queue, accepts it and assigns an investigator; the investigator
records an allegation, its disposition (sustained) and a corrective action, records the action
done and sends the case to review; the supervisor closes it with the signed-off narrative; the
resident's status page then says "Cerrada" in Spanish. axe-core checks every page each person
sees, and the content security policy is watched on every page (conftest).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from compliance.core.models import Agency
from compliance.core.roles import Role
from incidents.corrective_actions.models import CorrectiveAction
from incidents.incident_log.models import Allegation, CaseEvent, Incident
from tests.base import make_user
from tests.browser.axe import assert_accessible
from tests.browser.signin import sign_in_page
from tests.community.helpers import png_bytes

pytestmark = pytest.mark.browser


def _new_page(browser, **kwargs):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **kwargs)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _step(page, link: str, fields: dict, button: str) -> None:
    """On the case page: follow the step's link, fill its form, check it for axe, and submit it."""
    page.get_by_role("link", name=link, exact=True).click()
    page.wait_for_load_state()
    for label, value in fields.items():
        control = page.get_by_label(re.compile(rf"^{re.escape(label)}(\s|$)"))  # a required field's name ends "*"
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    assert_accessible(page)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_a_spanish_complaint_is_triaged_investigated_and_closed_and_the_resident_sees_it_closed(
    browser, live_server, tmp_path
):
    cache.clear()
    base = live_server.url
    agency = Agency.objects.create(name="Alder County Sheriff's Office", state="TX", time_zone="America/Chicago")
    supervisor = make_user("sup_ortiz", agency=agency, role=Role.SUPERVISOR)
    supervisor.first_name, supervisor.last_name = "Dana", "Ortiz"
    supervisor.save()
    investigator = make_user("inv_kim", agency=agency, role=Role.STAFF)
    investigator.first_name, investigator.last_name = "Sam", "Kim"
    investigator.save()
    photo = tmp_path / "foto.png"
    photo.write_bytes(png_bytes())

    # The resident files the complaint in Spanish, with a photo, and reads back the tracking number.
    resident = _new_page(browser, locale="es-ES")
    resident.goto(f"{base}/complaints/")
    assert resident.locator("html").get_attribute("lang") == "es"  # the browser's language, without asking
    resident.get_by_label("¿Sobre qué agencia es su queja?").select_option(str(agency.public_id))
    resident.get_by_label("¿En qué fecha pasó?").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    resident.get_by_label("¿Dónde pasó?").fill("Cárcel del condado, sala de entrevistas")
    resident.get_by_label("¿Qué pasó?").fill("Un agente me preguntó por mis papeles y no me dejó llamar a nadie.")
    resident.locator("label[for=id_immigration_0]").click()
    resident.get_by_label("Correo electrónico (opcional)").fill("residente@example.test")
    resident.get_by_label("Documentos o fotos (opcional)").set_input_files(str(photo))
    assert_accessible(resident)
    resident.get_by_test_id("send-complaint").click()
    assert resident.get_by_role("heading", level=1).inner_text() == "Recibimos su queja"
    number = resident.get_by_test_id("tracking-number").inner_text().strip()
    assert_accessible(resident)
    case = Incident.objects.get(tracking_number=number)
    assert (case.status, case.source, case.contact.language) == ("received", "public", "es")

    # The supervisor finds it in the queue (received, public) and accepts it, assigning the investigator.
    sup = _new_page(browser)
    sup.goto(f"{base}/accounts/login/")
    sign_in_page(sup, "sup_ortiz", then=f"{base}/")
    sup.goto(f"{base}/incidents/?status=received&source=public")
    assert_accessible(sup)
    sup.get_by_role("link", name=case.title).first.click()
    sup.wait_for_url(f"{base}/incidents/{case.public_id}/")
    assert number in sup.content()
    assert_accessible(sup)
    _step(sup, "Accept as a case", {"Investigator": "Sam Kim (inv_kim)"}, "Accept")
    sup.wait_for_url(f"{base}/incidents/{case.public_id}/")
    case.refresh_from_db()
    assert (case.status, case.investigator) == ("under_investigation", investigator)

    # The investigator records the allegation, a sustained disposition and a corrective action, done.
    inv = _new_page(browser)
    inv.goto(f"{base}/accounts/login/")
    sign_in_page(inv, "inv_kim", then=f"{base}/")
    case_url = f"{base}/incidents/{case.public_id}/"
    inv.goto(case_url)
    assert_accessible(inv)
    _step(
        inv,
        "Add an allegation",
        {"Allegation": "Denied a phone call during an immigration interview."},
        "Add allegation",
    )
    inv.goto(case_url)
    allegation = Allegation.objects.get(incident=case)
    _step(
        inv,
        "Record a disposition",
        {
            "Allegation": allegation.text,
            "Disposition": "Sustained",
            "Note": "The interview log shows no call was offered.",
        },
        "Record disposition",
    )
    inv.goto(case_url)
    due = (timezone.localdate(timezone=agency.zone) + timedelta(days=14)).isoformat()
    _step(
        inv,
        "Add a corrective action",
        {
            "Kind of action": "Training",
            "What is to be done": "Refresher on detainee phone access.",
            "Owner": "Sam Kim",
            "Due date": due,
        },
        "Add the action",
    )
    inv.goto(case_url)
    action = CorrectiveAction.objects.get(incident=case)
    assert action.status == "open"
    inv.locator(f"a[href='/corrective-actions/{action.public_id}/done/']").click()
    inv.wait_for_load_state()
    inv.get_by_label(re.compile(r"^Evidence(\s|$)")).fill("Training roster entry of the refresher, attended.")
    inv.get_by_label(re.compile(r"^Done on(\s|$)")).fill(timezone.localdate(timezone=agency.zone).isoformat())
    assert_accessible(inv)
    inv.get_by_role("button", name="Record a corrective action done").click()
    inv.wait_for_load_state()
    action.refresh_from_db()
    assert action.status == "done"
    inv.goto(case_url)
    _step(
        inv,
        "Send to supervisor review",
        {"Investigation summary": "Allegation sustained; training done."},
        "Send to review",
    )
    case.refresh_from_db()
    assert case.status == "supervisor_review"

    # The supervisor closes it with the signed-off narrative.
    sup.goto(case_url)
    assert_accessible(sup)
    _step(
        sup,
        "Close and sign off",
        {"Signed-off review narrative": "Reviewed the interview log and the training record; sustained."},
        "Close and sign off",
    )
    case.refresh_from_db()
    assert (case.status, case.closure, case.closed_by) == ("closed", "reviewed", supervisor)
    assert case.events.filter(kind=CaseEvent.Kind.CLOSED).count() == 1
    sup.goto(case_url)
    assert "Closed (Reviewed and closed)" in sup.content()
    assert_accessible(sup)

    # The resident's status page says "closed", in Spanish.
    resident.goto(f"{base}/complaints/status/")
    resident.get_by_label("Número de seguimiento").fill(number)
    resident.get_by_test_id("look-up").click()
    assert resident.get_by_test_id("stage").inner_text() == "Cerrada"
    assert resident.locator("html").get_attribute("lang") == "es"
    assert "Cerrada el" in resident.get_by_test_id("complaint-status").inner_text()
    assert "Kim" not in resident.content() and "Ortiz" not in resident.content()
    assert_accessible(resident)
