"""Case H2 through the pages: saving an edit page unchanged writes no history row.

The agency-local date and time widget shows HH:MM only; a stored time with
seconds must survive a save of the rendered form as it is.
"""

from datetime import UTC, datetime
from html.parser import HTMLParser

import time_machine
from django.urls import reverse

from incidents.consular.forms import ConsularForm
from incidents.detainers.forms import DetainerForm
from incidents.detainers.models import Detainer
from incidents.incident_log import services as incident_services
from incidents.incident_log.forms import IncidentForm
from incidents.incident_log.models import Incident
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import make_detainer

NOW = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)
OCCURRED = datetime(2026, 5, 1, 18, 0, 27, tzinfo=UTC)  # 13:00:27 CDT


class _FormFields(HTMLParser):
    """The values a browser would submit for the POST form holding ``marker`` (inputs, selects, textareas)."""

    def __init__(self, marker: str):
        super().__init__()
        self.marker = marker
        self.forms: list[list[tuple[str, str]]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._in_form = True
            self.forms.append([])
        if not self._in_form:
            return
        fields = self.forms[-1]
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields.append((name, attrs.get("value") or "on"))
            elif kind not in ("submit", "button", "reset", "file"):
                fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            fields.append((self._select, attrs.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The HTML spec drops one leading newline of a textarea's content.
            self.forms[-1].append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def data(self) -> dict:
        for fields in self.forms:
            if any(name == self.marker for name, _ in fields):
                out: dict[str, list[str]] = {}
                for name, value in fields:
                    out.setdefault(name, []).append(value)
                return out
        raise AssertionError(f"No POST form with a field named {self.marker!r} on the page.")


def rendered_form(response, marker: str) -> dict:
    parser = _FormFields(marker)
    parser.feed(response.content.decode())
    return parser.data()


@time_machine.travel(NOW, tick=False)
class IncidentEditPageTests(BaseTestCase):
    def setUp(self):
        self.incident = incident_services.incident_create(
            agency=self.agency_a,
            actor=self.staff_a,
            kind=Incident.Kind.USE_OF_FORCE,
            severity=Incident.Severity.HIGH,
            title="Use of force at intake (invented)",
            description="Line one.\nLine two.",
            occurred_at=OCCURRED,
        )
        sign_in(self.client, self.supervisor_a)
        self.url = reverse("incidents:incident_edit", args=[self.incident.public_id])

    def test_case_H2_saving_the_incident_edit_page_unchanged_three_times_writes_no_history(self):
        for _ in range(3):
            data = rendered_form(self.client.get(self.url), "occurred_at_0")
            self.assertEqual(data["occurred_at_1"], ["13:00"])  # HH:MM on the agency's clock
            response = self.client.post(self.url, data)
            self.assertEqual(response.status_code, 302)
        self.incident.refresh_from_db()
        self.assertEqual(self.incident.history.count(), 1)
        self.assertEqual(self.incident.occurred_at, OCCURRED)

    def test_case_H2_a_change_of_one_minute_writes_one_row(self):
        data = rendered_form(self.client.get(self.url), "occurred_at_0")
        data["occurred_at_1"] = ["13:01"]
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        self.incident.refresh_from_db()
        self.assertEqual(self.incident.history.count(), 2)
        self.assertEqual(self.incident.occurred_at, datetime(2026, 5, 1, 18, 1, tzinfo=UTC))

    def test_the_other_agencys_edit_page_is_404(self):
        sign_in(self.client, self.supervisor_b)
        self.assertEqual(self.client.get(self.url).status_code, 404)


@time_machine.travel(NOW, tick=False)
class DetainerEditPageTests(BaseTestCase):
    RECEIVED = datetime(2026, 4, 20, 13, 0, 27, tzinfo=UTC)
    ISSUED = datetime(2026, 4, 20, 12, 15, 9, 500000, tzinfo=UTC)
    BOOKED = datetime(2026, 4, 19, 23, 59, 59, tzinfo=UTC)

    def setUp(self):
        self.detainer = make_detainer(
            self.agency_a,
            actor=self.staff_a,
            received_at=self.RECEIVED,
            issued_at=self.ISSUED,
            booked_at=self.BOOKED,
        )
        sign_in(self.client, self.supervisor_a)
        self.url = reverse("incidents:detainer_edit", args=[self.detainer.public_id])

    def test_case_H2_saving_the_detainer_edit_page_unchanged_three_times_writes_no_history(self):
        self.assertEqual(self.detainer.history.count(), 1)
        for _ in range(3):
            data = rendered_form(self.client.get(self.url), "received_at_0")
            self.assertEqual(data["received_at_1"], ["08:00"])
            response = self.client.post(self.url, data)
            self.assertEqual(response.status_code, 302)
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.history.count(), 1)
        self.assertEqual(
            (self.detainer.received_at, self.detainer.issued_at, self.detainer.booked_at),
            (self.RECEIVED, self.ISSUED, self.BOOKED),
        )

    def test_case_H2_a_change_of_one_minute_writes_one_row_and_keeps_the_other_seconds(self):
        data = rendered_form(self.client.get(self.url), "received_at_0")
        data["received_at_1"] = ["08:01"]
        self.assertEqual(self.client.post(self.url, data).status_code, 302)
        self.detainer.refresh_from_db()
        self.assertEqual(self.detainer.history.count(), 2)
        self.assertEqual(self.detainer.received_at, datetime(2026, 4, 20, 13, 1, tzinfo=UTC))
        self.assertEqual(self.detainer.issued_at, self.ISSUED)
        self.assertEqual(self.detainer.booked_at, self.BOOKED)

    def test_the_other_agencys_edit_page_is_404(self):
        sign_in(self.client, self.supervisor_b)
        self.assertEqual(self.client.get(self.url).status_code, 404)


@time_machine.travel(NOW, tick=False)
class SameMinuteRuleTests(BaseTestCase):
    """The rule in ``AgencyLocalTimesMixin`` itself, for every form with a local date and time."""

    def incident_form(self, clock: str, which: str = "", *, stored=OCCURRED):
        initial = {
            "kind": "other",
            "severity": "low",
            "immigration_related": "unsure",
            "title": "Invented",
            "occurred_at": stored,
        }
        data = {
            "kind": "other",
            "severity": "low",
            "immigration_related": "unsure",
            "title": "Invented",
            "occurred_at_0": f"{stored.astimezone(self.agency_a.zone):%Y-%m-%d}",
            "occurred_at_1": clock,
            "occurred_at_which": which,
        }
        return IncidentForm(data, initial=initial, agencies=[self.agency_a], agency=self.agency_a)

    def test_the_same_minute_keeps_the_stored_value_and_has_not_changed(self):
        form = self.incident_form("13:00")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["occurred_at"], OCCURRED)
        self.assertFalse(form.has_changed())
        self.assertEqual(form.changed_data, [])

    def test_another_minute_is_taken_as_typed_and_has_changed(self):
        form = self.incident_form("13:01")
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["occurred_at"], datetime(2026, 5, 1, 18, 1, tzinfo=UTC))
        self.assertEqual(form.changed_data, ["occurred_at"])

    def test_the_other_one_of_a_repeated_hour_is_a_change(self):
        # Stored 01:30:27 CDT (06:30:27 UTC) the night daylight time ends; the user picks 01:30 CST.
        stored = datetime(2026, 11, 1, 6, 30, 27, tzinfo=UTC)
        with time_machine.travel(datetime(2026, 11, 2, tzinfo=UTC), tick=False):
            same = self.incident_form("01:30", "earlier", stored=stored)
            self.assertTrue(same.is_valid(), same.errors)
            self.assertEqual(same.cleaned_data["occurred_at"], stored)
            other = self.incident_form("01:30", "later", stored=stored)
            self.assertTrue(other.is_valid(), other.errors)
            self.assertEqual(other.cleaned_data["occurred_at"], datetime(2026, 11, 1, 7, 30, tzinfo=UTC))

    def test_without_a_stored_value_the_time_is_whole_minutes(self):
        detainer = Detainer(agency=self.agency_a)
        form = DetainerForm(
            {"received_at_0": "2026-04-20", "received_at_1": "08:00"}, agencies=[self.agency_a], agency=detainer.agency
        )
        form.is_valid()
        self.assertEqual(form.cleaned_data["received_at"], datetime(2026, 4, 20, 13, 0, tzinfo=UTC))

    def test_the_consular_form_keeps_the_stored_seconds_too(self):
        stored = datetime(2026, 5, 2, 14, 5, 41, 250000, tzinfo=UTC)  # 09:05:41.25 CDT
        data = {"notified_at_0": "2026-05-02", "notified_at_1": "09:05", "requested": "unknown"}
        form = ConsularForm(data, initial={"notified_at": stored}, agency=self.agency_a)
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["notified_at"], stored)
        self.assertNotIn("notified_at", form.changed_data)
