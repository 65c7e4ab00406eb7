"""URLs of the integrations pages (``integrations:``); an integration is addressed by its public id."""

from django.urls import path

from compliance.integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.integration_list, name="list"),
    path("new/", views.integration_create, name="create"),
    path("<uuid:public_id>/revoke/", views.integration_revoke, name="revoke"),
]
