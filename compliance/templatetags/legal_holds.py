"""``{% legal_hold_panel record %}``: on a detainer's or a case's page, "Under legal hold: reason, reference" for
each active hold covering it, "Personal data removed at the end of retention" once purged, and the link to place
one for supervisors and administrators of its agency (not on a purged record: nothing personal is left to keep). A
card headed "Legal hold on these records (kept from the retention purge)", apart from the custody hold on the page.

A tag so the record pages show holds without their views knowing the retention package (the record's view has
already reached ``record`` through ``compliance.core.access``). Two queries (holds, purge mark), none for the
permission (``compliance.core.access`` memo).
"""

from __future__ import annotations

from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from compliance.core.models import PurgedRecord
from compliance.core.privacy.holds import holds_on, may_hold

register = template.Library()

_PLACE = {"incidents.Detainer": "retention:hold_place_detainer", "incidents.Incident": "retention:hold_place_case"}


@register.inclusion_tag("retention/_hold_panel.html", takes_context=True)
def legal_hold_panel(context, record):
    """The holds on ``record`` (a detainer or a case), when the purge removed its personal data, and, for those who
    may, the link to place a hold."""
    user = context["request"].user
    allowed = may_hold(user, record.agency)
    purged = (
        PurgedRecord.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
        .order_by("purged_at")
        .first()
    )
    return {
        "holds": holds_on(record),
        "purged": purged,
        "agency": record.agency,
        "place_url": reverse(_PLACE[record._meta.label], kwargs={"public_id": record.public_id})
        if allowed and purged is None
        else "",
        "may_release": allowed,
    }
