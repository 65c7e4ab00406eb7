"""SECURITY.md D11: bulk ORM writes on audited models cannot bypass the change history.

``compliance.core.bulk_history.AuditedQuerySet`` makes ``update()``, ``bulk_create()`` and ``bulk_update()``
write one history row per changed record. The first test is the lint check: a new audited model
without it fails CI.
"""

import re
from pathlib import Path

from django.apps import apps
from django.db import connection, transaction
from django.db.models import F

from compliance.core.audit import acting_as
from compliance.core.audit_failure import AuditWriteFailed
from compliance.core.bulk_history import BATCH_SIZE, AuditedQuerySet, history_skipped
from compliance.core.names import name_key
from tests.base import BaseTestCase
from tests.compliance.history_failure import history_insert_failing
from tests.training.helpers import make_officer
from training.roster.models import Officer

ROOT = Path(__file__).resolve().parents[2]
APP_PACKAGES = ("compliance", "training", "incidents", "community")


def audited_models() -> list:
    """Every model with an ``AuditedHistory`` (simple-history's manager attribute), history models aside."""
    return [model for model in apps.get_models() if getattr(model._meta, "simple_history_manager_attribute", None)]


def app_sources():
    """(path, text) of every Python module of the four apps, migrations aside."""
    for package in APP_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, path.read_text()


class AuditedManagerLintTests(BaseTestCase):
    def test_D11_every_audited_model_writes_history_on_bulk_calls(self):
        models = audited_models()
        self.assertGreaterEqual(len(models), 36)
        for model in models:
            with self.subTest(model._meta.label):
                self.assertIsInstance(model.objects.all(), AuditedQuerySet, "objects")
                self.assertIsInstance(model._default_manager.all(), AuditedQuerySet, "the default manager")
                self.assertEqual(model._default_manager.name, "objects")
                # Django's _base_manager stays its plain Manager: Django uses it only to read related rows and, in
                # save(), for the row's own UPDATE, which simple-history records through post_save. It is never
                # what update()/bulk_*() are called on; setting Meta.base_manager_name would only churn migrations.

    def test_D11_no_application_code_skips_history_or_writes_it_a_second_time(self):
        forbidden = re.compile(
            r"history_skipped\(|bulk_create_with_history|bulk_update_with_history|save_without_historical_record"
            r"|skip_history_when_saving|\._raw_delete\(|\._update\("
        )
        found = [
            f"{path.relative_to(ROOT)}: {match.group(0)}"
            for path, text in app_sources()
            if path.name != "bulk_history.py"
            for match in forbidden.finditer(text)
        ]
        self.assertEqual(found, [])


