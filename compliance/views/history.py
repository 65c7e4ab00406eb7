"""Audit history of one record: who changed what, when, and why."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from compliance.core.history import history_entries, history_record_get, record_agency
from compliance.core.models import AccessLog, access_log_record


@login_required
def record_history(request, model_label, public_id):
    """History page for ``model_label`` (e.g. ``training.officer``) ``public_id``; other agency → 404."""
    record = history_record_get(user=request.user, model_label=model_label, public_id=public_id)
    agency = record_agency(record)
    # Every history page is a read of the record's past values (SECURITY.md D3): logged whatever the record.
    access_log_record(request, action=AccessLog.Action.VIEW, record=record, agency=agency)
    return render(
        request,
        "compliance/history.html",
        {
            "record": record,
            "agency": agency,
            "model_name": record._meta.verbose_name,
            "entries": history_entries(record),
        },
    )
