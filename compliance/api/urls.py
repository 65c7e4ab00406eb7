"""``/api/v1/``: the OpenAPI schema and the API's routes (``compliance.api``)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
