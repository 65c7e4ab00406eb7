"""``{% commitments_panel event=event %}`` / ``{% commitments_panel meeting=meeting %}``: the commitments made there.

Renders ``community/commitments/_for_origin.html`` from ``community.commitments.selectors.origin_panel``
for the signed-in user (two queries and the permission check), so the event and meeting pages' views
need not know the commitments topic.
"""

from django import template

from community.commitments.selectors import origin_panel

register = template.Library()


@register.inclusion_tag("community/commitments/_for_origin.html", takes_context=True)
def commitments_panel(context, event=None, meeting=None) -> dict:
    """The panel's context for ``event`` or ``meeting`` (reached through access by the page's view)."""
    return origin_panel(user=context["request"].user, event=event, meeting=meeting).as_context()
