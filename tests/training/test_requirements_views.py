"""The agreement's training requirements and cap page: agency administrators only, the MOA note, edits."""

from django.urls import reverse

from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user, sign_in
from training.requirements import services as requirements
from training.requirements.models import TrainingRequirement
from training.roster.models import Course


class RequirementPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin_b = make_user("admin_b", agency=cls.agency_b, role=Role.ADMINISTRATOR)

    def login(self, user):
        sign_in(self.client, user)

    def url(self, name="agreement_requirements", agreement=None):
        return reverse(f"training:{name}", args=[(agreement or self.agreement_a).public_id])

    def apply_defaults(self):
        return requirements.requirement_defaults_apply(actor=self.admin_a, agreement=self.agreement_a)

    def test_only_the_agencys_administrators_see_it(self):
        for user in (self.staff_a, self.supervisor_a, self.auditor_a, self.auditor, self.admin_b, self.outsider):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url()).status_code, 404)
                self.assertEqual(self.client.post(self.url("agreement_requirements_defaults")).status_code, 404)
                list_response = self.client.get(reverse("training:agreement_list"), {"agency": self.agency_a.public_id})
                self.assertEqual(list_response.status_code, 404)
        self.assertEqual(TrainingRequirement.objects.count(), 0)

    def test_an_administrator_sees_the_moa_note_and_the_confidence_of_each_default(self):
        self.apply_defaults()
        self.login(self.admin_a)
        response = self.client.get(self.url())
        self.assertContains(response, "Check these values against the signed MOA")
        self.assertContains(response, requirements.CHECK_AGAINST_MOA)
        self.assertContains(response, "[S]")  # IADP hours
        self.assertContains(response, "[U]")  # refresher hours, annual list
        self.assertContains(response, "Editable default: check against the signed MOA.", count=4)
        listing = self.client.get(reverse("training:agreement_list"))
        self.assertContains(listing, self.url())

    def test_the_defaults_button_then_an_edit_of_cap_and_interval(self):
        self.login(self.admin_a)
        response = self.client.post(self.url("agreement_requirements_defaults"))
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        rows = {r.course.code: r for r in self.agreement_a.training_requirements.select_related("course")}
        data = {"max_authorized_officers": "10"}
        for row in rows.values():
            for name in requirements.REQUIREMENT_FIELDS:
                value = getattr(row, name)
                data[f"r{row.pk}-{name}"] = "" if value is None else value
        data[f"r{rows['REFRESH'].pk}-validity_months"] = "36"

        response = self.client.post(self.url(), data)

        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        self.agreement_a.refresh_from_db()
        self.assertEqual(
            (self.agreement_a.max_authorized_officers, self.agreement_a.refresher_interval_months), (10, 36)
        )

    def test_an_officer_cap_past_the_columns_range_is_refused_next_to_the_field(self):
        # PostgreSQL's integer column holds up to 2,147,483,647: a bigger cap was a server error there.
        self.login(self.admin_a)
        for typed in ("2147483648", "1" + "0" * 30, "10001"):
            with self.subTest(typed=typed):
                response = self.client.post(self.url(), {"max_authorized_officers": typed})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(
                    response.context["cap_form"].errors["max_authorized_officers"],
                    ["Ensure this value is less than or equal to 10000."],
                )
        self.agreement_a.refresh_from_db()
        self.assertIsNone(self.agreement_a.max_authorized_officers)

    def test_a_months_rule_without_months_is_shown_on_its_row(self):
        self.apply_defaults()
        refresh = TrainingRequirement.objects.get(course__code="REFRESH")
        data = {"max_authorized_officers": ""}
        for row in self.agreement_a.training_requirements.all():
            for name in requirements.REQUIREMENT_FIELDS:
                value = getattr(row, name)
                data[f"r{row.pk}-{name}"] = "" if value is None else value
        data[f"r{refresh.pk}-validity_months"] = ""
        self.login(self.admin_a)

        response = self.client.post(self.url(), data)

        self.assertEqual(response.status_code, 200)
        form = dict((row.pk, form) for row, form in response.context["row_forms"])[refresh.pk]
        self.assertEqual(form.non_field_errors(), [requirements.MONTHS_REQUIRED])
        refresh.refresh_from_db()
        self.assertEqual(refresh.validity_months, 24)

    def test_adding_a_requirement(self):
        course = Course.objects.create(agency=self.agency_a, code="CRCL", name="Civil rights", validity_months=12)
        self.apply_defaults()
        self.login(self.admin_a)
        response = self.client.post(
            self.url("agreement_requirement_add"),
            {
                "add-course": course.public_id,
                "add-kind": "annual",
                "add-due_rule": "graduation_anniversary",
                "add-delivery_mode": "online",
            },
        )
        self.assertRedirects(response, self.url(), fetch_redirect_response=False)
        added = TrainingRequirement.objects.get(course=course)
        self.assertEqual(
            (added.kind, added.due_rule, added.history.get().history_user),
            ("annual", "graduation_anniversary", self.admin_a),
        )
