"""The case page's corrective-action and referral panels: ``{% case_corrective_actions incident as panel %}``.

Tags so the partials (``templates/incidents/case/_corrective_actions.html``, ``_referrals.html``) bring
their own reads to the case page without the page's view knowing them. Each reads through its
topic's selector, a fixed number of queries whatever the number of rows. The page's view has
already reached ``incident`` through ``compliance.core.access``.
"""

from __future__ import annotations

from django import template

from incidents.corrective_actions.selectors import case_actions
from incidents.referrals.selectors import case_referrals

register = template.Library()


@register.simple_tag(takes_context=True)
def case_corrective_actions(context, incident):
    """``incidents.corrective_actions.selectors.CaseActions`` of ``incident`` for the signed-in user."""
    return case_actions(incident=incident, user=context["request"].user)


@register.simple_tag(takes_context=True)
def case_referral_panel(context, incident):
    """``incidents.referrals.selectors.CaseReferrals`` of ``incident`` for the signed-in user."""
    return case_referrals(incident=incident, user=context["request"].user)
