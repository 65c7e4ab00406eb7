"""The agency-isolation matrix of the API: every route under /api/v1/, found by the URL resolver (issue #15).

A route is not named here: the resolver lists them, so a new one is checked without being added. For each
route and each method its view answers, agency A's token is sent with agency B's record in the URL (a
detainer, an officer): 404, exactly as for an id that exists nowhere, and nothing of B's is written. A route
without a record must not answer with any of B's records. A revoked token and no token answer 401 on every
route; each call leaves an access-log row.
"""

from __future__ import annotations

import json
import uuid

from django.urls import URLPattern, URLResolver, get_resolver

from compliance.core.models import AccessLog
from compliance.integrations.services import integration_revoke
from incidents.detainers.models import Detainer
from tests.api.helpers import api_client, detainer_body, make_integration
from tests.base import BaseTestCase
from tests.incidents.helpers import make_detainer
from tests.training.helpers import make_officer

#: Routes reachable without a token (none but the catch-all, which answers 404 problems to everyone).
UNGUARDED = {"api:not_found"}
METHODS = ("get", "post", "put", "patch", "delete")


def api_routes() -> list[tuple[str, str, type]]:
    """(URL name, route, view class) of every pattern under the ``api`` namespace."""
    found = []

    def walk(patterns, prefix: str, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "api":
                found.append((f"api:{pattern.name}", prefix + str(pattern.pattern), pattern.callback.cls))

    walk(get_resolver().url_patterns, "", None)
    return found


def without_instance(response) -> str:
    """The answer's text without the problem's ``instance`` (the path the client itself sent)."""
    try:
        body = response.json()
    except ValueError:
        return response.content.decode()
    if isinstance(body, dict):
        body.pop("instance", None)
    return json.dumps(body, sort_keys=True)


class ApiIsolationTests(BaseTestCase):
    def setUp(self):
        _, self.token_a = make_integration(self.agency_a, actor=self.admin_a)
        self.detainer_a = make_detainer(self.agency_a, actor=self.staff_a, number=1)
        self.detainer_b = make_detainer(self.agency_b, actor=self.staff_b, number=2)
        self.officer_a = make_officer(self.agency_a, badge="B-1")
        self.officer_b = make_officer(self.agency_b, badge="B-2")
        # The values a route's URL kwargs take: agency B's record, and agency A's (to show the route works).
        self.kwargs_b = {"public_id": self.detainer_b.public_id, "officer": self.officer_b.public_id}
        self.kwargs_a = {"public_id": self.detainer_a.public_id, "officer": self.officer_a.public_id}
        self.b_ids = {str(self.detainer_b.public_id), str(self.officer_b.public_id), "BK-00002"}

    def url(self, route: str, kwargs: dict) -> str:
        path = route
        for name, value in kwargs.items():
            for converter in ("uuid", "str", "int", "slug", "path"):
                path = path.replace(f"<{converter}:{name}>", str(value))
        self.assertNotIn("<", path, f"{route}: add its URL argument to kwargs_a/kwargs_b in this test")
        return "/" + path.replace("^", "").replace(".*$", "no-such-route/")

    def b_state(self):
        detainer = Detainer.objects.get(pk=self.detainer_b.pk)
        return (
            detainer.updated_at,
            detainer.outcome,
            detainer.history.count(),
            Detainer.objects.filter(agency=self.agency_b).count(),
        )

    def call(self, client, method: str, url: str):
        body = detainer_body(booking_number="BK-00002", outcome_at="2026-03-08T10:00:00Z", lift_reason="other")
        if method == "get":
            return client.get(url)
        return getattr(client, method)(url, json.dumps(body), content_type="application/json")

    def test_the_matrix_covers_every_route_under_api_v1(self):
        routes = {name for name, _, _ in api_routes()}
        self.assertTrue({"api:detainer_create", "api:detainer_detail", "api:officer_authorization"} <= routes)

    def test_agency_a_cannot_read_or_write_agency_b_records(self):
        client = api_client(self.token_a)
        before = self.b_state()
        cells = 0
        for name, route, view in api_routes():
            methods = [m for m in METHODS if hasattr(view, m)]
            takes_record = "<" in route
            for method in methods:
                with self.subTest(route=name, method=method):
                    response = self.call(client, method, self.url(route, self.kwargs_b))
                    cells += 1
                    answer = without_instance(response)
                    if takes_record:
                        self.assertEqual(response.status_code, 404, response.content)
                        missing = self.call(client, method, self.url(route, {k: uuid.uuid4() for k in self.kwargs_b}))
                        self.assertEqual(answer, without_instance(missing), "B's record answers unlike a missing one")
                    for b_id in self.b_ids - {"BK-00002"}:
                        self.assertNotIn(b_id, answer)
        self.assertEqual(self.b_state(), before, "a request with agency A's token changed agency B's records")
        self.assertGreaterEqual(cells, 9)

    def test_the_lookup_by_booking_number_finds_no_record_of_another_agency(self):
        response = api_client(self.token_a).post(
            "/api/v1/detainers/lookup/", {"booking_number": "BK-00002"}, format="json"
        )
        self.assertEqual(response.json(), {"results": []})

    def test_agency_a_reaches_its_own_records(self):
        client = api_client(self.token_a)
        self.assertEqual(client.get(self.url("api/v1/detainers/<uuid:public_id>/", self.kwargs_a)).status_code, 200)
        url = self.url("api/v1/officers/<str:officer>/authorization/", self.kwargs_a)
        self.assertEqual(client.get(url).status_code, 200)

    def test_no_token_and_a_revoked_token_answer_401_on_every_route(self):
        integration, token = make_integration(self.agency_a, actor=self.admin_a, name="Old JMS")
        integration_revoke(integration=integration, actor=self.admin_a)
        for label, client in (
            ("none", api_client(None)),
            ("revoked", api_client(token)),
            ("bogus", api_client("pgc_x_y")),
        ):
            for name, route, view in api_routes():
                if name in UNGUARDED:
                    continue
                for method in [m for m in METHODS if hasattr(view, m)]:
                    with self.subTest(token=label, route=name, method=method):
                        before = AccessLog.objects.count()
                        response = self.call(client, method, self.url(route, self.kwargs_a))
                        self.assertEqual(response.status_code, 401, response.content)
                        self.assertEqual(response["Content-Type"], "application/problem+json")
                        self.assertIn("Bearer", response["WWW-Authenticate"])
                        self.assertEqual(AccessLog.objects.count(), before + 1)
                        self.assertEqual(AccessLog.objects.order_by("-id").first().outcome, "denied")
