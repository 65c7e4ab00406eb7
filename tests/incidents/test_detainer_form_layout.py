"""The detainer form a jail clerk can fill: sections, the error summary, and the agreement (MOA) default.

The form comes in six sections that follow the I-247A and the jail's day
(``incidents.detainers.forms.DETAINER_SECTIONS``). When it has errors, a summary
on top lists each field in error and links to it (``templates/includes/error_summary.html``).
Where the agency has several agreements in force, the one whose model covers the
chosen 287(g) action is the default (DOMAIN.md R1.6).
"""

import re
from datetime import UTC, datetime
from html import unescape

import time_machine

from compliance.core.models import Agreement, AgreementModel
from incidents.detainers.forms import AGREEMENT_EMPTY_LABEL, DetainerForm
from incidents.detainers.local_time import WHICH_SUFFIX
from incidents.detainers.models import Detainer
from tests.base import BaseTestCase, sign_in
from tests.incidents.helpers import local_datetime_post

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # 2026-11-20 06:00 CST
CREATE = "/detainers/new/"

SECTIONS = [
    ("subject", "Subject"),
    ("charge", "Charge"),
    ("detainer", "Detainer and warrant"),
    ("service", "Service and the 287(g) action"),
    ("release", "Release"),
    ("outcome", "Outcome"),
]
FIELDS_BY_SECTION = {
    "subject": [
        "subject_last_name",
        "subject_first_name",
        "subject_date_of_birth",
        "subject_sex",
        "subject_country_of_citizenship",
        "a_number",
    ],
    "charge": ["booking_number", "booked_at", "underlying_charge", "offense_level", "minor_offense_only"],
    "detainer": [
        "form",
        "form_version",
        "issuing_office",
        "issued_at",
        "received_at",
        "box_1_probable_cause",
        "pc_basis",
        "box_2_transfer_for_proceeding",
        "warrant_type",
        "warrant_signed",
    ],
    "service": ["handling_officer", "action", "action_at", "agreement", "ice_supervisor", "explanation"],
    "release": ["would_be_released_at", "release_cause", "local_hold_authority"],
    "outcome": [],
}


def detainer_post(**overrides) -> dict:
    data = {
        "subject_last_name": "Formperson",
        "subject_first_name": "Robin",
        "booking_number": "BK-30001",
        "underlying_charge": "Theft (invented)",
        "form": "I-247A",
        "warrant_type": "I-200",
        "warrant_signed": "on",
        "handling_officer": "",
        **local_datetime_post("booked_at", "2026-11-18", "20:00"),
        **local_datetime_post("issued_at", "2026-11-19", "08:00"),
        **local_datetime_post("received_at", "2026-11-19", "08:30"),
        **local_datetime_post("would_be_released_at", "2026-11-20", "09:00"),
        **local_datetime_post("action_at", "", ""),
    }
    data.update(overrides)
    return data


def summary_links(body: str) -> list[tuple[str, str]]:
    """(href, text) of each link in the page's error summary."""
    (summary,) = re.findall(r'<div class="usa-alert usa-alert--error app-error-summary".*?</ul>', body, re.S)
    return re.findall(r'<a href="([^"]+)" data-testid="error-link-[^"]+">([^<]+)</a>', summary)


