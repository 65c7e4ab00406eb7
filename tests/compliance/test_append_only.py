"""SECURITY.md D5: history tables, the access log and account events are append-only for the application.

The ORM refuses to change or delete their rows on every database; on PostgreSQL the ``append_only``
trigger refuses the same SQL whatever sent it. ``compliance.core.append_only.rewriting`` is the one
way through (the retention purge, key rotation).
"""

import os
import unittest
from datetime import timedelta

import pgtrigger
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from compliance.core.append_only import (
    TRIGGER_NAME,
    AppendOnlyError,
    AppendOnlyQuerySet,
    AppendOnlyRow,
    rewriting,
    trigger_uri,
)
from compliance.core.models import AccessLog, AccountEvent, Agency
from tests.base import BaseTestCase

on_postgresql = unittest.skipUnless(
    connection.vendor == "postgresql", "the append_only trigger exists on PostgreSQL only (SQLite: the ORM guard)"
)


def append_only_models() -> list:
    """Every model that must be append-only: each simple-history model, the access log and the account events."""
    history = [model for model in apps.get_models() if getattr(model, "tracked_fields", None) is not None]
    return [AccessLog, AccountEvent, *history]


class AppendOnlyCoverageTests(BaseTestCase):
    def test_D5_every_history_model_the_access_log_and_account_events_are_append_only(self):
        models = append_only_models()
        self.assertGreaterEqual(len(models), 38)  # 36 history models today, plus the two logs
        registered = {f"{model._meta.label}:{trigger.name}" for model, trigger in pgtrigger.registered()}
        missing_trigger = [model._meta.label for model in models if trigger_uri(model) not in registered]
        self.assertEqual(missing_trigger, [], f"models without the {TRIGGER_NAME!r} trigger")
        not_guarded = [
            model._meta.label
            for model in models
            if not issubclass(model, AppendOnlyRow) or not isinstance(model._default_manager.all(), AppendOnlyQuerySet)
        ]
        self.assertEqual(not_guarded, [], "models without the ORM guard (AppendOnlyRow, AppendOnlyQuerySet)")

    def test_D5_each_trigger_refuses_update_and_delete(self):
        for model, trigger in pgtrigger.registered():
            if trigger.name == TRIGGER_NAME:
                with self.subTest(model._meta.label):
                    self.assertIsInstance(trigger, pgtrigger.Protect)
                    self.assertEqual(str(trigger.operation), str(pgtrigger.Update | pgtrigger.Delete))


class OrmGuardTests(BaseTestCase):
    def setUp(self):
        self.access = AccessLog.objects.create(action=AccessLog.Action.VIEW, path="/x/", user=self.staff_a)
        self.event = AccountEvent.objects.create(action=AccountEvent.Action.INVITED, target=self.staff_a)
        self.history = self.agency_a.history.earliest("history_date")

    def test_D5_deleting_an_access_log_row_is_refused(self):
        with self.assertRaisesMessage(AppendOnlyError, "compliance.AccessLog rows are append-only"):
            self.access.delete()
        with self.assertRaises(AppendOnlyError):
            AccessLog.objects.filter(pk=self.access.pk).delete()
        self.assertTrue(AccessLog.objects.filter(pk=self.access.pk).exists())

    def test_D5_changing_an_access_log_row_is_refused(self):
        self.access.path = "/elsewhere/"
        with self.assertRaises(AppendOnlyError):
            self.access.save()
        with self.assertRaises(AppendOnlyError):
            AccessLog.objects.filter(pk=self.access.pk).update(path="/elsewhere/")
        with self.assertRaises(AppendOnlyError):
            AccessLog.objects.bulk_update([self.access], ["path"])
        self.assertEqual(AccessLog.objects.get(pk=self.access.pk).path, "/x/")

    def test_D5_account_events_cannot_be_changed_or_deleted(self):
        with self.assertRaises(AppendOnlyError):
            self.event.delete()
        with self.assertRaises(AppendOnlyError):
            AccountEvent.objects.all().delete()
        self.event.detail = "rewritten"
        with self.assertRaises(AppendOnlyError):
            self.event.save()
        with self.assertRaises(AppendOnlyError):
            AccountEvent.objects.update(detail="rewritten")
        self.assertEqual(AccountEvent.objects.get(pk=self.event.pk).detail, "")

    def test_D5_history_rows_cannot_be_changed_or_deleted_through_any_manager(self):
        history_model = type(self.history)
        with self.assertRaises(AppendOnlyError):
            self.history.delete()
        with self.assertRaises(AppendOnlyError):
            self.agency_a.history.all().delete()  # the record's history manager
        with self.assertRaises(AppendOnlyError):
            Agency.history.all().update(name="Rewritten")  # the model's history manager
        with self.assertRaises(AppendOnlyError):
            history_model.objects.filter(pk=self.history.pk).delete()  # the history model's own manager
        self.history.name = "Rewritten"
        with self.assertRaises(AppendOnlyError):
            self.history.save()
        self.assertEqual(history_model.objects.get(pk=self.history.pk).name, "Alder County Sheriff's Office")

    def test_D5_new_rows_are_still_written(self):
        before = self.agency_a.history.count()
        self.agency_a.name = "Alder County Sheriff"
        self.agency_a.save()
        self.assertEqual(self.agency_a.history.count(), before + 1)
        AccessLog.objects.bulk_create([AccessLog(action=AccessLog.Action.LIST, path="/y/")])
        self.assertTrue(AccessLog.objects.filter(path="/y/").exists())

    def test_D5_rewriting_lets_the_purge_and_key_rotation_through_for_the_named_models_only(self):
        history_model = type(self.history)
        with rewriting(history_model, AccessLog, purpose="retention purge"):
            history_model.objects.filter(pk=self.history.pk).update(name="")
            AccessLog.objects.filter(pk=self.access.pk).delete()
            with self.assertRaises(AppendOnlyError):  # not named
                self.event.delete()
        self.assertEqual(history_model.objects.get(pk=self.history.pk).name, "")
        self.assertFalse(AccessLog.objects.filter(pk=self.access.pk).exists())
        with self.assertRaises(AppendOnlyError):  # the block is over
            history_model.objects.filter(pk=self.history.pk).update(name="again")
        with rewriting(AccountEvent, purpose="key rotation"):
            self.event.delete()
        self.assertFalse(AccountEvent.objects.filter(pk=self.event.pk).exists())

    def test_D5_rewriting_refuses_any_other_purpose(self):
        with (
            self.assertRaisesMessage(ValueError, "only by the retention purge or key rotation"),
            rewriting(AccessLog, purpose="tidying up"),
        ):
            pass  # pragma: no cover

    def test_D5_simple_historys_own_cleaning_commands_are_refused(self):
        history_model = type(self.history)
        latest = self.agency_a.history.latest("history_date")
        duplicate = history_model.objects.create(  # an unchanged copy: what clean_duplicate_history removes
            **{field.attname: getattr(latest, field.attname) for field in history_model.tracked_fields},
            history_date=latest.history_date + timedelta(seconds=1),
            history_type="~",
        )
        with open(os.devnull, "w") as quiet:
            with self.assertRaises(AppendOnlyError):
                call_command("clean_old_history", "--auto", "--days", "0", stdout=quiet)
            with self.assertRaises(AppendOnlyError):
                call_command("clean_duplicate_history", "--auto", stdout=quiet)
        self.assertTrue(history_model.objects.filter(pk=duplicate.pk).exists())
        self.assertTrue(history_model.objects.filter(pk=self.history.pk).exists())


