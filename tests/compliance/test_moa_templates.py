"""The shipped requirements per model and the checklist's writes: apply (idempotent), edit, confirm, custom."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from compliance.core.models import AgreementModel, AgreementRequirement, Clause
from compliance.moa.evidence import EVALUATORS
from compliance.moa.services import requirement_add, requirement_confirm, requirement_update, requirements_apply
from compliance.moa.templates import TEMPLATES, templates_for
from tests.base import BaseTestCase


class TemplateTests(BaseTestCase):
    def test_every_model_has_the_section_3_clauses(self):
        wanted = {
            Clause.NOMINATION,
            Clause.TRAINING,
            Clause.ICE_SUPERVISION,
            Clause.REPORTING,
            Clause.COMPLAINTS,
            Clause.CIVIL_RIGHTS,
            Clause.STEERING_COMMITTEE,
            Clause.OUTREACH,
            Clause.MEDIA,
            Clause.DURATION,
        }
        for model in AgreementModel.values:
            with self.subTest(model=model):
                clauses = {template.clause for template in templates_for(model)}
                self.assertLessEqual(wanted, clauses)

    def test_every_template_names_a_registered_evaluator_and_a_source(self):
        for model, templates in TEMPLATES.items():
            keys = [template.key for template in templates]
            self.assertEqual(len(keys), len(set(keys)), model)
            for template in templates:
                with self.subTest(model=model, key=template.key):
                    self.assertIn(template.evidence, EVALUATORS)
                    self.assertTrue(template.source)

    def test_model_specifics_R1_6_R1_7_R3_10(self):
        self.assertIn("wso-scope", [t.key for t in templates_for("WSO")])
        self.assertIn("wso-48-hours", [t.key for t in templates_for("WSO")])
        self.assertNotIn("wso-48-hours", [t.key for t in templates_for("JEM")])
        self.assertIn("tfm-prior-approval", [t.key for t in templates_for("TFM")])
        self.assertIn("jem-scope", [t.key for t in templates_for("JEM")])
        self.assertIn("officer-cap", [t.key for t in templates_for("JEM")])

    def test_applied_requirements_start_unconfirmed_with_default_parameters(self):
        created = requirements_apply(agreement=self.agreement_a, actor=self.admin_a)
        self.assertEqual(len(created), len(templates_for("JEM")))
        for requirement in created:
            self.assertIsNone(requirement.confirmed_at)
            self.assertEqual(requirement.agency_id, self.agency_a.pk)
        committee = AgreementRequirement.objects.get(agreement=self.agreement_a, key="steering-committee")
        self.assertEqual(committee.parameters, {"warning_days": 30})
        findings = AgreementRequirement.objects.get(agreement=self.agreement_a, key="detainer-checks")
        self.assertEqual(findings.parameters["grace_days"], 14)

    def test_apply_is_idempotent_and_keeps_edited_rows(self):
        requirements_apply(agreement=self.agreement_a, actor=self.admin_a)
        media = AgreementRequirement.objects.get(agreement=self.agreement_a, key="media-relations")
        requirement_update(requirement=media, actor=self.admin_a, text="Our MOA's own words.")
        media.delete()  # an administrator's row removed by hand: apply adds it back, keeps the others
        count = AgreementRequirement.objects.filter(agreement=self.agreement_a).count()
        again = requirements_apply(agreement=self.agreement_a, actor=self.admin_a)
        self.assertEqual([r.key for r in again], ["media-relations"])
        self.assertEqual(AgreementRequirement.objects.filter(agreement=self.agreement_a).count(), count + 1)
        self.assertEqual(requirements_apply(agreement=self.agreement_a, actor=self.admin_a), [])

    def test_apply_edit_confirm_add_need_an_administrator(self):
        for user in (self.staff_a, self.supervisor_a, self.auditor_a, self.staff_b):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                requirements_apply(agreement=self.agreement_a, actor=user)
        [first, *_] = requirements_apply(agreement=self.agreement_a, actor=self.admin_a)
        with self.assertRaises(PermissionDenied):
            requirement_update(requirement=first, actor=self.supervisor_a, text="x")
        with self.assertRaises(PermissionDenied):
            requirement_confirm(requirement=first, actor=self.supervisor_a)
        with self.assertRaises(PermissionDenied):
            requirement_add(agreement=self.agreement_a, actor=self.supervisor_a, title="x", text="y")

    def test_confirm_writes_who_and_when_once(self):
        [first, *_] = requirements_apply(agreement=self.agreement_a, actor=self.admin_a)
        requirement_confirm(requirement=first, actor=self.admin_a)
        first.refresh_from_db()
        self.assertEqual(first.confirmed_by, self.admin_a)
        rows = first.history.count()
        requirement_confirm(requirement=first, actor=self.admin_a)
        self.assertEqual(first.history.count(), rows)

    def test_edit_changes_text_section_parameters_active_with_history(self):
        requirements_apply(agreement=self.agreement_a, actor=self.admin_a)
        cap = AgreementRequirement.objects.get(agreement=self.agreement_a, key="community-outreach")
        requirement_update(
            requirement=cap,
            actor=self.admin_a,
            text="Two public meetings a year.",
            moa_section="Section XV",
            parameters={"events_per_period": 2},
            active=True,
        )
        cap.refresh_from_db()
        self.assertEqual(cap.parameters, {"events_per_period": 2})
        self.assertEqual(cap.moa_section, "Section XV")
        latest = cap.history.order_by("-history_date").first()
        self.assertEqual(latest.history_user, self.admin_a)
        with self.assertRaises(ValidationError):
            requirement_update(requirement=cap, actor=self.admin_a, parameters=[1, 2])

    def test_custom_requirement_is_confirmed_and_its_key_unique(self):
        custom = requirement_add(
            agreement=self.agreement_a, actor=self.admin_a, title="Quarterly report to the county board", text="…"
        )
        self.assertEqual(custom.key, "custom-quarterly-report-to-the-county-board")
        self.assertIsNotNone(custom.confirmed_at)
        self.assertEqual(custom.evidence, "document")
        with self.assertRaises(ValidationError):
            requirement_add(
                agreement=self.agreement_a, actor=self.admin_a, title="Quarterly report to the county board", text="…"
            )
        with self.assertRaises(ValidationError):
            requirement_add(agreement=self.agreement_a, actor=self.admin_a, title="Other", text="…", evidence="nope")
