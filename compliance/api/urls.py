"""``/api/v1/``: the OpenAPI schema and the API's routes (``compliance.api``)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from compliance.api import feed

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("events/", feed.events_list, name="events"),
]