@on_postgresql
class TriggerTests(BaseTestCase):
    """The database refuses too: raw SQL, not only the ORM (what D5 asks of PostgreSQL)."""

    def setUp(self):
        self.access = AccessLog.objects.create(action=AccessLog.Action.VIEW, path="/x/", user=self.staff_a)
        self.event = AccountEvent.objects.create(action=AccountEvent.Action.INVITED, target=self.staff_a)
        self.history = self.agency_a.history.earliest("history_date")

    def assert_refused(self, sql, params):
        refused = self.assertRaisesMessage(DatabaseError, "Cannot update or delete rows")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)

    def test_D5_every_append_only_table_has_its_trigger_installed(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE 'pgtrigger_append_only_%%'"
            )
            installed = {row[0] for row in cursor.fetchall()}
        missing = [model._meta.db_table for model in append_only_models() if model._meta.db_table not in installed]
        self.assertEqual(missing, [])

    def test_D5_history_update_refused_on_postgres(self):
        self.assertEqual(type(self.history)._meta.db_table, "compliance_historicalagency")
        self.assert_refused(
            "UPDATE compliance_historicalagency SET name = 'x' WHERE history_id = %s", [self.history.pk]
        )
        self.assert_refused("DELETE FROM compliance_historicalagency WHERE history_id = %s", [self.history.pk])
        self.assertEqual(type(self.history).objects.get(pk=self.history.pk).name, "Alder County Sheriff's Office")

    def test_D5_access_log_update_and_delete_refused_on_postgres(self):
        self.assert_refused("UPDATE compliance_accesslog SET path = '/y/' WHERE id = %s", [self.access.pk])
        self.assert_refused("DELETE FROM compliance_accesslog WHERE id = %s", [self.access.pk])
        self.assert_refused("UPDATE compliance_accountevent SET detail = 'x' WHERE id = %s", [self.event.pk])
        self.assert_refused("DELETE FROM compliance_accountevent WHERE id = %s", [self.event.pk])
        self.assertTrue(AccessLog.objects.filter(pk=self.access.pk, path="/x/").exists())

    def test_D5_history_update_allowed_inside_rewriting_on_postgres(self):
        history_model = type(self.history)
        with rewriting(history_model, AccessLog, purpose="retention purge"), connection.cursor() as cursor:
            cursor.execute("UPDATE compliance_historicalagency SET name = '' WHERE history_id = %s", [self.history.pk])
            cursor.execute("DELETE FROM compliance_accesslog WHERE id = %s", [self.access.pk])
        self.assertEqual(history_model.objects.get(pk=self.history.pk).name, "")
        self.assertFalse(AccessLog.objects.filter(pk=self.access.pk).exists())
        # …and refused again after the block, on the same connection.
        self.assert_refused(
            "UPDATE compliance_historicalagency SET name = 'x' WHERE history_id = %s", [self.history.pk]
        )
