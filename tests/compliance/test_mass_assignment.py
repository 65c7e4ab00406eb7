"""SECURITY.md C3: no mass assignment or field tampering on any edit page.

Each editable record's edit page is posted back exactly as a browser would send its form
(parsed from the page), plus fields the form does not offer: ``agency`` (agency B's id and
public id), ``created_by`` / ``reported_by`` / ``requested_by`` (a user of agency B),
``status`` (``approved``, ``designated``), ``public_id`` (a new UUID). The answer must be the
ordinary save (302) or a refusal (400), and the row's agency, public id, author and status must be
as before. Services refuse unknown fields (``compliance.core.writes.refuse_unknown_fields``); forms
name their fields, so the extras never reach a model.
"""

from __future__ import annotations

import uuid

from django.urls import reverse

from tests.base import BaseTestCase, sign_in
from tests.compliance.helpers import make_officer
from tests.compliance.test_access_matrix import form_body
from tests.compliance.test_permission_matrix import build_records
from training.roster.models import Officer

#: URL name → the record it edits (a key of ``build_records``). A new edit page: one line.
EDIT_PAGES = {
    "training:officer_edit": "training.officer",
    "incidents:detainer_edit": "incidents.detainer",
    "incidents:incident_edit": "incidents.incident",
    "community:outreach_edit": "community.outreachevent",
    "community:commitment_edit": "community.commitment",
    "community:organisation_edit": "community.organisation",
    "community:contact_edit": "community.contact",
    "community:committee_requirement": "compliance.agreement",
    "community:committee_member_edit": "community.committeemember",
    "community:committee_meeting_edit": "community.committeemeeting",
    "incidents:detainer_citizenship": "incidents.detainer",
    "incidents:detainer_consular": "incidents.detainer",
    "training:rank_edit": "training.rank",
    # The case's review steps that edit it without moving its stage ("<URL name>/<step>").
    "incidents:incident_step/note": "incidents.incident",
    "incidents:incident_step/officer": "incidents.incident",
    "incidents:incident_step/allegation": "incidents.incident",
    "incidents:incident_step/detainer": "incidents.incident",
    "incidents:referral_response": "incidents.referral",
}

#: Fields that no edit form offers and that must never change through one.
PROTECTED = ("agency_id", "public_id", "created_by_id", "reported_by_id", "requested_by_id", "status", "agreement_id")


def protected_values(record) -> dict:
    record.refresh_from_db()
    return {name: getattr(record, name) for name in PROTECTED if hasattr(record, name)}


class MassAssignmentTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.records_a = build_records(cls.agency_a, 1, cls.staff_a)
        build_records(cls.agency_b, 2, cls.staff_b)

    def test_C3_extra_fields_on_every_edit_page_are_ignored_or_refused(self):
        sign_in(self.client, self.admin_a)
        for name, key in EDIT_PAGES.items():
            record = self.records_a[key]
            url_name, _, step = name.partition("/")
            url = reverse(url_name, kwargs={"public_id": record.public_id, **({"step": step} if step else {})})
            with self.subTest(url=name):
                page = self.client.get(url)
                self.assertEqual(page.status_code, 200)
                body = form_body(page.content.decode(), url)
                self.assertTrue(body, "the edit page has a form")
                before = protected_values(record)
                for agency_value in (str(self.agency_b.pk), str(self.agency_b.public_id)):
                    tampered = {
                        **body,
                        "agency": agency_value,
                        "agency_id": str(self.agency_b.pk),
                        "created_by": str(self.staff_b.pk),
                        "reported_by": str(self.staff_b.pk),
                        "requested_by": str(self.staff_b.pk),
                        "public_id": str(uuid.uuid4()),
                    }
                    if "status" not in body:  # where the form offers it, changing it is an ordinary edit
                        tampered["status"] = "approved"
                    response = self.client.post(url, tampered)
                    self.assertIn(response.status_code, (302, 400), self._errors(response))
                    after = protected_values(record)
                    if "status" in body:
                        before.pop("status", None), after.pop("status", None)
                    self.assertEqual(after, before)
                    self.assertEqual(after["agency_id"], self.agency_a.pk)

    def test_C3_an_officer_cannot_be_designated_through_the_edit_form(self):
        """The edit form offers a status, but designation needs the checklist, credential and training (R2.7)."""
        officer = make_officer(self.agency_a, 7, status=Officer.Status.NOMINATED)
        sign_in(self.client, self.admin_a)
        url = reverse("training:officer_edit", kwargs={"public_id": officer.public_id})
        body = form_body(self.client.get(url).content.decode(), url)
        response = self.client.post(url, {**body, "status": Officer.Status.DESIGNATED, "designated_on": "2026-01-05"})
        self.assertIn(response.status_code, (200, 400))
        officer.refresh_from_db()
        self.assertEqual(officer.status, Officer.Status.NOMINATED)

    @staticmethod
    def _errors(response) -> str:
        context = getattr(response, "context", None) or {}
        form = context.get("form") if hasattr(context, "get") else None
        return f"form errors: {form.errors.as_json() if form is not None else response.status_code}"