class BulkHistoryTests(BaseTestCase):
    def setUp(self):
        self.officers = [make_officer(self.agency_a, f"B-{n}", last=f"Person{n}") for n in range(5)]
        self.pks = [officer.pk for officer in self.officers]

    def history_of(self, officer_pks, history_type):
        return Officer.history.filter(id__in=officer_pks, history_type=history_type)

    def test_D11_a_bulk_update_of_n_rows_writes_n_history_rows(self):
        with acting_as(self.supervisor_a, reason="Unit renamed"):
            updated = Officer.objects.filter(pk__in=self.pks).update(unit="North")
        self.assertEqual(updated, 5)
        rows = self.history_of(self.pks, "~")
        self.assertEqual(rows.count(), 5)
        self.assertEqual({row.unit for row in rows}, {"North"})
        self.assertEqual({row.history_user_id for row in rows}, {self.supervisor_a.pk})
        self.assertEqual({row.history_change_reason for row in rows}, {"Unit renamed"})

    def test_D11_an_update_that_changes_nothing_writes_no_history_row(self):
        Officer.objects.filter(pk__in=self.pks).update(unit="North")
        self.assertEqual(self.history_of(self.pks, "~").count(), 5)
        self.assertEqual(Officer.objects.filter(pk__in=self.pks).update(unit="North"), 5)
        self.assertEqual(self.history_of(self.pks, "~").count(), 5)  # H2: no phantom rows

    def test_D11_an_update_with_an_expression_records_each_rows_new_value(self):
        Officer.objects.filter(pk__in=self.pks).update(unit=F("badge_number"))
        self.assertEqual(
            sorted(self.history_of(self.pks, "~").values_list("unit", flat=True)), sorted(f"B-{n}" for n in range(5))
        )

    def test_D11_an_update_of_more_rows_than_a_batch_records_every_row(self):
        Officer.objects.bulk_create(
            Officer(agency=self.agency_a, badge_number=f"X-{n}", last_name="Many") for n in range(BATCH_SIZE + 3)
        )
        many = Officer.objects.filter(last_name="Many")
        self.assertEqual(many.update(unit="South"), BATCH_SIZE + 3)
        self.assertEqual(Officer.history.filter(last_name="Many", history_type="~").count(), BATCH_SIZE + 3)

    def test_D11_bulk_create_of_n_rows_writes_n_history_rows(self):
        with acting_as(self.admin_a, reason="Imported"):
            created = Officer.objects.bulk_create(
                [Officer(agency=self.agency_a, badge_number=f"N-{n}", last_name="Newperson") for n in range(4)]
            )
        rows = self.history_of([officer.pk for officer in created], "+")
        self.assertEqual(rows.count(), 4)
        self.assertEqual({row.history_user_id for row in rows}, {self.admin_a.pk})
        self.assertEqual(set(rows.values_list("badge_number", flat=True)), {f"N-{n}" for n in range(4)})

    def test_D11_bulk_update_of_n_rows_writes_n_history_rows_with_the_stored_values(self):
        for officer in self.officers:
            officer.unit = "East"
            officer.badge_number = "NOT-SAVED"  # not among the fields: neither stored nor recorded
        with acting_as(self.supervisor_a):
            Officer.objects.bulk_update(self.officers, ["unit"])
        rows = self.history_of(self.pks, "~")
        self.assertEqual(rows.count(), 5)
        self.assertEqual(set(rows.values_list("unit", flat=True)), {"East"})
        self.assertNotIn("NOT-SAVED", set(rows.values_list("badge_number", flat=True)))
        self.assertFalse(Officer.objects.filter(badge_number="NOT-SAVED").exists())

    def test_D11_ignore_conflicts_is_refused_on_an_audited_model(self):
        with self.assertRaisesMessage(TypeError, "is audited"):
            Officer.objects.bulk_create([Officer(agency=self.agency_a, badge_number="C-1")], ignore_conflicts=True)

    def test_a_bulk_write_of_a_name_keeps_its_search_key_in_step(self):
        Officer.objects.filter(pk=self.pks[0]).update(last_name="Ávila")
        self.assertEqual(Officer.objects.get(pk=self.pks[0]).last_name_key, name_key("Ávila"))
        officer = self.officers[1]
        officer.first_name = "Zoë"
        Officer.objects.bulk_update([officer], ["first_name"])
        self.assertEqual(Officer.objects.get(pk=officer.pk).first_name_key, name_key("Zoë"))
        with self.assertRaisesMessage(ValueError, "last_name_key is derived from last_name"):
            Officer.objects.filter(pk=self.pks[2]).update(last_name=F("first_name"))

    def test_history_skipped_is_for_benchmark_data_only(self):
        with self.assertRaisesMessage(ValueError, "not 'a hurry'"), history_skipped(reason="a hurry"):
            pass  # pragma: no cover
        with history_skipped(reason="benchmark data"):
            Officer.objects.filter(pk__in=self.pks).update(unit="Bench")
        self.assertEqual(self.history_of(self.pks, "~").count(), 0)

    def test_D8_a_bulk_update_whose_history_fails_changes_nothing(self):
        with history_insert_failing(connection, Officer), self.assertRaises(AuditWriteFailed), transaction.atomic():
            Officer.objects.filter(pk__in=self.pks).update(unit="Lost")
        self.assertFalse(Officer.objects.filter(unit="Lost").exists())
