"""``{% load training_status %}{% status_tag status %}``: a USWDS tag for a roster status."""

from django import template
from django.utils.html import format_html

from training.roster import rules

register = template.Library()


@register.simple_tag
def status_tag(status: str | None, label: str = "") -> str:
    """``<span class="usa-tag …">Expiring</span>``; a grey "Renewed" tag when ``status`` is None."""
    if not status:
        return format_html('<span class="usa-tag bg-base-lighter text-ink">{}</span>', label or "Renewed")
    return format_html(
        '<span class="usa-tag {}" data-status="{}">{}</span>',
        rules.STATUS_TAG_CLASSES[status],
        status,
        label or rules.STATUS_LABELS[status],
    )
