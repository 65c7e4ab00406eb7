"""``{% detainer_export_form %}``: the export's format choice on the detainer list, for users who may export.

An inclusion tag, so the list view needs no change: it reads the request's user
and the page's ``only_agency`` (``?agency=`` narrowing) from the context. One
query (the user's export agencies).
"""

from django import template

from compliance.core import access
from incidents.detainer_log.forms import DetainerExportForm

register = template.Library()


def _list_filters(request) -> dict:
    if request is None:
        return {}
    return {name: request.GET[name] for name in ("received_from", "received_to", "outcome") if request.GET.get(name)}


@register.inclusion_tag("incidents/_detainer_export_form.html", takes_context=True)
def detainer_export_form(context) -> dict:
    """Context for the export form: shown only when the user holds ``export_reports`` in the agency shown."""
    request = context.get("request")
    only_agency = context.get("only_agency")
    allowed = access.agencies_for(request.user, access.EXPORT) if request is not None else None
    if allowed is not None and only_agency is not None:
        allowed = allowed.filter(pk=only_agency.pk)
    return {
        "show": allowed is not None and allowed.exists(),
        "only_agency": only_agency,
        # Pre-filled with the list's own filters (same names), so the file holds what the page shows.
        "form": DetainerExportForm(initial=_list_filters(request)),
    }
