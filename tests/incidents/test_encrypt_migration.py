"""The migration that encrypted the subject fields (incidents 0027): rows written before it, in plaintext, come out
encrypted with their blind indexes computed, in the main and history tables (issue #14 item 1, SECURITY.md E4)."""

import importlib

from django.apps import apps
from django.db import connection

from compliance.core.append_only import rewriting
from compliance.core.crypto import cipher
from incidents.detainers.models import Detainer
from incidents.detainers.subject_index import a_number_q, subject_name_q
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer

migration = importlib.import_module("incidents.migrations.0027_encrypt_subject_fields")


class EncryptMigrationTests(BaseTestCase):
    def test_E4_plaintext_rows_from_before_are_encrypted_and_indexed(self):
        detainer = make_detainer(self.agency_a, actor=self.staff_a)
        tables = (Detainer._meta.db_table, Detainer.history.model._meta.db_table)
        # As the rows stood before the migration: plaintext, no index (history rows are append-only since: the
        # rewrite goes through the one path allowed to change them).
        with rewriting(Detainer.history.model, purpose="key rotation"), connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"UPDATE {table} SET subject_last_name = %s, a_number = %s, subject_date_of_birth = %s",  # noqa: S608
                    ["Oldrowname", "A000000042", "1980-02-03"],
                )
            cursor.execute(f"UPDATE {tables[0]} SET a_number_index = '', subject_last_name_key = ''")  # noqa: S608
        # In the real order the migration runs before the append-only triggers exist (incidents 0028).
        with rewriting(Detainer.history.model, purpose="key rotation"):
            migration.encrypt_existing(apps, None)
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT subject_last_name, a_number, subject_date_of_birth FROM {table}")  # noqa: S608
                for row in cursor.fetchall():
                    self.assertTrue(all(cipher.is_encrypted(value) for value in row), table)
        stored = Detainer.objects.get(pk=detainer.pk)
        self.assertEqual((stored.subject_last_name, stored.a_number), ("Oldrowname", "A000000042"))
        self.assertEqual(list(Detainer.objects.filter(a_number_q("A000000042"))), [stored])
        self.assertEqual(list(Detainer.objects.filter(subject_name_q("OLDROWNAME"))), [stored])
        self.assertEqual(Detainer.history.get(id=detainer.pk).subject_date_of_birth.isoformat(), "1980-02-03")
