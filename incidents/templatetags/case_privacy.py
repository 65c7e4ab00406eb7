"""``{% contact_visible incident %}``: whether the signed-in user may see the complainant's contact (the case page)."""

from django import template

from incidents.complaints.privacy import contact_visible_to

register = template.Library()


@register.simple_tag(takes_context=True)
def contact_visible(context, incident) -> bool:
    """True for the case's investigator and its agency's supervisors (``incidents.complaints.privacy``)."""
    request = context.get("request")
    return contact_visible_to(getattr(request, "user", None), incident)
