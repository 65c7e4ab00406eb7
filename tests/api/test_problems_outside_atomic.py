"""Errors raised outside any atomic block still answer a JSON problem; a locked SQLite on a key's insert is a 409.

Found by a fresh-user trial: four concurrent creates with one Idempotency-Key on SQLite answered HTML 500s
("database is locked", then ``transaction.set_rollback`` raising outside an atomic block in the handler).
"""

from __future__ import annotations

import json
import sqlite3
import unittest

from django.db import OperationalError, connection, transaction
from django.test import RequestFactory, TransactionTestCase

from compliance.api.idempotency import KeyInUse, _claim_key
from compliance.api.problems import IDEMPOTENCY_KEY_IN_USE, PROBLEM_CONTENT_TYPE, problem_exception_handler
from compliance.core.models import Agency, Agreement, AgreementModel, IdempotencyKey
from compliance.core.roles import Role
from tests.api.helpers import make_integration
from tests.base import make_user


@unittest.skipUnless(connection.vendor == "sqlite", "SQLite's whole-file write lock")
class LockedSqliteTests(TransactionTestCase):
    def setUp(self):
        self.agency = Agency.objects.create(name="Cedar County Sheriff", state="TX", time_zone="America/Chicago")
        Agreement.objects.create(agency=self.agency, model=AgreementModel.JEM)
        admin = make_user("admin_c", agency=self.agency, role=Role.ADMINISTRATOR)
        self.integration, _ = make_integration(self.agency, actor=admin)
        # Another writer holds the file's write lock; Django waits only a moment for it.
        connection.close()
        self.saved_timeout = connection.settings_dict["OPTIONS"].get("timeout")
        connection.settings_dict["OPTIONS"]["timeout"] = 0.05
        self.other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        self.other.execute("BEGIN IMMEDIATE")

    def tearDown(self):
        self.other.execute("ROLLBACK")
        self.other.close()
        connection.close()
        connection.settings_dict["OPTIONS"]["timeout"] = self.saved_timeout

    def locked_error(self) -> OperationalError:
        try:
            IdempotencyKey.objects.create(integration=self.integration, key="k", request_sha256="0" * 64)
        except OperationalError as error:
            return error
        self.fail("the database was not locked")

    def test_a_locked_database_on_the_keys_insert_is_key_in_use_409(self):
        with self.assertRaises(KeyInUse) as raised, transaction.atomic():
            _claim_key(self.integration, "same-key", "0" * 64)
        self.assertEqual(raised.exception.status_code, 409)
        self.assertEqual(raised.exception.problem_type, IDEMPOTENCY_KEY_IN_USE)
        request = RequestFactory().post("/api/v1/detainers/")
        response = problem_exception_handler(raised.exception, {"request": request})
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.data["type"], IDEMPOTENCY_KEY_IN_USE)
        self.assertEqual(response.data["errors"][0]["field"], "Idempotency-Key")

    def test_an_unexpected_error_outside_an_atomic_block_is_a_json_500_problem(self):
        error = self.locked_error()
        self.assertIn("database is locked", str(error))
        self.assertFalse(connection.in_atomic_block)
        request = RequestFactory().post("/api/v1/detainers/")
        with self.assertLogs("compliance.api", level="ERROR"):
            response = problem_exception_handler(error, {"request": request})
        self.assertEqual(response.status_code, 500)
        self.assertEqual(response.content_type, PROBLEM_CONTENT_TYPE)
        self.assertEqual(response.data["type"], "about:blank")
        self.assertEqual(response.data["instance"], "/api/v1/detainers/")
        json.dumps(response.data)  # a JSON document, not Django's HTML page
