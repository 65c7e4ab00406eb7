"""Placeholder views; replaced as the app is built."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def detainer_list(request):
    return HttpResponse("detainer_list")


@login_required
def incident_list(request):
    return HttpResponse("incident_list")
