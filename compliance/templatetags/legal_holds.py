"""``{% legal_hold_panel record %}``: on a detainer's or a case's page, "Under legal hold: reason, reference" for
each active hold covering it, and the link to place one for supervisors and administrators of its agency.

A tag so the record pages show holds without their views knowing the retention package (the record's view has
already reached ``record`` through ``compliance.core.access``). One query for the holds, none for the permission
(``compliance.core.access`` memo).
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from compliance.core.privacy.holds import holds_on, may_hold

register = template.Library()

_PLACE = {"incidents.Detainer": "retention:hold_place_detainer", "incidents.Incident": "retention:hold_place_case"}


@register.inclusion_tag("retention/_hold_panel.html", takes_context=True)
def legal_hold_panel(context, record):
    """The holds on ``record`` (a detainer or a case) and, for those who may, the link to place one."""
    user = context["request"].user
    allowed = may_hold(user, record.agency)
    return {
        "holds": holds_on(record),
        "place_url": reverse(_PLACE[record._meta.label], kwargs={"public_id": record.public_id}) if allowed else "",
        "may_release": allowed,
    }