@time_machine.travel(NOW, tick=False)
class DetainerFormSectionTests(BaseTestCase):
    def test_the_form_comes_in_six_sections_in_the_order_of_the_i247a_and_the_jails_day(self):
        sign_in(self.client, self.staff_a)
        body = self.client.get(CREATE).content.decode()
        self.assertEqual(re.findall(r'data-testid="form-section" data-section="(\w+)"', body), [k for k, _ in SECTIONS])
        legends = re.findall(r'<(?:legend|h2) class="usa-legend usa-legend--large"[^>]*>([^<]+)</', body)
        self.assertEqual(legends, [title for _, title in SECTIONS])
        contents = re.findall(r'<li><a href="#section-(\w+)">([^<]+)</a></li>', body)
        self.assertEqual(contents, SECTIONS)
        # Each field sits in its section: its input comes after the section's start and before the next one's.
        starts = [body.index(f'id="section-{key}"') for key, _ in SECTIONS] + [len(body)]
        for index, (key, _) in enumerate(SECTIONS):
            for name in FIELDS_BY_SECTION[key]:
                position = re.search(rf'name="{name}(_0)?"', body).start()
                self.assertTrue(starts[index] < position < starts[index + 1], f"{name} outside {key}")

    def test_every_field_is_in_a_named_section_in_order(self):
        form = DetainerForm(agencies=[self.agency_a])
        placed = {section.key: [field.name for field in section.fields] for section in form.form_sections()}
        self.assertEqual(placed, FIELDS_BY_SECTION)  # nothing left over in an "Other details" section
        self.assertEqual([name for name in form.fields if not name.endswith(WHICH_SUFFIX)], sum(placed.values(), []))

    def test_a_user_of_several_agencies_chooses_the_agency_first_in_the_subject_section(self):
        form = DetainerForm(agencies=[self.agency_a, self.agency_b])
        subject = form.form_sections()[0]
        self.assertEqual([field.name for field in subject.fields][:2], ["agency", "subject_last_name"])

    def test_a_repeated_times_which_one_choice_follows_its_field_in_its_section(self):
        data = detainer_post(**local_datetime_post("would_be_released_at", "2026-11-01", "01:30"))
        form = DetainerForm(data, agencies=[self.agency_a])
        self.assertFalse(form.is_valid())
        release = next(section for section in form.form_sections() if section.key == "release")
        self.assertEqual(
            [field.name for field in release.fields][:2], ["would_be_released_at", "would_be_released_at_which"]
        )


@time_machine.travel(NOW, tick=False)
class ErrorSummaryTests(BaseTestCase):
    def setUp(self):
        sign_in(self.client, self.staff_a)

    def test_the_error_summary_lists_and_links_every_field_in_error(self):
        data = detainer_post(
            subject_last_name="",
            underlying_charge="",
            box_1_probable_cause="on",
            box_2_transfer_for_proceeding="on",
            **local_datetime_post("received_at", "2026-03-08", "02:30"),  # D3: does not exist in Chicago
            **local_datetime_post("booked_at", "2026-11-21", "08:00"),  # tomorrow
            **local_datetime_post("would_be_released_at", "2026-11-22", "09:00"),
        )
        response = self.client.post(CREATE, data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Detainer.objects.exists())
        form = response.context["form"]
        body = response.content.decode()
        links = summary_links(body)
        expected = [(name, message) for name in form.fields for message in form.errors.get(name, [])]
        self.assertEqual(len(links), len(expected))
        self.assertEqual(
            [name for name, _ in expected],
            [
                "subject_last_name",
                "booked_at",
                "underlying_charge",
                "received_at",
                "box_2_transfer_for_proceeding",
            ],
        )
        for (href, text), (name, message) in zip(links, expected, strict=True):
            target = href.removeprefix("#")
            self.assertIn(f'id="{target}"', body, f"the link of {name} leads nowhere")
            self.assertEqual(unescape(text), f"{form.fields[name].label}: {message}")
        hrefs = dict(zip([name for name, _ in expected], [href for href, _ in links], strict=True))
        self.assertEqual(hrefs["subject_last_name"], "#id_subject_last_name")
        self.assertEqual(hrefs["booked_at"], "#id_booked_at_0")  # a date + time: its date input
        self.assertEqual(hrefs["received_at"], "#id_received_at_0")

    def test_the_summary_comes_first_takes_the_focus_and_the_title_says_error(self):
        response = self.client.post(CREATE, detainer_post(subject_last_name=""))
        body = response.content.decode()
        self.assertIn('tabindex="-1" data-error-summary', body)
        self.assertLess(body.index("data-error-summary"), body.index('id="section-subject"'))
        self.assertIn("<title>Error: Log a detainer", body)
        self.assertIn('src="/static/js/error_summary.js"', body)

    def test_a_valid_form_has_no_summary(self):
        response = self.client.get(CREATE)
        self.assertNotContains(response, "data-error-summary")
        self.assertContains(response, "<title>Log a detainer")


