"""The transparency figures' cache (issue #12 item 5): a second read costs no query, a change shows at once.

Real database and Django's real cache (local memory in tests); the cache is cleared before each test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from django.core.cache import cache

from community.outreach.models import OutreachEvent
from community.transparency import cache as figures_cache
from community.transparency.cache import CACHE_SECONDS, cached_page_data, figures_version, published_figures
from community.transparency.models import TransparencySettings
from community.transparency.periods import Period
from incidents.detainers.models import Detainer
from incidents.incident_log.models import Allegation, Incident
from tests.base import BaseTestCase

Q1 = Period("quarter", 2026, 1)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def grand_total(sections) -> int | None:
    table = sections[2].tables[0]
    return table.grand_total.value


class TransparencyCacheTests(BaseTestCase):
    def setUp(self):
        cache.clear()

    def add_detainers(self, count: int, agency=None, start: int = 0) -> None:
        for n in range(start, start + count):
            Detainer.objects.create(
                agency=agency or self.agency_a,
                subject_last_name=f"Invented{n}",
                booking_number=f"BK-C{n:05d}",
                underlying_charge="Trespass (invented)",
                received_at=datetime(2026, 2, 1, 15, 0, tzinfo=UTC),
            )

    def test_a_second_read_costs_no_query(self):
        self.add_detainers(12)
        first = published_figures(agency=self.agency_a, period=Q1, threshold=10, now=NOW)
        with self.assertNumQueries(0):
            second = published_figures(agency=self.agency_a, period=Q1, threshold=10, now=NOW)
        self.assertEqual(grand_total(first), 12)
        self.assertEqual(grand_total(second), 12)

    def test_a_new_detainer_changes_the_figure_on_the_next_read(self):
        self.add_detainers(12)
        self.assertEqual(grand_total(published_figures(agency=self.agency_a, period=Q1, threshold=10, now=NOW)), 12)
        self.add_detainers(1, start=100)
        self.assertEqual(grand_total(published_figures(agency=self.agency_a, period=Q1, threshold=10, now=NOW)), 13)

    def test_another_agency_s_change_keeps_this_agency_s_entry(self):
        published_figures(agency=self.agency_a, period=Q1, threshold=10, now=NOW)
        self.add_detainers(1, agency=self.agency_b)
        with self.assertNumQueries(0):
            published_figures(agency=self.agency_a, period=Q1, threshold=10, now=NOW)

    def test_every_source_model_bumps_its_agency_s_version(self):
        version = figures_version(self.agency_a.pk)
        event = OutreachEvent.objects.create(
            agency=self.agency_a, kind="media", title="Briefing (invented)", held_on=date(2026, 2, 1)
        )
        self.assertGreater(figures_version(self.agency_a.pk), version)
        version = figures_version(self.agency_a.pk)
        event.delete()
        self.assertGreater(figures_version(self.agency_a.pk), version)
        case = Incident.objects.create(
            agency=self.agency_a,
            kind="complaint",
            severity="low",
            title="(invented)",
            occurred_at=NOW,
            received_at=NOW,
        )
        version = figures_version(self.agency_a.pk)
        Allegation.objects.create(incident=case, text="(invented)", created_at=NOW)  # through its case's agency
        self.assertGreater(figures_version(self.agency_a.pk), version)
        version = figures_version(self.agency_a.pk)
        TransparencySettings.objects.create(agency=self.agency_a, sections=["detainers"])
        self.assertGreater(figures_version(self.agency_a.pk), version)

    def test_entries_expire_within_15_minutes(self):
        self.assertLessEqual(CACHE_SECONDS, 900)
        with time_machine.travel(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), tick=False) as clock:
            self.assertEqual(cached_page_data(self.agency_a, Q1, lambda: "first", variant="es"), "first")
            clock.shift(CACHE_SECONDS - 1)
            self.assertEqual(cached_page_data(self.agency_a, Q1, lambda: "second", variant="es"), "first")
            clock.shift(2)  # 15 minutes and a second after it was built, nothing changed: built again
            self.assertEqual(cached_page_data(self.agency_a, Q1, lambda: "third", variant="es"), "third")

    def test_a_lost_version_does_not_serve_older_entries(self):
        self.assertEqual(cached_page_data(self.agency_a, Q1, lambda: "old"), "old")
        cache.delete(figures_cache._version_key(self.agency_a.pk))
        self.assertEqual(cached_page_data(self.agency_a, Q1, lambda: "new"), "new")

    def test_labels_are_cached_as_text_in_each_language_apart(self):
        from django.utils import translation
        from django.utils.functional import Promise

        with translation.override("en"):
            english = published_figures(agency=self.agency_a, period=Q1, threshold=10, now=NOW)
        self.assertNotIsInstance(english[0].title, Promise)
        self.assertIsInstance(english[2].tables[0].source.rows[0], str)
        with translation.override("es"), self.assertNumQueries(7):  # built afresh: not the English entry
            published_figures(agency=self.agency_a, period=Q1, threshold=10, now=NOW)
