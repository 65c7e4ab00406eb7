"""Report "Access log extract": who viewed, listed, exported or searched an agency's records in a period (issue #13).

What an auditor reads on the access-log page (``compliance.views.access_log``; SECURITY.md D1–D3, D9, G5), for
one agency and a period of agency-local days, as a PDF: every row of the agency's access log written from the
start of the period's first day to the report's instant ``checked_at`` (rows are append-only: what was written
before then is what the log held then, so both meanings of "as of" give the same rows). Per row: when (the
agency's zone), who (name and account, or the username typed at a failed sign-in), action, outcome, the record
(its type and public id, never its contents: a detainee's name is not in the log and not here), how many rows a
list or export showed, the page (its URL name), and the *class* of the client's address — "internal network",
"loopback", "external", "unknown" — not the address itself (an address is personal data; the on-screen log keeps
it for the auditor who needs it). Reading the log is not writing it: the report leaves every row as it is (D9).

Summary (the first part): rows by action and by outcome, the busiest accounts, rows by address class.

Large: an agency's quarter can be 100,000 rows. The rows are split into parts of ``CHUNK`` rows by key
range (the id order is the order rows were written), planned with one query that returns only every
``CHUNK``-th id; each part reads its own range (one query for the rows, one per record type for the public
ids) and is rendered by its own task.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Max, Min, Window
from django.db.models.functions import RowNumber

from compliance.core.models import AccessLog, Report
from compliance.reports.kinds import Part, ReportKind, ReportRun

SUMMARY_TEMPLATE = "reports/access_log_summary.html"
ROWS_TEMPLATE = "reports/access_log_rows.html"
TITLE = "Access log extract"
#: Rows per part (about 45 landscape pages).
CHUNK = 2000
#: How many accounts the summary lists, busiest first.
TOP_ACCOUNTS = 10

INTERNAL, LOOPBACK, EXTERNAL, UNKNOWN = "Internal network", "Loopback", "External", "Unknown"


def address_class(address: str | None) -> str:
    """The class of a client address: "Loopback", "Internal network" (private, link-local), "External", "Unknown"."""
    if not address:
        return UNKNOWN
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return UNKNOWN
    if ip.is_loopback:
        return LOOPBACK
    if ip.is_private or ip.is_link_local:
        return INTERNAL
    return EXTERNAL


def access_log_rows(run: ReportRun):
    """The agency's access-log rows of ``run``'s period up to its instant, lazily, in the order they were written."""
    period = run.period
    return AccessLog.objects.filter(
        agency=run.report.agency, at__gte=period.starts_at, at__lt=period.checked_at
    ).order_by("pk")


def _chunk_starts(run: ReportRun) -> tuple[list[int], int | None]:
    """The id of every ``CHUNK``-th row (the first of each part) and the last row's id: one query and one aggregate."""
    rows = access_log_rows(run)
    last = rows.aggregate(last=Max("pk"))["last"]
    if last is None:
        return [], None
    numbered = rows.annotate(number=Window(RowNumber(), order_by=F("pk").asc()))
    # Filtering on a window function: Django wraps the query, so only every CHUNK-th id comes back.
    firsts = numbered.annotate(slot=(F("number") - 1) % CHUNK).filter(slot=0).values_list("pk", flat=True)
    return list(firsts), last


def _plan(run: ReportRun) -> list[Part]:
    starts, last = _chunk_starts(run)
    parts = [Part(template=SUMMARY_TEMPLATE, params={"summary": True}, landscape=True)]
    for index, first in enumerate(starts):
        upper = starts[index + 1] - 1 if index + 1 < len(starts) else last
        parts.append(Part(template=ROWS_TEMPLATE, params={"first": first, "last": upper}, landscape=True))
    return parts


def access_log_summary(run: ReportRun) -> dict:
    """Counts of the period's rows: ``total``, ``by_action``/``by_outcome``/``by_class`` ((label, n) lists),
    ``accounts`` ((name, username, n), busiest first, at most ``TOP_ACCOUNTS``), ``first_at``/``last_at``.
    Five queries whatever the number of rows (the addresses are counted grouped, not row by row)."""
    rows = access_log_rows(run).order_by()
    actions = dict(rows.values("action").annotate(n=Count("pk")).values_list("action", "n"))
    outcomes = dict(rows.values("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
    classes: dict[str, int] = defaultdict(int)
    for address, n in rows.values("ip_address").annotate(n=Count("pk")).values_list("ip_address", "n"):
        classes[address_class(address)] += n
    accounts = list(
        rows.filter(user__isnull=False)
        .values("user__first_name", "user__last_name", "user__username")
        .annotate(n=Count("pk"))
        .order_by("-n", "user__username")[:TOP_ACCOUNTS]
    )
    span = rows.aggregate(first_at=Min("at"), last_at=Max("at"))
    return {
        "total": sum(actions.values()),
        "by_action": [(label, actions[value]) for value, label in AccessLog.Action.choices if actions.get(value)],
        "by_outcome": [(label, outcomes[value]) for value, label in AccessLog.Outcome.choices if outcomes.get(value)],
        "by_class": [(label, classes[label]) for label in (INTERNAL, LOOPBACK, EXTERNAL, UNKNOWN) if classes[label]],
        "accounts": [
            (f"{a['user__first_name']} {a['user__last_name']}".strip(), a["user__username"], a["n"]) for a in accounts
        ],
        **span,
    }


def access_log_chunk(run: ReportRun, *, first: int, last: int) -> list[dict]:
    """The rows with ids ``first``..``last`` of ``run``'s period, each a dict for the template: ``entry`` (the
    ``AccessLog`` row, user joined), ``record`` (type label and public id, or ""), ``address_class``.
    Queries: one for the rows, one per record type among them."""
    entries = list(access_log_rows(run).filter(pk__gte=first, pk__lte=last).select_related("user", "content_type"))
    wanted: dict[int, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.content_type_id and entry.object_id:
            wanted[entry.content_type_id].add(entry.object_id)
    public_ids: dict[tuple[int, int], str] = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not any(f.name == "public_id" for f in model._meta.concrete_fields):
            continue
        for pk, public_id in model._default_manager.filter(pk__in=ids).order_by().values_list("pk", "public_id"):
            public_ids[(type_id, pk)] = str(public_id)
    rows = []
    for entry in entries:
        record = ""
        if entry.content_type_id:
            label = entry.content_type.name.capitalize()
            public_id = public_ids.get((entry.content_type_id, entry.object_id))
            record = f"{label} {public_id}" if public_id else f"{label} (deleted or without public id)"
        rows.append({"entry": entry, "record": record, "address_class": address_class(entry.ip_address)})
    return rows


def _part_context(run: ReportRun, part: Part) -> dict:
    if part.params.get("summary"):
        return {"summary": access_log_summary(run), "chunk_rows": CHUNK}
    return {"rows": access_log_chunk(run, first=part.params["first"], last=part.params["last"])}


KIND = ReportKind(
    title=TITLE,
    plan=_plan,
    part_context=_part_context,
    templates=(SUMMARY_TEMPLATE, ROWS_TEMPLATE),
    bases=(Report.Basis.RECORDED.value,),
)
