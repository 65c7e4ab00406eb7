"""The webhook address form of the agency administrator (``webhook_views``)."""

from __future__ import annotations

from django import forms


class WebhookUrlForm(forms.Form):
    """The address events are POSTed to; empty stops webhooks (the feed can still be polled)."""

    webhook_url = forms.CharField(
        label="Webhook address",
        required=False,
        max_length=500,
        help_text="An https:// address of your jail management system. Leave empty to stop webhooks; the "
        "events can still be read from the polling feed.",
        widget=forms.URLInput(attrs={"class": "usa-input", "autocomplete": "url", "spellcheck": "false"}),
    )
