"""``{% case_attachments incident as attachments %}``: a case's attachments with their uploaders, in one query."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def case_attachments(incident) -> list:
    """The attachments of ``incident``, oldest first, each with ``uploaded_by`` loaded (no query per row)."""
    return list(incident.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk"))


@register.simple_tag
def virus_scanning() -> bool:
    """Whether uploads are scanned here (``settings.CLAMD_ADDRESS`` set): the upload hint says which."""
    return bool(settings.CLAMD_ADDRESS)
