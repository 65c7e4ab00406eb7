"""The public transparency pages (no account; English and Spanish), mounted at /transparency/.

* ``transparency_index``: the agencies whose page is public.
* ``transparency_agency``: one agency's published sections for a period (``?period=2026-Q3`` or
  ``2026``; a period not offered shows the latest quarter with a message, never an error); each
  table with its chart (decorative, ``aria-hidden``) and the table itself (the accessible form).
* ``transparency_csv``: exactly the figures of that page as CSV (same suppression, same language).

An unknown agency or one whose page is not public answers 404. Every request counts against the
client address's ``transparency`` limit (``community.complaint_intake.limits``; 429 in the visitor's
language). Caching: the figures hold no personal data, so the CSV is ``public, max-age=300``; the
HTML page is ``private, max-age=300`` because it carries a per-response CSP nonce and the language
switcher's CSRF cookie, which a shared cache must not hand to others. A signed-in visitor gets
``no-store`` anyway (``NoStoreForSignedInMiddleware``).
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from community.complaint_intake import limits
from community.transparency.charts import no_chart_reason, table_chart_svg
from community.transparency.models import TransparencySettings
from community.transparency.page import (
    csv_header,
    csv_rows,
    fact_text,
    moment_text,
    period_choice,
    period_key,
    period_label,
    table_rows,
    transparency_page,
)
from compliance.core.charts import chart_svg_for_page
from compliance.core.models import AccessLog, Agency, access_log_event
from compliance.core.spreadsheets import CSV_CONTENT_TYPE, csv_lines

#: Seconds a browser (HTML) or any cache (CSV) may keep a public answer.
PUBLIC_MAX_AGE = 300


def _throttled(request, wait: int):
    """The 429 page in the visitor's language, and one access-log row (outcome ``throttled``; no user, no agency)."""
    access_log_event(request, action=AccessLog.Action.DENIED, outcome=AccessLog.Outcome.THROTTLED)
    limit, window = settings.RATE_LIMITS_PER_ADDRESS[limits.TRANSPARENCY]
    context = {
        "kind": limits.TRANSPARENCY,
        "limit": limit,
        "window_minutes": window // 60,
        "wait_minutes": math.ceil(wait / 60),
    }
    response = render(request, "public/429.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def published_settings_or_404(public_id) -> TransparencySettings:
    """The settings of the agency ``public_id`` if its page is public (with the agency), else Http404."""
    found = (
        TransparencySettings.objects.select_related("agency")
        .filter(agency__public_id=public_id, published=True)
        .first()
    )
    if found is None:
        raise Http404("No public transparency page.")
    return found


def page_context(request, page, *, preview: bool = False) -> dict:
    """The template context of the page (public or preview), its texts in the request's language.

    Each section's facts as ``(label, text, suppressed)``; each table with its rows (``page.table_rows``),
    whether any cell is suppressed, its chart carrying this response's CSP nonce or why it has none. The
    privacy footnote is once per page, with ``highest_hidden`` = threshold − 1 ("any count from 1 to 9 is shown
    as “fewer than 10”"); ``csv_columns``: the CSV's header in the visitor's language, explained on the page.
    """
    nonce = request.csp_nonce
    sections = []
    for section in page.sections:
        tables = []
        for table in section.tables:
            svg = table_chart_svg(table)
            rows = table_rows(table)
            tables.append(
                {
                    "table": table,
                    "rows": rows,
                    "has_total_column": table.row_total is not None,
                    "any_suppressed": any(
                        cell and cell["suppressed"] for row in rows for cell in [*row["cells"], row["total"]]
                    ),
                    "chart": mark_safe(chart_svg_for_page(svg, nonce)) if svg else "",  # noqa: S308 (our SVG)
                    "no_chart_reason": no_chart_reason(table, svg),
                }
            )
        facts = [
            {"label": fact.label, "text": fact_text(fact, page.threshold), "suppressed": fact.suppressed}
            for fact in section.facts
        ]
        sections.append({"section": section, "tables": tables, "facts": facts})
    return {
        "page": page,
        "agency": page.agency,
        "sections": sections,
        "highest_hidden": page.threshold - 1,
        "csv_columns": csv_header(),
        "preview": preview,
        "period_key": period_key(page.period),
        "period_label": period_label(page.period),
        "periods": [
            {"key": period_key(period), "label": period_label(period), "selected": period == page.period}
            for period in page.periods
        ],
        "updated": moment_text(page.computed_at, page.agency),
        # The language switcher comes back to the same period (only the validated period: nothing else echoed).
        "switcher_next": f"{request.path}?period={period_key(page.period)}",
    }


def _public(response, *, shared: bool):
    patch_cache_control(response, **{"public" if shared else "private": True}, max_age=PUBLIC_MAX_AGE)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_GET
def transparency_index(request):
    """The agencies whose transparency page is public, by state and name, each linked to its page."""
    wait = limits.address_wait(request, limits.TRANSPARENCY)
    if wait:
        return _throttled(request, wait)
    agencies = list(Agency.objects.filter(transparency__published=True).order_by("state", "name"))
    return _public(render(request, "public/transparency_index.html", {"agencies": agencies}), shared=False)


def _page_for(request, public_id):
    found = published_settings_or_404(public_id)
    now = timezone.now()
    period, offered, refused = period_choice(found.agency, request.GET.get("period"), now=now)
    return transparency_page(found.agency, found, period, offered=offered, refused=refused, now=now, live=True)


@require_GET
def transparency_agency(request, public_id):
    """One agency's public page for ``?period=`` (default and fallback: the latest quarter); 404 unless public."""
    wait = limits.address_wait(request, limits.TRANSPARENCY)
    if wait:
        return _throttled(request, wait)
    page = _page_for(request, public_id)
    response = render(request, "public/transparency_page.html", page_context(request, page))
    return _public(response, shared=False)


@require_GET
def transparency_csv(request, public_id):
    """The page's figures as CSV (``section, table, row, column, value``, header included), in the visitor's language.

    404 unless public. The header row is translated too (``page.csv_header``: "sección, tabla, fila, columna,
    valor" in Spanish); the page documents what each column holds.
    """
    wait = limits.address_wait(request, limits.TRANSPARENCY)
    if wait:
        return _throttled(request, wait)
    page = _page_for(request, public_id)
    rows = list(csv_rows(page))  # built now, in the request's language (a streamed body runs after it)
    response = StreamingHttpResponse(csv_lines(csv_header(), rows), content_type=CSV_CONTENT_TYPE)
    filename = f"transparency-{page.agency.public_id}-{period_key(page.period)}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _public(response, shared=True)
