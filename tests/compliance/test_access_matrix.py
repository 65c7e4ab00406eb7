"""The whole access matrix, generated from the URL resolver (SECURITY.md C1, C4).

Every URL pattern (allauth's, the admin's, ours; static and media excluded) × every user
(staff, supervisor, auditor, administrator of agency A and of agency B, a signed-in user with
no role, anonymous) × the record of agency A and of agency B where the route names a record
× GET, and POST where the view accepts it. The body of a POST is the page's own form as an
entitled user of that agency sees it (parsed from the GET), so a view that validates before it
checks permission shows up as a 2xx for a user without the permission.

Expected answers come from one table, ``tests/compliance/access_table.py`` (URL name → the
permission it needs, or public / any signed-in user / superuser only). A cell fails when:

- a URL pattern is not in the table (``test_C1_every_url_pattern_is_in_the_table``, naming it);
- a record of an agency the user may not see answers anything but 404;
- any answer is a 5xx;
- a user without the needed permission gets a 2xx on a page or a POST (C4: every POST as an
  auditor on a page that changes records answers 403/404);
- a refused request writes anything: every SQL statement of each refused request is captured
  and an INSERT/UPDATE/DELETE outside ``REFUSAL_MAY_WRITE`` (session, access log, allauth's
  session list) fails the cell; the row counts of every model and history table are also
  compared before and after the whole sweep of refused cross-agency requests.

Size (2026-12-05, after the incident and complaint workflow): 216 URL patterns (131 outside the admin)
× 10 users × own/other record × GET/POST = 5,530 cells (3,862 own-agency and page cells, 1,668
cross-agency cells), 64 s for this file on one core;
see ``docs/performance.md`` "Access matrix". Each sweep prints the number of cells it ran.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from html.parser import HTMLParser

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from guardian.shortcuts import get_perms

from community.outreach.services import material_add
from compliance.core import access
from compliance.core.roles import ROLE_PERMISSIONS, Role
from incidents.case_files.services import attachment_add
from tests.base import BaseTestCase, make_user, sign_in
from tests.community.helpers import pdf_bytes
from tests.compliance.access_table import ADMIN, OWN, PUBLIC, SIGNED_IN, SUPERUSER, TABLE, Need
from tests.compliance.helpers import make_ready_report
from tests.compliance.test_permission_matrix import _tiny_png, build_records
from tests.compliance.webhook_helpers import make_integration
from training.evidence.services import certificate_attach

#: Tables a refused request may still write: its session, its access-log row (C1: each attempt is
#: audited), allauth's list of the user's sessions, django-axes' records.
REFUSAL_MAY_WRITE = (
    "django_session",
    "compliance_accesslog",
    "compliance_accountevent",  # a refused people page writes its "denied" account event (SECURITY.md C5)
    "usersessions_usersession",
    "axes_",
)

#: POSTs that read, not change (an auditor may send them): what each may write besides the above.
READING_POSTS: dict[str, tuple[str, ...]] = {
    "incidents:detainer_list": (),  # the look-up by a subject's name is a POST (kept out of the URL)
    "reports:request": ("compliance_report",),  # an export: the report row and its task
    "reports:retry": ("compliance_report",),  # the same request again (refused for a report that did not fail)
}

#: Record → the page holding the forms of its POST-only actions (where their bodies come from).
RECORD_PAGES = {
    "compliance.finding": "findings:detail",
    "incidents.detainer": "incidents:detainer_detail",
    "training.trainingsession": "training:session_detail",
    "compliance.agreement": "training:agreement_requirements",
    "training.rank": "training:rank_edit",
}

_WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


def url_patterns() -> dict[str, str]:
    """Key (URL name, or the route for an unnamed pattern) → route, for every pattern."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace if pattern.namespace else namespace
                if namespace and pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                found[name or route] = route

    walk(get_resolver().url_patterns, "", None)
    return {key: route for key, route in found.items() if not re.match(r"\^?(static|media)/", route)}


def needs_of(key: str, route: str) -> tuple[Need, ...]:
    if key not in TABLE and (key.startswith("admin:") or route.startswith("admin/")):
        return (ADMIN,)
    needs = TABLE[key]
    return needs if isinstance(needs, tuple) else (needs,)


def record_kwargs(need: Need, route: str, records: dict) -> dict:
    """The URL kwargs of ``need`` on one agency's ``records``: a person's key, a record's public id, or for an
    ``OWN`` route an id that exists for no one."""
    kwargs = dict(need.kwargs)
    if need.record == "compliance.person":
        kwargs["pk"] = records[need.record].pk
    elif need.record:
        kwargs["public_id"] = records[need.record].public_id
    elif need.need == OWN and "public_id" in route:
        kwargs["public_id"] = uuid.uuid4()
    return kwargs


