"""SECURITY.md C9: every query on an agency-owned model in code that serves requests is scoped.

Mechanism, and why this one. C9 asks for defence in depth against a forgotten permission
check. A runtime guard (django-scopes, or a default manager that raises outside a scope)
would need a new dependency or a change to every model's manager, the sweeps, the admin and
the migrations, and would break the background jobs that legitimately read every agency.
A check over captured SQL cannot tell a query narrowed by an already-scoped parent
(``officer=officer``) from a forgotten one without parsing SQL. So this test reads the code:
an AST walk over every module that serves a request (views, list views, selectors, exports,
the name look-up, the dashboard, the report contexts, the access-trail reader) finds each
``<AgencyOwnedModel>.objects`` / ``._default_manager`` and accepts it only when

1. it is inside a call to an access helper of ``compliance.core.access`` (``scope``,
   ``get_scoped_or_404``, ``narrow_to_requested_agency``, ``agencies_for``); or
2. the same chain filters by the agency (a keyword ``agency…`` or ``…__agency…``); or
3. the same chain is a correlated subquery (a filter value is ``OuterRef(…)``): it narrows
   to rows of the outer query, which rule 1 or 2 scopes; or
4. it is named in ``REVIEWED`` below with the reason it is safe (a query narrowed by a parent
   record that was itself fetched through ``compliance.core.access``).

Agency-owned = every concrete model with a foreign key named ``agency`` to ``compliance.Agency``
(found with ``apps.get_models()``, history models included), so a new model is covered at once.
It is a static check: a manager passed through a variable first (``qs = Model.objects``,
then ``qs.filter(...)``) is flagged, on purpose: write it in one chain or list it here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.test import SimpleTestCase

from compliance.core.models import Agency

ROOT = Path(__file__).resolve().parents[2]
APPS = ("compliance", "training", "incidents", "community")

#: Modules named so serve requests (besides everything under compliance/views and compliance/reports).
SERVING_NAMES = {
    "views.py",
    "list_views.py",
    "selectors.py",
    "export.py",
    "name_search.py",
    "rows.py",
    "dashboard.py",
    "access_trail.py",
    "record_pages.py",
}
SCOPERS = {"scope", "get_scoped_or_404", "narrow_to_requested_agency", "agencies_for"}
NARROWING_CALLS = {"filter", "get", "exclude", "get_or_create", "update_or_create", "create"}

#: (module, function, model) → why the unscoped-looking query is safe. Reviewed one by one.
REVIEWED: dict[tuple[str, str, str], str] = {
    ("compliance/accounts/views.py", "_detail_context", "AccountEvent"): (
        "target=person, a person the administrator reached through person_or_404 (agencies they administer)"
    ),
    ("incidents/citizenship/views.py", "detainer_citizenship", "Detainer"): (
        "pk=detainer.pk of the detainer just fetched by detainer_or_404 (a fresh copy for the form)"
    ),
    ("incidents/detainers/selectors.py", "open_findings_by_detainer", "Finding"): (
        "object_id__in the pks of detainers the caller already scoped"
    ),
    ("incidents/detainers/views.py", "_render_detail", "Finding"): (
        "object_id=detainer.pk of the detainer fetched by detainer_or_404"
    ),
    ("training/lifecycle/views.py", "officer_lifecycle_context", "ExamAttempt"): (
        "officer=officer, the officer fetched by officer_or_404"
    ),
    ("training/roster/selectors.py", "latest_certifications", "Certification"): (
        "a building block: every caller narrows it by officer (OuterRef or the scoped officer)"
    ),
    ("compliance/reports/engine.py", "_load", "Report"): (
        "a task's report id (tasks carry ids); the report was scoped when it was requested (report_request)"
    ),
    ("compliance/reports/engine.py", "part_render", "Report"): (
        "a task's report id, locked to count its rendered parts; scoped when it was requested (report_request)"
    ),
    ("compliance/reports/rendering.py", "report_render", "Report"): (
        "runs in the Celery task by report id; report_request checked the export permission before queueing it"
    ),
    # Report jobs (issue #13 item 6): tasks and the sweep, by report id, never in a request.
    ("compliance/reports/rendering.py", "report_claim", "Report"): (
        "runs in the Celery task by report id; report_request checked the export permission before queueing it"
    ),
    ("compliance/reports/rendering.py", "report_part_restart", "Report"): (
        "runs in the part task by report id (a re-delivery after a lost worker); never in a request"
    ),
    ("compliance/reports/rendering.py", "report_part_render", "Report"): (
        "runs in the part task by report id; report_request checked the export permission before queueing it"
    ),
    ("compliance/reports/rendering.py", "report_finish", "Report"): (
        "runs in the assembly task by report id; report_request checked the export permission before queueing it"
    ),
    ("compliance/views/records_request.py", "records_taken", "AccessLog"): (
        "object_id in the ids of reports the caller reached through access (get_scoped_or_404, the scoped list)"
    ),
    ("compliance/views/records_request.py", "records_file_response", "Report"): (
        "a row lock on the report the calling view reached through get_scoped_or_404"
    ),
    ("compliance/reports/services.py", "report_dispatch", "Report"): (
        "stamps dispatched_at on the report report_request just created (after its permission check), by id"
    ),
    ("compliance/reports/sweep.py", "reports_sweep", "Report"): (
        "the report sweep (beat, run_jobs) reads every agency's unfinished reports on purpose; never in a request"
    ),
    ("incidents/detainer_log/rows.py", "detainer_log_queryset", "Detainer"): (
        "ORs one Q(agency=…) per agency the caller passes (the export view: its export agencies from access)"
    ),
    ("incidents/detainer_log/rows.py", "_open_findings", "Finding"): (
        "object_id__in the detainers of a batch of detainer_log_queryset (scoped above)"
    ),
    ("incidents/detainer_log/rows.py", "_narratives", "Incident"): (
        "detainer__in the detainers of a batch of detainer_log_queryset (scoped above)"
    ),
    ("training/roster/selectors.py", "officer_certification_lines", "TrainingRequirement"): (
        "agreement_id=officer.agreement_id of an officer the caller fetched through access"
    ),
}


def agency_owned_models() -> set[str]:
    """Class names of every concrete model with an ``agency`` foreign key to ``compliance.Agency``."""
    owned = set()
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "agency"), None)
        if field is not None and field.is_relation and field.related_model is Agency:
            owned.add(model.__name__)
    return owned


def serving_modules() -> list[Path]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:
                continue
            if path.name in SERVING_NAMES or rel.parts[:2] in (("compliance", "views"), ("compliance", "reports")):
                found.append(path)
    return sorted(found)


def _call_name(func) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def _narrows(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg and (keyword.arg.split("__")[0] in ("agency", "agency_id") or "__agency" in keyword.arg):
            return True
        value = keyword.value
        if isinstance(value, ast.Call) and _call_name(value.func) == "OuterRef":
            return True
    return False


def unscoped_uses(source: str, owned: set[str]) -> list[tuple[int, str, str]]:
    """``(line, function, model)`` of each manager use that no rule 1–3 accepts."""
    tree = ast.parse(source)
    accepted: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node.func)
        if name in SCOPERS:
            accepted.update(id(sub) for sub in ast.walk(node))
        elif name in NARROWING_CALLS and _narrows(node):
            accepted.update(id(sub) for sub in ast.walk(node.func))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("objects", "_default_manager")
                and isinstance(node.value, ast.Name)
                and node.value.id in owned
                and id(node) not in accepted
            ):
                found.append((node.lineno, function.name, node.value.id))
    return found


class ScopedQueryTests(SimpleTestCase):
    def test_C9_every_agency_owned_query_in_request_code_is_scoped(self):
        owned = agency_owned_models()
        unexplained = []
        seen_reviewed = set()
        for path in serving_modules():
            module = str(path.relative_to(ROOT))
            for line, function, model in unscoped_uses(path.read_text(), owned):
                key = (module, function, model)
                if key in REVIEWED:
                    seen_reviewed.add(key)
                else:
                    unexplained.append(f"{module}:{line} {function}: {model}.objects")
        self.assertEqual(
            unexplained,
            [],
            "Scope these through compliance.core.access (scope / get_scoped_or_404), filter by agency, "
            "or add them to REVIEWED with the reason they are safe",
        )
        self.assertEqual(sorted(set(REVIEWED) - seen_reviewed), [], "REVIEWED entries that no longer match code")

    def test_C9_the_models_and_modules_are_really_found(self):
        owned = agency_owned_models()
        self.assertTrue({"Detainer", "Officer", "Incident", "OutreachEvent", "Finding", "HistoricalDetainer"} <= owned)
        self.assertNotIn("Agency", owned)
        modules = {str(path.relative_to(ROOT)) for path in serving_modules()}
        self.assertIn("incidents/detainers/views.py", modules)
        self.assertIn("training/roster/list_views.py", modules)
        self.assertIn("compliance/views/findings.py", modules)

    def test_C9_the_check_flags_an_unscoped_query_and_accepts_scoped_ones(self):
        source = (
            "def leaky(request):\n"
            "    return Detainer.objects.filter(pk=request.GET['id'])\n"
            "def scoped(request):\n"
            "    a = access.get_scoped_or_404(Detainer.objects.all(), request.user, public_id=1)\n"
            "    b = Detainer.objects.filter(agency__in=agencies)\n"
            "    c = Officer.objects.filter(officer__agency=agency)\n"
            "    d = Certification.objects.filter(officer=OuterRef('pk'))\n"
            "    return access.scope(Detainer.objects.all(), request.user)\n"
        )
        found = unscoped_uses(source, {"Detainer", "Officer", "Certification"})
        self.assertEqual(found, [(2, "leaky", "Detainer")])
