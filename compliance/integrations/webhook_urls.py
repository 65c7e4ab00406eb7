"""The webhook pages under ``/integrations/<public_id>/webhook/`` (namespace ``integrations_webhook``)."""

from django.urls import path

from compliance.integrations import webhook_views

app_name = "integrations_webhook"

urlpatterns = [
    path("<uuid:public_id>/webhook/", webhook_views.webhook_settings, name="settings"),
    path("<uuid:public_id>/webhook/secret/", webhook_views.webhook_secret, name="secret"),
    path("<uuid:public_id>/webhook/test/", webhook_views.webhook_test, name="test"),
    path("<uuid:public_id>/webhook/retry/", webhook_views.webhook_retry, name="retry"),
]