@time_machine.travel(NOW, tick=False)
class AgreementDefaultTests(BaseTestCase):
    """The agency holds a JEM (BaseTestCase) and, here, a WSO agreement too, both in force."""

    def setUp(self):
        self.jem = self.agreement_a
        self.wso = Agreement.objects.create(agency=self.agency_a, model=AgreementModel.WSO)

    def form(self, **overrides):
        return DetainerForm(detainer_post(**overrides), agencies=[self.agency_a])

    def test_R1_6_with_jem_and_wso_in_force_an_interview_defaults_to_the_jem(self):
        form = self.form(action="interview", **local_datetime_post("action_at", "2026-11-19", "10:00"))
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["agreement"], self.jem)

    def test_R1_6_executing_an_arrest_is_covered_by_both_so_the_clerk_chooses(self):
        form = self.form(action="execute_arrest_in_facility", **local_datetime_post("action_at", "2026-11-19", "10:00"))
        self.assertFalse(form.is_valid())
        self.assertEqual(
            form.errors["agreement"],
            [
                "Several agreements are in force at that time (Jail Enforcement Model, Warrant Service Officer): "
                "choose the MOA this is done under (R1.6)."
            ],
        )
        chosen = self.form(
            action="execute_arrest_in_facility",
            agreement=str(self.wso.pk),
            **local_datetime_post("action_at", "2026-11-19", "10:00"),
        )
        self.assertTrue(chosen.is_valid(), chosen.errors)
        self.assertEqual(chosen.cleaned_data["agreement"], self.wso)

    def test_a_chosen_agreement_is_never_replaced_by_the_default(self):
        form = self.form(
            action="interview", agreement=str(self.wso.pk), **local_datetime_post("action_at", "2026-11-19", "10:00")
        )
        # An interview is outside the WSO model: a past fact the service records with an explanation
        # (docs/decisions/past-facts-and-gates.md), never silently moved to another agreement.
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["agreement"], self.wso)

    def test_the_default_is_saved_with_the_detainer(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            CREATE, detainer_post(action="interview", **local_datetime_post("action_at", "2026-11-19", "10:00"))
        )
        detainer = Detainer.objects.get(booking_number="BK-30001")
        self.assertRedirects(response, f"/detainers/{detainer.public_id}/", fetch_redirect_response=False)
        self.assertEqual(detainer.agreement, self.jem)

    def test_the_page_marks_what_each_agreement_covers_for_the_preselection(self):
        sign_in(self.client, self.staff_a)
        body = self.client.get(CREATE).content.decode()
        self.assertIn(f'<option value="" selected>{AGREEMENT_EMPTY_LABEL}</option>', body)  # two in force: no guess
        self.assertIn(
            f'<option value="{self.jem.pk}" data-actions="execute_arrest_in_facility interview process '
            'serve_warrant" data-in-force="true">',
            body,
        )
        self.assertIn(
            f'<option value="{self.wso.pk}" data-actions="execute_arrest_in_facility serve_warrant" '
            'data-in-force="true">',
            body,
        )
        self.assertIn('src="/static/js/detainer_form.js"', body)

    def test_one_agreement_in_force_is_preselected(self):
        self.wso.status = Agreement.Status.EXPIRED
        self.wso.save()
        form = DetainerForm(agencies=[self.agency_a])
        self.assertEqual(form["agreement"].initial, self.jem)
        self.assertIn(f'<option value="{self.wso.pk}" data-actions', str(form["agreement"]))
        self.assertNotIn(
            f'<option value="{self.wso.pk}" data-actions="execute_arrest_in_facility serve_warrant" data-in-force',
            str(form["agreement"]),
        )
