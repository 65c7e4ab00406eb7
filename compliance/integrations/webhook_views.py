"""The webhook page of one integration (``/integrations/<public_id>/webhook/``), for the agency administrator.

Set or clear the address, (re)generate the signing secret (shown once, in the answer to that POST only), send
a test event and see its result, see the recent deliveries (state, attempts, last status, next attempt) and
send a failed one again. Integrations are reached through ``compliance.core.access`` with ``ADMINISTER``:
anyone else, and another agency's administrator, gets 404. Writes go through ``webhook_services`` and
``webhooks.delivery_retry``; the page shows event ids and kinds only (no personal data anywhere in the feed).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from compliance.core import access
from compliance.core.forms import add_service_errors
from compliance.core.models import Integration, WebhookDelivery
from compliance.integrations import webhooks
from compliance.integrations.webhook_forms import WebhookUrlForm
from compliance.integrations.webhook_services import webhook_secret_regenerate, webhook_url_save

#: Deliveries shown on the page, newest first.
RECENT = 25
NO_URL_MESSAGE = "Set a webhook address first."
NO_DELIVERY_MESSAGE = "No such delivery to this address."


def _integration(request, public_id) -> Integration:
    return access.get_scoped_or_404(
        Integration.objects.select_related("agency"), request.user, access.ADMINISTER, public_id=public_id
    )


def _page(request, integration: Integration, *, form=None, secret: str | None = None, test=None, status=200):
    deliveries = list(
        WebhookDelivery.objects.filter(integration=integration).select_related("event").order_by("-id")[:RECENT]
    )
    context = {
        "integration": integration,
        "agency": integration.agency,
        "form": form or WebhookUrlForm(initial={"webhook_url": integration.webhook_url}),
        "secret": secret,
        "test": test,
        "deliveries": deliveries,
        "max_attempts": webhooks.MAX_ATTEMPTS,
    }
    return render(request, "integrations/webhook.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_settings(request, public_id):
    """GET: the webhook page. POST ``webhook_url``: set or clear the address (a first one shows its new secret once).

    Bad input: the page again (400) with the error next to the field. Not an administrator of its agency: 404.
    """
    integration = _integration(request, public_id)
    if request.method == "POST":
        form = WebhookUrlForm(request.POST)
        if form.is_valid():
            try:
                integration, secret = webhook_url_save(
                    integration=integration, actor=request.user, webhook_url=form.cleaned_data["webhook_url"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if secret:
                    return _page(request, integration, secret=secret)
                messages.success(
                    request, "Webhook address saved." if integration.webhook_url else "Webhooks stopped: no address."
                )
                return redirect(reverse("integrations_webhook:settings", args=[integration.public_id]))
        return _page(request, integration, form=form, status=400)
    return _page(request, integration)


@login_required
@require_POST
def webhook_secret(request, public_id):
    """POST: a new signing secret, shown once in this answer (never again, never in a URL). Revoked: 400."""
    integration = _integration(request, public_id)
    try:
        integration, secret = webhook_secret_regenerate(integration=integration, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _page(request, integration, status=400)
    return _page(request, integration, secret=secret)


@login_required
@require_POST
def webhook_test(request, public_id):
    """POST: send a signed ``webhook.test`` event now and show what the address answered (or why it did not)."""
    integration = _integration(request, public_id)
    if not integration.webhook_url or not integration.is_active:
        messages.error(request, NO_URL_MESSAGE)
        return _page(request, integration, status=400)
    result = webhooks.webhook_test_send(integration=integration)
    return _page(request, integration, test=result)


@login_required
@require_POST
def webhook_retry(request, public_id):
    """POST ``event`` (an event's public id): send that failed delivery to this integration again (fresh attempts).

    A delivery that is not failed, or no such delivery: a message, nothing changes (a delivered event is never
    sent again). The event's id travels in the body, not the URL.
    """
    integration = _integration(request, public_id)
    delivery = None
    try:
        event_id = uuid.UUID(request.POST.get("event", ""))
    except ValueError:
        pass
    else:
        delivery = WebhookDelivery.objects.filter(integration=integration, event__public_id=event_id).first()
    if delivery is None:
        messages.error(request, NO_DELIVERY_MESSAGE)
    else:
        try:
            webhooks.delivery_retry(delivery=delivery, actor=request.user)
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "The delivery is queued again; the sender tries it within a minute.")
    return redirect(reverse("integrations_webhook:settings", args=[integration.public_id]))
