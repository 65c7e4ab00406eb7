"""The API fuzzed against its own OpenAPI schema (schemathesis, Python API, the WSGI app): no 5xx, no response
outside the schema, for every operation (issue #15 "schemathesis runs against the OpenAPI schema in CI").

Bounded: ``MAX_EXAMPLES`` cases per operation, so the run stays well under two minutes in ``make test``.
Authenticated with a real integration token of the test database; agency A holds a detainer and an officer
so that some generated requests reach records (most ids are random: 404 problems, which the schema lists).
"""

from __future__ import annotations

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from compliance.wsgi import application
from tests.api.helpers import make_integration
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer
from tests.training.helpers import make_officer

MAX_EXAMPLES = 15
CHECKS = [checks.not_a_server_error, checks.response_schema_conformance, checks.status_code_conformance]


class SchemathesisTests(BaseTestCase):
    def setUp(self):
        # The WSGI app is called directly: keep Django from closing the test's connection after each request
        # (as its own test client does).
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        self.addCleanup(request_started.connect, close_old_connections)
        self.addCleanup(request_finished.connect, close_old_connections)
        self.integration, token = make_integration(self.agency_a, actor=self.admin_a)
        self.auth = {"Authorization": f"Bearer {token}"}
        make_detainer(self.agency_a, actor=self.staff_a)
        make_officer(self.agency_a, badge="B-100")

    def test_every_operation_answers_within_its_schema_and_never_5xx(self):
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application, headers=self.auth)
        operations = [result.ok() for result in schema.get_all_operations()]
        self.assertGreaterEqual(len(operations), 8)
        for operation in operations:
            with self.subTest(operation=operation.label):
                self._fuzz(operation)

    def _fuzz(self, operation):
        auth = self.auth

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=auth)
            case.validate_response(response, checks=CHECKS, headers=auth)

        run()
