"""The access-log page: who viewed, listed or exported personal data, and who signed in, for auditors.

SECURITY.md D1–D3, D9, G5. Readers: users holding ``export_reports`` in an agency (auditors,
supervisors, administrators) see that agency's rows (its people's sign-ins are rows of their
home agency); others get 403. Filters: agency, user name (the account, or the username typed
at a failed sign-in), action, outcome, record type, a period of agency-local dates (default:
the last 30 days) and one record ("who viewed this detainer", linked from the record's page;
no default period then). ``record=`` answers the same page for another agency's record and for
no such record. The page only reads the log; it never writes or changes a row of it.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from compliance.core import access, keyset
from compliance.core.access_trail import RECORD_TYPES, access_log_for, record_filter, record_links, record_type
from compliance.core.forms import BoundedDateField
from compliance.core.local_days import local_day_start
from compliance.core.models import AccessLog, access_log_per_agency

PAGE_SIZE = 50
DEFAULT_DAYS = 30
#: The list's name in its cursors (``compliance.core.keyset``): newest first, the id breaking ties.
CURSOR_SALT = "compliance.access_log"
ORDER = (keyset.Key("at", descending=True), keyset.Key("pk", descending=True))


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(label="User name", required=False, max_length=150)
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *AccessLog.Action.choices])
    outcome = forms.ChoiceField(
        label="Outcome", required=False, choices=[("", "Any outcome"), *AccessLog.Outcome.choices]
    )
    record_type = forms.ChoiceField(
        label="Record type", required=False, choices=[("", "Any record"), *RECORD_TYPES.items()]
    )
    start = BoundedDateField(label="From (date)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(label="To (date, inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    record = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date is before the start date.")
        return data


@login_required
@never_cache
def access_log(request):
    """Access-log rows of the reader's agencies, newest first, with filters (dates in the agency's zone).

    Pages: keyset (``?cursor=``, ``compliance.core.keyset``; order ``-at, -id``; a bad cursor gives the first
    page), first / previous / next / last, the filters kept in every link; the count above the table is capped
    at ``keyset.COUNT_CAP``. Indexes ``accesslog_agency_at_idx`` and ``accesslog_at_idx`` hold that order, so
    the last page of a million rows costs what the first does. Queries: a fixed number at any size.
    The read itself writes a ``list`` row per agency shown (SECURITY.md D1), after the page's rows were read.
    """
    readable = list(access.agencies_for(request.user, access.EXPORT).order_by("name"))
    if not readable:
        raise PermissionDenied("Only auditors, supervisors and administrators read the access log.")
    rows, only_agency = access.narrow_to_requested_agency(
        access_log_for(request.user, readable=readable), request, access.EXPORT
    )
    zone_agency = only_agency or (readable[0] if len(readable) == 1 else None)
    zone = zone_agency.zone if zone_agency else ZoneInfo("UTC")
    today = timezone.localdate(timezone=zone)
    data = request.GET.copy()
    if not data.get("record"):  # one record's readers: its whole life by default
        data.setdefault("start", (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat())
        data.setdefault("end", today.isoformat())
    filters = AccessLogFilterForm(data)
    record_named = None
    if filters.is_valid():
        chosen = filters.cleaned_data
        if chosen["username"]:
            rows = rows.filter(Q(user__username__iexact=chosen["username"]) | Q(username__iexact=chosen["username"]))
        if chosen["action"]:
            rows = rows.filter(action=chosen["action"])
        if chosen["outcome"]:
            rows = rows.filter(outcome=chosen["outcome"])
        if chosen["record_type"]:
            content_type = record_type(chosen["record_type"])
            rows = rows.filter(content_type=content_type) if content_type else rows.none()
        if chosen["start"]:
            rows = rows.filter(at__gte=local_day_start(chosen["start"], zone))
        if chosen["end"]:
            rows = rows.filter(at__lt=local_day_start(chosen["end"] + timedelta(days=1), zone))
        if chosen["record"]:
            # Another agency's record and no such record answer alike: its rows are outside the
            # reader's scope, so both give the same empty page (never "this record exists").
            record_named = record_filter(chosen["record"])
            if record_named is None or record_named.pk is None:
                rows = rows.none()
            else:
                rows = rows.filter(content_type=record_named.content_type, object_id=record_named.pk)
        query = {key: value for key, value in data.items() if key in filters.fields and value}
    else:
        rows = rows.none()
        query = {}
    if only_agency is not None:
        query["agency"] = str(only_agency.public_id)
    page = keyset.keyset_page(
        [keyset.Segment(rows, ORDER)], keyset.cursor_decode(request.GET.get("cursor"), salt=CURSOR_SALT), size=PAGE_SIZE
    )
    entries = page.rows
    # Reading the audit trail is itself in it (SECURITY.md D1: attempts to read the audit log), one row per agency
    # whose rows this page showed, written after the page's rows were read so it never shows in its own page.
    shown = Counter(entry.agency for entry in entries if entry.agency_id is not None)
    access_log_per_agency(
        request, action=AccessLog.Action.LIST, counts=shown, empty_agency=only_agency or zone_agency or readable[0]
    )
    links = record_links(entries)
    context = {
        "page": page,
        "links": keyset.page_links(page, query, salt=CURSOR_SALT),
        "pages_label": "Pages of the access log",
        "count": keyset.count_capped(rows),
        "count_cap": keyset.COUNT_CAP,
        "entries": [(entry, links.get(entry.pk)) for entry in entries],
        "filters": filters,
        "only_agency": only_agency,
        "zone_agency": zone_agency,
        "record_named": record_named,
        "several_agencies": only_agency is None and len(readable) > 1,
        "agency_choices": readable if len(readable) > 1 else [],
    }
    return render(request, "compliance/access_log.html", context)
