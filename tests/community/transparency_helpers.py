"""Invented figures and page readers for the transparency page tests (no real person or agency)."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from django.utils import timezone

from community.outreach.models import OutreachEvent
from community.transparency import services
from community.transparency.page import CSV_HEADER
from community.transparency.periods import period_containing


def publish(agency, actor, *, sections=None, threshold: int = 10):
    """Save ``agency``'s settings (all sections by default) and publish its page, as ``actor`` (an administrator)."""
    services.transparency_settings_save(
        agency=agency,
        actor=actor,
        sections=sections if sections is not None else services.section_keys(),
        suppression_threshold=threshold,
    )
    return services.transparency_publish(agency=agency, actor=actor)


def agency_today(agency):
    return timezone.localdate(timezone.now(), timezone=agency.zone)


def current_quarter_key(agency) -> str:
    return period_containing(agency_today(agency)).key


def outreach_events(agency, **counts) -> None:
    """``counts``: OutreachEvent kind value → how many invented events held today (this quarter)."""
    today = agency_today(agency)
    for kind, count in counts.items():
        OutreachEvent.objects.bulk_create(
            OutreachEvent(agency=agency, kind=kind, title=f"Invented {kind} {n}", held_on=today) for n in range(count)
        )


class _Tables(HTMLParser):
    """Every ``<table>`` inside a ``data-testid="table-<key>"`` block: key → rows of cell texts (header row first)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self._key = None
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        testid = attrs.get("data-testid", "") or ""
        if tag == "div" and testid.startswith("table-"):
            self._key = testid[len("table-") :]
            self.tables[self._key] = []
        elif tag == "tr" and self._key:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._key].append(self._row)
            self._row = None
        elif tag == "table":
            self._key = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    """The page's tables as text: ``{table key: [[header cells], [row label, cell, ...], ...]}``."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def page_cells(html: str) -> list[tuple[str, str, str]]:
    """Every figure of the page's tables as ``(row label, column label, text)`` (totals included)."""
    found = []
    for rows in page_tables(html).values():
        header, body = rows[0], rows[1:]
        for row in body:
            for column, text in zip(header[1:], row[1:], strict=True):
                found.append((row[0], column, text))
    return found


def csv_table(response) -> tuple[list[str], list[dict]]:
    """The CSV download's header row as written (visitor's language), and its rows as dicts keyed by meaning.

    The keys are ``CSV_HEADER`` (``section, table, row, column, value``) whatever the header's language.
    """
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(body)))
    header, rows = lines[0], lines[1:]
    assert len(header) == len(CSV_HEADER), header
    return header, [dict(zip(CSV_HEADER, row, strict=True)) for row in rows]


def csv_rows(response) -> list[dict]:
    """The CSV download's rows as dicts keyed ``section, table, row, column, value`` (any language), BOM removed."""
    return csv_table(response)[1]


def pending_detainers(agency, **by_level) -> None:
    """``by_level``: ``level_1``/``level_2``/``level_3`` → how many invented pending detainers received now.

    Detainers count people: their small cells are suppressed (outreach events, the agency's own public acts,
    are published as they are).
    """
    from incidents.detainers.choices import OffenseLevel
    from incidents.detainers.models import Detainer

    number = Detainer.objects.count()
    for key, count in by_level.items():
        level = OffenseLevel(int(key.rsplit("_", 1)[1]))
        for _ in range(count):
            number += 1
            Detainer.objects.create(
                agency=agency,
                subject_last_name=f"Invented{number}",
                booking_number=f"BK-H{number:05d}",
                underlying_charge="Trespass (invented)",
                received_at=timezone.now(),
                offense_level=level,
            )
