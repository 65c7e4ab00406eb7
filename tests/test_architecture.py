"""The house plan holds (docs/architecture.md): every top-floor module is under a contract, topics are named as topics.

`make lint` runs the import contracts themselves (lint-imports); these tests make sure the
contracts cannot be escaped by adding a module nobody listed.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
APPS = ("compliance", "training", "incidents", "community")
# Modules named after a package they stand in for, or after how the work was planned.
PLANNING_NAME = re.compile(r"^(forms_|models_|views_|part_[a-z]_?|issue_?\d)")


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def _packages() -> list[Path]:
    """Every package directory of the four apps except migrations."""
    found = []
    for app in APPS:
        for init in (ROOT / app).rglob("__init__.py"):
            if "migrations" not in init.parts:
                found.append(init.parent)
    return sorted(found)


class HousePlanTests(SimpleTestCase):
    def test_every_top_floor_module_of_the_project_package_is_in_the_top_layer(self):
        floors = next(c for c in _contracts() if c["type"] == "layers")
        self.assertEqual(floors["layers"][1:], ["community", "incidents", "training", "compliance.core"])
        top = {name.strip() for name in re.split(r"[:|]", floors["layers"][0])}
        modules = {
            f"compliance.{path.stem if path.is_file() else path.name}"
            for path in (ROOT / "compliance").iterdir()
            if (path.suffix == ".py" or (path / "__init__.py").exists())
            and path.name not in {"__init__.py", "core", "migrations"}
        }
        self.assertEqual(modules - top, set(), "add the new module to the top layer in pyproject.toml")
        self.assertEqual(top - modules, set(), "the top layer names a module that does not exist")

    def test_every_package_opens_with_a_docstring(self):
        missing = [
            str(package.relative_to(ROOT))
            for package in _packages()
            if not ast.get_docstring(ast.parse((package / "__init__.py").read_text()))
        ]
        self.assertEqual(missing, [])

    def test_no_module_is_named_as_a_prefix_or_after_planning(self):
        odd = [
            str(path.relative_to(ROOT))
            for package in _packages()
            for path in package.glob("*.py")
            if PLANNING_NAME.match(path.stem)
        ]
        self.assertEqual(odd, [])

    def test_the_apps_models_modules_only_re_export_their_topics(self):
        # Django loads <app>.models; the models themselves live in the topic packages.
        for app in ("compliance", "training", "incidents"):
            tree = ast.parse((ROOT / app / "models.py").read_text())
            defined = [node.name for node in tree.body if isinstance(node, ast.ClassDef | ast.FunctionDef)]
            with self.subTest(app=app):
                self.assertEqual(defined, [])

    def test_no_module_imports_in_a_circle(self):
        # The floors forbid cycles between floors; this forbids them inside a floor too (DESIGN.md "never in a circle").
        import grimp

        graph = grimp.build_graph(*APPS, cache_dir=None)
        circles = []
        for importer in sorted(graph.modules):
            if ".migrations" in importer:
                continue
            for imported in graph.find_modules_directly_imported_by(importer):
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                if back and ".migrations" not in imported:
                    circles.append(" -> ".join((importer, *back)))
        self.assertEqual(circles, [])
