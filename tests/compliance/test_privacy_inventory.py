"""The data inventory (SECURITY.md G1) and fake A-numbers only (G2).

G1: every concrete field of every model of our four apps (``Historical*`` ones too) is classified in
``compliance.core.privacy.inventory``; a new field fails here, naming itself, until it is classified, and a
classified field that no longer exists fails too. The committed ``docs/privacy/inventory.md`` is the one
``manage.py privacy_inventory`` writes today.

G2: fixture and demo data carry A-numbers only from the reserved fake range (``docs/privacy/fake-data.md``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase, override_settings

from compliance.core.privacy.fake_data import FAKE_A_NUMBER, is_fake_a_number
from compliance.core.privacy.inventory import APPS, INVENTORY, base_label, entry_fields
from compliance.management.commands.privacy_inventory import OUTPUT, inventory_markdown

ROOT = Path(settings.BASE_DIR)


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in APPS]


class InventoryTests(SimpleTestCase):
    def test_G1_every_field_classified(self):
        missing = []
        for model in our_models():
            label = base_label(model)
            if label not in INVENTORY:
                missing.append(f"{model._meta.label}: the model has no entry")
                continue
            known = entry_fields(model)
            missing += [f"{model._meta.label}.{f.name}" for f in model._meta.concrete_fields if f.name not in known]
        self.assertEqual(missing, [], "Classify these in compliance/core/privacy/inventory.py")

    def test_G1_no_classified_field_is_gone(self):
        models = {m._meta.label: m for m in our_models()}
        gone = [f"{label} (model)" for label in INVENTORY if label not in models]
        for label, entry in INVENTORY.items():
            if label in models:
                names = {f.name for f in models[label]._meta.concrete_fields}
                gone += [f"{label}.{name}" for name in sorted(entry.field_names() - names)]
        self.assertEqual(gone, [], "Remove these from compliance/core/privacy/inventory.py")

    def test_G1_a_field_is_classified_once(self):
        twice = []
        for label, entry in INVENTORY.items():
            buckets = [set(entry.personal), set(entry.staff_fields()), set(entry.other_fields())]
            for i, a in enumerate(buckets):
                for b in buckets[i + 1 :]:
                    twice += [f"{label}.{name}" for name in a & b]
        self.assertEqual(twice, [])

    def test_G1_the_detainer_subject_is_personal_data_with_a_schedule(self):
        detainer = INVENTORY["incidents.Detainer"].personal
        for name in ("subject_last_name", "subject_first_name", "subject_date_of_birth", "a_number"):
            self.assertEqual(detainer[name].category, "subject identity")
            self.assertEqual(detainer[name].schedule, "detainer_subject")
        contact = INVENTORY["incidents.ComplaintContact"].personal
        self.assertEqual(set(contact), {"name", "email", "phone"})

    def test_G1_the_committed_inventory_document_is_current(self):
        self.assertEqual(
            OUTPUT.read_text(encoding="utf-8"),
            inventory_markdown(),
            "Run: DEBUG=1 .venv/bin/python manage.py privacy_inventory",
        )


# An A-number as data files and generators write it: "A" and 8–9 digits, or 9 digits alone in a JSON value.
A_NUMBER_IN_TEXT = re.compile(r"\bA-?\d{3}-?\d{3}-?\d{2,3}\b")


def a_numbers_in(value) -> list[str]:
    """Every A-number-shaped string inside a JSON value (fixture rows, nested fields)."""
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if key == "a_number" and isinstance(item, str) and item:
                found.append(item)
            else:
                found += a_numbers_in(item)
        return found
    if isinstance(value, list):
        return [a for item in value for a in a_numbers_in(item)]
    if isinstance(value, str):
        return A_NUMBER_IN_TEXT.findall(value)
    return []


def fixture_files() -> list[Path]:
    skip = {"node_modules", ".venv", ".git", "var"}
    return [
        path
        for path in ROOT.rglob("*.json")
        if "fixtures" in path.parts and not skip.intersection(path.relative_to(ROOT).parts)
    ]


class FakeANumberTests(TestCase):
    def test_G2_the_reserved_range(self):
        self.assertTrue(is_fake_a_number("A999000001"))
        self.assertTrue(is_fake_a_number("A-999-000-001"))
        self.assertFalse(is_fake_a_number("A012345678"))
        self.assertFalse(is_fake_a_number("A201234567"))
        self.assertRegex("A999123456", FAKE_A_NUMBER)

    def test_G2_fixture_files_hold_only_fake_a_numbers(self):
        outside = []
        for path in fixture_files():
            data = json.loads(path.read_text(encoding="utf-8"))
            outside += [f"{path.relative_to(ROOT)}: {a}" for a in a_numbers_in(data) if not is_fake_a_number(a)]
        self.assertEqual(outside, [], "Fixtures may only use A-numbers of the reserved fake range (A999xxxxxx)")

    @override_settings(DEBUG=True)
    def test_G2_the_demo_data_holds_only_fake_a_numbers(self):
        from incidents.detainers.models import Detainer

        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        numbers = [a for a in Detainer.objects.values_list("a_number", flat=True) if a]
        self.assertTrue(numbers, "the demo should show A-numbers (from the fake range)")
        self.assertEqual([a for a in numbers if not is_fake_a_number(a)], [])

    def test_G2_the_scan_finds_a_real_looking_a_number(self):
        rows = [{"model": "incidents.detainer", "fields": {"a_number": "A012345678", "note": "see A-087-654-321"}}]
        self.assertEqual(a_numbers_in(rows), ["A012345678", "A-087-654-321"])
