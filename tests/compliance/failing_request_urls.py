"""A test-only URLconf (case H3): a view that saves an incident as the request's user, then fails."""

from django.http import HttpResponseServerError
from django.urls import path

from incidents.incident_log.models import Incident

FAILING_TITLE = "Changed in a request that then failed (invented)"


def save_then_fail(request, pk: int):
    """Save ``Incident`` ``pk`` (history attributed to ``request.user`` by the middleware), then raise."""
    incident = Incident.objects.get(pk=pk)
    incident.title = FAILING_TITLE
    incident.save()
    raise RuntimeError("the request failed after saving")


def plain_server_error(request):
    # No templates: the project's pages reverse URL names this URLconf does not have.
    return HttpResponseServerError("failed")


handler500 = plain_server_error

urlpatterns = [path("save-then-fail/<int:pk>/", save_then_fail)]