def writes_outside(queries, allowed: tuple[str, ...]) -> list[str]:
    """The SQL write statements in ``queries`` on tables not starting with one of ``allowed``."""
    bad = []
    for query in queries:
        match = _WRITE.match(query["sql"])
        if match and not match.group(2).lower().startswith(allowed):
            bad.append(query["sql"][:160])
    return bad


def row_counts() -> dict[str, int]:
    """Rows of every model's table (history tables included), except those refusals may write."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if not table.startswith(REFUSAL_MAY_WRITE) and not model._meta.proxy:
            counts[table] = model._base_manager.count()
    return counts


class _FormFields(HTMLParser):
    """The name → values each POST form of a page would send (a browser's view of it), by action."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        self._form.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {}
            self.forms.append((attrs.get("action") or "", self._form))
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value") or ("on" if kind == "checkbox" else ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None and value:
                self._select_first = value
            if "selected" in attrs:
                self._add(self._select, value)
                self._select_chosen = True

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None and self._form is not None:
                self._add(self._select, self._select_first)
            self._select = None
        elif tag == "form":
            self._form = None


def form_body(html: str, url: str = "", *, strict: bool = False) -> dict[str, list[str]]:
    """What a page's form posts to ``url``: the POST form whose action is ``url`` (or empty, for the page's own).

    Without such a form: the page's largest POST form, or nothing when ``strict``.
    """
    parser = _FormFields()
    parser.feed(html)
    own = [fields for action, fields in parser.forms if action.split("?")[0] == url or (action == "" and not strict)]
    candidates = own or ([] if strict else [fields for _, fields in parser.forms])
    body = dict(max(candidates, key=len)) if candidates else {}
    body.pop("csrfmiddlewaretoken", None)
    return body


class AccessMatrixTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.auditor_b = make_user("auditor_b", agency=cls.agency_b, role=Role.AUDITOR)
        cls.admin_b = make_user("admin_b", agency=cls.agency_b, role=Role.ADMINISTRATOR)
        cls.records = {
            cls.agency_a.pk: build_records(cls.agency_a, 1, cls.staff_a),
            cls.agency_b.pk: build_records(cls.agency_b, 2, cls.staff_b),
        }
        # The person the people pages are about in each agency: not a persona, so deactivating them is harmless.
        cls.records[cls.agency_a.pk]["compliance.person"] = make_user("person_a", agency=cls.agency_a, role=Role.STAFF)
        cls.records[cls.agency_b.pk]["compliance.person"] = make_user("person_b", agency=cls.agency_b, role=Role.STAFF)
        # The integration whose webhook pages the matrix requests (compliance.integrations.webhook_*).
        for agency, admin in ((cls.agency_a, cls.admin_a), (cls.agency_b, cls.admin_b)):
            if "compliance.integration" not in cls.records[agency.pk]:
                cls.records[agency.pk]["compliance.integration"] = make_integration(agency, created_by=admin)[0]
        cls.roles = {
            cls.staff_a: {cls.agency_a.pk: Role.STAFF},
            cls.supervisor_a: {cls.agency_a.pk: Role.SUPERVISOR},
            cls.auditor_a: {cls.agency_a.pk: Role.AUDITOR},
            cls.admin_a: {cls.agency_a.pk: Role.ADMINISTRATOR},
            cls.staff_b: {cls.agency_b.pk: Role.STAFF},
            cls.supervisor_b: {cls.agency_b.pk: Role.SUPERVISOR},
            cls.auditor_b: {cls.agency_b.pk: Role.AUDITOR},
            cls.admin_b: {cls.agency_b.pk: Role.ADMINISTRATOR},
            cls.outsider: {},
        }

    def setUp(self):
        for agency, user in ((self.agency_a, self.supervisor_a), (self.agency_b, self.supervisor_b)):
            self.records[agency.pk]["report"] = make_ready_report(agency, user)
            self.records[agency.pk]["training.certificatefile"] = certificate_attach(
                actor=user,
                certification=self.records[agency.pk]["training.certification"],
                upload=SimpleUploadedFile("certificate.png", _tiny_png()),
            )
            self.records[agency.pk]["incidents.caseattachment"] = attachment_add(
                incident=self.records[agency.pk]["incidents.incident"],
                upload=SimpleUploadedFile("scene.png", _tiny_png()),
                actor=user,
            )
            self.records[agency.pk]["community.eventmaterial"] = material_add(
                event=self.records[agency.pk]["community.outreachevent"],
                upload=SimpleUploadedFile("flyer.png", _tiny_png()),
                actor=user,
            )
            # The committee meeting's minutes file, so its download answers 200 (stored as the service stores it).
            meeting = self.records[agency.pk]["community.committeemeeting"]
            meeting.minutes_file.save("minutes", ContentFile(pdf_bytes()), save=True)
        self.clients = {}
        self.cells = 0

    # ----- helpers -----

    def client_for(self, user) -> Client:
        if user not in self.clients:
            client = Client()
            if user is not None:
                sign_in(client, user)
            self.clients[user] = client
        return self.clients[user]

    def perms(self, user, agency_pk) -> tuple[str, ...]:
        role = self.roles.get(user, {}).get(agency_pk)
        return ROLE_PERMISSIONS[role] if role else ()

    def holds_anywhere(self, user, perm) -> bool:
        return any(perm in ROLE_PERMISSIONS[role] for role in self.roles.get(user, {}).values())

    def url(self, key: str, route: str, need: Need, agency) -> str:
        if key not in TABLE and (key.startswith("admin:") or route.startswith("admin/")):
            return self.admin_url(key, route)
        return reverse(key, kwargs=record_kwargs(need, route, self.records[agency.pk] if agency is not None else {}))

    def admin_url(self, key: str, route: str) -> str:
        path = re.sub(r"<[^>]+>", "1", route)
        path = path.replace("(?P<url>.*)$", "no-such-page/")
        return "/" + path

    def body_for(self, url: str, need: Need, agency) -> dict:
        """The POST body: the page's own form as the agency's administrator sees it.

        For a POST-only URL, the form that posts to it on its record's page (``RECORD_PAGES``);
        else empty.
        """
        if need.need not in access.ALL_PERMS:
            return {}
        owner = self.admin_a if agency is None or agency == self.agency_a else self.admin_b
        page = url
        if not need.get:
            if need.record not in RECORD_PAGES:
                return {}
            record = self.records[agency.pk][need.record]
            page = reverse(RECORD_PAGES[need.record], kwargs={"public_id": record.public_id})
        response = self.client_for(owner).get(page)
        if response.status_code != 200:
            return {}
        return form_body(response.content.decode(errors="replace"), url, strict=not need.get)

    def expected(self, key: str, need: Need, user, agency, method: str) -> str:
        """What the cell must answer.

        ``allowed`` (2xx/3xx, 400 for a refused body), ``any`` (public or own-account page: no
        5xx, no sign-in redirect), ``rows`` (a list page without rows: empty or refused, writes nothing),
        ``login`` (redirect to sign in), ``hidden`` (404), ``method`` (405), ``refused``
        (403/404/405 or the admin's redirect to sign in).
        """
        if method == "GET" and not need.get:
            return "login" if user is None else "method"
        if user is None:
            return "any" if need.need == PUBLIC else "login"
        if need.need in (PUBLIC, SIGNED_IN):
            return "any"
        if need.rows_only and not need.record:
            return "allowed" if self.holds_anywhere(user, need.need) else "rows"
        if need.need == SUPERUSER:
            return "refused"
        if need.need == OWN:
            return "hidden"
        if need.record == "compliance.person" and not self.holds_anywhere(user, access.ADMINISTER):
            # The people pages refuse a user who administers no agency before reading the key (403 for any
            # key, so it tells nothing of the person); an administrator of another agency gets 404 (below).
            return "refused"
        if need.record:
            perms = self.perms(user, agency.pk)
            if access.VIEW not in perms and need.need not in perms:
                return "hidden"
            return "allowed" if need.need in perms else "refused"
        return "allowed" if self.holds_anywhere(user, need.need) else "refused"

    def check_cell(self, key, need, user, agency, method, url, body):
        if method == "POST" and need.post_need:
            need = replace(need, need=need.post_need, post_need=None)
        expect = self.expected(key, need, user, agency, method)
        client = self.client_for(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, body) if method == "POST" else client.get(url)
        self.cells += 1
        status = response.status_code
        self.assertLess(status, 500)
        if expect == "allowed":
            self.assertIn(status, (200, 302, 400), "entitled user refused")
        elif expect == "rows":  # a list page: empty for a user without the permission, or refused
            self.assertIn(status, (200, 302, 403, 404))
        elif expect == "any":
            if user is not None and status == 302:
                self.assertFalse(response["Location"].startswith("/accounts/login/"), response["Location"])
        elif expect == "login":
            self.assertEqual(status, 302)
            self.assertRegex(response["Location"], r"^/(accounts|admin)/login/")
        elif expect == "hidden":
            self.assertEqual(status, 404, "a record the user may not see must answer 404")
        elif expect == "method":
            self.assertIn(status, (404, 405))
        else:  # refused
            self.assertIn(status, (302, 403, 404, 405), "a user without the permission got an answer")
            if status == 302:
                self.assertRegex(response["Location"], r"^/(accounts|admin)/login/")
        if expect not in ("allowed", "any"):
            self.assertEqual(writes_outside(queries.captured_queries, REFUSAL_MAY_WRITE), [], "a refusal wrote")
        if method == "POST" and user is not None and Role.AUDITOR in self.roles.get(user, {}).values():
            # C4: an auditor's POST changes nothing (beyond what a read may leave).
            if need.need in (access.CHANGE, access.REVIEW, access.ADMINISTER):
                self.assertIn(status, (403, 404, 405), "C4: an auditor's POST must be refused")
            allowed = REFUSAL_MAY_WRITE + READING_POSTS.get(key, ())
            if need.need in access.ALL_PERMS:
                self.assertEqual(writes_outside(queries.captured_queries, allowed), [], "C4: an auditor wrote")
        if expect in ("allowed", "any") and need.signs_out and method == "POST":
            self.clients.pop(user, None)

    def users(self):
        return [*self.roles, None]

    def sweep(self, *, cross_agency_only: bool):
        for key, route in url_patterns().items():
            for need in needs_of(key, route):
                agencies = (self.agency_a, self.agency_b) if need.record else (None,)
                for agency in agencies:
                    url = self.url(key, route, need, agency)
                    body = self.body_for(url, need, agency) if need.post else {}
                    for user in self.users():
                        foreign = bool(need.record) and not self.perms(user, agency.pk)
                        if foreign != cross_agency_only:
                            continue
                        methods = ["GET"] + (["POST"] if need.post else [])
                        for method in methods:
                            with self.subTest(url=key, agency=agency and agency.state, user=user, method=method):
                                self.check_cell(key, need, user, agency, method, url, body)

    # ----- tests -----

    def test_C1_every_url_pattern_is_in_the_table(self):
        patterns = url_patterns()
        missing = sorted(key for key, route in patterns.items() if not route.startswith("admin/") and key not in TABLE)
        self.assertEqual(missing, [], "Add these URL patterns to TABLE in tests/compliance/access_table.py")
        stale = sorted(set(TABLE) - set(patterns))
        self.assertEqual(stale, [], "These TABLE entries name no URL pattern any more")

    def test_C1_C4_records_of_another_agency_answer_404_and_nothing_is_written(self):
        for user in self.users():
            self.client_for(user)  # signing in enrols an authenticator: before the count
        before = row_counts()
        self.sweep(cross_agency_only=True)
        self.assertEqual(row_counts(), before, "a refused cross-agency request changed rows")
        print(f"\naccess matrix, cross-agency cells: {self.cells}")

    def test_C1_C4_every_page_answers_as_the_table_says(self):
        self.sweep(cross_agency_only=False)
        print(f"\naccess matrix, own-agency and page cells: {self.cells}")

    def test_C1_an_auditor_of_both_agencies_reads_both(self):
        for key, route in url_patterns().items():
            for need in needs_of(key, route):
                if not need.record or need.need not in ROLE_PERMISSIONS[Role.AUDITOR] or not need.get:
                    continue
                for agency in (self.agency_a, self.agency_b):
                    url = self.url(key, route, need, agency)
                    with self.subTest(url=key, agency=agency.state):
                        self.assertEqual(self.client_for(self.auditor).get(url).status_code, 200)


class AuditorPermissionTests(BaseTestCase):
    """C4: the auditor role itself holds nothing that changes or deletes records, audit or history."""

    def test_C4_the_auditor_role_holds_no_change_or_delete_permission(self):
        for auditor in (self.auditor_a, self.auditor):
            with self.subTest(user=auditor.username):
                model_wide = auditor.get_all_permissions()
                self.assertEqual(
                    sorted(p for p in model_wide if p.split(".")[1].startswith(("add_", "change_", "delete_"))), []
                )
                for agency in (self.agency_a, self.agency_b):
                    held = set(get_perms(auditor, agency))
                    self.assertLessEqual(held, {access.VIEW, access.EXPORT})
                self.assertFalse(auditor.is_staff or auditor.is_superuser)
        self.assertEqual(set(get_perms(self.auditor, self.agency_b)), {access.VIEW, access.EXPORT})
