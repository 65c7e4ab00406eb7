"""The integrations pages (``integrations:``): the agency administrator lists, creates and revokes integrations.

The list is read by everyone who may export an agency's records (supervisors and auditors see which systems
write into them, without the links that change them); creating and revoking need an administrator
(``access.ADMINISTER``); anyone else gets 403 (written to the access log by
``compliance.accounts.denials``). Another agency's integration answers 404. Creating and revoking need a
sign-in or re-authentication within 5 minutes, as the People pages' grants do (``compliance.core.reauthentication``).
The token is shown once, in the answer to the create's POST (never stored, never in a URL, never cached).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.reauthentication import recently_authenticated_required
from compliance.integrations import services
from compliance.integrations.forms import IntegrationForm
from compliance.integrations.selectors import integration_or_404, integrations_with_rights


def _administered_or_403(request):
    """The agencies ``request.user`` administers; 403 when none."""
    agencies = list(access.agencies_for(request.user, access.ADMINISTER))
    if not agencies:
        raise PermissionDenied("Only agency administrators manage integrations.")
    return agencies


@login_required
@never_cache
def integration_list(request):
    """The integrations of the agencies whose records the user may export: name, agency, created, last used,
    webhook, revoked; the create, revoke and webhook links for the agencies the user administers. 403 for a user
    who may export no agency's records (staff)."""
    if not access.agency_ids_for(request.user, access.EXPORT):
        raise PermissionDenied("Only supervisors, auditors and administrators see the agency's integrations.")
    context = {
        "integrations": integrations_with_rights(request.user),
        "can_create": bool(access.agency_ids_for(request.user, access.ADMINISTER)),
    }
    return render(request, "integrations/list.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def integration_create(request):
    """Name a new integration; the answer shows its token once."""
    agencies = _administered_or_403(request)
    return _integration_create(request, agencies)


@recently_authenticated_required(allow_get=True)
def _integration_create(request, agencies):
    form = IntegrationForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.integration_create(
                agency=form.selected_agency(), actor=request.user, name=form.cleaned_data["name"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Rendered, not redirected: the token lives only in this answer (no-store), never in a session or URL.
            return render(
                request, "integrations/created.html", {"integration": created.integration, "token": created.token}
            )
    return render(request, "integrations/create.html", {"form": form})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def integration_revoke(request, public_id):
    """Confirm (GET) and revoke (POST) an integration: its token answers 401 from the next call."""
    integration = integration_or_404(request.user, public_id)
    return _integration_revoke(request, integration)


@recently_authenticated_required(allow_get=True)
def _integration_revoke(request, integration):
    error = ""
    if request.method == "POST":
        try:
            services.integration_revoke(integration=integration, actor=request.user, request=request)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, f"Integration '{integration.name}' revoked: its token no longer works.")
            return redirect("integrations:list")
    return render(request, "integrations/revoke.html", {"integration": integration, "error": error})
