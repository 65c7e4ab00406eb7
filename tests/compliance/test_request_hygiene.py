"""Every change needs its CSRF token, no GET changes a record, and oversized requests are refused cleanly.

SECURITY.md F4 (CSRF on all state changes; no GET has side effects) and F9 (request size
limits). The URLs come from the one access table (``tests/compliance/access_table.py``), so a
new page is covered as soon as it is in the table. "Side effects" means rows of any model: the
audit trail (access log, account events), sessions and django-axes' counters are what a read is
meant to write.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.core import access
from compliance.core.roles import Role
from tests.base import BaseTestCase, make_user, sign_in
from tests.compliance.access_table import OWN, PUBLIC, SIGNED_IN, TABLE, Need
from tests.compliance.test_access_matrix import record_kwargs, row_counts, url_patterns, writes_outside
from tests.compliance.test_permission_matrix import build_records

#: Tables a read may write: the session, the audit trail, allauth's session list, axes' counters.
READ_MAY_WRITE = (
    "django_session",
    "compliance_accesslog",
    "compliance_accountevent",
    "usersessions_usersession",
    "axes_",
    # allauth's e-mail page copies the user's own address into its address table on the first visit
    # (the user's own account, not a record of any agency).
    "account_emailaddress",
)


def _needs(key) -> tuple[Need, ...]:
    needs = TABLE[key]
    return needs if isinstance(needs, tuple) else (needs,)


class RequestHygieneTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.records = build_records(cls.agency_a, 1, cls.staff_a)
        cls.records["compliance.person"] = make_user("person_a", agency=cls.agency_a, role=Role.STAFF)

    def url(self, key: str, route: str, need: Need) -> str | None:
        """The URL of ``key`` on agency A's record, or None for a record built only by the matrix or an own one."""
        if (need.record and need.record not in self.records) or need.need == OWN:
            return None
        return reverse(key, kwargs=record_kwargs(need, route, self.records))

    def cases(self, *, method: str):
        patterns = url_patterns()
        for key in sorted(TABLE):
            if key not in patterns:
                continue
            for need in _needs(key):
                if (method == "POST" and not need.post) or (method == "GET" and not need.get):
                    continue
                url = self.url(key, patterns[key], need)
                if url is not None:
                    yield key, need, url

    def test_F4_every_post_without_its_csrf_token_is_refused_and_writes_nothing(self):
        administrator = Client(enforce_csrf_checks=True)
        sign_in(administrator, self.admin_a)
        anonymous = Client(enforce_csrf_checks=True)
        checked = 0
        for key, need, url in self.cases(method="POST"):
            client = anonymous if need.need == PUBLIC else administrator
            with self.subTest(url=key), CaptureQueriesContext(connection) as queries:
                response = client.post(url, {"reason": "no token", "agency": str(self.agency_a.public_id)})
                self.assertEqual(response.status_code, 403)
                self.assertEqual(writes_outside(queries.captured_queries, READ_MAY_WRITE), [])
                checked += 1
        self.assertGreater(checked, 50)

    def test_F4_no_get_changes_a_row(self):
        """Every page and file as an administrator and an auditor of agency A: no row of any model changes."""
        checked = 0
        for user in (self.admin_a, self.auditor_a):
            client = Client()
            sign_in(client, user)
            before = {table: count for table, count in row_counts().items() if not table.startswith(READ_MAY_WRITE)}
            for key, need, url in self.cases(method="GET"):
                if key in ("account_logout",) or need.need in (PUBLIC, SIGNED_IN) and key.startswith("mfa_"):
                    continue  # own-account pages: the sign-out page and MFA steps keep their state in the session
                if need.need not in (*access.ALL_PERMS, PUBLIC, SIGNED_IN):
                    continue
                with self.subTest(url=key, user=user.username), CaptureQueriesContext(connection) as queries:
                    self.assertLess(client.get(url).status_code, 500)
                    self.assertEqual(writes_outside(queries.captured_queries, READ_MAY_WRITE), [])
                    checked += 1
            after = {table: count for table, count in row_counts().items() if not table.startswith(READ_MAY_WRITE)}
            self.assertEqual(after, before)
        self.assertGreater(checked, 100)


class RequestSizeTests(BaseTestCase):
    def test_F9_the_limits_are_djangos_or_tighter(self):
        self.assertLessEqual(settings.DATA_UPLOAD_MAX_MEMORY_SIZE, 2_621_440)
        self.assertLessEqual(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, 1000)
        self.assertLessEqual(settings.DATA_UPLOAD_MAX_NUMBER_FILES, 100)

    def test_F9_1001_fields_get_400_not_500_and_nothing_is_written(self):
        sign_in(self.client, self.staff_a)
        body = {f"field{i}": "x" for i in range(1001)}
        with CaptureQueriesContext(connection) as queries:
            response = self.client.post(reverse("incidents:detainer_create"), body)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(writes_outside(queries.captured_queries, READ_MAY_WRITE), [])

    def test_F9_a_body_over_the_memory_limit_gets_400_not_500(self):
        sign_in(self.client, self.staff_a)
        response = self.client.post(
            reverse("incidents:detainer_create"),
            {"subject_last_name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
        )
        self.assertEqual(response.status_code, 400)
