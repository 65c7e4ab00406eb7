"""What the public transparency page, its preview and its CSV show: the chosen sections, after suppression.

``transparency_page`` is the one place that turns an agency's settings and a period into
published figures: the sections the administrator chose (in page order), each ``CountTable``
through ``suppression.published_table`` at the agency's threshold and each ``Fact`` through
``suppression.published_fact``. The HTML page, the preview and the CSV (``csv_rows``) all read the
result, so the three show exactly the same figures, suppressed cells included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import get_language, gettext, pgettext

from community.transparency import figures, suppression
from community.transparency.cache import cached_page_data, plain_text
from community.transparency.models import TransparencySettings
from community.transparency.periods import QUARTER, Period, period_parse, periods_available
from community.transparency.tables import Cell, Fact, PublishedTable, Section
from compliance.core.models import Agency

#: The CSV's columns, in order: their meaning (the English header; ``csv_header`` gives the visitor's language).
CSV_HEADER = ("section", "table", "row", "column", "value")


def csv_header() -> tuple[str, ...]:
    """The CSV's header row in the active language (``CSV_HEADER``'s meaning: "sección", "tabla"... in Spanish).

    The page explains each column next to the download link, so the meaning stays documented.
    """
    return (
        pgettext("CSV column", "section"),
        pgettext("CSV column", "table"),
        pgettext("CSV column", "row"),
        pgettext("CSV column", "column"),
        pgettext("CSV column", "value"),
    )


@dataclass(frozen=True)
class TransparencyPage:
    """The page of one agency for one period.

    Attributes:
        agency: the agency.
        period: the period shown; ``periods``: every period offered in the picker, newest first.
        period_refused: the visitor asked for a period that is not offered (the page shows ``period`` instead).
        computed_at: when the figures were computed (UTC; shown in the agency's zone as "Last updated").
        threshold: the agency's suppression threshold (the "fewer than N" of the page).
        sections: the published sections, in page order (``suppression.published_section``: ``PublishedTable``s
            and facts through the threshold).
    """

    agency: Agency
    period: Period
    periods: tuple[Period, ...]
    period_refused: bool
    computed_at: datetime
    threshold: int
    sections: tuple[Section, ...]


def period_choice(agency: Agency, text: str | None, *, now: datetime) -> tuple[Period, tuple[Period, ...], bool]:
    """The period a visitor asked for (``?period=2026-Q3`` or ``2026``) if it is offered, else the latest quarter.

    Returns:
        ``(period, offered periods newest first, refused)``; ``refused`` is true when ``text`` was given but
        is not a period or not one offered (the page then says so and shows the latest quarter).
    """
    offered = tuple(periods_available(agency, timezone.localdate(now, timezone=agency.zone)))
    asked = period_parse(text) if text else None
    if asked is not None and asked in offered:
        return asked, offered, False
    latest = next(period for period in offered if period.kind == QUARTER)
    return latest, offered, bool(text)


def transparency_page(
    agency: Agency,
    settings: TransparencySettings,
    period: Period,
    *,
    offered=(),
    refused=False,
    now: datetime,
    live: bool = False,
) -> TransparencyPage:
    """The published sections of ``agency`` for ``period``, as the public sees them.

    Args:
        agency: the agency.
        settings: its ``TransparencySettings``; the caller decides whether the page may be shown
            (published, or a preview for its supervisors and administrators).
        period: the period (``period_choice``).
        offered: the periods of the picker; ``refused``: the visitor's period was not offered.
        now: the moment (UTC), for the figures' "current" facts and the computed time.
        live: true for the public page and CSV (the live copy: ``published_sections``, ``published_threshold``);
            false for the preview (the draft: ``sections``, ``suppression_threshold``).

    Returns:
        A ``TransparencyPage``; a section chosen but unknown to the figures is left out. The figures come
        from the cache when fresh (``_figures``); ``computed_at`` is when they were computed.
    """
    if live:
        threshold, chosen = settings.published_threshold, set(settings.published_sections or ())
    else:
        threshold, chosen = settings.suppression_threshold, set(settings.sections or ())
    computed_at, published = _figures(agency, period, threshold=threshold, now=now)
    sections = tuple(section for section in published if section.key in chosen)
    return TransparencyPage(
        agency=agency,
        period=period,
        periods=tuple(offered) or (period,),
        period_refused=refused,
        computed_at=computed_at,
        threshold=threshold,
        sections=sections,
    )


def _figures(agency: Agency, period: Period, *, threshold: int, now: datetime):
    """``(computed_at, sections after suppression)`` of the agency and period, from the figures cache when fresh.

    Cached with ``cache.cached_page_data`` (per agency, period, threshold and language; stale after any change
    of a source row or 15 minutes), together with the moment they were computed: the page's "Last updated".
    Labels are cached as plain text in the active language (``cache.plain_text``: lazy strings are slow to
    unpickle).
    """

    def build():
        raw = figures.transparency_sections(agency=agency, period=period, now=now, threshold=threshold)
        return now, plain_text(suppression.published_sections(raw, threshold=threshold))

    return cached_page_data(agency, period, build, variant=f"page:{threshold}:{get_language() or ''}")


def fewer_than(threshold: int) -> str:
    """The text of a suppressed figure in the active language: "fewer than 10"."""
    return gettext("fewer than %(threshold)s") % {"threshold": threshold}


def cell_text(cell: Cell, threshold: int) -> str:
    """A published cell as shown on the page and in the CSV: the count (localised grouping) or "fewer than N"."""
    if cell.suppressed:
        return fewer_than(threshold)
    return formats.number_format(cell.value, force_grouping=True)


def fact_text(fact: Fact, threshold: int) -> str:
    """A published fact as shown: "fewer than N" when suppressed, "—" when unknown, a localised number, day or text."""
    if fact.suppressed:
        return fewer_than(threshold)
    value = fact.value
    if value is None or value == "":
        return gettext("not available")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if fact.kind == "days" and isinstance(value, int | float):
        number = formats.number_format(value, decimal_pos=0 if float(value).is_integer() else 1, force_grouping=True)
        return gettext("%(number)s days") % {"number": number}
    if isinstance(value, int | float):
        return formats.number_format(value, force_grouping=True)
    return str(value)


def csv_rows(page: TransparencyPage):
    """The CSV's rows (after ``CSV_HEADER``): exactly the figures of the page, in its order and language.

    One row per table cell (``section, table, row label, column label, value``), per published total
    (the label "Total"), and per fact (``section, "", fact label, "", value``). A suppressed figure's
    value is the text "fewer than N" (as on the page); a shown count is written as a number.
    """
    total = gettext("Total")
    for section in page.sections:
        title = str(section.title)
        for table in section.tables:
            source = table.source
            columns = [str(column) for column in source.columns]
            for label, row, row_total in zip(
                source.rows, table.cells, table.row_total or [None] * len(table.cells), strict=True
            ):
                for column, cell in zip(columns, row, strict=True):
                    yield (title, str(source.title), str(label), column, _csv_value(cell, table.threshold))
                if row_total is not None:
                    yield (title, str(source.title), str(label), total, _csv_value(row_total, table.threshold))
            if table.column_total is not None:
                for column, cell in zip(columns, table.column_total, strict=True):
                    yield (title, str(source.title), total, column, _csv_value(cell, table.threshold))
                if table.grand_total is not None:
                    yield (title, str(source.title), total, total, _csv_value(table.grand_total, table.threshold))
        for fact in section.facts:
            value = fact.value if fact.kind in ("count", "days") and not fact.suppressed else None
            shown = value if isinstance(value, int) else fact_text(fact, page.threshold)
            yield (title, "", str(fact.label), "", shown)


def _csv_value(cell: Cell, threshold: int):
    return fewer_than(threshold) if cell.suppressed else cell.value


def period_key(period: Period) -> str:
    """The period as written in ``?period=``: ``"2026-Q3"`` or ``"2026"``."""
    return period.key


def period_label(period: Period) -> str:
    """The period as shown, in the active language: "2026, quarter 3 (July–September)" or "2026 (whole year)"."""
    quarter = period.quarter
    if period.kind == QUARTER:
        months = (
            gettext("January–March"),
            gettext("April–June"),
            gettext("July–September"),
            gettext("October–December"),
        )[quarter - 1]
        return gettext("%(year)s, quarter %(quarter)s (%(months)s)") % {
            "year": period.year,
            "quarter": quarter,
            "months": months,
        }
    return gettext("%(year)s (whole year)") % {"year": period.year}


def moment_text(moment: datetime, agency: Agency) -> str:
    """``moment`` (UTC) on the agency's clock, in the active language's date-time format, with the zone's name."""
    local = timezone.localtime(moment, agency.zone)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def table_rows(table: PublishedTable) -> list[dict]:
    """The table's body as the page shows it: per row its label, each cell's text and suppressed flag, its total.

    The "Total" row (column totals, then the grand total) comes last when the table publishes one.
    """
    threshold = table.threshold

    def shown(cell: Cell | None):
        return None if cell is None else {"text": cell_text(cell, threshold), "suppressed": cell.suppressed}

    totals = table.row_total or [None] * len(table.cells)
    rows = [
        {"label": label, "cells": [shown(cell) for cell in cells], "total": shown(total), "is_total": False}
        for label, cells, total in zip(table.source.rows, table.cells, totals, strict=True)
    ]
    if table.column_total is not None:
        rows.append(
            {
                "label": gettext("Total"),
                "cells": [shown(cell) for cell in table.column_total],
                "total": shown(table.grand_total),
                "is_total": True,
            }
        )
    return rows
